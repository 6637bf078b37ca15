"""Fetching and extraction against local HTTP servers on 127.0.0.1 (allowed by the test
settings), through the same services the Celery tasks call."""

from __future__ import annotations

import gzip
import os
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from claims.choices import CaptureStatus, SourceStatus, VerdictState
from claims.fetching import pipeline
from claims.fetching.client import FetchError, fetch
from claims.fetching.pipeline import fetches_sweep_stuck, source_fetch, sources_recheck_cited
from claims.models import Capture, Evidence, Source
from claims.services.articles import article_import_url
from claims.services.sources import source_attach, source_refetch
from tests.factories import ClaimFactory, EditorFactory, VerdictFactory
from tests.localserver import Response
from tests.support.web_pages import ARTICLE_HTML

pytestmark = pytest.mark.django_db


def make_pdf(title: str, text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><head><title>{title}</title><meta name=author content='Stats "
                       f"Office'></head><body><h1>{title}</h1><p>{text}</p></body></html>"
                ).write_pdf()


@pytest.fixture
def attach(db):
    claim = ClaimFactory()
    user = EditorFactory()

    def _attach(url: str, **kw) -> Source:
        return source_attach(claim=claim, url=url, user=user, **kw).source

    _attach.claim = claim
    return _attach


def success(source: Source) -> Capture:
    return source.captures.get(status=CaptureStatus.SUCCESS)


# --- Content types -----------------------------------------------------------------------

