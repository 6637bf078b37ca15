"""JSON exports, streamed: a JSON array (one file) or JSON Lines (one object a line)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder

from .rows import iso_datetime


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        # Full-precision UTC timestamps (DjangoJSONEncoder trims to milliseconds).
        if isinstance(o, datetime):
            return iso_datetime(o)
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)


_encode = _Encoder(ensure_ascii=False).encode


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield _encode(record) + "\n"


def json_array_chunks(records: Iterable[dict]) -> Iterator[str]:
    """`[`, then the records separated by commas, then `]`: valid JSON, built as it goes."""
    yield "["
    separator = "\n"
    for record in records:
        yield separator + _encode(record)
        separator = ",\n"
    yield "\n]\n"
