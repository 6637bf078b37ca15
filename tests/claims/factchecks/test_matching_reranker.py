"""The shipped re-ranker (claims/factchecks/reranker.json) and the embeddings path: the
artefact loads, names the features the code computes and scores sensibly; with the
[embeddings] extra, a paraphrase sharing few words is found by meaning, and the vectors are
kept on disk so a new process encodes nothing again."""

from __future__ import annotations

import pytest

from claims.factchecks import dense, features
from claims.factchecks.embedding import embeddings_available
from claims.factchecks.matching import match_text
from claims.models import FactCheck, FactCheckOrigin


def test_the_shipped_artefact_loads_and_scores():
    features.reranker.cache_clear()
    artefact = features.reranker()
    assert artefact["lexical"]["features"] == list(features.LEXICAL)
    assert artefact["semantic"]["features"] == list(features.SEMANTIC)
    assert artefact["semantic_tuned"]["features"] == list(features.SEMANTIC)
    assert "training split only" in artefact["about"]
    for name, names in (("lexical", features.LEXICAL), ("semantic", features.SEMANTIC),
                        ("semantic_tuned", features.SEMANTIC)):
        model = artefact[name]
        assert len(model["coef"]) == len(model["mean"]) == len(model["scale"]) == len(names)
        # A repeat of the claim (most words shared, first by BM25 and by meaning) against
        # a candidate that shares a common word or two.
        strong = {"claim_bm25": 0.4, "title_bm25": 0.3, "relative": 1.0, "query_cover": 0.7,
                  "claim_cover": 0.8, "figures": 1.0, "lex_rank": 1.0, "cos_claim": 0.8,
                  "cos_title": 0.7, "cos_gap": 0.0, "cos_title_gap": 0.0, "dense_rank": 1.0}
        weak = {"claim_bm25": 0.05, "title_bm25": 0.02, "relative": 0.3, "query_cover": 0.1,
                "claim_cover": 0.1, "figures": -1.0, "lex_rank": 0.05, "cos_claim": 0.2,
                "cos_title": 0.15, "cos_gap": -0.6, "cos_title_gap": -0.5, "dense_rank": 0.05}
        high, low = features.apply_model(model, strong), features.apply_model(model, weak)
        assert 0.0 <= low < high <= 1.0
        assert high > 0.5 > low


@pytest.mark.skipif(not embeddings_available(), reason="the [embeddings] extra is not installed")
@pytest.mark.django_db
def test_embeddings_find_a_paraphrase_and_keep_vectors(fresh_matching, tmp_path):
    settings = fresh_matching
    settings.FACTCHECK_MATCHING_EMBEDDINGS = "on"
    settings.FACTCHECK_VECTORS_PATH = tmp_path / "vectors.npz"
    rows = [
        ("Drinking hot water kills the coronavirus.", "Does Hot Water Kill COVID-19?"),
        ("The Eiffel Tower was sold for scrap twice.", "Was the Eiffel Tower Sold?"),
        ("A shark was photographed swimming on a flooded highway in Houston.",
         "Shark on a Highway?"),
        ("Bill Gates wants to put microchips in vaccines.", "Gates Microchip Vaccines"),
    ]
    made = [FactCheck.objects.create(url=f"https://example.org/fc/{i}", claim_reviewed=c,
                                     title=t, origin=FactCheckOrigin.FILE)
            for i, (c, t) in enumerate(rows)]
    found = match_text("A great white was seen in the water on a Texas freeway "
                       "after Hurricane Harvey")
    assert found[0].factcheck_id == made[2].id
    assert "close in meaning" in found[0].reasons
    # A bare link or emoji is near nothing, in meaning either.
    assert match_text("https://t.co/abc 😂😂 #") == []
    assert settings.FACTCHECK_VECTORS_PATH.exists()
    # A new process (a new index) reads the vectors instead of encoding them.
    dense.reset_dense_index()
    store = dense.VectorStore(settings.FACTCHECK_VECTORS_PATH)
    assert len(store.known) == len(rows)
    assert store.ensure([(m.id, m.claim_reviewed, m.title) for m in made]) == \
        [store.known[dense.digest(m.claim_reviewed, m.title)] for m in made]
    assert store.added is False


@pytest.mark.skipif(not embeddings_available(), reason="the [embeddings] extra is not installed")
@pytest.mark.django_db
def test_a_respelled_name_reaches_the_word_index_only(fresh_matching, tmp_path):
    """"Gaddafi" reads "gadhafi" (the index's stem) for BM25, and the sentence encoder reads
    the query as typed: a stem such as "gadhafi" or "rememb" is not a word it ever saw."""
    from claims.factchecks.embedding import get_embedder
    from claims.factchecks.lexindex import get_index

    settings = fresh_matching
    settings.FACTCHECK_MATCHING_EMBEDDINGS = "on"
    settings.FACTCHECK_VECTORS_PATH = tmp_path / "vectors.npz"
    made = FactCheck.objects.create(url="https://example.org/fc/gadhafi",
                                    claim_reviewed="For Gadhafi, it is game over.",
                                    title="Is it game over for Gadhafi?",
                                    origin=FactCheckOrigin.FILE)
    embedder = get_embedder()
    asked: list[str] = []
    encode = embedder.encode

    def recording(texts):
        asked.extend(texts)
        return encode(texts)

    embedder.encode = recording
    try:
        found = match_text("Gaddafi is finished, it is game over for him")
    finally:
        embedder.encode = encode
    assert found[0].factcheck_id == made.id
    assert 'shares the words "gadhafi", "game"' in found[0].reasons[0]
    queries = [t for t in asked if "game over for him" in t]
    assert queries and set(queries) == {"Gaddafi is finished, it is game over for him"}
    assert get_index().respell("Gaddafi is finished") == "gadhafi is finished"


def test_vector_store_round_trip_keeps_every_digest(tmp_path, monkeypatch):
    """Digests are raw bytes: one ending in a NUL byte is found again after a reload."""
    import numpy as np

    class Fake:  # the model's shape (unit vectors of 384), not its meaning
        calls = 0

        def encode(self, texts):
            Fake.calls += 1
            return [np.full(384, (len(t) % 7 + 1) / 20.0, dtype=np.float32) for t in texts]

    monkeypatch.setattr(dense, "get_embedder", Fake)
    monkeypatch.setattr(dense, "digest", lambda c, t: (c[:19].ljust(19, "x")).encode() + b"\0")
    path = tmp_path / "v.npz"
    store = dense.VectorStore(path)
    rows = [(1, "first claim", "a title"), (2, "second claim", ""), (3, "first claim", "a title")]
    at = store.ensure(rows)
    assert at[0] == at[2] != at[1]
    store.save()
    again = dense.VectorStore(path)
    assert again.ensure(rows) == at and not again.added
    assert Fake.calls == 1
    assert np.allclose(again.claim[at], store.claim[at], atol=1e-3)


@pytest.mark.skipif(not embeddings_available(), reason="the [embeddings] extra is not installed")
def test_loading_a_model_draws_no_progress_bar(capfd):
    """match_claims' stderr and the worker's log once showed a "Loading weights" bar."""
    from claims.assist.similarity import Embedder as SimilarityEmbedder
    from claims.factchecks.embedding import Embedder, Encoder

    Embedder(Encoder(None, "all-MiniLM-L6-v2"))
    SimilarityEmbedder()
    assert "Loading weights" not in capfd.readouterr().err
