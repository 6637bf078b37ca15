"""Webhooks: subscribing a URL, delivering events to it (signed, retried, recorded), the
admin's test event and redelivery, and turning off a subscription that keeps failing.

Events are recorded by claims/events.py (`emit`) in the transaction that makes the change;
this module sends them. Every send goes through the same network guard and pinned client as
source fetches (claims/fetching/client.post): private and local addresses are refused before
any connection, and no redirect is followed (a 3xx is a failed attempt).

Order: a subscription's deliveries go out one at a time, oldest first. A delivery is not sent
while an older one to the same subscription is still pending (being retried); when that one
is delivered or given up, the next is sent. A receiver that is down gets its events late but
in order; the `occurred_at` and delivery ids let it check.

Retries: any answer other than 2xx, a timeout or a broken connection is retried with
exponential backoff and jitter (WEBHOOK_RETRY_BASE_SECONDS doubling, ±20 %, capped at
WEBHOOK_RETRY_MAX_SECONDS) up to WEBHOOK_MAX_ATTEMPTS attempts, about a day with the
defaults; then the delivery is given up. A refusal by the network guard is not retried.
A subscription is turned off, and its owner told, when a delivery is given up (nothing got
through for about a day) or after WEBHOOK_DISABLE_AFTER_FAILURES deliveries in a row failed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone

from claims.events import emit_to
from claims.fetching.client import FetchError, FetchLimits, post, printable
from claims.fetching.urls import URLInvalid, fetchable_url
from claims.models import (
    SUBSCRIBABLE_EVENTS,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from claims.permissions import require
from claims.queue import enqueue_webhook_delivery
from claims.services.notifications import notification_send

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Factcheck-Signature"
# A delivery being sent is held (its next_attempt_at pushed ahead) for longer than any one
# attempt can take (2 x WEBHOOK_TIMEOUT) plus a margin, so a worker that died mid-send
# frees it for the sweeper.
LEASE_MARGIN_SECONDS = 60
EDITABLE_FIELDS = {"name", "target_url", "events", "active", "owner"}
EXCERPT_CHARS = 300


# --- Signing --------------------------------------------------------------------------------

def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Factcheck-Signature value: "sha256=" and the hex HMAC-SHA256, keyed with the
    subscription's secret, of the timestamp, a full stop and the raw body bytes."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def delivery_headers(delivery: WebhookDelivery, *, timestamp: str, body: bytes) -> dict:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Factcheck-Event": delivery.event,
        "X-Factcheck-Delivery": str(delivery.delivery_id),
        "X-Factcheck-Timestamp": timestamp,
        SIGNATURE_HEADER: signature(delivery.subscription.secret, timestamp, body),
    }


# --- Subscribing ----------------------------------------------------------------------------

def webhook_target_check(url: str) -> str:
    """The target URL normalised, or ValidationError in words. Checks what can be checked
    now (http or https, a port the guard allows, no literal private address); a host name
    is resolved and checked again at every delivery, where it counts."""
    try:
        return fetchable_url(url.strip())
    except URLInvalid as exc:
        raise ValidationError({"target_url": str(exc)}) from exc


def _checked_events(events) -> list[str]:
    known = {value for value, _label in SUBSCRIBABLE_EVENTS}
    chosen = [e for e in dict.fromkeys(events)]
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one event."})
    return chosen


def webhook_subscribe(*, user, name: str, target_url: str, events, owner=None,
                      active: bool = True) -> WebhookSubscription:
    """Subscribe a URL to events. Needs the permission to add webhook subscriptions (admins
    have it; an admin grants it to others). The secret is generated."""
    require(user, "manage_webhooks")
    subscription = WebhookSubscription(
        owner=owner or user, name=name.strip(), target_url=webhook_target_check(target_url),
        events=_checked_events(events), active=active,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


def webhook_subscription_update(*, user, subscription: WebhookSubscription,
                                **changes) -> WebhookSubscription:
    """Change a subscription's name, URL, events or active flag. Turning it back on clears
    the failure count and resumes its pending deliveries, oldest first."""
    require(user, "manage_webhooks")
    if set(changes) - EDITABLE_FIELDS:
        raise ValueError(f"Not editable: {', '.join(sorted(set(changes) - EDITABLE_FIELDS))}")
    if "target_url" in changes:
        changes["target_url"] = webhook_target_check(changes["target_url"])
    if "events" in changes:
        changes["events"] = _checked_events(changes["events"])
    turned_on = changes.get("active") and not subscription.active
    for field, value in changes.items():
        setattr(subscription, field, value)
    if turned_on:
        subscription.consecutive_failures = 0
        subscription.disabled_at = None
        subscription.disabled_reason = ""
    subscription.full_clean()
    subscription.save()
    if turned_on:
        _send_next_on_commit(subscription.pk)
    return subscription


def webhook_rotate_secret(*, user, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret; deliveries from now on are signed with it."""
    require(user, "manage_webhooks")
    subscription.secret = WebhookSubscription._meta.get_field("secret").default()
    subscription.save(update_fields=["secret"])
    return subscription


