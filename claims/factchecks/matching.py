"""Matching a new claim against fact-checks already published: "Already fact-checked?".

- `normalise_query` strips what a tweet, a headline or a transcript adds around a claim
  (handles, links, pic.twitter.com, the trailing "— Name (@handle) date" line, '#').
- `query_text` puts who said the claim before it ("Corey Feldman: I WAS ATTACKED ..."):
  the claim's claimant on the desk, else an embedded tweet's signature. The one who says a
  claim is often its fact-check's subject ("Corey Feldman was stabbed ..."), and a claim's
  own words seldom name its speaker.
- Lexical ranking (always there, no model, SQLite or PostgreSQL): Okapi BM25 over the
  fact-check's claim and over its title, as two fields, from an in-memory index of the
  FactCheck table (lexindex.py). The index is built on first use and kept in step cheaply:
  each search first asks the database for the newest `updated_at` (one indexed query, at
  most once a second), and re-reads only the rows changed since.
- With the optional `[embeddings]` extra, the lexical candidates are also compared in
  meaning (all-MiniLM-L6-v2, the model claims/assist/similarity.py loads).
- Either way a small logistic re-ranker (reranker.json, trained on the CLEF-2020 training
  split only: `make train-matching`) turns the candidates' features into a score in 0..1,
  so scores mean the same across queries: about the chance that the fact-check answers
  the claim.

Pure reads: nothing here writes to the database, and nothing imports the pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from claims.factchecks import features as feat
from claims.factchecks.dense import NotEncoded, get_dense_index
from claims.factchecks.embedding import get_embedder
from claims.factchecks.lexindex import get_index

WORDLIKE = re.compile(r"[^\W_]")
# How many lexical candidates are compared further (meaning, re-ranker).
CANDIDATES = 50


@dataclass(frozen=True)
class Match:
    factcheck_id: int
    score: float  # 0..1, higher is better
    reasons: tuple[str, ...]  # in words, for editors
    # Only the name of the one who said the claim links them ("names Corey Feldman, who said
    # it"): the desk's panels do not offer such a match (claims/selectors/factchecks.py).
    name_only: bool = False
    # About another place than the claim, or linked by a place's name alone, read by words
    # alone (features.other_subject): the panels do not offer it either.
    other_subject: bool = False


# --- Normalising a query -----------------------------------------------------------------

# "— Name (@handle) January 14, 2020": the signature of an embedded tweet (em/en dash or
# "-"), at the end, or in the middle when a tweet quotes another.
_DATE = r"(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+\.? \d{4}|\d{4}-\d{2}-\d{2})"
_SIGNATURE = r"\s*[\u2014\u2013-]{1,2}\s*[^\n\u2014\u2013]{0,120}?\(@\w{1,30}\)\s*"
_END = r"[\s\"'\u201d]*$"
_TRAILER = re.compile(f"{_SIGNATURE}(?:{_DATE}{_END}|{_DATE}|{_END})")
_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b(?:t\.co|bit\.ly)/\S+",
                  re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_RT = re.compile(r"^\s*RT\b\s*(?:@\w{1,30})?\s*:?\s*")
_HASH = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2060\ufeff]")


def _words(match: re.Match) -> str:
    """#DefundTheCBC -> "Defund The CBC", @BarackObama -> "Barack Obama"."""
    return " " + _CAMEL.sub(" ", match.group(1).replace("_", " ")) + " "


def normalise_query(text: str) -> str:
    """The claim in a tweet, headline or transcript line, without what surrounds it: links,
    pic.twitter.com, the "— Name (@handle) date" signature of an embedded tweet, "RT @x:";
    hashtags and the other @handles become their words ("#DefundTheCBC" -> "Defund The
    CBC", "by @facebook" -> "by facebook"): they are often the subject of the claim."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub("", text)
    # Links first: a link glued to the next word ("#Defund...https://t.co/x") goes too.
    text = _URL.sub(" ", text)
    text = _TRAILER.sub(" ", text)
    text = _RT.sub("", text)
    text = _HANDLE.sub(_words, text)
    text = _HASH.sub(_words, text)
    text = text.replace('""', '"')
    return _SPACES.sub(" ", text).strip(" \"'\u201c\u201d")


# The name in an embedded tweet's signature: "— Corey Feldman (@Corey_Feldman) May 1, 2019".
_SIGNED = re.compile(r"[\u2014\u2013-]{1,2}\s*([^\n\u2014\u2013]{0,120}?)\s*\(@(\w{1,30})\)")
_NOT_NAME = re.compile(r"[^\w .'\u2019-]+")
SPEAKER_MAX = 120


def speaker_name(name: str) -> str:
    """A speaker's name as matching reads it: one line, no emoji or symbols ("Brad Trost 🇨🇦"
    -> "Brad Trost", "Olaudah Equiano®" -> "Olaudah Equiano"), at most SPEAKER_MAX
    characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = _SPACES.sub(" ", _NOT_NAME.sub(" ", _CONTROL.sub("", name)))
    return name.strip(" .-'\u2019")[:SPEAKER_MAX].strip()


