"""How the in-memory indexes of the FactCheck table (lexindex.py, dense.py) read it and keep
in step with it, without a second copy of the data in the database: every row in id order,
a chunk at a time; the newest `updated_at` (the watermark: how far an index has read, an
indexed MAX); and, asked at most once every few seconds, the rows changed since."""

from __future__ import annotations

import time
from collections.abc import Iterator

from claims.models import FactCheck

READ_CHUNK = 5000
FIELDS = ("id", "claim_reviewed", "title")


def newest_change():
    return FactCheck.objects.order_by("-updated_at").values_list(
        "updated_at", flat=True).first()


def every_row() -> Iterator[list[tuple[int, str, str]]]:
    """(id, claim reviewed, title) of every fact-check, in id order, READ_CHUNK at a time."""
    last = 0
    while True:
        chunk = list(FactCheck.objects.filter(id__gt=last).order_by("id").values_list(
            *FIELDS)[:READ_CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


class KeptInStep:
    """An index that has read the table up to `watermark`, and last asked at `checked_at`."""

    def __init__(self) -> None:
        self.watermark = None  # the newest updated_at read
        self.checked_at = 0.0

    def changes(self, *, force: bool, every: float):
        """(the newest updated_at, the rows changed since the watermark, in id order) when
        the table moved since; None when it did not, or when it was asked less than `every`
        seconds ago (unless `force`). The caller moves the watermark once it has read them."""
        now = time.monotonic()
        if not force and now - self.checked_at < every:
            return None
        self.checked_at = now
        newest = newest_change()
        if newest is None or (self.watermark is not None and newest <= self.watermark):
            return None
        changed = FactCheck.objects.order_by("id").values_list(*FIELDS)
        if self.watermark is not None:
            # >=: rows written in the same instant as the last one read come again.
            changed = changed.filter(updated_at__gte=self.watermark)
        return newest, changed