# --- The admin's actions --------------------------------------------------------------------

def _refuse_inactive(subscription: WebhookSubscription, doing: str) -> None:
    if not subscription.active:
        raise ValidationError(f"Cannot {doing}: the subscription “{subscription.name}” is "
                              "turned off. Turn it on first.")


@transaction.atomic
def webhook_send_test(*, user, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a `ping` event to one subscription, to check the receiver and its signature
    check. It waits its turn behind the subscription's pending deliveries."""
    require(user, "manage_webhooks")
    _refuse_inactive(subscription, "send a test event")
    return emit_to(subscription, WebhookEvent.PING, {
        "subscription": {"id": subscription.pk, "name": subscription.name,
                         "events": subscription.events},
        "message": "A test event sent from the desk's admin.",
    })


@transaction.atomic
def webhook_redeliver(*, user, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again: the same delivery id and the same body, byte for byte (so a
    receiver that already has it can tell), with a new timestamp and signature. Its earlier
    attempts stay recorded; it gets a fresh set of retries."""
    require(user, "manage_webhooks")
    delivery = WebhookDelivery.objects.select_for_update().select_related(
        "subscription").get(pk=delivery.pk)
    _refuse_inactive(delivery.subscription, "redeliver")
    if delivery.state == DeliveryState.PENDING:
        raise ValidationError("This delivery is still pending: it is sent (or retried) on "
                              "its own.")
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.delivered_at = None
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "delivered_at"])
    _send_next_on_commit(delivery.subscription_id)
    return delivery


# --- Delivering -----------------------------------------------------------------------------

def retry_delay(attempt: int, *, rand: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first): the base
    doubling each time, capped, with ±20 % jitter so receivers that come back are not hit
    by every desk at the same second."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    delay = min(base, settings.WEBHOOK_RETRY_MAX_SECONDS)
    return delay * (rand or random).uniform(0.8, 1.2)


def webhook_limits() -> FetchLimits:
    return replace(FetchLimits.from_settings(), connect_timeout=settings.WEBHOOK_TIMEOUT,
                   read_timeout=settings.WEBHOOK_TIMEOUT,
                   total_deadline=settings.WEBHOOK_TIMEOUT * 2, max_redirects=0)


def lease_seconds() -> float:
    return settings.WEBHOOK_TIMEOUT * 2 + LEASE_MARGIN_SECONDS


def webhook_deliver(*, delivery_pk: int) -> str:
    """Send one delivery if it is due and its turn has come; record the attempt; schedule
    the retry or the next delivery. Safe to run twice: the delivery is leased before it is
    sent. Returns what happened, in a word (for the task's log)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("subscription").filter(
        pk=delivery_pk).first()
    if delivery is None:
        return "missing"
    if delivery.state != DeliveryState.PENDING:
        return delivery.state
    if not delivery.subscription.active:
        return "inactive"
    if WebhookDelivery.objects.filter(subscription_id=delivery.subscription_id,
                                      state=DeliveryState.PENDING, id__lt=delivery.pk).exists():
        return "waiting"  # an older delivery goes first; it sends this one when it is done
    leased = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery.pk, state=DeliveryState.PENDING,
    ).update(next_attempt_at=now + timedelta(seconds=lease_seconds()),
             attempts=F("attempts") + 1)
    if not leased:
        return "not_due"  # not yet (a retry later), or another worker has it
    delivery.refresh_from_db(fields=["attempts"])
    return _attempt(delivery)


def _attempt(delivery: WebhookDelivery) -> str:
    body = delivery.body.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = delivery_headers(delivery, timestamp=timestamp, body=body)
    record = WebhookAttempt(delivery=delivery, at=timezone.now())
    clock = time.monotonic()
    permanent = False
    try:
        response = post(delivery.subscription.target_url, body=body, headers=headers,
                        limits=webhook_limits())
    except FetchError as exc:
        record.error = exc.message[:500]
        permanent = exc.kind in ("blocked", "invalid_url")
    else:
        record.status_code = response.status
        record.response_excerpt = printable(
            response.body_start.decode("utf-8", "replace"), EXCERPT_CHARS)
        record.succeeded = 200 <= response.status < 300
        if 300 <= response.status < 400:
            where = printable(response.headers.get("location", ""), 200)
            record.error = (f"The receiver redirected to “{where}”; webhook deliveries do not "
                            "follow redirects: subscribe the final address.")
        elif not record.succeeded:
            record.error = f"The receiver answered {response.status}."
    record.duration_ms = int((time.monotonic() - clock) * 1000)
    return _record_outcome(delivery, record, permanent=permanent)


@transaction.atomic
def _record_outcome(delivery: WebhookDelivery, record: WebhookAttempt, *,
                    permanent: bool) -> str:
    record.save()
    now = timezone.now()
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=delivery.subscription_id)
    if record.succeeded:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DELIVERED, delivered_at=now, next_attempt_at=None)
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
        _send_next_on_commit(subscription.pk)
        return DeliveryState.DELIVERED
    if not permanent and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        delay = retry_delay(delivery.attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=now + timedelta(seconds=delay))
        # Long waits are left to the sweeper: a countdown longer than the broker's
        # visibility timeout would be delivered twice.
        if delay <= settings.WEBHOOK_COUNTDOWN_MAX_SECONDS:
            pk = delivery.pk
            transaction.on_commit(lambda: enqueue_webhook_delivery(pk, countdown=delay))
        return "retrying"
    state = DeliveryState.FAILED if permanent else DeliveryState.GAVE_UP
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=state, next_attempt_at=None)
    subscription.consecutive_failures += 1
    subscription.save(update_fields=["consecutive_failures"])
    if state == DeliveryState.GAVE_UP:
        span = span_in_words(record.at - _first_attempt_at(delivery, record))
        _turn_off(subscription, f"A delivery failed {delivery.attempts} times over {span} and "
                                f"was given up (last: {record.error or 'no answer'}).")
    elif subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        _turn_off(subscription, f"{subscription.consecutive_failures} deliveries in a row "
                                f"failed (last: {record.error}).")
    else:
        _send_next_on_commit(subscription.pk)
    return state