def speaker_of(text: str) -> str:
    """Who wrote an embedded tweet, from its last signature ("— Corey Feldman
    (@Corey_Feldman) May 1, 2019" -> "Corey Feldman"; the handle's words when the name is
    empty), or ""."""
    signed = list(_SIGNED.finditer(unicodedata.normalize("NFKC", text or "")))
    if not signed:
        return ""
    name = speaker_name(signed[-1].group(1))
    if WORDLIKE.search(name):
        return name
    return speaker_name(_CAMEL.sub(" ", signed[-1].group(2).replace("_", " ")))


def query_text(text: str, speaker: str = "") -> str:
    """What matching reads of a claim: its words without what surrounds them
    (normalise_query), after who said them: "Corey Feldman: IM IN THE HOSPITAL! I WAS
    ATTACKED ...". The one who says a claim is often its subject ("Corey Feldman was stabbed
    ..."), and a tweet's own words seldom name its author. `speaker` is the claim's claimant;
    without one, an embedded tweet's signature names it."""
    claim = normalise_query(text)
    if not WORDLIKE.search(claim):
        return claim  # no words of its own (a bare link, emoji): its speaker alone is no claim
    who = speaker_for(text, speaker)
    return f"{who}: {claim}" if who else claim


def speaker_for(text: str, speaker: str = "") -> str:
    """Who said `text`, as query_text reads them: `speaker` tidied, else an embedded tweet's
    signature; "" when neither names anyone."""
    who = speaker_name(speaker) or speaker_of(text)
    return who if WORDLIKE.search(who) else ""


# --- Matching ----------------------------------------------------------------------------


def match_text(text: str, *, top: int = 5, encode_limit: int | None = None,
               speaker: str = "") -> list[Match]:
    """The fact-checks that best answer `text` (said by `speaker`, when known), best first
    (at most `top`)."""
    return match_texts([text], top=top, encode_limit=encode_limit, speakers=[speaker])[0]


def warm() -> None:
    """Build the indexes now and, with the embeddings extra, encode every fact-check that has
    no vector yet and save the vectors, so the desk's pages (which encode at most
    FACTCHECK_ENCODE_LIMIT texts a request) match by meaning too. Run after an import."""
    get_index().refresh()
    if feat.use_embeddings():
        get_dense_index().refresh(force=True)


def query_forms(index, texts: Sequence[str], speakers: Sequence[str] | None = None,
                ) -> tuple[list[str], list[str]]:
    """(for the word index, for the sentence models) of each text: query_text, with its
    speaker when `speakers` gives one. Names spelt another way than in the fact-checks
    ("Gaddafi", "Gadhafi") read as theirs by the word index only: a respelled word is the
    index's stem ("gadhafi"), which the sentence models never read; they get the words as
    typed."""
    speakers = speakers or [""] * len(texts)
    spoken = [query_text(t, who) for t, who in zip(texts, speakers, strict=True)]
    return [index.respell(q) for q in spoken], spoken


def candidates_for(index, queries: list[str], *, top: int, embeddings: bool,
                   spoken: list[str] | None = None) -> list[list]:
    """The candidates the re-ranker looks at for each (normalised) query: the lexical top
    CANDIDATES and, with embeddings, the CANDIDATES nearest in meaning of `spoken` (the
    queries as typed, when `queries` are respelled for the word index: see match_texts)."""
    limit = max(CANDIDATES, top)
    if not embeddings:
        return [index.search(q, limit=limit) for q in queries]
    dense = get_dense_index()
    vectors = get_embedder().encode(spoken if spoken is not None else queries)
    # A query with no words (a bare link, an emoji) is near nothing in meaning either.
    return [index.search(q, limit=limit, also=[fid for fid, _ in dense.search(v, limit=limit)])
            if WORDLIKE.search(q) else [] for q, v in zip(queries, vectors, strict=True)]


def match_texts(texts: Sequence[str], *, top: int = 5, encode_limit: int | None = None,
                speakers: Sequence[str] | None = None) -> list[list[Match]]:
    """match_text for many queries (`speakers`: who said each, "" when unknown): the index
    and any model are loaded once. With the embeddings extra, fact-checks without a vector
    are encoded first, unless there are more than `encode_limit` (a page's request): then
    these queries are matched by words alone until a command or a worker has encoded them
    (warm)."""
    index = get_index()
    index.refresh()
    embeddings = feat.use_embeddings()
    if embeddings:
        try:
            get_dense_index().refresh(limit=encode_limit)
        except NotEncoded:
            embeddings = False
    queries, spoken = query_forms(index, texts, speakers)
    candidates = candidates_for(index, queries, top=top, embeddings=embeddings, spoken=spoken)
    speakers = speakers or [""] * len(texts)
    scored = feat.score_candidates(
        index, queries, candidates, embeddings=embeddings, spoken=spoken,
        speakers=[speaker_for(t, who) for t, who in zip(texts, speakers, strict=True)])
    out = []
    for rows in scored:
        rows.sort(key=lambda r: (-r.score, r.factcheck_id))
        out.append([Match(r.factcheck_id, round(r.score, 4), r.reasons, r.name_only,
                          r.other_subject)
                    for r in rows[:top]])
    return out
