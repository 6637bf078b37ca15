"""The formats fact-checks come in, read as a stream of records (never the whole input in
memory: a feed can be a gigabyte):

- JSON: one ClaimReview object, a list of them, a schema.org DataFeed
  (`dataFeedElement[].item`), a JSON-LD document (`@graph`), or Google Fact Check Tools'
  claims:search response (`claims[].claimReview[]`). Read with ijson, which parses the
  input incrementally: only one record is built at a time.
- JSON Lines: one of the above a line, read line by line; a broken line is rejected alone.
- HTML: a fact-check article with ClaimReview JSON-LD in `<script type="application/ld+json">`
  blocks, read with the standard library's incremental HTML parser. Other JSON-LD on the
  page (articles, breadcrumbs) is not a fact-check and is passed over.

Every kind of JSON is measured before it is parsed (claims/boundedjson.py): input that nests
lists or objects more than MAX_DEPTH levels deep is refused in words, never handed to a
parser (whose recursion or kept paths would take gigabytes first).

The format is decided by sniffing the first bytes (and the content type of a fetched page):
`<` is HTML; `[` or `{` is JSON, and JSON Lines when its first line is a whole object
followed by another line starting with `{` (or the file is named .jsonl/.ndjson).

Readers yield RawRecord (to be checked by records.normalise) or Broken (a position and why
it could not be read). Input that cannot be read at all raises Unreadable.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, BinaryIO

import ijson

from claims.boundedjson import (
    MAX_DEPTH,
    DepthLimitedReader,
    JSONRefused,
    NestingGauge,
    TooDeep,
)
from claims.boundedjson import loads as bounded_loads
from claims.factchecks.records import RawRecord, is_claimreview, json_kind, schema_types

CHUNK = 64 * 1024
# A JSON Lines line or a JSON-LD block longer than this is refused without being held. One
# is parsed whole, at about six times its size in Python's objects: 12 MB keeps the whole
# command under 200 MB (measured: a 31 MB line took it to 307 MB), while a record with one
# absurdly long field is still read and that field cut or refused in words.
LINE_MAX = 12 * 1024 * 1024
SNIFF_BYTES = 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")


class Unreadable(Exception):
    """Nothing could be read from the input; the message says why, in words."""


@dataclass
class Broken:
    """A part of the input that is not a record at all (a line that is not JSON, a list
    item that is a number): where it was and why, in words."""

    position: str
    reason: str


Item = RawRecord | Broken


def read_records(stream: BinaryIO, *, name: str = "", content_type: str = "",
                 page_url: str = "") -> Iterator[Item]:
    """The records in `stream`, in order. `name` (a file name or URL) and `content_type`
    help decide the format; `page_url` is the address of a fetched HTML page, the url of a
    ClaimReview on it that gives none."""
    if not isinstance(stream, io.BufferedReader):
        stream = io.BufferedReader(stream, buffer_size=CHUNK)  # type: ignore[arg-type]
    kind = sniff(stream, name=name, content_type=content_type)
    if kind == "html":
        return _html_records(stream, page_url=page_url)
    if kind == "jsonl":
        return _jsonl_records(stream)
    return _json_records(stream)


def sniff(stream: io.BufferedReader, *, name: str = "", content_type: str = "") -> str:
    """"html", "jsonl" or "json", from the first bytes; skips a UTF-8 byte order mark."""
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        stream.read(len(codecs.BOM_UTF8))
        head = head[len(codecs.BOM_UTF8):]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("It is encoded in UTF-16; save it as UTF-8.")
    start = head.lstrip()[:1]
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not start:
        raise Unreadable("It is empty.")
    if start == b"<" or media_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if start == b"[":
        return "json"
    if start == b"{":
        if name.lower().split("?", 1)[0].endswith(JSONL_SUFFIXES):
            return "jsonl"
        lines = head.lstrip().split(b"\n", 2)
        if (len(lines) >= 2 and lines[0].rstrip().endswith(b"}")
                and lines[1].lstrip().startswith(b"{")):
            return "jsonl"
        return "json"
    raise Unreadable(
        "It is not JSON, JSON Lines or an HTML page (it starts with "
        f"{head.lstrip()[:20]!r})."
    )


# --- JSON, streamed with ijson ---------------------------------------------------------------

_STREAMED_KEYS = {"dataFeedElement": "feed element", "claims": "claim", "@graph": "node"}


def _build(event: str, value: Any, events: Iterator) -> Any:
    """The whole value that starts with (event, value), reading the events it spans."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, ev, val in events:
        builder.event(ev, val)
        if ev in ("start_map", "start_array"):
            depth += 1
        elif ev in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value


