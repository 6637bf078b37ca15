"""Guarded requests written down as exchanges, and a page captured over HTTP alone.

fetch_exchange is the one door every request of a capture goes through, the browser's
included: one hop of the desk's pinned client (claims.fetching.client.fetch_hop), so the
network guard checks every address and port before anything connects. capture_over_http is
the capture a worker without Chromium makes: the page and its redirects, no renderings."""

from __future__ import annotations

import dataclasses
import html
import platform
import re
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from urllib.parse import urljoin

from claims.capture.limits import CaptureLimits
from claims.capture.records import Blocked, Exchange, PageCapture
from claims.fetching.client import (
    REDIRECT_STATUSES,
    FetchError,
    FetchLimits,
    fetch_hop,
    printable,
)
from claims.fetching.extract import decode_text, media_type
from claims.fetching.urls import URLInvalid, normalize_url

REFUSED_KINDS = {"blocked", "invalid_url"}  # FetchError kinds that mean "the desk refused"


@dataclass
class FetchedExchange(Exchange):
    """An exchange with the certificates the site presented (PEM, leaf first; "" over
    http). Python 3.11 can only say the site's own certificate; 3.13 gives the chain."""

    certificates_pem: str = ""


def fetch_exchange(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
                   limits: FetchLimits | None = None,
                   deadline: float | None = None) -> FetchedExchange:
    """One request through the guard and the pinned client, following no redirect: any
    status comes back as an exchange, its body at most limits.max_bytes once decoded.
    `deadline` is a time.monotonic() instant the request must end by (a capture's own
    limit), on top of the limits' total deadline. Raises FetchError: kind "blocked" (in the
    guard's words) for an address or port the desk refuses, "invalid_url" for one it cannot
    use, otherwise why no answer came."""
    seconds = None
    if deadline is not None:
        seconds = deadline - time.monotonic()
        if seconds <= 0:
            raise FetchError("timeout", "The capture's time limit was reached before this "
                             "request could be made.", transient=True, final_url=url)
    started_at = datetime.now(UTC)
    hop = fetch_hop(url, method=method, headers=headers, limits=limits, seconds=seconds)
    return FetchedExchange(
        url=hop.url, method=hop.method, request_headers=hop.request_headers,
        status=hop.status, reason=hop.reason, response_headers=hop.headers, body=hop.body,
        ip=hop.connected_ip, started_at=started_at, http_version=hop.http_version,
        certificates_pem="".join(ssl.DER_cert_to_PEM_cert(der)
                                 for der in hop.peer_certificates),
    )


def header(exchange: Exchange, name: str) -> str | None:
    """The first value of a response header, by case-insensitive name."""
    name = name.lower()
    return next((v for k, v in exchange.response_headers if k.lower() == name), None)


def software_versions() -> dict[str, str]:
    try:
        desk = metadata.version("factcheck")
    except metadata.PackageNotFoundError:
        desk = "unknown"
    return {"factcheck": desk, "python": platform.python_version()}


def status_note(exchange: Exchange) -> str | None:
    """Words for a page that answered with something other than success."""
    if 200 <= exchange.status < 300:
        return None
    words = f"{exchange.status} {printable(exchange.reason, 80)}".strip()
    return f"The site answered {words}: the capture shows that answer."


_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def html_title(exchange: Exchange) -> str:
    """The <title> of an HTML answer, whitespace collapsed; "" for anything else."""
    mime, charset = media_type(header(exchange, "content-type") or "")
    if mime not in ("text/html", "application/xhtml+xml"):
        return ""
    text, _encoding = decode_text(exchange.body, charset, html=True)
    found = _TITLE.search(text)
    return " ".join(html.unescape(found.group(1)).split())[:1000] if found else ""