def test_html_article_is_captured_with_text_and_metadata(local_server, attach, settings):
    local_server.route("/news/jobs", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/news/jobs?utm_source=feed"))
    assert source.status == SourceStatus.PENDING

    assert source_fetch(source_id=source.pk).status == SourceStatus.FETCHED
    source.refresh_from_db()
    capture = success(source)
    assert source.status == SourceStatus.FETCHED and source.attempts == 1
    assert source.title == "Unemployment did not fall by 12%"
    assert capture.byline == "Jane Doe"
    assert capture.published.startswith("2024-03-05")
    assert capture.metadata["sitename"] == "Example Times"
    assert "contradicting the minister's claim" in capture.text
    assert "alert(" not in capture.text and "Home" not in capture.text.split("\n")[0]
    assert capture.http_status == 200 and capture.content_type.startswith("text/html")
    assert capture.size_bytes == len(ARTICLE_HTML.encode())
    assert capture.sha256 and capture.text_sha256 and capture.duration_ms is not None
    assert capture.request_key == f"source:{source.pk}:capture:1"
    with default_storage.open(capture.snapshot.name) as fh:
        assert fh.read() == ARTICLE_HTML.encode()
    digest = capture.sha256
    assert capture.snapshot.name == f"snapshots/{digest[:2]}/{digest[2:4]}/{digest}"
    # The honest User-Agent, and no query tracking parameters sent.
    seen = local_server.requests[0]
    assert seen.headers["User-Agent"] == settings.FETCH_USER_AGENT
    assert "factcheck" in seen.headers["User-Agent"] and "https://" in seen.headers["User-Agent"]
    assert seen.path == "/news/jobs"


def test_pdf_is_captured_with_text_and_metadata(local_server, attach):
    pdf = make_pdf("Labour market statistics 2024", "Unemployment rose to 5.2 per cent.")
    local_server.route("/report.pdf", Response(body=pdf, content_type="application/pdf"))
    source = attach(local_server.url("/report.pdf"))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    capture = success(source)
    assert source.title == "Labour market statistics 2024"
    assert capture.byline == "Stats Office"
    assert "Unemployment rose to 5.2 per cent." in capture.text
    assert capture.metadata["kind"] == "pdf" and capture.metadata["pages"] == 1


def test_plain_text_is_captured(local_server, attach):
    body = b"Press release\n\nThe minister's figure of 12 per cent is wrong.\n"
    local_server.route("/release.txt", Response(body=body, content_type="text/plain"))
    source = attach(local_server.url("/release.txt"))
    source_fetch(source_id=source.pk)
    capture = success(source)
    assert capture.title == "Press release"
    assert "12 per cent is wrong" in capture.text


def test_unsupported_type_is_stored_raw_and_fails_at_once(local_server, attach):
    body = b"\x89PNG\r\n\x1a\n" + os.urandom(200)
    local_server.route("/chart.png", Response(body=body, content_type="image/png"))
    source = attach(local_server.url("/chart.png"))
    outcome = source_fetch(source_id=source.pk)
    assert outcome.status == SourceStatus.FAILED and outcome.retry_in is None
    source.refresh_from_db()
    capture = source.captures.get()
    assert capture.status == CaptureStatus.FAILED and capture.error_kind == "unsupported"
    assert "image/png" in source.last_error and "cannot be read as text" in source.last_error
    with default_storage.open(capture.snapshot.name) as fh:
        assert fh.read() == body  # kept raw all the same


@pytest.mark.parametrize("how", ["header", "meta", "detected"])
def test_non_utf8_page_is_decoded(local_server, attach, how):
    text = "Гражданская война в Ливии: министр заявил, что безработица снизилась. " * 8
    meta = '<meta charset="windows-1251">' if how == "meta" else ""
    html = (f"<html><head>{meta}"
            f"<title>Новости</title></head><body><article><p>{text}</p>"
            f"<p>{text}</p></article></body></html>")
    content_type = "text/html; charset=windows-1251" if how == "header" else "text/html"
    local_server.route("/ru", Response(body=html.encode("windows-1251"),
                                       content_type=content_type))
    source = attach(local_server.url("/ru"))
    source_fetch(source_id=source.pk)
    capture = success(source)
    assert "безработица снизилась" in capture.text
    assert capture.title == "Новости"


def test_latin1_text_declared_in_header(local_server, attach):
    local_server.route("/fr", Response(body="Les chômeurs à Orléans: déjà 12 %".encode("latin-1"),
                                       content_type="text/plain; charset=iso-8859-1"))
    source = attach(local_server.url("/fr"))
    source_fetch(source_id=source.pk)
    assert success(source).text == "Les chômeurs à Orléans: déjà 12 %"


# --- Redirects and hostile servers ---------------------------------------------------------

def test_redirect_chain_is_followed_and_recorded(local_server, attach):
    local_server.route("/a", Response.redirect("/b", 301))
    local_server.route("/b", Response.redirect(local_server.url("/c"), 307))
    local_server.route("/c", Response.redirect("/final", 308))
    local_server.route("/final", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/a"))
    source_fetch(source_id=source.pk)
    capture = success(source)
    assert capture.final_url == local_server.url("/final")
    assert capture.metadata["redirects"] == [local_server.url(p) for p in ("/a", "/b", "/c")]


def test_too_many_redirects_fail_permanently(local_server, attach, settings):
    settings.FETCH_MAX_REDIRECTS = 5
    for i in range(7):
        local_server.route(f"/r{i}", Response.redirect(f"/r{i + 1}"))
    local_server.route("/r7", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/r0"))
    assert source_fetch(source_id=source.pk).status == SourceStatus.FAILED
    source.refresh_from_db()
    assert source.last_error_kind == "redirects"
    assert "more than 5 times" in source.last_error
    assert local_server.hits("/r6") == 0  # stopped after the 5th redirect


def test_redirect_loop_fails_with_words(local_server, attach):
    local_server.route("/loop-a", Response.redirect("/loop-b"))
    local_server.route("/loop-b", Response.redirect("/loop-a"))
    source = attach(local_server.url("/loop-a"))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED
    assert source.last_error == "The page redirects in a loop."


def test_redirect_to_private_address_is_refused(local_server, attach, settings):
    """The allow-list holds 'localhost' only; the redirect target 127.0.0.1 is not on it."""
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    settings.FETCH_ALLOWED_PORTS = [80, 443, local_server.port]  # only the address check stands
    local_server.route("/secret", Response(body=b"internal"))
    local_server.route("/go", Response.redirect(local_server.url("/secret")))
    source = attach(f"http://localhost:{local_server.port}/go")
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED and source.last_error_kind == "blocked"
    assert "loopback" in source.last_error
    assert local_server.hits("/secret") == 0


def test_slow_trickle_is_cut_off_by_the_total_deadline(local_server, settings):
    settings.FETCH_TOTAL_DEADLINE = 1.5
    settings.FETCH_READ_TIMEOUT = 1.0
    # Each byte arrives well inside the read timeout; only the total deadline stops it.
    local_server.route("/trickle", Response(chunks=[b"x"] * 1000, chunk_delay=0.2,
                                            content_type="text/plain"))
    import time

    started = time.monotonic()
    with pytest.raises(FetchError) as exc:
        fetch(local_server.url("/trickle"))
    assert exc.value.kind == "timeout" and exc.value.transient
    assert "total time limit" in exc.value.message
    assert time.monotonic() - started < 3


def test_trickled_headers_are_cut_off_too(local_server, settings):
    settings.FETCH_TOTAL_DEADLINE = 1.0

    def trickle_headers(handler):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
            if local_server.stopping.wait(0.05):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    local_server.route("/slow-head", Response(handler=trickle_headers))
    with pytest.raises(FetchError) as exc:
        fetch(local_server.url("/slow-head"))
    assert exc.value.kind == "timeout"


def test_huge_body_is_cut_off(local_server, attach, settings):
    settings.FETCH_MAX_BYTES = 200_000
    local_server.route("/declared", Response(body=b"x" * 300_000))
    local_server.route("/undeclared", Response(chunks=[b"y" * 50_000] * 10,
                                               content_type="text/plain"))
    for path in ("/declared", "/undeclared"):
        source = attach(local_server.url(path))
        source_fetch(source_id=source.pk)
        source.refresh_from_db()
        assert source.status == SourceStatus.FAILED, path
        assert source.last_error_kind == "too_large"
        assert "larger than the limit of 195 KB" in source.last_error


def test_gzip_bomb_is_cut_off_after_decompression(local_server, settings):
    settings.FETCH_MAX_BYTES = 1_000_000
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # 200 MB in ~200 KB
    assert len(bomb) < settings.FETCH_MAX_BYTES
    local_server.route("/bomb", Response(body=bomb, content_type="text/html",
                                         headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as exc:
        fetch(local_server.url("/bomb"))
    assert exc.value.kind == "too_large" and "after decompression" in exc.value.message


def test_gzip_body_is_decompressed(local_server):
    local_server.route("/gz", Response(body=gzip.compress(b"hello world"),
                                       headers={"Content-Encoding": "gzip"}))
    assert fetch(local_server.url("/gz")).body == b"hello world"
    assert "gzip" in local_server.requests[0].headers["Accept-Encoding"]


def test_proxy_variables_are_ignored(local_server, local_server_factory, monkeypatch):
    proxy = local_server_factory()
    proxy.route("/", Response(body=b"proxied"))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.setenv(var, proxy.base_url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    local_server.route("/direct", Response(body=b"direct"))
    assert fetch(local_server.url("/direct")).body == b"direct"
    assert proxy.hits() == 0


# --- Status codes, retries and backoff ----------------------------------------------------

def test_404_fails_at_once(local_server, attach):
    source = attach(local_server.url("/missing"))
    outcome = source_fetch(source_id=source.pk)
    assert outcome.status == SourceStatus.FAILED and outcome.retry_in is None
    source.refresh_from_db()
    assert source.attempts == 1 and source.last_error_kind == "http_4xx"
    assert source.last_error == "The site answered 404 Not Found."
    capture = source.captures.get()
    assert capture.http_status == 404 and capture.status == CaptureStatus.FAILED


def test_500_then_200_retries_with_backoff(local_server, attach, settings):
    settings.FETCH_RETRY_BASE_SECONDS = 10
    local_server.route("/flaky", Response(status=500), Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/flaky"))
    before = timezone.now()
    outcome = source_fetch(source_id=source.pk)
    assert outcome.status == "retrying" and 5 <= outcome.retry_in <= 10
    source.refresh_from_db()
    assert source.status == SourceStatus.PENDING and source.attempts == 1
    assert source.last_error_kind == "http_5xx"
    assert before + timedelta(seconds=5) <= source.next_attempt_at
    assert source.next_attempt_at <= timezone.now() + timedelta(seconds=10)

    assert source_fetch(source_id=source.pk).status == SourceStatus.FETCHED
    source.refresh_from_db()
    assert source.attempts == 2 and source.last_error == "" and source.next_attempt_at is None
    assert list(source.captures.order_by("started_at").values_list("status", "attempt")) == [
        ("failed", 1), ("success", 2)]


def test_backoff_grows_and_stays_below_the_visibility_timeout(settings):
    settings.FETCH_RETRY_BASE_SECONDS = 30
    settings.FETCH_RETRY_MAX_SECONDS = 10**6
    delays = [pipeline.retry_delay(n) for n in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 60 <= delays[2] <= 120
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert max(delays) <= visibility / 2
    assert len({round(pipeline.retry_delay(4), 3) for _ in range(20)}) > 1  # jitter


def test_429_honours_retry_after(local_server, attach, settings):
    settings.FETCH_RETRY_BASE_SECONDS = 1
    local_server.route("/busy", Response(status=429, headers={"Retry-After": "120"}),
                       Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/busy"))
    outcome = source_fetch(source_id=source.pk)
    assert outcome.status == "retrying" and outcome.retry_in == 120
    source.refresh_from_db()
    assert source.last_error_kind == "rate_limited"
    assert source.next_attempt_at >= timezone.now() + timedelta(seconds=115)
    assert source_fetch(source_id=source.pk).status == SourceStatus.FETCHED


def test_transient_failures_give_up_after_max_attempts(local_server, attach, settings):
    settings.FETCH_MAX_ATTEMPTS = 3
    local_server.route("/down", Response(status=503))
    source = attach(local_server.url("/down"))
    outcomes = [source_fetch(source_id=source.pk) for _ in range(3)]
    assert [o.status for o in outcomes] == ["retrying", "retrying", SourceStatus.FAILED]
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED and source.attempts == 3
    assert "503" in source.last_error and "Gave up after 3 attempts" in source.last_error


def test_connection_refused_is_transient(attach, local_server_factory):
    server = local_server_factory()
    url = server.url("/gone")
    server.stop()
    source = attach(url)
    outcome = source_fetch(source_id=source.pk)
    assert outcome.status == "retrying"
    source.refresh_from_db()
    assert source.last_error_kind == "connection" and "Could not connect" in source.last_error


# --- Politeness, idempotency, snapshots ----------------------------------------------------

def test_politeness_reschedules_without_using_an_attempt(local_server, attach, settings):
    settings.FETCH_DOMAIN_RATE = 0.5
    settings.FETCH_DOMAIN_BURST = 1
    local_server.route("/one", Response.html(ARTICLE_HTML))
    local_server.route("/two", Response.html(ARTICLE_HTML))
    first, second = attach(local_server.url("/one")), attach(local_server.url("/two"))
    assert source_fetch(source_id=first.pk).status == SourceStatus.FETCHED
    outcome = source_fetch(source_id=second.pk)
    assert outcome.status == "waiting" and 0 < outcome.retry_in <= 2
    second.refresh_from_db()
    assert second.status == SourceStatus.PENDING and second.attempts == 0
    assert second.next_attempt_at is not None
    assert local_server.hits("/two") == 0


def test_a_duplicate_delivery_records_one_success(local_server, attach, monkeypatch):
    """Two deliveries of the same request racing: both fetch, one success is recorded."""
    local_server.route("/race", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/race"))
    real_capture = pipeline.capture_url
    nested = []

    def capture_while_another_delivery_finishes(url):
        if not nested:
            nested.append(None)
            nested[0] = source_fetch(source_id=source.pk)  # the other delivery
        return real_capture(url)

    monkeypatch.setattr(pipeline, "capture_url", capture_while_another_delivery_finishes)
    outcome = source_fetch(source_id=source.pk)
    assert nested[0].status == SourceStatus.FETCHED and outcome.status == SourceStatus.FETCHED
    assert source.captures.filter(status=CaptureStatus.SUCCESS).count() == 1
    assert local_server.hits("/race") == 2


def test_finished_source_is_not_fetched_again_by_a_redelivered_task(local_server, attach):
    local_server.route("/once", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/once"))
    source_fetch(source_id=source.pk)
    assert source_fetch(source_id=source.pk).status == SourceStatus.FETCHED
    assert local_server.hits("/once") == 1
    assert source.captures.count() == 1


def test_identical_bodies_share_one_snapshot(local_server, attach, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    local_server.route("/copy-1", Response.html(ARTICLE_HTML))
    local_server.route("/copy-2", Response.html(ARTICLE_HTML))
    a, b = attach(local_server.url("/copy-1")), attach(local_server.url("/copy-2"))
    source_fetch(source_id=a.pk)
    source_fetch(source_id=b.pk)
    assert success(a).snapshot.name == success(b).snapshot.name
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1


# --- Services --------------------------------------------------------------------------------

def test_attach_reuses_one_source_per_normalised_url(attach, django_capture_on_commit_callbacks):
    claim2 = ClaimFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        ev1 = source_attach(claim=attach.claim, url="https://Example.org/a?utm_medium=x",
                            user=None, stance="refutes", note="Official figures.")
    ev2 = source_attach(claim=claim2, url="https://example.org:443/a#section", user=None)
    again = source_attach(claim=attach.claim, url="https://example.org/a", user=None)
    assert ev1.source_id == ev2.source_id
    assert again.pk == ev1.pk and Evidence.objects.filter(claim=attach.claim).count() == 1
    assert ev1.stance == "refutes" and ev1.note == "Official figures."
    assert len(callbacks) == 1  # only the new source is enqueued
    source = ev1.source
    assert source.normalized_url == "https://example.org/a" and source.domain == "example.org"
    assert source.status == SourceStatus.PENDING and source.status_changed_at


@pytest.mark.parametrize("url,words", [
    ("ftp://example.org/x", "Only http and https"),
    ("http://user:pw@example.org/", "user name or password"),
    ("not a url", "starting with http"),
    ("http://192.168.0.1/router", "private network"),
    ("http://[::1]/", "loopback"),
])
def test_attach_refuses_bad_urls_in_words(attach, url, words):
    with pytest.raises(ValidationError) as exc:
        attach(url)
    assert words in exc.value.message_dict["url"][0]
    assert not Source.objects.exists()


def test_attach_refuses_unknown_stance(attach):
    with pytest.raises(ValidationError) as exc:
        attach("https://example.org/", stance="maybe")
    assert "stance" in exc.value.message_dict


def test_refetch_resets_and_enqueues(local_server, attach, django_capture_on_commit_callbacks):
    local_server.route("/page", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/page"))
    source_fetch(source_id=source.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        source_refetch(source=source, user=None)
    assert len(callbacks) == 1
    assert source.status == SourceStatus.PENDING and source.attempts == 0
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.captures.filter(status=CaptureStatus.SUCCESS).count() == 2
    assert source.content_changed_at is None  # same text


def test_refetch_refuses_a_source_being_fetched(attach):
    source = attach("https://example.org/busy")
    Source.objects.filter(pk=source.pk).update(status=SourceStatus.FETCHING)
    with pytest.raises(ValidationError, match="being fetched right now"):
        source_refetch(source=source, user=None)


def test_article_import_url_creates_pending_article(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        article = article_import_url(url="https://www.example.org/news/jobless-figures.html",
                                     user=None)
    assert article.status == "pending"
    assert article.title == "jobless figures (example.org)"
    assert len(callbacks) == 1
    with pytest.raises(ValidationError) as exc:
        article_import_url(url="gopher://example.org/", user=None)
    assert "Only http and https" in exc.value.message_dict["url"][0]


def test_article_fetch_fills_the_article(local_server):
    local_server.route("/story", Response.html(ARTICLE_HTML))
    article = article_import_url(url=local_server.url("/story"), user=None)
    assert pipeline.article_fetch(article_id=article.pk).status == "ready"
    article.refresh_from_db()
    assert article.title == "Unemployment did not fall by 12%"
    assert article.outlet == "Example Times" and article.author == "Jane Doe"
    assert str(article.published_on) == "2024-03-05"
    assert "contradicting the minister" in article.body and len(article.body_sha256) == 64


def test_article_fetch_failure_is_recorded_in_words(local_server):
    article = article_import_url(url=local_server.url("/nothing"), user=None)
    assert pipeline.article_fetch(article_id=article.pk).status == "failed"
    article.refresh_from_db()
    assert article.fetch_error == "The site answered 404 Not Found."


# --- Beat tasks ------------------------------------------------------------------------------

def test_sweeper_enqueues_only_stuck_sources(attach, monkeypatch):
    enqueued = []
    monkeypatch.setattr(pipeline, "enqueue_source_fetch", lambda pk: enqueued.append(pk) or True)
    long_ago = timezone.now() - timedelta(minutes=30)
    stuck_pending = attach("https://example.org/lost-message")
    stuck_fetching = attach("https://example.org/dead-worker")
    fresh = attach("https://example.org/just-attached")
    waiting = attach("https://example.org/retry-later")
    done = attach("https://example.org/done")
    Source.objects.filter(pk=stuck_pending.pk).update(status_changed_at=long_ago)
    Source.objects.filter(pk=stuck_fetching.pk).update(status=SourceStatus.FETCHING,
                                                       status_changed_at=long_ago)
    Source.objects.filter(pk=waiting.pk).update(
        status_changed_at=long_ago, next_attempt_at=timezone.now() + timedelta(minutes=5))
    Source.objects.filter(pk=done.pk).update(status=SourceStatus.FETCHED,
                                             status_changed_at=long_ago)
    assert fetches_sweep_stuck() == 2
    assert sorted(enqueued) == sorted([stuck_pending.pk, stuck_fetching.pk])
    assert fresh.pk not in enqueued
    stuck_pending.refresh_from_db()
    assert stuck_pending.status_changed_at > long_ago  # not swept again right away
    assert fetches_sweep_stuck() == 0


def _published_verdict_citing(source: Source, *, via: str):
    claim = ClaimFactory()
    evidence = Evidence.objects.create(claim=claim, source=source, stance="refutes")
    verdict = VerdictFactory(claim=claim, state=VerdictState.PUBLISHED,
                             published_at=timezone.now())
    if via == "verdict":
        verdict.evidence.add(evidence)
    return verdict


@pytest.mark.parametrize("via", ["verdict", "claim"])
def test_recheck_flags_changed_text(local_server, attach, via,
                                    django_capture_on_commit_callbacks):
    local_server.route("/cited", Response.html(ARTICLE_HTML),
                       Response.html(ARTICLE_HTML.replace("rose slightly", "fell sharply")))
    source = attach(local_server.url("/cited"))
    source_fetch(source_id=source.pk)
    _published_verdict_citing(source, via=via)
    uncited = attach(local_server.url("/uncited"))
    Source.objects.filter(pk__in=[source.pk, uncited.pk]).update(
        status=SourceStatus.FETCHED, last_fetched_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks() as callbacks:
        assert sources_recheck_cited() == 1
    assert len(callbacks) == 1
    source.refresh_from_db()
    assert source.status == SourceStatus.PENDING
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.status == SourceStatus.FETCHED and source.content_changed_at is not None
    assert not source.is_dead
    assert sources_recheck_cited() == 0  # just captured: not due for a week


def test_recheck_flags_a_dead_source(local_server, attach):
    local_server.route("/vanishing", Response.html(ARTICLE_HTML), Response(status=410))
    source = attach(local_server.url("/vanishing"))
    source_fetch(source_id=source.pk)
    _published_verdict_citing(source, via="claim")
    Source.objects.filter(pk=source.pk).update(last_fetched_at=timezone.now() - timedelta(days=8))
    assert sources_recheck_cited() == 1
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    # The earlier capture still stands, so the source stays fetched, flagged dead.
    assert source.status == SourceStatus.FETCHED and source.is_dead
    assert "410" in source.last_error
    assert source.content_changed_at is None


def test_pdf_text_extraction_handles_broken_pdf(local_server, attach):
    local_server.route("/broken.pdf", Response(body=b"%PDF-1.4\n garbage",
                                               content_type="application/pdf"))
    source = attach(local_server.url("/broken.pdf"))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED and source.last_error_kind == "extraction"
    assert "PDF could not be read" in source.last_error


def test_extract_prefers_published_metadata():
    from claims.fetching.extract import extract

    found = extract(ARTICLE_HTML.encode(), "text/html", "https://example.org/x")
    assert found.title == "Unemployment did not fall by 12%"
    assert found.metadata["json_ld"]["type"] == "newsarticle"
    assert found.metadata["opengraph"]["og:site_name"] == "Example Times"


def test_a_parser_crash_fails_the_source_in_words(local_server, attach, monkeypatch):
    import trafilatura

    def crash(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", crash)
    local_server.route("/deep", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/deep"))
    assert source_fetch(source_id=source.pk).status == SourceStatus.FAILED
    source.refresh_from_db()
    assert source.last_error == "The page's text could not be extracted (RecursionError)."


def test_soft_time_limit_during_extraction_is_recorded_and_retried(local_server, attach,
                                                                    monkeypatch):
    import trafilatura
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(trafilatura, "bare_extraction", too_slow)
    local_server.route("/huge-dom", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/huge-dom"))
    assert source_fetch(source_id=source.pk).status == "retrying"
    source.refresh_from_db()
    assert source.status == SourceStatus.PENDING  # not left stuck in fetching
    assert source.last_error == "The page took too long to process."


def test_a_failed_duplicate_does_not_undo_a_finished_fetch(local_server, attach, monkeypatch):
    """One delivery succeeds while a duplicate's request fails: the source stays fetched."""
    local_server.route("/dup", Response.html(ARTICLE_HTML))
    source = attach(local_server.url("/dup"))
    real_capture = pipeline.capture_url
    calls = []

    def other_delivery_succeeds_then_ours_fails(url):
        calls.append(url)
        if len(calls) == 1:
            source_fetch(source_id=source.pk)  # the other delivery, start to finish
            return pipeline.CaptureResult(error_kind="connection", transient=True,
                                          error_message="Could not connect.")
        return real_capture(url)

    monkeypatch.setattr(pipeline, "capture_url", other_delivery_succeeds_then_ours_fails)
    assert source_fetch(source_id=source.pk).status == SourceStatus.FETCHED
    source.refresh_from_db()
    assert source.status == SourceStatus.FETCHED and source.last_error == ""
    assert list(source.captures.values_list("status", flat=True).order_by("id")) == [
        "success", "failed"]
