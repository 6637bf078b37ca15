"""A page captured in Debian's Chromium (claims/capture/browser.py), every request through
the guard: the page's own words in the archive, a screenshot of the right width, a PDF
that reads back; subresources and redirects to refused addresses never reach their server
and are listed as blocked; each limit (requests, bytes, wall time, memory) ends in a note,
never a hang; and no Chromium process outlives its capture."""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import signal
import ssl
import struct
import threading
import time

import pytest
from pypdf import PdfReader

from claims.capture.browser import (
    DEAD_PROXY,
    FLAGS,
    browser_available,
    capture_in_browser,
    chromium_path,
)
from claims.capture.limits import CaptureLimits
from claims.capture.processes import marked_processes, process_tree
from claims.fetching.client import FetchError, FetchLimits
from tests.localserver import Response

pytestmark = pytest.mark.e2e

WORDS = "The council voted seven to two on Tuesday to close the Eastside library"
ARTICLE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council closes the Eastside library | Bench Times</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><header><nav><a href="/">Bench Times</a></nav></header>
<article><h1>Council closes the Eastside library</h1>
<p>{WORDS}.</p><img src="/img/chart.png" alt="How each councillor voted" width="40">
<p id="later"></p><iframe src="/embed/video" width="300" height="80"></iframe></article>
<script src="/static/app.js"></script></body></html>"""
SCRIPT = b"""fetch('/api/more.json').then(r => r.json()).then(d => {
  document.getElementById('later').textContent = d.text; });"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def a_png() -> bytes:
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x80\x80" * 4)) + chunk(b"IEND", b""))


def serve_article(server) -> str:
    server.route("/static/site.css", Response(body=b"h1 { color: #036; }",
                                              content_type="text/css"))
    server.route("/static/app.js", Response(body=SCRIPT, content_type="text/javascript"))
    server.route("/api/more.json", Response(body=b'{"text": "Added by the page script."}',
                                            content_type="application/json"))
    server.route("/img/chart.png", Response(body=a_png(), content_type="image/png"))
    server.route("/embed/video", Response.html("<p>An embedded player.</p>"))
    return server.route("/news/library", Response.html(ARTICLE))


def browser_processes_of_this_run() -> list[int]:
    run = os.environ.get("FACTCHECK_TEST_RUN_ID", "")
    return process_tree(marked_processes(also={"FACTCHECK_TEST_RUN_ID": run}))


def new_browser_descendants(before: set[int]) -> list[str]:
    """Chromium or Playwright processes under this one that were not there before."""
    left = []
    for pid in process_tree([os.getpid()]):
        if pid == os.getpid() or pid in before:
            continue
        try:
            command = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
        except OSError:
            continue
        if b"chromium" in command or b"playwright" in command:
            left.append(f"{pid}: {command[:120].decode(errors='replace')}")
    return left


@pytest.fixture(autouse=True)
def no_browser_outlives_its_capture():
    reason = browser_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs Chromium (.ci/run)
        pytest.skip(f"browser capture tests skipped: {reason}")
    before = set(process_tree([os.getpid()]))
    yield
    deadline = time.monotonic() + 3  # the driver may take a moment to exit after stopping
    while time.monotonic() < deadline and (new_browser_descendants(before)
                                           or browser_processes_of_this_run()):
        time.sleep(0.1)
    assert new_browser_descendants(before) == []
    assert browser_processes_of_this_run() == []


def test_a_page_is_captured_with_its_words_screenshot_and_pdf(local_server):
    url = serve_article(local_server)

    capture = capture_in_browser(url)

    assert capture.method == "browser" and capture.final_url == url
    assert capture.title == "Council closes the Eastside library | Bench Times"
    fetched = {e.url: e for e in capture.exchanges}
    assert set(fetched) == {url, *(local_server.url(p) for p in (
        "/static/site.css", "/static/app.js", "/api/more.json", "/img/chart.png",
        "/embed/video"))}
    assert WORDS.encode() in fetched[url].body
    assert all(e.status == 200 and e.ip == "127.0.0.1" for e in capture.exchanges)
    assert capture.blocked == [] and capture.notes == []
    width, height = png_size(capture.screenshot_png)
    assert width == CaptureLimits.from_settings().viewport_width and height > 100
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(capture.pdf)).pages)
    assert "seven to two" in " ".join(pdf_text.split())
    assert "Added by the page script." in pdf_text  # the page's script ran, as fetched
    assert capture.software["chromium"] and capture.software["playwright"]
    assert capture.certificates_pem == ""  # http
    # The desk's own user agent, and only encodings the client can decode.
    sent = dict(fetched[url].request_headers)
    assert sent["Accept-Encoding"] == "gzip, deflate" and "factcheck" in sent["User-Agent"]
    assert capture.started_at < capture.finished_at


