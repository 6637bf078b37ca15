"""JSON exports, streamed: a JSON array (one file) or JSON Lines (one object a line)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder

from claims.exporters.rows import BLOCK_ROWS, batched, iso_datetime


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        # Full-precision UTC timestamps (DjangoJSONEncoder trims to milliseconds).
        if isinstance(o, datetime):
            return iso_datetime(o)
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)


# A record holds no reference to itself: no need to track the containers being encoded.
_encode = _Encoder(ensure_ascii=False, check_circular=False).encode


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    """One JSON text a line, BLOCK_ROWS lines per string handed on."""
    for block in batched(records, BLOCK_ROWS):
        yield "".join([_encode(record) + "\n" for record in block])


def json_array_chunks(records: Iterable[dict]) -> Iterator[str]:
    """`[`, then the records separated by commas, then `]`: valid JSON, built as it goes,
    BLOCK_ROWS records per string handed on."""
    yield "["
    separator = "\n"
    for block in batched(records, BLOCK_ROWS):
        parts = []
        for record in block:
            parts.append(separator + _encode(record))
            separator = ",\n"
        yield "".join(parts)
    yield "\n]\n"
