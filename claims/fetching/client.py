"""The safe HTTP client every server-side fetch goes through.

Built on http.client so that nothing is implicit: no proxy variables from the environment,
no automatic redirects, no connection to an address the guard did not check. For each hop
we resolve once, check every address, then connect to the checked address while sending
the real Host header and (for https) the real TLS server name, so a DNS answer that changes
between the check and the connection (rebinding) cannot move us.
"""

from __future__ import annotations

import functools
import heapq
import http.client
import itertools
import os
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from claims.fetching.guard import GuardRefused, ResolveError, Target, resolve_target
from claims.fetching.urls import URLInvalid, normalize_url, request_url, url_host_port

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that did not produce a usable response. `kind` is a FetchErrorKind value;
    `transient` says whether trying again later may help."""

    def __init__(self, kind: str, message: str, *, transient: bool = False,
                 retry_after: float | None = None, http_status: int | None = None,
                 final_url: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.transient = transient
        self.retry_after = retry_after
        self.http_status = http_status
        self.final_url = final_url


@dataclass
class FetchResponse:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)
    connected_ip: str = ""
    elapsed_ms: int = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class FetchLimits:
    connect_timeout: float
    read_timeout: float
    total_deadline: float
    max_bytes: int
    max_redirects: int
    user_agent: str

    @classmethod
    def from_settings(cls) -> FetchLimits:
        return cls(
            connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
            read_timeout=settings.FETCH_READ_TIMEOUT,
            total_deadline=settings.FETCH_TOTAL_DEADLINE,
            max_bytes=settings.FETCH_MAX_BYTES,
            max_redirects=settings.FETCH_MAX_REDIRECTS,
            user_agent=settings.FETCH_USER_AGENT,
        )


def _connect_to(target: Target, timeout: float) -> socket.socket:
    """A TCP connection to exactly the checked address (no name lookup on the way:
    socket.create_connection would call getaddrinfo again)."""
    family = socket.AF_INET6 if target.ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.connect((str(target.ip), target.port))
    except BaseException:
        sock.close()
        raise
    return sock


class _RecordingHeaders:
    """Keeps every header line as it was sent (the Host header http.client adds included),
    so an exchange can be written down exactly."""

    sent_headers: list[tuple[str, str]]

    def putheader(self, header, *values):
        if not hasattr(self, "sent_headers"):
            self.sent_headers = []
        name = header.decode("latin-1") if isinstance(header, bytes) else str(header)
        value = "\r\n\t".join(
            v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
        self.sent_headers.append((name, value))
        super().putheader(header, *values)


class _PinnedHTTPConnection(_RecordingHeaders, http.client.HTTPConnection):
    """Connects to the checked IP; Host header stays the URL's host name."""

    peer_certificates: list[bytes] = []

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self):
        self.sock = _connect_to(self._target, self.timeout)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds: one verifying context per process.
    return ssl.create_default_context()


class _PinnedHTTPSConnection(_RecordingHeaders, http.client.HTTPSConnection):
    """As above, with TLS verified for the host name (SNI and certificate check). Keeps the
    certificates the site presented (DER): the whole chain where Python can say it (3.13's
    SSLSocket.get_unverified_chain), else the site's own certificate."""

    peer_certificates: list[bytes] = []

    def __init__(self, target: Target, timeout: float):
        context = _tls_context()
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._target = target
        self._context = context

    def connect(self):
        sock = _connect_to(self._target, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._target.host)
        self.peer_certificates = _presented_certificates(self.sock)


def _presented_certificates(sock: ssl.SSLSocket) -> list[bytes]:
    chain = getattr(sock, "get_unverified_chain", None)  # public from Python 3.13
    if chain is not None:
        try:
            return [bytes(cert) for cert in chain() or []]
        except (ssl.SSLError, ValueError, TypeError):
            pass
    leaf = sock.getpeercert(binary_form=True)
    return [leaf] if leaf else []