def test_refused_subresources_and_redirects_never_reach_their_server(page_on_localhost):
    page, other, base = page_on_localhost
    metadata = "http://169.254.169.254/latest/meta-data/"
    refused = [other.url("/secret"), metadata, other.url("/secret?by=redirect"),
               "http://169.254.169.254/latest/user-data"]
    page.route("/via-other", Response.redirect(refused[2]))
    page.route("/via-metadata", Response.redirect(refused[3]))
    page.route("/", Response.html(f"""<title>Hostile page</title><p>{WORDS}</p>
        <img src="{refused[0]}"><script src="{metadata}"></script>
        <img src="/via-other"><link rel="stylesheet" href="/via-metadata">
        <script>fetch("{refused[0]}?by=script").catch(() => null);
                navigator.sendBeacon("/beacon", "x");
                try {{ new WebSocket("ws://localhost:{page.port}/socket"); }} catch (e) {{}}
        </script>"""))

    capture = capture_in_browser(f"{base}/")

    assert other.hits() == 0
    blocked = {b.url: b.reason for b in capture.blocked}
    for url in [*refused, other.url("/secret?by=script")]:
        assert url in blocked, url
    assert "loopback" in blocked[refused[0]] and "link-local" in blocked[metadata]
    assert "POST" in blocked[f"{base}/beacon"]
    assert "WebSocket" in blocked[f"ws://localhost:{page.port}/socket"]
    fetched = {e.url for e in capture.exchanges}
    assert not fetched & set(blocked)
    assert {f"{base}/", f"{base}/via-other", f"{base}/via-metadata"} <= fetched
    assert page.hits("/beacon") == 0 and page.hits("/socket") == 0
    assert capture.screenshot_png and capture.pdf  # the page itself is still captured


def test_every_spelling_of_a_refused_address_is_refused(page_on_localhost, monkeypatch):
    """The guard's SSRF battery, through the browser: numeric spellings of loopback, IPv6
    forms, and a name that resolves to loopback (rebinding) are all refused."""
    from claims.fetching import guard

    page, other, base = page_on_localhost
    real = guard.resolve_host
    monkeypatch.setattr(guard, "resolve_host", lambda host, port: (
        [guard.ipaddress.ip_address("127.0.0.1")] if host == "rebind.example"
        else real(host, port)))
    spellings = [f"http://{host}:{other.port}/secret" for host in (
        "0x7f.0.0.1", "2130706433", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::1]",
        "rebind.example")]
    images = "".join(f'<img src="{url}">' for url in spellings)
    page.route("/", Response.html(f"<title>Spellings</title><p>{WORDS}</p>{images}"))

    capture = capture_in_browser(f"{base}/")

    assert other.hits() == 0
    assert len(capture.blocked) >= 4  # the browser writes several spellings the same way
    assert any("rebind.example: it points to 127.0.0.1" in b.reason for b in capture.blocked)
    assert [e.url for e in capture.exchanges] == [f"{base}/"]


