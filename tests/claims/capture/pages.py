"""A capture of a news page built by hand, as the guarded browser would hand it over: a
redirect from http to https, the article (sent gzipped and chunked), its stylesheet and a
chart, and two requests the guard refused (the cloud metadata address and a local port)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

from claims.capture.records import Blocked, Exchange, PageCapture

STARTED = datetime(2026, 12, 8, 9, 30, 0, 123456, tzinfo=UTC)
URL = "http://news.example/2026/12/council-library"
FINAL_URL = "https://news.example/2026/12/council-library/"
CSS_URL = "https://news.example/static/site.css"
PNG_URL = "https://cdn.news.example/img/chart.png"
TITLE = "Council votes to close the Eastside library"
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/"
LOCAL_URL = "http://127.0.0.1:6379/"

HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><article><h1>{TITLE}</h1>
<p>The council voted seven to two on Tuesday to close the Eastside library in March.</p>
<img src="{PNG_URL}" alt="How each councillor voted">
<img src="{METADATA_URL}" alt=""><script src="{LOCAL_URL}"></script>
</article></body></html>
""".encode()
CSS = b"body { font-family: Georgia, serif; max-width: 40em; margin: 0 auto; }\n" * 20


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (greyscale, 8 bits), small enough to read in a test."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png(16, 16)


def _exchange(url: str, status: int, reason: str, headers: list[tuple[str, str]],
              body: bytes, after_ms: int, ip: str = "203.0.113.7") -> Exchange:
    host = url.split("/")[2]
    return Exchange(
        url=url, method="GET",
        request_headers=[("Host", host), ("User-Agent", "Mozilla/5.0 factcheck-capture"),
                         ("Accept", "*/*"), ("Accept-Encoding", "gzip, br")],
        status=status, reason=reason, response_headers=headers, body=body, ip=ip,
        started_at=STARTED + timedelta(milliseconds=after_ms),
    )


def news_page_capture() -> PageCapture:
    return PageCapture(
        url=URL, final_url=FINAL_URL, title=TITLE, method="browser",
        started_at=STARTED, finished_at=STARTED + timedelta(seconds=3),
        exchanges=[
            _exchange(URL, 302, "Found",
                      [("Location", FINAL_URL), ("Content-Length", "0")], b"", 0),
            _exchange(FINAL_URL, 200, "OK",
                      [("Content-Type", "text/html; charset=utf-8"),
                       ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"),
                       ("Cache-Control", "max-age=60")], HTML, 40),
            # Sent gzipped: the length it was sent with is not the body's.
            _exchange(CSS_URL, 200, "OK",
                      [("Content-Type", "text/css"), ("Content-Encoding", "gzip"),
                       ("Content-Length", str(len(zlib.compress(CSS))))], CSS, 95),
            _exchange(PNG_URL, 200, "OK",
                      [("Content-Type", "image/png"), ("Content-Length", str(len(PNG)))],
                      PNG, 120, ip="198.51.100.20"),
        ],
        blocked=[Blocked(METADATA_URL, "169.254.169.254 is a link-local address."),
                 Blocked(LOCAL_URL, "127.0.0.1 is a loopback address.")],
        screenshot_png=png(64, 48),
        pdf=b"%PDF-1.7\n% a stand-in: the manifest hashes bytes, whatever they are\n%%EOF\n",
        certificates_pem="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        notes=[],
        software={"chromium": "131.0.6778.85", "playwright": "1.65.2"},
    )
