"""A stored file as an HTTP response that honours one byte range (RFC 9110, section 14):
what ReplayWeb.page needs to read a WACZ without downloading it whole. Django's
FileResponse always sends the whole file.

- No Range, a unit other than bytes, several ranges, an If-Range that no longer matches,
  or a HEAD: 200 with the whole file (a server may always ignore Range).
- One satisfiable range: 206 with Content-Range, only those bytes read from storage, in
  chunks.
- One range that is malformed or outside the file: 416 with `Content-Range: bytes */size`.

Every answer says `Accept-Ranges: bytes` and carries an ETag made from the file's size and
modification time, so a client never joins pieces of two different files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.http import FileResponse, HttpResponse, HttpResponseNotModified, StreamingHttpResponse

CHUNK_BYTES = 64 * 1024
# At most 19 digits a position: every size the storage can hold, and no parsing of huge
# numbers sent to waste time.
_ONE_RANGE = re.compile(r"(\d{0,19})-(\d{0,19})")


class Unsatisfiable(Exception):
    """The one range asked for is malformed or lies outside the file (416)."""


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions that a Range header asks for in a file of
    `size` bytes, or None when the whole file is to be sent. Raises Unsatisfiable."""
    unit, _, spec = header.partition("=")
    if not spec or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None  # several ranges (a multipart answer): allowed to ignore, and we do
    match = _ONE_RANGE.fullmatch(spec.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise Unsatisfiable
    first, last = match.groups()
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if end < start or start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _chunks(handle, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK_BYTES, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(request, handle, *, size: int, etag: str, content_type: str):
    """`handle` (an open, seekable file of `size` bytes, closed by the response) answered
    as a whole (200), one range of it (206), 304 when the client's copy is current, or 416.
    `etag` is a quoted strong entity tag of the file as stored."""
    if _matches(request.headers.get("If-None-Match", ""), etag):
        handle.close()
        return _common(HttpResponseNotModified(), etag)
    header = request.headers.get("Range", "")
    span = None
    if header and request.method == "GET" and request.headers.get("If-Range", etag) == etag:
        try:
            span = requested_range(header, size)
        except Unsatisfiable:
            handle.close()
            response = HttpResponse("The range asked for is not in this file.\n",
                                    status=416, content_type="text/plain; charset=utf-8")
            response["Content-Range"] = f"bytes */{size}"
            return _common(response, etag)
    if span is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
        return _common(response, etag)
    start, end = span
    response = StreamingHttpResponse(_chunks(handle, start, end - start + 1), status=206,
                                     content_type=content_type)
    response["Content-Length"] = str(end - start + 1)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _common(response, etag)


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match compares weakly: W/"x" matches "x"; * matches any stored file."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _common(response, etag: str):
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    return response
