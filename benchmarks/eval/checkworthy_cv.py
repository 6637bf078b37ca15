"""Check-worthiness measured the CLEF CheckThat! way: leave one document out.

    python -m benchmarks.eval.checkworthy_cv [--data ../shared/data/checkworthy] [--per-document]
                                             [--jobs N]

For each of the 19 CLEF-2019 training documents, a model is trained on ClaimBuster and the
other 18 documents (vocabulary and IDF included: nothing of the held-out document is seen)
and ranks the held-out document's sentences; the hand-made scorer ranks the same document.
Reported per document and averaged as the lab does: average precision (MAP over documents),
R-precision, precision at 1, 5 and 10. Ties keep document order.

ClaimBuster holds sentences of three of the CLEF documents (the 2016 presidential
debates: about 300 sentences of each, labelled by its coders): in each fold, the
ClaimBuster sentences whose words are those of a held-out sentence (six words or more,
case and punctuation aside) are left out of the training side."""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from benchmarks import checkworthy_train as recipe
from benchmarks.blas import pin_kernel
from claims.assist.checkworthy import Model
from claims.assist.scoring import features_logit, sentence_features

METRICS = ("AP", "R-prec", "P@1", "P@5", "P@10")


def ranking_metrics(scores: list[float], labels: list[int]) -> dict[str, float]:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    ranked = [labels[i] for i in order]
    positives = sum(labels)
    hits, precisions = 0, []
    for k, label in enumerate(ranked, 1):
        if label:
            hits += 1
            precisions.append(hits / k)

    def p_at(k: int) -> float:
        return sum(ranked[:k]) / k

    return {
        "AP": sum(precisions) / positives if positives else 0.0,
        "R-prec": p_at(positives) if positives else 0.0,
        "P@1": p_at(1),
        "P@5": p_at(5),
        "P@10": p_at(10),
    }


def hand_scores(doc: recipe.Document) -> list[float]:
    return [features_logit(sentence_features(s.text)[0]) for s in doc.sentences]


SYSTEMS = ("hand-made scorer", "TF-IDF logistic regression", "learned model")
# What the folds read; set by run() before the folds start (a forked worker inherits it):
# the CLEF documents, the ClaimBuster examples and each one's words (see `same_words`).
_DATA: tuple[list[recipe.Document], list[recipe.Example], list[str]] = ([], [], [])
NON_WORD = re.compile(r"\W+")
# Shorter sentences ("Thank you very much.") are said in every debate: not a sign that a
# ClaimBuster sentence comes from the held-out one.
SAME_WORDS_MIN = 6


def same_words(text: str) -> str:
    """A sentence's words, lower-cased, without punctuation: how a ClaimBuster sentence
    taken from a CLEF debate is recognised."""
    return NON_WORD.sub(" ", text.lower()).strip()


def without_held_out(claimbuster: list[recipe.Example], words: list[str],
                     held_out: recipe.Document) -> list[recipe.Example]:
    """The ClaimBuster examples that are not sentences of the held-out document."""
    said = {w for s in held_out.sentences
            if len((w := same_words(s.text)).split()) >= SAME_WORDS_MIN}
    return [e for e, w in zip(claimbuster, words, strict=True) if w not in said]


def _fold(index: int) -> tuple[str, dict[str, dict[str, float]], float]:
    """Train on ClaimBuster and every document but the index-th; rank that one."""
    docs, all_claimbuster, words = _DATA
    held_out = docs[index]
    claimbuster = without_held_out(all_claimbuster, words, held_out)
    started = time.perf_counter()
    others = [doc for doc in docs if doc.name != held_out.name]
    # Each document's weight is set from the training documents of the fold alone.
    recipe.weigh_documents(others)
    training = list(claimbuster)
    for doc in others:
        training.extend(doc.examples)
    assert not any(e in held_out.examples for e in training[len(claimbuster):])
    labels = held_out.labels
    out = {"hand-made scorer": ranking_metrics(hand_scores(held_out), labels)}
    # The plain baseline as the issue states it: words only, C 1, every CLEF sentence
    # weighted CLEF_WEIGHT.
    plain = training[:len(claimbuster)] + [
        recipe.Example(e.terms, e.dense, e.label, recipe.CLEF_WEIGHT)
        for e in training[len(claimbuster):]]
    words_only = Model(recipe.fit(plain, c=1.0, use_dense=False, use_context=False))
    out["TF-IDF logistic regression"] = ranking_metrics(
        [s.score for s in words_only.score_document(held_out.sentences)], labels)
    learned = Model(recipe.fit(training))
    out["learned model"] = ranking_metrics(
        [s.score for s in learned.score_document(held_out.sentences)], labels)
    return held_out.name, out, time.perf_counter() - started


def run(data: Path, *, log=print, jobs: int = 1) -> dict[str, dict[str, dict[str, float]]]:
    """{system: {document: metrics}} for the hand-made scorer, a words-only TF-IDF logistic
    regression, and the learned model, on the same leave-one-document-out folds (`jobs`
    folds at a time, in forked processes; the figures do not depend on it)."""
    global _DATA
    docs = recipe.load_clef(data)
    recipe.featurise_clef(docs)
    claimbuster = recipe.load_claimbuster(data)
    _DATA = (docs, recipe.featurise_claimbuster(claimbuster),
             [same_words(text) for text, _ in claimbuster])
    results: dict[str, dict[str, dict[str, float]]] = {system: {} for system in SYSTEMS}

    def record(name: str, metrics: dict[str, dict[str, float]], seconds: float) -> None:
        for system in SYSTEMS:
            results[system][name] = metrics[system]
        aps = "  ".join(f"{system} {metrics[system]['AP']:.3f}" for system in SYSTEMS)
        log(f"    {name:32} AP: {aps}  ({seconds:.1f} s)")

    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for row in pool.imap(_fold, range(len(docs))):
                record(*row)
    else:
        for index in range(len(docs)):
            record(*_fold(index))
    return results


def means(per_document: dict[str, dict[str, float]]) -> dict[str, float]:
    return {m: statistics.mean(r[m] for r in per_document.values()) for m in METRICS}


def table(results: dict[str, dict[str, dict[str, float]]], *, per_document: bool) -> str:
    lines = [f"  {'system':30} {'MAP':>6} {'R-prec':>7} {'P@1':>6} {'P@5':>6} {'P@10':>6}"]
    for system, rows in results.items():
        m = means(rows)
        lines.append(f"  {system:30} {m['AP']:6.3f} {m['R-prec']:7.3f} {m['P@1']:6.3f} "
                     f"{m['P@5']:6.3f} {m['P@10']:6.3f}")
    if per_document:
        for system, rows in results.items():
            lines.append(f"  {system}:")
            for name, r in rows.items():
                lines.append(f"    {name:32} AP {r['AP']:.3f}  R-prec {r['R-prec']:.3f}  "
                             f"P@1 {r['P@1']:.0f}  P@5 {r['P@5']:.2f}  P@10 {r['P@10']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=recipe.DEFAULT_DATA)
    parser.add_argument("--per-document", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no line per fold")
    parser.add_argument("--jobs", type=int, default=1, help="folds run at a time")
    args = parser.parse_args(argv)
    results = run(args.data, log=(lambda _m: None) if args.quiet else print, jobs=args.jobs)
    print(table(results, per_document=args.per_document))
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.eval.checkworthy_cv", sys.argv[1:])  # one BLAS kernel (blas.py)
    sys.exit(main())
