"""Servers for the capture tests: a page on http://localhost:<port>/ next to a local server
the guard must refuse, and a local server speaking TLS that the client is made to trust."""

from __future__ import annotations

import ssl
import subprocess

import pytest

from claims.fetching import client
from tests.localserver import LocalServer, Response


@pytest.fixture
def page_on_localhost(settings, local_server_factory):
    """(page server, other server, base URL): the page is served as
    http://localhost:<port>/ (its host allowed), and the other local server's address must be
    refused although its port is allowed (the guard refuses it for being loopback)."""
    page, other = local_server_factory(), local_server_factory()
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    settings.FETCH_ALLOWED_PORTS = [80, 443, other.port]
    other.route("/secret", Response(body=b"internal"))
    return page, other, f"http://localhost:{page.port}"


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """(server, its certificate as PEM): a LocalServer speaking TLS with a throwaway
    certificate for 127.0.0.1, which the client is made to trust (its verifying context
    replaced for the test)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    server = LocalServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    monkeypatch.setattr(client, "_tls_context",
                        lambda: ssl.create_default_context(cafile=str(cert)))
    with server:
        yield server, cert.read_text()