def capture_over_http(url: str, *, limits: CaptureLimits | None = None,
                      no_browser_reason: str = "") -> PageCapture:
    """The page at `url` as the guarded client fetches it: each redirect an exchange of its
    own, followed here; no screenshot or PDF, and the first note says why
    (`no_browser_reason`: browser_available()'s words, or a reason of the caller's).

    A redirect to an address the desk refuses is listed as blocked and the capture stops at
    the redirect, as it does at a redirect that cannot be fetched; both say so in the notes.
    Raises FetchError when the page itself gave no answer (refused, unreachable, too large):
    there is nothing to keep."""
    limits = limits or CaptureLimits.from_settings()
    started_at = datetime.now(UTC)
    deadline = time.monotonic() + limits.wall_seconds
    capture = PageCapture(
        url=url, final_url=url, title="", method="http", started_at=started_at,
        finished_at=started_at, notes=[no_screenshot_note(no_browser_reason)],
        software=software_versions(),
    )
    try:
        current = normalize_url(url)
    except URLInvalid as exc:
        raise FetchError("invalid_url", str(exc), final_url=url) from exc
    used = 0
    visited: set[str] = set()
    while True:
        room = limits.total_bytes - used
        hop_limits = dataclasses.replace(limits.fetch,
                                         max_bytes=min(limits.fetch.max_bytes, room))
        try:
            exchange = fetch_exchange(current, limits=hop_limits, deadline=deadline)
        except FetchError as exc:
            if not capture.exchanges:
                raise
            _redirect_failed(capture, current, exc)
            break
        capture.exchanges.append(exchange)
        used += len(exchange.body)
        location = header(exchange, "location")
        if exchange.status not in REDIRECT_STATUSES or not location:
            break
        if len(capture.exchanges) > limits.fetch.max_redirects:
            capture.notes.append(f"The page redirected more than {limits.fetch.max_redirects}"
                                 " times: the capture stops at the last redirect.")
            break
        try:
            target = normalize_url(urljoin(current, location.strip()))
        except (URLInvalid, ValueError) as exc:
            shown = printable(location, 200)
            reason = (str(exc) if isinstance(exc, URLInvalid)
                      else "it is not a valid web address.")
            capture.blocked.append(Blocked(url=shown, reason=reason))
            capture.notes.append(f"The page redirected to “{shown}”, which cannot be "
                                 f"fetched ({reason.rstrip('.')}): the capture stops at "
                                 "the redirect.")
            break
        visited.add(current)
        if target in visited:
            capture.notes.append("The page redirects in a loop: the capture stops at the "
                                 "redirect back.")
            break
        current = target
    last = capture.exchanges[-1]
    capture.final_url = last.url
    capture.title = html_title(last)
    capture.certificates_pem = getattr(last, "certificates_pem", "")
    note = status_note(last)
    if note and last.status not in REDIRECT_STATUSES:
        capture.notes.append(note)
    capture.finished_at = datetime.now(UTC)
    return capture


NO_RENDERINGS = "No screenshot or PDF"


def no_screenshot_note(reason: str = "") -> str:
    """"No screenshot or PDF: <reason>." (a reason already put that way is kept as it is)."""
    reason = reason.strip() or "the page was captured over HTTP alone, without a browser"
    if reason.startswith(NO_RENDERINGS):
        return reason
    return f"{NO_RENDERINGS}: {reason.rstrip('.')}."


def _redirect_failed(capture: PageCapture, target: str, exc: FetchError) -> None:
    """A redirect's target gave no answer: refused by the guard, or not fetched."""
    if exc.kind in REFUSED_KINDS:
        capture.blocked.append(Blocked(url=target, reason=exc.message))
        capture.notes.append(f"The page redirected to {target}, which the desk refused to "
                             f"fetch ({exc.message.rstrip('.')}): the capture stops at the "
                             "redirect.")
    elif exc.kind == "too_large":
        capture.notes.append(f"The page redirected to {target}, which was not kept: "
                             f"{exc.message} The capture stops at the redirect.")
    else:
        capture.notes.append(f"The page redirected to {target}, which could not be fetched "
                             f"({exc.message.rstrip('.')}): the capture stops at the "
                             "redirect.")

