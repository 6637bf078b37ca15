"""URL normalisation: one canonical spelling per web address, so one Source per page."""

from __future__ import annotations

from functools import cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList

from claims.fetching.guard import GuardRefused, check_before_resolving, parse_ip_host

MAX_URL_LENGTH = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that only track the reader; dropping them merges copies of the same page.
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid"}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"


class URLInvalid(ValueError):
    """The address cannot be used. The message says why, in words."""


@cache
def _psl():
    # publicsuffixlist ships its own copy of the list (no network); parsing it takes half
    # a second, so it is done once, when a domain is first asked for.
    return PublicSuffixList()


def registrable_domain(host: str) -> str:
    """bbc.co.uk for www.bbc.co.uk; the address itself for IP hosts and single labels."""
    host = host.lower().strip("[]").rstrip(".")
    try:
        if parse_ip_host(host) is not None:
            return host
    except GuardRefused:
        return host
    return _psl().privatesuffix(host) or host


def _canonical_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise URLInvalid("The address has no host name.")
    try:
        ip = parse_ip_host(host)
    except GuardRefused as exc:
        raise URLInvalid(str(exc)) from exc
    if ip is not None:
        return f"[{ip}]" if ip.version == 6 else str(ip)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise URLInvalid(f"“{host}” is not a valid host name.") from exc
    if any(c in ascii_host for c in " <>\"'\\^`{|}") or len(ascii_host) > 253:
        raise URLInvalid(f"“{host}” is not a valid host name.")
    if ascii_host != host:
        # IDNA mapping can turn a Unicode name into a numeric one ("¹" -> "1"): canonicalise
        # again so the result is a fixed point and numeric hosts always read as addresses.
        return _canonical_host(ascii_host)
    return ascii_host


def normalize_url(raw: str) -> str:
    """Canonical form: lower-case scheme and host (IDNA, numeric hosts in dotted form),
    default port dropped, path percent-encoded consistently, fragment and tracking
    parameters removed. Raises URLInvalid for anything that is not a usable web address."""
    url = (raw or "").strip()
    if not url:
        raise URLInvalid("Enter the address of the source.")
    if len(url) > MAX_URL_LENGTH:
        raise URLInvalid(f"The address is longer than {MAX_URL_LENGTH} characters.")
    if any(ord(c) < 32 for c in url):
        raise URLInvalid("The address contains control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 literal
        raise URLInvalid("The address is not a valid web address.") from exc
    scheme = parts.scheme.lower()
    if not scheme:
        raise URLInvalid("Give the full address, starting with http:// or https://.")
    if scheme not in DEFAULT_PORTS:
        raise URLInvalid(f"Only http and https addresses can be fetched, not “{scheme}:”.")
    if not parts.netloc:
        raise URLInvalid("The address has no host name.")
    if "@" in parts.netloc:
        raise URLInvalid("Addresses with a user name or password cannot be fetched.")
    try:
        port = parts.port
    except ValueError as exc:
        raise URLInvalid("The address has an invalid port number.") from exc
    host = _canonical_host(parts.hostname or "")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query_pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    query = urlencode(query_pairs, doseq=True) if query_pairs else ""
    normalized = urlunsplit((scheme, netloc, path, query, ""))
    if len(normalized) > MAX_URL_LENGTH:
        raise URLInvalid(f"The address is longer than {MAX_URL_LENGTH} characters.")
    return normalized


# What a request line cannot carry, or what a browser would have encoded (the WHATWG URL
# standard's query and path percent-encode sets); everything else is sent as given.
_QUERY_ENCODED = frozenset(' "#<>')
_PATH_ENCODED = _QUERY_ENCODED | frozenset("?`{}")


def _encode_only(text: str, encoded: frozenset[str]) -> str:
    return "".join(
        quote(c, safe="") if c in encoded or ord(c) < 33 or ord(c) >= 127 else c for c in text
    )


def request_url(raw: str) -> str:
    """The address as one request sends it: checked as normalize_url checks it, with its
    canonical scheme, host and port, but its path and query as given (their order and any
    tracking parameters kept), percent-encoded only where a browser would have encoded them.
    The fragment is dropped: it never leaves the browser. A page's own requests (a script
    URL with a signature in its query) must reach exactly what the page asked for."""
    canonical = urlsplit(normalize_url(raw))
    parts = urlsplit(raw.strip())
    path = _encode_only(parts.path or "/", _PATH_ENCODED)
    query = _encode_only(parts.query, _QUERY_ENCODED)
    requested = urlunsplit((canonical.scheme, canonical.netloc, path, query, ""))
    if len(requested) > MAX_URL_LENGTH:
        raise URLInvalid(f"The address is longer than {MAX_URL_LENGTH} characters.")
    return requested


def url_host_port(url: str) -> tuple[str, str, int]:
    """(scheme, host without brackets, port) of a normalised URL."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").strip("[]"), parts.port or DEFAULT_PORTS[
        parts.scheme
    ]


def fetchable_url(raw: str) -> str:
    """`raw` normalised, if a fetch of it would get past every check made before the host
    is looked up: the address's form (normalize_url: scheme, credentials, length, host,
    port number) and the guard's port and literal-address rules. Raises URLInvalid in
    words. Only a host name's addresses are left for the fetch itself to check."""
    normalized = normalize_url(raw)
    _scheme, host, port = url_host_port(normalized)
    try:
        check_before_resolving(host, port)
    except GuardRefused as exc:
        raise URLInvalid(str(exc)) from exc
    return normalized
