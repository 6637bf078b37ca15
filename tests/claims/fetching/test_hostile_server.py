"""A hostile web server on 127.0.0.1 writing raw bytes: malformed status lines, headers with
non-ASCII and control bytes, bad Content-Length, Retry-After, Location, Content-Type and
charset values, truncated chunked bodies, resets mid-body. Whatever it sends, the client
answers with a response or a FetchError in words, and the fetch tasks end every source and
article in a recorded outcome within the attempt limit, without raising."""

from __future__ import annotations

import socket
import struct
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from claims.choices import ArticleStatus, CaptureStatus, SourceStatus
from claims.fetching.client import FetchError, FetchResponse, fetch
from claims.fetching.pipeline import capture_url, fetches_sweep_stuck, source_fetch
from claims.models import Article, Source
from claims.services.articles import article_import_url
from claims.services.sources import source_attach
from claims.tasks import fetch_article, fetch_source
from tests.factories import ClaimFactory, EditorFactory
from tests.localserver import LocalServer, Response

TEXT = b"<html><head><title>Jobless</title></head><body><article>" + (
    b"<p>The statistics office said unemployment rose slightly last year.</p>" * 5
) + b"</article></body></html>"


def raw(data: bytes, *, reset: bool = False) -> Response:
    """A response that writes `data` as it is (no status line or headers added), then
    closes the connection, or resets it (RST) when `reset` is set."""

    def handler(request_handler) -> None:
        request_handler.close_connection = True
        try:
            request_handler.wfile.write(data)
            request_handler.wfile.flush()
            if reset:
                sock = request_handler.connection
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
        except OSError:
            pass

    return Response(handler=handler)


def head(status: bytes = b"HTTP/1.1 200 OK", *headers: bytes) -> bytes:
    return b"\r\n".join([status, *headers, b"Connection: close", b"", b""])


def html_head(*headers: bytes, status: bytes = b"HTTP/1.1 200 OK") -> bytes:
    return head(status, b"Content-Type: text/html; charset=utf-8", *headers)


