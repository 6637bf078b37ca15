"""Rebuild claim matching's re-ranker (claims/factchecks/reranker.json) and, with the
[embeddings] extra, its fine-tuned sentence encoder from the CLEF-2020 CheckThat! Task 2
TRAINING split only (../shared/data/claim-retrieval/train): `make train-matching`. The
development split is never read here; `make eval` measures on it.

The encoder: all-MiniLM-L6-v2 fine-tuned on the training pairs (tweet -> the claim it
repeats, benchmarks/matching_encoder.py), saved to FACTCHECK_ENCODER_PATH (var/, about
90 MB, not committed; --keep-encoder reuses one already built). Its re-ranker
("semantic_tuned") must not learn from cosines of tweets the encoder was trained on (they
are nearer their claims than a new tweet's would be): it is fitted on cross-fitted features,
each training tweet scored by an encoder fine-tuned on the other ENCODER_FOLDS - 1 folds
(folds by verified claim, so the held tweets' claims were never seen either, as most of
the development split's are not). Those folds also report the encoder's own cross-validated
MAP@5 against the stock one's. About 25 minutes on one CPU thread.

For every training tweet, the candidates matching would re-rank (the lexical top
CANDIDATES, and the nearest in meaning when embeddings are on) are described by the
features of claims/factchecks/features.py and labelled 1 for the verified claim the tweet
repeats, 0 otherwise. Each tweet is seen twice: once with its verified claim in the pool,
and once with it taken out, every candidate a 0. On a desk most claims have no fact-check
yet; trained only on tweets that always have one, the re-ranker learned that the best
candidate is probably right, whatever it shares with the claim, and scored unrelated
fact-checks 0.9 for an article nobody had checked. Logistic regressions are fitted
(scikit-learn, liblinear, fixed C, deterministic): "lexical" on the lexical features (what
the default install uses), "semantic" with the cosine features of the stock encoder,
"semantic_tuned" with the fine-tuned encoder's (both need the [embeddings] extra, else the
shipped ones are kept). Five-fold cross-validation over the training tweets reports MAP@5,
MRR, P@1 and the false alarms of the desk's panels.

    python -m benchmarks.matching_train [--data DIR] [--out PATH] [--keep-encoder]

The same data gives the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.blas import pin_kernel
from benchmarks.eval import claim_retrieval as cr

C = 1.0
FOLDS = 5
SEED = 20200
ENCODER_FOLDS = 3


def collect(tweets, qrels, ids, *, embeddings: bool):
    """(per-query feature rows, per-query labels): the tweets with their verified claim in
    the pool, then the same tweets without it (all labels 0)."""
    rows, labels, _, _ = collect_candidates(tweets, qrels, ids, embeddings=embeddings)
    return rows, labels


def collect_candidates(tweets, qrels, ids, *, embeddings: bool):
    """collect(), with the queries as the sentence models read them and the candidates each
    row describes (both in collect's order: every tweet with its verified claim, then every
    tweet without). The queries are made as match_texts makes them (query_forms)."""
    from claims.factchecks import features as feat
    from claims.factchecks.lexindex import get_index
    from claims.factchecks.matching import candidates_for, query_forms

    index = get_index()
    index.refresh(force=True)
    if embeddings:
        # The nearest in meaning are candidates too, as when matching (match_texts).
        from claims.factchecks.dense import get_dense_index

        get_dense_index().refresh(force=True)
    queries, spoken = query_forms(index, [text for _, text in tweets])
    candidates = candidates_for(index, queries, top=5, embeddings=embeddings, spoken=spoken)
    absent = [[c for c in cands if ids[c.factcheck_id] != qrels[tid]]
              for (tid, _), cands in zip(tweets, candidates, strict=True)]
    rows, _ = feat.all_features(index, queries + queries, candidates + absent,
                                embeddings=embeddings, spoken=spoken + spoken)
    labels = [[int(ids[c.factcheck_id] == qrels[tid]) for c in cands]
              for (tid, _), cands in zip(tweets, candidates, strict=True)]
    return (rows, labels + [[0] * len(cands) for cands in absent], spoken + spoken,
            candidates + absent)


# --- The encoder ---------------------------------------------------------------------------


def encoder_examples(tweets, qrels, ids, claims):
    """(normalised tweet, its claim, the claim's id, hard negative, its id): the hard
    negative is the best other claim by BM25 (a random one when the tweet has no words)."""
    from claims.factchecks.lexindex import get_index
    from claims.factchecks.matching import query_text

    index = get_index()
    index.refresh(force=True)
    text_of = {vid: vclaim for vid, vclaim, _ in claims}
    pool = sorted(text_of, key=int)
    rng = random.Random(SEED)
    out = []
    for tid, text in tweets:
        query, gold = query_text(text), qrels[tid]
        negative = next((ids[c.factcheck_id] for c in index.search(query, limit=10)
                         if ids[c.factcheck_id] != gold), None)
        while negative is None or negative == gold:
            negative = rng.choice(pool)
        out.append((query, text_of[gold], gold, text_of[negative], negative))
    return out


def fine_tune_into(out: Path, tweets, qrels, ids, claims) -> dict:
    """Fine-tune on these training tweets and save to `out` (written beside it first, so a
    half-written encoder is never picked up)."""
    from benchmarks import matching_encoder

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    about = matching_encoder.fine_tune(encoder_examples(tweets, qrels, ids, claims), partial)
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    return about


def build_encoder(data: Path, out: Path) -> dict:
    """Fine-tune the encoder on every training pair into `out` (Django set up, the verified
    claims imported: the hard negatives come from the lexical index)."""
    claims = cr.load_claims(data)
    from claims.models import FactCheck

    if not FactCheck.objects.exists():
        ids, _ = cr.import_claims(claims, Path(tempfile.mkdtemp(prefix="matching-encoder-")))
    else:
        by_url = {cr.claim_url(vid): vid for vid, _, _ in claims}
        ids = {fid: by_url[url] for fid, url in FactCheck.objects.values_list("id", "url")}
    tweets, qrels = cr.load_split(data, "train")
    tweets = [(tid, text) for tid, text in tweets if tid in qrels]
    started = time.monotonic()
    about = fine_tune_into(out, tweets, qrels, ids, claims)
    print(f"Fine-tuned the encoder on {len(tweets)} training pairs in "
          f"{time.monotonic() - started:.0f} s: {out}")
    return about


def encoder_folds(tweets, qrels) -> list[list[int]]:
    """ENCODER_FOLDS folds of the training tweets (their positions), by verified claim."""
    claims = sorted({qrels[tid] for tid, _ in tweets}, key=int)
    order = np.random.default_rng(SEED).permutation(len(claims))
    fold_of = {claims[i]: k % ENCODER_FOLDS for k, i in enumerate(order)}
    return [[i for i, (tid, _) in enumerate(tweets) if fold_of[qrels[tid]] == k]
            for k in range(ENCODER_FOLDS)]


def cross_fitted(tweets, qrels, ids, claims, workdir: Path):
    """The semantic features of every training tweet with an encoder that never saw it
    (nor its claim), and each fold's MAP@5 of the vectors alone, stock against tuned."""
    from claims.factchecks.embedding import STOCK, Encoder, choose_encoder

    # Every tweet with its claim in the pool, then every tweet without it (as collect()).
    rows: list = [None] * (2 * len(tweets))
    labels: list = [None] * (2 * len(tweets))
    alone = {"stock": {"map5": 0.0, "mrr": 0.0, "p1": 0.0},
             "tuned": {"map5": 0.0, "mrr": 0.0, "p1": 0.0}}
    for k, held in enumerate(encoder_folds(tweets, qrels)):
        held_set = set(held)
        rest = [t for i, t in enumerate(tweets) if i not in held_set]
        held_tweets = [tweets[i] for i in held]
        path = workdir / f"encoder-fold-{k}"
        print(f"  encoder fold {k + 1}/{ENCODER_FOLDS}: fine-tuning on {len(rest)} tweets, "
              f"{len(held)} held", flush=True)
        fine_tune_into(path, rest, qrels, ids, claims)
        for label, encoder in (("tuned", choose_encoder(path)), ("stock", Encoder(None, STOCK))):
            cr.use_encoder(encoder, workdir if encoder.tuned else None)
            m = cr.evaluate_dense(held_tweets, qrels, ids)
            for key in alone[label]:
                alone[label][key] += m[key] * len(held) / len(tweets)
            if encoder.tuned:
                fold_rows, fold_labels = collect(held_tweets, qrels, ids, embeddings=True)
                for i, r, lab in zip(held + [i + len(tweets) for i in held], fold_rows,
                                     fold_labels, strict=True):
                    rows[i], labels[i] = r, lab
        shutil.rmtree(path, ignore_errors=True)
    return rows, labels, alone


def fit(rows, labels, names):
    from sklearn.linear_model import LogisticRegression

    X = np.asarray([[f[n] for n in names] for q in rows for f in q], dtype=np.float64)
    y = np.asarray([v for q in labels for v in q])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=1000)
    model.fit((X - mean) / scale, y)
    return {"features": list(names), "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6)}


def rerank_metrics(model, rows, labels) -> dict[str, float]:
    """MAP@5, MRR, P@1 over the tweets with their verified claim in the pool, and the share
    of those without it for which a panel would still show a match (`false_alarms`)."""
    from claims.factchecks.features import apply_model
    from claims.selectors.factchecks import PANEL_MIN_SCORE

    half = len(rows) // 2
    rankings, gold, alarms = [], [], 0
    for q, (feats, labs) in enumerate(zip(rows, labels, strict=True)):
        scores = [apply_model(model, f) for f in feats]
        if q >= half:
            alarms += any(score >= PANEL_MIN_SCORE for score in scores)
            continue
        order = sorted(range(len(feats)), key=lambda i: -scores[i])
        rankings.append([f"{q}:{i}" for i in order])
        hit = [i for i, v in enumerate(labs) if v]
        gold.append(f"{q}:{hit[0]}" if hit else "none")
    return {**cr.metrics(rankings, gold), "false_alarms": alarms / max(len(rows) - half, 1)}


def tweet_folds(half: int) -> list[list[int]]:
    """FOLDS folds of the tweets' positions (cross_validate's)."""
    order = np.random.default_rng(SEED).permutation(half)
    return [sorted(fold.tolist()) for fold in np.array_split(order, FOLDS)]


def out_of_fold_scores(rows, labels, names) -> list[list[float]]:
    """Every row's re-ranker score from a model fitted on the other folds' tweets (a tweet's
    two versions always on the same side), as a new tweet would be scored."""
    from claims.factchecks.features import apply_model

    half = len(rows) // 2
    scores: list = [None] * len(rows)
    for held in tweet_folds(half):
        held_set = set(held)
        train = [i for i in range(half) if i not in held_set]
        train += [i + half for i in train]
        model = fit([rows[i] for i in train], [labels[i] for i in train], names)
        for i in held + [i + half for i in held]:
            scores[i] = [apply_model(model, f) for f in rows[i]]
    return scores


def cross_validate(rows, labels, names) -> dict[str, float]:
    """Five folds over the tweets: a tweet's two versions (with and without its verified
    claim) are always on the same side."""
    half = len(rows) // 2
    order = np.random.default_rng(SEED).permutation(half)
    folds = np.array_split(order, FOLDS)
    totals = {"map5": 0.0, "mrr": 0.0, "p1": 0.0, "false_alarms": 0.0}
    for k in range(FOLDS):
        held = sorted(folds[k].tolist())
        held_set = set(held)
        train = [i for i in range(half) if i not in held_set]
        train += [i + half for i in train]
        held += [i + half for i in held]
        model = fit([rows[i] for i in train], [labels[i] for i in train], names)
        m = rerank_metrics(model, [rows[i] for i in held], [labels[i] for i in held])
        for key in totals:
            totals[key] += m[key] * len(folds[k]) / half
    return totals


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.matching_train")
    p.add_argument("--data", type=Path, default=cr.DATA)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--keep-encoder", action="store_true",
                   help="reuse the fine-tuned encoder at FACTCHECK_ENCODER_PATH if built")
    args = p.parse_args(argv)
    if not (args.data / "train").exists():
        print(f"No training data in {args.data}.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="matching-train-") as tmp:
        cr.setup_django(Path(tmp) / "train.sqlite3")
        from claims.factchecks import features as feat
        from claims.factchecks.embedding import (
            STOCK,
            Encoder,
            choose_encoder,
            encoder_path,
            tuned_encoder_at,
        )

        out = args.out or feat.ARTEFACT
        claims = cr.load_claims(args.data)
        ids, _ = cr.import_claims(claims, Path(tmp))
        tweets, qrels = cr.load_split(args.data, "train")
        tweets = [(tid, text) for tid, text in tweets if tid in qrels]
        artefact = {
            "about": "Claim matching's re-ranker: logistic regressions over the features of "
                     "claims/factchecks/features.py, trained on the CLEF-2020 CheckThat! Task 2 "
                     "training split only. Rebuild: make train-matching.",
            "trained_on": f"{len(tweets)} training tweets, {len(claims)} verified claims",
            "C": C,
            "cv": {},
        }
        previous = json.loads(out.read_text()) if out.exists() else {}
        available = feat.embeddings_available()
        if available:
            target = encoder_path()
            if args.keep_encoder and tuned_encoder_at(target):
                print(f"Reusing the fine-tuned encoder at {target}")
                about = json.loads((target / "factcheck-encoder.json").read_text())
            else:
                started = time.monotonic()
                about = fine_tune_into(target, tweets, qrels, ids, claims)
                print(f"Fine-tuned the encoder on {len(tweets)} training pairs in "
                      f"{time.monotonic() - started:.0f} s: {target}", flush=True)
            cr.use_encoder(Encoder(None, STOCK))
        for name, names, embeddings in (("lexical", feat.LEXICAL, False),
                                        ("semantic", feat.SEMANTIC, True)):
            if embeddings and not available:
                print("The [embeddings] extra is not installed: the semantic models are kept.")
                artefact[name] = previous.get(name)
                artefact["cv"][name] = previous.get("cv", {}).get(name)
                continue
            rows, labels = collect(tweets, qrels, ids, embeddings=embeddings)
            cv = cross_validate(rows, labels, names)
            artefact["cv"][name] = {k: round(v, 4) for k, v in cv.items()}
            artefact[name] = fit(rows, labels, names)
            print(f"{name:<9} train {FOLDS}-fold CV: MAP@5 {cv['map5']:.3f}  MRR "
                  f"{cv['mrr']:.3f}  P@1 {cv['p1']:.3f}  false alarms "
                  f"{cv['false_alarms']:.3f}", flush=True)
        if available:
            print(f"semantic_tuned: cross-fitting {ENCODER_FOLDS} encoders (folds by claim)",
                  flush=True)
            rows, labels, alone = cross_fitted(tweets, qrels, ids, claims, Path(tmp))
            cv = cross_validate(rows, labels, feat.SEMANTIC)
            artefact["cv"]["semantic_tuned"] = {k: round(v, 4) for k, v in cv.items()}
            artefact["semantic_tuned"] = fit(rows, labels, feat.SEMANTIC)
            artefact["cv"]["vectors_alone"] = {
                label: {k: round(v, 4) for k, v in m.items()} for label, m in alone.items()}
            artefact["encoder"] = {**about, "identity": choose_encoder(target).identity}
            for label, m in alone.items():
                print(f"vectors alone ({label}), {ENCODER_FOLDS}-fold CV by claim: MAP@5 "
                      f"{m['map5']:.3f}  MRR {m['mrr']:.3f}  P@1 {m['p1']:.3f}")
            print(f"semantic_tuned train {FOLDS}-fold CV (cross-fitted features): MAP@5 "
                  f"{cv['map5']:.3f}  MRR {cv['mrr']:.3f}  P@1 {cv['p1']:.3f}  false alarms "
                  f"{cv['false_alarms']:.3f}")
        else:
            for name in ("semantic_tuned", "encoder"):
                if name in previous:
                    artefact[name] = previous[name]
            for name in ("semantic_tuned", "vectors_alone"):
                if name in previous.get("cv", {}):
                    artefact["cv"][name] = previous["cv"][name]
        out.write_text(json.dumps(artefact, indent=1) + "\n", encoding="utf-8")
        print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.matching_train", sys.argv[1:])  # one BLAS kernel (blas.py)
    sys.exit(main())
