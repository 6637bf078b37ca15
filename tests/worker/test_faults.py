"""Fault injection through real processes: Redis stopped while editors work, the database
connection dropped under a running task, and a snapshot write failing as on a full disk.

Every outage is of a process this test started itself (an EmbeddedRedis, a worker
subprocess, this test's own database connections); the machine's services are never stopped."""

from __future__ import annotations

import errno
import uuid

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from claims.choices import CaptureStatus, SourceStatus
from claims.models import Source
from claims.services.sources import source_attach
from tests.factories import ClaimFactory
from tests.localserver import Response
from tests.support.processes import publishing_to, source_status, wait_for
from tests.support.web_pages import PAGE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def redis_settings(url: str) -> dict:
    location = "unix://" + url.removeprefix("redis+socket://")
    return {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": location, "KEY_PREFIX": "faults",
                               "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}},
        "REDIS_URL": url,
    }


def test_desk_keeps_working_while_redis_is_down(client, demo_users, celery_app, local_server,
                                                own_redis, workers):
    """Redis (cache, broker, rate limits) goes away mid-shift: every page still answers, a
    source attached meanwhile is saved, and it is fetched once Redis is back."""
    local_server.route("/during-outage", Response.html(PAGE))
    claim = ClaimFactory()
    own_redis.start()
    client.force_login(demo_users["editor"])
    with override_settings(**redis_settings(own_redis.url)), \
            publishing_to(celery_app, own_redis.url):
        assert client.get(reverse("claims:dashboard")).status_code == 200  # warm cache
        own_redis.stop()  # the outage
        pages = [reverse("claims:dashboard"), reverse("claims:claim-list"),
                 reverse("claims:claim-list") + "?q=unemployment",
                 reverse("claims:claim-detail", args=[claim.pk]),
                 reverse("claims:article-detail", args=[claim.article.pk]),
                 reverse("claims:source-list")]
        for url in pages:
            assert client.get(url).status_code == 200, f"{url} failed while Redis was down"
        response = client.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                               {"url": local_server.url("/during-outage")})
        assert response.status_code == 302
        source = Source.objects.get(evidence__claim=claim)
        assert source.status == SourceStatus.PENDING  # saved, waiting: nothing lost

        own_redis.start()  # Redis is back
        workers(own_redis.url, FETCH_STUCK_AFTER_SECONDS="0")
        from claims.tasks import sweep_stuck_sources

        sweep_stuck_sources.delay()  # what beat sends every few minutes
        assert wait_for(lambda: source_status(source.pk) == SourceStatus.FETCHED, 60)
    assert source.captures.filter(status=CaptureStatus.SUCCESS).count() == 1


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="drops live PostgreSQL connections; CI runs it against PostgreSQL")
def test_database_connection_dropped_during_a_task(celery_app, local_server, own_redis, workers):
    """The worker's database connection is killed while it fetches: the task retries on a
    new connection and the source ends fetched, with exactly one successful capture."""
    # Slower than the poll below, faster than the read timeout of the test settings (2 s).
    local_server.route("/slow", Response.html(PAGE, delay=1.5))
    claim = ClaimFactory()
    own_redis.start()
    worker = workers(own_redis.url)
    with publishing_to(celery_app, own_redis.url):
        source = source_attach(claim=claim, url=local_server.url("/slow"), user=None).source
        assert wait_for(lambda: source_status(source.pk) == SourceStatus.FETCHING, 30)
        with connection.cursor() as cursor:  # every other connection to this test database
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            killed = sum(1 for (ok,) in cursor.fetchall() if ok)
        assert killed >= 1
        assert wait_for(lambda: source_status(source.pk) == SourceStatus.FETCHED, 60), \
            worker.log.read_text(errors="replace")
    log = worker.log.read_text(errors="replace")
    assert "Retry in" in log and ("OperationalError" in log or "InterfaceError" in log)
    assert source.captures.filter(status=CaptureStatus.SUCCESS).count() == 1


class DiskFullStorage(FileSystemStorage):
    """A storage whose disk is full until `space_freed` is set."""

    space_freed = False

    def _save(self, name, content):
        if not DiskFullStorage.space_freed:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)


def test_snapshot_write_failure_is_recorded_and_retried(celery_worker, local_server, tmp_path):
    local_server.route("/page", Response.html(PAGE))
    claim = ClaimFactory()
    storages = {**settings.STORAGES, "default": {
        "BACKEND": "tests.worker.test_faults.DiskFullStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    DiskFullStorage.space_freed = False
    with override_settings(STORAGES=storages, FETCH_RETRY_BASE_SECONDS=1,
                           FETCH_RETRY_MAX_SECONDS=2):
        source = source_attach(claim=claim, url=local_server.url(f"/page?{uuid.uuid4().hex}"),
                               user=None).source
        assert wait_for(lambda: source.captures.filter(status=CaptureStatus.FAILED).exists(), 30)
        failed = source.captures.get(status=CaptureStatus.FAILED)
        assert failed.error_kind == "storage"
        assert "No space left on device" in failed.error_message
        source.refresh_from_db()
        assert source.last_error_kind == "storage"
        assert source.status in (SourceStatus.PENDING, SourceStatus.FETCHING)  # to be retried

        DiskFullStorage.space_freed = True  # the operator frees some space
        assert wait_for(lambda: source_status(source.pk) == SourceStatus.FETCHED, 30)
    success = source.captures.get(status=CaptureStatus.SUCCESS)
    assert (tmp_path / success.snapshot.name).read_bytes() == PAGE.encode()