# (id, bytes the server sends, reset, the FetchError kind expected or None for a response)
CASES = [
    # The three responses that left sources stuck in "fetching".
    ("content-length-superscript", html_head(b"Content-Length: \xb2") + TEXT, False, None),
    ("retry-after-superscript", head(b"HTTP/1.1 503 Service Unavailable",
                                     b"Retry-After: \xb2", b"Content-Length: 0"), False,
     "http_5xx"),
    ("location-unclosed-ipv6", head(b"HTTP/1.1 302 Found", b"Location: http://[",
                                    b"Content-Length: 0"), False, "blocked"),
    # Status lines.
    ("status-not-a-number", head(b"HTTP/1.1 abc OK") + TEXT, False, "connection"),
    ("status-superscript-digits", head(b"HTTP/1.1 \xb200 OK") + TEXT, False, "connection"),
    ("status-five-digits", head(b"HTTP/1.1 99999 Big") + TEXT, False, "connection"),
    ("status-not-http", head(b"ICY 200 OK") + TEXT, False, "connection"),
    ("status-garbage-bytes", b"\x00\xff\xfe garbage\r\n\r\n", False, "connection"),
    ("status-empty-line", b"\r\n\r\n", False, "connection"),
    ("status-line-too-long", b"HTTP/1.1 200 " + b"A" * 70_000 + b"\r\n\r\n", False,
     "connection"),
    ("status-unknown-code", head(b"HTTP/1.1 299 Odd", b"Content-Length: 0"), False, None),
    ("status-199", head(b"HTTP/1.1 199 Early", b"Content-Length: 0"), False, "other"),
    ("no-response-at-all", b"", False, "connection"),
    ("reset-before-status", b"", True, "connection"),
    # Headers.
    ("header-non-ascii-name-and-value", html_head(b"X-\xff\xfe: \xb2\x00\xe9") + TEXT, False,
     None),
    ("header-control-bytes", head(b"HTTP/1.1 200 OK",
                                  b"Content-Type: text/html\x00\x01; charset=\x07") + TEXT,
     False, None),
    ("header-without-colon", html_head(b"NoColonHere") + TEXT, False, None),
    ("header-folded", html_head(b"X-Folded: one", b" two") + TEXT, False, None),
    ("header-line-too-long", html_head(b"X-Long: " + b"b" * 70_000) + TEXT, False,
     "connection"),
    ("too-many-headers", html_head(*[b"X-H%d: v" % i for i in range(150)]) + TEXT, False,
     "connection"),
    # Content-Length.
    ("content-length-negative", html_head(b"Content-Length: -1") + TEXT, False, None),
    ("content-length-arabic-digits", html_head("Content-Length: ٣".encode()) + TEXT, False,
     None),
    ("content-length-huge", html_head(b"Content-Length: 99999999999999999999999") + TEXT,
     False, "too_large"),
    ("content-length-two-values", html_head(b"Content-Length: 5, 7") + TEXT, False, "other"),
    ("content-length-more-than-sent", html_head(b"Content-Length: 100000") + TEXT, False,
     "connection"),
    # Retry-After.
    ("retry-after-huge", head(b"HTTP/1.1 429 Too Many", b"Retry-After: " + b"9" * 40,
                              b"Content-Length: 0"), False, "rate_limited"),
    ("retry-after-year-out-of-range", head(b"HTTP/1.1 503 Busy",
                                           b"Retry-After: Mon, 99 Jan 99999 00:00:00 GMT",
                                           b"Content-Length: 0"), False, "http_5xx"),
    ("retry-after-control-bytes", head(b"HTTP/1.1 503 Busy", b"Retry-After: \x01\x7f",
                                       b"Content-Length: 0"), False, "http_5xx"),
    # Location.
    ("location-superscript-scheme", head(b"HTTP/1.1 302 Found", b"Location: \xb2://x/",
                                         b"Content-Length: 0"), False, "http_4xx"),
    ("location-nul", head(b"HTTP/1.1 302 Found", b"Location: http://exa\x00mple.org/",
                          b"Content-Length: 0"), False, "blocked"),
    ("location-javascript", head(b"HTTP/1.1 301 Moved", b"Location: javascript:alert(1)",
                                 b"Content-Length: 0"), False, "blocked"),
    ("location-bad-port", head(b"HTTP/1.1 302 Found",
                               b"Location: http://example.org:99999999/",
                               b"Content-Length: 0"), False, "blocked"),
    ("location-bad-ipv6", head(b"HTTP/1.1 307 Temp", b"Location: http://[::1/",
                               b"Content-Length: 0"), False, "blocked"),
    ("location-too-long", head(b"HTTP/1.1 302 Found",
                               b"Location: /" + b"a" * 5000, b"Content-Length: 0"), False,
     "blocked"),
    ("location-missing", head(b"HTTP/1.1 302 Found", b"Content-Length: 0"), False, "other"),
    # Content-Type and charset.
    ("charset-superscript", head(b"HTTP/1.1 200 OK",
                                 b"Content-Type: text/html; charset=\xb2") + TEXT, False, None),
    ("charset-not-a-text-codec", head(b"HTTP/1.1 200 OK",
                                      b"Content-Type: text/html; charset=base64") + TEXT,
     False, None),
    ("charset-with-nul", head(b"HTTP/1.1 200 OK",
                              b"Content-Type: text/plain; charset=utf\x00-8") + b"Plain words.",
     False, None),
    ("charset-wrong-for-body", head(b"HTTP/1.1 200 OK", b"Content-Type: text/plain; "
                                    b"charset=utf-8") + "Café déjà vu.".encode("latin-1"),
     False, None),
    ("content-type-garbage", head(b"HTTP/1.1 200 OK", b"Content-Type: \xff\xfe/\x00;;=")
     + TEXT, False, None),
    ("text-that-is-binary", head(b"HTTP/1.1 200 OK", b"Content-Type: text/plain")
     + bytes(range(256)) * 20, False, None),
    ("nul-in-page-text", html_head() + b"<html><title>A\x00B</title><body><p>Words\x00 here "
     b"and more words about unemployment figures.</p></body></html>", False, None),
    # Encodings and bodies.
    ("gzip-corrupt", html_head(b"Content-Encoding: gzip") + b"not gzip at all", False,
     "other"),
    ("content-encoding-superscript", html_head(b"Content-Encoding: \xb2") + TEXT, False,
     "unsupported"),
    ("chunked-truncated", html_head(b"Transfer-Encoding: chunked") + b"400\r\n" + TEXT[:50],
     False, "connection"),
    ("chunked-bad-size", html_head(b"Transfer-Encoding: chunked") + b"zz\r\n" + TEXT, False,
     "connection"),
    ("chunked-superscript-size", html_head(b"Transfer-Encoding: chunked") + b"\xb2\r\n" + TEXT,
     False, "connection"),
    ("chunked-no-final-chunk", html_head(b"Transfer-Encoding: chunked")
     + b"%x\r\n" % len(TEXT) + TEXT + b"\r\n", False, "connection"),
    ("transfer-encoding-unknown", html_head(b"Transfer-Encoding: \xb2") + TEXT, False, None),
    ("reset-mid-body", html_head(b"Content-Length: 100000") + TEXT[:100], True, "connection"),
    ("reset-mid-chunked-body", html_head(b"Transfer-Encoding: chunked") + b"400\r\n"
     + TEXT[:100], True, "connection"),
    ("no-content", head(b"HTTP/1.1 204 No Content"), False, None),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("name", "data", "reset", "kind"), CASES, ids=IDS)
