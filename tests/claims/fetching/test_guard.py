"""The network guard with the allow-list OFF: hostile URLs in every spelling are refused
before any connection is made, which a canary server on 127.0.0.1 proves."""

from __future__ import annotations

import ipaddress

import pytest

from claims.fetching import guard
from claims.fetching.client import FetchError, fetch
from claims.fetching.guard import parse_ip_host, refusal_reason
from claims.fetching.urls import URLInvalid, normalize_url
from tests.localserver import Response

# One address in every range the guard must refuse.
PRIVATE_V4 = [
    "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.5.4", "172.31.255.254", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.251",
    "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.10", "198.51.100.7",
    "203.0.113.9", "198.18.0.1", "198.19.255.254", "192.0.0.8", "192.88.99.1",
]
PRIVATE_V6 = [
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1", "2001:db8::1",
    "fec0::1", "100::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "64:ff9b:1::1",
    "3fff::1",
]


def v4_spellings(address: str) -> list[str]:
    """The ways inet_aton/getaddrinfo accept one IPv4 address."""
    a, b, c, d = (int(x) for x in address.split("."))
    n = int(ipaddress.IPv4Address(address))
    return [
        address,
        str(n),  # decimal integer
        f"{n:#x}",  # hex integer
        f"0{n:o}" if n else "00",  # octal integer
        ".".join(f"0{x:o}" if x else "0" for x in (a, b, c, d)),  # octal parts
        ".".join(f"{x:#x}" for x in (a, b, c, d)),  # hex parts
        f"{a}.{b}.{c * 256 + d}",  # short: a.b.16bit
        f"{a}.{b * 65536 + c * 256 + d}",  # short: a.24bit
        f"{a:#x}.{b}.0{c:o}.{d}" if c else f"{a:#x}.{b}.0.{d}",  # mixed
        f"{address}.",  # trailing dot
    ]


def v6_spellings(address: str) -> list[str]:
    ip = ipaddress.IPv4Address(address)
    hi, lo = int(ip) >> 16, int(ip) & 0xFFFF
    return [
        f"[::ffff:{address}]",  # IPv4-mapped
        f"[::ffff:{hi:x}:{lo:x}]",
        f"[0:0:0:0:0:ffff:{address}]",
        f"[64:ff9b::{address}]",  # NAT64
        f"[64:ff9b::{hi:x}:{lo:x}]",
        f"[2002:{hi:x}:{lo:x}::1]",  # 6to4 embedding the address
    ] + ([f"[::{address}]"] if int(ip) > 1 else [])  # IPv4-compatible (deprecated)


HOSTILE_HOSTS = sorted(
    {s for a in PRIVATE_V4 for s in v4_spellings(a)}
    | {s for a in PRIVATE_V4 for s in v6_spellings(a)}
    | {f"[{a}]" for a in PRIVATE_V6}
)


@pytest.fixture
def no_allow_list(settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    return settings


@pytest.fixture
def canary(local_server, no_allow_list):
    """A server on 127.0.0.1 whose port is allowed, so only the address check stands
    between a hostile URL and a connection to it."""
    local_server.route("/", Response(body=b"you should never see this"))
    local_server.route("/canary", Response(body=b"you should never see this"))
    no_allow_list.FETCH_ALLOWED_PORTS = [80, 443, local_server.port]
    yield local_server
    assert local_server.hits() == 0, "the guard let a connection through"


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_every_spelling_of_a_private_address_is_refused(canary, host):
    url = f"http://{host}:{canary.port}/canary"
    with pytest.raises(FetchError) as exc:
        fetch(url)
    assert exc.value.kind in ("blocked", "invalid_url"), exc.value.message
    assert "public" in exc.value.message or "valid" in exc.value.message


@pytest.mark.parametrize("address", PRIVATE_V4)
def test_each_spelling_reads_as_the_same_address(address):
    for spelling in v4_spellings(address):
        assert parse_ip_host(spelling.rstrip(".")) == ipaddress.IPv4Address(address), spelling
        assert refusal_reason(parse_ip_host(spelling.rstrip("."))), spelling


@pytest.mark.parametrize(
    "public", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "2002:5db8:d822::1",
               "64:ff9b::5db8:d822", "::ffff:93.184.216.34"],
)
def test_public_addresses_pass(public):
    assert refusal_reason(ipaddress.ip_address(public)) is None


def test_refusal_says_which_range(no_allow_list):
    with pytest.raises(FetchError) as exc:
        fetch("http://0xa9.0376.43518/latest/meta-data/")  # 169.254.169.254
    assert exc.value.kind == "blocked"
    assert "169.254.169.254" in exc.value.message
    assert "link-local" in exc.value.message


def test_localhost_is_refused(canary):
    with pytest.raises(FetchError) as exc:
        fetch(f"http://localhost:{canary.port}/canary")
    assert exc.value.kind == "blocked"
    assert "loopback" in exc.value.message


def test_a_name_resolving_to_loopback_is_refused(canary, monkeypatch):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(guard, "resolve_host", resolver)
    with pytest.raises(FetchError) as exc:
        fetch(f"http://innocent-looking.example:{canary.port}/canary")
    assert exc.value.kind == "blocked"
    assert calls == ["innocent-looking.example"]


