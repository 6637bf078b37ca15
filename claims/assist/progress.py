"""Where scoring an article's sentences has got to, for the page that waits for it.

Kept in the shared cache (Redis), written by the request that asks for scoring ("queued")
and by the worker ("running", then "done" or "failed"); the suggestions panel polls while
the work is queued or running. A cache outage degrades to "unknown": the panel then shows
what the database holds, with the button to ask again."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
# A record outlives any run (the task's hard limit is 90 s); a queued one that a worker
# never picked up stops the polling after this long.
TTL_SECONDS = 24 * 3600
STALE_QUEUED_SECONDS = 15 * 60


@dataclass(frozen=True)
class Progress:
    state: str  # queued, running, done, failed, or "" when nothing is known
    sentences: int = 0
    suggestions: int = 0
    error: str = ""
    at: float = 0.0

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _key(article_id: int) -> str:
    return f"claims:suggestions-progress:{article_id}"


def progress_set(article_id: int, state: str, **details) -> None:
    try:
        cache.set(_key(article_id), {"state": state, "at": time.time(), **details},
                  timeout=TTL_SECONDS)
    except Exception as exc:  # redis-py raises a family of connection errors
        logger.warning("Could not record suggestion progress for article %s (%s).",
                       article_id, exc)


def progress_get(article_id: int) -> Progress:
    try:
        record = cache.get(_key(article_id))
    except Exception as exc:
        logger.warning("Could not read suggestion progress for article %s (%s).", article_id, exc)
        return Progress("")
    if not record:
        return Progress("")
    progress = Progress(
        record.get("state", ""), record.get("sentences", 0), record.get("suggestions", 0),
        record.get("error", ""), record.get("at", 0.0),
    )
    if progress.state == QUEUED and time.time() - progress.at > STALE_QUEUED_SECONDS:
        return Progress(FAILED, error="No worker picked the work up. Try again.", at=progress.at)
    return progress
