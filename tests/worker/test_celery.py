"""A task round trip through a real worker consuming from a real Redis broker."""

import pytest
from django.core.cache import cache

from claims.choices import ClaimStatus
from claims.selectors.dashboard import DESK_STATS_CACHE_KEY
from claims.tasks import refresh_desk_stats
from factcheck.celery import app
from tests.factories import ClaimFactory

pytestmark = pytest.mark.worker


def test_app_is_configured_from_django_settings():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert "claims.tasks.refresh_desk_stats" in app.tasks
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, f"beat schedules unknown task {entry['task']}"


def test_task_round_trip_through_real_worker(celery_worker):
    ClaimFactory.create_batch(2)
    ClaimFactory(status=ClaimStatus.RESEARCHING)
    result = refresh_desk_stats.delay()
    stats = result.get(timeout=30)
    assert result.successful()
    # Ran in the worker, not eagerly: the result came back through the Redis backend.
    assert not app.conf.task_always_eager
    assert stats["claims_by_status"]["new"] == 2
    assert stats["claims_by_status"]["researching"] == 1
    assert stats["claims_total"] == 3
    assert cache.get(DESK_STATS_CACHE_KEY) == stats
