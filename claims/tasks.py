"""Thin Celery tasks: load by id, call a service or selector. Tasks pass ids, never rows."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from claims import archiving
from claims.assist.services import suggestions_refresh_by_id, suggestions_sweep_unscored
from claims.factchecks.matching import warm as warm_matching
from claims.fetching import pipeline
from claims.queue import enqueue_suggestions
from claims.selectors.dashboard import DESK_STATS_CACHE_KEY, desk_stats
from claims.services.factchecks import (
    factcheck_feed_fetch,
    factcheck_feed_give_up,
    factcheck_feeds_enqueue_due,
)
from claims.services.webhooks import (
    webhook_deliver,
    webhook_deliveries_prune,
    webhook_deliveries_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(name="claims.tasks.refresh_desk_stats", soft_time_limit=60, time_limit=90)
def refresh_desk_stats() -> dict:
    """Recompute the dashboard counts and keep them in the shared cache."""
    stats = desk_stats()
    cache.set(DESK_STATS_CACHE_KEY, stats, timeout=None)
    return stats


# --- Fetching sources and articles (the work lives in claims/fetching/) ------------------
# acks_late + reject_on_worker_lost (settings): a worker killed mid-fetch leaves the message
# to be redelivered; the capture's request_key keeps a redelivery from recording twice.
# A dropped database connection is retried with backoff: Celery's Django fixup closes the
# broken connection before the retry runs, so it reconnects.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _broke(exc: Exception) -> str:
    return (f"The fetch stopped on an unexpected error ({type(exc).__name__}) and was not "
            f"retried; the error is in the worker log.")


RETRY_ON_DATABASE_ERRORS = {"autoretry_for": DATABASE_ERRORS, "retry_backoff": 1,
                            "retry_backoff_max": 60, "retry_jitter": True}


@shared_task(bind=True, name="claims.tasks.fetch_source", max_retries=None, ignore_result=True,
             soft_time_limit=60, time_limit=90, **RETRY_ON_DATABASE_ERRORS)
def fetch_source(self, source_id: int) -> str:
    try:
        outcome = pipeline.source_fetch(source_id=source_id)
    except DATABASE_ERRORS:
        raise  # retried with backoff (autoretry_for)
    except Exception as exc:
        # Never leave the source "fetching" for the sweeper to run again and again.
        logger.exception("Fetching source %s broke", source_id)
        outcome = pipeline.source_give_up(source_id=source_id, reason=_broke(exc))
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(bind=True, name="claims.tasks.fetch_article", max_retries=None, ignore_result=True,
             soft_time_limit=60, time_limit=90, **RETRY_ON_DATABASE_ERRORS)
def fetch_article(self, article_id: int, attempt: int = 1) -> str:
    try:
        outcome = pipeline.article_fetch(article_id=article_id, attempt=attempt)
    except DATABASE_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Fetching article %s broke", article_id)
        outcome = pipeline.article_give_up(article_id=article_id, reason=_broke(exc))
    if outcome.status == "ready":  # the article text arrived: point at what to check
        enqueue_suggestions(article_id)
    if outcome.retry_in is not None:
        # A politeness wait does not use up an attempt.
        next_attempt = attempt if outcome.status == "waiting" else attempt + 1
        raise self.retry(countdown=outcome.retry_in, kwargs={"attempt": next_attempt})
    return outcome.status


@shared_task(name="claims.tasks.sweep_stuck_sources", soft_time_limit=60, time_limit=90)
def sweep_stuck_sources() -> int:
    """Re-enqueue sources and articles stuck pending or fetching (lost message, dead worker),
    and the scoring of articles whose request was lost."""
    return (pipeline.fetches_sweep_stuck() + suggestions_sweep_unscored()
            + archiving.archives_sweep_stuck())


# A browser capture is bounded by CAPTURE_WALL_SECONDS inside (and its browser killed 20 s
# past it); the task's own limits are a second line of defence beyond that, with room for
# packing the archive and asking for the timestamp.
@shared_task(bind=True, name="claims.tasks.archive_capture", max_retries=None,
             ignore_result=True, soft_time_limit=int(settings.CAPTURE_WALL_SECONDS) + 60,
             time_limit=int(settings.CAPTURE_WALL_SECONDS) + 90,
             **RETRY_ON_DATABASE_ERRORS)
def archive_capture(self, archive_id: int) -> str:
    try:
        outcome = archiving.capture_archive(archive_id=archive_id)
    except DATABASE_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Archiving %s broke", archive_id)
        outcome = archiving.archive_give_up(archive_id=archive_id, reason=(
            f"The capture stopped on an unexpected error ({type(exc).__name__}); the error "
            f"is in the worker log."))
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="claims.tasks.recheck_cited_sources", soft_time_limit=300, time_limit=360)
def recheck_cited_sources() -> int:
    """Capture again the sources that published verdicts cite, to flag changed or dead ones."""
    return pipeline.sources_recheck_cited()


# --- Claim assistance (the work lives in claims/assist/) ----------------------------------


@shared_task(name="claims.tasks.suggest_article_claims", soft_time_limit=60, time_limit=90)
def suggest_article_claims(article_id: int) -> str:
    """Score an article's sentences and store the check-worthy ones as suggestions."""
    return suggestions_refresh_by_id(article_id=article_id)


