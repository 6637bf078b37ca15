"""Fact-check feeds on a schedule: the sweep enqueues the enabled feeds whose interval has
passed (once each, leased while queued), a run imports through the network guard with the
sources' politeness and retry rules, and a failure is recorded in words for the dashboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from claims.models import FactCheck, FactCheckFeed
from claims.services.factchecks import (
    FEED_LEASE,
    factcheck_feed_fetch,
    factcheck_feed_give_up,
    factcheck_feeds_enqueue_due,
)
from tests.localserver import Response

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "factchecks" / "data" / "factchecks"
FEED_BODY = (DATA / "google_claims_search.json").read_bytes()


def _feed(url, **fields) -> FactCheckFeed:
    return FactCheckFeed.objects.create(name="Partner checks", url=url, **fields)


def test_the_sweep_enqueues_each_due_feed_once(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("claims.services.factchecks.enqueue_factcheck_feed", sent.append)
    now = timezone.now()
    never_run = _feed("https://a.example/feed.json")
    overdue = _feed("https://b.example/feed.json", next_run_at=now - timedelta(minutes=1))
    _feed("https://c.example/feed.json", next_run_at=now + timedelta(hours=3))  # not yet
    _feed("https://d.example/feed.json", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert factcheck_feeds_enqueue_due() == 2
    assert sorted(sent) == sorted([never_run.pk, overdue.pk])
    never_run.refresh_from_db()
    assert never_run.next_run_at > now + FEED_LEASE - timedelta(minutes=1)  # leased
    with django_capture_on_commit_callbacks(execute=True):
        assert factcheck_feeds_enqueue_due() == 0  # queued already: not again


def test_a_run_imports_and_schedules_the_next_after_the_interval(local_server):
    url = local_server.route("/feed.json", Response(body=FEED_BODY,
                                                    content_type="application/json"))
    feed = _feed(url, interval_hours=6, failures=2)
    before = timezone.now()
    assert factcheck_feed_fetch(feed_id=feed.pk).status == "imported"
    feed.refresh_from_db()
    assert FactCheck.objects.filter(feed=feed).count() == 3
    assert feed.failures == 0 and feed.last_error == ""
    assert feed.last_counts["created"] == 3
    assert before + timedelta(hours=6) <= feed.next_run_at <= timezone.now() + timedelta(hours=6)


def test_a_transient_failure_is_retried_with_backoff_then_given_up(local_server, settings):
    settings.FETCH_MAX_ATTEMPTS = 3
    settings.FETCH_RETRY_BASE_SECONDS = 10
    url = local_server.route("/busy.json", Response(status=503))
    feed = _feed(url, interval_hours=24)
    first = factcheck_feed_fetch(feed_id=feed.pk, attempt=1)
    assert first.status == "retrying" and 5 <= first.retry_in <= 10
    feed.refresh_from_db()
    assert "503" in feed.last_error and "tried again (attempt 2 of 3)" in feed.last_error
    assert feed.failures == 0  # not a failed run yet
    second = factcheck_feed_fetch(feed_id=feed.pk, attempt=2)
    assert second.status == "retrying" and 10 <= second.retry_in <= 20  # backs off
    last = factcheck_feed_fetch(feed_id=feed.pk, attempt=3)
    assert last.status == "failed" and last.retry_in is None
    feed.refresh_from_db()
    assert feed.failures == 1 and "Gave up after 3 attempts" in feed.last_error
    assert feed.next_run_at > timezone.now() + timedelta(hours=23)
    assert local_server.hits("/busy.json") == 3


def test_a_permanent_failure_is_not_retried(local_server):
    url = local_server.route("/gone.json", Response(status=404))
    feed = _feed(url)
    assert factcheck_feed_fetch(feed_id=feed.pk).status == "failed"
    feed.refresh_from_db()
    assert "404" in feed.last_error and feed.failures == 1
    assert local_server.hits("/gone.json") == 1


def test_a_feed_that_holds_no_factcheck_fails_in_words(local_server):
    url = local_server.route("/empty.json", Response(body=b"[]",
                                                     content_type="application/json"))
    feed = _feed(url)
    assert factcheck_feed_fetch(feed_id=feed.pk).status == "failed"
    feed.refresh_from_db()
    assert "holds no fact-check" in feed.last_error


def test_politeness_waits_without_fetching_or_using_an_attempt(local_server, settings):
    settings.FETCH_DOMAIN_RATE = 0.01  # one request per 100 s
    settings.FETCH_DOMAIN_BURST = 1
    url = local_server.route("/feed.json", Response(body=FEED_BODY,
                                                    content_type="application/json"))
    first, second = _feed(url), _feed(url + "?copy=1")
    assert factcheck_feed_fetch(feed_id=first.pk).status == "imported"
    waiting = factcheck_feed_fetch(feed_id=second.pk, attempt=1)
    assert waiting.status == "waiting" and waiting.retry_in > 50
    assert local_server.hits("/feed.json") == 1
    second.refresh_from_db()
    assert second.last_run_at is None and second.failures == 0


def test_a_disabled_or_deleted_feed_is_left_alone(local_server):
    url = local_server.route("/feed.json", Response(body=FEED_BODY,
                                                    content_type="application/json"))
    feed = _feed(url, enabled=False)
    assert factcheck_feed_fetch(feed_id=feed.pk).status == "disabled"
    assert factcheck_feed_fetch(feed_id=feed.pk + 1000).status == "missing"
    assert local_server.hits("/feed.json") == 0


def test_a_run_that_broke_is_recorded_as_a_failure():
    feed = _feed("https://a.example/feed.json")
    factcheck_feed_give_up(feed_id=feed.pk, reason="The import stopped on an unexpected error.")
    feed.refresh_from_db()
    assert feed.failures == 1 and feed.last_error.startswith("The import stopped")


def test_beat_runs_the_feed_sweep_every_ten_minutes_and_the_tasks_are_registered(settings):
    from factcheck.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["enqueue-due-factcheck-feeds"]
    assert entry == {"task": "claims.tasks.enqueue_due_factcheck_feeds", "schedule": 600.0}
    app.loader.import_default_modules()
    assert {"claims.tasks.enqueue_due_factcheck_feeds",
            "claims.tasks.run_factcheck_feed"} <= set(app.tasks)