def test_client_answers_every_response_in_words(local_server, settings, name, data, reset,
                                                kind):
    url = local_server.route("/hostile", raw(data, reset=reset))
    try:
        response = fetch(url)
    except FetchError as exc:
        assert kind is not None, f"{name}: expected a response, got {exc.kind}: {exc.message}"
        assert exc.kind == kind, exc.message
        assert exc.message.strip() and exc.message.endswith((".", ")"))
        assert exc.message.isprintable()
        return
    assert kind is None, f"{name}: expected a {kind} error, got a response"
    assert isinstance(response, FetchResponse) and 200 <= response.status < 300


@pytest.fixture
def attach(db):
    claim, user = ClaimFactory(), EditorFactory()
    return lambda url: source_attach(claim=claim, url=url, user=user).source


def run_fetch_task(task, object_id: int, **kwargs) -> str | None:
    """Run a fetch task the way a worker would, once: its status, or None if it asked to be
    retried. Anything but a retry raising out of the task fails the test."""
    try:
        return task(object_id, **kwargs)
    except Retry:
        return None


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "reset", "kind"), CASES, ids=IDS)
def test_every_response_ends_a_source_in_a_recorded_outcome(local_server, attach, settings,
                                                            name, data, reset, kind):
    settings.FETCH_MAX_ATTEMPTS = 3
    source = attach(local_server.route("/hostile", raw(data, reset=reset)))
    for _ in range(settings.FETCH_MAX_ATTEMPTS):
        run_fetch_task(fetch_source, source.pk)
        source.refresh_from_db()
        assert source.attempts <= settings.FETCH_MAX_ATTEMPTS
        if source.status not in (SourceStatus.PENDING, SourceStatus.FETCHING):
            break
    assert source.status in (SourceStatus.FETCHED, SourceStatus.FAILED), name
    captures = list(source.captures.all())
    assert len(captures) == source.attempts
    if source.status == SourceStatus.FETCHED:
        capture = source.captures.get(status=CaptureStatus.SUCCESS)
        assert capture.text.strip() and "\x00" not in capture.text + capture.title
    else:
        assert source.last_error.strip() and source.last_error_kind
        assert all(c.error_message.strip() for c in captures)
        if kind is not None:
            assert source.last_error_kind == kind


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["content-length-superscript", "retry-after-superscript",
                                  "location-unclosed-ipv6", "chunked-truncated",
                                  "text-that-is-binary", "no-content"])