# --- Webhooks (the work lives in claims/services/webhooks.py) -----------------------------
# The service schedules its own retries (stored on the delivery, sent by countdown or by
# the sweeper), so the task only retries a dropped database connection.


@shared_task(name="claims.tasks.deliver_webhook", ignore_result=True, soft_time_limit=60,
             time_limit=90, max_retries=5, **RETRY_ON_DATABASE_ERRORS)
def deliver_webhook(delivery_pk: int) -> str:
    return webhook_deliver(delivery_pk=delivery_pk)


@shared_task(name="claims.tasks.sweep_webhook_deliveries", soft_time_limit=60, time_limit=90)
def sweep_webhook_deliveries() -> int:
    """Enqueue each active subscription's oldest pending delivery that is due, and delete
    finished deliveries older than WEBHOOK_KEEP_DAYS."""
    sent = webhook_deliveries_sweep()
    webhook_deliveries_prune()
    return sent


# --- Fact-check feeds (the work lives in claims/services/factchecks.py) ---------------------


@shared_task(name="claims.tasks.enqueue_due_factcheck_feeds", soft_time_limit=60, time_limit=90)
def enqueue_due_factcheck_feeds() -> int:
    """Enqueue a run of every enabled fact-check feed whose interval has passed."""
    return factcheck_feeds_enqueue_due()


@shared_task(bind=True, name="claims.tasks.run_factcheck_feed", max_retries=None,
             ignore_result=True, soft_time_limit=600, time_limit=660,
             **RETRY_ON_DATABASE_ERRORS)
def run_factcheck_feed(self, feed_id: int, attempt: int = 1) -> str:
    """Re-import one feed, politely; transient failures come back with backoff."""
    try:
        outcome = factcheck_feed_fetch(feed_id=feed_id, attempt=attempt)
    except DATABASE_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Importing fact-check feed %s broke", feed_id)
        outcome = factcheck_feed_give_up(feed_id=feed_id, reason=(
            f"The import stopped on an unexpected error ({type(exc).__name__}) and was not "
            f"retried; the error is in the worker log."))
    if outcome.retry_in is not None:
        next_attempt = attempt if outcome.status == "waiting" else attempt + 1
        raise self.retry(countdown=outcome.retry_in, kwargs={"attempt": next_attempt})
    if outcome.status == "imported":
        try:
            warm_matching()  # the new fact-checks' vectors, so the desk's pages find them
        except Exception:  # the import stands; the pages match these by words meanwhile
            logger.exception("Encoding the fact-checks of feed %s for matching failed", feed_id)
    return outcome.status
