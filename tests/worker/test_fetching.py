"""Sources fetched through real Celery workers on a real Redis broker: the happy path, a
worker killed with SIGKILL mid-fetch, and a broker that is down when the source is attached.

The kill and outage tests run `celery worker` as subprocesses on their own EmbeddedRedis
(never the machine's services) and point them at this test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from claims.choices import CaptureStatus, SourceStatus
from claims.fetching.pipeline import fetches_sweep_stuck
from claims.models import Source
from claims.services.sources import source_attach
from factcheck.embedded_redis import EmbeddedRedis
from tests.factories import ClaimFactory
from tests.localserver import Response

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGE = ("<html><head><title>Jobless figures</title></head><body><article>"
        + "<p>The statistics office said unemployment rose slightly last year.</p>" * 10
        + "</article></body></html>")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def source_status(pk: int) -> str:
    return Source.objects.values_list("status", flat=True).get(pk=pk)


def test_database_url() -> str:
    """DATABASE_URL naming the database this test runs on, for worker subprocesses."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class WorkerProcess:
    """`celery worker` in a subprocess, on a given broker, against this test's database."""

    def __init__(self, broker_url: str, log_dir: Path, **extra_env: str):
        env = {**os.environ,
               "DJANGO_SETTINGS_MODULE": "factcheck.settings.test",
               "DATABASE_URL": test_database_url(),
               "REDIS_URL": broker_url,
               "CELERY_BROKER_URL": broker_url,
               "CELERY_RESULT_BACKEND": broker_url,
               "FETCH_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
               **extra_env}
        self.log = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factcheck", "worker", "--pool=solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip",
             "-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        ready = wait_for(lambda: b"ready." in self.log.read_bytes()
                         or self.process.poll() is not None, timeout)
        assert ready and self.process.poll() is None, self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(tmp_path):
    started: list[WorkerProcess] = []

    def start(broker_url: str, **extra_env) -> WorkerProcess:
        worker = WorkerProcess(broker_url, tmp_path, **extra_env)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def own_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis")
    yield server
    server.stop()


@contextmanager
def publishing_to(app, url: str):
    """Point this process's Celery producer at another broker for the block."""
    def reset_pools():
        # kombu keeps one pool per broker URL; dropping our references makes the next
        # publish look up (or create) the pool for the URL now configured.
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    reset_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = old


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
