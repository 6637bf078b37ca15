"""The PostgreSQL fast path of the CSV and JSON Lines exports.

Building each row in Python costs tens of microseconds (psycopg turns ~30 columns into
Python objects, then csv/json turn them back into text): a million-claim export would take
minutes. Here PostgreSQL writes the text itself: CSV through `COPY (...) TO STDOUT` and JSON
Lines as one `json_build_object` string per row from a server-side cursor, read in blocks,
so Python only passes bytes along and memory stays flat.

The rows come from the same selector (the claims table's filters and ordering: the Django
query is compiled and wrapped, never rewritten) and match the Python exporters field for
field; tests/test_export_formats.py compares the two paths on PostgreSQL.
"""

from __future__ import annotations

import codecs
import csv as _csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from claims import selectors

from .claimreview import public_path
from .csv import FORMULA_TRIGGERS, HEADER

_SENTINEL = 987654321
# Text handed on at a time (to the HTTP response, the file, the benchmark's counter).
BLOCK_BYTES = 256 * 1024


def supported() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _export_transaction():
    """One read transaction per export, planned for streaming (each setting measured with
    benchmarks/export_bench.py). JIT off: compiling this wide query took ~5 s before the
    first row, more than it ever saves. Sorts discouraged: the indexed orderings then stream
    in index order from the first row instead of sorting every wide row to disk first. No
    parallel workers: gathering ~900-byte rows from them in order cost the leader 9x the
    workers' own time (6 s of 6.7 s for 100,000 rows)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _lit(value: str) -> str:
    """A SQL string literal (values come from settings and reverse(), never from users)."""
    return "'" + value.replace("'", "''") + "'"


def _url(path_with_sentinel: str, id_sql: str) -> str:
    prefix, _, suffix = (settings.SITE_URL + path_with_sentinel).partition(str(_SENTINEL))
    return f"({_lit(prefix)} || {id_sql}::text || {_lit(suffix)})"


def _ts(expr: str) -> str:
    # Canonical ISO 8601 in UTC with microseconds: what rows.iso_datetime writes.
    return f"""to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def _date(expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD')"


# The first character's code against integer constants: an integer test per column of every
# row, where `left(x, 1) IN ('=', ...)` cut and compared strings (0.19 s per 100,000 rows).
_TRIGGER_CODES = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS)


def _neutral(expr: str) -> str:
    return f"(CASE WHEN ascii({expr}) IN ({_TRIGGER_CODES}) THEN '''' || {expr} ELSE {expr} END)"


def _person(prefix: str) -> str:
    full = f'btrim(q."{prefix}_first_name" || \' \' || q."{prefix}_last_name")'
    return f"""(CASE WHEN q."{prefix}_username" IS NULL THEN ''
        WHEN {full} <> '' THEN {full} ELSE q."{prefix}_username" END)"""


def _columns() -> dict[str, str]:
    """Column name -> SQL over the wrapped selector query `q` (values, not yet text)."""
    claim_url = _url(reverse("claims:claim-detail", args=[_SENTINEL]), 'q."id"')
    public_url = _url(public_path(_SENTINEL), 'q."id"')
    return {
        "claim_id": 'q."id"',
        "claim_url": claim_url,
        "public_url": f"""(CASE WHEN q."first_published_at" IS NOT NULL THEN {public_url}
            ELSE '' END)""",
        "statement": 'q."statement"',
        "quote": 'q."quote"',
        "claimant": 'coalesce(q."claimant__name", \'\')',
        "claimant_role": 'coalesce(q."claimant__role", \'\')',
        "claimant_organisation": 'coalesce(q."claimant__organisation", \'\')',
        "article_title": 'q."article__title"',
        "article_outlet": 'q."article__outlet"',
        "article_url": 'q."article__url"',
        "article_published_on": 'q."article__published_on"',
        "status": 'q."status"',
        "verdict_state": 'coalesce(q."sv_state", \'\')',
        "verdict_version": 'q."sv_version"',
        "rating": 'coalesce(q."sv_rating_label", \'\')',
        "rating_value": 'q."sv_rating_value"',
        "summary": 'coalesce(q."sv_summary", \'\')',
        "rationale": 'coalesce(q."sv_rationale", \'\')',
        "correction_note": 'coalesce(q."sv_correction_note", \'\')',
        "author": _person("sv_author"),
        "reviewer": _person("sv_reviewer"),
        "published_at": 'q."first_published_at"',
        "corrected_at": """(CASE WHEN q."sv_version" > 1 AND q."sv_state" = 'published'
            THEN q."sv_published_at" END)""",
    }


# Text a person writes, neutralised against formula injection. The other text columns are
# the desk's own values (its URLs, statuses and states), which never start with a formula
# character: tests/test_export_formats.py checks that against the Python exporter.
_TEXT_COLUMNS = {
    "statement", "quote", "claimant", "claimant_role", "claimant_organisation",
    "article_title", "article_outlet", "article_url", "rating", "summary", "rationale",
    "correction_note", "author", "reviewer",
}
_DATE_COLUMNS = {"article_published_on"}
_TIMESTAMP_COLUMNS = {"published_at", "corrected_at"}