def test_every_response_ends_an_imported_article_in_an_outcome(local_server, settings, name):
    settings.FETCH_MAX_ATTEMPTS = 3
    _, data, reset, _ = CASES[IDS.index(name)]
    article = article_import_url(url=local_server.route("/hostile", raw(data, reset=reset)),
                                 user=None)
    for attempt in range(1, settings.FETCH_MAX_ATTEMPTS + 1):
        run_fetch_task(fetch_article, article.pk, attempt=attempt)
        article.refresh_from_db()
        if article.status not in (ArticleStatus.PENDING, ArticleStatus.FETCHING):
            break
    assert article.status in (ArticleStatus.READY, ArticleStatus.FAILED)
    if article.status == ArticleStatus.FAILED:
        assert article.fetch_error.strip()
    else:
        assert article.body.strip()


# --- The attempt limit ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_source_over_its_attempt_limit_is_failed_not_fetched(local_server, attach, settings):
    settings.FETCH_MAX_ATTEMPTS = 5
    source = attach(local_server.route("/page", Response.html(TEXT)))
    Source.objects.filter(pk=source.pk).update(status=SourceStatus.FETCHING, attempts=5,
                                               last_error="The site answered 503.")
    assert source_fetch(source_id=source.pk).status == SourceStatus.FAILED
    source.refresh_from_db()
    assert source.attempts == 5 and local_server.hits("/page") == 0
    assert "Gave up after 5 attempts" in source.last_error and "503" in source.last_error


@pytest.mark.django_db
def test_the_sweeper_fails_over_limit_sources_instead_of_running_them(attach, settings,
                                                                      monkeypatch):
    from claims.fetching import pipeline

    settings.FETCH_MAX_ATTEMPTS = 5
    enqueued = []
    monkeypatch.setattr(pipeline, "enqueue_source_fetch", lambda pk: enqueued.append(pk) or True)
    long_ago = timezone.now() - timedelta(minutes=33)
    over = attach("https://example.org/stuck-at-six")
    last = attach("https://example.org/died-on-its-last-attempt")
    still = attach("https://example.org/died-on-its-second-attempt")
    Source.objects.filter(pk=over.pk).update(status=SourceStatus.FETCHING, attempts=6,
                                             status_changed_at=long_ago)
    Source.objects.filter(pk=last.pk).update(status=SourceStatus.FETCHING, attempts=5,
                                             status_changed_at=long_ago)
    Source.objects.filter(pk=still.pk).update(status=SourceStatus.FETCHING, attempts=2,
                                              status_changed_at=long_ago)
    assert fetches_sweep_stuck() == 1
    assert enqueued == [still.pk]
    for source in (over, last):
        source.refresh_from_db()
        assert source.status == SourceStatus.FAILED and source.attempts == 5
        assert "Gave up after" in source.last_error
    assert fetches_sweep_stuck() == 0  # nothing left to re-run, ever


@pytest.mark.django_db
def test_the_sweeper_fails_an_article_whose_fetch_never_finished(monkeypatch):
    from claims.fetching import pipeline

    enqueued = []
    monkeypatch.setattr(pipeline, "enqueue_article_fetch", lambda pk: enqueued.append(pk) or True)
    article = Article.objects.create(title="A", url="https://example.org/a",
                                     status=ArticleStatus.FETCHING)
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    fetches_sweep_stuck()
    article.refresh_from_db()
    assert article.status == ArticleStatus.FAILED and enqueued == []
    assert "did not finish" in article.fetch_error


