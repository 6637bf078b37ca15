"""The network guard: which hosts and addresses a server-side fetch may reach.

Anyone who can log in can make the server fetch a URL, so every address is checked before a
connection is made: only public unicast addresses pass. Numeric hosts are read the way the C
library would read them (inet_aton accepts `2130706433`, `0177.1`, `0x7f.0.0.1`), so an
attacker cannot slip a private address past us in a spelling we did not expect.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class GuardRefused(Exception):
    """The guard refused a URL or address. The message says why, in words."""


# Ranges that are never public, named for the error message. ipaddress's is_global misses
# several of these (multicast, site-local, the embedding forms), so they are listed outright.
_V4_BLOCKED = [
    ("0.0.0.0/8", "the 'this network' range"),
    ("10.0.0.0/8", "a private network (10/8)"),
    ("100.64.0.0/10", "the carrier-grade NAT range (100.64/10)"),
    ("127.0.0.0/8", "the loopback range"),
    ("169.254.0.0/16", "the link-local range (cloud metadata lives here)"),
    ("172.16.0.0/12", "a private network (172.16/12)"),
    ("192.0.0.0/24", "the IETF protocol assignments range"),
    ("192.0.2.0/24", "a documentation range"),
    ("192.88.99.0/24", "the 6to4 relay range"),
    ("192.168.0.0/16", "a private network (192.168/16)"),
    ("198.18.0.0/15", "the benchmarking range"),
    ("198.51.100.0/24", "a documentation range"),
    ("203.0.113.0/24", "a documentation range"),
    ("224.0.0.0/4", "the multicast range"),
    ("240.0.0.0/4", "the reserved range"),
    ("255.255.255.255/32", "the broadcast address"),
]
_V6_BLOCKED = [
    ("::/128", "the unspecified address"),
    ("::1/128", "the loopback address"),
    ("::/96", "the deprecated IPv4-compatible range"),
    ("64:ff9b:1::/48", "the local-use NAT64 range"),
    ("100::/64", "the discard-only range"),
    ("2001::/23", "the IETF protocol assignments range (Teredo and others)"),
    ("2001:db8::/32", "a documentation range"),
    ("3fff::/20", "a documentation range"),
    ("fc00::/7", "a unique-local (private) network"),
    ("fe80::/10", "the link-local range"),
    ("fec0::/10", "the deprecated site-local range"),
    ("ff00::/8", "the multicast range"),
]
_V4_NETS = [(ipaddress.ip_network(n), why) for n, why in _V4_BLOCKED]
_V6_NETS = [(ipaddress.ip_network(n), why) for n, why in _V6_BLOCKED]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")

# One label of an inet_aton-style address: decimal, octal (leading 0) or hex (0x).
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def parse_ipv4_like(host: str) -> ipaddress.IPv4Address | None:
    """Read `host` as getaddrinfo/inet_aton would if it is numeric (1 to 4 parts, each
    decimal, octal or hex). Returns None for ordinary names. Raises GuardRefused for a
    numeric-looking host that is out of range, because a resolver might still act on it."""
    parts = host.split(".")
    if parts and parts[-1] == "":  # a trailing dot, as in "127.0.0.1."
        parts = parts[:-1]
    if not parts or len(parts) > 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        # WHATWG: a name whose last label is numeric is an IPv4 address or invalid.
        if parts and _NUMERIC_PART.match(parts[-1]) and len(parts) > 1 and parts[-1] != "":
            raise GuardRefused(f"“{host}” is neither a valid address nor a host name.")
        return None
    values = []
    for p in parts:
        if p.lower().startswith("0x"):
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            if not re.fullmatch(r"[0-7]+", p):
                raise GuardRefused(f"“{host}” is not a valid address.")
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise GuardRefused(f"“{host}” is not a valid address.")
    number = 0
    for v in head:
        number = number * 256 + v
    number = number * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(number)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL host names literally (any IPv4 spelling, or IPv6), or None."""
    h = host.strip("[]")
    if ":" in h:
        if "%" in h:
            raise GuardRefused("Addresses with an IPv6 zone (%…) cannot be fetched.")
        try:
            return ipaddress.IPv6Address(h)
        except ValueError as exc:
            raise GuardRefused(f"“{host}” is not a valid IPv6 address.") from exc
    return parse_ipv4_like(h)