class _Watchdog:
    """One thread per process that fires deadlines, so a request does not pay for starting
    a timer thread of its own. Restarted after a fork (Celery's prefork children)."""

    def __init__(self):
        self._pid = None
        self._heap: list = []
        self._cond = threading.Condition()
        self._seq = itertools.count()

    def schedule(self, when: float, callback) -> list:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._heap = []
            self._cond = threading.Condition()
            threading.Thread(target=self._run, args=(self._cond, self._heap), daemon=True,
                             name="fetch-deadline").start()
        entry = [when, next(self._seq), callback]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._heap[0] is entry:  # only an earlier deadline needs the thread awake
                self._cond.notify()
        return entry

    @staticmethod
    def cancel(entry: list) -> None:
        entry[2] = None  # the thread drops cancelled entries when they come up

    @staticmethod
    def _run(cond: threading.Condition, heap: list) -> None:
        with cond:
            while True:
                while heap and heap[0][2] is None:
                    heapq.heappop(heap)
                if not heap:
                    cond.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    cond.wait(delay)
                    continue
                callback = heapq.heappop(heap)[2]
                if callback is not None:
                    callback()


_watchdog = _Watchdog()


class _Deadline:
    """Cuts the connection when the total time is up, whatever phase the request is in
    (a server trickling its headers one byte at a time never trips a read timeout)."""

    def __init__(self, seconds: float):
        self.expires = time.monotonic() + seconds
        self.fired = False
        self._conn: http.client.HTTPConnection | None = None
        self._entry: list | None = None

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    def watch(self, conn: http.client.HTTPConnection) -> None:
        self.cancel()
        self._conn = conn
        self._entry = _watchdog.schedule(self.expires, self._fire)

    def _fire(self) -> None:
        self.fired = True
        sock = self._conn.sock if self._conn else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        if self._entry is not None:
            _watchdog.cancel(self._entry)
            self._entry = None

    def check(self) -> None:
        if self.fired or self.remaining() <= 0:
            raise FetchError("timeout", "The server took too long to send the page "
                             "(total time limit reached).", transient=True)


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError("unsupported", f"The server used an encoding we do not accept "
                     f"({printable(encoding, 40)}).")


def ascii_number(value: str | None) -> int | None:
    """The value of a header that should be a non-negative decimal number, or None.

    Headers are decoded as latin-1, so a hostile server can send "²" or "٣": str.isdigit()
    and int() accept some of those, and int() refuses others with a ValueError. Only ASCII
    digits are a number here."""
    value = (value or "").strip()
    if not value or len(value) > 30 or not value.isascii() or not value.isdigit():
        return None
    return int(value)


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def _declared_length(resp: http.client.HTTPResponse) -> int | None:
    """The one length the answer declares, or None if it declares none we can read.

    An answer that declares different lengths (two Content-Length headers, or one listing
    two values) has no trustworthy end: http.client would quietly read by the first, and
    a page cut short or run on would be stored as fetched. It is refused as malformed
    (RFC 9112, section 6.3); the same length repeated is harmless and accepted."""
    headers = resp.msg.get_all("content-length") or []
    values = list(dict.fromkeys(
        v.strip() for header in headers for v in str(header).split(",") if v.strip()))
    if len(values) > 1:
        shown = [printable(v, 20) for v in values[:4]]
        listed = (", ".join(shown) + " and more" if len(values) > 4
                  else ", ".join(shown[:-1]) + " and " + shown[-1])
        count = _NUMBER_WORDS.get(len(values), str(len(values)))
        where = (f"{count} different Content-Length headers" if len(headers) > 1
                 else f"a Content-Length header with {count} different values")
        raise FetchError("other", f"The server sent {where} ({listed}): the answer is "
                         "malformed.")
    return ascii_number(values[0]) if values else None


