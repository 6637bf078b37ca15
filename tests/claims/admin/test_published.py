"""The Django admin obeys the published-fact-check rule (issue 15): a change to what readers
see of a published claim, its cited evidence or its article is refused unless an admin who
may override gives a reason; the override is recorded and listed in the public corrections
log. Driven through the admin change forms, as an admin would."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim, Evidence, PublishedEdit
from tests.factories import ClaimFactory, UserFactory
from tests.verdict_setup import (
    client_for,
    make_roles,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

REASON = "The outlet changed its headline; legal asked us to match it today."


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    return published_fact_check(users)


def _value(bound) -> list[str] | str | None:
    value = bound.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def change_form_data(response) -> dict:
    """Everything the admin change form would send back unchanged, inlines included."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            value = _value(form[name])
            if value is not None:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def admin_change(client, obj, **changes):
    url = reverse(f"admin:claims_{obj._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    data.update(changes)
    return page, client.post(url, data)


def test_admin_change_of_a_published_claim_needs_a_reason(users, published):
    claim = published["claim"]
    client = client_for(users["admin"])
    page, response = admin_change(client, claim, statement="Unemployment fell by 40%")
    assert "Reason for changing a published fact-check" in page.content.decode()
    assert response.status_code == 200  # the form again, with the refusal
    assert "give the reason for changing it here" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).statement == "Unemployment fell by 12% last year"
    assert not PublishedEdit.objects.exists()


def test_an_admin_override_with_a_reason_is_recorded_and_shown_as_a_correction(
    users, published
):
    claim = published["claim"]
    client = client_for(users["admin"])
    _, response = admin_change(client, claim, statement="Unemployment fell by 40%",
                               published_change_reason=REASON)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Claim.objects.get(pk=claim.pk).statement == "Unemployment fell by 40%"
    edit = PublishedEdit.objects.get()
    assert (edit.claim_id, edit.user, edit.reason, edit.record) == (
        claim.pk, users["admin"], REASON, "claim")
    assert edit.changes == {"statement": {"before": "Unemployment fell by 12% last year",
                                          "after": "Unemployment fell by 40%"}}
    history = Claim.history.filter(id=claim.pk).first()
    assert history.history_change_reason.startswith(f"Changed outside a correction: {REASON[:40]}")
    assert len(history.history_change_reason) <= 100
    log = Client().get(reverse("public:corrections")).content.decode()
    assert REASON in log and 'data-testid="published-edit"' in log


def test_staff_without_the_override_permission_are_refused_even_with_a_reason(
    users, published
):
    claim = published["claim"]
    staff = UserFactory(username="stef", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_claim", "change_claim"]))
    _, response = admin_change(client_for(staff), claim, statement="Changed by staff",
                               published_change_reason=REASON)
    assert response.status_code == 200
    assert "changes only through a correction" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).statement == "Unemployment fell by 12% last year"


def test_admin_change_of_cited_evidence_needs_a_reason(users, published):
    evidence = published["evidence"]
    client = client_for(users["admin"])
    _, response = admin_change(client, evidence, stance="supports")
    assert response.status_code == 200
    assert "give the reason for changing it here" in response.content.decode()
    assert Evidence.objects.get(pk=evidence.pk).stance == "refutes"
    _, response = admin_change(client, evidence, stance="supports",
                               published_change_reason=REASON)
    assert response.status_code == 302
    assert Evidence.objects.get(pk=evidence.pk).stance == "supports"
    assert PublishedEdit.objects.get().record == "evidence"


def test_admin_change_of_a_published_claims_article_needs_a_reason(users, published):
    article = published["article"]
    client = client_for(users["admin"])
    _, response = admin_change(client, article, title="A different headline")
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).title == "Minister's speech"
    # Hiding it from readers needs no reason.
    _, response = admin_change(client, article, is_internal="on")
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).is_internal is True


def test_admin_rename_of_a_published_claimant_needs_a_reason(users, published):
    claimant = published["claim"].claimant
    client = client_for(users["admin"])
    _, response = admin_change(client, claimant, name="Fabricated Claimant")
    assert response.status_code == 200
    assert "give the reason for changing it here" in response.content.decode()
    assert published["claim"].claimant.__class__.objects.get(pk=claimant.pk).name == "Jane Roe"
    _, response = admin_change(client, claimant, name="Jane Roe-Smith",
                               published_change_reason=REASON)
    assert response.status_code == 302
    edit = PublishedEdit.objects.get()
    assert (edit.record, edit.claim_id) == ("claimant", published["claim"].pk)


def test_the_claim_change_page_shows_cited_evidence_read_only(users, published):
    claim = published["claim"]
    page = client_for(users["admin"]).get(reverse("admin:claims_claim_change", args=[claim.pk]))
    formset = page.context["inline_admin_formsets"][0].formset
    assert "note" not in formset.forms[0].fields  # read-only, not a form field
    # Tags, which readers never see, still change without a reason.
    _, response = admin_change(client_for(users["admin"]), claim,
                               tags=[])
    assert response.status_code == 302
    assert not PublishedEdit.objects.exists()


def test_a_published_claim_or_its_cited_evidence_cannot_be_deleted_in_the_admin(
    users, published
):
    client = client_for(users["admin"])
    for obj in (published["claim"], published["evidence"]):
        url = reverse(f"admin:claims_{obj._meta.model_name}_delete", args=[obj.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=published["claim"].pk).exists()


def test_an_unpublished_claim_is_changed_in_the_admin_as_before(users):
    claim = ClaimFactory(statement="Before")
    page, response = admin_change(client_for(users["admin"]), claim, statement="After")
    assert "Reason for changing a published fact-check" not in page.content.decode()
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "After"
