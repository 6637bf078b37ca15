"""Every admin page renders, and changelists make the same number of queries for 1 row as
for many (no N+1 hidden in a column)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import models
from claims.services.tokens import api_token_create
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db


def make_capture():
    return models.Capture.objects.create(
        source=SourceFactory(), status="success", sha256="b" * 64, started_at=timezone.now()
    )


def make_notification():
    claim = ClaimFactory()
    return models.Notification.objects.create(
        recipient=UserFactory(), verb="assigned", message="Assigned", claim=claim
    )


def make_suggestion():
    article = ArticleFactory()
    return models.ClaimSuggestion.objects.create(
        article=article, start=0, end=10, text=article.body[:10], score=0.5
    )


def make_rating():
    scale = models.RatingScale.objects.create(
        name="Scale", slug=f"s{models.RatingScale.objects.count()}"
    )
    return models.Rating.objects.create(scale=scale, label="Level", slug="level", value=1)


_tag_counter = iter(range(10_000))
_factcheck_counter = iter(range(10_000))


def make_factcheck():
    n = next(_factcheck_counter)
    return models.FactCheck.objects.create(
        url=f"https://checks.example/{n}", claim_reviewed=f"Claim {n}", origin="file",
        feed=models.FactCheckFeed.objects.create(name=f"Feed {n}",
                                                 url=f"https://feeds.example/{n}"),
    )

def make_webhook_subscription():
    return models.WebhookSubscription.objects.create(
        owner=UserFactory(), name="CMS", target_url="https://cms.example/hook",
        events=["claim.logged"])


def make_webhook_delivery():
    delivery = models.WebhookDelivery.objects.create(
        subscription=make_webhook_subscription(), event="claim.logged", body="{}")
    models.WebhookAttempt.objects.create(delivery=delivery, at=timezone.now(), status_code=500)
    return delivery

def make_factcheck_link():
    return models.ClaimFactCheckLink.objects.create(
        claim=ClaimFactory(), factcheck=make_factcheck(), linked_by=UserFactory())


BUILDERS = {
    models.Article: ArticleFactory,
    models.Claimant: lambda: ClaimFactory().claimant,
    models.Tag: lambda: models.Tag.objects.create(name=f"tag-{next(_tag_counter)}"),
    models.Claim: ClaimFactory,
    models.Source: SourceFactory,
    models.Capture: make_capture,
    models.Evidence: EvidenceFactory,
    models.RatingScale: lambda: make_rating().scale,
    models.Rating: make_rating,
    models.Verdict: VerdictFactory,
    models.Notification: make_notification,
    models.ClaimSuggestion: make_suggestion,
    models.FactCheck: make_factcheck,
    models.FactCheckFeed: lambda: make_factcheck().feed,
    models.ApiToken: lambda: api_token_create(user=UserFactory(), name="Token",
                                              scopes=["read"])[0],
    models.WebhookSubscription: make_webhook_subscription,
    models.WebhookDelivery: make_webhook_delivery,
    models.ClaimFactCheckLink: make_factcheck_link,
    models.ClaimantMerge: lambda: models.ClaimantMerge.objects.create(
        duplicate=ClaimFactory().claimant, kept=ClaimFactory().claimant, duplicate_name="A",
        kept_name="B", proposed_by=UserFactory()),
}


def test_every_claims_model_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "claims"}
    assert registered == set(BUILDERS)


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def changelist_queries(client, model):
    url = reverse(f"admin:claims_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    obj = BUILDERS[model]()
    one, response = changelist_queries(admin_client, model)
    assert str(obj.pk) in response.content.decode() or obj._meta.verbose_name_plural
    for _ in range(6):
        BUILDERS[model]()
    many, response = changelist_queries(admin_client, model)
    assert many == one, f"{model.__name__} changelist: {one} queries for 1 row, {many} for 7"


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m._meta.model_name)
def test_change_and_history_pages_render(admin_client, model):
    obj = BUILDERS[model]()
    name = model._meta.model_name
    response = admin_client.get(reverse(f"admin:claims_{name}_change", args=[obj.pk]))
    assert response.status_code == 200
    response = admin_client.get(reverse(f"admin:claims_{name}_history", args=[obj.pk]))
    assert response.status_code == 200


def test_claim_change_page_shows_evidence_and_verdict_inlines(admin_client):
    verdict = VerdictFactory()
    EvidenceFactory(claim=verdict.claim, note="Statistics office says otherwise")
    response = admin_client.get(reverse("admin:claims_claim_change", args=[verdict.claim.pk]))
    html = response.content.decode()
    assert "Statistics office says otherwise" in html
    assert "The figure is wrong." in html


def test_claim_simple_history_page_lists_changes(admin_client):
    claim = ClaimFactory()
    claim.statement = "A revised statement"
    claim.save()
    response = admin_client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert response.status_code == 200
    assert "A revised statement" in response.content.decode()