def _json_records(stream: io.BufferedReader) -> Iterator[Item]:
    path = _list_path(stream.peek(SNIFF_BYTES)[:SNIFF_BYTES])
    # ijson reads through the gauge, so it never sees a piece that nests too deep.
    limited = DepthLimitedReader(stream)
    if path is not None:
        return _json_list_records(limited, path)
    return _json_value_records(limited)


def _too_deep(exc: TooDeep, *, produced: int, where: str) -> Broken:
    """Reading stops at input that nests too deep: Unreadable if nothing came before."""
    if not produced:
        raise Unreadable(str(exc)) from exc
    return Broken(where, f"From here on, {exc.words('the JSON')} Reading stopped.")


def _list_path(head: bytes) -> str | None:
    """Where the records are, when the first bytes show the input is one list of them (a
    list, a DataFeed, a claims:search response, an @graph): ijson's path to that list
    (`item`, `dataFeedElement.item`, ...), so ijson builds each record in C. None when the
    shape is anything else (read event by event instead), or when the first bytes nest too
    deep to be parsed here (the reader then refuses them)."""
    if NestingGauge().feed(head) > MAX_DEPTH:
        return None
    events = ijson.parse(io.BytesIO(head), use_float=True)
    try:
        first = next(events)
        if first[1] == "start_array":
            return "item"
        if first[1] != "start_map":
            return None
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                if value in ("claimReviewed", "claimReview"):
                    return None  # one record, not a list of them
                key = value
                nxt = next(events)
                if key in _STREAMED_KEYS and nxt[1] == "start_array":
                    return f"{key}.item"
    except (ijson.JSONError, StopIteration, UnicodeDecodeError, ValueError):
        return None
    return None


def _json_list_records(stream: BinaryIO, path: str) -> Iterator[Item]:
    key = path.rsplit(".", 1)[0] if "." in path else ""
    produced = 0
    where = "at the start"
    try:
        items = ijson.items(stream, path, use_float=True)
        for index, element in enumerate(items, 1):
            if key:
                found = _element(key, element, f"{_STREAMED_KEYS[key]} {index}")
            else:
                found = _node(element, f"record {index}")
            for item in found:
                produced += 1
                yield item
            where = f"after {_STREAMED_KEYS.get(key, 'record')} {index}"
    except TooDeep as exc:
        yield _too_deep(exc, produced=produced, where=where)
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
        if not produced:
            raise Unreadable(f"It is not valid JSON ({exc}).") from exc
        yield Broken(where, f"The JSON is broken from here on ({exc}); reading stopped.")


def _json_value_records(stream: BinaryIO) -> Iterator[Item]:
    events = iter(ijson.parse(stream, multiple_values=True, use_float=True))
    produced = 0
    where = "at the start"
    try:
        top = 0
        for _prefix, event, value in events:
            top += 1
            label = "" if top == 1 else f"value {top}, "
            if event == "start_array":
                for index, element in _array(events):
                    for item in _node(element, f"{label}record {index}"):
                        produced += 1
                        yield item
                    where = f"after {label}record {index}"
            elif event == "start_map":
                for item in _top_object(events, label):
                    produced += 1
                    where = f"after {item.position}"
                    yield item
            else:
                produced += 1
                yield Broken(f"value {top}", f"It is {json_kind(value)}, not an object.")
    except TooDeep as exc:
        yield _too_deep(exc, produced=produced, where=where)
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
        if not produced:
            raise Unreadable(f"It is not valid JSON ({exc}).") from exc
        yield Broken(where, f"The JSON is broken from here on ({exc}); reading stopped.")


