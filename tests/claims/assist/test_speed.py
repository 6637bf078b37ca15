"""Sentence splitting and scoring stay linear in the length of the text: a long article
(one paragraph or many, many sentences or one long one) costs in proportion to its size.

These compare the cost of a text with the cost of an eighth of it (CPU time of this process,
so a busy machine does not count), which is what broke before: the word before each full
stop was looked for from the start of the text, so eight times the text cost sixty-four
times as much. The speed targets themselves (2,000 words in 2 s, 2 MB in 10 s) are measured
by `make bench` (benchmarks/scoring_bench.py), not here."""

from __future__ import annotations

import time

from claims.assist.ranking import rank as learned_rank
from claims.assist.scoring import score_sentence
from claims.assist.sentences import split_sentences
from claims.demo import ARTICLES

NATO = ARTICLES[0].body


def _cpu_seconds(fn, text: str) -> float:
    """The fastest of three runs: one slow run (a collection, a page fault) is noise."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn(text)
        best = min(best, time.process_time() - start)
    return max(best, 0.002)


def growth(fn, text: str) -> float:
    """How many times more the whole text costs than its first eighth (8 when linear, 64
    when quadratic)."""
    return _cpu_seconds(fn, text) / _cpu_seconds(fn, text[: len(text) // 8])


def test_one_long_paragraph_splits_in_linear_time():
    sentence = "The minister said unemployment fell by 12 per cent in March. "
    text = sentence * (200_000 // len(sentence))
    assert len(split_sentences(text)) == len(text) // len(sentence)
    assert growth(split_sentences, text) < 20


def test_a_sentence_full_of_numbers_and_names_scores_in_linear_time():
    text = " ".join(f"Minister Anna Berg said 5 March figures show {i} jobs" for i in range(2400))
    _, reasons = score_sentence(text + ".")
    assert any(r.startswith("states a number") for r in reasons)
    assert growth(lambda t: score_sentence(t + "."), text) < 20


def test_the_learned_ranking_of_a_long_article_is_linear():
    text = "\n\n".join([NATO] * 32)  # about 200 KB, 32 copies against 4
    learned_rank(NATO)  # the model loads once per process
    assert growth(learned_rank, text) < 20
