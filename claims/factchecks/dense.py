"""Nearest fact-checks in meaning (the optional `[embeddings]` extra): a MiniLM vector of
every fact-check's claim and title, held in memory, searched by one matrix product.

The vectors are worth keeping: encoding costs about 5 ms a text on a free CPU core, so a
100,000-fact-check table takes minutes to encode once. They are saved to
FACTCHECK_VECTORS_PATH (default var/factcheck-vectors.npz), keyed by a digest of the text
they encode, so a restart, another process or a re-import of the same text encodes
nothing again. The file records which encoder made them (embedding.py): vectors of another
encoder are dropped and the texts encoded again. Kept in step as the lexical index is: rows
changed since the newest `updated_at` read are encoded and added; a changed row hides its
old vectors.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings

from claims.factchecks.embedding import STOCK, get_embedder, get_encoder
from claims.factchecks.instep import KeptInStep, every_row, newest_change
from claims.perprocess import PerProcess

REFRESH_SECONDS = 1.0
# After a call found more to encode than it may, how long the index waits before trying
# again (reloading the vectors another process may have saved meanwhile).
RETRY_SECONDS = 60.0


class NotEncoded(Exception):
    """More fact-checks lack a vector than this call may encode (a page must not wait
    minutes for a model): the caller matches by words alone, and `import_factchecks` or a
    worker encodes them (claims.factchecks.matching.warm)."""


def digest(claim: str, title: str) -> bytes:
    return hashlib.sha1(f"{claim}\x1f{title}".encode("utf-8", "surrogatepass")).digest()


def vectors_path() -> Path:
    return Path(getattr(settings, "FACTCHECK_VECTORS_PATH",
                        Path(settings.VAR_DIR) / "factcheck-vectors.npz"))


def saved_encoder(data) -> str:
    """The identity of the encoder that made a saved file's vectors (a file saved before
    they recorded it was made by the stock model)."""
    return str(data["encoder"]) if "encoder" in data.files else STOCK


class VectorStore:
    """{digest: (claim vector, title vector)} on disk, loaded once: only the vectors made
    by `encoder` (an identity, default this process's encoder)."""

    def __init__(self, path: Path, encoder: str | None = None) -> None:
        self.path = path
        self.encoder = get_encoder().identity if encoder is None else encoder
        self.known: dict[bytes, int] = {}
        self.claim = np.zeros((0, 384), dtype=np.float32)
        self.title = np.zeros((0, 384), dtype=np.float32)
        self.added = False
        if path.exists():
            with np.load(path) as data:
                if saved_encoder(data) != self.encoder:
                    # Another encoder's vectors: encoded again, and the file replaced on save.
                    return
                keys = data["digests"]
                self.claim = data["claim"].astype(np.float32)
                self.title = data["title"].astype(np.float32)
            # Raw bytes (n x 20), not a bytes dtype: numpy's "S" strips trailing NULs.
            self.known = {k.tobytes(): i for i, k in enumerate(keys)}

    def ensure(self, rows: list[tuple[int, str, str]], limit: int | None = None) -> list[int]:
        """The store's row of each (id, claim, title), encoding what it lacks (NotEncoded,
        encoding nothing, when that is more than `limit` texts)."""
        wanted = {}
        for _, claim, title in rows:
            key = digest(claim, title)
            if key not in self.known and key not in wanted:
                wanted[key] = (claim, title or claim)
        if limit is not None and len(wanted) > limit:
            raise NotEncoded(f"{len(wanted):,} fact-checks have no vector yet")
        if wanted:
            texts = [t for pair in wanted.values() for t in pair]
            embedder = get_embedder()
            made_by = getattr(embedder, "encoder", None)
            if made_by is not None and made_by.identity != self.encoder:
                raise ValueError(f"vectors of {self.encoder} cannot be made by {made_by.name}")
            # Kept at the precision they are saved with (float16), so a vector read back from
            # disk scores exactly as the one just encoded.
            vectors = np.asarray(embedder.encode(texts), dtype=np.float16).astype(np.float32)
            start = len(self.claim)
            self.claim = np.vstack([self.claim, vectors[0::2]])
            self.title = np.vstack([self.title, vectors[1::2]])
            for i, key in enumerate(wanted):
                self.known[key] = start + i
            self.added = True
        return [self.known[digest(claim, title)] for _, claim, title in rows]

    def save(self) -> None:
        if not self.added:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.zeros((len(self.claim), 20), dtype=np.uint8)
        for key, i in self.known.items():
            keys[i] = np.frombuffer(key, dtype=np.uint8)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, digests=keys, claim=self.claim.astype(np.float16),
                 title=self.title.astype(np.float16), encoder=np.asarray(self.encoder))
        tmp.replace(self.path)
        self.added = False


