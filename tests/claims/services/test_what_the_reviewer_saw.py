"""From the moment a verdict is submitted, what readers will see is what the reviewer saw:
an edit of the claim's statement, claimant or date claimed is refused, in words, while the
verdict waits for review, once it is approved and once it is published, whichever door the
edit comes through (the service, the desk's edit form, the API's PATCH, the admin's change
form). Refused, not silently sent back: the reviewer decides what happens to an approval."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.models import Claim, Claimant
from claims.services.claims import claim_update
from claims.services.verdicts import (
    verdict_approve,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from tests.api.conftest import api_client_for
from tests.claims.admin.test_published import admin_change
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, default_rating
from tests.verdict_setup import captured_source_evidence, client_for, make_roles

pytestmark = pytest.mark.django_db

NEW_STATEMENT = "Unemployment fell by 40% last year"
NEW_DATE = date(2020, 1, 1)

REFUSAL = {
    "submitted": "This claim’s verdict is waiting for review: readers will see the",
    "approved": "This claim’s verdict is approved: readers will see the",
    "published": "This claim’s fact-check is published, and readers see its",
}


@pytest.fixture
def users():
    return make_roles()


def claim_in(state: str, users) -> Claim:
    """A claim whose verdict went through the workflow up to `state`."""
    claim = ClaimFactory(article=ArticleFactory(), statement="Unemployment fell by 12% last year",
                         claimant=ClaimantFactory(name="Jane Roe"), claimed_on=date(2026, 2, 28))
    captured_source_evidence(claim)
    verdict = verdict_save_draft(
        claim=claim, user=users["editor_author"], lock_version=None, rating=default_rating(),
        summary="The figure is from 2009.", rationale="The 2011 figures say otherwise.")
    verdict = verdict_submit(verdict=verdict, user=users["editor_author"])
    if state in ("approved", "published"):
        verdict = verdict_approve(verdict=verdict, user=users["reviewer"])
    if state == "published":
        verdict_publish(verdict=verdict, user=users["reviewer"])
    return Claim.objects.get(pk=claim.pk)


def new_values(field: str) -> dict:
    """The claim's statement, claimant and date claimed, with `field` changed."""
    if field == "statement":
        return {"statement": NEW_STATEMENT}
    if field == "claimant":
        return {"claimant": ClaimantFactory(name="Fabricated Claimant")}
    return {"claimed_on": NEW_DATE}


def edit_through(path: str, claim: Claim, field: str, users):
    """Send the edit through `path`; return the words it answered with."""
    change = new_values(field)
    values = {"statement": claim.statement, "claimant": claim.claimant,
              "claimed_on": claim.claimed_on, **change}
    if path == "service":
        with pytest.raises(ValidationError) as refused:
            claim_update(claim=claim, version=claim.version, user=users["other_editor"],
                         **values)
        return " ".join(refused.value.messages)
    if path == "desk":
        response = client_for(users["other_editor"]).post(
            reverse("claims:claim-edit", args=[claim.pk]),
            {"version": claim.version, "statement": values["statement"],
             "claimant": values["claimant"].pk, "claimant_name": values["claimant"].name,
             "claimed_on": values["claimed_on"].isoformat(), "tags": ""})
        assert response.status_code == 400
        return response.content.decode().replace("&#x27;", "'")
    if path == "api":
        body = {"version": claim.version}
        body.update({"claimant": change["claimant"].pk} if field == "claimant" else
                    {"claimed_on": NEW_DATE.isoformat()} if field == "claimed_on" else change)
        response = api_client_for(users["other_editor"]).patch(
            f"/api/v1/claims/{claim.pk}/", body, format="json")
        # A refusal given the records as they are: 409 (a 400 before the API said so).
        assert response.status_code in (400, 409)
        return response.json()["detail"]
    form_change = ({"claimant": str(change["claimant"].pk)} if field == "claimant" else
                   {"claimed_on": NEW_DATE.isoformat()} if field == "claimed_on" else change)
    _, response = admin_change(client_for(users["admin"]), claim, **form_change)
    assert response.status_code == 200  # the form again, with the refusal
    return response.content.decode()


@pytest.mark.parametrize("path", ["service", "desk", "api", "admin"])
@pytest.mark.parametrize("state", ["submitted", "approved", "published"])
@pytest.mark.parametrize("field", ["statement", "claimant", "claimed_on"])
def test_what_readers_will_see_does_not_change_once_the_verdict_is_submitted(
    users, path, state, field
):
    claim = claim_in(state, users)
    words = edit_through(path, claim, field, users)
    if path == "admin" and state == "published":
        # The admin may override for a published claim, with a recorded reason only.
        assert "give the reason for changing it here" in words
    else:
        assert REFUSAL[state] in words
    if state != "published":
        assert "send the verdict back for changes first" in words
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.claimant_id, stored.claimed_on, stored.version) == (
        claim.statement, claim.claimant_id, claim.claimed_on, claim.version)
    assert not Claimant.objects.filter(name="Fabricated Claimant", claims__isnull=False).exists()


def test_an_admin_cannot_override_the_rule_while_the_verdict_is_under_review(users):
    claim = claim_in("approved", users)
    _, response = admin_change(client_for(users["admin"]), claim, statement=NEW_STATEMENT,
                               published_change_reason="Legal asked for it today.")
    assert response.status_code == 200
    assert REFUSAL["approved"] in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).statement == claim.statement


def test_once_the_verdict_is_sent_back_the_claim_can_be_edited_again(users):
    claim = claim_in("approved", users)
    verdict_request_changes(verdict=claim.verdicts.get(), user=users["reviewer"],
                            comment="The statement needs the year.")
    claim = Claim.objects.get(pk=claim.pk)
    saved = claim_update(claim=claim, version=claim.version, statement=NEW_STATEMENT,
                         claimant=claim.claimant, claimed_on=claim.claimed_on,
                         user=users["editor_author"])
    assert saved.statement == NEW_STATEMENT and saved.version == claim.version + 1


def test_tags_stay_editable_while_the_verdict_is_under_review(users):
    claim = claim_in("submitted", users)
    saved = claim_update(claim=claim, version=claim.version, statement=claim.statement,
                         claimant=claim.claimant, claimed_on=claim.claimed_on,
                         tags=["economy"], user=users["other_editor"])
    assert [t.name for t in saved.tags.all()] == ["economy"]
