"""The fourth round's variants of the check-worthiness recipe, on the folds of `make eval`.

    python -m benchmarks.eval.checkworthy_variants [--jobs 2] [--folds 0,4] VARIANT ...

Variants: shipped, no-overlap, fixed-effects-1, fixed-effects-5, speaker-prior,
claimbuster-2, listwise, listwise+pointwise, stacked (the stacked LR and boosted-tree rows).
See benchmarks/eval/README.md ("Fourth round") for what each is and what it gave.

Not part of `make eval`: an experiment, kept so the figures can be reproduced. It builds the
matrices of `checkworthy_train.fit` with scikit-learn from the same `document_features`
rows (vocabulary, IDF and weights from the training side of each fold only), which is much
faster than the pure-Python path and gives the same figure for the shipped recipe. The
stacked variants score the training documents out of fold with inner folds (the 18
training documents in INNER_GROUPS groups), so the second stage never learns from scores
of sentences the first stage was trained on. Slow: about an hour of CPU for everything.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import sys
import time
from collections import Counter

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from benchmarks import checkworthy_train as recipe
from benchmarks.eval.checkworthy_cv import ranking_metrics, same_words, without_held_out

INNER_GROUPS = 6
SPEAKER_PRIOR_SENTENCES = 20.0


class Data:
    """Every example (ClaimBuster first, then the CLEF documents in order) as matrices."""

    def __init__(self, data_dir):
        self.docs = recipe.load_clef(data_dir)
        recipe.featurise_clef(self.docs)
        cb_rows = recipe.load_claimbuster(data_dir)
        self.cb = recipe.featurise_claimbuster(cb_rows)
        self.cb_words = [same_words(text) for text, _ in cb_rows]
        self.examples = list(self.cb) + [e for d in self.docs for e in d.examples]
        self.ncb = len(self.cb)
        self.n = len(self.examples)
        self.doc_of = np.array([-1] * self.ncb
                               + [k for k, d in enumerate(self.docs) for _ in d.examples])
        self.starts, start = [], self.ncb
        for d in self.docs:
            self.starts.append(start)
            start += len(d.examples)
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, e in enumerate(self.examples):
            for t in sorted(e.terms):
                rows.append(i)
                cols.append(vocab.setdefault(t, len(vocab)))
        self.terms = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n, len(vocab)))
        self.prev_idx = np.full(self.n, -1)
        self.next_idx = np.full(self.n, -1)
        for k, d in enumerate(self.docs):
            size, st = len(d.examples), self.starts[k]
            self.prev_idx[st + 1:st + size] = np.arange(st, st + size - 1)
            self.next_idx[st:st + size - 1] = np.arange(st + 1, st + size)
        self.labels = np.array([e.label for e in self.examples])
        self.dense_names = sorted({k for e in self.examples for k in e.dense})
        index = {k: i for i, k in enumerate(self.dense_names)}
        rows, cols, vals = [], [], []
        for i, e in enumerate(self.examples):
            for k, v in e.dense.items():
                rows.append(i)
                cols.append(index[k])
                vals.append(v)
        self.dense = sp.csr_matrix((vals, (rows, cols)), shape=(self.n, len(self.dense_names)))
        self.speakers = [""] * self.ncb + [s.speaker or "" for d in self.docs for s in d.sentences]

    def shift(self, matrix, idx):
        ok = idx >= 0
        move = sp.csr_matrix((np.ones(ok.sum()), (np.nonzero(ok)[0], idx[ok])),
                             shape=(self.n, self.n))
        return move @ matrix

    def words(self, train):
        df = np.asarray(self.terms[train].sum(0)).ravel()
        keep = np.nonzero(df >= recipe.MIN_DF)[0]
        idf = np.log((1 + train.sum()) / (1 + df[keep])) + 1
        matrix = self.terms[:, keep] @ sp.diags(idf)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())
        norms[norms == 0] = 1
        return sp.csr_matrix(sp.diags(1 / norms) @ matrix)

    def matrix(self, train):
        """The shipped recipe's columns: words, neighbours' words, dense features."""
        words = self.words(train)
        names = sorted({k for i in np.nonzero(train)[0] for k in self.examples[i].dense})
        dense = self.dense[:, [self.dense_names.index(k) for k in names]]
        return sp.csr_matrix(sp.hstack([
            words, recipe.CONTEXT_SCALE * self.shift(words, self.prev_idx),
            recipe.CONTEXT_SCALE * self.shift(words, self.next_idx), dense]))

    def weights(self, train_docs, claimbuster=1.0):
        w = np.zeros(self.n)
        w[:self.ncb] = claimbuster
        mean = statistics.mean(len(self.docs[k].examples) for k in train_docs)
        for k in train_docs:
            size = len(self.docs[k].examples)
            w[self.starts[k]:self.starts[k] + size] = recipe.CLEF_WEIGHT * mean / size
        return w

    def speaker_prior(self, train_docs):
        """Each sentence's speaker's smoothed log rate of chosen sentences over the training
        rate; for a training document's rows, from the other training documents only."""
        pos = [Counter() for _ in self.docs]
        said = [Counter() for _ in self.docs]
        for k, d in enumerate(self.docs):
            for s, label in zip(d.sentences, d.labels, strict=True):
                pos[k][s.speaker or ""] += label
                said[k][s.speaker or ""] += 1
        total_pos, total_said = Counter(), Counter()
        for k in train_docs:
            total_pos.update(pos[k])
            total_said.update(said[k])
        base = sum(total_pos.values()) / sum(total_said.values())
        a = SPEAKER_PRIOR_SENTENCES
        out = np.zeros(self.n)
        for k, d in enumerate(self.docs):
            p, c = Counter(total_pos), Counter(total_said)
            if k in train_docs:
                p.subtract(pos[k])
                c.subtract(said[k])
            for i, s in enumerate(d.sentences):
                name = s.speaker or ""
                out[self.starts[k] + i] = (math.log((p[name] + a * base) / (c[name] + a))
                                           - math.log(base))
        return out


