"""JSON from outside, read within bounds: how deep lists and objects may nest, and how many
bytes one document may hold.

Python's json module parses nested values by recursion, and ijson (the streaming parser the
fact-check importer uses) keeps the path to every value it reads: a few hundred kilobytes
of `[[[[...` end in a RecursionError, or in gigabytes of paths before anything is
refused. So nesting is measured first, on the text itself, by a scanner that keeps no
more than a counter and whether it is inside a string; only text that nests at most
MAX_DEPTH levels reaches a parser. ClaimReview, DataFeed, JSON-LD and the API's bodies
need fewer than ten.

- `loads(data)`: json.loads, after the size and nesting checks.
- `check_depth(data)`: the nesting check alone, for text about to be parsed another way.
- `DepthLimitedReader(stream)`: a binary stream whose reads refuse, before they return it,
  a piece that takes the nesting past the limit; for parsers that read a stream (ijson,
  DRF's parser), so the whole input is never held.
- `NestingGauge`: the scanner itself, fed piece by piece.

Refusals are ValueErrors (so code that already refuses malformed JSON refuses these too)
that say in words what was wrong.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, BinaryIO

MAX_DEPTH = 64
# After the limit is passed, a stream is scanned this much further to say how deep it goes.
SCAN_ON_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024

# Inside a string, a backslash and the byte after it are one character (an escape).
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STEP = [0] * 256
for _open, _close in (b"[]", b"{}"):
    _STEP[_open], _STEP[_close] = 1, -1


class JSONRefused(ValueError):
    """JSON that is not parsed because of its shape or size; the message says why."""


class TooDeep(JSONRefused):
    def __init__(self, depth: int, limit: int = MAX_DEPTH, *, subject: str = "It",
                 at_least: bool = False):
        self.depth, self.limit, self.at_least = depth, limit, at_least
        super().__init__(self.words(subject))

    def words(self, subject: str) -> str:
        """The refusal, said of `subject` ("It", "The request body", ...)."""
        how_deep = f"{'at least ' if self.at_least else ''}{self.depth:,} levels deep"
        return (f"{subject} nests lists or objects {how_deep}; the desk reads at most "
                f"{self.limit} levels.")


class TooLarge(JSONRefused):
    def __init__(self, limit: int, *, size: int | None = None, subject: str = "It"):
        self.limit, self.size = limit, size
        super().__init__(f"{subject} is larger than {_amount(limit)}; the desk reads at most "
                         f"that much.")


def _amount(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024):,} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024:,} KB"
    return f"{size:,} bytes"


class NestingGauge:
    """How deep lists and objects nest in JSON text fed to it in pieces of any size (split
    anywhere, even inside a string or an escape). Brackets inside strings do not count. It
    does not check that the text is JSON: the parser that follows does."""

    def __init__(self) -> None:
        self.depth = 0
        self.deepest = 0
        self._in_string = False
        self._escaped = False  # the last piece ended on a backslash inside a string

    def feed(self, data: bytes | str) -> int:
        """Reads `data`; returns the deepest nesting seen so far."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        if self._escaped and data:
            data = data[1:]
            self._escaped = False
        if b"\\" in data:
            data = _ESCAPE.sub(b"", data)
            if data.endswith(b"\\"):  # an escape split between this piece and the next
                data = data[:-1]
                self._escaped = True
        # Only quotes and brackets matter. Two quotes side by side then either close and
        # open strings with nothing between them or make an empty one: either way they can go.
        data = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
        if b'"' in data:
            parts = data.split(b'"')
            outside = parts[1::2] if self._in_string else parts[::2]
            if len(parts) % 2 == 0:
                self._in_string = not self._in_string
            data = b"".join(outside)
        elif self._in_string:
            return self.deepest
        if data:
            levels = list(accumulate(map(_STEP.__getitem__, data), initial=self.depth))
            self.depth = levels[-1]
            self.deepest = max(self.deepest, max(levels))
        return self.deepest


def check_depth(data: bytes | str, *, limit: int = MAX_DEPTH, subject: str = "It") -> None:
    """Raises TooDeep when lists or objects in `data` nest more than `limit` levels."""
    deepest = NestingGauge().feed(data)
    if deepest > limit:
        raise TooDeep(deepest, limit, subject=subject)


def loads(data: bytes | str, *, limit: int = MAX_DEPTH, max_bytes: int | None = None,
          subject: str = "It") -> Any:
    """json.loads for text from outside: refuses (TooLarge, TooDeep) before parsing."""
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLarge(max_bytes, size=len(data), subject=subject)
    check_depth(data, limit=limit, subject=subject)
    return json.loads(data)


class DepthLimitedReader:
    """A binary stream that measures the nesting of what it passes on: a read that would
    take it past `limit` raises TooDeep instead of returning (after scanning on a little
    further, without keeping anything, to say how deep it goes). With `max_bytes`, reading
    past that many bytes raises TooLarge."""

    def __init__(self, stream: BinaryIO, *, limit: int = MAX_DEPTH,
                 max_bytes: int | None = None, subject: str = "It"):
        self._stream = stream
        self._gauge = NestingGauge()
        self._limit = limit
        self._max_bytes = max_bytes
        self._subject = subject
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        if self._max_bytes is not None:
            allowed = self._max_bytes + 1 - self._read
            size = allowed if size is None or size < 0 else min(size, allowed)
        data = self._stream.read(size)
        self._read += len(data)
        if self._max_bytes is not None and self._read > self._max_bytes:
            raise TooLarge(self._max_bytes, size=self._read, subject=self._subject)
        if self._gauge.feed(data) > self._limit:
            raise self._too_deep()
        return data

    def _too_deep(self) -> TooDeep:
        scanned = 0
        while scanned < SCAN_ON_BYTES:
            more = self._stream.read(_CHUNK)
            if not more:
                return TooDeep(self._gauge.deepest, self._limit, subject=self._subject)
            scanned += len(more)
            self._gauge.feed(more)
        return TooDeep(self._gauge.deepest, self._limit, subject=self._subject, at_least=True)

    def readable(self) -> bool:
        return True