def test_webrtc_reaches_nothing(local_server):
    """WebRTC's UDP is carried by no proxy and no route: the page has no RTCPeerConnection,
    in its own frame or in a frame it makes."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stun = f"stun:127.0.0.1:{listener.getsockname()[1]}"
    url = local_server.route("/", Response.html(f"""<title>RTC</title><p>{WORDS}</p><script>
        for (const where of [window, document.body.appendChild(
                document.createElement("iframe")).contentWindow]) {{
            try {{
                const pc = new where.RTCPeerConnection({{iceServers: [{{urls: "{stun}"}}]}});
                pc.createDataChannel("x");
                pc.createOffer().then((offer) => pc.setLocalDescription(offer));
            }} catch (e) {{ document.title += " refused"; }}
        }}</script>"""))

    capture = capture_in_browser(url)
    received = []
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                received.append(listener.recvfrom(2048))
            except TimeoutError:
                pass
    finally:
        listener.close()

    assert received == []
    assert capture.title == "RTC refused refused"


def test_a_page_redirected_to_a_refused_address_is_kept_without_renderings(
        page_on_localhost):
    page, other, base = page_on_localhost
    page.route("/go", Response.redirect(other.url("/secret")))

    capture = capture_in_browser(f"{base}/go")

    assert other.hits() == 0
    assert [(e.url, e.status) for e in capture.exchanges] == [(f"{base}/go", 302)]
    assert [b.url for b in capture.blocked] == [other.url("/secret")]
    assert capture.screenshot_png is None and capture.pdf is None
    assert capture.notes[0].startswith("No screenshot or PDF: the page redirected to "
                                       f"{other.url('/secret')}, which the desk refused")


def test_a_refused_page_is_an_error(page_on_localhost):
    _page, other, _base = page_on_localhost
    with pytest.raises(FetchError) as caught:
        capture_in_browser(other.url("/secret"))
    assert caught.value.kind == "blocked" and "loopback" in caught.value.message
    assert other.hits() == 0


def test_the_browser_alone_reaches_nothing(local_server):
    """What the browser might send without the guard (a request not routed) goes to a proxy
    that does not exist, loopback included: the routing is the only way out."""
    from playwright.sync_api import Error, sync_playwright

    local_server.route("/", Response.html(ARTICLE))
    errors: list[BaseException] = []

    def drive():
        # Its own thread: in a whole run the browser tests' session (pytest-playwright) keeps
        # an event loop in the main thread, where the sync API refuses to start.
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                     args=FLAGS, proxy={"server": DEAD_PROXY})
                try:
                    page = browser.new_page()
                    for url in (local_server.url("/"),
                                f"http://localhost:{local_server.port}/"):
                        with pytest.raises(Error, match="net::ERR_"):
                            page.goto(url, timeout=10_000)
                finally:
                    browser.close()
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=drive)
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    if errors:
        raise errors[0]
    assert local_server.hits() == 0


def test_https_pages_keep_the_certificate_the_site_presented(tls_server):
    server, cert_pem = tls_server
    serve_article(server)

    capture = capture_in_browser(f"https://127.0.0.1:{server.port}/news/library")

    assert capture.final_url.startswith("https://") and capture.screenshot_png
    assert len(capture.exchanges) == 6
    assert ssl.PEM_cert_to_DER_cert(capture.certificates_pem) == \
        ssl.PEM_cert_to_DER_cert(cert_pem)


def test_pop_ups_are_closed_unfetched(local_server):
    url = local_server.route("/", Response.html(
        f"<title>Pop</title><p>{WORDS}</p><script>window.open('/popup');</script>"))
    local_server.route("/popup", Response.html("<p>Subscribe now</p>"))

    capture = capture_in_browser(url)

    assert local_server.hits("/popup") == 0
    assert "The page opened 1 pop-up window, closed unseen and not fetched." in capture.notes
    assert capture.screenshot_png


def test_an_error_page_is_captured_and_said(local_server):
    local_server.route("/gone", Response(status=404, body=b"<title>Gone</title><p>Not here",
                                         content_type="text/html"))

    capture = capture_in_browser(local_server.url("/gone"))

    assert capture.title == "Gone" and capture.screenshot_png
    assert "The site answered 404 Not Found: the capture shows that answer." in capture.notes


def test_too_many_requests_end_in_a_note(local_server):
    images = "".join(f'<img src="/img/{i}.png" width="4">' for i in range(12))
    for i in range(12):
        local_server.route(f"/img/{i}.png", Response(body=a_png(), content_type="image/png"))
    url = local_server.route("/", Response.html(f"<title>Gallery</title><p>{WORDS}</p>{images}"))

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(max_requests=5))

    assert len(capture.exchanges) == 5 and local_server.hits() == 5
    assert "The page made more requests than the limit of 5: 8 more were not made." \
        in capture.notes
    assert capture.screenshot_png and capture.pdf


def test_too_many_bytes_end_in_a_note(local_server):
    local_server.route("/big.png", Response(body=b"\0" * 300_000, content_type="image/png"))
    url = local_server.route("/", Response.html(f"<title>Big</title><p>{WORDS}</p>"
                                                '<img src="/big.png">'))

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(total_bytes=100_000))

    assert [e.url for e in capture.exchanges] == [url]
    assert any(note.startswith("The capture reached its limit of 98 KB in all: 1 more "
                               "response not kept") and "/big.png" in note
               for note in capture.notes), capture.notes
    assert capture.screenshot_png


def test_a_resource_that_never_answers_is_given_up(local_server):
    local_server.route("/silent.js", Response(block=True))
    url = local_server.route("/", Response.html(f"<title>Slow</title><p>{WORDS}</p>"
                                                '<script src="/silent.js"></script>'))

    capture = capture_in_browser(url)

    assert (f"1 request got no answer ({local_server.url('/silent.js')}: 127.0.0.1 did not "
            "answer in time).") in capture.notes
    assert capture.screenshot_png and capture.pdf


def test_a_resource_that_never_ends_stops_at_the_wall_time(local_server):
    local_server.route("/forever.js", Response(chunks=itertools.repeat(b"/* more */\n"),
                                               chunk_delay=0.2, content_type="text/javascript"))
    url = local_server.route("/", Response.html(f"<title>Slow</title><p>{WORDS}</p>"
                                                '<script src="/forever.js"></script>'))
    patient = dataclasses.replace(FetchLimits.from_settings(), total_deadline=120.0,
                                  read_timeout=120.0)
    started = time.monotonic()

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(wall_seconds=10,
                                                                         fetch=patient))

    assert time.monotonic() - started < 10 + 8
    assert any(note.startswith("The page had not finished loading ")
               and note.endswith(" s into the capture: it was captured as it stood.")
               for note in capture.notes), capture.notes
    assert capture.exchanges[0].url == url


def test_a_page_that_never_yields_stops_at_the_wall_time(local_server):
    url = local_server.route("/", Response.html(
        f"<title>Busy</title><p>{WORDS}</p><script>while (true) {{}}</script>"))
    started = time.monotonic()

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(wall_seconds=10))

    assert time.monotonic() - started < 10 + 8
    assert any("time limit of 10 s" in note for note in capture.notes), capture.notes
    assert capture.exchanges[0].url == url


def test_memory_over_the_limit_stops_the_browser(local_server):
    url = local_server.route("/", Response.html(
        f"<title>Hungry</title><p>{WORDS}</p><script>window.kept = [];"
        "(function eat() { for (let i = 0; i < 10; i++) window.kept.push("
        "new Array(1e6).fill(Math.random())); setTimeout(eat, 10); })();</script>"))

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(
        memory_mb=700, js_heap_mb=4096, wall_seconds=20))

    assert any("more than 700 MB of memory" in note for note in capture.notes), capture.notes
    assert capture.exchanges[0].url == url


def test_a_page_over_its_javascript_heap_is_said(local_server):
    url = local_server.route("/", Response.html(
        f"<title>Hungry</title><p>{WORDS}</p><script>window.kept = [];"
        "(function eat() { for (let i = 0; i < 10; i++) window.kept.push("
        "new Array(1e6).fill(Math.random())); setTimeout(eat, 10); })();</script>"))

    capture = capture_in_browser(url, limits=CaptureLimits.from_settings(
        js_heap_mb=128, wall_seconds=20))

    assert any("128 MB of JavaScript memory" in note for note in capture.notes), capture.notes


def test_no_browser_on_the_worker_is_said(settings, local_server):
    settings.CAPTURE_CHROMIUM_PATH = "/nonexistent/chromium"
    assert browser_available().startswith(
        "No screenshot or PDF: Chromium is not installed on the worker (nothing at "
        "/nonexistent/chromium")

    url = serve_article(local_server)
    capture = capture_in_browser(url)  # started anyway: the browser cannot start

    assert capture.method == "http" and capture.screenshot_png is None
    assert capture.notes[0].startswith("No screenshot or PDF: the browser could not be "
                                       "started")
    assert WORDS.encode() in capture.exchanges[-1].body


def test_every_process_of_the_browser_is_found_by_its_mark(local_server):
    """The mark is how a capture measures and ends its browser: every Chromium process
    started under this one is in the tree the marks lead to."""
    url = serve_article(local_server)
    missed, seen = set(), set()
    done = threading.Event()

    def chromium_under_this_process() -> set[int]:
        found = set()
        for pid in process_tree([os.getpid()]):
            try:
                if "chromium" in os.readlink(f"/proc/{pid}/exe"):
                    found.add(pid)
            except OSError:
                continue
        return found

    def look():
        unmarked_before: set[int] = set()
        while not done.is_set():
            running = chromium_under_this_process() - preexisting  # before the marks
            unmarked = running - set(process_tree(marked_processes()))
            seen.update(running - unmarked)
            missed.update(unmarked & unmarked_before)  # twice running: not a race
            unmarked_before = unmarked & (chromium_under_this_process() - preexisting)
            time.sleep(0.05)

    # Browsers this process already runs (in a whole run, the browser tests' own session
    # browser) are not the capture's.
    preexisting = chromium_under_this_process()
    watcher = threading.Thread(target=look)
    watcher.start()
    try:
        capture_in_browser(url)
    finally:
        done.set()
        watcher.join()
    assert len(seen) >= 3 and not missed  # the browser, its zygotes, a renderer, ...


class TimeLimit(Exception):
    pass


def test_a_capture_cut_short_by_the_worker_leaves_no_browser(local_server):
    """As Celery's soft time limit does: an exception raised by a signal in the middle of
    the capture. The autouse fixture checks that no process is left."""
    local_server.route("/forever.js", Response(chunks=itertools.repeat(b"/* more */\n"),
                                               chunk_delay=0.2, content_type="text/javascript"))
    url = local_server.route("/", Response.html(f"<title>Slow</title><p>{WORDS}</p>"
                                                '<script src="/forever.js"></script>'))

    def interrupt(_signum, _frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 4.0)
    try:
        with pytest.raises(TimeLimit):
            capture_in_browser(url, limits=CaptureLimits.from_settings(wall_seconds=30))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
