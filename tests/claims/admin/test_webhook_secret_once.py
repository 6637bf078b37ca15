"""A webhook subscription's secret is shown once, as an API token is: on the page that answers
adding the subscription, and on the page that answers rotating its secret. Never again: its
own page, the list and later pages hold only its last four characters. The stored secret
still signs every delivery."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import WebhookEvent, WebhookSubscription
from claims.services.webhooks import webhook_deliver
from tests.verdict_setup import client_for, user_in

pytestmark = pytest.mark.django_db

ADD = "admin:claims_webhooksubscription_add"
CHANGE = "admin:claims_webhooksubscription_change"
CHANGELIST = "admin:claims_webhooksubscription_changelist"


@pytest.fixture
def admin_user():
    return user_in("ada", is_staff=True, is_superuser=True)


def add(client, url="https://cms.example/hook"):
    return client.post(reverse(ADD), {"name": "CMS", "target_url": url,
                                      "events": ["claim.logged"], "active": "on"})


def test_the_secret_is_shown_once_when_the_subscription_is_added(admin_user):
    client = client_for(admin_user)
    answer = add(client)
    subscription = WebhookSubscription.objects.get()
    assert answer.status_code == 200
    shown = answer.content.decode()
    assert subscription.secret in shown
    assert "shown only this once" in shown
    assert "no-cache" in answer["Cache-Control"] and "no-store" in answer["Cache-Control"]

    page = client.get(reverse(CHANGE, args=[subscription.pk])).content.decode()
    assert subscription.secret not in page
    assert subscription.secret_hint in page
    assert subscription.secret not in client.get(reverse(CHANGELIST)).content.decode()
    # Nothing carries it to a later page either (no message, no session).
    assert subscription.secret not in client.get(reverse("admin:index")).content.decode()


def test_rotating_shows_the_new_secret_once_and_the_page_never(admin_user):
    client = client_for(admin_user)
    add(client)
    subscription = WebhookSubscription.objects.get()
    old = subscription.secret
    answer = client.post(reverse(CHANGELIST), {
        "action": "rotate_secret", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert answer.status_code == 200
    shown = answer.content.decode()
    assert subscription.secret in shown and old not in shown
    assert "no-store" in answer["Cache-Control"]

    page = client.get(reverse(CHANGE, args=[subscription.pk])).content.decode()
    assert subscription.secret not in page and old not in page
    assert subscription.secret_hint in page
    assert subscription.secret not in client.get(reverse(CHANGELIST)).content.decode()


def test_the_stored_secret_still_signs_deliveries(admin_user, receiver):
    client = client_for(admin_user)
    add(client, receiver.url)
    subscription = WebhookSubscription.objects.get()
    shown_once = subscription.secret
    receiver.secret = shown_once
    client.post(reverse(CHANGELIST), {"action": "send_test_event",
                                      "_selected_action": [subscription.pk]})
    delivery = subscription.deliveries.get(event=WebhookEvent.PING)
    webhook_deliver(delivery_pk=delivery.pk)
    (request,) = receiver.received
    assert request.signature_ok  # checked with the secret shown once
