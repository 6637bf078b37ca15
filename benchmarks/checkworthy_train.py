"""Train the check-worthiness model and write `model.json` (`make train`).

    python -m benchmarks.checkworthy_train [--data ../shared/data/checkworthy] [--out PATH]

The recipe (also written into the artefact):
1. Examples: every ClaimBuster sentence as a document of its own (no context; a
   `source:claimbuster` indicator absorbs its 29% check-worthy rate, and is never set at
   run time; it keeps its words, hand-made features and length), and every sentence of
   the 19 CLEF-2019 documents in order, with its speaker.
2. Features: `features.document_features` (words, hand-made features, context), and the
   words of the sentences before and after (CLEF only; none for ClaimBuster).
3. Vocabulary: the unigrams and bigrams found in at least MIN_DF training sentences; IDF is
   ln((1 + n) / (1 + df)) + 1; a sentence's word vector is L2-normalised. The previous and
   the next sentence's vectors, scaled by CONTEXT_SCALE, are two more blocks of columns
   with weights of their own.
4. A logistic regression (scikit-learn, lbfgs, L2, C below, one BLAS thread so the weights
   do not depend on the core count). The CLEF documents weigh CLEF_WEIGHT times as much as
   ClaimBuster per sentence of an average document, and each document the same
   (`weigh_documents`): the documents the desk ranks are whole transcripts and articles,
   like CLEF's, and a ranking is judged document by document.
5. The languages it reads: those of at least LANGUAGE_SHARE of the training sentences, as
   claims/language.py detects them (English: ClaimBuster and CLEF-2019 are US debates and
   speeches); the desk does not score sentences in any other.
6. Weights and IDF are rounded to 6 decimals and written as sorted JSON, and the fit runs
   on one BLAS thread with one OpenBLAS kernel (benchmarks/blas.py), so the same data gives
   the same file on any x86-64 machine.

The settings were chosen with the leave-one-document-out cross-validation of `make eval`
among a handful of candidates (see benchmarks/eval/README.md, which also lists what was
tried and left out); nothing was tuned per fold.

It lives beside the evaluation, outside the product package: only benchmarks/ reads
`../shared/data`; the product reads model.json.
Needs scikit-learn (pinned in pyproject.toml), which the product does not import.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.blas import pin_kernel
from claims.assist.checkworthy import FORMAT, MODEL_PATH
from claims.assist.checkworthy.features import DocSentence, document_features
from claims.language import detect_language

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "checkworthy"
CLAIMBUSTER = "claimbuster-kfold-25ncs.json"
CLEF = "clef2019-task1-training.csv"

MIN_DF = 2
C = 2.0
CLEF_WEIGHT = 3.0
# The neighbours' word vectors enter the fit scaled by this (their own weights, shrunk more
# by the L2 penalty than the sentence's own words).
CONTEXT_SCALE = 0.3
SEED = 0
# A language is one the model reads when at least this share of its training sentences are
# in it (`trained_languages`).
LANGUAGE_SHARE = 0.05


@dataclass
class Example:
    terms: set[str]
    dense: dict[str, float]
    label: int
    weight: float
    # The terms of the sentences before and after it in its document (None: no such
    # sentence, or, for ClaimBuster, not known).
    prev: set[str] | None = None
    next: set[str] | None = None


@dataclass
class Document:
    name: str
    sentences: list[DocSentence]
    labels: list[int]
    examples: list[Example] = field(default_factory=list)


def load_claimbuster(data: Path) -> list[tuple[str, int]]:
    rows = json.loads((data / CLAIMBUSTER).read_text(encoding="utf-8"))
    rows.sort(key=lambda r: r["sentence_id"])
    return [(r["text"], int(r["label"])) for r in rows]


def load_clef(data: Path) -> list[Document]:
    """The CLEF documents in name order, each sentence in line order with its speaker."""
    by_doc: dict[str, list[tuple[int, str, str, int]]] = {}
    with (data / CLEF).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            by_doc.setdefault(row["file_name"], []).append(
                (int(row["line_number"]), row["speaker"].strip(), row["text"], int(row["label"]))
            )
    docs = []
    for name in sorted(by_doc):
        rows = sorted(by_doc[name])
        docs.append(Document(name, [DocSentence(text, speaker or None)
                                    for _, speaker, text, _ in rows],
                             [label for *_, label in rows]))
    return docs


def featurise_clef(docs: list[Document]) -> None:
    for doc in docs:
        rows = document_features(doc.sentences)
        doc.examples = [
            Example(terms, dense, label, 1.0,
                    prev=rows[i - 1][0] if i > 0 else None,
                    next=rows[i + 1][0] if i + 1 < len(rows) else None)
            for i, ((terms, dense, _), label) in enumerate(zip(rows, doc.labels, strict=True))
        ]


def weigh_documents(docs: list[Document], *, clef_weight: float = CLEF_WEIGHT) -> None:
    """Every training document weighs the same in the fit, clef_weight times a ClaimBuster
    sentence per sentence of an average document: the ranking is judged document by
    document (MAP is a mean over documents), so a long debate should not outweigh a short
    speech."""
    mean_size = sum(len(doc.examples) for doc in docs) / len(docs)
    for doc in docs:
        for e in doc.examples:
            e.weight = clef_weight * mean_size / len(doc.examples)


def featurise_claimbuster(rows: list[tuple[str, int]]) -> list[Example]:
    examples = []
    for text, label in rows:
        ((terms, dense, _),) = document_features([DocSentence(text)])
        # Alone, a ClaimBuster sentence has no neighbours: its context is unknown, not empty.
        dense = {k: v for k, v in dense.items() if k.startswith("hand:") or k == "length"}
        dense["source:claimbuster"] = 1.0
        examples.append(Example(terms, dense, label, 1.0))
    return examples


def fit(examples: list[Example], *, c: float = C, min_df: int = MIN_DF,
        use_dense: bool = True, use_context: bool = True, about: dict | None = None) -> dict:
    """Train on `examples` and return the artefact as a dict (what model.json holds)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    df = Counter(t for e in examples for t in e.terms)
    vocabulary = sorted(t for t, n in df.items() if n >= min_df)
    n = len(examples)
    idf = {t: round(math.log((1 + n) / (1 + df[t])) + 1.0, 6) for t in vocabulary}
    term_index = {t: i for i, t in enumerate(vocabulary)}
    dense_names = sorted({k for e in examples for k in e.dense}) if use_dense else []
    size = len(vocabulary)
    dense_index = {k: 3 * size + i for i, k in enumerate(dense_names)}

    def word_vector(found_terms: set[str] | None) -> list[tuple[int, float]]:
        found = sorted(term_index[t] for t in found_terms or () if t in term_index)
        if not found:
            return []
        norm = math.sqrt(sum(idf[vocabulary[i]] ** 2 for i in found))
        return [(i, idf[vocabulary[i]] / norm) for i in found]

    rows, cols, vals = [], [], []
    for r, e in enumerate(examples):
        blocks = [(0, 1.0, e.terms)]
        if use_context:
            blocks += [(size, CONTEXT_SCALE, e.prev), (2 * size, CONTEXT_SCALE, e.next)]
        for offset, scale, found_terms in blocks:
            for i, value in word_vector(found_terms):
                rows.append(r)
                cols.append(offset + i)
                vals.append(scale * value)
        if use_dense:
            for k, v in sorted(e.dense.items()):
                rows.append(r)
                cols.append(dense_index[k])
                vals.append(v)
    matrix = csr_matrix((vals, (rows, cols)), shape=(n, 3 * size + len(dense_names)),
                        dtype=np.float64)
    labels = np.array([e.label for e in examples])
    weights = np.array([e.weight for e in examples])
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(C=c, solver="lbfgs", max_iter=2000, random_state=SEED)
    # One BLAS thread: the sums of a multi-threaded BLAS depend on the core count, and the
    # sixth decimal of a weight with them; `make train` must give the same bytes anywhere.
    with threadpool_limits(limits=1):
        model.fit(matrix, labels, sample_weight=weights)
    coef = model.coef_[0]
    return {
        "format": FORMAT,
        "about": about or {},
        "bias": round(float(model.intercept_[0]), 6),
        "context_scale": CONTEXT_SCALE,
        "terms": {t: [idf[t], round(float(coef[i]), 6), round(float(coef[size + i]), 6),
                      round(float(coef[2 * size + i]), 6)] for i, t in enumerate(vocabulary)},
        "features": {k: round(float(coef[dense_index[k]]), 6) for k in dense_names
                     if k != "source:claimbuster"},
    }


