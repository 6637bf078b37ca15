"""A capture as a standard web archive: every exchange the guard let through written as
WARC/1.1 request and response records (warcio), packed as a WACZ 1.1.1 that ReplayWeb.page
replays and `wacz validate` accepts.

- `build_warc(capture)`: the gzipped WARC.
- `build_wacz(capture)`: the WACZ around it: the WARC, its CDXJ index (Webrecorder's own
  indexer, cdxj-indexer), the page list and the datapackage with every file's SHA-256.
- `validate_wacz(data)`: what `wacz validate` finds wrong with a WACZ, in words.

Requests the guard refused were never fetched, so they have no exchange and no record.

The WACZ is written here rather than by `wacz create`: py-wacz's creator only reads and
writes files on disk, prints as it goes, and stamps the zip entries and the datapackage
with the clock, so no two runs give the same bytes. Here the same capture always gives the
same bytes (record ids come from the capture and the record's place in it, and every date
written is one of the capture's own), and `wacz validate` is what proves the result."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
import zipfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from cdxj_indexer.main import CDXJIndexer
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from claims.capture.records import Exchange, PageCapture

WARC_NAME = "data.warc.gz"
WACZ_VERSION = "1.1.1"
WARC_PATH = f"archive/{WARC_NAME}"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"

# validate_wacz: `wacz validate` unpacks the whole zip to disk and hashes every file, so
# what it is given is bounded first, and it runs in a process of its own that is stopped
# after this long.
VALIDATE_SECONDS = 120
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
MAX_ENTRIES = 10_000

# The body an exchange holds has its content and transfer encodings removed, so the headers
# that described them would make a replaying browser decode it again, or wait for chunks.
_ENCODING_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# Namespace of the record ids (uuid5): any fixed UUID will do, this one is ours.
_RECORD_ID_NAMESPACE = uuid.UUID("5f0b7a53-3c1e-4d9e-9a7e-2f7c1d6b0e41")


def build_warc(capture: PageCapture) -> bytes:
    """The capture's exchanges as a gzipped WARC/1.1: a warcinfo record, then for each
    exchange its response and its request (WARC-Concurrent-To the response), in order."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    writer.write_record(_warcinfo_record(writer, capture))
    for index, exchange in enumerate(capture.exchanges):
        response = _response_record(writer, capture, index, exchange)
        request = _request_record(writer, capture, index, exchange)
        writer.write_request_response_pair(request, response)
    return out.getvalue()


def _warcinfo_record(writer: WARCWriter, capture: PageCapture):
    software = [f"factcheck (warcio {version('warcio')})"]
    software += [f"{name} {ver}" for name, ver in sorted(capture.software.items())]
    fields = {
        "software": "; ".join(software),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                      "warc-format/warc-1.1/",
        "description": f"Capture of {capture.url} ({capture.method})",
    }
    payload = "".join(f"{name}: {_one_line(value)}\r\n" for name, value in fields.items())
    body = payload.encode("utf-8")
    return writer.create_warc_record(
        "", "warcinfo",
        payload=io.BytesIO(body), length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": _record_id(capture, "warcinfo"),
            "WARC-Date": _warc_date(capture.started_at),
            "WARC-Filename": WARC_NAME,
        },
    )


def _response_record(writer: WARCWriter, capture: PageCapture, index: int,
                     exchange: Exchange):
    headers = [(name, value) for name, value in _clean_headers(exchange.response_headers)
               if name.lower() not in _ENCODING_HEADERS]
    headers.append(("Content-Length", str(len(exchange.body))))
    http_headers = StatusAndHeaders(
        f"{exchange.status} {_one_line(exchange.reason)}".rstrip(), headers,
        protocol=exchange.http_version)
    return writer.create_warc_record(
        exchange.url, "response",
        payload=io.BytesIO(exchange.body), length=len(exchange.body),
        http_headers=http_headers,
        warc_headers_dict=_exchange_warc_headers(capture, index, "response", exchange),
    )


def _request_record(writer: WARCWriter, capture: PageCapture, index: int,
                    exchange: Exchange):
    http_headers = StatusAndHeaders(
        f"{exchange.method} {_request_target(exchange.url)} {exchange.http_version}",
        _clean_headers(exchange.request_headers), is_http_request=True)
    return writer.create_warc_record(
        exchange.url, "request",
        payload=io.BytesIO(b""), length=0,
        http_headers=http_headers,
        warc_headers_dict=_exchange_warc_headers(capture, index, "request", exchange),
    )


