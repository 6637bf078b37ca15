"""Scoring speed: how long ranking an article's sentences takes, by the article's size.

    .venv/bin/python -m benchmarks.scoring_bench [--repeat 3]

Articles are made by joining the news texts of benchmarks/eval (page furniture included)
until they reach each size; each is split, scored by the shipped model (the default
install: no embeddings) and ranked, best of --repeat runs. Targets: a 2,000-word article in
2 s or less, a 2 MB one in 10 s or less, and the time per KB flat as the size grows (linear).
Both the CPU time of the process (what the work costs; the target is checked on it) and the
wall time (which on a shared machine includes waiting for a core) are reported. Writes
benchmarks/results/scoring.json."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks.eval.__main__ import load_texts
from claims.assist.ranking import rank

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scoring.json"
TARGET_2000_WORDS_S = 2.0
TARGET_2MB_S = 10.0
SIZES_KB = [52, 105, 210, 420]


def article_of(*, kb: int | None = None, words: int | None = None) -> str:
    texts = [d.text for d in load_texts()]
    parts, size, count, i = [], 0, 0, 0
    while (kb is not None and size < kb * 1024) or (words is not None and count < words):
        text = texts[i % len(texts)]
        parts.append(text)
        size += len(text.encode()) + 2
        count += len(text.split())
        i += 1
    return "\n\n".join(parts)


def best_of(text: str, repeat: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process), best of `repeat`. On a shared machine
    the wall time includes waiting for a core; the CPU time is what the work costs."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        rank(text)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def measure(repeat: int = 3) -> dict:
    rank("Warm up: the model loads once per process, 12 per cent faster.")
    rows = []
    two_thousand = article_of(words=2000)
    cases = [("2,000 words", two_thousand, repeat, TARGET_2000_WORDS_S)]
    cases += [(f"{kb} KB", article_of(kb=kb), repeat, None) for kb in SIZES_KB]
    cases.append(("2 MB", article_of(kb=2048), max(1, repeat - 1), TARGET_2MB_S))
    for label, text, times, target in cases:
        wall, cpu = best_of(text, times)
        row = {"label": label, "bytes": len(text.encode()), "words": len(text.split()),
               "seconds": wall, "cpu_seconds": cpu,
               "ms_per_kb": cpu * 1000 / (len(text.encode()) / 1024)}
        if target is not None:
            row["target_seconds"] = target
            row["ok"] = cpu <= target
        rows.append(row)
    return {"rows": rows, "ok": all(r.get("ok", True) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = measure(args.repeat)
    print(f"{'article':>12} {'bytes':>10} {'words':>8} {'CPU s':>7} {'wall s':>7} "
          f"{'CPU ms/KB':>9}  target (CPU)")
    for r in result["rows"]:
        target = f"<= {r['target_seconds']:.0f} s {'ok' if r['ok'] else 'MISSED'}" \
            if "target_seconds" in r else ""
        print(f"{r['label']:>12} {r['bytes']:>10,} {r['words']:>8,} {r['cpu_seconds']:>7.2f} "
              f"{r['seconds']:>7.2f} {r['ms_per_kb']:>9.2f}  {target}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
