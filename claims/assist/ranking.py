"""Rank an article's sentences by check-worthiness with the learned model (`checkworthy`),
each with the hand-made reasons in words, so a suggestion still explains itself. The model
reads only the languages it was trained on: a sentence in another is kept with no score and
its language ("not scored: Arabic"), never ranked.

Linear in the length of the text: splitting, speaker turns, features and scoring each walk
the sentences once."""

from __future__ import annotations

from claims.assist.checkworthy import DocSentence, shipped_model
from claims.assist.checkworthy.features import speaker_turns
from claims.assist.scoring import ScoredSentence
from claims.assist.sentences import Segment, split_sentences
from claims.language import detect_language

# Sentences scoring at least this are stored as suggestions (at most SUGGESTIONS_MAX). The
# model's score is about the chance fact-checkers would pick the sentence out of a whole
# debate, where one sentence in thirty is picked, so good candidates score well below 0.5.
# Set on the tuning part of benchmarks/eval's news texts by one rule, the highest threshold
# that keeps recall at 0.80 or more (0.015 with the current model: recall 0.83, precision
# of the kept 0.87 there; it was 0.03 for the previous model, whose scores spread less).
SUGGESTION_MIN_SCORE = 0.015
SUGGESTIONS_MAX = 40


def _starts_line(text: str, position: int) -> bool:
    # Only the blanks between the previous sentence and this one are looked at, so the
    # whole walk stays linear.
    i = position - 1
    while i >= 0 and text[i] in " \t\u00a0\r":
        i -= 1
    return i < 0 or text[i] == "\n"


def score_segments(text: str, segments: list[Segment], *,
                   language: str | None = None) -> list[ScoredSentence]:
    """Score `segments` (sentences of `text`, in order) as one document. Each sentence's
    language is detected (the document's, `language` or detected from `text`, when the
    sentence is too short to tell); one the model was not trained on gets no score (None)
    rather than a number from words it never saw, and is left out of the document the
    model reads, so the others are ranked as they would be without it."""
    model = shipped_model()
    if language is None:
        language = detect_language(text)
    said_in = [detect_language(s.text) or language for s in segments]
    readable = [s for s, code in zip(segments, said_in, strict=True) if model.reads(code)]
    starts_line = [_starts_line(text, s.start) for s in readable]
    doc = speaker_turns([s.text for s in readable], starts_line)
    scores = {}
    for segment, sentence, result in zip(readable, doc, model.score_document(doc),
                                         strict=True):
        # A transcript's speaker label ("TRUMP: ") is not part of the claim's words.
        scores[segment.start] = (segment.end - len(sentence.text), result)
    out = []
    for segment, code in zip(segments, said_in, strict=True):
        if segment.start in scores:
            start, result = scores[segment.start]
            out.append(ScoredSentence(start, segment.end, text[start:segment.end],
                                      result.score, result.reasons, code))
        else:
            out.append(ScoredSentence(segment.start, segment.end, segment.text, None, [],
                                      code))
    return out


def score_text(text: str, *, language: str | None = None) -> list[ScoredSentence]:
    """Every sentence of `text` in order, scored or (another language) not."""
    return score_segments(text, split_sentences(text), language=language)


def ranked(sentences: list[ScoredSentence], *, top: int | None = None,
           min_score: float = 0.0) -> list[ScoredSentence]:
    """The scored sentences at or above `min_score`, best first (ties: text order)."""
    kept = [s for s in sentences if s.score is not None and s.score >= min_score]
    kept.sort(key=lambda s: (-s.score, s.start))
    return kept[:top] if top else kept


def rank(text: str, *, top: int | None = None, min_score: float = 0.0,
         language: str | None = None) -> list[ScoredSentence]:
    """The sentences of `text` ranked by check-worthiness, best first (ties: text order).
    Sentences in a language the model does not read are not ranked (score_text has them)."""
    return ranked(score_text(text, language=language), top=top, min_score=min_score)


__all__ = ["SUGGESTIONS_MAX", "SUGGESTION_MIN_SCORE", "DocSentence", "rank", "ranked",
           "score_segments", "score_text"]