@pytest.mark.django_db
def test_an_article_past_its_attempt_limit_is_failed_not_fetched(local_server, settings):
    settings.FETCH_MAX_ATTEMPTS = 2
    article = article_import_url(url=local_server.route("/a", Response.html(TEXT)), user=None)
    Article.objects.filter(pk=article.pk).update(fetch_error="The site answered 503. "
                                                             "Trying again.")
    assert run_fetch_task(fetch_article, article.pk, attempt=3) == ArticleStatus.FAILED
    article.refresh_from_db()
    assert article.fetch_error == "The site answered 503. Gave up after 2 attempts."
    assert local_server.hits("/a") == 0


@pytest.mark.django_db
def test_a_task_that_breaks_records_the_failure_in_words(local_server, attach, monkeypatch):
    from claims.fetching import pipeline

    source = attach(local_server.route("/page", Response.html(TEXT)))

    def broken(**kwargs):
        Source.objects.filter(pk=source.pk).update(status=SourceStatus.FETCHING, attempts=1)
        raise ValueError("a bug")

    monkeypatch.setattr(pipeline, "source_fetch", broken)
    assert run_fetch_task(fetch_source, source.pk) == SourceStatus.FAILED
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED
    assert "unexpected error (ValueError)" in source.last_error


# --- Generated header values ------------------------------------------------------------------

header_value = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
HEADER_NAMES = [b"Content-Length", b"Retry-After", b"Location", b"Content-Type",
                b"Content-Encoding", b"Transfer-Encoding", b"X-Anything"]


@pytest.fixture(scope="module")
def hostile_server():
    with LocalServer() as server:
        yield server


@given(
    status=st.sampled_from([200, 204, 301, 302, 307, 404, 429, 500, 503]) | st.integers(0, 1200),
    headers=st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_value), max_size=5),
    body=st.sampled_from([TEXT, b"", b"\x00\xff" * 50, b"3\r\nabc\r\n"]),
)
@hypothesis_settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
def test_generated_header_values_end_in_a_capture_or_a_reason(hostile_server, status, headers,
                                                               body):
    data = b"HTTP/1.1 %d X\r\n" % status + b"".join(
        name + b": " + value + b"\r\n" for name, value in headers) + b"Connection: close\r\n\r\n"
    url = hostile_server.route("/generated", raw(data + body))
    try:
        fetch(url)
    except FetchError as exc:
        assert exc.message.strip()
    result = capture_url(url)
    if result.ok:
        assert result.extracted.text.strip()
    else:
        assert result.error_kind and result.error_message.strip()
    assert not any("\x00" in text for text in strings(result.fields))


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# --- Through a real worker --------------------------------------------------------------------

@pytest.mark.worker
@pytest.mark.parametrize("name", ["content-length-superscript", "retry-after-superscript",
                                  "location-unclosed-ipv6"])
def test_the_three_probe_responses_end_in_an_outcome_on_a_real_worker(
        celery_worker, local_server, settings, name):
    """The responses that once left sources "fetching" forever, through a real Celery worker
    on a real broker: each ends fetched or failed within the attempt limit."""
    import time

    settings.FETCH_MAX_ATTEMPTS = 3
    settings.FETCH_RETRY_BASE_SECONDS = 0.1
    _, data, reset, kind = CASES[IDS.index(name)]
    url = local_server.route("/hostile", raw(data, reset=reset))
    pk = source_attach(claim=ClaimFactory(), url=url, user=None).source_id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        source = Source.objects.get(pk=pk)
        if source.status in (SourceStatus.FETCHED, SourceStatus.FAILED):
            break
        time.sleep(0.1)
    assert source.status in (SourceStatus.FETCHED, SourceStatus.FAILED), source.status
    assert source.attempts <= 3 and source.captures.count() == source.attempts
    if source.status == SourceStatus.FAILED:
        assert source.last_error_kind == kind and source.last_error.strip()
