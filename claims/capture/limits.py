"""How far one capture may go: time, bytes, requests, memory and the size of its pictures.
Every limit reached is written on the capture in words (PageCapture.notes)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.conf import settings

from claims.fetching.client import FetchLimits

MB = 1024 * 1024


@dataclass(frozen=True)
class CaptureLimits:
    wall_seconds: float  # the whole capture, browser start to PDF
    total_bytes: int  # every response body of the page together, once decoded
    max_requests: int  # requests the page may make (the page itself included)
    viewport_width: int  # CSS pixels: the width of the screenshot
    max_screenshot_height: int  # a longer page is shot down to this height
    js_heap_mb: int  # V8's old-space limit for the page's JavaScript
    memory_mb: int  # memory (PSS) of all the browser's processes together
    requests_at_once: int  # the page's requests fetched at the same time
    fetch: FetchLimits  # each request's own: timeouts, bytes per response, user agent

    @classmethod
    def from_settings(cls, **overrides) -> CaptureLimits:
        """The settings' limits (CAPTURE_*, and FETCH_* for each request), with any field
        given as a keyword argument in their place."""
        limits = cls(
            wall_seconds=float(getattr(settings, "CAPTURE_WALL_SECONDS", 45.0)),
            total_bytes=int(getattr(settings, "CAPTURE_MAX_BYTES", 40 * MB)),
            max_requests=int(getattr(settings, "CAPTURE_MAX_REQUESTS", 200)),
            viewport_width=int(getattr(settings, "CAPTURE_VIEWPORT_WIDTH", 1280)),
            max_screenshot_height=int(getattr(settings, "CAPTURE_MAX_SCREENSHOT_HEIGHT",
                                              16_000)),
            js_heap_mb=int(getattr(settings, "CAPTURE_JS_HEAP_MB", 512)),
            memory_mb=int(getattr(settings, "CAPTURE_MEMORY_MB", 1536)),
            requests_at_once=int(getattr(settings, "CAPTURE_REQUESTS_AT_ONCE", 6)),
            fetch=FetchLimits.from_settings(),
        )
        return dataclasses.replace(limits, **overrides)


def size_in_words(size: int) -> str:
    """1536 -> "1.5 KB", 52428800 -> "50 MB"."""
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:,.0f} {unit}" if value >= 10 or value == int(value) \
                else f"{value:,.1f} {unit}"
    return f"{size:,} bytes"
