"""Fact-check feeds on a schedule, through a real Celery worker: the beat task enqueues the
due feeds, the worker imports each from a local HTTP server, and a feed that answers 503 is
retried with backoff (Celery's retry, the sources' delays) until it answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.models import FactCheck, FactCheckFeed
from claims.tasks import enqueue_due_factcheck_feeds
from tests.localserver import Response
from tests.support.processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FEED = (Path(__file__).resolve().parents[1] / "claims" / "factchecks" / "data" / "factchecks"
        / "google_claims_search.json").read_bytes()


def _feed_state(pk):
    return FactCheckFeed.objects.get(pk=pk)


def test_the_beat_task_has_each_due_feed_imported_by_a_worker(celery_worker, local_server):
    ok = local_server.route("/feed.json", Response(body=FEED, content_type="application/json"))
    gone = local_server.route("/gone.json", Response(status=404))
    good = FactCheckFeed.objects.create(name="Partner", url=ok, interval_hours=12)
    bad = FactCheckFeed.objects.create(name="Gone", url=gone)
    assert enqueue_due_factcheck_feeds() == 2  # what beat runs every ten minutes

    assert wait_for(lambda: _feed_state(good.pk).last_success_at is not None)
    assert wait_for(lambda: _feed_state(bad.pk).failures == 1)
    assert FactCheck.objects.filter(feed=good).count() == 3
    assert "404" in _feed_state(bad.pk).last_error
    assert local_server.hits("/gone.json") == 1  # permanent: not retried
    assert enqueue_due_factcheck_feeds() == 0  # both scheduled after their interval


def test_a_feed_that_answers_503_is_retried_until_it_answers(celery_worker, local_server,
                                                              settings):
    settings.FETCH_RETRY_BASE_SECONDS = 0.2
    url = local_server.route("/busy.json", Response(status=503), Response(status=503),
                             Response(body=FEED, content_type="application/json"))
    feed = FactCheckFeed.objects.create(name="Busy partner", url=url)
    assert enqueue_due_factcheck_feeds() == 1
    assert wait_for(lambda: _feed_state(feed.pk).last_success_at is not None)
    state = _feed_state(feed.pk)
    assert local_server.hits("/busy.json") == 3
    assert state.failures == 0 and state.last_error == ""
    assert FactCheck.objects.filter(feed=feed).count() == 3
