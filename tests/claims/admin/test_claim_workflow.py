"""The claim admin goes through the workflow, never around it: the status is not a field
of its change form (it follows the desk's status control and the verdict), and a save goes
through the services (claim_admin_change, claim_save), so the version moves on and the
desk's conflict check sees it. Records a verdict under review shows (its claim, the cited
evidence, the claimant) are not changed in the admin until the verdict is sent back.
Driven through the admin's real change forms, as a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.models import Claim, Claimant, Evidence, PublishedEdit
from claims.services.claims import ClaimEditConflict, claim_set_status, claim_update
from tests.claims.admin.test_published import REASON, _value, admin_change
from tests.claims.services.test_what_the_reviewer_saw import claim_in
from tests.factories import ClaimFactory
from tests.verdict_setup import client_for, make_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


def revert_form_data(page) -> dict:
    """What the history's revert form (no inlines) sends back as it was shown."""
    form = page.context["adminform"].form
    return {form.add_prefix(name): value for name in form.fields
            if (value := _value(form[name])) is not None}


def test_the_status_is_not_editable_in_the_claim_admin(users):
    claim = ClaimFactory(statement="Before")
    page, response = admin_change(client_for(users["admin"]), claim, statement="After",
                                  status=ClaimStatus.PUBLISHED)
    assert "status" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.statement == "After"
    assert stored.status == ClaimStatus.NEW  # no verdict: never "published" by hand


def test_an_admin_save_moves_the_version_on_so_the_desk_sees_the_conflict(users):
    claim = ClaimFactory(statement="Before")
    assert claim.version == 1
    _, response = admin_change(client_for(users["admin"]), claim, statement="After")
    assert response.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.version == 2
    last = stored.history.first()
    assert (last.history_user, last.history_change_reason, last.version) == (
        users["admin"], "Changed in the admin", 2)
    # The editor who opened the claim at version 1 is told, not allowed to overwrite it.
    with pytest.raises(ClaimEditConflict):
        claim_update(claim=claim, version=1, statement="The editor's wording",
                     claimant=None, claimed_on=None, user=users["editor_author"])
    assert Claim.objects.get(pk=claim.pk).statement == "After"


def test_an_unchanged_admin_form_writes_nothing(users):
    claim = ClaimFactory()
    _, response = admin_change(client_for(users["admin"]), claim)
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).version == 1
    assert Claim.history.filter(id=claim.pk).count() == 1


def test_a_published_override_in_the_admin_moves_the_version_on(users):
    claim = claim_in("published", users)
    _, response = admin_change(client_for(users["admin"]), claim,
                               statement="Unemployment fell by 40%",
                               published_change_reason=REASON)
    assert response.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.version) == ("Unemployment fell by 40%",
                                                  claim.version + 1)
    assert stored.status == ClaimStatus.PUBLISHED
    assert PublishedEdit.objects.get().claim_id == claim.pk


def test_reverting_to_an_old_version_in_the_history_goes_through_the_rules(users):
    claim = claim_in("submitted", users)
    oldest = claim.history.order_by("history_date", "history_id").first()
    assert oldest.status == ClaimStatus.NEW
    client = client_for(users["admin"])
    url = reverse("admin:claims_claim_simple_history", args=[claim.pk, oldest.history_id])
    page = client.get(url)
    data = revert_form_data(page)
    data["statement"] = "Reverted wording"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "waiting for review: readers will see the" in response.content.decode()
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.status, stored.version) == (
        claim.statement, ClaimStatus.IN_REVIEW, claim.version)


def test_a_revert_never_restores_an_old_status(users):
    claim = ClaimFactory(statement="Before")
    claim_set_status(claim=claim, status=ClaimStatus.RESEARCHING, user=users["editor_author"])
    oldest = claim.history.order_by("history_date", "history_id").first()
    client = client_for(users["admin"])
    url = reverse("admin:claims_claim_simple_history", args=[claim.pk, oldest.history_id])
    response = client.post(url, revert_form_data(client.get(url)))
    assert response.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.status == ClaimStatus.RESEARCHING


def test_evidence_cited_by_a_verdict_under_review_is_not_changed_in_the_admin(users):
    claim = claim_in("approved", users)
    evidence = Evidence.objects.get(claim=claim)
    _, response = admin_change(client_for(users["admin"]), evidence, note="A rewritten note",
                               published_change_reason=REASON)
    assert response.status_code == 200
    assert "which shows this evidence, is approved: readers will see" in (
        response.content.decode())
    assert Evidence.objects.get(pk=evidence.pk).note == evidence.note


def test_the_claimant_of_a_claim_under_review_is_not_renamed_in_the_admin(users):
    claim = claim_in("submitted", users)
    _, response = admin_change(client_for(users["admin"]), claim.claimant,
                               name="Fabricated Claimant")
    assert response.status_code == 200
    assert "which shows this claimant, is waiting for review" in response.content.decode()
    assert Claimant.objects.get(pk=claim.claimant_id).name == "Jane Roe"


def test_evidence_cited_by_a_verdict_under_review_cannot_be_deleted_in_the_admin(users):
    claim = claim_in("submitted", users)
    evidence = Evidence.objects.get(claim=claim)
    client = client_for(users["admin"])
    url = reverse("admin:claims_evidence_delete", args=[evidence.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
