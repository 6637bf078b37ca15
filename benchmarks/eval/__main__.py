"""Run with `python -m benchmarks.eval` (or `make eval`). Needs no database."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import checkworthy_train as recipe
from benchmarks.blas import pin_kernel
from claims.assist.ranking import SUGGESTION_MIN_SCORE, rank
from claims.assist.scoring import SUGGESTION_MIN_SCORE as HAND_MIN_SCORE
from claims.assist.scoring import rank as hand_rank
from claims.assist.similarity import (
    MIN_SIMILARITY,
    ClaimText,
    Embedder,
    embeddings_available,
    rank_candidates,
)

from . import checkworthy_cv

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\[\[([+-])(.*?)\]\]", re.DOTALL)


@dataclass
class Labelled:
    name: str
    part: str
    text: str
    gold: list[tuple[int, int, bool]]  # start, end, check-worthy


def load_labelled(path: Path, part: str) -> Labelled:
    raw = path.read_text(encoding="utf-8")
    text, gold, position = [], [], 0
    length = 0
    for match in MARK.finditer(raw):
        before = raw[position : match.start()]
        text.append(before)
        length += len(before)
        sentence = match.group(2)
        gold.append((length, length + len(sentence), match.group(1) == "+"))
        text.append(sentence)
        length += len(sentence)
        position = match.end()
    text.append(raw[position:])
    return Labelled(path.stem, part, "".join(text), gold)


def load_texts() -> list[Labelled]:
    return [
        load_labelled(path, part)
        for part in ("tune", "heldout")
        for path in sorted((HERE / "texts" / part).glob("*.lbl"))
    ]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _gold_for(span, gold):
    """The gold sentence a predicted span stands for (at least half of both overlap)."""
    best = max(gold, key=lambda g: _overlap(span, g[:2]), default=None)
    return best if best and _overlap(span, best[:2]) >= 0.5 else None


def evaluate_suggestions(doc: Labelled, ranker=rank, min_score=SUGGESTION_MIN_SCORE) -> dict:
    ranked = ranker(doc.text)
    top5 = ranked[:5]
    hits5 = sum(1 for s in top5 if (g := _gold_for((s.start, s.end), doc.gold)) and g[2])
    kept = [s for s in ranked if s.score >= min_score]
    found = {g for s in kept if (g := _gold_for((s.start, s.end), doc.gold)) and g[2]}
    positives = [g for g in doc.gold if g[2]]
    exact = {(s.start, s.end) for s in ranked}
    return {
        "p5": hits5 / min(5, len(ranked)) if ranked else 0.0,
        # An article with only four check-worthy sentences cannot score above 0.8 at 5.
        "p5_attainable": hits5 / min(5, len(ranked), len([g for g in doc.gold if g[2]]) or 1),
        "recall": len(found) / len(positives) if positives else 1.0,
        "kept_precision": (len(found) / len(kept)) if kept else 1.0,
        "boundaries": sum(1 for g in doc.gold if g[:2] in exact) / len(doc.gold),
        "positives": len(positives),
        "sentences": len(doc.gold),
    }


def evaluate_matching(part: str, embedder: Embedder | None) -> dict:
    data = json.loads((HERE / "claims.json").read_text(encoding="utf-8"))
    pool = []
    for gi, group in enumerate(data["groups"]):
        if group["part"] != part:
            continue
        for item in group["items"]:
            statement, quote = (x.strip() for x in item.split("|", 1))
            pool.append((gi, ClaimText(statement, quote)))
    threshold = embedder.MIN_SIMILARITY if embedder else MIN_SIMILARITY
    sizes = {gi: sum(1 for g, _ in pool if g == gi) for gi, _ in pool}
    correct = returned = with_match = found = false_on_singletons = singletons = 0
    for i, (gi, query) in enumerate(pool):
        candidates = [(g, c) for j, (g, c) in enumerate(pool) if j != i]
        top = rank_candidates(query, candidates, limit=1, min_score=0.0, embedder=embedder)
        best_group, best_score = top[0] if top else (None, 0.0)
        if sizes[gi] > 1:
            with_match += 1
            correct += best_group == gi
        above = best_score >= threshold
        if above:
            returned += 1
            found += sizes[gi] > 1 and best_group == gi
        if sizes[gi] == 1:
            singletons += 1
            false_on_singletons += above
    return {
        "top1": correct / with_match if with_match else 0.0,
        "precision_at_threshold": found / returned if returned else 1.0,
        "queries": with_match,
        "singletons": singletons,
        "false_matches_on_singletons": false_on_singletons,
        "threshold": threshold,
    }


def two_thousand_words(texts: list[Labelled]) -> str:
    paragraphs, words = [], 0
    while words < 2000:
        for doc in texts:
            paragraphs.append(doc.text)
            words += len(doc.text.split())
            if words >= 2000:
                break
    return "\n\n".join(paragraphs)


def timed(text: str, repeat: int = 5) -> float:
    """CPU seconds of this process, best of `repeat` (on a shared machine the wall time
    also counts waiting for a core)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        rank(text)
        times.append(time.process_time() - start)
    return min(times)