def refusal_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address, or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            why = refusal_reason(ip.ipv4_mapped)
            return f"an IPv4-mapped form of {why}" if why else None
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            why = refusal_reason(embedded)
            return f"a NAT64 form of {why}" if why else None
        if ip in _SIX_TO_FOUR:
            embedded = ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
            why = refusal_reason(embedded)
            if why:
                return f"a 6to4 form of {why}"
        for net, why in _V6_NETS:
            if ip in net:
                return why
    else:
        for net, why in _V4_NETS:
            if ip in net:
                return why
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "a non-public range"
    return None


def check_address(ip: IPAddress, *, host: str) -> None:
    why = refusal_reason(ip)
    if why:
        where = f"{host}: it points to {ip}, which is" if host != str(ip) else f"{ip}: it is"
        raise GuardRefused(
            f"Refused to fetch from {where} in {why}; only public addresses can be fetched."
        )


def host_is_allowed_private(host: str) -> bool:
    """Hosts listed in FETCH_ALLOWED_PRIVATE_HOSTS (tests and local demos only)."""
    allowed = {h.strip().lower().strip("[]") for h in settings.FETCH_ALLOWED_PRIVATE_HOSTS}
    return host.lower().strip("[]") in allowed


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address (A and AAAA) the host resolves to. Tests replace this function to map
    names; the rest of the code goes through it, never through the socket module directly."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if ip not in seen:
            seen.append(ip)
    return seen


@dataclass(frozen=True)
class Target:
    """Where one request goes: the checked address to connect to, and the name to send."""

    scheme: str
    host: str
    port: int
    ip: IPAddress


def check_port(host: str, port: int) -> None:
    if port not in settings.FETCH_ALLOWED_PORTS and not host_is_allowed_private(host):
        ports = [str(p) for p in settings.FETCH_ALLOWED_PORTS]
        allowed = ", ".join(ports[:-1]) + " and " + ports[-1] if len(ports) > 1 else ports[0]
        raise GuardRefused(f"Port {port} is not allowed: the desk connects only to "
                           f"port{'s' if len(ports) > 1 else ''} {allowed}.")


def check_before_resolving(host: str, port: int) -> IPAddress | None:
    """Everything the guard refuses without looking the host up: a port outside
    FETCH_ALLOWED_PORTS, and a host that is itself an address that is not public (hosts on
    the allow-list excepted). Returns that address when the host is one.

    Every hop of a fetch passes here first (resolve_target); attaching a source and
    subscribing a webhook call it too, so what a fetch would refuse is refused at once, in
    the same words, and the rule lives here only."""
    check_port(host, port)
    literal = parse_ip_host(host)
    if literal is not None and not host_is_allowed_private(host):
        check_address(literal, host=host)
    return literal


def resolve_target(scheme: str, host: str, port: int) -> Target:
    """Resolve the host once and check every address it has: if any is not public, the
    whole host is refused (a name with one private address is a rebinding trap)."""
    literal = check_before_resolving(host, port)
    if literal is not None:
        return Target(scheme, host, port, literal)
    allowed_private = host_is_allowed_private(host)
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        raise ResolveError(f"The host {host} could not be found ({exc}).") from exc
    if not addresses:
        raise ResolveError(f"The host {host} has no addresses.")
    if not allowed_private:
        for ip in addresses:
            check_address(ip, host=host)
    # Prefer IPv4: test and demo machines often have no IPv6 route.
    addresses.sort(key=lambda ip: ip.version)
    return Target(scheme, host, port, addresses[0])


class ResolveError(Exception):
    """DNS lookup failed: usually transient, so it is retried."""
