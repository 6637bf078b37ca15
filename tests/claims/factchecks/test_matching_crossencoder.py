"""The cross-encoder stage of matching (claims/factchecks/crossencoder.py): a cross-encoder
fine-tuned in the test on a handful of pairs learns them; once built at
FACTCHECK_CROSSENCODER_PATH, matching re-reads its best candidates with it and re-orders
them; without a built model (or without embeddings) the stage does not run."""

from __future__ import annotations

import json

import pytest

from claims.factchecks import crossencoder, features
from claims.factchecks.embedding import embeddings_available
from claims.factchecks.features import Scored
from claims.factchecks.matching import match_texts
from claims.models import FactCheck, FactCheckOrigin

needs_extra = pytest.mark.skipif(not embeddings_available(),
                                 reason="the [embeddings] extra is not installed")

QUERY = "Drinking hot water kills the coronavirus, doctors say"
RIGHT = ("Drinking hot water kills the coronavirus.", "Does Hot Water Kill COVID-19?")
WRONG = ("Hot water bottles were recalled for bursting.", "Hot Water Bottle Recall")
# The cross-encoder's logit alone decides the order: no weight on the re-ranker's score.
CROSS_ONLY = {"features": ["rerank_logit", "cross_logit"], "mean": [0.0, 0.0],
              "scale": [1.0, 1.0], "coef": [0.0, 1.0], "intercept": 0.0}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A cross-encoder fine-tuned from the stock weights on four pairs, a few steps."""
    from benchmarks.matching_crossencoder import fine_tune

    path = tmp_path_factory.mktemp("crossencoder")
    examples = [
        (QUERY, crossencoder.document_text(*RIGHT), 1),
        (QUERY, crossencoder.document_text(*WRONG), 0),
        ("Bill Gates puts microchips in vaccines", "Bill Gates wants to put microchips in "
         "vaccines. Gates Microchip Vaccines", 1),
        ("Bill Gates puts microchips in vaccines", "Bill Gates bought farmland in Nebraska. "
         "Gates Farmland", 0),
    ]
    about = fine_tune(examples, path, epochs=8, lr=1e-4, batch=4, log=lambda _: None)
    (path / crossencoder.ABOUT).write_text(json.dumps(
        {**about, "top": 2, "combination": CROSS_ONLY}))
    return path


def test_the_combination_is_a_logistic_regression_over_the_two_scores():
    assert crossencoder.combine(CROSS_ONLY, 0.9, 0.0) == pytest.approx(0.5)
    assert crossencoder.combine(CROSS_ONLY, 0.1, 2.0) == pytest.approx(crossencoder.sigmoid(2))
    both = {**CROSS_ONLY, "coef": [1.0, 1.0]}
    assert crossencoder.combine(both, 0.5, 0.0) == pytest.approx(0.5)
    assert crossencoder.combine(both, 0.8, 0.0) == pytest.approx(0.8)
    assert crossencoder.combine(both, 0.8, 1.0) > 0.8 > crossencoder.combine(both, 0.8, -1.0)


def test_no_stage_without_a_built_model(settings, tmp_path):
    settings.FACTCHECK_CROSSENCODER_PATH = tmp_path / "nothing"
    assert crossencoder.load_stage().model is None
    # Half-written (the combination is written last): not used either.
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "config.json").write_text("{}")
    (tmp_path / "partial" / crossencoder.WEIGHTS).write_bytes(b"weights")
    settings.FACTCHECK_CROSSENCODER_PATH = tmp_path / "partial"
    assert not crossencoder.built_at(tmp_path / "partial")
    assert crossencoder.load_stage().model is None


@needs_extra
def test_a_tiny_cross_encoder_learns_its_pairs(tiny_model):
    model = crossencoder.CrossEncoder(tiny_model)
    right, wrong = model.logits([(QUERY, crossencoder.document_text(*RIGHT)),
                                 (QUERY, crossencoder.document_text(*WRONG))])
    assert right > 0 > wrong
    # The same pair scores the same, alone or batched with others of another length.
    alone = model.logits([(QUERY, crossencoder.document_text(*RIGHT))])[0]
    assert alone == pytest.approx(right, abs=1e-4)


@needs_extra
def test_rescore_reorders_the_top_and_keeps_the_rest_below(tiny_model):
    model = crossencoder.CrossEncoder(tiny_model)
    texts = {1: WRONG, 2: RIGHT, 3: ("Cats can fly.", "Flying Cats")}
    # The re-ranker put the wrong one first; the third was not among the top 2 read.
    rows = [Scored(1, 0.9, ()), Scored(2, 0.6, ()), Scored(3, 0.55, ())]
    crossencoder.rescore(model, [QUERY], [rows], texts)
    assert [r.factcheck_id for r in rows] == [2, 1, 3]
    assert crossencoder.REASON in rows[0].reasons
    assert crossencoder.REASON not in rows[1].reasons
    assert rows[0].score > 0.5 > rows[1].score
    assert rows[2].score <= rows[1].score


@needs_extra
@pytest.mark.django_db
def test_matching_runs_the_stage_only_when_built(fresh_matching, tiny_model, tmp_path):
    settings = fresh_matching
    settings.FACTCHECK_MATCHING_EMBEDDINGS = "on"
    settings.FACTCHECK_VECTORS_PATH = tmp_path / "vectors.npz"
    right, wrong = (FactCheck.objects.create(url=f"https://example.org/fc/{i}",
                                             claim_reviewed=claim, title=title,
                                             origin=FactCheckOrigin.FILE)
                    for i, (claim, title) in enumerate((RIGHT, WRONG)))

    settings.FACTCHECK_CROSSENCODER_PATH = tmp_path / "not-built"
    crossencoder.reset_stage()
    before = match_texts([QUERY])[0]
    assert all(crossencoder.REASON not in m.reasons for m in before)

    settings.FACTCHECK_CROSSENCODER_PATH = tiny_model
    crossencoder.reset_stage()
    after = match_texts([QUERY])[0]
    assert after[0].factcheck_id == right.id
    assert crossencoder.REASON in after[0].reasons
    by_id = {m.factcheck_id: m.score for m in after}
    assert by_id[right.id] > 0.5 > by_id[wrong.id]
    assert [m.score for m in after] != [m.score for m in before]

    # Words alone (embeddings off): the stage, fitted on the semantic re-ranker, stays off.
    settings.FACTCHECK_MATCHING_EMBEDDINGS = "off"
    lexical = match_texts([QUERY])[0]
    assert all(crossencoder.REASON not in m.reasons for m in lexical)
    assert features.model_name(False) == "lexical"
