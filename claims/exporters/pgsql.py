"""The PostgreSQL fast path of the CSV and JSON Lines exports.

Building each row in Python costs tens of microseconds (psycopg turns ~30 columns into
Python objects, then csv/json turn them back into text): a million-claim export would take
minutes. Here PostgreSQL writes the text itself, and keeps it.

Each claim's record, as one CSV line and one JSON text, is kept in claims_exportline
(models.ExportLine), so an export reads one stored line per claim by id instead of joining
seven tables, aggregating the sources and formatting some thirty columns for every row:

- Database triggers (migration 0008) mark a claim's line stale, in the same transaction, on
  every change to anything the line shows: the claim, its verdicts, rating, authors,
  claimant, article, evidence, sources and captures. Whatever writes (services, the admin,
  a bulk update, raw SQL), the stored line can never be read after it went out of date.
- refresh_lines() (a Celery beat task) writes the missing and stale lines in batches. A
  line computed before a concurrent change is not stored: each write checks the line's
  generation, which every stale-marking raises.
- An export takes the stored line where it is current and computes the others on the fly,
  with the same SQL, in the same statement: one snapshot, never a stale line.
- A line's `recipe` is a hash of the SQL that writes it (so of SITE_URL and the desk's
  URLs too): change either and every stored line counts as stale until rewritten.

The rows, their filters and order come from the same selector as the claims table (the
Django query is compiled and wrapped, never rewritten), and the records match the Python
exporters field for field; tests/test_export_formats.py and tests/test_export_lines.py
check both on PostgreSQL.
"""

from __future__ import annotations

import csv as _csv
import hashlib
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
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


# Numbers, dates and times go out bare; every text cell is quoted, so commas, quotes and
# newlines in it need no further test.
_NUMBER_COLUMNS = {"claim_id", "verdict_version", "rating_value"}

_CSV_SOURCES = {
    "urls": f"string_agg({_neutral('src_rows.url')}, E'\\n')",
    "captured": f"string_agg(coalesce({_ts('src_rows.started_at')}, ''), E'\\n')",
    "sha256": "string_agg(coalesce(src_rows.sha256, ''), E'\\n')",
    "snapshots": None,  # needs reverse(): filled in by _csv_sources()
}


def _quoted(expr: str) -> str:
    return f"""('"' || replace(coalesce({expr}, ''), '"', '""') || '"')"""


def _csv_sources() -> str:
    aggregates = {**_CSV_SOURCES, "snapshots": f"string_agg({_snapshot_sql()}, E'\\n')"}
    return ", ".join(f"{sql} AS {name}" for name, sql in aggregates.items())


def _json_sources() -> str:
    return f"""json_agg(json_build_object(
        'url', src_rows.url, 'title', src_rows.title,
        'captured_at', {_ts("src_rows.started_at")},
        'sha256', coalesce(src_rows.sha256, ''), 'snapshot_url', {_snapshot_sql()}
    )) AS items"""


def csv_line_sql() -> str:
    """One claim's CSV line (no line end) over `q` (a row of the export selector) and `src`
    (its sources): what csv.py writes for the same row, parsed back."""
    columns = _columns()
    # The desk's URLs start with SITE_URL: neutralised too in the (odd) case it could trip.
    text_columns = _TEXT_COLUMNS | (
        {"claim_url", "public_url"} if settings.SITE_URL[:1] in FORMULA_TRIGGERS else set()
    )
    cells = []
    for name in HEADER[: -4]:
        expr = columns[name]
        if name in _NUMBER_COLUMNS:
            cells.append(f"coalesce(({expr})::text, '')")
        elif name in _DATE_COLUMNS:
            cells.append(f"coalesce({_date(expr)}, '')")
        elif name in _TIMESTAMP_COLUMNS:
            cells.append(f"coalesce({_ts(expr)}, '')")
        else:
            cells.append(_quoted(_neutral(expr) if name in text_columns else expr))
    cells += [_quoted(f"src.{name}") for name in _CSV_SOURCES]
    return " || ',' || ".join(cells)


