"""The CSV, JSON Lines and JSON exports of a selection of claims
(selectors.claim_export_selection: which claims, in which order), as iterators of text.

Every format is built from the same records (rows.export_rows), read from the database a
chunk at a time, so memory stays flat whatever the number of claims."""

from __future__ import annotations

from collections.abc import Iterator

from claims import selectors

from . import csv, json
from .rows import export_rows


def _records(selection):
    return export_rows(selectors.with_export_fields(selection))


def csv_stream(selection, *, bom: bool = True) -> Iterator[str]:
    return csv.csv_lines(_records(selection), bom=bom)


def jsonl_stream(selection) -> Iterator[str]:
    return json.jsonl_lines(_records(selection))


def json_stream(selection) -> Iterator[str]:
    return json.json_array_chunks(_records(selection))
