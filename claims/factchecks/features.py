"""What the re-ranker knows of a (query, fact-check) pair, how it scores it, and why, in
words an editor reads.

The features are scaled so they mean the same for a short query and a long one:
- `title_bm25`: the BM25 score against the title, over the most the query could score in
  one field;
- `relative`: the candidate's BM25 (claim + title) over the best candidate's;
- `query_cover`: the share of the query's words (weighted by IDF) found in the fact-check;
- `claim_cover`: the share of the claim's words found in the query (a short claim wholly
  inside a tweet);
- `figures`: 1 when they give a figure in common, −1 when both give figures and none
  agree, 0 otherwise;
- `lex_rank`: 1 / (1 + the candidate's place by BM25), 0 when it shares no word;
- with embeddings: `cos_claim`, `cos_title` (cosine of MiniLM vectors), `cos_gap` and
  `cos_title_gap` (the cosine less the best candidate's), `dense_rank` (1 / (1 + its place
  by cosine)).

The re-ranker (reranker.json) is a logistic regression over them, one per feature set,
trained on the CLEF-2020 training split only (benchmarks/matching_train.py): "lexical",
"semantic" (the stock encoder's cosines) and "semantic_tuned" (the fine-tuned encoder's,
whose cosines are spread differently).

With embeddings and a built cross-encoder (crossencoder.py), the re-ranker's best few are
read again together with the query, and the two scores combined.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from claims.factchecks import crossencoder
from claims.factchecks.dense import get_dense_index
from claims.factchecks.embedding import embeddings_available, get_embedder, get_encoder
from claims.factchecks.lexindex import Candidate, LexicalIndex, tokenize
from claims.factchecks.places import place_tokens, places
from claims.models import FactCheck

ARTEFACT = Path(__file__).resolve().parent / "reranker.json"
# No BM25 against the claim itself: beside query_cover it learned a negative weight (the two
# say nearly the same on the training tweets), which in a desk's small pool, where BM25
# runs high, turned an obvious repeat ("Vaccines cause autism in kids") into a 0.27.
LEXICAL = ("title_bm25", "relative", "query_cover", "claim_cover", "figures", "lex_rank")
SEMANTIC = (*LEXICAL, "cos_claim", "cos_title", "cos_gap", "cos_title_gap", "dense_rank")
# Cosine of MiniLM vectors from which a claim and a text are "close in meaning": a tweet
# repeating a claim in other words scores about 0.5 ("a great white on a Texas freeway
# after Hurricane Harvey" against "a shark swimming on a flooded highway in Houston":
# 0.49), the candidates of a training tweet 0.29 on average.
CLOSE_IN_MEANING = 0.45
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
WORD = re.compile(r"[^\W_]+")
TEXT_CHUNK = 2000


@dataclass
class Scored:
    factcheck_id: int
    score: float
    reasons: tuple[str, ...]
    # Only the name of the one who said the claim links it to the fact-check (see reasons).
    name_only: bool = False
    # About another place than the claim, or linked by a place's name alone (other_subject()).
    other_subject: bool = False


def figures(text: str) -> set[str]:
    out = set()
    for raw in FIGURE.findall(text):
        value = re.sub(r",(?=\d{3}\b)", "", raw).rstrip(".,")
        if value and value not in ("1", "2", "0"):  # "one", "two": said of anything
            out.add(value)
    return out


# --- The re-ranker -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def reranker() -> dict:
    """The shipped re-ranker: {"lexical": model, "semantic": model, ...}."""
    return json.loads(ARTEFACT.read_text(encoding="utf-8"))


def model_name(embeddings: bool) -> str:
    """The re-ranker's model for these features: with embeddings, the one trained on the
    cosines of this process's encoder."""
    if not embeddings:
        return "lexical"
    if get_encoder().tuned and reranker().get("semantic_tuned"):
        return "semantic_tuned"
    return "semantic"


def apply_model(model: dict, values: dict[str, float]) -> float:
    z = model["intercept"]
    for name, mean, scale, coef in zip(model["features"], model["mean"], model["scale"],
                                       model["coef"], strict=True):
        z += coef * (values[name] - mean) / scale
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# --- Embeddings (the optional extra) -----------------------------------------------------


def use_embeddings() -> bool:
    """FACTCHECK_MATCHING_EMBEDDINGS: "auto" (the default: when the [embeddings] extra is
    installed), "on" or "off"."""
    chosen = getattr(settings, "FACTCHECK_MATCHING_EMBEDDINGS",
                     os.environ.get("FACTCHECK_MATCHING_EMBEDDINGS", "auto"))
    if chosen == "off":
        return False
    return embeddings_available()


# --- Features ----------------------------------------------------------------------------


