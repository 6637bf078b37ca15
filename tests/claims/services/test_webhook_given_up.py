"""A delivery given up says how long its retries actually took, from the first attempt to the
last, whatever the retry settings: the subscription's reason and its owner's notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import (
    DeliveryState,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from claims.services.claims import claim_log
from claims.services.webhooks import (
    span_in_words,
    webhook_deliver,
    webhook_redeliver,
    webhook_subscribe,
)
from tests.factories import ArticleFactory
from tests.verdict_setup import user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return user_in("ada", is_staff=True, is_superuser=True, email="ada@example.org")


def log_claim():
    article = ArticleFactory()
    quote = "unemployment fell by 12 per cent last year"
    start = article.body.index(quote)
    return claim_log(article=article, quote=quote, start=start, end=start + len(quote),
                     statement="Unemployment fell by 12%")


def fail_and_age(delivery, *, ago: timedelta) -> None:
    """One failed attempt, recorded as if it had been made `ago` before now."""
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    latest = delivery.attempt_records.order_by("-id").first()
    WebhookAttempt.objects.filter(pk=latest.pk).update(at=timezone.now() - ago)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_given_up_message_says_how_long_the_attempts_took(admin_user, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscription = webhook_subscribe(user=admin_user, name="CMS", target_url=receiver.url,
                                     events=[WebhookEvent.CLAIM_LOGGED])
    receiver.answer(500)
    log_claim()
    delivery = subscription.deliveries.get()
    fail_and_age(delivery, ago=timedelta(hours=3, minutes=12, seconds=20))
    fail_and_age(delivery, ago=timedelta(hours=1))
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.GAVE_UP

    subscription.refresh_from_db()
    assert "failed 3 times over 3 hours 12 minutes" in subscription.disabled_reason
    assert "about a day" not in subscription.disabled_reason
    notice = Notification.objects.get(recipient=admin_user, verb="webhook_off")
    assert "over 3 hours 12 minutes" in notice.message


def test_a_redelivery_counts_only_its_own_attempts(admin_user, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    subscription = webhook_subscribe(user=admin_user, name="CMS", target_url=receiver.url,
                                     events=[WebhookEvent.CLAIM_LOGGED])
    receiver.answer(500)
    log_claim()
    delivery = subscription.deliveries.get()
    fail_and_age(delivery, ago=timedelta(days=3))
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.GAVE_UP
    # Turned back on and sent again: a fresh round, its own clock.
    subscription.refresh_from_db()
    subscription.active = True
    subscription.save(update_fields=["active"])
    webhook_redeliver(user=admin_user, delivery=delivery)
    fail_and_age(delivery, ago=timedelta(minutes=5, seconds=30))
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.GAVE_UP
    subscription.refresh_from_db()
    assert "failed 2 times over 5 minutes 30 seconds" in subscription.disabled_reason


@pytest.mark.parametrize("seconds, words", [
    (0.4, "less than a second"),
    (1, "1 second"),
    (45, "45 seconds"),
    (61, "1 minute 1 second"),
    (3 * 3600 + 12 * 60 + 59, "3 hours 12 minutes"),
    (86400 + 2 * 3600 + 30, "1 day 2 hours"),
    (2 * 86400 + 40, "2 days"),
])
def test_spans_in_words(seconds, words):
    assert span_in_words(timedelta(seconds=seconds)) == words