def fit_lr(matrix, labels, weights, mask, c=recipe.C):
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=3000)
    with threadpool_limits(limits=1):
        model.fit(matrix[mask], labels[mask], sample_weight=weights[mask])
    return model


def fit_listwise(data, matrix, train, train_docs, mix=0.0, c=recipe.C):
    """Softmax over each CLEF document's sentences (each document weighs CLEF_WEIGHT times
    the mean number of chosen sentences), ClaimBuster pointwise; `mix` adds the shipped
    pointwise loss of the CLEF sentences at that share."""
    rows = np.nonzero(train)[0]
    x, y, doc = matrix[rows], data.labels[rows], data.doc_of[rows]
    xt = sp.csr_matrix(x.T)
    cb = doc < 0
    mean_pos = statistics.mean(sum(data.docs[k].labels) for k in train_docs)
    segments = [(idx, y[idx] == 1) for k in train_docs for idx in [np.nonzero(doc == k)[0]]]
    pointwise = data.weights(train_docs)[rows]

    def loss_and_grad(theta):
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        g = np.zeros_like(z)
        loss = -np.sum(y[cb] * log_expit(z[cb]) + (1 - y[cb]) * log_expit(-z[cb]))
        g[cb] = expit(z[cb]) - y[cb]
        if mix:
            zc, yc, wc = z[~cb], y[~cb], pointwise[~cb] * mix
            loss -= np.sum(wc * (yc * log_expit(zc) + (1 - yc) * log_expit(-zc)))
            g[~cb] += wc * (expit(zc) - yc)
        for idx, pos in segments:
            zz = z[idx]
            top = zz.max()
            e = np.exp(zz - top)
            total = e.sum()
            npos = pos.sum()
            a = recipe.CLEF_WEIGHT * mean_pos / npos
            loss += a * (npos * (top + np.log(total)) - zz[pos].sum())
            gg = a * npos * e / total
            gg[pos] -= a
            g[idx] += gg
        grad = np.empty_like(theta)
        grad[:-1] = c * (xt @ g) + w
        grad[-1] = c * g.sum()
        return c * loss + 0.5 * w @ w, grad

    found = minimize(loss_and_grad, np.zeros(matrix.shape[1] + 1), jac=True, method="L-BFGS-B",
                     options={"maxiter": 3000, "gtol": 1e-5})
    return found.x[:-1], found.x[-1]


STACKED = {
    "stacked LR: log-odds + speaker prior": ("lr", ("spk",)),
    "stacked LR: + neighbours' log-odds": ("lr", ("nb",)),
    "stacked LR: + normalised in the document": ("lr", ("nb", "norm")),
    "stacked LR: + normalised + speaker prior": ("lr", ("nb", "norm", "spk")),
    "stacked LR: + every compact feature": ("lr", ("nb", "norm", "spk", "dense")),
    "stacked trees: normalised + neighbours": ("gbt", ("nb", "norm")),
    "stacked trees: + speaker prior": ("gbt", ("nb", "norm", "spk")),
    "stacked trees: + every compact feature": ("gbt", ("nb", "norm", "spk", "dense")),
}


def stacked_columns(data, z, train_docs, which):
    cols = [z]
    if "norm" in which:
        zdoc, pct = np.zeros(data.n), np.zeros(data.n)
        for k, d in enumerate(data.docs):
            st, size = data.starts[k], len(d.examples)
            seg = z[st:st + size]
            zdoc[st:st + size] = (seg - seg.mean()) / (seg.std() + 1e-9)
            pct[st:st + size] = seg.argsort().argsort() / max(size - 1, 1)
        cols += [zdoc, pct]
        cols += [np.where(idx >= 0, zdoc[np.maximum(idx, 0)], 0.0)
                 for idx in (data.prev_idx, data.next_idx)]
    if "nb" in which:
        cols += [np.where(idx >= 0, z[np.maximum(idx, 0)], 0.0)
                 for idx in (data.prev_idx, data.next_idx)]
        cols += [(data.prev_idx >= 0).astype(float), (data.next_idx >= 0).astype(float)]
    if "spk" in which:
        cols.append(data.speaker_prior(train_docs))
    matrix = np.column_stack(cols)
    if "dense" in which:
        keep = [i for i, k in enumerate(data.dense_names) if k != "source:claimbuster"]
        matrix = np.hstack([matrix, data.dense[:, keep].toarray()])
    return matrix


