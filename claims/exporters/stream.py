"""The CSV, JSON Lines and JSON exports of a selection of claims
(claim_export_selection: which claims, in which order), as iterators of text.

Every format is built from the same records (rows.export_rows), read from the database a
chunk at a time, so memory stays flat whatever the number of claims."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction

from claims.exporters import csv, json
from claims.exporters.rows import export_rows
from claims.selectors.exports import with_export_fields


def _records(selection) -> Iterator[dict]:
    """The selection's records, read in one transaction on PostgreSQL.

    Outside a transaction Django declares its server-side cursor WITH HOLD, and PostgreSQL
    then computes every row of the export before it sends the first; inside one the cursor
    streams, and every chunk comes from the same snapshot. JIT is off for it: compiling the
    export's wide query costs seconds before the first row and saves nothing on a read that
    streams. (SQLite reads in chunks without this, and a transaction there would hold the
    write lock for the whole download.)"""
    records = export_rows(with_export_fields(selection))
    if connection.vendor != "postgresql":
        yield from records
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from records


def csv_stream(selection, *, bom: bool = True) -> Iterator[str]:
    return csv.csv_lines(_records(selection), bom=bom)


def jsonl_stream(selection) -> Iterator[str]:
    return json.jsonl_lines(_records(selection))


def json_stream(selection) -> Iterator[str]:
    return json.json_array_chunks(_records(selection))