def _first_attempt_at(delivery: WebhookDelivery, last: WebhookAttempt):
    """When the delivery's current round of attempts began: a redelivery starts a fresh
    round, so only its latest `attempts` records count."""
    ats = list(delivery.attempt_records.order_by("-id")
               .values_list("at", flat=True)[:max(delivery.attempts, 1)])
    return min(ats, default=last.at)


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def span_in_words(span: timedelta) -> str:
    """A length of time as its two largest units, in words: "3 hours 12 minutes",
    "1 day 2 hours", "40 seconds" ("less than a second" below that)."""
    seconds = int(span.total_seconds())
    parts = []
    for name, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count or parts:
            parts.append((count, name))
    words = [f"{count} {name}{'' if count == 1 else 's'}" for count, name in parts[:2] if count]
    return " ".join(words) or "less than a second"


def _turn_off(subscription: WebhookSubscription, reason: str) -> None:
    subscription.active = False
    subscription.disabled_at = timezone.now()
    subscription.disabled_reason = reason[:500]
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason"])
    logger.warning("Webhook subscription %s turned off: %s", subscription.pk, reason)
    notification_send(
        recipient=subscription.owner, verb="webhook_off",
        url=reverse("admin:claims_webhooksubscription_change", args=[subscription.pk]),
        message=f"Your webhook “{subscription.name}” was turned off: {reason} Its pending "
                "events wait; fix the receiver, then turn the subscription back on.",
    )


def _next_due(subscription_id: int) -> int | None:
    """The subscription's oldest pending delivery if it is due now."""
    first = (WebhookDelivery.objects.filter(subscription_id=subscription_id,
                                            state=DeliveryState.PENDING)
             .order_by("id").values("pk", "next_attempt_at").first())
    if first is None or (first["next_attempt_at"] and first["next_attempt_at"] > timezone.now()):
        return None
    return first["pk"]


def _send_next_on_commit(subscription_id: int) -> None:
    def send_next():
        pk = _next_due(subscription_id)
        if pk is not None:
            enqueue_webhook_delivery(pk)

    transaction.on_commit(send_next)


def webhook_deliveries_sweep() -> int:
    """Enqueue, for each active subscription, its oldest pending delivery if it is due: a
    retry whose wait outlived the broker's countdown, a message lost while the broker was
    down, a lease left by a dead worker. Run by beat every minute."""
    now = timezone.now()
    heads = (WebhookDelivery.objects.filter(state=DeliveryState.PENDING,
                                            subscription__active=True)
             .values("subscription_id").annotate(head=Min("id")).values_list("head", flat=True))
    due = WebhookDelivery.objects.filter(pk__in=list(heads)).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).values_list("pk", flat=True)
    sent = 0
    for pk in due:
        sent += enqueue_webhook_delivery(pk)
    return sent


def webhook_deliveries_prune(*, older_than_days: float | None = None,
                             batch_size: int = 1000) -> int:
    """Delete finished deliveries (delivered, failed, given up) and their attempts older than
    WEBHOOK_KEEP_DAYS, a batch at a time. Pending ones are kept whatever their age."""
    days = settings.WEBHOOK_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    finished = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(
        state=DeliveryState.PENDING)
    deleted = 0
    while True:
        pks = list(finished.order_by("id").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        WebhookAttempt.objects.filter(delivery_id__in=pks).delete()
        deleted += WebhookDelivery.objects.filter(pk__in=pks).delete()[0]
