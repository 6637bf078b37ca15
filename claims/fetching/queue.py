"""Hand work to the Celery workers: every enqueue of the desk goes through here (source and
article fetches, suggestion scoring). Called from transaction.on_commit hooks and the sweeper.

If the broker is down the row stays as it was (a source or article pending, an article not
scored yet) and the sweeper (claims.tasks.sweep_stuck_sources) enqueues it once the broker
is back, so a failed publish is logged, never raised into the editor's request. A publish
gives up within about a second (PUBLISH_RETRY_POLICY, and the socket timeouts in settings):
an editor's request must answer within 2 s with the broker and the result store down. The
tasks published here store no result (ignore_result), so publishing never waits on the
result store either."""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

# One quick retry, then the broker is given up on. With the connect and read timeouts
# (BROKER_CONNECT_TIMEOUT) that is about a second at most, whether the broker refuses the
# connection, its host does not answer, or it accepts and then says nothing.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.2}


def _publish(task, object_id: int, what: str) -> bool:
    # Its own connection with a read timeout: a Redis that accepts the connection but never
    # answers (hung, or gone behind a NAT) would otherwise hold the request for ever. The
    # workers' connections keep no read timeout, which their blocking reads need.
    options = {"socket_timeout": settings.BROKER_CONNECT_TIMEOUT}
    try:
        with task.app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=[object_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY,
                             ignore_result=True, connection=connection)
    except Exception as exc:  # kombu and redis-py raise a family of connection errors
        logger.warning("Could not enqueue the %s %s (%s); the sweeper will retry.",
                       what, object_id, exc)
        return False
    return True


def enqueue_source_fetch(source_id: int) -> bool:
    from claims.tasks import fetch_source

    return _publish(fetch_source, source_id, "fetch of source")


def enqueue_article_fetch(article_id: int) -> bool:
    from claims.tasks import fetch_article

    return _publish(fetch_article, article_id, "fetch of article")


def enqueue_suggestions(article_id: int) -> bool:
    from claims.tasks import suggest_article_claims

    return _publish(suggest_article_claims, article_id, "suggestions for article")
