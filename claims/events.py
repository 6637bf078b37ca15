"""The desk's events, told to webhook subscribers: `emit` is the one way in.

The services and the fetch pipeline call `emit(event, build)` inside the transaction that
makes the change. It writes one WebhookDelivery per active subscription to that event in the
same transaction (an outbox: a rolled-back change tells nobody, a committed one is never
lost) and hands them to the workers once the transaction commits. `build` returns the
event's data; it is called only when somebody subscribes, so an event nobody listens to
costs one small query.

This module sits below the services and the fetching package (both call it), so it imports
only the models and the queue; claims/services/webhooks.py does the sending."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.choices import ClaimStatus, VerdictState
from claims.models import (
    Claim,
    Source,
    Verdict,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from claims.queue import enqueue_webhook_delivery

PAYLOAD_VERSION = 1


def emit(event: str, build: Callable[[], dict]) -> list[WebhookDelivery]:
    """Record `event` for every active subscription to it; enqueue the deliveries on
    commit. Returns the deliveries (none when nobody subscribes)."""
    subscriptions = [s for s in WebhookSubscription.objects.filter(active=True)
                     .only("id", "events").order_by("id") if event in s.events]
    if not subscriptions:
        return []
    return _record(event, build(), subscriptions)


def emit_to(subscription: WebhookSubscription, event: str, data: dict) -> WebhookDelivery:
    """Record `event` for one subscription whatever it subscribes to (the test event)."""
    return _record(event, data, [subscription])[0]


def _record(event: str, data: dict, subscriptions) -> list[WebhookDelivery]:
    occurred_at = timezone.now()
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event=event,
                                   next_attempt_at=occurred_at)
        delivery.body = payload_body({
            "event": event,
            "delivery_id": str(delivery.delivery_id),
            "occurred_at": occurred_at,
            "version": PAYLOAD_VERSION,
            "data": data,
        })
        deliveries.append(delivery)
    # One row at a time, not bulk_create: the ids must exist (SQLite returns none from a
    # bulk insert on older versions) and they order a subscription's deliveries.
    for delivery in deliveries:
        delivery.save()
    pks = [d.pk for d in deliveries]
    transaction.on_commit(lambda: [enqueue_webhook_delivery(pk) for pk in pks])
    return deliveries


def payload_body(document: dict) -> str:
    """The exact text sent (and signed): compact JSON, keys in a fixed order, UTF-8."""
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False,
                      separators=(",", ":"))


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- What each event carries ----------------------------------------------------------------

def claim_data(claim: Claim) -> dict:
    article = claim.article
    claimant = claim.claimant
    published = claim.status == ClaimStatus.PUBLISHED
    return {
        "id": claim.pk,
        "statement": claim.statement,
        "quote": claim.quote,
        "status": claim.status,
        "claimed_on": claim.claimed_on,
        "claimant": {"id": claimant.pk, "name": claimant.name, "kind": claimant.kind,
                     "role": claimant.role, "organisation": claimant.organisation}
        if claimant else None,
        "article": {"id": article.pk, "title": article.title, "url": article.url,
                    "desk_url": _absolute(article.get_absolute_url())},
        "desk_url": _absolute(claim.get_absolute_url()),
        "public_url": _absolute(reverse("public:fact-check", args=[claim.pk]))
        if published else None,
    }


def verdict_data(verdict: Verdict) -> dict:
    rating = verdict.rating
    published = verdict.state == VerdictState.PUBLISHED
    return {
        "verdict": {
            "id": verdict.pk,
            "version": verdict.version,
            "state": verdict.state,
            "rating": {"label": rating.label, "value": rating.value} if rating else None,
            "summary": verdict.summary,
            "published_at": verdict.published_at,
            "correction_note": verdict.correction_note,
            "supersedes": verdict.supersedes_id,
            "desk_url": _absolute(verdict.get_absolute_url()),
            "public_url": _absolute(reverse("public:fact-check", args=[verdict.claim_id]))
            if published else None,
        },
        "claim": claim_data(verdict.claim),
    }


def source_data(source: Source) -> dict:
    return {
        "source": {
            "id": source.pk,
            "url": source.url,
            "status": source.status,
            "title": source.title,
            "last_fetched_at": source.last_fetched_at,
            "error": source.last_error,
            "is_dead": source.is_dead,
            "desk_url": _absolute(source.get_absolute_url()),
        }
    }


def source_outcome(source: Source, *, fetched: bool) -> list[WebhookDelivery]:
    """source.fetched after a successful capture, source.failed when fetching gave up."""
    event = WebhookEvent.SOURCE_FETCHED if fetched else WebhookEvent.SOURCE_FAILED
    return emit(event, lambda: source_data(source))


def import_data(report, *, origin: str, feed=None) -> dict:
    """One import run of fact-checks from outside (a file, an address, a feed): its counts,
    never its records."""
    return {
        "import": {
            "source": report.source,
            "origin": origin,
            "feed": {"id": feed.pk, "name": feed.name} if feed is not None else None,
            **report.counts(),
            "seconds": round(report.seconds, 3),
        }
    }
