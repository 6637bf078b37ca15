"""Pick the exporter for a format and a database: PostgreSQL writes CSV and JSON text
itself and keeps it (pgsql.py); elsewhere (SQLite) Python builds each row (rows.py, csv.py,
json.py). Both produce the same records for the same selection
(selectors.claim_export_selection: which claims, in which order)."""

from __future__ import annotations

from collections.abc import Iterator

from claims import selectors

from . import csv, json, pgsql
from .rows import export_rows


def csv_stream(selection, *, bom: bool = True) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.csv_chunks(selection, bom=bom)
    return csv.csv_lines(export_rows(selectors.with_export_fields(selection)), bom=bom)


def jsonl_stream(selection) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.jsonl_chunks(selection)
    return json.jsonl_lines(export_rows(selectors.with_export_fields(selection)))


def json_stream(selection) -> Iterator[str]:
    if pgsql.supported():
        return pgsql.json_array_chunks(selection)
    return json.json_array_chunks(export_rows(selectors.with_export_fields(selection)))
