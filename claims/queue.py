"""Hand work to the Celery workers: every enqueue of the desk goes through here (source and
article fetches, suggestion scoring). Called from transaction.on_commit hooks and the sweeper.

Tasks are sent by their registered name (TASKS), so this module imports nothing of the
tasks, the services or the fetching they run: it sits at the bottom of the layers and any
module may enqueue. A test checks that every name here is a task the Celery app registers.

If the broker is down the row stays as it was (a source or article pending, an article not
scored yet) and the sweeper (claims.tasks.sweep_stuck_sources) enqueues it once the broker
is back, so a failed publish is logged, never raised into the editor's request. A publish
gives up within about a second (PUBLISH_RETRY_POLICY, and the socket timeouts in settings):
an editor's request must answer within 2 s with the broker and the result store down. The
tasks published here store no result (ignore_result), so publishing never waits on the
result store either."""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from kombu import pools

logger = logging.getLogger(__name__)

FETCH_SOURCE = "claims.tasks.fetch_source"
FETCH_ARTICLE = "claims.tasks.fetch_article"
SUGGEST_ARTICLE_CLAIMS = "claims.tasks.suggest_article_claims"
DELIVER_WEBHOOK = "claims.tasks.deliver_webhook"
RUN_FACTCHECK_FEED = "claims.tasks.run_factcheck_feed"
ARCHIVE_CAPTURE = "claims.tasks.archive_capture"
TASKS = (FETCH_SOURCE, FETCH_ARTICLE, SUGGEST_ARTICLE_CLAIMS, DELIVER_WEBHOOK,
         RUN_FACTCHECK_FEED, ARCHIVE_CAPTURE)

# One quick retry, then the broker is given up on. With the connect and read timeouts
# (BROKER_CONNECT_TIMEOUT) that is about a second at most, whether the broker refuses the
# connection, its host does not answer, or it accepts and then says nothing.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.2}


def _publish(task_name: str, object_id: int, what: str, countdown: float | None = None) -> bool:
    # Connections of their own, with a read timeout: a Redis that accepts the connection but
    # never answers (hung, or gone behind a NAT) would otherwise hold the request for ever.
    # The workers' connections keep no read timeout, which their blocking reads need. They
    # come from kombu's connection pool (one pool per set of connection parameters, per
    # process): opening a connection and a channel for each publish cost about 5 ms of CPU
    # an attached source. A connection that broke is reopened by the publish's retry.
    options = {"socket_timeout": settings.BROKER_CONNECT_TIMEOUT}
    try:
        pool = pools.connections[current_app.connection_for_write(transport_options=options)]
        with pool.acquire(block=True, timeout=settings.BROKER_CONNECT_TIMEOUT) as connection:
            current_app.send_task(task_name, args=[object_id], retry=True,
                                  retry_policy=PUBLISH_RETRY_POLICY, ignore_result=True,
                                  connection=connection, countdown=countdown)
    except Exception as exc:  # kombu and redis-py raise a family of connection errors
        logger.warning("Could not enqueue the %s %s (%s); the sweeper will retry.",
                       what, object_id, exc)
        return False
    return True


def enqueue_source_fetch(source_id: int) -> bool:
    return _publish(FETCH_SOURCE, source_id, "fetch of source")


def enqueue_article_fetch(article_id: int) -> bool:
    return _publish(FETCH_ARTICLE, article_id, "fetch of article")


def enqueue_suggestions(article_id: int) -> bool:
    return _publish(SUGGEST_ARTICLE_CLAIMS, article_id, "suggestions for article")


def enqueue_webhook_delivery(delivery_pk: int, countdown: float | None = None) -> bool:
    """Send a webhook delivery (now, or in `countdown` seconds). A delivery whose message is
    lost stays pending in the database, and the webhook sweeper sends it when it is due."""
    return _publish(DELIVER_WEBHOOK, delivery_pk, "webhook delivery", countdown)


def enqueue_factcheck_feed(feed_id: int) -> bool:
    return _publish(RUN_FACTCHECK_FEED, feed_id, "import of fact-check feed")


def enqueue_capture_archive(archive_id: int, countdown: float | None = None) -> bool:
    """Make a capture's evidence archive. A lost message leaves the archive pending, and the
    sweeper sends it again."""
    return _publish(ARCHIVE_CAPTURE, archive_id, "evidence archive", countdown)