def candidate_texts(ids: list[int]) -> dict[int, tuple[str, str]]:
    """{id: (claim reviewed, title)}, a query per TEXT_CHUNK ids."""
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), TEXT_CHUNK):
        rows = FactCheck.objects.filter(id__in=ids[start:start + TEXT_CHUNK]).values_list(
            "id", "claim_reviewed", "title")
        out.update({fid: (claim, title) for fid, claim, title in rows})
    return out


def lexical_features(index: LexicalIndex, query: str, candidates: list[Candidate],
                     texts: dict[int, tuple[str, str]]) -> list[dict[str, float]]:
    q_tokens = set(tokenize(query))
    max_score = index.max_score(query) or 1.0
    best = max((c.claim_bm25 + c.title_bm25 for c in candidates), default=0.0) or 1.0
    q_figures = figures(query)
    q_places = places(query)
    q_place_tokens = place_tokens(q_places)
    texts_tokens = {c.factcheck_id: tokenize(" ".join(texts.get(c.factcheck_id, ("", ""))))
                    for c in candidates}
    claim_tokens = {c.factcheck_id: set(tokenize(texts.get(c.factcheck_id, ("", ""))[0]))
                    for c in candidates}
    all_tokens = set(q_tokens)
    for tokens in claim_tokens.values():
        all_tokens |= tokens
    idf = index.idf_of(sorted(all_tokens))
    q_mass = sum(idf[t] for t in q_tokens) or 1.0
    order = sorted(range(len(candidates)),
                   key=lambda i: -(candidates[i].claim_bm25 + candidates[i].title_bm25))
    rank = {i: r for r, i in enumerate(order)}
    rows = []
    for i, c in enumerate(candidates):
        claim, title = texts.get(c.factcheck_id, ("", ""))
        both = set(texts_tokens[c.factcheck_id])
        c_tokens = claim_tokens[c.factcheck_id]
        c_mass = sum(idf[t] for t in c_tokens) or 1.0
        c_figures = figures(f"{claim} {title}")
        shared_figures = q_figures & c_figures
        c_places = places(claim)
        shared = q_tokens & both
        shared_mass = sum(idf[t] for t in shared)
        place_mass = sum(idf[t] for t in shared & (q_place_tokens | place_tokens(c_places)))
        rows.append({
            "title_bm25": c.title_bm25 / max_score,
            "relative": (c.claim_bm25 + c.title_bm25) / best,
            "query_cover": sum(idf[t] for t in q_tokens & both) / q_mass,
            "claim_cover": sum(idf[t] for t in c_tokens & q_tokens) / c_mass,
            "figures": 1.0 if shared_figures else (-1.0 if q_figures and c_figures else 0.0),
            # A candidate found only by meaning shares no word: it has no place by words
            # (in a small pool it would otherwise come first by the order of the ties).
            "lex_rank": 1.0 / (1 + rank[i]) if c.claim_bm25 + c.title_bm25 > 0 else 0.0,
            # Not features of the re-ranker (trained on them, it learned weights of about
            # 0.03: the training tweets rarely show it), read by other_subject():
            # both name places, none in common ("11 states and DC" / "Texas");
            "place_other": 1.0 if c_places and q_places and not c_places & q_places else 0.0,
            # what they have in common is only a place's name ("South Dakota"; a person's
            # name alone still links them: "Gaddafi is finished" / "For Gadhafi, it is game
            # over").
            "place_only": 1.0 if shared_mass and place_mass >= shared_mass else 0.0,
        })
    return rows


def semantic_features(queries: list[str], candidates: list[list[Candidate]],
                      texts: dict[int, tuple[str, str]], rows: list[list[dict]]) -> None:
    """Adds cos_claim, cos_title and cos_gap to `rows`: the queries are encoded, the
    fact-checks' vectors come from the dense index's store (encoded once, kept on disk)."""
    ids = sorted({c.factcheck_id for cands in candidates for c in cands})
    claims, titles = get_dense_index().vectors([(fid, *texts[fid]) for fid in ids])
    at = {fid: i for i, fid in enumerate(ids)}
    query_vectors = get_embedder().encode(queries)
    for q, cands, feats in zip(query_vectors, candidates, rows, strict=True):
        rows_at = [at[c.factcheck_id] for c in cands]
        cos_claim = claims[rows_at] @ q if rows_at else []
        cos_title = titles[rows_at] @ q if rows_at else []
        for f, cc, ct in zip(feats, cos_claim, cos_title, strict=True):
            f["cos_claim"] = float(cc)
            f["cos_title"] = float(ct)
        top = max((f["cos_claim"] for f in feats), default=0.0)
        top_title = max((f["cos_title"] for f in feats), default=0.0)
        order = sorted(range(len(feats)), key=lambda i: -(feats[i]["cos_claim"]
                                                          + feats[i]["cos_title"]))
        for r, i in enumerate(order):
            feats[i]["dense_rank"] = 1.0 / (1 + r)
        for f in feats:
            f["cos_gap"] = f["cos_claim"] - top
            f["cos_title_gap"] = f["cos_title"] - top_title


