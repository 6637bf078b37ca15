"""Pick the exporter for a format and a database: PostgreSQL writes CSV and JSON text
itself (pgsql.py); elsewhere (SQLite) Python builds each row (rows.py, csv.py, json.py).
Both produce the same records from the same selector queryset."""

from __future__ import annotations

from collections.abc import Iterator

from . import csv, json, pgsql
from .rows import export_rows


def csv_stream(claims, *, bom: bool = True) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.csv_chunks(claims, bom=bom)
    return csv.csv_lines(export_rows(claims), bom=bom)


def jsonl_stream(claims) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.jsonl_chunks(claims)
    return json.jsonl_lines(export_rows(claims))


def json_stream(claims) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.json_array_chunks(claims)
    return json.json_array_chunks(export_rows(claims))
