"""Webhooks, service by service: which events are recorded for whom, what a delivery sends and
how a receiver verifies it, retries and their schedule, order, the network guard, turning a
failing subscription off, and the admin's test event and redelivery.

Deliveries here are sent by calling the service the worker task calls (webhook_deliver) to a
real receiver on 127.0.0.1; tests/worker/test_webhooks_worker.py does the same through a real
worker and broker."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims.choices import SourceStatus
from claims.events import emit
from claims.fetching import pipeline
from claims.models import (
    DeliveryState,
    Notification,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from claims.services.claims import claim_log
from claims.services.factchecks import factchecks_import_file
from claims.services.verdicts import verdict_correct
from claims.services.webhooks import (
    retry_delay,
    signature,
    webhook_deliver,
    webhook_deliveries_sweep,
    webhook_redeliver,
    webhook_send_test,
    webhook_subscribe,
)
from tests.factories import ArticleFactory, SourceFactory
from tests.localserver import Response
from tests.support.web_pages import PAGE
from tests.support.webhook_receiver import verify
from tests.verdict_setup import make_roles, published_fact_check, user_in

pytestmark = pytest.mark.django_db

FACTCHECKS = Path(__file__).parents[1] / "factchecks" / "data" / "factchecks"
ALL_EVENTS = [e.value for e in WebhookEvent if e != WebhookEvent.PING]


@pytest.fixture
def admin_user():
    return user_in("ada", is_staff=True, is_superuser=True, email="ada@example.org")


def subscribe(user, url, events=None, **kw) -> WebhookSubscription:
    return webhook_subscribe(user=user, name="CMS", target_url=url,
                             events=events or ALL_EVENTS, **kw)


def log_claim(statement="Unemployment fell by 12%"):
    article = ArticleFactory()
    quote = "unemployment fell by 12 per cent last year"
    start = article.body.index(quote)
    return claim_log(article=article, quote=quote, start=start, end=start + len(quote),
                     statement=statement)


def make_due(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- Who is told of what --------------------------------------------------------------------

def test_an_event_is_recorded_for_each_active_subscriber_to_it_and_nobody_else(admin_user):
    told = subscribe(admin_user, "https://cms.example/hook", [WebhookEvent.CLAIM_LOGGED])
    subscribe(admin_user, "https://other.example/hook", [WebhookEvent.VERDICT_PUBLISHED])
    subscribe(admin_user, "https://off.example/hook", [WebhookEvent.CLAIM_LOGGED],
              active=False)

    claim = log_claim()

    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == told
    assert delivery.event == "claim.logged"
    assert delivery.state == DeliveryState.PENDING
    document = json.loads(delivery.body)
    assert document["event"] == "claim.logged"
    assert document["delivery_id"] == str(delivery.delivery_id)
    assert document["data"]["claim"]["id"] == claim.pk
    assert document["data"]["claim"]["statement"] == "Unemployment fell by 12%"
    assert document["data"]["claim"]["desk_url"].endswith(f"/claims/{claim.pk}/")
    assert document["data"]["claim"]["public_url"] is None  # not published


def test_an_event_nobody_subscribes_to_costs_one_query_and_builds_nothing(
        django_assert_num_queries):
    built = []
    with django_assert_num_queries(1):
        assert emit(WebhookEvent.CLAIM_LOGGED, lambda: built.append(1) or {}) == []
    assert built == []


def test_a_rolled_back_change_tells_nobody(admin_user):
    subscribe(admin_user, "https://cms.example/hook", [WebhookEvent.CLAIM_LOGGED])
    with pytest.raises(ValidationError):
        article = ArticleFactory()
        claim_log(article=article, quote="not in the text", start=0, end=15, statement="x")
    assert not WebhookDelivery.objects.exists()


def test_the_verdict_workflow_and_a_correction_are_told_in_order(admin_user):
    subscription = subscribe(admin_user, "https://cms.example/hook")
    users = make_roles()
    published = published_fact_check(users)
    verdict_correct(verdict=published["verdict"], user=users["editor_author"],
                    correction_note="The figure was for 2010.")

    deliveries = list(subscription.deliveries.order_by("id"))
    assert [d.event for d in deliveries] == [
        "verdict.submitted", "verdict.published", "verdict.corrected"]
    published_doc = json.loads(deliveries[1].body)["data"]
    claim_id = published["claim"].pk
    assert published_doc["verdict"]["state"] == "published"
    assert published_doc["verdict"]["rating"]["label"] == "False"
    assert published_doc["verdict"]["public_url"].endswith(f"/fact-checks/{claim_id}/")
    assert published_doc["claim"]["claimant"]["name"] == "Jane Roe"
    corrected = json.loads(deliveries[2].body)["data"]["verdict"]
    assert corrected["version"] == 2
    assert corrected["correction_note"] == "The figure was for 2010."
    assert corrected["supersedes"] == published["verdict"].pk


def test_source_fetched_and_source_failed_come_from_the_fetch_pipeline(admin_user,
                                                                         local_server):
    subscription = subscribe(admin_user, "https://cms.example/hook",
                             [WebhookEvent.SOURCE_FETCHED, WebhookEvent.SOURCE_FAILED])
    local_server.route("/ok", Response.html(PAGE))
    local_server.route("/gone", Response(status=404))
    ok = SourceFactory(url=local_server.url("/ok"), normalized_url=local_server.url("/ok"))
    gone = SourceFactory(url=local_server.url("/gone"),
                         normalized_url=local_server.url("/gone"))

    assert pipeline.source_fetch(source_id=ok.pk).status == SourceStatus.FETCHED
    assert pipeline.source_fetch(source_id=gone.pk).status == SourceStatus.FAILED

    fetched, failed = subscription.deliveries.order_by("id")
    assert fetched.event == "source.fetched"
    assert json.loads(fetched.body)["data"]["source"]["id"] == ok.pk
    assert failed.event == "source.failed"
    failed_doc = json.loads(failed.body)["data"]["source"]
    assert failed_doc["id"] == gone.pk
    assert "404" in failed_doc["error"]


def test_a_factcheck_import_is_one_event_with_its_counts(admin_user):
    subscription = subscribe(admin_user, "https://cms.example/hook",
                             [WebhookEvent.FACTCHECKS_IMPORTED])
    report = factchecks_import_file(FACTCHECKS / "claimreview_list.json")
    delivery = subscription.deliveries.get()
    data = json.loads(delivery.body)["data"]["import"]
    assert data["origin"] == "file"
    assert (data["created"], data["rejected"]) == (report.created, report.rejected)
    assert data["created"] > 1  # several records, one event


def test_payloads_never_carry_the_secret(admin_user):
    subscription = subscribe(admin_user, "https://cms.example/hook")
    users = make_roles()
    published_fact_check(users)
    log_claim()
    webhook_send_test(user=admin_user, subscription=subscription)
    bodies = list(subscription.deliveries.values_list("body", flat=True))
    assert len(bodies) == 4
    for body in bodies:
        assert subscription.secret not in body
        assert "secret" not in body


# --- Subscribing ----------------------------------------------------------------------------

def test_only_admins_and_users_given_the_permission_may_subscribe():
    editor = user_in("erin", "Editors")
    with pytest.raises(PermissionDenied, match="manage webhook subscriptions"):
        subscribe(editor, "https://cms.example/hook")
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="add_webhooksubscription"))
    editor = type(editor).objects.get(pk=editor.pk)  # a fresh permission cache
    subscription = subscribe(editor, "https://cms.example/hook")
    assert subscription.owner == editor
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 40


@pytest.mark.parametrize("url, words", [
    ("http://10.0.0.5/hook", "private network"),
    ("http://169.254.169.254/latest", "link-local"),
    ("http://[::1]/hook", "loopback"),
    ("ftp://cms.example/hook", ""),
    ("https://cms.example:8443/hook", "Port 8443 is not allowed"),
])
def test_a_target_the_guard_would_refuse_is_refused_when_subscribing(admin_user, settings,
                                                                       url, words):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(ValidationError) as caught:
        subscribe(admin_user, url)
    assert words in str(caught.value)


# --- Delivering -----------------------------------------------------------------------------

def test_a_delivery_is_signed_and_the_receiver_verifies_it(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    log_claim()
    delivery = WebhookDelivery.objects.get()

    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED

    (got,) = receiver.received
    assert got.signature_ok
    assert got.body == delivery.body.encode()  # the stored bytes, exactly
    assert got.event == "claim.logged"
    assert got.delivery == str(delivery.delivery_id)
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    timestamp = got.headers["X-Factcheck-Timestamp"]
    assert got.headers["X-Factcheck-Signature"] == signature(subscription.secret, timestamp,
                                                             got.body)
    # A tampered body, a wrong secret or an old timestamp fail the receiver's check.
    assert not verify(subscription.secret, got.headers, got.body + b" ")
    assert not verify("whsec_wrong", got.headers, got.body)
    assert not verify(subscription.secret, got.headers, got.body, now=int(timestamp) + 301)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    attempt = delivery.attempt_records.get()
    assert (attempt.status_code, attempt.succeeded, attempt.response_excerpt) == (
        200, True, "thanks")


def test_500_then_200_is_retried_once_after_the_backoff(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    receiver.answer(500, 200)
    log_claim()
    delivery = WebhookDelivery.objects.get()

    before = timezone.now()
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 0.8 * 180 - 1 <= wait <= 1.2 * 180 + 1  # the first retry: about 3 minutes
    assert webhook_deliver(delivery_pk=delivery.pk) == "not_due"  # too early: nothing sent
    assert len(receiver.received) == 1

    make_due(delivery)
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED  # a duplicate
    assert [r.status for r in receiver.received] == [500, 200]
    assert receiver.received[0].delivery == receiver.received[1].delivery
    assert receiver.received[0].body == receiver.received[1].body
    attempts = list(delivery.attempt_records.all())
    assert [(a.status_code, a.succeeded) for a in attempts] == [(500, False), (200, True)]
    assert attempts[0].error == "The receiver answered 500."
    assert attempts[0].response_excerpt == "<b>broken</b> on purpose"  # stored as given


def test_the_backoff_doubles_with_jitter_for_about_a_day(settings):
    rand = random.Random(7)
    delays = [retry_delay(n, rand=rand) for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)]
    nominal = [min(180 * 2 ** (n - 1), 12 * 3600) for n in range(1, 10)]
    assert nominal[:4] == [180, 360, 720, 1440]
    for delay, expected in zip(delays, nominal, strict=True):
        assert 0.8 * expected <= delay <= 1.2 * expected
    assert len({round(d / e, 3) for d, e in zip(delays, nominal, strict=True)}) > 1  # jitter
    assert 20 * 3600 < sum(nominal) < 30 * 3600  # ten attempts span about a day
    assert retry_delay(30, rand=rand) <= 1.2 * 12 * 3600  # capped


def test_deliveries_to_one_subscription_go_out_in_order(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    receiver.answer(503, 200)
    log_claim("First")
    log_claim("Second")
    d1, d2 = subscription.deliveries.order_by("id")

    assert webhook_deliver(delivery_pk=d1.pk) == "retrying"
    # The second waits while the first is being retried, so it cannot overtake it.
    assert webhook_deliver(delivery_pk=d2.pk) == "waiting"
    make_due(d1)
    assert webhook_deliver(delivery_pk=d1.pk) == DeliveryState.DELIVERED
    assert webhook_deliver(delivery_pk=d2.pk) == DeliveryState.DELIVERED
    statements = [r.document["data"]["claim"]["statement"] for r in receiver.received]
    assert statements == ["First", "First", "Second"]
    assert all(r.signature_ok for r in receiver.received)


def test_a_private_address_is_refused_without_a_connection(admin_user, receiver, settings):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    # Production: no allow-list. The receiver's port is allowed, so only the address
    # check stands between the delivery and a connection.
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    settings.FETCH_ALLOWED_PORTS = [80, 443, receiver.port]
    log_claim()
    delivery = WebhookDelivery.objects.get()

    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.FAILED  # not retried
    assert receiver.received == []
    attempt = delivery.attempt_records.get()
    assert attempt.status_code is None
    assert "loopback" in attempt.error
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 1 and subscription.active


def test_a_name_that_resolves_to_a_private_address_is_refused_too(admin_user, receiver,
                                                                    settings):
    settings.FETCH_ALLOWED_PORTS = [80, 443, receiver.port]
    subscription = subscribe(admin_user, f"http://localhost:{receiver.port}/hook",
                             [WebhookEvent.CLAIM_LOGGED])
    assert subscription.target_url.startswith("http://localhost:")
    log_claim()
    assert webhook_deliver(delivery_pk=WebhookDelivery.objects.get().pk) == DeliveryState.FAILED
    assert receiver.received == []


def test_a_redirect_is_not_followed(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.answer(302)
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    log_claim()
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    assert len(receiver.received) == 1
    attempt = delivery.attempt_records.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert "do not follow redirects" in attempt.error
    assert subscription.deliveries.get().state == DeliveryState.PENDING


def test_a_receiver_that_does_not_answer_in_time_is_retried(admin_user, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.delay = 3
    log_claim()
    delivery = WebhookDelivery.objects.get()
    started = timezone.now()
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    assert (timezone.now() - started).total_seconds() < 2  # cut off, not waited out
    attempt = delivery.attempt_records.get()
    assert attempt.status_code is None
    assert "did not answer in time" in attempt.error or "too long" in attempt.error


# --- Turning off a failing subscription ----------------------------------------------------

def test_a_delivery_given_up_turns_the_subscription_off_and_tells_its_owner(
        admin_user, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.answer(500)
    log_claim("First")
    log_claim("Second")
    delivery = subscription.deliveries.order_by("id").first()

    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    make_due(delivery)
    assert webhook_deliver(delivery_pk=delivery.pk) == "retrying"
    make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.GAVE_UP

    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_at is not None
    assert "failed 3 times" in subscription.disabled_reason
    notice = Notification.objects.get(recipient=admin_user, verb="webhook_off")
    assert "“CMS” was turned off" in notice.message
    assert notice.url == f"/admin/claims/webhooksubscription/{subscription.pk}/change/"
    assert mail.outbox[-1].to == ["ada@example.org"]
    assert subscription.secret not in mail.outbox[-1].body
    # The later event waits, undelivered, for the subscription to be turned back on.
    later = subscription.deliveries.order_by("id").last()
    assert webhook_deliver(delivery_pk=later.pk) == "inactive"
    assert len(receiver.received) == 3
    assert webhook_deliveries_sweep() == 0


def test_five_deliveries_in_a_row_refused_turn_the_subscription_off(admin_user, settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    subscription = WebhookSubscription.objects.create(
        owner=admin_user, name="Old", target_url="http://localhost/hook",
        events=[WebhookEvent.CLAIM_LOGGED])  # stored before the guard said no
    for n in range(5):
        log_claim(f"Claim {n}")
    for delivery in subscription.deliveries.order_by("id"):
        webhook_deliver(delivery_pk=delivery.pk)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 5
    assert not subscription.active
    assert "5 deliveries in a row failed" in subscription.disabled_reason
    assert Notification.objects.filter(recipient=admin_user, verb="webhook_off").count() == 1


def test_a_success_resets_the_failure_count(admin_user, receiver, settings):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=4)
    log_claim()
    webhook_deliver(delivery_pk=subscription.deliveries.get().pk)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


# --- The admin's actions --------------------------------------------------------------------

def test_a_test_event_is_sent_to_one_subscription_only(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.VERDICT_PUBLISHED])
    other = subscribe(admin_user, "https://other.example/hook")
    receiver.secret = subscription.secret
    delivery = webhook_send_test(user=admin_user, subscription=subscription)
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED
    (got,) = receiver.received
    assert got.event == "ping" and got.signature_ok
    assert got.document["data"]["subscription"]["id"] == subscription.pk
    assert not other.deliveries.exists()


def test_redeliver_sends_the_same_document_again(admin_user, receiver):
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    receiver.secret = subscription.secret
    log_claim()
    delivery = WebhookDelivery.objects.get()
    webhook_deliver(delivery_pk=delivery.pk)

    webhook_redeliver(user=admin_user, delivery=delivery)
    assert webhook_deliver(delivery_pk=delivery.pk) == DeliveryState.DELIVERED
    first, second = receiver.received
    assert first.body == second.body and first.delivery == second.delivery
    assert second.signature_ok
    assert delivery.attempt_records.count() == 2
    with pytest.raises(PermissionDenied):
        webhook_redeliver(user=user_in("erin", "Editors"), delivery=delivery)


def test_actions_on_a_subscription_that_is_off_are_refused_in_words(admin_user):
    subscription = subscribe(admin_user, "https://cms.example/hook", active=False)
    with pytest.raises(ValidationError, match="turned off. Turn it on first"):
        webhook_send_test(user=admin_user, subscription=subscription)


def test_turning_a_subscription_back_on_resumes_its_waiting_events(
        admin_user, receiver, settings, django_capture_on_commit_callbacks, monkeypatch):
    from claims.services import webhooks

    sent = []
    monkeypatch.setattr(webhooks, "enqueue_webhook_delivery", lambda pk, **kw: sent.append(pk))
    subscription = subscribe(admin_user, receiver.url, [WebhookEvent.CLAIM_LOGGED])
    log_claim()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, consecutive_failures=5, disabled_at=timezone.now(),
        disabled_reason="5 deliveries in a row failed")
    subscription.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_subscription_update(user=admin_user, subscription=subscription,
                                             active=True)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures,
            subscription.disabled_reason) == (True, 0, "")
    assert sent == [subscription.deliveries.get().pk]


def test_the_sweeper_sends_each_subscriptions_oldest_due_delivery(admin_user, monkeypatch):
    from claims.services import webhooks

    sent = []
    monkeypatch.setattr(webhooks, "enqueue_webhook_delivery",
                        lambda pk, **kw: sent.append(pk) or True)
    one = subscribe(admin_user, "https://one.example/hook", [WebhookEvent.CLAIM_LOGGED])
    two = subscribe(admin_user, "https://two.example/hook", [WebhookEvent.CLAIM_LOGGED])
    off = subscribe(admin_user, "https://off.example/hook", [WebhookEvent.CLAIM_LOGGED])
    log_claim("First")
    log_claim("Second")
    WebhookSubscription.objects.filter(pk=off.pk).update(active=False)
    # The first delivery to `two` waits for a retry an hour from now: nothing is due there.
    two_first = two.deliveries.order_by("id").first()
    WebhookDelivery.objects.filter(pk=two_first.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1))

    assert webhooks.webhook_deliveries_sweep() == 1
    assert sent == [one.deliveries.order_by("id").first().pk]


def test_finished_deliveries_are_pruned_after_the_keep_days_pending_ones_never(admin_user):
    from claims.models import WebhookAttempt
    from claims.services.webhooks import webhook_deliveries_prune

    subscription = subscribe(admin_user, "https://cms.example/hook", [WebhookEvent.CLAIM_LOGGED])
    for n in range(4):
        log_claim(f"Claim {n}")
    old_delivered, old_pending, old_gave_up, recent = subscription.deliveries.order_by("id")
    WebhookDelivery.objects.filter(pk__in=[old_delivered.pk, old_gave_up.pk]).update(
        state=DeliveryState.DELIVERED)
    WebhookDelivery.objects.filter(pk=recent.pk).update(state=DeliveryState.DELIVERED)
    WebhookAttempt.objects.create(delivery=old_delivered, at=timezone.now(), status_code=200)
    WebhookDelivery.objects.exclude(pk=recent.pk).update(
        created_at=timezone.now() - timedelta(days=31))

    assert webhook_deliveries_prune(batch_size=1) == 2
    assert set(subscription.deliveries.values_list("pk", flat=True)) == {old_pending.pk,
                                                                          recent.pk}
    assert not WebhookAttempt.objects.exists()