class DenseIndex(KeptInStep):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.store: VectorStore | None = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int64)  # row of each id in the store
        self.position: dict[int, int] = {}
        self.retry_at = 0.0
        self._matrices: tuple[np.ndarray, np.ndarray] | None = None

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """The claim and title vectors in the order of `ids` (copied once per change)."""
        if self._matrices is None:
            assert self.store is not None
            self._matrices = (self.store.claim[self.rows], self.store.title[self.rows])
        return self._matrices

    def _add(self, rows: list[tuple[int, str, str]], limit: int | None = None) -> int:
        """Put these rows in the index; how many texts had to be encoded."""
        assert self.store is not None
        known = len(self.store.known)
        store_rows = self.store.ensure(rows, limit)
        fresh_ids, fresh_rows = [], []
        for (fid, _, _), row in zip(rows, store_rows, strict=True):
            at = self.position.get(fid)
            if at is not None:
                self.rows[at] = row
            else:
                fresh_ids.append(fid)
                fresh_rows.append(row)
        if fresh_ids:
            start = len(self.ids)
            self.ids = np.concatenate([self.ids, np.asarray(fresh_ids, dtype=np.int64)])
            self.rows = np.concatenate([self.rows, np.asarray(fresh_rows, dtype=np.int64)])
            self.position.update({fid: start + i for i, fid in enumerate(fresh_ids)})
        self._matrices = None
        self.store.save()
        return len(self.store.known) - known

    def build(self, limit: int | None = None) -> None:
        with self.lock:
            try:
                self._build(limit)
            except NotEncoded:
                self.store = None  # the next try reloads the vectors saved meanwhile
                self.retry_at = time.monotonic() + RETRY_SECONDS
                raise

    def _build(self, limit: int | None) -> None:
        self.store = VectorStore(vectors_path())
        self.ids = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int64)
        self.position = {}
        self._matrices = None
        self.watermark = newest_change()
        left = limit  # texts this build may still encode (None: all)
        for chunk in every_row():
            encoded = self._add(chunk, left)
            left = None if left is None else left - encoded
        self.checked_at = time.monotonic()

    def refresh(self, *, force: bool = False, limit: int | None = None) -> None:
        """Bring the index in step with the table, encoding at most `limit` texts (None: all
        of them) or raising NotEncoded."""
        with self.lock:
            if self.store is None:
                if limit is not None and time.monotonic() < self.retry_at:
                    raise NotEncoded("waiting for the fact-checks' vectors")
                self.build(limit)
                return
            found = self.changes(force=force, every=REFRESH_SECONDS)
            if found is None:
                return
            newest, changed = found
            try:
                self._add(list(changed), limit)
            except NotEncoded:
                self.checked_at += RETRY_SECONDS  # the rows are read again then
                raise
            self.watermark = newest

    def vectors(self, rows: list[tuple[int, str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """The claim and title vectors of (id, claim, title) rows: from the store, encoding
        only what it lacks."""
        with self.lock:
            if self.store is None:
                self.build()
            assert self.store is not None
            at = self.store.ensure(rows)
            self.store.save()
            return self.store.claim[at], self.store.title[at]

    def search(self, vector: np.ndarray, *, limit: int) -> list[tuple[int, float]]:
        """(id, cosine with the claim), the `limit` nearest by claim and title, best first."""
        with self.lock:
            if self.store is None or not len(self.ids):
                return []
            claims, titles = self.matrices()
            claim = claims @ vector
            title = titles @ vector
            total = claim + title
            k = min(limit, len(total))
            best = np.argpartition(-total, k - 1)[:k] if k < len(total) else np.arange(k)
            best = best[np.argsort(-total[best], kind="stable")]
            return [(int(self.ids[i]), float(claim[i])) for i in best]


_index = PerProcess(DenseIndex)
get_dense_index = _index.get
reset_dense_index = _index.reset  # tests switch databases under it
