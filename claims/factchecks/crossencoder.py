"""Reading the best candidates together with the claim: a cross-encoder (all-MiniLM-L6-v2
fine-tuned to score a (claim, fact-check) pair read as one text) re-scores the re-ranker's
top few, as the best CLEF-2020 CheckThat! Task 2 systems did. A sentence encoder compares
two vectors made apart; the cross-encoder sees both texts at once, so it can tell "the same
claim" from "the same subject".

It runs when the optional `[embeddings]` extra is installed and `make train-crossencoder`
has built the model at FACTCHECK_CROSSENCODER_PATH (var/factcheck-crossencoder: about
90 MB, not committed). Without either, matching is as it was. The directory holds, beside
the model, how to combine its score with the re-ranker's (`factcheck-crossencoder.json`:
a logistic regression over the two, fitted on the training split's out-of-fold scores) and
how many candidates to re-read (`top`): the score stays about the chance that the
fact-check answers the claim, so the desk's panels keep their threshold.

Loaded once per process (claims/perprocess.py); torch and transformers are imported only
here, when a model is built.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from claims.factchecks.embedding import embeddings_available
from claims.perprocess import PerProcess

ABOUT = "factcheck-crossencoder.json"
WEIGHTS = "model.safetensors"
# Tokens of the pair read together: a tweet and a claim + headline are about 100 together;
# a longer text is cut (the claim is mostly said early).
MAX_LENGTH = 128
BATCH = 16
# A re-read pair whose own probability reaches this says the same claim, in the editors' words.
SAYS_THE_SAME = 0.5
REASON = "read together with the claim, says the same"


def crossencoder_path() -> Path:
    return Path(getattr(settings, "FACTCHECK_CROSSENCODER_PATH",
                        Path(settings.VAR_DIR) / "factcheck-crossencoder"))


def built_at(path: Path) -> bool:
    """Whether a cross-encoder is saved (completely: the combination is written last) at
    `path`."""
    return all((path / name).is_file() for name in ("config.json", WEIGHTS, ABOUT))


def document_text(claim: str, title: str) -> str:
    """What the cross-encoder reads of a fact-check: its claim, then its headline."""
    return f"{claim} {title}".strip()


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def combine(combination: dict, score: float, cross: float) -> float:
    """The re-ranker's score (0..1) and the cross-encoder's logit, as one probability: a
    logistic regression over (logit of the score, the cross-encoder's logit)."""
    values = {"rerank_logit": logit(score), "cross_logit": cross}
    z = combination["intercept"]
    for name, mean, scale, coef in zip(combination["features"], combination["mean"],
                                       combination["scale"], combination["coef"], strict=True):
        z += coef * (values[name] - mean) / scale
    return sigmoid(z)


class CrossEncoder:
    """A saved cross-encoder and its combination; `logits` scores (query, document) pairs."""

    def __init__(self, path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on stderr
        self.path = path
        self.about = json.loads((path / ABOUT).read_text(encoding="utf-8"))
        self.top = int(self.about["top"])
        self.combination = self.about["combination"]
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModelForSequenceClassification.from_pretrained(str(path))
        self.model.eval()
        self.lock = threading.Lock()

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One logit a (query, document) pair; pairs of like length are batched together so
        little is padded."""
        import torch

        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = [0.0] * len(pairs)
        with self.lock, torch.inference_mode():
            for start in range(0, len(order), BATCH):
                chunk = order[start:start + BATCH]
                batch = self.tokenizer([pairs[i][0] for i in chunk], [pairs[i][1] for i in chunk],
                                       truncation=True, max_length=MAX_LENGTH, padding=True,
                                       return_tensors="pt")
                for i, value in zip(chunk, self.model(**batch).logits[:, 0].tolist(),
                                    strict=True):
                    out[i] = float(value)
        return out


@dataclass(frozen=True)
class Stage:
    """This process's cross-encoder stage: `model` is None when it does not run."""

    model: CrossEncoder | None


def load_stage() -> Stage:
    path = crossencoder_path()
    if not embeddings_available() or not built_at(path):
        return Stage(None)
    return Stage(CrossEncoder(path))


_stage: PerProcess[Stage] = PerProcess(load_stage)
get_stage = _stage.get  # loaded at first use, once per process
reset_stage = _stage.reset  # after a setting changed or a model was built (tests, tools)


def rescore(model: CrossEncoder, queries: list[str], scored: list[list],
            texts: dict[int, tuple[str, str]]) -> None:
    """Re-score each query's `model.top` best candidates (features.Scored rows, changed in
    place) with the cross-encoder read together with the re-ranker. The others keep their
    order below them: their score is at most the lowest re-read one (they were not read)."""
    pairs, where = [], []
    for q, (query, rows) in enumerate(zip(queries, scored, strict=True)):
        rows.sort(key=lambda r: (-r.score, r.factcheck_id))
        for i, row in enumerate(rows[:model.top]):
            pairs.append((query, document_text(*texts[row.factcheck_id])))
            where.append((q, i))
    for (q, i), cross in zip(where, model.logits(pairs), strict=True):
        row = scored[q][i]
        row.score = combine(model.combination, row.score, cross)
        if sigmoid(cross) >= SAYS_THE_SAME:
            row.reasons = (*row.reasons, REASON)
    for rows in scored:
        read = rows[:model.top]
        if len(rows) > len(read):
            floor = min(r.score for r in read)
            for row in rows[len(read):]:
                row.score = min(row.score, floor)
        rows.sort(key=lambda r: (-r.score, r.factcheck_id))
