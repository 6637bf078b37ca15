"""The webhook admin: subscribing (the guard's refusals in words), the secret shown only once,
who sees which subscriptions, "Send a test event" and "Redeliver" reaching a real receiver,
and a receiver's words shown escaped."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import DeliveryState, WebhookDelivery, WebhookEvent, WebhookSubscription
from claims.services.webhooks import webhook_deliver
from tests.verdict_setup import client_for, user_in

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:claims_webhooksubscription_changelist"
DELIVERIES = "admin:claims_webhookdelivery_changelist"


@pytest.fixture
def admin_user():
    return user_in("ada", is_staff=True, is_superuser=True)


def add_subscription(client, url, events=("claim.logged",), **extra):
    return client.post(reverse("admin:claims_webhooksubscription_add"), {
        "name": "CMS", "target_url": url, "events": list(events), "active": "on", **extra})


def test_an_admin_subscribes_and_sees_the_secret_only_once(admin_user):
    client = client_for(admin_user)
    response = add_subscription(client, "https://cms.example/hook",
                                events=["claim.logged", "verdict.published"])
    assert response.status_code == 200, response.content.decode()[:2000]
    subscription = WebhookSubscription.objects.get()
    assert subscription.owner == admin_user
    assert subscription.events == ["claim.logged", "verdict.published"]

    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "cms.example/hook" in listing
    assert subscription.secret not in listing
    page = client.get(reverse("admin:claims_webhooksubscription_change",
                              args=[subscription.pk])).content.decode()
    assert subscription.secret_hint in page
    assert subscription.secret in response.content.decode()  # on the answer to adding only
    assert subscription.secret not in page


def test_a_private_target_is_refused_in_words(admin_user, settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    response = add_subscription(client_for(admin_user), "http://192.168.1.10/hook")
    assert response.status_code == 200
    assert "a private network (192.168/16)" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_a_user_given_the_permission_manages_only_their_own(admin_user):
    theirs = WebhookSubscription.objects.create(
        owner=admin_user, name="Admin's", target_url="https://a.example/hook",
        events=["claim.logged"])
    plain = user_in("erin", "Editors", is_staff=True)
    assert client_for(plain).get(reverse(CHANGELIST)).status_code == 403

    plain.user_permissions.add(Permission.objects.get(codename="add_webhooksubscription"))
    client = client_for(plain)
    assert add_subscription(client, "https://mine.example/hook").status_code == 200
    mine = WebhookSubscription.objects.get(owner=plain)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "mine.example" in listing and "a.example" not in listing
    other_page = client.get(reverse("admin:claims_webhooksubscription_change",
                                    args=[theirs.pk]))
    assert other_page.status_code == 302  # "does not exist": back to the admin index
    assert theirs.secret not in other_page.content.decode()
    assert client.get(reverse("admin:claims_webhooksubscription_change",
                              args=[mine.pk])).status_code == 200


def test_send_a_test_event_reaches_the_receiver_signed(admin_user, receiver):
    subscription = WebhookSubscription.objects.create(
        owner=admin_user, name="CMS", target_url=receiver.url,
        events=[WebhookEvent.VERDICT_PUBLISHED])
    receiver.secret = subscription.secret
    response = client_for(admin_user).post(reverse(CHANGELIST), {
        "action": "send_test_event", "_selected_action": [subscription.pk]}, follow=True)
    assert "1 test event(s) queued." in response.content.decode()

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "ping"
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED
    (got,) = receiver.received
    assert got.event == "ping" and got.signature_ok


def test_redeliver_sends_it_again_and_the_attempts_show_escaped(admin_user, receiver):
    subscription = WebhookSubscription.objects.create(
        owner=admin_user, name="CMS", target_url=receiver.url,
        events=[WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    receiver.answer(500)
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="claim.logged",
                                              body='{"event":"claim.logged"}')
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.GAVE_UP)
    client = client_for(admin_user)

    page = client.get(reverse("admin:claims_webhookdelivery_change",
                              args=[delivery.pk])).content.decode()
    assert "&lt;b&gt;broken&lt;/b&gt; on purpose" in page
    assert "<b>broken</b>" not in page
    assert "The receiver answered 500." in page

    receiver.answer(200)
    response = client.post(reverse(DELIVERIES), {
        "action": "redeliver", "_selected_action": [delivery.pk]}, follow=True)
    assert "1 delivery(ies) queued to be sent again." in response.content.decode()
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED
    first, second = receiver.received
    assert first.body == second.body == b'{"event":"claim.logged"}'
    assert second.signature_ok and (first.status, second.status) == (500, 200)


def test_redeliver_a_pending_delivery_is_refused_in_words(admin_user):
    subscription = WebhookSubscription.objects.create(
        owner=admin_user, name="CMS", target_url="https://cms.example/hook",
        events=["claim.logged"])
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="claim.logged",
                                              body="{}")
    response = client_for(admin_user).post(reverse(DELIVERIES), {
        "action": "redeliver", "_selected_action": [delivery.pk]}, follow=True)
    assert "still pending" in response.content.decode()


def test_an_admin_turns_a_subscription_back_on_and_its_failures_are_cleared(admin_user):
    subscription = WebhookSubscription.objects.create(
        owner=admin_user, name="CMS", target_url="https://cms.example/hook",
        events=["claim.logged"], active=False, consecutive_failures=5,
        disabled_reason="5 deliveries in a row failed")
    secret = subscription.secret
    response = client_for(admin_user).post(
        reverse("admin:claims_webhooksubscription_change", args=[subscription.pk]),
        {"name": "CMS v2", "target_url": "https://cms.example/hook2",
         "events": ["claim.logged", "source.failed"], "active": "on", "owner": ""})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.active, subscription.consecutive_failures,
            subscription.disabled_reason) == ("CMS v2", True, 0, "")
    assert subscription.events == ["claim.logged", "source.failed"]
    assert subscription.secret == secret and subscription.owner == admin_user