def _array(events: Iterator) -> Iterator[tuple[int, object]]:
    """The elements of the array just opened, each built whole before it is given,
    numbered from 1; the array's end is read and left behind."""
    index = 0
    for _prefix, event, value in events:
        if event == "end_array":
            return
        index += 1
        yield index, _build(event, value, events)


def _top_object(events: Iterator, label: str) -> Iterator[Item]:
    """A top-level object: its list of records (DataFeed, Google's claims, @graph) is
    streamed element by element; any other object is one record."""
    top: dict = {}
    streamed = False
    for _prefix, event, key in events:
        if event == "end_map":
            break
        _p, ev, val = next(events)
        if key in _STREAMED_KEYS and ev == "start_array":
            streamed = True
            for index, element in _array(events):
                yield from _element(key, element, f"{label}{_STREAMED_KEYS[key]} {index}")
        else:
            top[key] = _build(ev, val, events)
    if not streamed:
        yield from _node(top, f"{label}record 1" if label else "the object")


def _element(key: str, element: Any, position: str) -> Iterator[Item]:
    if key == "dataFeedElement":
        yield from _feed_element(element, position)
    elif key == "claims":
        yield from _google_claim(element, position)
    else:
        yield from _graph_node(element, position)


def _node(value: Any, position: str, *, lenient: bool = False) -> Iterator[Item]:
    """Whatever one JSON value holds: a ClaimReview, a list, a DataFeed, a JSON-LD document
    with @graph, a Google claims:search response or one of its claims. `lenient` (JSON-LD
    in a page) passes over nodes that are not ClaimReview instead of rejecting them."""
    if isinstance(value, list):
        for i, element in enumerate(value, 1):
            yield from _node(element, f"{position}, item {i}", lenient=lenient)
        return
    if not isinstance(value, dict):
        if not lenient:
            yield Broken(position, f"It is {json_kind(value)}, not an object.")
        return
    if isinstance(value.get("@graph"), list):
        for i, element in enumerate(value["@graph"], 1):
            yield from _graph_node(element, f"{position}, node {i}")
    elif isinstance(value.get("dataFeedElement"), list):
        for i, element in enumerate(value["dataFeedElement"], 1):
            yield from _feed_element(element, f"{position}, feed element {i}")
    elif "claims" in value and "@type" not in value and "claimReviewed" not in value:
        claims = value["claims"]
        if not isinstance(claims, list):
            yield Broken(position, f"Its claims are {json_kind(claims)}, not a list.")
            return
        for i, element in enumerate(claims, 1):
            yield from _google_claim(element, f"{position}, claim {i}")
    elif "claimReview" in value and "claimReviewed" not in value:
        yield from _google_claim(value, position)
    elif "DataFeedItem" in schema_types(value) or ("item" in value and "@type" not in value):
        yield from _feed_element(value, position)
    elif lenient and not is_claimreview(value):
        return
    else:
        yield RawRecord(position, value)


def _graph_node(value: Any, position: str) -> Iterator[Item]:
    """A node of a JSON-LD @graph: ClaimReview nodes are records, others are passed over."""
    if is_claimreview(value):
        yield RawRecord(position, value)


def _feed_element(value: Any, position: str) -> Iterator[Item]:
    if not isinstance(value, dict):
        yield Broken(position, f"It is {json_kind(value)}, not a DataFeedItem.")
        return
    if "item" not in value:
        if is_claimreview(value):
            yield RawRecord(position, value)
        else:
            yield Broken(position, "It has no item (the ClaimReview of a DataFeedItem).")
        return
    items = value["item"]
    if isinstance(items, list):
        for i, item in enumerate(items, 1):
            yield RawRecord(f"{position}, item {i}", item)
    else:
        yield RawRecord(position, items)


