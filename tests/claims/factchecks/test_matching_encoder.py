"""Which sentence encoder matching uses: the fine-tuned one at FACTCHECK_ENCODER_PATH when
it is built there, else the stock model; the saved vectors record their encoder, so vectors
made by another encoder are encoded again, never mixed; the re-ranker's model follows the
encoder."""

from __future__ import annotations

import numpy as np
import pytest

from claims.factchecks import dense, embedding, features
from claims.factchecks.embedding import (
    STOCK,
    Encoder,
    choose_encoder,
    embeddings_available,
    reset_embedder,
)


@pytest.fixture
def fresh_encoder():
    reset_embedder()
    dense.reset_dense_index()
    yield
    reset_embedder()
    dense.reset_dense_index()


def fake_encoder_dir(path, weights: bytes):
    path.mkdir(parents=True)
    (path / "modules.json").write_text("[]")
    (path / "model.safetensors").write_bytes(weights)
    return path


def test_the_setting_chooses_the_encoder(settings, tmp_path, fresh_encoder):
    settings.FACTCHECK_ENCODER_PATH = tmp_path / "encoder"
    assert embedding.get_encoder() == Encoder(None, STOCK)
    assert not embedding.get_encoder().tuned

    fake_encoder_dir(tmp_path / "encoder", b"weights one")
    # Chosen once per process: a new encoder is used after a reset (a new process).
    assert not embedding.get_encoder().tuned
    reset_embedder()
    chosen = embedding.get_encoder()
    assert chosen.tuned and chosen.path == tmp_path / "encoder"
    assert chosen.identity.startswith(f"{STOCK}-tuned:")

    other = fake_encoder_dir(tmp_path / "other", b"weights two")
    assert choose_encoder(other).identity != chosen.identity
    # Half-written (no weights yet): the stock model.
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "modules.json").write_text("[]")
    assert choose_encoder(tmp_path / "partial") == Encoder(None, STOCK)


class FakeEmbedder:
    """The model's shape (unit-ish vectors of 384), not its meaning; counts its calls."""

    def __init__(self, identity: str, value: float) -> None:
        self.encoder = Encoder(None, identity)
        self.value = value
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        return [np.full(384, self.value, dtype=np.float32) for _ in texts]


def test_vectors_of_another_encoder_are_encoded_again(tmp_path, monkeypatch):
    path = tmp_path / "vectors.npz"
    rows = [(1, "The moon is made of cheese.", "Cheese Moon?"), (2, "Cats can fly.", "")]

    first = FakeEmbedder("encoder-a", 0.01)
    monkeypatch.setattr(dense, "get_embedder", lambda: first)
    store = dense.VectorStore(path, encoder="encoder-a")
    at = store.ensure(rows)
    store.save()
    assert first.calls == 1

    # The same encoder: read back, nothing encoded.
    again = dense.VectorStore(path, encoder="encoder-a")
    assert again.ensure(rows) == at and not again.added and first.calls == 1

    # Another encoder: the saved vectors are not used; encoded again and the file replaced.
    second = FakeEmbedder("encoder-b", 0.02)
    monkeypatch.setattr(dense, "get_embedder", lambda: second)
    other = dense.VectorStore(path, encoder="encoder-b")
    assert other.known == {}
    rows_at = other.ensure(rows)
    assert second.calls == 1
    assert np.allclose(other.claim[rows_at], 0.02, atol=1e-4)
    other.save()
    with np.load(path) as data:
        assert str(data["encoder"]) == "encoder-b"
    assert dense.VectorStore(path, encoder="encoder-a").known == {}

    # A store never asks an embedder of another encoder for its vectors.
    wrong = dense.VectorStore(tmp_path / "new.npz", encoder="encoder-a")
    with pytest.raises(ValueError):
        wrong.ensure(rows)


def test_a_vector_file_that_names_no_encoder_is_the_stock_models(tmp_path):
    path = tmp_path / "old.npz"
    keys = np.zeros((1, 20), dtype=np.uint8)
    keys[0] = np.frombuffer(dense.digest("A claim.", "A title"), dtype=np.uint8)
    vector = np.full((1, 384), 0.05, dtype=np.float16)
    np.savez(path, digests=keys, claim=vector, title=vector)
    assert len(dense.VectorStore(path, encoder=STOCK).known) == 1
    assert dense.VectorStore(path, encoder=f"{STOCK}-tuned:abc").known == {}


def test_the_reranker_model_follows_the_encoder(monkeypatch):
    features.reranker.cache_clear()
    assert features.model_name(False) == "lexical"
    monkeypatch.setattr(features, "get_encoder", lambda: Encoder(None, STOCK))
    assert features.model_name(True) == "semantic"
    monkeypatch.setattr(features, "get_encoder",
                        lambda: Encoder(embedding.encoder_path(), f"{STOCK}-tuned:abc"))
    assert features.model_name(True) == "semantic_tuned"
    assert features.reranker()["semantic_tuned"]["features"] == list(features.SEMANTIC)


@pytest.mark.skipif(not embeddings_available(), reason="the [embeddings] extra is not installed")
def test_the_embedder_loads_the_chosen_encoder(settings, tmp_path, fresh_encoder):
    """A saved encoder whose weights differ from the stock model's gives other vectors."""
    import torch

    text = "A shark swam on a flooded highway in Houston."
    stock = embedding.get_embedder()
    assert not stock.encoder.tuned
    stock_vector = stock.encode([text])[0]

    tuned = stock.model
    with torch.no_grad():
        for name, parameter in tuned.named_parameters():
            if name.endswith("attention.output.dense.weight"):
                parameter.mul_(0.5)
    tuned.save(str(tmp_path / "encoder"))
    settings.FACTCHECK_ENCODER_PATH = tmp_path / "encoder"
    reset_embedder()
    chosen = embedding.get_embedder()
    assert chosen.encoder.tuned and chosen.encoder.path == tmp_path / "encoder"
    assert chosen is not stock
    tuned_vector = chosen.encode([text])[0]
    assert float(np.dot(stock_vector, tuned_vector)) < 0.999