def _sources_join(aggregates: str) -> str:
    """A LATERAL join over the claim's cited sources, each with its latest successful
    capture: the same rows, in the same order, as selectors.claim_export_sources. The rows
    are put in order once, in the subquery `src_rows`, and the aggregates take them in that
    order: one sort per claim instead of one per aggregate."""
    return f"""LEFT JOIN LATERAL (
        SELECT {aggregates} FROM (
            SELECT s.url, s.title, c.id AS capture_id, c.started_at, c.sha256, c.snapshot
            FROM claims_evidence e
            JOIN claims_source s ON s.id = e.source_id
            LEFT JOIN LATERAL (
                SELECT c.id, c.started_at, c.sha256, c.snapshot FROM claims_capture c
                WHERE c.source_id = s.id AND c.status = 'success'
                ORDER BY c.started_at DESC, c.id DESC LIMIT 1
            ) c ON true
            WHERE e.claim_id = q."id" AND e.source_id IS NOT NULL
            ORDER BY e.created_at, e.id
        ) src_rows
    ) src ON true"""


def _snapshot_sql() -> str:
    snapshot = _url(reverse("claims:capture-snapshot", args=[_SENTINEL]), "src_rows.capture_id")
    return f"(CASE WHEN src_rows.snapshot <> '' THEN {snapshot} ELSE '' END)"


def csv_sql(queryset) -> tuple[str, tuple]:
    inner, params = queryset.values_list(*selectors.CLAIM_EXPORT_FIELDS).query.sql_with_params()
    columns = _columns()
    select = []
    # The desk's URLs start with SITE_URL: neutralised too in the (odd) case it could trip.
    text_columns = _TEXT_COLUMNS | (
        {"claim_url", "public_url"} if settings.SITE_URL[:1] in FORMULA_TRIGGERS else set()
    )
    for name in HEADER[: -4]:
        expr = columns[name]
        if name in text_columns:
            expr = _neutral(expr)
        elif name in _DATE_COLUMNS:
            expr = _date(expr)
        elif name in _TIMESTAMP_COLUMNS:
            expr = _ts(expr)
        select.append(expr)
    sources = _sources_join(
        f"""string_agg({_neutral("src_rows.url")}, E'\\n') AS urls,
            string_agg(coalesce({_ts("src_rows.started_at")}, ''), E'\\n') AS captured,
            string_agg(coalesce(src_rows.sha256, ''), E'\\n') AS sha256,
            string_agg({_snapshot_sql()}, E'\\n') AS snapshots"""
    )
    select += ["src.urls", "src.captured", "src.sha256", "src.snapshots"]
    sql = f"SELECT {', '.join(select)} FROM ({inner}) q {sources}"
    return sql, params


def jsonl_sql(queryset) -> tuple[str, tuple]:
    inner, params = queryset.values_list(*selectors.CLAIM_EXPORT_FIELDS).query.sql_with_params()
    columns = _columns()
    pairs = []
    from .rows import COLUMNS

    for name in COLUMNS:
        if name == "sources":
            pairs.append("'sources', coalesce(src.items, '[]'::json)")
            continue
        expr = columns[name]
        if name in _DATE_COLUMNS:
            expr = _date(expr)
        elif name in _TIMESTAMP_COLUMNS:
            expr = _ts(expr)
        pairs.append(f"{_lit(name)}, {expr}")
    sources = _sources_join(
        f"""json_agg(json_build_object(
                'url', src_rows.url, 'title', src_rows.title,
                'captured_at', {_ts("src_rows.started_at")},
                'sha256', coalesce(src_rows.sha256, ''), 'snapshot_url', {_snapshot_sql()}
            )) AS items"""
    )
    sql = f"SELECT json_build_object({', '.join(pairs)})::text FROM ({inner}) q {sources}"
    return sql, params


def _copy_text(sql: str, params, copy_options: str) -> Iterator[str]:
    """The text COPY writes, in blocks of about BLOCK_BYTES: COPY sends one message per
    row, and a Python step (and an HTTP chunk) per row cost more than the row itself."""
    decoder = codecs.getincrementaldecoder("utf-8")()  # a block may end mid-character
    with _export_transaction(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT ({copy_options})", params) as copy:
            buffer = bytearray()
            for row in copy:
                buffer += row
                if len(buffer) >= BLOCK_BYTES:
                    yield decoder.decode(buffer)
                    buffer.clear()
            yield decoder.decode(buffer, final=True)


def csv_chunks(queryset, *, bom: bool = True) -> Iterator[str]:
    """The CSV export as text blocks straight from COPY."""
    header = io.StringIO()
    _csv.writer(header).writerow(HEADER)
    yield ("\ufeff" if bom else "") + header.getvalue()
    sql, params = csv_sql(queryset)
    yield from _copy_text(sql, params, "FORMAT csv")


# One JSON text per row, written by COPY as is. CSV format with a delimiter and a quote
# character that JSON text never holds raw (json_build_object escapes every control
# character), so COPY neither quotes nor escapes anything: the lines are the JSON.
_JSON_LINES_COPY = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'"


def jsonl_chunks(queryset) -> Iterator[str]:
    sql, params = jsonl_sql(queryset)
    yield from _copy_text(sql, params, _JSON_LINES_COPY)


def json_array_chunks(queryset) -> Iterator[str]:
    """A JSON array: the JSON Lines with commas between them (a JSON text holds no raw
    newline, so each newline ends a record)."""
    yield "["
    separator = "\n"
    pending = ""
    for block in jsonl_chunks(queryset):
        lines = (pending + block).split("\n")
        pending = lines.pop()  # the record this block ends in the middle of
        if lines:
            yield separator + ",\n".join(lines)
            separator = ",\n"
    if pending:
        yield separator + pending
    yield "\n]\n"