def _google_claim(value: Any, position: str) -> Iterator[Item]:
    if not isinstance(value, dict):
        yield Broken(position, f"The claim is {json_kind(value)}, not an object.")
        return
    reviews = value.get("claimReview")
    if reviews is None or reviews == []:
        yield Broken(position, "The claim has no reviews (claimReview).")
        return
    if not isinstance(reviews, list):
        yield Broken(position, f"Its claimReview is {json_kind(reviews)}, not a list of reviews.")
        return
    claim = {k: v for k, v in value.items() if k != "claimReview"}
    for i, review in enumerate(reviews, 1):
        yield RawRecord(f"{position}, review {i}", review, kind="google", claim=claim)


# --- JSON Lines ------------------------------------------------------------------------------


def _jsonl_records(stream: BinaryIO) -> Iterator[Item]:
    number = 0
    while True:
        line = stream.readline(LINE_MAX + 1)
        if not line:
            return
        number += 1
        if len(line) > LINE_MAX and not line.endswith(b"\n"):
            while True:  # skip the rest of the line without holding it
                rest = stream.readline(CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Broken(f"line {number}",
                         f"The line is longer than {LINE_MAX // (1024 * 1024)} MB.")
            continue
        if not line.strip():
            continue
        try:
            value = bounded_loads(line.decode("utf-8"), subject="The line")
        except UnicodeDecodeError:
            yield Broken(f"line {number}", "The line is not UTF-8 text.")
            continue
        except JSONRefused as exc:
            yield Broken(f"line {number}", str(exc))
            continue
        except ValueError as exc:
            yield Broken(f"line {number}", f"The line is not valid JSON ({exc}).")
            continue
        yield from _node(value, f"line {number}")


# --- HTML with JSON-LD -----------------------------------------------------------------------


class _JsonLdScripts(HTMLParser):
    """Collects the text of `<script type="application/ld+json">` elements as it is fed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str | None]] = []  # (block number, text or None if too long)
        self._parts: list[str] | None = None
        self._size = 0
        self._count = 0

    def handle_starttag(self, tag, attrs):
        if tag != "script":
            return
        kind = (dict(attrs).get("type") or "").split(";", 1)[0].strip().lower()
        if kind == "application/ld+json":
            self._parts, self._size = [], 0

    def handle_data(self, data):
        if self._parts is None:
            return
        self._size += len(data)
        if self._size <= LINE_MAX:
            self._parts.append(data)
        else:
            self._parts.clear()

    def handle_endtag(self, tag):
        if tag == "script" and self._parts is not None:
            self._count += 1
            too_long = self._size > LINE_MAX
            self.found.append((self._count, None if too_long else "".join(self._parts)))
            self._parts = None


def _html_records(stream: BinaryIO, *, page_url: str) -> Iterator[Item]:
    parser = _JsonLdScripts()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while True:
        chunk = stream.read(CHUNK)
        parser.feed(decoder.decode(chunk, final=not chunk))
        if not chunk:
            parser.close()
        for number, text in parser.found:
            position = f"JSON-LD block {number}"
            if text is None:
                yield Broken(position,
                             f"The block is longer than {LINE_MAX // (1024 * 1024)} MB.")
                continue
            try:
                value = bounded_loads(text, subject="The block")
            except JSONRefused as exc:
                yield Broken(position, str(exc))
                continue
            except ValueError as exc:
                yield Broken(position, f"The block is not valid JSON ({exc}).")
                continue
            for item in _node(value, position, lenient=True):
                if isinstance(item, RawRecord) and page_url:
                    item.default_url = page_url
                yield item
        parser.found.clear()
        if not chunk:
            return
