"""Redis down (the Celery broker and its result store): every editor request that enqueues
work answers within 2 s, leaves its row for the sweeper, and the work is done once Redis is
back. `load_demo` without Redis finishes in seconds, not 40.

"Down" is a broker URL on a port nobody listens on, for the broker and the result store
both. "Back" is an embedded Redis with a real worker subprocess on it."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from claims.choices import ArticleStatus, SourceStatus
from claims.models import Article, ClaimSuggestion, Source
from tests.factories import ClaimFactory
from tests.localserver import Response
from tests.support.processes import source_status, wait_for
from tests.support.web_pages import PAGE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# An editor's request must answer within this, with the broker and the result store down.
REQUEST_BUDGET_SECONDS = 2.0

ARTICLE_TEXT = (
    "The minister said unemployment fell by 12 per cent last year. "
    "She added that 40,000 new jobs were created in the north since 2019. "
    "Critics said the figures were misleading."
)


def closed_port_url() -> str:
    """A Redis URL on a local port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@contextmanager
def celery_on(app, url: str):
    """Point this process's Celery producer and result store at `url` for the block."""

    def reset():
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    old = app.conf.broker_url, app.conf.result_backend
    reset()
    app.conf.broker_url = app.conf.result_backend = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.result_backend = old


@pytest.fixture
def hung_redis_url():
    """A Redis URL whose server accepts connections and never answers (a hung Redis, or
    one gone behind a NAT without closing the connection)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def test_every_enqueueing_request_answers_fast_and_the_work_is_done_when_redis_is_back(
    client, demo_users, celery_app, local_server, own_redis, workers
):
    local_server.route("/report", Response.html(PAGE))
    local_server.route("/article", Response.html(PAGE))
    claim = ClaimFactory()
    refetched = Source.objects.create(
        url=local_server.url("/earlier"), normalized_url=local_server.url("/earlier"),
        domain="127.0.0.1", status=SourceStatus.FAILED,
    )
    local_server.route("/earlier", Response.html(PAGE))
    client.force_login(demo_users["editor"])
    timings = {}
    with celery_on(celery_app, closed_port_url()):
        response, timings["article add"] = timed(lambda: client.post(
            reverse("claims:article-add"),
            {"method": "text", "text-title": "Jobs figures", "text-body": ARTICLE_TEXT},
        ))
        assert response.status_code == 302
        pasted = Article.objects.get(title="Jobs figures")

        response, timings["article by URL"] = timed(lambda: client.post(
            reverse("claims:article-add"),
            {"method": "url", "url-url": local_server.url("/article")},
        ))
        assert response.status_code == 302
        imported = Article.objects.get(url__endswith="/article")

        response, timings["source attach"] = timed(lambda: client.post(
            reverse("claims:claim-source-attach", args=[claim.pk]),
            {"url": local_server.url("/report")},
        ))
        assert response.status_code == 302
        attached = Source.objects.get(normalized_url__endswith="/report")

        response, timings["re-fetch"] = timed(lambda: client.post(
            reverse("claims:source-refetch", args=[refetched.pk]), HTTP_HX_REQUEST="true",
        ))
        assert response.status_code == 200

        # The article page's "Find sentences worth checking" button.
        response, timings["suggestions"] = timed(lambda: client.post(
            reverse("claims:article-suggest", args=[claim.article.pk]), HTTP_HX_REQUEST="true",
        ))
        assert response.status_code == 200

    slow = {what: round(t, 2) for what, t in timings.items() if t >= REQUEST_BUDGET_SECONDS}
    assert not slow, f"requests slower than {REQUEST_BUDGET_SECONDS} s with Redis down: {slow}"

    # Nothing was lost: each row waits for the sweeper.
    assert source_status(attached.pk) == SourceStatus.PENDING
    assert source_status(refetched.pk) == SourceStatus.PENDING
    assert Article.objects.get(pk=imported.pk).status == ArticleStatus.PENDING
    assert not ClaimSuggestion.objects.filter(article=pasted).exists()

    # Redis is back: beat's sweeper enqueues the waiting work and a worker does it.
    own_redis.start()
    workers(own_redis.url, FETCH_STUCK_AFTER_SECONDS="0")
    with celery_on(celery_app, own_redis.url):
        from claims.tasks import sweep_stuck_sources

        with override_settings(FETCH_STUCK_AFTER_SECONDS=0):
            assert sweep_stuck_sources() >= 4
        assert wait_for(lambda: source_status(attached.pk) == SourceStatus.FETCHED, 60)
        assert wait_for(lambda: source_status(refetched.pk) == SourceStatus.FETCHED, 60)
        assert wait_for(
            lambda: Article.objects.get(pk=imported.pk).status == ArticleStatus.READY, 60
        )
        assert wait_for(lambda: ClaimSuggestion.objects.filter(article=pasted).exists(), 60)


def test_a_hung_redis_does_not_hold_a_request(client, demo_users, celery_app, local_server,
                                               hung_redis_url):
    claim = ClaimFactory()
    client.force_login(demo_users["editor"])
    with celery_on(celery_app, hung_redis_url):
        response, took = timed(lambda: client.post(
            reverse("claims:claim-source-attach", args=[claim.pk]),
            {"url": local_server.url("/report")},
        ))
        assert response.status_code == 302
        assert took < REQUEST_BUDGET_SECONDS, f"source attach took {took:.2f} s"
        response, took = timed(lambda: client.post(
            reverse("claims:article-add"),
            {"method": "text", "text-title": "Jobs figures", "text-body": ARTICLE_TEXT},
        ))
        assert response.status_code == 302
        assert took < REQUEST_BUDGET_SECONDS, f"article add took {took:.2f} s"
    assert Source.objects.get(evidence__claim=claim).status == SourceStatus.PENDING


def test_a_swept_article_is_asked_for_once_not_at_every_sweep(celery_app, own_redis):
    from claims.assist.services import suggestions_sweep_unscored
    from claims.services.articles import article_create

    with celery_on(celery_app, closed_port_url()):
        article = article_create(title="Weather", body="It rained.")
    own_redis.start()
    with celery_on(celery_app, own_redis.url):
        assert suggestions_sweep_unscored(older_than=0) == 1
        # Say the worker finds nothing worth checking: the next sweep does not ask again.
        assert suggestions_sweep_unscored(older_than=0) == 0
    assert not ClaimSuggestion.objects.filter(article=article).exists()


def test_load_demo_without_redis_takes_seconds(celery_app):
    down = closed_port_url()
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": down,
                          "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}}
    with celery_on(celery_app, down), override_settings(CACHES=caches):
        start = time.monotonic()
        call_command("load_demo", verbosity=0)
        took = time.monotonic() - start
    assert Article.objects.count() == 2
    assert took < 10, f"load_demo took {took:.1f} s without Redis"
