"""The learned check-worthiness model: which sentences of a document fact-checkers choose.

What it is: one logistic regression over
- the sentence's words (unigrams and bigrams, numbers folded into <num>, TF-IDF weighted
  and L2-normalised),
- the words of the sentence before it and of the sentence after it (the same TF-IDF
  vectors, scaled by CONTEXT_SCALE, each with weights of its own: what was just said, or is
  said next, tells what this sentence is about),
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
FORMAT = "factcheck-checkworthy/2"


@dataclass(frozen=True)
class Scored:
    score: float  # the probability the model gives that fact-checkers would choose it
    reasons: list[str]


class Model:
    """A trained model: score whole documents, sentence by sentence.

    `terms` maps a term to [idf, weight, weight as the previous sentence's word, weight as
    the next sentence's word]; the neighbours' vectors are scaled by `context_scale`."""

    def __init__(self, data: dict):
        if data.get("format") != FORMAT:
            raise ValueError(f"Not a {FORMAT} model: {data.get('format')!r}.")
        self.data = data
        self.bias = float(data["bias"])
        self.context_scale = float(data["context_scale"])
        self.terms: dict[str, tuple[float, float, float, float]] = {
            term: (float(idf), float(w), float(prev), float(nxt))
            for term, (idf, w, prev, nxt) in data["terms"].items()
        }
        self.features: dict[str, float] = {k: float(v) for k, v in data["features"].items()}
        # The languages of its training sentences (ISO 639-1, as claims/language.py detects
        # them): words of any other language are unknown to it, so it does not score them.
        self.languages: frozenset[str] = frozenset(data.get("languages") or ())

    def reads(self, language: str) -> bool:
        """Whether the model can score a sentence in `language`; "" (not known) it tries."""
        return not language or not self.languages or language in self.languages

    def _words(self, terms: set[str]) -> tuple[float, float, float]:
        """The sentence's word vector dotted with the three sets of word weights (one pass
        over its terms)."""
        own = prev = nxt = squares = 0.0
        known = self.terms
        for term in terms:
            entry = known.get(term)
            if entry is not None:
                idf, w, p, n = entry
                squares += idf * idf
                own += idf * w
                prev += idf * p
                nxt += idf * n
        if not squares:
            return 0.0, 0.0, 0.0
        norm = math.sqrt(squares)
        return own / norm, prev / norm, nxt / norm

    def logits(self, rows: list[tuple[set[str], dict[str, float]]]) -> list[float]:
        """The log-odds of each sentence of a document, given in order as (terms, dense)."""
        words = [self._words(terms) for terms, _ in rows]
        features, scale, out = self.features, self.context_scale, []
        for i, (_, dense) in enumerate(rows):
            total = self.bias + words[i][0]
            if i > 0:  # this sentence's previous sentence
                total += scale * words[i - 1][1]
            if i + 1 < len(rows):
                total += scale * words[i + 1][2]
            out.append(total + sum(features.get(name, 0.0) * value
                                   for name, value in dense.items()))
        return out

    def score_document(self, sentences: list[DocSentence]) -> list[Scored]:
        """Each sentence's score (0-1) and the reasons in words, in document order."""
        rows = document_features(sentences)
        out = []
        for z, (_, _, reasons) in zip(self.logits([(t, d) for t, d, _ in rows]), rows,
                                      strict=True):
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
