"""One guarded request as an exchange (claims/capture/http.py: fetch_exchange) and a page
captured over HTTP alone (capture_over_http), against local servers: any status comes back
unfollowed, the path and query as the page asked, the guard refuses what it always refuses
(in its own words), and a redirect to a refused address ends the capture in words."""

from __future__ import annotations

import dataclasses
import gzip
import ssl
import time

import pytest

from claims.capture.http import capture_over_http, fetch_exchange
from claims.capture.limits import CaptureLimits
from claims.fetching.client import FetchError
from tests.localserver import Response

ARTICLE = ("<!doctype html><html><head><title>Council &amp; library</title></head>"
           "<body><p>The council voted seven to two to close the Eastside library.</p>"
           "</body></html>")


def test_one_hop_returns_any_status_unfollowed(local_server):
    local_server.route("/moved", Response.redirect("/article", status=301))
    local_server.route("/article", Response.html(ARTICLE))

    exchange = fetch_exchange(local_server.url("/moved"))

    assert exchange.status == 301 and exchange.reason == "Moved Permanently"
    assert ("Location", "/article") in exchange.response_headers
    assert local_server.hits("/article") == 0
    assert exchange.ip == "127.0.0.1" and exchange.method == "GET"
    assert exchange.started_at.tzinfo is not None
    assert exchange.certificates_pem == ""


def test_one_hop_writes_down_what_was_sent_and_decodes_the_body(local_server):
    body = gzip.compress(ARTICLE.encode())
    local_server.route("/a", Response(body=body, content_type="text/html",
                                      headers={"Content-Encoding": "gzip"}))

    exchange = fetch_exchange(local_server.url("/a?utm_source=feed&b=2&a=1"),
                              headers={"Accept": "text/css", "Accept-Encoding": "gzip"})

    assert exchange.body == ARTICLE.encode()
    assert ("Content-Encoding", "gzip") in exchange.response_headers  # as received
    seen = local_server.requests[-1]
    assert seen.path == "/a?utm_source=feed&b=2&a=1"  # as the page asked, not normalised
    assert exchange.url == local_server.url("/a?utm_source=feed&b=2&a=1")
    names = [name for name, _value in exchange.request_headers]
    assert names[0] == "Host" and "User-Agent" in names
    assert ("Accept", "text/css") in exchange.request_headers
    assert seen.headers["Accept"] == "text/css"


def test_a_404_is_an_exchange_not_an_error(local_server):
    local_server.route("/gone", Response(status=404, body=b"no such page"))

    exchange = fetch_exchange(local_server.url("/gone"))

    assert (exchange.status, exchange.body) == (404, b"no such page")


@pytest.mark.parametrize("url, words", [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.0.0.1/", "private network"),
    ("http://[::1]:8080/", "not allowed"),
])
def test_the_guard_refuses_in_its_own_words(url, words):
    with pytest.raises(FetchError) as caught:
        fetch_exchange(url)
    assert caught.value.kind == "blocked" and words in caught.value.message


def test_a_passed_deadline_makes_no_request(local_server):
    local_server.route("/a", Response.html(ARTICLE))
    with pytest.raises(FetchError) as caught:
        fetch_exchange(local_server.url("/a"), deadline=time.monotonic() - 1)
    assert caught.value.kind == "timeout" and local_server.hits() == 0


def test_a_body_over_the_limit_is_refused(local_server):
    local_server.route("/big", Response(body=b"x" * 50_000))
    small = dataclasses.replace(CaptureLimits.from_settings().fetch, max_bytes=10_000)
    with pytest.raises(FetchError) as caught:
        fetch_exchange(local_server.url("/big"), limits=small)
    assert caught.value.kind == "too_large"


def test_https_keeps_the_certificate_the_site_presented(tls_server):
    server, cert_pem = tls_server
    server.route("/a", Response.html(ARTICLE))

    exchange = fetch_exchange(f"https://127.0.0.1:{server.port}/a")

    assert exchange.status == 200 and exchange.body == ARTICLE.encode()
    assert exchange.certificates_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert ssl.PEM_cert_to_DER_cert(exchange.certificates_pem) == \
        ssl.PEM_cert_to_DER_cert(cert_pem)


def test_http_capture_follows_redirects_itself(local_server):
    local_server.route("/old", Response.redirect("/new", status=301))
    local_server.route("/new", Response.redirect("/article"))
    local_server.route("/article", Response.html(ARTICLE))

    capture = capture_over_http(local_server.url("/old"),
                                no_browser_reason="Chromium is not installed on the worker")

    assert capture.method == "http"
    assert [e.status for e in capture.exchanges] == [301, 302, 200]
    assert capture.final_url == local_server.url("/article")
    assert capture.title == "Council & library"
    assert b"seven to two" in capture.exchanges[-1].body
    assert capture.screenshot_png is None and capture.pdf is None
    assert capture.notes == ["No screenshot or PDF: Chromium is not installed on the worker."]
    assert capture.blocked == [] and capture.certificates_pem == ""
    assert capture.started_at <= capture.finished_at
    assert capture.software["python"]


@pytest.mark.parametrize("where, words", [
    ("other", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
])
def test_a_redirect_to_a_refused_address_ends_the_capture(page_on_localhost, where, words):
    page, other, base = page_on_localhost
    target = other.url("/secret") if where == "other" else where
    page.route("/go", Response.redirect(target))

    capture = capture_over_http(f"{base}/go")

    assert other.hits() == 0
    assert [(e.url, e.status) for e in capture.exchanges] == [(f"{base}/go", 302)]
    assert [b.url for b in capture.blocked] == [target]
    assert words in capture.blocked[0].reason
    assert any("refused to fetch" in note and target in note for note in capture.notes)
    assert capture.final_url == f"{base}/go"


def test_a_refused_page_is_an_error_not_a_capture(page_on_localhost):
    _page, other, _base = page_on_localhost
    with pytest.raises(FetchError) as caught:
        capture_over_http(other.url("/secret"))
    assert caught.value.kind == "blocked" and other.hits() == 0


def test_an_error_page_is_captured_and_said(local_server):
    local_server.route("/gone", Response(status=404, body=b"<title>Not here</title>",
                                         content_type="text/html"))

    capture = capture_over_http(local_server.url("/gone"))

    assert capture.exchanges[0].status == 404 and capture.title == "Not here"
    assert "The site answered 404 Not Found: the capture shows that answer." in capture.notes


def test_a_redirect_loop_ends_in_words(local_server):
    local_server.route("/a", Response.redirect("/b"))
    local_server.route("/b", Response.redirect("/a"))

    capture = capture_over_http(local_server.url("/a"))

    assert len(capture.exchanges) == 2
    assert any("loop" in note for note in capture.notes)


def test_the_total_byte_limit_holds_across_redirects(local_server):
    local_server.route("/a", Response(status=302, headers={"Location": "/big"},
                                      body=b"r" * 600))
    local_server.route("/big", Response(body=b"x" * 2000))

    capture = capture_over_http(local_server.url("/a"),
                                limits=CaptureLimits.from_settings(total_bytes=1000))

    assert [e.status for e in capture.exchanges] == [302]
    assert any("not kept" in note and "/big" in note for note in capture.notes)