def json_line_sql() -> str:
    """One claim's JSON text over `q` and `src`: a JSON Lines record without its newline."""
    from .rows import COLUMNS

    columns = _columns()
    pairs = []
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
    return f"json_build_object({', '.join(pairs)})::text"


def _all_claims_sql() -> tuple[str, tuple]:
    """The export selector over every claim, unordered: `WHERE q."id" = ...` around it
    reads one claim's row by its primary key."""
    from claims.models import Claim

    claims = selectors.with_export_fields(Claim.objects.order_by())
    return claims.values_list(*selectors.CLAIM_EXPORT_FIELDS).query.sql_with_params()


def recipe() -> str:
    """A name for the SQL that writes the lines: a stored line is current only when it was
    written by the SQL this code would run now."""
    inner, params = _all_claims_sql()
    text = "\n".join((RECIPE_VERSION, inner, repr(params), csv_line_sql(), json_line_sql(),
                      _csv_sources(), _json_sources()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# Raise it when the stored lines must be rewritten for a reason the SQL text doesn't show.
RECIPE_VERSION = "1"
_FORMATS = {"csv": (csv_line_sql, _csv_sources), "json": (json_line_sql, _json_sources)}


def export_sql(selection, fmt: str) -> tuple[str, tuple]:
    """One text per claim of `selection` (claims in order), in format "csv" or "json": the
    stored line where it is current, else the line computed in the same statement."""
    line, sources = _FORMATS[fmt]
    ids_sql, ids_params = selection.values_list("id").query.sql_with_params()
    inner, inner_params = _all_claims_sql()
    # The stored line is read by a parameterised scan per claim (OFFSET 0 keeps the planner
    # from turning it into a join that could reorder the claims); the CASE evaluates the
    # computing subquery only for claims without a current line.
    sql = f"""SELECT CASE WHEN x.recipe = %s THEN x.{fmt} ELSE (
            SELECT {line()} FROM ({inner}) q {_sources_join(sources())}
            WHERE q."id" = ids."id"
        ) END
        FROM ({ids_sql}) ids
        LEFT JOIN LATERAL (
            SELECT e.recipe, e.{fmt} FROM claims_exportline e WHERE e.claim_id = ids."id"
            OFFSET 0
        ) x ON true"""
    return sql, (recipe(), *inner_params, *ids_params)


_BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def _copy_lines(sql: str, params) -> Iterator[str]:
    """The one text column of `sql`'s rows, a line each, in blocks of about BLOCK_BYTES.

    Binary COPY hands over each value's bytes as they are (text and CSV COPY would escape
    or quote the newlines inside a CSV line), and PostgreSQL sends each row as one message
    (the protocol says so): a 2-byte field count, a 4-byte length, the text. A Python step
    and an HTTP chunk per row would cost more than the row itself, so rows go out in
    blocks."""
    with _export_transaction(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", params) as copy:
            lines: list = []
            size = 0
            first = True
            for message in copy:
                if first:  # the file header rides on the first message
                    first = False
                    if bytes(message[:11]) != _BINARY_SIGNATURE:
                        raise RuntimeError("COPY did not send a binary COPY header.")
                    extension = int.from_bytes(message[15:19], "big")
                    message = message[19 + extension:]
                    if not message:
                        continue
                if len(message) <= 6:
                    if bytes(message) == b"\xff\xff":  # the trailer: the last message
                        continue
                    if bytes(message[2:6]) == b"\xff\xff\xff\xff":
                        raise RuntimeError("An export line came out NULL.")
                lines.append(message[6:])
                size += len(message)
                if size >= BLOCK_BYTES:
                    lines.append(b"")
                    yield b"\n".join(lines).decode()
                    lines.clear()
                    size = 0
            if lines:
                lines.append(b"")
                yield b"\n".join(lines).decode()


def csv_chunks(selection, *, bom: bool = True) -> Iterator[str]:
    """The CSV export as text blocks: a header, then a line per claim."""
    header = io.StringIO()
    _csv.writer(header, lineterminator="\n").writerow(HEADER)
    yield ("\ufeff" if bom else "") + header.getvalue()
    yield from _copy_lines(*export_sql(selection, "csv"))


def jsonl_chunks(selection) -> Iterator[str]:
    yield from _copy_lines(*export_sql(selection, "json"))


# --- keeping the stored lines ------------------------------------------------------------------
#
# Every claim has a row: its line, or a marker (csv NULL) that a trigger left when the claim
# was created or something its line shows changed. A run writes the markers' lines, found
# through a partial index (exportline_stale_idx), so a run with nothing to do costs one
# index probe, not a scan of a million lines. A sync pass puts markers where they are
# missing (claims loaded with the triggers bypassed; every claim after a crash, which
# empties the unlogged table) and on lines of another recipe, and drops lines whose claim
# is gone. It runs when the sync row (claim id 0, which no claim has) is missing, names
# another recipe (an upgrade, a new SITE_URL) or is a day old. Each step is a short
# transaction that gives way to writers.

REFRESH_BATCH = 2000
SYNC_RANGE = 20_000  # claim ids per sync step
SYNC_EVERY_SECONDS = 24 * 3600
VACUUM_AFTER_LINES = 50_000  # a run that wrote this many lines vacuums the table
_SYNC_ROW_ID = 0  # the sync row (no claim has id 0): its recipe and, as generation, when synced

# The refresh gives way to the desk: it waits at most this long for a line's row that a
# writer holds (the writer's trigger marking it stale), then leaves that work for the next
# run. Below PostgreSQL's deadlock_timeout (1 s), so a writer that waits on the refresh never
# waits longer than one batch and is never the one a deadlock check aborts.
REFRESH_LOCK_TIMEOUT_MS = 200

# pg_try_advisory_lock's key: one refresh at a time (a beat run that outlasts its interval).
_REFRESH_LOCK = 0x6578706F7274  # "export"


class _Step:
    """A short transaction with lock_timeout set. If a lock wait times out, it rolls back,
    the error goes no further and `gave_way` is set: that work is left for the next run."""

    def __init__(self):
        self.gave_way = False

    @contextmanager
    def transaction(self):
        import psycopg

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {int(REFRESH_LOCK_TIMEOUT_MS)}")
                yield cursor
        except OperationalError as error:
            if not isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
                raise
            self.gave_way = True


def refresh_lines(
    *, batch: int = REFRESH_BATCH, max_claims: int | None = None, seconds: float | None = None,
    sync: bool | None = None,
) -> int:
    """Write the line of every claim marked stale, `batch` claims per transaction, in id
    order. Stops early after `max_claims` lines or `seconds` (the rest waits for the next
    run). `sync` runs the sync pass first (by default when the recipe changed since the
    last complete one, when that was a day ago, or when the table was emptied). Returns
    how many lines were written; 0 at once if another refresh is running (an advisory
    lock).

    Safe beside any writer: the line, and the generation it was computed at, come from one
    snapshot, and the upsert only lands if the generation is still the same. A change
    committed meanwhile raised it (its trigger), so that line stays stale for the next run
    instead of being stored out of date."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return 0
    try:
        current = recipe()
        if (sync if sync is not None else not _synced(current)) and sync_lines(current):
            _mark_synced(current)
        written = _write_stale(current, batch, max_claims, seconds)
        if written >= VACUUM_AFTER_LINES and not connection.in_atomic_block:
            # Each line written replaced its marker: vacuum now, not whenever autovacuum
            # comes by, or the next export pays for the dead rows and unset hint bits
            # (measured at 1M lines: 125,000 rows/s on the first read, 219,000 after a
            # 2.6 s VACUUM).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) claims_exportline")
        return written
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_REFRESH_LOCK])


def _synced(current: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipe, generation FROM claims_exportline WHERE claim_id = %s",
                       [_SYNC_ROW_ID])
        row = cursor.fetchone()
    return bool(row) and row[0] == current and time.time() - row[1] < SYNC_EVERY_SECONDS


def _mark_synced(current: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO claims_exportline (claim_id, generation, recipe, csv, json)
               VALUES (%s, %s, %s, '', '')
               ON CONFLICT (claim_id) DO UPDATE
               SET generation = EXCLUDED.generation, recipe = EXCLUDED.recipe""",
            [_SYNC_ROW_ID, int(time.time()), current],
        )


def sync_lines(current: str) -> bool:
    """The sync pass, in ranges of claim ids. True if every step went through (none gave
    way to a writer)."""
    step = _Step()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest((SELECT max(id) FROM claims_claim),"
            " (SELECT max(claim_id) FROM claims_exportline))"
        )
        top = cursor.fetchone()[0] or 0
    for low in range(0, top, SYNC_RANGE):
        high = low + SYNC_RANGE
        with step.transaction() as cursor:
            cursor.execute(
                """INSERT INTO claims_exportline (claim_id, generation, recipe, csv, json)
                   SELECT c.id, 1, '', NULL, NULL FROM claims_claim c
                   WHERE c.id > %s AND c.id <= %s AND NOT EXISTS (
                       SELECT 1 FROM claims_exportline x WHERE x.claim_id = c.id)
                   ORDER BY c.id
                   ON CONFLICT (claim_id) DO NOTHING""",
                [low, high],
            )
            cursor.execute(
                """UPDATE claims_exportline
                   SET generation = generation + 1, recipe = '', csv = NULL, json = NULL
                   WHERE claim_id > %s AND claim_id <= %s AND csv IS NOT NULL
                   AND recipe <> %s""",
                [low, high, current],
            )
            cursor.execute(
                """DELETE FROM claims_exportline x
                   WHERE x.claim_id > %s AND x.claim_id <= %s AND NOT EXISTS (
                       SELECT 1 FROM claims_claim c WHERE c.id = x.claim_id)""",
                [low, high],
            )
    return not step.gave_way


def _write_stale(current, batch, max_claims, seconds) -> int:
    inner, inner_params = _all_claims_sql()
    sql = f"""INSERT INTO claims_exportline (claim_id, generation, recipe, csv, json)
        SELECT q."id", coalesce(x.generation, 0), %s, {csv_line_sql()}, {json_line_sql()}
        FROM ({inner}) q
        LEFT JOIN claims_exportline x ON x.claim_id = q."id"
        {_sources_join(_csv_sources() + ", " + _json_sources())}
        WHERE q."id" = ANY(%s)
        ORDER BY q."id"
        ON CONFLICT (claim_id) DO UPDATE
        SET recipe = EXCLUDED.recipe, csv = EXCLUDED.csv, json = EXCLUDED.json
        WHERE claims_exportline.generation = EXCLUDED.generation"""
    deadline = None if seconds is None else time.monotonic() + seconds
    step = _Step()
    written = 0
    after = 0
    while (max_claims is None or written < max_claims) and (
        deadline is None or time.monotonic() < deadline
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT claim_id FROM claims_exportline
                   WHERE csv IS NULL AND claim_id > %s ORDER BY claim_id LIMIT %s""",
                [after, batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            break
        with step.transaction() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(sql, (current, *inner_params, ids))
            written += cursor.rowcount
        after = ids[-1]  # a batch that gave way stays stale until the next run
    return written


def line_counts() -> dict[str, int]:
    """How many claims have a current stored line, and how many don't (yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FILTER (WHERE x.recipe = %s), count(*) FILTER (
                   WHERE x.claim_id IS NULL OR x.recipe <> %s)
               FROM claims_claim c LEFT JOIN claims_exportline x ON x.claim_id = c.id""",
            [recipe()] * 2,
        )
        current, stale = cursor.fetchone()
    return {"current": current, "stale": stale}


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