def two_megabytes(texts: list[Labelled]) -> str:
    parts, size = [], 0
    while size < 2 * 1024 * 1024:
        for doc in texts:
            parts.append(doc.text)
            size += len(doc.text.encode()) + 2
    return "\n\n".join(parts)


def _silent(_message: str) -> None:
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show every article's top 5")
    parser.add_argument("--no-cv", action="store_true",
                        help="skip the CLEF-2019 cross-validation (it takes minutes)")
    parser.add_argument("--data", type=Path, default=recipe.DEFAULT_DATA,
                        help="the checkworthy data (default ../shared/data/checkworthy)")
    parser.add_argument("--no-retrieval", action="store_true",
                        help="skip claim retrieval on CLEF-2020 (benchmarks/eval/claim_retrieval)")
    args = parser.parse_args(argv)
    if not args.no_cv:
        print("Check-worthiness on CLEF-2019 CheckThat! Task 1 training set, leave one "
              "document out\n  (19 folds; each trained on ClaimBuster + the other 18 "
              "documents; mean over documents)")
        if (args.data / recipe.CLEF).exists():
            # Two folds at a time (forked processes; the figures are the same either way).
            results = checkworthy_cv.run(args.data, log=print if args.verbose else _silent,
                                         jobs=min(2, os.cpu_count() or 1))
            print(checkworthy_cv.table(results, per_document=args.verbose))
        else:
            print(f"  not measured: no data in {args.data} (see its README)")
        print()
    texts = load_texts()
    print("Check-worthiness on the desk's news texts (benchmarks/eval/texts)")
    systems = [
        (f"learned model (kept at score >= {SUGGESTION_MIN_SCORE})", rank, SUGGESTION_MIN_SCORE),
        (f"hand-made scorer (kept at score >= {HAND_MIN_SCORE})", hand_rank, HAND_MIN_SCORE),
    ]
    for label, ranker, min_score in systems:
        print(f"  {label}")
        for part in ("tune", "heldout"):
            rows = [(d, evaluate_suggestions(d, ranker, min_score)) for d in texts
                    if d.part == part]
            if args.verbose:
                for doc, r in rows:
                    print(
                        f"    {doc.name:22} p@5 {r['p5']:.2f} recall {r['recall']:.2f} "
                        f"boundaries {r['boundaries']:.2f}"
                    )
            mean = lambda key, rows=rows: statistics.mean(r[key] for _, r in rows)  # noqa: E731
            print(
                f"    {part:8} {len(rows):2} articles, "
                f"{sum(r['sentences'] for _, r in rows)} sentences "
                f"({sum(r['positives'] for _, r in rows)} check-worthy): precision@5 "
                f"{mean('p5'):.2f} (hits / min(5, check-worthy) {mean('p5_attainable'):.2f})  "
                f"recall {mean('recall'):.2f}  precision of kept {mean('kept_precision'):.2f}  "
                f"sentence boundaries exact {mean('boundaries'):.2f}"
            )
    per_article = statistics.mean(timed(d.text) for d in texts)
    long_text = two_thousand_words(texts)
    huge = two_megabytes(texts)
    print("  speed of the learned model (CPU time, best of 5; make bench has more sizes)")
    print(f"    per article: {per_article * 1000:.1f} ms (mean of {len(texts)})")
    print(
        f"    a {len(long_text.split())}-word article: {timed(long_text) * 1000:.1f} ms "
        "(target <= 2000 ms)"
    )
    print(f"    a {len(huge.encode()) / 1e6:.1f} MB article: {timed(huge, repeat=1):.2f} s "
          "(target <= 10 s)")

    backends = [("trigram (pg_trgm formula; SQLite fallback and PostgreSQL)", None)]
    if embeddings_available():
        start = time.perf_counter()
        embedder = Embedder()
        print(f"\n  (embedding model loaded in {time.perf_counter() - start:.2f} s)")
        backends.append(("embeddings (all-MiniLM-L6-v2)", embedder))
    else:
        print("\n  (embeddings not measured: the optional [embeddings] extra is not installed)")
    print("Claim matching (claims.json)")
    for label, embedder in backends:
        for part in ("tune", "heldout"):
            r = evaluate_matching(part, embedder)
            print(
                f"  {label:60} {part:8} top-1 precision {r['top1']:.2f} ({r['queries']} queries); "
                f"precision at threshold {r['threshold']} {r['precision_at_threshold']:.2f}; "
                f"false matches on {r['singletons']} distractors "
                f"{r['false_matches_on_singletons']}"
            )
    print()
    # Its own process: it sets Django up on a throwaway database.
    retrieval = [sys.executable, "-m", "benchmarks.eval.claim_retrieval", "--split", "dev"]
    if args.no_retrieval:
        print("Claim retrieval (CLEF-2020): skipped (--no-retrieval)")
    else:
        subprocess.run(retrieval, check=False)
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.eval", sys.argv[1:])  # one BLAS kernel (blas.py)
    sys.exit(main())