def recipe() -> dict:
    return {
        "training_data": [
            f"{CLAIMBUSTER}: ClaimBuster dataset (Arslan et al., ICWSM 2020, Zenodo "
            "10.5281/zenodo.3609356, CC BY 4.0), all 9,674 sentences",
            f"{CLEF}: CLEF-2019 CheckThat! Task 1 training set (Atanasova et al., CEUR "
            "Vol-2380), all 19 documents, 16,421 sentences",
        ],
        "recipe": "benchmarks/checkworthy_train.py (make train)",
        "settings": {"C": C, "min_df": MIN_DF, "clef_weight": CLEF_WEIGHT,
                     "clef_weight_per": "sentence of an average document; every document "
                     "weighs the same", "context_scale": CONTEXT_SCALE, "seed": SEED,
                     "solver": "lbfgs"},
    }


def trained_languages(texts: list[str]) -> list[str]:
    """The languages of the training sentences, as the desk detects them
    (claims/language.py): each that at least LANGUAGE_SHARE of the sentences whose language
    can be told are in. The model scores only these; a stray sentence detected otherwise
    does not make it a reader of that language."""
    counts = Counter(code for code in map(detect_language, texts) if code)
    told = sum(counts.values())
    return sorted(code for code, n in counts.items() if n >= LANGUAGE_SHARE * told)


def build(data: Path) -> dict:
    docs = load_clef(data)
    featurise_clef(docs)
    weigh_documents(docs)
    claimbuster = load_claimbuster(data)
    examples = featurise_claimbuster(claimbuster)
    for doc in docs:
        examples.extend(doc.examples)
    model = fit(examples, about=recipe())
    model["languages"] = trained_languages(
        [text for text, _ in claimbuster] + [s.text for doc in docs for s in doc.sentences])
    return model


def dumps(model: dict) -> str:
    return json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the checkworthy data folder (default ../shared/data/checkworthy)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model")
    args = parser.parse_args(argv)
    if not (args.data / CLEF).exists():
        print(f"No training data in {args.data} (see its README).", file=sys.stderr)
        return 2
    text = dumps(build(args.data))
    args.out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.out} ({len(text.encode()) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.checkworthy_train", sys.argv[1:])
    sys.exit(main())
