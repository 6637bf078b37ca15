"""The admin says, in words, why it will not delete or change a record readers see (or will
see), and offers what can be done instead: the delete link gives way to the reason and a link
to the claim's desk page, the delete page answers with the reason (not a bare 403), "Delete
selected" deletes nothing and lists which records and why, and pages with nothing to save
show no Save buttons. Driven through the real admin pages as a superuser and as a staff
editor."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from claims.models import Claim, Evidence, Verdict
from tests.claims.services.test_what_the_reviewer_saw import claim_in
from tests.factories import ClaimFactory
from tests.verdict_setup import client_for, make_roles, make_verdict, user_in

pytestmark = pytest.mark.django_db

PUBLISHED_CLAIM = ("A published fact-check cannot be deleted: readers have seen it. Start a "
                   "correction to withdraw or change it.")
NO_PERMISSION = "your account doesn"  # Django's text, which is not the reason here


@pytest.fixture
def users():
    users = make_roles()
    # An editor who may use the admin: the Editors group's permissions (delete_evidence
    # among them, not delete_claim).
    users["staff_editor"] = user_in("stella", "Editors", is_staff=True)
    return users


@pytest.fixture
def published(users):
    return claim_in("published", users)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def desk_url(claim) -> str:
    return reverse("claims:claim-detail", args=[claim.pk])


def admin_url(obj, view: str) -> str:
    return reverse(f"admin:claims_{obj._meta.model_name}_{view}", args=[obj.pk])


def bulk_delete(client, model: str, objs, **extra):
    return client.post(reverse(f"admin:claims_{model}_changelist"), {
        "action": "delete_selected", "_selected_action": [o.pk for o in objs], **extra,
    }, follow=True)


def test_a_published_claims_page_gives_the_reason_and_the_desk_link_instead_of_delete(
    users, published
):
    page = client_for(users["admin"]).get(admin_url(published, "change"))
    text = page_text(page)
    assert 'class="deletelink"' not in text
    assert PUBLISHED_CLAIM in text
    assert f'href="{desk_url(published)}">Open the claim on the desk</a>' in text
    # An unpublished claim keeps Django's Delete link and no reason.
    other = client_for(users["admin"]).get(admin_url(ClaimFactory(), "change"))
    assert 'class="deletelink"' in other.content.decode()
    assert "cannot be deleted" not in page_text(other)


def test_deleting_a_published_claim_answers_with_the_reason_not_a_bare_403(users, published):
    client = client_for(users["admin"])
    for response in (client.get(admin_url(published, "delete")),
                     client.post(admin_url(published, "delete"), {"post": "yes"})):
        assert response.status_code == 403
        text = page_text(response)
        assert PUBLISHED_CLAIM in text
        assert f'href="{desk_url(published)}"' in text
        assert "Cannot delete this claim" in text
    assert Claim.objects.filter(pk=published.pk).exists()


def test_bulk_delete_with_a_published_claim_deletes_none_and_says_which_and_why(
    users, published
):
    client = client_for(users["admin"])
    unpublished = ClaimFactory(statement="A claim still being checked")
    response = bulk_delete(client, "claim", [published, unpublished])
    assert response.status_code == 200
    text = page_text(response)
    assert ("Nothing was deleted: 1 of the selected claims cannot be deleted, as said below. "
            "Unselect them to delete the others.") in text
    assert f"“{published.statement}”: {PUBLISHED_CLAIM}" in text
    assert NO_PERMISSION not in text
    assert Claim.objects.filter(pk__in=[published.pk, unpublished.pk]).count() == 2
    # Without the published one, Django's confirmation, then the deletion, as before.
    confirm = bulk_delete(client, "claim", [unpublished])
    assert "Are you sure" in page_text(confirm) and NO_PERMISSION not in page_text(confirm)
    bulk_delete(client, "claim", [unpublished], post="yes")
    assert not Claim.objects.filter(pk=unpublished.pk).exists()


def test_a_claim_under_review_cannot_be_deleted_and_says_why(users):
    claim = claim_in("submitted", users)
    response = client_for(users["admin"]).get(admin_url(claim, "delete"))
    assert response.status_code == 403
    assert ("This claim’s verdict is waiting for review: readers will see what the reviewer "
            "saw, so this claim cannot be deleted now. Ask a reviewer to send the verdict back "
            "for changes first.") in page_text(response)


@pytest.mark.parametrize("who", ["admin", "staff_editor"])
def test_a_published_verdicts_page_has_no_save_buttons_and_says_why(users, published, who):
    verdict = Verdict.objects.get(claim=published, is_current=True)
    page = client_for(users[who]).get(admin_url(verdict, "change"))
    assert page.status_code == 200
    text = page_text(page)
    assert 'name="_save"' not in text and 'name="_continue"' not in text
    assert "This verdict is published: it changes only through a correction on the desk." \
        in text
    assert f'href="{desk_url(published)}">Open the claim on the desk</a>' in text
    assert 'class="deletelink"' not in text


def test_every_verdict_page_has_nothing_to_save_and_says_where_it_changes(users):
    draft = make_verdict("draft", author=users["editor_author"])
    submitted = make_verdict("submitted", author=users["editor_author"])
    client = client_for(users["admin"])
    draft_page = page_text(client.get(admin_url(draft, "change")))
    assert 'name="_save"' not in draft_page and 'name="_continue"' not in draft_page
    assert "This verdict is being written: its author edits it on the desk" in draft_page
    submitted_page = page_text(client.get(admin_url(submitted, "change")))
    assert 'name="_save"' not in submitted_page
    assert "This verdict is waiting for review" in submitted_page
    # A verdict under review is not deleted either, and says why.
    response = client.get(admin_url(submitted, "delete"))
    assert response.status_code == 403
    assert ("This verdict is waiting for review, so it cannot be deleted now. Ask a reviewer "
            "to send it back for changes first.") in page_text(response)


def test_a_published_verdict_is_not_deleted_alone_or_in_bulk(users, published):
    verdict = Verdict.objects.get(claim=published, is_current=True)
    client = client_for(users["admin"])
    response = client.post(admin_url(verdict, "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert "A published verdict cannot be deleted: readers have seen it." in page_text(response)
    text = page_text(bulk_delete(client, "verdict", [verdict], post="yes"))
    assert "Nothing was deleted: 1 of the selected verdicts cannot be deleted" in text
    assert NO_PERMISSION not in text
    assert Verdict.objects.filter(pk=verdict.pk).exists()


@pytest.mark.parametrize("who", ["admin", "staff_editor"])
def test_cited_evidence_of_a_published_fact_check_says_why_it_is_not_deleted(
    users, published, who
):
    evidence = Evidence.objects.get(claim=published)
    client = client_for(users[who])
    text = page_text(client.get(admin_url(evidence, "change")))
    reason = (f"This evidence is shown on the published fact-check of “{published.statement}”: "
              "readers have seen it, so it cannot be deleted. Start a correction to withdraw "
              "or change it.")
    assert reason in text and 'class="deletelink"' not in text
    assert "Readers see this evidence on a published fact-check" in text  # at the top
    response = client.get(admin_url(evidence, "delete"))
    assert response.status_code == 403 and reason in page_text(response)
    bulk = page_text(bulk_delete(client, "evidence", [evidence]))
    assert "Nothing was deleted" in bulk and reason in bulk and NO_PERMISSION not in bulk
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_top_of_a_published_record_says_whether_an_override_is_possible(users, published):
    admin_text = page_text(client_for(users["admin"]).get(admin_url(published, "change")))
    assert ("This claim’s fact-check is published: what readers see of it changes through a "
            "correction on the desk. An override here needs a reason") in admin_text
    editor_text = page_text(
        client_for(users["staff_editor"]).get(admin_url(published, "change")))
    assert ("This claim’s fact-check is published: what readers see of it changes only "
            "through a correction on the desk.") in editor_text


def test_evidence_and_claimant_under_review_say_why_at_the_top_and_are_not_deleted(users):
    claim = claim_in("approved", users)
    evidence = Evidence.objects.get(claim=claim)
    client = client_for(users["admin"])
    text = page_text(client.get(admin_url(evidence, "change")))
    assert (f"The verdict on “{claim.statement}”, which shows this evidence, is approved: "
            "what readers will see of this evidence cannot change until a reviewer sends the "
            "verdict back for changes.") in text
    assert "so this evidence cannot be deleted now" in text
    claimant_text = page_text(client.get(admin_url(claim.claimant, "change")))
    assert "which shows this claimant, is approved" in claimant_text
    assert 'class="deletelink"' not in claimant_text


def test_a_claimant_shown_on_a_published_fact_check_says_why(users, published):
    client = client_for(users["admin"])
    text = page_text(client.get(admin_url(published.claimant, "change")))
    assert "Readers see this claimant on a published fact-check" in text
    assert (f"This claimant is shown on the published fact-check of “{published.statement}”: "
            "readers have seen it, so it cannot be deleted.") in text
    bulk = page_text(bulk_delete(client, "claimant", [published.claimant]))
    assert "Nothing was deleted" in bulk and NO_PERMISSION not in bulk


def test_a_published_verdict_is_never_saved_or_reverted_from_the_admin(users, published):
    verdict = Verdict.objects.get(claim=published, is_current=True)
    client = client_for(users["admin"])
    oldest = verdict.history.order_by("history_date", "history_id").first()
    assert oldest.state == "draft"
    url = reverse("admin:claims_verdict_simple_history", args=[verdict.pk, oldest.history_id])
    page = page_text(client.get(url))
    assert 'value="Revert"' not in page and 'name="_save"' not in page
    versions = verdict.history.count()
    for response in (client.post(url, {}), client.post(admin_url(verdict, "change"), {})):
        assert response.status_code == 403
        assert ("This verdict is published: it changes only through a correction on the "
                "desk.") in page_text(response)
        assert f'href="{desk_url(published)}"' in page_text(response)
    stored = Verdict.objects.get(pk=verdict.pk)
    assert (stored.state, stored.published_at) == ("published", verdict.published_at)
    assert stored.history.count() == versions