def test_a_name_with_one_private_address_among_public_ones_is_refused(canary, monkeypatch):
    monkeypatch.setattr(guard, "resolve_host", lambda host, port: [
        ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("::1")])
    with pytest.raises(FetchError) as exc:
        fetch(f"http://mixed.example:{canary.port}/canary")
    assert exc.value.kind == "blocked"


def test_the_host_is_resolved_once_and_the_checked_address_is_used(
    local_server, no_allow_list, monkeypatch
):
    """DNS rebinding: a second answer (private) must never be asked for or used. The name is
    allow-listed by name so its (local) address passes; the request carries the real Host."""
    answers = [[ipaddress.ip_address("127.0.0.1")], [ipaddress.ip_address("10.9.9.9")]]
    monkeypatch.setattr(guard, "resolve_host", lambda host, port: answers.pop(0))
    no_allow_list.FETCH_ALLOWED_PRIVATE_HOSTS = ["news.example"]
    local_server.route("/story", Response(body=b"hello"))
    response = fetch(f"http://news.example:{local_server.port}/story")
    assert response.body == b"hello"
    assert response.connected_ip == "127.0.0.1"
    assert len(answers) == 1  # resolved exactly once
    assert local_server.requests[0].headers["Host"] == f"news.example:{local_server.port}"


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/canary",
    "http://localhost:{port}/canary",
    "http://[::ffff:127.0.0.1]:{port}/canary",
    "http://2130706433:{port}/canary",
    "http://169.254.169.254/latest/meta-data/",
])
def test_redirect_from_a_public_host_to_a_private_one_is_refused(
    canary, no_allow_list, monkeypatch, local_server_factory, target
):
    public = local_server_factory()
    monkeypatch.setattr(guard, "resolve_host",
                        lambda host, port: [ipaddress.ip_address("127.0.0.1")])
    # Only the public-looking name is allowed (by name), not the address it redirects to.
    no_allow_list.FETCH_ALLOWED_PRIVATE_HOSTS = ["public.example"]
    public.route("/start", Response.redirect(target.format(port=canary.port)))
    with pytest.raises(FetchError) as exc:
        fetch(f"http://public.example:{public.port}/start")
    assert exc.value.kind == "blocked"
    assert public.hits("/start") == 1


@pytest.mark.parametrize("url,words", [
    ("http://user:secret@example.org/", "user name or password"),
    ("http://user@example.org/", "user name or password"),
    ("file:///etc/passwd", "Only http and https"),
    ("gopher://example.org:70/1", "Only http and https"),
    ("ftp://example.org/file", "Only http and https"),
    ("javascript:alert(1)", "Only http and https"),
    ("data:text/html,hi", "Only http and https"),
    ("dict://127.0.0.1:11211/stat", "Only http and https"),
    ("example.org/page", "starting with http"),
    ("http://[fe80::1%25eth0]/", "zone"),
    ("http://256.0.0.1/", "not a valid address"),
    ("http://1.2.3.4.5/", "valid"),
])
def test_bad_schemes_and_credentials_are_refused(canary, url, words):
    with pytest.raises(FetchError) as exc:
        fetch(url)
    assert words in exc.value.message


def test_ports_outside_the_allowed_list_are_refused(no_allow_list, monkeypatch):
    monkeypatch.setattr(guard, "resolve_host",
                        lambda host, port: [ipaddress.ip_address("93.184.216.34")])
    with pytest.raises(FetchError) as exc:
        fetch("http://public.example:6379/")
    assert exc.value.kind == "blocked"
    assert "Port 6379 is not allowed" in exc.value.message


def test_allow_list_admits_listed_host_on_any_port(local_server, settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    local_server.route("/ok", Response(body=b"fine"))
    assert fetch(local_server.url("/ok")).body == b"fine"


@pytest.mark.parametrize("raw,expected", [
    ("HTTP://Example.ORG:80/a b?utm_source=x&q=1#frag", "http://example.org/a%20b?q=1"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:443/x", "https://example.org/x"),
    ("https://example.org:8443/x", "https://example.org:8443/x"),
    ("http://bücher.de/ä", "http://xn--bcher-kva.de/%C3%A4"),
    ("http://0x7f.1/", "http://127.0.0.1/"),
    ("  https://example.org/p?fbclid=abc  ", "https://example.org/p"),
])
def test_urls_are_normalised(raw, expected):
    assert normalize_url(raw) == expected


def test_invalid_urls_say_why():
    with pytest.raises(URLInvalid, match="Enter the address"):
        normalize_url("  ")
    with pytest.raises(URLInvalid, match="longer than 2000"):
        normalize_url("https://example.org/" + "a" * 2000)


def test_tls_uses_the_host_name_for_sni_and_verifies_the_certificate(
    local_server, no_allow_list, monkeypatch, tmp_path
):
    """Connecting to the checked address must still present (SNI) and verify the real host
    name: a self-signed certificate is refused, never silently accepted."""
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=secure.example", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    local_server.httpd.socket = context.wrap_socket(local_server.httpd.socket, server_side=True)
    local_server.route("/", Response(body=b"secret"))
    monkeypatch.setattr(guard, "resolve_host",
                        lambda host, port: [ipaddress.ip_address("127.0.0.1")])
    no_allow_list.FETCH_ALLOWED_PRIVATE_HOSTS = ["secure.example"]

    with pytest.raises(FetchError) as exc:
        fetch(f"https://secure.example:{local_server.port}/")
    assert exc.value.kind == "connection"
    assert "certificate could not be verified" in exc.value.message
    assert server_names == ["secure.example"]