def all_features(index: LexicalIndex, queries: list[str], candidates: list[list[Candidate]],
                 *, embeddings: bool, spoken: list[str] | None = None,
                 ) -> tuple[list[list[dict]], dict[int, tuple[str, str]]]:
    """The features of each query's candidates: by words of `queries`, in meaning of `spoken`
    (the same queries as typed, when `queries` are respelled for the word index)."""
    ids = sorted({c.factcheck_id for cands in candidates for c in cands})
    texts = candidate_texts(ids)
    # A fact-check deleted since the index last read the table is left out.
    candidates[:] = [[c for c in cands if c.factcheck_id in texts] for cands in candidates]
    rows = [lexical_features(index, q, cands, texts)
            for q, cands in zip(queries, candidates, strict=True)]
    if embeddings:
        semantic_features(spoken if spoken is not None else queries, candidates, texts, rows)
    return rows, texts


# --- Reasons -----------------------------------------------------------------------------


def names_the_speaker(speaker: str) -> str:
    return f"names {speaker}, who said it"


def other_subject(f: dict[str, float]) -> bool:
    """Whether the fact-check is about another subject than the claim, by words alone: both
    name places and none is the same ("Recreational marijuana is legal in 11 states and
    DC" / "The state of Texas has legalized recreational use of marijuana"), or all they
    share is a place's name ("Methamphetamine is a serious problem in South Dakota" / "Obama ceded
    South Dakota to the Sioux"). The desk's panels do not offer such a match on the default
    install (issue 31); ranked lists keep it."""
    return bool(f.get("place_other") or f.get("place_only"))


def reasons(query: str, claim: str, title: str, f: dict[str, float],
            speaker: str = "") -> tuple[str, ...]:
    """Why a fact-check matched, in words an editor reads. Words of the name of the one who
    said the claim (`speaker`, read before the claim) are told apart: "names Corey Feldman,
    who said it" is not the claim's own words being repeated."""
    out = []
    speaker_tokens = set(tokenize(speaker))
    q_tokens = set(tokenize(query)) - speaker_tokens
    shared, seen, named = [], set(), False
    for word in WORD.findall(f"{claim} {title}"):
        stems = tokenize(word)
        if stems and stems[0] in speaker_tokens:
            named = True
        if stems and stems[0] in q_tokens and stems[0] not in seen and not word.isdigit():
            seen.add(stems[0])
            shared.append(word.lower())
    if named:
        out.append(names_the_speaker(speaker))
    if shared:
        words = ", ".join(f'"{w}"' for w in shared[:5])
        out.append(f"shares the word{'s' if len(shared) > 1 else ''} {words}")
    same = sorted(figures(query) & figures(f"{claim} {title}"))
    if same:
        out.append(f"same figure{'s' if len(same) > 1 else ''}: {', '.join(same[:3])}")
    elif f.get("figures", 0) < 0:
        out.append("gives different figures")
    if f.get("cos_claim", 0.0) >= CLOSE_IN_MEANING:
        out.append("close in meaning")
    return tuple(out)


def score_candidates(index: LexicalIndex, queries: list[str],
                     candidates: list[list[Candidate]], *, embeddings: bool,
                     spoken: list[str] | None = None,
                     speakers: list[str] | None = None) -> list[list[Scored]]:
    """Each query's candidates scored by the re-ranker (and the cross-encoder when built),
    with their reasons; `spoken`: the queries as the models read them (all_features);
    `speakers`: who said each ("" when unknown), for the reasons."""
    rows, texts = all_features(index, queries, candidates, embeddings=embeddings,
                               spoken=spoken)
    model = reranker()[model_name(embeddings)]
    out = []
    for query, cands, feats, speaker in zip(queries, candidates, rows,
                                            speakers or [""] * len(queries), strict=True):
        scored = []
        for c, f in zip(cands, feats, strict=True):
            claim, title = texts[c.factcheck_id]
            scored.append(Scored(c.factcheck_id, apply_model(model, f),
                                 reasons(query, claim, title, f, speaker),
                                 other_subject=not embeddings and other_subject(f)))
        out.append(scored)
    if embeddings:
        stage = crossencoder.get_stage()
        if stage.model is not None:
            crossencoder.rescore(stage.model, spoken if spoken is not None else queries, out,
                                 texts)
    for rows, speaker in zip(out, speakers or [""] * len(out), strict=True):
        if speaker:
            alone = (names_the_speaker(speaker),)
            for row in rows:
                # Nothing of the claim itself: no word, figure or meaning in common, and the
                # cross-encoder (when built) did not read them as the same claim.
                row.name_only = row.reasons == alone
    return out
