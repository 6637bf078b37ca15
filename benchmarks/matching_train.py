"""Rebuild claim matching's re-ranker (claims/factchecks/reranker.json) from the CLEF-2020
CheckThat! Task 2 TRAINING split only (../shared/data/claim-retrieval/train): `make
train-matching`. The development split is never read here; `make eval` measures on it.

For every training tweet, the candidates matching would re-rank (the lexical top
CANDIDATES, and the nearest in meaning when embeddings are on) are described by the
features of claims/factchecks/features.py and labelled 1 for the verified claim the tweet
repeats, 0 otherwise. Each tweet is seen twice: once with its verified claim in the pool,
and once with it taken out, every candidate a 0. On a desk most claims have no fact-check
yet; trained only on tweets that always have one, the re-ranker learned that the best
candidate is probably right, whatever it shares with the claim, and scored unrelated
fact-checks 0.9 for an article nobody had checked. Two logistic regressions are fitted
(scikit-learn, liblinear, fixed C, deterministic): "lexical" on the lexical features (what
the default install uses) and "semantic" with the cosine features too (needs the
[embeddings] extra, else the shipped one is kept). Five-fold cross-validation over the
training tweets reports MAP@5, MRR, P@1 and the false alarms of the desk's panels.

    python -m benchmarks.matching_train [--data DIR] [--out PATH] [--check]

The same data gives the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.eval import claim_retrieval as cr

C = 1.0
FOLDS = 5
SEED = 20200


def collect(tweets, qrels, ids, *, embeddings: bool):
    """(per-query feature rows, per-query labels): the tweets with their verified claim in
    the pool, then the same tweets without it (all labels 0)."""
    from claims.factchecks import features as feat
    from claims.factchecks.lexindex import get_index
    from claims.factchecks.matching import candidates_for, normalise_query

    index = get_index()
    index.refresh(force=True)
    queries = [normalise_query(text) for _, text in tweets]
    candidates = candidates_for(index, queries, top=5, embeddings=embeddings)
    absent = [[c for c in cands if ids[c.factcheck_id] != qrels[tid]]
              for (tid, _), cands in zip(tweets, candidates, strict=True)]
    rows, _ = feat.all_features(index, queries + queries, candidates + absent,
                                embeddings=embeddings)
    labels = [[int(ids[c.factcheck_id] == qrels[tid]) for c in cands]
              for (tid, _), cands in zip(tweets, candidates, strict=True)]
    return rows, labels + [[0] * len(cands) for cands in absent]


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
    args = p.parse_args(argv)
    if not (args.data / "train").exists():
        print(f"No training data in {args.data}.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="matching-train-") as tmp:
        cr.setup_django(Path(tmp) / "train.sqlite3")
        from claims.factchecks import features as feat

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
        for name, names, embeddings in (("lexical", feat.LEXICAL, False),
                                        ("semantic", feat.SEMANTIC, True)):
            if embeddings and not feat.embeddings_available():
                print("The [embeddings] extra is not installed: the semantic model is kept.")
                artefact[name] = previous.get(name)
                artefact["cv"][name] = previous.get("cv", {}).get(name)
                continue
            rows, labels = collect(tweets, qrels, ids, embeddings=embeddings)
            cv = cross_validate(rows, labels, names)
            artefact["cv"][name] = {k: round(v, 4) for k, v in cv.items()}
            artefact[name] = fit(rows, labels, names)
            print(f"{name:<9} train {FOLDS}-fold CV: MAP@5 {cv['map5']:.3f}  MRR "
                  f"{cv['mrr']:.3f}  P@1 {cv['p1']:.3f}  false alarms "
                  f"{cv['false_alarms']:.3f}")
        out.write_text(json.dumps(artefact, indent=1) + "\n", encoding="utf-8")
        print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
