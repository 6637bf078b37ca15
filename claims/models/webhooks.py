"""Webhooks: a URL subscribed to some of the desk's events (WebhookSubscription), each event
recorded for each subscriber as a delivery (WebhookDelivery, written in the same transaction
as the change it reports: an outbox), and every try at delivering it (WebhookAttempt).

A delivery keeps the exact bytes it sends (`body`): the signature is computed over them, so a
retry or a redelivery sends the same document, byte for byte, with a new timestamp."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q

from claims.models.base import USER


class WebhookEvent(models.TextChoices):
    CLAIM_LOGGED = "claim.logged", "Claim logged"
    VERDICT_SUBMITTED = "verdict.submitted", "Verdict submitted for review"
    VERDICT_PUBLISHED = "verdict.published", "Verdict published"
    VERDICT_CORRECTED = "verdict.corrected", "Verdict corrected"
    SOURCE_FETCHED = "source.fetched", "Source fetched"
    SOURCE_FAILED = "source.failed", "Source could not be fetched"
    FACTCHECKS_IMPORTED = "factchecks.imported", "Fact-checks imported"
    # Sent only by the admin's "Send a test event", to one subscription.
    PING = "ping", "Test event"


SUBSCRIBABLE_EVENTS = [(value, label) for value, label in WebhookEvent.choices
                       if value != WebhookEvent.PING]


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # refused for good (the network guard): never retried
    GAVE_UP = "gave_up", "Gave up"  # retried for about a day without a 2xx


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """A URL told of some events. The secret signs every delivery; it is stored as is
    because signing needs it (a hash could not sign), shown only to its owner and admins,
    and never written to a log or a payload."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    name = models.CharField(max_length=200)
    target_url = models.CharField(
        "target URL", max_length=2000,
        help_text="http or https. It is reached through the same network guard as sources: "
                  "private and local addresses are refused.",
    )
    events = models.JSONField(default=list, help_text="The events this URL is told of.")
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that ended failed or given up."
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="webhooksub_name_idx"),
            models.Index(fields=["owner", "name"], name="webhooksub_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to sign."""
        return f"whsec_…{self.secret[-4:]}"


class WebhookDelivery(models.Model):
    """One event for one subscription. `next_attempt_at` is when it is due; while a worker
    is sending it, it is pushed a lease ahead so no second worker sends it at the same time
    (and a worker that dies mid-send leaves it due again once the lease runs out)."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(help_text="The JSON document sent, exactly as signed.")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="webhookdel_created_idx"),
            # Delivery order: the oldest pending delivery of a subscription goes first.
            models.Index(fields=["subscription", "state", "id"], name="webhookdel_queue_idx"),
            # The sweeper: pending deliveries that are due.
            models.Index(fields=["state", "next_attempt_at"], name="webhookdel_due_idx"),
            # The admin's filters (state, event, one subscription's deliveries) in its
            # default order; the state one also serves pruning old finished deliveries.
            models.Index(fields=["state", "-created_at", "-id"], name="webhookdel_state_idx"),
            models.Index(fields=["event", "-created_at", "-id"], name="webhookdel_event_idx"),
            models.Index(fields=["subscription", "-created_at", "-id"],
                         name="webhookdel_sub_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values),
                                   name="webhookdelivery_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.delivery_id})"


class WebhookAttempt(models.Model):
    """One try at a delivery: when, how long, and what came back (a status code) or why
    nothing did (an error in words). `response_excerpt` is what the receiver chose to say:
    text from outside, escaped wherever it is shown."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_records")
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "at", "id"]
        indexes = [models.Index(fields=["delivery", "at", "id"], name="webhookattempt_idx")]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.at:%Y-%m-%d %H:%M:%S}"
