"""Hand fetches to the Celery workers. Called from transaction.on_commit hooks.

If the broker is down the row stays pending and the sweeper (claims.tasks.sweep_stuck_sources)
enqueues it later, so a failed publish is logged, never raised into the editor's request."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# A short publish retry: an editor's request must not hang for long on a dead broker.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                        "interval_max": 1}


def _publish(task, object_id: int, what: str) -> bool:
    try:
        task.apply_async(args=[object_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # kombu raises a family of connection errors
        logger.warning("Could not enqueue the fetch of %s %s (%s); the sweeper will retry.",
                       what, object_id, exc)
        return False
    return True


def enqueue_source_fetch(source_id: int) -> bool:
    from claims.tasks import fetch_source

    return _publish(fetch_source, source_id, "source")


def enqueue_article_fetch(article_id: int) -> bool:
    from claims.tasks import fetch_article

    return _publish(fetch_article, article_id, "article")