DATA: Data | None = None
VARIANTS: list[str] = []


def fold(held: int) -> dict[str, np.ndarray]:
    data = DATA
    train_docs = [k for k in range(len(data.docs)) if k != held]
    train, test = data.doc_of != held, data.doc_of == held
    matrix = data.matrix(train)
    weights = data.weights(train_docs)
    labels = data.labels
    out = {}
    shipped = fit_lr(matrix, labels, weights, train).decision_function(matrix[test])
    for variant in VARIANTS:
        if variant == "shipped":
            out[variant] = shipped
        elif variant == "no-overlap":
            kept = {id(e) for e in without_held_out(data.cb, data.cb_words, data.docs[held])}
            mask = train.copy()
            mask[:data.ncb] = [id(e) in kept for e in data.cb]
            m = data.matrix(mask)
            out[variant] = fit_lr(m, labels, weights, mask).decision_function(m[test])
        elif variant.startswith("fixed-effects-"):
            value = float(variant.rsplit("-", 1)[1])
            rows = np.nonzero(np.isin(data.doc_of, train_docs))[0]
            cols = [train_docs.index(data.doc_of[i]) for i in rows]
            indicators = sp.csr_matrix((np.full(len(rows), value), (rows, cols)),
                                       shape=(data.n, len(train_docs)))
            m = sp.csr_matrix(sp.hstack([matrix, indicators]))
            out[variant] = fit_lr(m, labels, weights, train).decision_function(m[test])
        elif variant == "speaker-prior":
            prior = sp.csr_matrix(data.speaker_prior(train_docs)[:, None])
            m = sp.csr_matrix(sp.hstack([matrix, prior]))
            out[variant] = fit_lr(m, labels, weights, train).decision_function(m[test])
        elif variant == "claimbuster-2":
            out[variant] = fit_lr(matrix, labels, data.weights(train_docs, 2.0),
                                  train).decision_function(matrix[test])
        elif variant in ("listwise", "listwise+pointwise"):
            w, b = fit_listwise(data, matrix, train, train_docs,
                                mix=1.0 if variant.endswith("pointwise") else 0.0)
            out[variant] = matrix[test] @ w + b
        elif variant == "stacked":
            out.update(stacked(data, held, train_docs, train, test, shipped))
        else:
            raise SystemExit(f"unknown variant {variant}")
    return out


def stacked(data, held, train_docs, train, test, shipped):
    z = np.full(data.n, np.nan)
    z[test] = shipped
    for g in range(INNER_GROUPS):
        group = train_docs[g::INNER_GROUPS]
        inner = train & ~np.isin(data.doc_of, group)
        m = data.matrix(inner)
        model = fit_lr(m, data.labels, data.weights([k for k in train_docs if k not in group]),
                       inner)
        scored = np.isin(data.doc_of, group)
        z[scored] = model.decision_function(m[scored])
    rows = train & (data.doc_of >= 0)
    weights = data.weights(train_docs)
    out = {}
    for name, (kind, which) in STACKED.items():
        x = stacked_columns(data, np.nan_to_num(z), train_docs, which)
        if kind == "lr":
            mu, sd = x[rows].mean(0), x[rows].std(0) + 1e-9
            x = (x - mu) / sd
            model = LogisticRegression(C=1.0, max_iter=2000)
        else:
            model = HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=50,
                l2_regularization=1.0, random_state=0)
        model.fit(x[rows], data.labels[rows], sample_weight=weights[rows])
        out[name] = model.decision_function(x[test])
    return out


def main(argv: list[str] | None = None) -> int:
    global DATA, VARIANTS
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--data", default=recipe.DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--folds", help="comma-separated fold numbers (default: all 19)")
    args = parser.parse_args(argv)
    started = time.time()
    DATA, VARIANTS = Data(args.data), args.variants
    folds = ([int(f) for f in args.folds.split(",")] if args.folds
             else list(range(len(DATA.docs))))
    # Fork after the data is built: the workers share it.
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(fold, folds)
    by_variant: dict[str, list[dict[str, float]]] = {}
    for held, scores in zip(folds, results, strict=True):
        for name, s in scores.items():
            by_variant.setdefault(name, []).append(
                ranking_metrics(list(s), DATA.docs[held].labels))
    for name, rows in by_variant.items():
        m = {k: statistics.mean(r[k] for r in rows) for k in rows[0]}
        print(f"{name:45} MAP {m['AP']:.3f}  R-prec {m['R-prec']:.3f}  P@1 {m['P@1']:.3f}  "
              f"P@5 {m['P@5']:.3f}  P@10 {m['P@10']:.3f}")
        print("    AP per document: " + " ".join(f"{r['AP']:.3f}" for r in rows))
    print(f"({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
