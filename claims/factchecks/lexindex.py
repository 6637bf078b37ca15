"""An in-memory Okapi BM25 index of the FactCheck table, for claim matching.

Two fields, the claim reviewed and the title, each a sparse matrix (scipy, CSC: one
column a term) of BM25 term weights `tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))`; the
IDF is applied at query time from the document frequencies kept beside, so rows added
later change the IDF as they should. A query's score for every document is one sparse
matrix–vector product per field: a few milliseconds at 100,000 fact-checks.

Kept in step without a second copy of the data in the database: `refresh()` asks for the
newest `updated_at` (an indexed MAX, at most once every REFRESH_SECONDS) and, when it
moved, reads only the rows changed since into a small "recent" part; a changed row hides
its old version. When the recent part grows past a tenth of the whole, everything is
re-read. A deleted fact-check stays in the index until then: callers fetch the rows by id
and drop the missing (claims/selectors/factchecks.fact_check_matches).
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from claims.factchecks.instep import KeptInStep, every_row, newest_change
from claims.perprocess import PerProcess

K1 = 1.2
B = 0.75
REFRESH_SECONDS = 1.0

WORD = re.compile(r"[^\W_]+(?:[.,]\d+)*")
# Common English words carry no evidence of which claim a text repeats.
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
s t don didn doesn isn wasn weren won wouldn shouldn couldn ll re ve d m o y via amp rt
""".split())


def _stem(word: str) -> str:
    """A light English suffix stripping (plural and -ing/-ed forms), enough for BM25 to
    meet "vaccines" with "vaccine" and "banned" with "ban"; figures are left alone."""
    if word[0].isdigit() or len(word) <= 3:
        return word
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""),
                         ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            stem = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed", "edly") and len(stem) > 3 and stem[-1] == stem[-2] \
                    and stem[-1] not in "lsz":
                stem = stem[:-1]  # banned -> ban
            return stem
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased words without the common ones, lightly stemmed; figures keep their
    decimals ("3.5") and lose their thousands separators ("1,000" -> "1000")."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    out = []
    for word in WORD.findall(text):
        if word[0].isdigit():
            word = re.sub(r",(?=\d{3}\b)", "", word)
        elif word in STOPWORDS:
            continue
        out.append(_stem(word))
    return out


# --- Spelling variants of names ---------------------------------------------------------
# "Gaddafi", "Gadhafi", "Qaddafi", "Kadhafi": one name, spelt as each newsroom transliterates
# it. A query word the index has never seen is read as the index's word with the same
# skeleton (consonants, with c/g/q as k, no doubles) when exactly one word has it and the
# two are at most SPELLING_EDITS edits apart. Words the index knows are never changed.
SPELLING_MIN = 5
SPELLING_MAX = 30
SPELLING_EDITS = 2
AMBIGUOUS = ""
_NOT_CONSONANTS = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None,
                                 "y": None, "h": None, "w": None, "c": "k", "g": "k",
                                 "q": "k"})
_DOUBLES = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """The consonants of a lower-case word, accents, vowels, h, w and doubles aside, c, g
    and q as k: "gaddafi", "gadhafi" and "qadhafi" all give "kdf". "" for a word too short,
    too long or not all letters."""
    if not SPELLING_MIN <= len(word) <= SPELLING_MAX or not word.isalpha():
        return ""
    word = "".join(c for c in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(c))
    return _DOUBLES.sub(r"\1", word.translate(_NOT_CONSONANTS))


def edits(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _weights(docs: list[list[int]], ncols: int, avglen: float) -> sparse.csc_matrix:
    """BM25 term weights (without IDF) of tokenised documents, one row each."""
    indptr, indices, data = [0], [], []
    for terms in docs:
        counts = Counter(terms)
        norm = K1 * (1 - B + B * len(terms) / avglen) if avglen else K1
        for term, tf in counts.items():
            indices.append(term)
            data.append(tf * (K1 + 1) / (tf + norm))
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int64)), shape=(len(docs), ncols))
    return matrix.tocsc()


@dataclass
class Part:
    """A block of documents: the main one, read at build time, and the recent changes."""

    ids: np.ndarray
    claim: sparse.csc_matrix
    title: sparse.csc_matrix
    alive: np.ndarray  # False where a later version of the row is in the recent part

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass
class Candidate:
    factcheck_id: int
    claim_bm25: float
    title_bm25: float


