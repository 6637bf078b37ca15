"""The learned check-worthiness model: which sentences of a document fact-checkers choose.

What it is: one logistic regression over
- the sentence's words (unigrams and bigrams, numbers folded into <num>, TF-IDF weighted
  and L2-normalised),
- the hand-made features of `claims/assist/scoring.py` (states a number, a comparison,
  attributed to someone, ...) and that scorer's log-odds,
- its length in words and its context in the document: where it falls (start to end), the
  hand-made features of the sentences before and after it, and in transcripts the
  speaker's turn (first or last sentence of a turn, its length, how much of the document
  the speaker says, whether they say most or second-most, whether the label is a role such
  as MODERATOR or AUDIENCE, and how often they ask questions: moderators ask, candidates
  claim). See `features.py`.

Trained on (see `benchmarks/checkworthy_train.py`, rebuilt with `make train`):
- the ClaimBuster dataset (Arslan, Hassan, Li, Tremayne, ICWSM 2020, CC BY 4.0): 9,674
  sentences of US presidential debates, 1960-2016, labelled check-worthy or not by coders;
- the CLEF-2019 CheckThat! Task 1 training set (Atanasova et al., CEUR Vol-2380): 19
  debates and speeches, 16,421 sentences, 440 chosen by fact-checkers.

The artefact, `model.json`, holds only numbers and strings (vocabulary with IDF and weight,
feature weights, intercept, and the recipe that made it): nothing is unpickled, and the
product needs neither scikit-learn nor numpy to use it. Scoring is pure Python and linear in
the number of sentences.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.assist.checkworthy.features import DocSentence, document_features

MODEL_PATH = Path(__file__).resolve().parent / "model.json"
FORMAT = "factcheck-checkworthy/1"


@dataclass(frozen=True)
class Scored:
    score: float  # the probability the model gives that fact-checkers would choose it
    reasons: list[str]


class Model:
    """A trained model: score whole documents, sentence by sentence."""

    def __init__(self, data: dict):
        if data.get("format") != FORMAT:
            raise ValueError(f"Not a {FORMAT} model: {data.get('format')!r}.")
        self.data = data
        self.bias = float(data["bias"])
        self.terms: dict[str, tuple[float, float]] = {
            term: (float(idf), float(weight)) for term, (idf, weight) in data["terms"].items()
        }
        self.features: dict[str, float] = {k: float(v) for k, v in data["features"].items()}

    def logit(self, terms: set[str], dense: dict[str, float]) -> float:
        total = self.bias
        found = [self.terms[t] for t in terms if t in self.terms]
        if found:
            norm = math.sqrt(sum(idf * idf for idf, _ in found))
            total += sum(idf * weight for idf, weight in found) / norm
        features = self.features
        return total + sum(features.get(name, 0.0) * value for name, value in dense.items())

    def score_document(self, sentences: list[DocSentence]) -> list[Scored]:
        """Each sentence's score (0-1) and the reasons in words, in document order."""
        out = []
        for terms, dense, reasons in document_features(sentences):
            z = self.logit(terms, dense)
            score = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
            out.append(Scored(round(score, 4), reasons))
        return out


def load_model(path: Path = MODEL_PATH) -> Model:
    return Model(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model that ships with the project, loaded once per process."""
    return load_model(MODEL_PATH)


__all__ = ["DocSentence", "Model", "Scored", "load_model", "shipped_model"]