def _exchange_warc_headers(capture: PageCapture, index: int, kind: str,
                           exchange: Exchange) -> dict[str, str]:
    headers = {
        "WARC-Record-ID": _record_id(capture, f"{index}/{kind}"),
        "WARC-Date": _warc_date(exchange.started_at),
    }
    if exchange.ip:
        headers["WARC-IP-Address"] = exchange.ip
    return headers


def _clean_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers as HTTP/1.1 writes them: HTTP/2's pseudo-headers (":authority") have no
    HTTP/1.1 form, and a line break in a name or value would end the header block early."""
    return [(_one_line(name), _one_line(value)) for name, value in headers
            if name and not name.startswith(":")]


def _one_line(text: str) -> str:
    return " ".join(str(text).splitlines())


def _request_target(url: str) -> str:
    """The request line's target: the URL's path and query (origin form)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _record_id(capture: PageCapture, place: str) -> str:
    """A record id unique to this capture (its URL and start time to the microsecond)
    and to the record's place in it, the same each time the capture is written."""
    name = f"{capture.url}\n{_utc(capture.started_at).isoformat()}\n{place}"
    return f"<urn:uuid:{uuid.uuid5(_RECORD_ID_NAMESPACE, name)}>"


def _warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(_utc(moment).replace(tzinfo=None), use_micros=True)


def _js_date(moment: datetime) -> str:
    """ISO 8601 to the millisecond, as a browser's Date writes it (pages.jsonl is read by one)."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _seconds_date(moment: datetime) -> str:
    """ISO 8601 to the second, as py-wacz writes the datapackage's dates."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Capture times must be timezone-aware (UTC).")
    return moment.astimezone(UTC)


def build_wacz(capture: PageCapture) -> bytes:
    """The capture as a WACZ 1.1.1: the WARC (stored, so a replayer can read records at
    their offsets), its CDXJ index, the page list (the final URL, its title and time), and
    datapackage.json with every file's SHA-256, itself hashed in datapackage-digest.json."""
    warc = build_warc(capture)
    files = {
        WARC_PATH: warc,
        INDEX_PATH: _cdxj_index(warc),
        PAGES_PATH: _pages_jsonl(capture),
    }
    files["datapackage.json"] = _datapackage(capture, files)
    files["datapackage-digest.json"] = _json_bytes({
        "path": "datapackage.json",
        "hash": _sha256_label(files["datapackage.json"]),
    })
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as wacz:
        for path, data in files.items():
            stored = path == WARC_PATH
            wacz.writestr(_zip_entry(path, capture.started_at, stored=stored), data)
    return out.getvalue()


def _cdxj_index(warc: bytes) -> bytes:
    """The WARC's responses as sorted CDXJ lines (SURT key, timestamp, JSON with the URL,
    status, digest, offset and length), from the indexer py-wacz itself uses."""
    lines = io.StringIO()
    CDXJIndexer(lines, [io.BytesIO(warc)], filename=WARC_NAME, records="response",
                sort=True).process_all()
    return lines.getvalue().encode("utf-8")


def _pages_jsonl(capture: PageCapture) -> bytes:
    """The page list: one page, the final URL at the time its response was recorded, which
    is where a replayer opens the archive."""
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    page = {
        "id": _record_id(capture, "page")[len("<urn:uuid:"):-1],
        "url": capture.final_url,
        "title": capture.title or capture.final_url,
        "ts": _js_date(_page_time(capture)),
    }
    return b"".join(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"
                    for line in (header, page))


def _page_time(capture: PageCapture) -> datetime:
    for exchange in reversed(capture.exchanges):
        if exchange.url == capture.final_url and not 300 <= exchange.status < 400:
            return exchange.started_at
    return capture.started_at


def _datapackage(capture: PageCapture, files: dict[str, bytes]) -> bytes:
    software = f"factcheck (warcio {version('warcio')}, cdxj-indexer {version('cdxj-indexer')})"
    return _json_bytes({
        "profile": "data-package",
        "resources": [
            {"name": path.rsplit("/", 1)[-1].lower(), "path": path,
             "hash": _sha256_label(data), "bytes": len(data)}
            for path, data in files.items()
        ],
        "wacz_version": WACZ_VERSION,
        "title": capture.title or capture.final_url,
        "mainPageURL": capture.final_url,
        "mainPageDate": _seconds_date(_page_time(capture)),
        "created": _seconds_date(capture.finished_at),
        "software": software,
    })


def _json_bytes(value: dict) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


