"""Sources fetched through real Celery workers on a real Redis broker: the happy path, a
worker killed with SIGKILL mid-fetch, and a broker that is down when the source is attached.

The kill and outage tests run `celery worker` as subprocesses on their own EmbeddedRedis
(never the machine's services) and point them at this test's database."""

from __future__ import annotations

import signal
import time

import pytest

from claims.choices import CaptureStatus, SourceStatus
from claims.fetching.pipeline import fetches_sweep_stuck
from claims.models import Source
from claims.services.sources import source_attach
from tests.factories import ClaimFactory
from tests.localserver import Response
from tests.support.processes import publishing_to, source_status, wait_for
from tests.support.web_pages import PAGE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_attach_is_fetched_by_a_real_worker(celery_worker, local_server):
    local_server.route("/jobs", Response.html(PAGE))
    claim = ClaimFactory()
    evidence = source_attach(claim=claim, url=local_server.url("/jobs"), user=None)
    pk = evidence.source_id
    assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHED), source_status(pk)
    source = Source.objects.get(pk=pk)
    assert source.title == "Jobless figures"
    assert source.captures.get().status == CaptureStatus.SUCCESS
    assert local_server.hits("/jobs") == 1


def test_worker_killed_mid_fetch_loses_nothing(celery_app, local_server, own_redis, workers):
    """The first request hangs until the worker is SIGKILLed; after a new worker starts,
    the sweeper re-enqueues the stuck source, which ends fetched with one successful capture."""
    own_redis.start()
    local_server.route("/hang", Response(block=True), Response.html(PAGE))
    first = workers(own_redis.url)
    claim = ClaimFactory()
    with publishing_to(celery_app, own_redis.url):
        pk = source_attach(claim=claim, url=local_server.url("/hang"), user=None).source_id
        assert local_server.wait_for_hit("/hang", timeout=30), first.log.read_text()
        assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHING, 10)

        first.kill()
        assert first.process.returncode == -signal.SIGKILL
        assert source_status(pk) == SourceStatus.FETCHING  # the dead worker left it mid-way

        workers(own_redis.url)
        # What the beat sweeper does once the source has been stuck long enough.
        assert fetches_sweep_stuck(older_than=0) == 1
        assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHED, 30)
    source = Source.objects.get(pk=pk)
    assert source.captures.filter(status=CaptureStatus.SUCCESS).count() == 1
    assert source.attempts == 2  # the killed attempt, then the one that finished
    assert local_server.hits("/hang") == 2


def test_broker_down_at_attach_then_sweeper_fetches(celery_app, local_server, own_redis,
                                                    workers):
    own_redis.start()
    own_redis.stop()  # the outage
    local_server.route("/later", Response.html(PAGE))
    claim = ClaimFactory()
    with publishing_to(celery_app, own_redis.url):
        started = time.monotonic()
        evidence = source_attach(claim=claim, url=local_server.url("/later"), user=None)
        assert time.monotonic() - started < 10  # the editor is not kept waiting
    pk = evidence.source_id
    assert source_status(pk) == SourceStatus.PENDING
    assert Source.objects.get(pk=pk).attempts == 0

    own_redis.start()  # the broker is back; nothing was queued, so nothing happens...
    workers(own_redis.url, FETCH_STUCK_AFTER_SECONDS="0")
    time.sleep(1)
    assert source_status(pk) == SourceStatus.PENDING and local_server.hits() == 0

    with publishing_to(celery_app, own_redis.url):
        # ...until the beat sweeper runs (here sent by hand, run by the worker).
        from claims.tasks import sweep_stuck_sources

        sweep_stuck_sources.delay()
        assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHED, 30)
    assert Source.objects.get(pk=pk).captures.filter(status=CaptureStatus.SUCCESS).count() == 1
