"""The learned check-worthiness model: the shipped artefact (small, plain JSON, loads and
scores known sentences as it did when trained), `make train` reproduces it, what runs is
what was trained, transcripts' speaker turns, and the ranking on news articles."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from benchmarks import checkworthy_train as recipe
from benchmarks.blas import VARIABLE, cpu_runs_kernel
from benchmarks.eval import checkworthy_cv
from claims.assist.checkworthy import MODEL_PATH, DocSentence, Model, load_model, shipped_model
from claims.assist.checkworthy.features import document_features, speaker_turns, terms
from claims.assist.ranking import rank
from claims.demo import ARTICLES
from factcheck.settings.base import BASE_DIR as ROOT

NATO, VOA = (a.body for a in ARTICLES)
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."
CLAIM = "Last year we lost 700,000 manufacturing jobs, more than any year since 1983."
THANKS = "Thank you very much, and good evening."
# What the shipped model.json gives these two sentences, read as one document (make train
# writes the same file, so these stay until the recipe or the data change).
EXPECTED_CLAIM_SCORE = 0.9486
EXPECTED_THANKS_SCORE = 0.0001
needs_data = pytest.mark.skipif(not (recipe.DEFAULT_DATA / recipe.CLEF).exists(),
                                reason=f"training data not at {recipe.DEFAULT_DATA}")


def _plain_json(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return isinstance(value, str | int | float | bool) or value is None


def test_shipped_artefact_is_small_plain_json_with_its_recipe():
    assert MODEL_PATH.stat().st_size < 25 * 1024 * 1024
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert _plain_json(data)
    assert data["format"] == "factcheck-checkworthy/2"
    assert any("ClaimBuster" in d for d in data["about"]["training_data"])
    assert any("CLEF-2019" in d for d in data["about"]["training_data"])
    assert data["about"]["settings"]["seed"] == recipe.SEED
    assert len(data["terms"]) > 10_000 and "hand:number" in data["features"]


def test_shipped_model_scores_known_sentences_as_trained():
    model = shipped_model()
    claim, thanks = model.score_document([DocSentence(CLAIM), DocSentence(THANKS)])
    assert claim.score == pytest.approx(EXPECTED_CLAIM_SCORE, abs=1e-4)
    assert thanks.score == pytest.approx(EXPECTED_THANKS_SCORE, abs=1e-4)
    assert claim.score > 5 * thanks.score
    # The hand-made reasons travel with the learned score.
    assert "states a number (700,000)" in claim.reasons
    assert any(r.startswith("a comparison") for r in claim.reasons)


def test_runtime_scoring_is_what_training_fitted():
    """The pure-Python scorer gives the probabilities scikit-learn's model gives."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    docs = [
        [DocSentence("Unemployment fell by 12 per cent last year.", "A"),
         DocSentence("Thank you, Senator.", "B"),
         DocSentence("We will win.", "A")],
        [DocSentence("Exports rose 11% to a record $40 billion."),
         DocSentence("I hope so."),
         DocSentence("Crime doubled in a decade, the report said.")],
    ]
    labels = [[1, 0, 0], [1, 0, 1]]
    examples = []
    for doc, doc_labels in zip(docs, labels, strict=True):
        rows = document_features(doc)
        for i, ((t, dense, _), label) in enumerate(zip(rows, doc_labels, strict=True)):
            examples.append(recipe.Example(
                t, dense, label, 1.0, prev=rows[i - 1][0] if i > 0 else None,
                next=rows[i + 1][0] if i + 1 < len(rows) else None))
    first = recipe.fit(examples, min_df=1)
    again = recipe.fit(examples, min_df=1)
    assert recipe.dumps(first) == recipe.dumps(again)  # deterministic
    # The neighbours' words have weights of their own.
    assert any(prev for _, _, prev, _ in first["terms"].values())
    assert any(nxt for _, _, _, nxt in first["terms"].values())
    model = Model(first)
    # Rebuild the same matrix by hand and ask scikit-learn directly.
    vocabulary = sorted(first["terms"])
    dense_names = sorted({k for e in examples for k in e.dense})
    size, scale = len(vocabulary), first["context_scale"]
    rows, cols, vals = [], [], []
    for r, e in enumerate(examples):
        # The sentence's words, then its previous and next sentences' words (scaled).
        for offset, factor, words in ((0, 1.0, e.terms), (size, scale, e.prev),
                                      (2 * size, scale, e.next)):
            found = [vocabulary.index(t) for t in sorted(words or ())]
            norm = math.sqrt(sum(first["terms"][vocabulary[i]][0] ** 2 for i in found))
            for i in found:
                rows.append(r)
                cols.append(offset + i)
                vals.append(factor * first["terms"][vocabulary[i]][0] / norm)
        for k, v in e.dense.items():
            rows.append(r)
            cols.append(3 * size + dense_names.index(k))
            vals.append(v)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(examples),
                                                     3 * size + len(dense_names)))
    sk = LogisticRegression(C=recipe.C, solver="lbfgs", max_iter=2000,
                            random_state=recipe.SEED).fit(matrix, np.array(sum(labels, [])))
    expected = sk.predict_proba(matrix)[:, 1]
    got = [s.score for doc in docs for s in model.score_document(doc)]
    assert got == pytest.approx(list(expected), abs=2e-4)