def _sha256_label(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _zip_entry(path: str, moment: datetime, *, stored: bool) -> zipfile.ZipInfo:
    """A zip entry that is the same on every machine: the capture's time, not the clock;
    Unix attributes whatever the platform."""
    entry = zipfile.ZipInfo(path, date_time=_zip_time(moment))
    entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    entry.create_system = 3
    entry.external_attr = 0o644 << 16
    return entry


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's time (no time zone, two-second steps, 1980 at the earliest), in UTC."""
    utc = max(_utc(moment), datetime(1980, 1, 1, tzinfo=UTC))
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def validate_wacz(data: bytes, *, timeout: float = VALIDATE_SECONDS,
                  max_unpacked: int = MAX_UNPACKED_BYTES) -> list[str]:
    """What is wrong with `data` as a WACZ, in words; an empty list when it is valid.

    Py-wacz's own `wacz validate` decides (the datapackage against its schema, every file
    listed with its SHA-256, the datapackage's digest). It runs as a separate process, in a
    temporary directory removed afterwards, stopped after `timeout` seconds. Before it, a
    zip that would unpack past `max_unpacked` bytes or `MAX_ENTRIES` files is refused, and
    so is a WARC compressed inside the zip, which the format forbids and the tool misses."""
    problems = _zip_problems(data, max_unpacked)
    if problems:
        return problems
    with tempfile.TemporaryDirectory(prefix="wacz-validate-") as workdir:
        path = Path(workdir) / "archive.wacz"
        path.write_bytes(data)
        try:
            result = subprocess.run(
                [sys.executable, "-m", "wacz", "validate", "-f", str(path)],
                capture_output=True, text=True, errors="replace", timeout=timeout,
                cwd=workdir, env={**os.environ, "TMPDIR": workdir}, check=False,
            )
        except subprocess.TimeoutExpired:
            return [f"wacz validate did not finish within {timeout:g} seconds."]
    if result.returncode == 0 and "the passed WACZ is valid" in result.stdout:
        return []
    if result.returncode == 0 and "outdated" in result.stdout:
        return [f"It is a WACZ of an outdated version (0.1.0), not {WACZ_VERSION}."]
    return _validator_words(result)


def _zip_problems(data: bytes, max_unpacked: int) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as wacz:
            entries = wacz.infolist()
            if len(entries) > MAX_ENTRIES:
                return [f"It holds {len(entries):,} files; a capture's WACZ holds a handful "
                        f"and the desk checks at most {MAX_ENTRIES:,}."]
            # Reading an entry stops at the size the zip declares, so this bounds the work.
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > max_unpacked:
                return [f"It would unpack to {unpacked:,} bytes; the desk checks at most "
                        f"{max_unpacked:,}."]
            damaged = wacz.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
            NotImplementedError) as error:
        return [f"It is not a readable zip file, so not a WACZ ({error})."]
    if damaged:
        return [f"{damaged} is damaged inside the zip: its bytes do not match the zip's "
                f"own checksum (CRC-32) of them."]
    names = {entry.filename for entry in entries}
    problems = [f"{name} is missing." for name in ("datapackage.json",) if name not in names]
    problems += [
        f"{entry.filename} is compressed inside the zip; a WACZ stores its WARCs as they are "
        f"so that a replayer can read a record at its offset."
        for entry in entries
        if entry.filename.startswith("archive/") and entry.compress_type != zipfile.ZIP_STORED
    ]
    return problems


def _validator_words(result: subprocess.CompletedProcess) -> list[str]:
    """The validator's reasons, from what it printed. Its verdict and version lines say
    nothing; the errors Frictionless found (a Python literal of resource name to errors)
    become one line each; a crash is said by its last line, the exception."""
    printed = "\n".join(line for line in result.stdout.splitlines()
                        if not line.startswith(("Version detected", "Validation failed")))
    said = []
    for block in re.split(r"\n\s*\n", printed.strip()):
        if block.startswith("Frictionless has detected") and " errors " in block:
            said += _frictionless_words(block) or [" ".join(block.split())]
        else:
            said += [line.strip() for line in block.splitlines() if line.strip()]
    errors = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    if errors:
        said.append(errors[-1])
    if not said:
        said = [f"it exited with status {result.returncode}"]
    return [f"wacz validate: {reason}" for reason in said]


def _frictionless_words(block: str) -> list[str]:
    try:
        report = ast.literal_eval(block.split(" errors ", 1)[1])
        return [f"{name}: {error['message']}" for name, errors in report.items()
                for error in errors]
    except (ValueError, SyntaxError, TypeError, KeyError, AttributeError, MemoryError,
            RecursionError):
        return []
