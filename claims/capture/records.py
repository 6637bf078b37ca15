"""What one capture of a page is made of: the HTTP exchanges the guard let through, the
requests it refused, and the renderings (screenshot, PDF) of the page as loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Exchange:
    """One HTTP request and its response, as the guarded client fetched it. A redirect is
    an exchange of its own; the body has its transfer and content encodings removed."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    ip: str
    started_at: datetime
    http_version: str = "HTTP/1.1"


@dataclass
class Blocked:
    """A request the guard refused: never fetched, never archived, listed in words."""

    url: str
    reason: str


@dataclass
class PageCapture:
    """Everything one capture of a page produced, before it is stored."""

    url: str
    final_url: str
    title: str
    method: str  # "browser" or "http"
    started_at: datetime
    finished_at: datetime
    exchanges: list[Exchange] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    screenshot_png: bytes | None = None
    pdf: bytes | None = None
    certificates_pem: str = ""
    notes: list[str] = field(default_factory=list)
    software: dict[str, str] = field(default_factory=dict)