@needs_data
@pytest.mark.skipif(not cpu_runs_kernel(), reason="the shipped artefact was built with "
                    "OpenBLAS's Haswell kernels, which this CPU cannot run (benchmarks/blas.py)")
def test_make_train_reproduces_the_shipped_artefact(tmp_path):
    """What `make train` runs, as a program: it pins OpenBLAS's kernel (on an AVX-512 CPU its
    own kernels gave weights differing from the third decimal) and gives the same bytes."""
    out = tmp_path / "model.json"
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    done = subprocess.run([sys.executable, "-m", "benchmarks.checkworthy_train", "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == MODEL_PATH.read_text(encoding="utf-8")


def test_cross_validation_leaves_out_claimbuster_sentences_of_the_held_out_debate():
    """ClaimBuster holds sentences of CLEF's 2016 debates: a fold must not train on the
    held-out debate's own sentences, however they are cased and punctuated."""
    held_out = recipe.Document("debate", [
        DocSentence("We lost 700,000 manufacturing jobs under this administration."),
        DocSentence("Thank you very much."),
    ], [1, 0])
    texts = ["we lost 700,000 manufacturing jobs -- under this administration",
             "Thank you very much.",  # said in every debate: kept
             "We lost 700,000 farming jobs under this administration."]
    examples = [recipe.Example({t}, {}, 1, 1.0) for t in ("a", "b", "c")]
    kept = checkworthy_cv.without_held_out(
        examples, [checkworthy_cv.same_words(t) for t in texts], held_out)
    assert kept == examples[1:]


def test_speaker_turns_are_read_from_transcript_labels():
    text = ("MODERATOR: Senator, what about jobs?\n\nSMITH: We lost 700,000 jobs. "
            "That is a fact.\n\nMODERATOR: Thank you. And the deficit?\n\n"
            "SMITH: I will cut it.\n\nNote: times are Eastern.")
    ranked = rank(text)
    spans = {s.text for s in ranked}
    # The label is not part of the claim's words, and offsets still slice the text.
    assert "We lost 700,000 jobs." in spans and "SMITH: We lost 700,000 jobs." not in spans
    assert all(text[s.start:s.end] == s.text for s in ranked)
    assert ranked[0].text == "We lost 700,000 jobs."
    doc = speaker_turns(["MODERATOR: Hi.", "SMITH: Yes.", "More.", "MODERATOR: Bye.",
                         "SMITH: No.", "Note: once."], [True, True, False, True, True, True])
    assert [s.speaker for s in doc] == ["MODERATOR", "SMITH", "SMITH", "MODERATOR", "SMITH",
                                        "SMITH"]
    assert doc[2].text == "More." and doc[1].text == "Yes." and doc[5].text == "Note: once."
    plain = speaker_turns(["Note: once.", "Update: twice."], [True, True])
    assert all(s.speaker is None for s in plain)  # a label seen once is not a speaker


def test_numbers_are_folded_so_the_model_generalises_over_figures():
    assert "<num> jobs" in terms("We lost 700,000 jobs in 2016.")
    assert "in <year>" in terms("We lost 700,000 jobs in 2016.")


def test_demo_articles_rank_their_claims_first_with_reasons():
    top = rank(VOA, top=5)
    assert TWELVE in [s.text for s in top]
    twelve = next(s for s in top if s.text == TWELVE)
    assert "states a number (Twelve, 28)" in twelve.reasons
    for s in rank(NATO, top=5):
        assert NATO[s.start:s.end] == s.text and s.reasons


def test_load_model_refuses_an_unknown_format(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"format": "pickle"}))
    with pytest.raises(ValueError, match="Not a factcheck-checkworthy/2 model"):
        load_model(path)



def test_context_features_mark_the_main_speaker_roles_and_position():
    doc = [DocSentence("Welcome.", "HOLT"), DocSentence("We lost 700,000 jobs.", "SMITH"),
           DocSentence("That is a fact.", "SMITH"), DocSentence("(APPLAUSE)", "SYSTEM"),
           DocSentence("Why?", "HOLT"), DocSentence("Taxes rose.", "SMITH")]
    dense = [d for _, d, _ in document_features(doc)]
    assert [d.get("speaker:most") for d in dense] == [None, 1.0, 1.0, None, None, 1.0]
    assert dense[0].get("speaker:second") == 1.0 and dense[3].get("speaker:role") == 1.0
    assert "speaker:role" not in dense[0]  # a moderator known by name only is no role
    assert dense[0]["position"] == 0.0 and dense[-1]["position"] == 1.0
    assert dense[1]["length"] > dense[0]["length"] > 0
    # Without speaker labels (a news article) no speaker feature fires.
    plain = [d for _, d, _ in document_features([DocSentence("One."), DocSentence("Two.")])]
    assert not any(k.startswith("speaker:") and k != "speaker:none" for d in plain for k in d)