def _read_body(resp: http.client.HTTPResponse, limits: FetchLimits, deadline: _Deadline) -> bytes:
    """Read the body, decompressing as we go, stopping at max_bytes of decompressed data."""
    declared = _declared_length(resp)
    if declared is not None and declared > limits.max_bytes:
        raise FetchError("too_large", f"The page is larger than the limit of "
                         f"{limits.max_bytes // 1024:,} KB "
                         f"({declared // 1024:,} KB declared).")
    decoder = _decoder(resp.getheader("content-encoding", ""))
    parts: list[bytes] = []
    size = 0
    while True:
        deadline.check()
        try:
            chunk = resp.read1(CHUNK)
        except TimeoutError as exc:
            deadline.check()
            raise FetchError("timeout", "The server stopped sending the page (read timed out).",
                             transient=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            deadline.check()
            raise FetchError("connection", f"The connection broke while reading "
                             f"({printable(str(exc) or type(exc).__name__, 200)}).",
                             transient=True) from exc
        if not chunk:
            deadline.check()
            if resp.length:  # http.client ends quietly when the server closes early
                raise FetchError("connection", f"The connection closed before the whole page "
                                 f"arrived ({resp.length:,} bytes missing).", transient=True)
            break
        if decoder is not None:
            try:
                # max_length bounds what one call may inflate: a bomb cannot blow up memory.
                chunk = decoder.decompress(chunk, limits.max_bytes - size + 1)
            except zlib.error as exc:
                raise FetchError("other", f"The compressed page is corrupt ({exc}).") from exc
            if decoder.unconsumed_tail:
                raise _too_large(limits)
        size += len(chunk)
        if size > limits.max_bytes:
            raise _too_large(limits)
        parts.append(chunk)
    if decoder is not None:
        tail = decoder.flush()
        size += len(tail)
        if size > limits.max_bytes:
            raise _too_large(limits)
        parts.append(tail)
    return b"".join(parts)


def _too_large(limits: FetchLimits) -> FetchError:
    return FetchError("too_large", f"The page is larger than the limit of "
                      f"{limits.max_bytes // 1024:,} KB (after decompression).")


def printable(value: str, limit: int = 200) -> str:
    """A header value fit to quote in an error message: control characters shown escaped,
    cut to `limit` characters (a hostile server chooses these bytes)."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:limit])
    return shown + ("…" if len(value) > limit else "")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date); None when
    the value is neither."""
    if not value:
        return None
    seconds = ascii_number(value)
    if seconds is not None:
        return float(seconds)
    try:
        return max(parsedate_to_datetime(value.strip()).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _one_hop(url: str, limits: FetchLimits, deadline: _Deadline, *, method: str = "GET",
             body: bytes | None = None, headers: dict[str, str] | None = None):
    scheme, host, port = url_host_port(url)
    try:
        target = resolve_target(scheme, host, port)
    except ResolveError as exc:
        raise FetchError("connection", str(exc), transient=True, final_url=url) from exc
    except GuardRefused as exc:
        raise FetchError("blocked", str(exc), final_url=url) from exc
    timeout = min(limits.connect_timeout, max(deadline.remaining(), 0.01))
    conn_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = conn_class(target, timeout)
    path = _request_target(url)
    try:
        deadline.watch(conn)
        conn.connect()
        conn.sock.settimeout(min(limits.read_timeout, max(deadline.remaining(), 0.01)))
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("User-Agent", limits.user_agent)
        if headers is None:
            conn.putheader("Accept", "text/html,application/xhtml+xml,application/pdf,"
                                     "text/plain;q=0.9,*/*;q=0.5")
            conn.putheader("Accept-Encoding", "gzip, deflate")
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Connection", "close")
        conn.endheaders(body)
        resp = conn.getresponse()
    except ssl.SSLCertVerificationError as exc:
        conn.close()
        raise FetchError("connection", f"The site's certificate could not be verified "
                         f"({exc.verify_message}).", final_url=url) from exc
    except (TimeoutError, http.client.HTTPException, OSError) as exc:
        conn.close()
        deadline.check()
        kind, words = _no_answer(exc, host)
        raise FetchError(kind, words, transient=True, final_url=url) from exc
    return conn, resp, target


def _no_answer(exc: Exception, host: str) -> tuple[str, str]:
    """Why no answer came (the error's kind and words): each is worth a retry."""
    if isinstance(exc, TimeoutError):
        return "timeout", f"{host} did not answer in time."
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection", f"{host} closed the connection without answering."
    if isinstance(exc, http.client.BadStatusLine):
        return "connection", (f"{host} did not answer in HTTP (its first line was "
                              f"“{printable(str(exc), 80)}”).")
    if isinstance(exc, http.client.HTTPException):
        return "connection", f"{host} sent a malformed answer ({printable(str(exc), 200)})."
    return "connection", f"Could not connect to {host} ({exc})."


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _start(url: str, limits: FetchLimits | None, *, as_given: bool = False,
           seconds: float | None = None) -> tuple[FetchLimits, str, _Deadline]:
    """What every request starts from: its limits (the settings' unless given), the
    address (normalised, or with its path and query as given; one that cannot be fetched
    is a FetchError before any connection) and the total deadline's clock, started now
    (limits.total_deadline, or `seconds` if that is sooner); the caller cancels it."""
    limits = limits or FetchLimits.from_settings()
    try:
        current = request_url(url) if as_given else normalize_url(url)
    except URLInvalid as exc:
        raise FetchError("invalid_url", str(exc), final_url=url) from exc
    total = limits.total_deadline if seconds is None else min(limits.total_deadline, seconds)
    return limits, current, _Deadline(total)


def fetch(url: str, *, limits: FetchLimits | None = None) -> FetchResponse:
    """GET `url` through the guard, following redirects ourselves. Returns the final 2xx
    response; raises FetchError (with kind and words) for everything else."""
    started = time.monotonic()
    limits, current, deadline = _start(url, limits)
    redirects: list[str] = []
    try:
        while True:
            conn, resp, target = _one_hop(current, limits, deadline)
            try:
                status = resp.status
                if status in REDIRECT_STATUSES and resp.getheader("location"):
                    location = resp.getheader("location")
                    if len(redirects) >= limits.max_redirects:
                        raise FetchError("redirects", f"The page redirected more than "
                                         f"{limits.max_redirects} times.", final_url=current)
                    try:
                        nxt = normalize_url(urljoin(current, location.strip()))
                    except URLInvalid as exc:
                        raise FetchError("blocked", f"The page redirected to an address that "
                                         f"cannot be fetched: {exc}", final_url=current) from exc
                    except ValueError as exc:  # urljoin refuses e.g. "http://[" outright
                        raise FetchError("blocked", f"The page redirected to "
                                         f"“{printable(location, 200)}”, which is not a valid "
                                         f"web address.", final_url=current) from exc
                    if nxt == current or nxt in redirects:
                        raise FetchError("redirects", "The page redirects in a loop.",
                                         final_url=current)
                    redirects.append(current)
                    current = nxt
                    continue
                headers = {k.lower(): v for k, v in resp.getheaders()}
                if not 200 <= status < 300:
                    raise _status_error(status, headers, current)
                body = _read_body(resp, limits, deadline)
                return FetchResponse(
                    url=url, final_url=current, status=status, headers=headers, body=body,
                    redirects=redirects, connected_ip=str(target.ip),
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                )
            finally:
                conn.close()
    except FetchError as exc:
        exc.final_url = exc.final_url or current
        raise
    finally:
        deadline.cancel()


@dataclass
class PostResponse:
    """The answer to a POST: its status and the start of its body (a receiver's words)."""

    status: int
    headers: dict[str, str]
    body_start: bytes
    elapsed_ms: int = 0


def post(url: str, *, body: bytes, headers: dict[str, str],
         limits: FetchLimits | None = None, keep_bytes: int = 4096) -> PostResponse:
    """POST `body` to `url` through the guard, once, following no redirect: whatever status
    comes back (a 3xx included) is returned for the caller to judge, with at most
    `keep_bytes` of the body. Raises FetchError (with kind and words) when no answer came:
    refused by the guard, no connection, a timeout."""
    started = time.monotonic()
    limits, current, deadline = _start(url, limits)
    try:
        conn, resp, _target = _one_hop(current, limits, deadline, method="POST", body=body,
                                       headers=headers)
        try:
            try:
                kept = resp.read(keep_bytes) if keep_bytes else b""
            except (OSError, http.client.HTTPException):
                kept = b""  # the status is the answer; its words are a courtesy
            return PostResponse(
                status=resp.status, headers={k.lower(): v for k, v in resp.getheaders()},
                body_start=kept, elapsed_ms=int((time.monotonic() - started) * 1000),
            )
        finally:
            conn.close()
    finally:
        deadline.cancel()


@dataclass
class HopResponse:
    """One request and its answer, whatever the status: nothing followed, nothing judged."""

    url: str  # as requested (request_url: path and query as given)
    method: str
    request_headers: list[tuple[str, str]]  # every header line sent, Host included
    status: int
    reason: str
    headers: list[tuple[str, str]]  # as received, names as the server spelled them
    body: bytes  # transfer and content encodings removed
    connected_ip: str
    http_version: str
    peer_certificates: list[bytes] = field(default_factory=list)  # DER, https only


_NO_BODY_STATUSES = {204, 304}


def fetch_hop(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
              limits: FetchLimits | None = None, seconds: float | None = None) -> HopResponse:
    """One request to `url` through the guard, following no redirect: any status comes back
    with its body (at most limits.max_bytes once decoded). The path and query are sent as
    given (request_url), not normalised: a page's own requests must reach what it asked for.
    `headers`, when given, replace the default Accept and Accept-Encoding (only gzip and
    deflate can be decoded). `seconds` shortens the total deadline. Raises FetchError
    (with kind and words) when no usable answer came: refused by the guard ("blocked"), no
    connection, a timeout, a body over the limit."""
    limits, current, deadline = _start(url, limits, as_given=True, seconds=seconds)
    try:
        conn, resp, target = _one_hop(current, limits, deadline, method=method,
                                      headers=headers)
        try:
            if method == "HEAD" or resp.status in _NO_BODY_STATUSES or resp.status < 200:
                body = b""
            else:
                body = _read_body(resp, limits, deadline)
            return HopResponse(
                url=current, method=method, request_headers=list(conn.sent_headers),
                status=resp.status, reason=resp.reason, headers=list(resp.getheaders()),
                body=body, connected_ip=str(target.ip),
                http_version="HTTP/1.0" if resp.version == 10 else "HTTP/1.1",
                peer_certificates=list(conn.peer_certificates),
            )
        finally:
            conn.close()
    except FetchError as exc:
        exc.final_url = exc.final_url or current
        raise
    finally:
        deadline.cancel()


def _status_error(status: int, headers: dict[str, str], url: str) -> FetchError:
    reason = http.client.responses.get(status, "")
    if status == 429:
        return FetchError("rate_limited", "The site asked us to slow down (429 Too Many "
                          "Requests).", transient=True,
                          retry_after=_retry_after(headers.get("retry-after")),
                          http_status=status, final_url=url)
    if status in (408,) or status >= 500:
        return FetchError("http_5xx" if status >= 500 else "timeout",
                          f"The site answered {status} {reason}.".replace(" .", "."),
                          transient=True, retry_after=_retry_after(headers.get("retry-after")),
                          http_status=status, final_url=url)
    if status >= 400:
        return FetchError("http_4xx", f"The site answered {status} {reason}.".replace(" .", "."),
                          http_status=status, final_url=url)
    return FetchError("other", f"The site answered with an unexpected status {status}.",
                      http_status=status, final_url=url)