class LexicalIndex(KeptInStep):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self.main: Part | None = None
        self.recent: Part | None = None
        self.recent_rows: dict[int, tuple[str, str]] = {}
        self.row_of: dict[int, tuple[str, int]] = {}  # id -> (part, row)
        self.df_claim = np.zeros(0, dtype=np.int64)
        self.df_title = np.zeros(0, dtype=np.int64)
        self.avg_claim = self.avg_title = 1.0
        self.count = 0
        self._recent_df = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        # skeleton -> the one word of the index with it (AMBIGUOUS for several), for the
        # first `spelled` words of self.terms (kept up as the vocabulary grows).
        self.spellings: dict[str, str] = {}
        self.spelled = 0

    # --- building -----------------------------------------------------------------------

    def _term_ids(self, tokens: list[str]) -> list[int]:
        ids = []
        for token in tokens:
            term = self.vocab.get(token)
            if term is None:
                term = self.vocab[token] = len(self.terms)
                self.terms.append(token)
            ids.append(term)
        return ids

    def _df(self, docs: list[list[int]]) -> np.ndarray:
        df = np.zeros(len(self.terms), dtype=np.int64)
        for terms in docs:
            for term in set(terms):
                df[term] += 1
        return df

    def _grow(self, array: np.ndarray) -> np.ndarray:
        if len(array) < len(self.terms):
            array = np.concatenate([array, np.zeros(len(self.terms) - len(array), np.int64)])
        return array

    def _part(self, rows: list[tuple[int, str, str]]) -> tuple[Part, list, list]:
        claims = [self._term_ids(tokenize(claim)) for _, claim, _ in rows]
        titles = [self._term_ids(tokenize(title)) for _, _, title in rows]
        ncols = len(self.terms)
        part = Part(
            ids=np.asarray([r[0] for r in rows], dtype=np.int64),
            claim=_weights(claims, ncols, self.avg_claim),
            title=_weights(titles, ncols, self.avg_title),
            alive=np.ones(len(rows), dtype=bool),
        )
        return part, claims, titles

    def build(self) -> None:
        """Read every fact-check (in id order, a chunk at a time) and index it."""
        with self.lock:
            self.vocab, self.terms = {}, []
            self.spellings, self.spelled = {}, 0
            watermark = newest_change()
            rows = [row for chunk in every_row() for row in chunk]
            claims = [self._term_ids(tokenize(c)) for _, c, _ in rows]
            titles = [self._term_ids(tokenize(t)) for _, _, t in rows]
            n = len(rows)
            self.avg_claim = (sum(map(len, claims)) / n) if n else 1.0
            self.avg_title = (sum(map(len, titles)) / n) if n else 1.0
            self.avg_claim = self.avg_claim or 1.0
            self.avg_title = self.avg_title or 1.0
            ncols = len(self.terms)
            self.main = Part(
                ids=np.asarray([r[0] for r in rows], dtype=np.int64),
                claim=_weights(claims, ncols, self.avg_claim),
                title=_weights(titles, ncols, self.avg_title),
                alive=np.ones(n, dtype=bool),
            )
            self.df_claim, self.df_title = self._df(claims), self._df(titles)
            self.row_of = {int(i): ("main", r) for r, i in enumerate(self.main.ids)}
            self.recent, self.recent_rows = None, {}
            self.count = n
            self._recent_df = (np.zeros(0, np.int64), np.zeros(0, np.int64))
            self.watermark = watermark
            self.checked_at = time.monotonic()

    def refresh(self, *, force: bool = False) -> None:
        """Bring the index in step with the table: cheap when nothing changed."""
        with self.lock:
            if self.main is None:
                self.build()
                return
            found = self.changes(force=force, every=REFRESH_SECONDS)
            if found is None:
                return
            newest, changed = found
            changed = list(changed[: max(1000, self.main.size // 10) + 1])
            if len(changed) + len(self.recent_rows) > max(1000, self.main.size // 10):
                self.build()
                return
            for fid, claim, title in changed:
                self.recent_rows[fid] = (claim, title)
            self._rebuild_recent()
            self.watermark = newest

    def _rebuild_recent(self) -> None:
        # The recent part is read again whole: its documents' frequencies come out first.
        self.df_claim = self._grow(self.df_claim)
        self.df_title = self._grow(self.df_title)
        self.df_claim[: len(self._recent_df[0])] -= self._recent_df[0]
        self.df_title[: len(self._recent_df[1])] -= self._recent_df[1]
        rows = [(fid, c, t) for fid, (c, t) in self.recent_rows.items()]
        # A row now in the recent part hides its old version in the main one. (Its old
        # terms stay in the document frequencies until the next full build: a drift of at
        # most a tenth, which the ranking does not notice.)
        assert self.main is not None
        for fid, _, _ in rows:
            where = self.row_of.get(fid)
            if where and where[0] == "main" and self.main.alive[where[1]]:
                self.main.alive[where[1]] = False
        part, claims, titles = self._part(rows)
        recent_df = (self._df(claims), self._df(titles))
        self.df_claim = self._grow(self.df_claim) + recent_df[0]
        self.df_title = self._grow(self.df_title) + recent_df[1]
        self.count = int(self.main.alive.sum()) + part.size
        self._recent_df = recent_df
        self.recent = part
        for r, fid in enumerate(part.ids):
            self.row_of[int(fid)] = ("recent", r)

    # --- searching ----------------------------------------------------------------------

    def idf(self, df: np.ndarray, terms: np.ndarray) -> np.ndarray:
        n = max(self.count, 1)
        d = df[terms].astype(np.float64)
        return np.log(1.0 + (n - d + 0.5) / (d + 0.5))

    def query_terms(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's known terms and how often each occurs in it."""
        counts = Counter(t for t in (self.vocab.get(tok) for tok in tokenize(text))
                         if t is not None)
        terms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        freq = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        return terms, freq

    def _scores(self, part: Part, terms, w_claim, w_title):
        cols = terms[terms < part.claim.shape[1]]
        keep = terms < part.claim.shape[1]
        claim = part.claim[:, cols] @ w_claim[keep] if len(cols) else np.zeros(part.size)
        title = part.title[:, cols] @ w_title[keep] if len(cols) else np.zeros(part.size)
        claim = np.asarray(claim).ravel()
        title = np.asarray(title).ravel()
        return claim, title

    def search(self, text: str, *, limit: int = 50, also: Sequence[int] = ()) -> list[Candidate]:
        """The `limit` best documents by BM25 (claim + title), best first, then the
        fact-checks of `also` (found another way) not among them, with their BM25 scores
        (read from the same products: no second pass)."""
        with self.lock:
            if self.main is None:
                self.build()
            terms, freq = self.query_terms(text)
            if not len(terms):
                return [Candidate(int(fid), 0.0, 0.0) for fid in dict.fromkeys(also)]
            w_claim = self.idf(self.df_claim, terms) * freq
            w_title = self.idf(self.df_title, terms) * freq
            ids, claims, titles = [], [], []
            extra: dict[int, Candidate] = {}
            for name, part in (("main", self.main), ("recent", self.recent)):
                if part is None or not part.size:
                    continue
                claim, title = self._scores(part, terms, w_claim, w_title)
                total = np.where(part.alive, claim + title, 0.0)
                k = min(limit, part.size)
                best = np.argpartition(-total, k - 1)[:k] if k < part.size else \
                    np.arange(part.size)
                best = best[total[best] > 0]
                ids.append(part.ids[best])
                claims.append(claim[best])
                titles.append(title[best])
                for fid in also:
                    where = self.row_of.get(int(fid))
                    if where is not None and where[0] == name:
                        row = where[1]
                        extra[int(fid)] = Candidate(int(fid), float(claim[row]),
                                                    float(title[row]))
            found: list[Candidate] = []
            if ids:
                ids = np.concatenate(ids)
                claims = np.concatenate(claims)
                titles = np.concatenate(titles)
                order = np.lexsort((ids, -(claims + titles)))[:limit]
                found = [Candidate(int(ids[i]), float(claims[i]), float(titles[i]))
                         for i in order]
            seen = {c.factcheck_id for c in found}
            for fid in dict.fromkeys(int(f) for f in also):
                if fid not in seen:
                    found.append(extra.get(fid, Candidate(fid, 0.0, 0.0)))
            return found

    def _learn_spellings(self) -> None:
        for term in self.terms[self.spelled:]:
            key = skeleton(term)
            if key:
                known = self.spellings.get(key)
                self.spellings[key] = term if known is None or known == term else AMBIGUOUS
        self.spelled = len(self.terms)

    def respell(self, text: str) -> str:
        """`text` with each word the index does not know, but knows in another spelling
        (see SPELLING_EDITS), written as the index spells it: "Gaddafi is finished" reads
        "gadhafi is finished" when the fact-checks say "Gadhafi"."""
        with self.lock:
            if self.main is None:
                self.build()
            self._learn_spellings()

            def variant(match: re.Match) -> str:
                word = match.group(0)
                low = unicodedata.normalize("NFKC", word).lower()
                if low in STOPWORDS or not low.isalpha():
                    return word
                stem = _stem(low)
                if stem in self.vocab:
                    return word
                known = self.spellings.get(skeleton(stem))
                if known and edits(stem, known) <= SPELLING_EDITS:
                    return known
                return word

            return WORD.sub(variant, text)

    def max_score(self, text: str) -> float:
        """The most a document could score for `text` in one field (every term at the
        highest term weight): scales BM25 into 0..1 whatever the query's length."""
        with self.lock:
            terms, freq = self.query_terms(text)
            if not len(terms):
                return 0.0
            return float((self.idf(self.df_claim, terms) * freq).sum() * (K1 + 1))

    def idf_of(self, tokens: list[str]) -> dict[str, float]:
        with self.lock:
            out = {}
            n = max(self.count, 1)
            for token in tokens:
                term = self.vocab.get(token)
                d = int(self.df_claim[term]) if term is not None and term < len(
                    self.df_claim) else 0
                out[token] = math.log(1.0 + (n - d + 0.5) / (d + 0.5))
            return out


_index = PerProcess(LexicalIndex)
get_index = _index.get
reset_index = _index.reset  # tests switch databases under it
