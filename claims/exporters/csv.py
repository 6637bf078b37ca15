"""CSV export: one line per claim, streamed.

Sources are many per claim; they fill parallel columns with one line per source (URL,
capture time, SHA-256, snapshot link, and the capture's evidence archive: the SHA-256 of its
manifest, WACZ and screenshot, the trusted timestamp's time and authority; an empty line for
a source without one), so a spreadsheet shows them side by side and a program splits each
cell on newlines. The URLs of the fact-checks elsewhere that the claim is linked to
(factcheck_urls) are one a line in their cell the same way. The claim's tags are one cell,
their names joined by "; " in alphabetical order (rows.export_rows).

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
=, +, -, @, tab or carriage return as a formula, and claims quote strangers' words. Such
text cells get a leading apostrophe, which spreadsheets show as text and hide.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from operator import itemgetter

from claims.exporters.rows import BLOCK_ROWS, COLUMNS, batched, iso_datetime

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SOURCE_COLUMNS = (
    "source_urls", "source_captured_at", "source_sha256", "source_snapshot_urls",
    "source_manifest_sha256", "source_wacz_sha256", "source_screenshot_sha256",
    "source_timestamped_at", "source_timestamp_authority",
)
TAG_SEPARATOR = "; "
HEADER = tuple(c for c in COLUMNS if c not in ("sources", "tags")) + ("tags",) + SOURCE_COLUMNS


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(value) -> str:
    # Text first: most cells are text.
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, list):  # several addresses (linked fact-checks): one a line
        return "\n".join([neutralise(item) for item in value])
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


_CLAIM_COLUMNS = HEADER[: -len(SOURCE_COLUMNS) - 1]
_NO_SOURCES = ("",) * len(SOURCE_COLUMNS)
_claim_cells = itemgetter(*_CLAIM_COLUMNS)
# Every trigger is one character: a cell's first character in this set is the same test as
# startswith(FORMULA_TRIGGERS), without a call.
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
assert all(len(trigger) == 1 for trigger in FORMULA_TRIGGERS)


def _line(row: dict) -> list:
    # Most cells are text or whole numbers: text is neutralised here, and numbers and None
    # go to csv.writer as they are (it writes str(number) and "" for None, as _cell would);
    # only dates, times and lists take the call to _cell.
    cells = [
        ("'" + value if value[:1] in _TRIGGER_CHARS else value) if value.__class__ is str
        else value if value is None or value.__class__ is int
        else _cell(value)
        for value in _claim_cells(row)
    ]
    # One cell for the tags: a name may start with a formula trigger too.
    cells.append(neutralise(TAG_SEPARATOR.join(row["tags"])))
    sources = row["sources"]
    if not sources:
        cells += _NO_SOURCES
    elif len(sources) == 1:  # the usual case: no lists to join
        (source,) = sources
        cells += (neutralise(source["url"]), _cell(source["captured_at"]), source["sha256"],
                  source["snapshot_url"], source["manifest_sha256"], source["wacz_sha256"],
                  source["screenshot_sha256"], _cell(source["timestamped_at"]),
                  neutralise(source["timestamp_authority"]))
    else:
        cells += (
            "\n".join([neutralise(s["url"]) for s in sources]),
            "\n".join([_cell(s["captured_at"]) for s in sources]),
            "\n".join([s["sha256"] for s in sources]),
            "\n".join([s["snapshot_url"] for s in sources]),
            "\n".join([s["manifest_sha256"] for s in sources]),
            "\n".join([s["wacz_sha256"] for s in sources]),
            "\n".join([s["screenshot_sha256"] for s in sources]),
            "\n".join([_cell(s["timestamped_at"]) for s in sources]),
            "\n".join([neutralise(s["timestamp_authority"]) for s in sources]),
        )
    return cells


def csv_lines(rows: Iterable[dict], *, bom: bool = True) -> Iterator[str]:
    """The CSV text: the header line, then the rows' lines BLOCK_ROWS at a time (one string
    per block, so a million rows are not a million steps for the HTTP response). The BOM
    makes Excel read UTF-8 (names with accents); every CSV reader that matters skips it
    with encoding="utf-8-sig"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        yield "\ufeff"
    writer.writerow(HEADER)
    yield buffer.getvalue()
    for block in batched(rows, BLOCK_ROWS):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(_line, block))
        yield buffer.getvalue()
