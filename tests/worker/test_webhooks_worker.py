"""Webhooks through a real Celery worker on a real Redis broker, to a real receiver on
127.0.0.1 that checks each signature as the README tells integrators to: events arrive signed
and in the order they happened; a receiver that answers 500 then 200 gets the event exactly
once more; a receiver on an address the guard refuses is never connected to."""

from __future__ import annotations

import time

import pytest

from claims.models import DeliveryState, WebhookDelivery, WebhookEvent
from claims.services.claims import claim_log
from claims.services.webhooks import webhook_subscribe
from tests.factories import ArticleFactory
from tests.support.processes import wait_for
from tests.verdict_setup import user_in

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def subscription(receiver):
    admin = user_in("ada", is_staff=True, is_superuser=True)
    subscription = webhook_subscribe(user=admin, name="CMS", target_url=receiver.url,
                                     events=[WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    return subscription


def log_claim(statement: str):
    article = ArticleFactory()
    quote = "unemployment fell by 12 per cent last year"
    start = article.body.index(quote)
    return claim_log(article=article, quote=quote, start=start, end=start + len(quote),
                     statement=statement)


def states(subscription) -> list[str]:
    return list(subscription.deliveries.order_by("id").values_list("state", flat=True))


def test_events_arrive_signed_and_in_order(celery_worker, receiver, subscription):
    claims = [log_claim(f"Claim number {n}") for n in range(5)]  # five commits

    assert receiver.wait_for(5), receiver.received
    assert wait_for(lambda: states(subscription) == [DeliveryState.DELIVERED] * 5, 10)
    assert all(r.signature_ok for r in receiver.received)
    assert [r.document["data"]["claim"]["id"] for r in receiver.received] == \
        [c.pk for c in claims]
    assert [r.delivery for r in receiver.received] == [
        str(d) for d in subscription.deliveries.order_by("id").values_list("delivery_id",
                                                                            flat=True)]


def test_500_then_200_gets_the_event_exactly_once_more(celery_worker, receiver, subscription,
                                                       settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5  # the first retry after about half a second
    receiver.answer(500, 200)
    log_claim("Retried once")

    assert receiver.wait_for(2)
    delivery = WebhookDelivery.objects.get()
    assert wait_for(lambda: WebhookDelivery.objects.get().state == DeliveryState.DELIVERED, 10)
    time.sleep(1.5)  # long enough for a spurious third attempt to show up
    assert [r.status for r in receiver.received] == [500, 200]
    first, second = receiver.received
    assert first.delivery == second.delivery == str(delivery.delivery_id)
    assert first.body == second.body and second.signature_ok
    assert second.at - first.at >= 0.4  # it waited for the backoff (0.5 s ± 20 %)
    assert [a.status_code for a in delivery.attempt_records.all()] == [500, 200]


def test_a_private_address_is_refused_without_a_connection(celery_worker, receiver,
                                                           subscription, settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []  # as in production
    settings.FETCH_ALLOWED_PORTS = [80, 443, receiver.port]  # only the address check is left
    log_claim("Never sent")

    assert wait_for(lambda: states(subscription) == [DeliveryState.FAILED], 10)
    time.sleep(0.5)
    assert receiver.received == []
    attempt = WebhookDelivery.objects.get().attempt_records.get()
    assert "loopback" in attempt.error and attempt.status_code is None


def test_a_retried_event_is_not_overtaken_by_the_next(celery_worker, receiver, subscription,
                                                      settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5
    receiver.answer(503, 200)
    first = log_claim("First, retried")
    second = log_claim("Second, waits its turn")

    assert receiver.wait_for(3)
    assert wait_for(lambda: states(subscription) == [DeliveryState.DELIVERED] * 2, 10)
    time.sleep(0.5)
    got = [(r.document["data"]["claim"]["id"], r.status) for r in receiver.received]
    assert got == [(first.pk, 503), (first.pk, 200), (second.pk, 200)]
    assert all(r.signature_ok for r in receiver.received)
