"""The fifth round's experiment (benchmarks/eval/checkworthy_finetune.py): its folds, its
rank blend and its training set are what the README says they are."""

from __future__ import annotations

from benchmarks import checkworthy_train as recipe
from benchmarks.eval.checkworthy_finetune import (
    fold_documents,
    percentile_ranks,
    rank_blend,
    sentence_inputs,
    transformer_training_set,
)
from claims.assist.checkworthy.features import DocSentence


def test_folds_deal_the_sorted_documents_round_robin():
    names = [f"doc{i:02d}" for i in range(19)][::-1]
    folds = fold_documents(names, 4)
    assert folds[0] == ["doc00", "doc04", "doc08", "doc12", "doc16"]
    assert folds[3] == ["doc03", "doc07", "doc11", "doc15"]
    assert sorted(n for fold in folds for n in fold) == sorted(names)


def test_percentile_ranks_share_ties_and_run_from_0_to_1():
    assert percentile_ranks([0.2, 0.9, 0.2, -1.0]) == [0.5, 1.0, 0.5, 0.0]
    assert percentile_ranks([3.0]) == [0.0]


def test_rank_blend_ignores_the_scale_of_either_system():
    first = [0.1, 0.2, 0.3]
    second = [300.0, -5.0, 10.0]
    blended = rank_blend(first, second)
    assert blended == rank_blend([x * 1000 for x in first], [x / 7 for x in second])
    assert blended == [0.5, 0.25, 0.75]


def test_inputs_pair_each_sentence_with_the_one_before():
    doc = recipe.Document("d", [DocSentence("Jobs fell.", "TRUMP"), DocSentence("No.", None)],
                          [1, 0])
    assert sentence_inputs(doc) == [("TRUMP: Jobs fell.", None), ("No.", "Jobs fell.")]


def test_training_set_keeps_every_chosen_sentence_and_is_seeded():
    sentences = [DocSentence(f"Sentence {i}.", "A") for i in range(400)]
    labels = [1 if i % 40 == 0 else 0 for i in range(400)]
    doc = recipe.Document("d", sentences, labels)
    claimbuster = [("A claim.", 1), ("Thanks.", 0)]
    rows = transformer_training_set(claimbuster, [doc], seed=3)
    assert rows == transformer_training_set(claimbuster, [doc], seed=3)
    assert sum(label for *_, label in rows) == 1 + 10
    assert ("A claim.", None, 1) in rows and ("Thanks.", None, 0) in rows
    negatives = sum(1 for text, pair, label in rows if pair is not None and not label)
    assert 60 < negatives < 140  # NEGATIVE_SHARE (0.25) of 390
