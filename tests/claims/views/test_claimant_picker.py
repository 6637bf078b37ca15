"""The claimant picker through the desk's forms (log, edit, correction): a half-typed name is
refused with "Did you mean …?" and everything typed kept; a close name or an explicit new
claimant (with its kind) is saved. And the Claimants page: an editor proposes a merge, a
reviewer confirms it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.choices import ClaimantKind, ClaimantMergeState, VerdictState
from claims.models import Claim, Claimant, ClaimantMerge, Verdict
from tests import factories
from tests.factories import default_rating
from tests.support.pages import error_text
from tests.verdict_setup import client_for, make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def noem():
    return factories.ClaimantFactory(name="Kristi Noem", role="Secretary", organisation="DHS")


def log_post(article, **fields):
    start = article.body.index("the end is in sight")
    return {"quote": "the end is in sight", "start": start, "end": start + 19,
            "statement": "The end is in sight", "tags": "economy", **fields}


def test_a_half_typed_claimant_is_refused_with_did_you_mean_and_the_form_kept(client_ed, noem):
    article = factories.ArticleFactory()
    before = Claimant.objects.count()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]),
                              log_post(article, claimant_name="Kristi"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Did you mean Kristi Noem?" in error_text(response)
    assert f'name="claimant_pick" value="{noem.pk}"' in html  # pick it in one click
    assert 'value="The end is in sight"' in html and 'value="economy"' in html
    assert not Claim.objects.exists()
    assert Claimant.objects.count() == before  # no "Kristi" beside Kristi Noem


def test_did_you_mean_picks_the_claimant_on_file(client_ed, noem):
    article = factories.ArticleFactory()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]),
                              log_post(article, claimant_name="Kristi", claimant_pick=noem.pk))
    assert response.status_code == 302, error_text(response)
    assert Claim.objects.get().claimant == noem


def test_an_explicit_new_organisation_is_added_with_its_kind(client_ed, noem):
    article = factories.ArticleFactory()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]), log_post(
        article, claimant_name="National Institute on Drug Abuse", claimant_new="on",
        claimant_kind=ClaimantKind.ORGANISATION, claimant_organisation="NIH"))
    assert response.status_code == 302, error_text(response)
    claimant = Claim.objects.get().claimant
    assert (claimant.name, claimant.kind, claimant.organisation) == (
        "National Institute on Drug Abuse", ClaimantKind.ORGANISATION, "NIH")


def test_the_claim_edit_refuses_a_half_typed_name_too(client_ed, noem):
    claim = factories.ClaimFactory()
    response = client_ed.post(reverse("claims:claim-edit", args=[claim.pk]), {
        "version": claim.version, "statement": claim.statement, "claimant": claim.claimant_id,
        "claimant_name": "Kristi"})
    assert response.status_code == 400
    assert "Did you mean Kristi Noem?" in error_text(response)
    assert Claim.objects.get(pk=claim.pk).claimant_id == claim.claimant_id


def test_the_correction_form_takes_the_claimant_through_the_picker(noem):
    users = make_roles()
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"])
    client = client_for(users["other_editor"])
    url = reverse("claims:verdict-correct", args=[verdict.pk])
    data = {"correction-rating": default_rating("half-true").pk,
            "correction-summary": "Half right", "correction-rationale": "New text",
            "correction-correction_note": "Wrong speaker.",
            "correction-statement": verdict.claim.statement,
            "correction-claimant": "", "correction-claimant_name": "Kristi"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Did you mean Kristi Noem?" in response.content.decode()
    assert Verdict.objects.filter(claim=verdict.claim).count() == 1
    assert not Claimant.objects.filter(name="Kristi").exists()
    response = client.post(url, {**data, "correction-claimant_pick": noem.pk})
    assert response.status_code == 302
    correction = Verdict.objects.get(claim=verdict.claim, is_current=True)
    assert correction.claim_changes["claimant_id"] == noem.pk


def test_suggestions_put_the_exact_name_first_and_offer_a_mistyped_one(client_ed, noem):
    factories.ClaimantFactory(name="Kristi")
    html = client_ed.get(reverse("claims:claimant-autocomplete"),
                         {"claimant_name": "kristi"}).content.decode()
    assert html.index('data-claimant-name="Kristi"') < html.index(
        'data-claimant-name="Kristi Noem"')
    typo = client_ed.get(reverse("claims:claimant-autocomplete"),
                         {"claimant_name": "Krsti Noem"}).content.decode()
    assert 'data-claimant-name="Kristi Noem"' in typo


# --- The Claimants page: propose, confirm ------------------------------------------------


def test_an_editor_proposes_a_merge_and_a_reviewer_confirms_it(noem):
    users = make_roles()
    duplicate = factories.ClaimantFactory(name="Kristi", role="", organisation="")
    claim = factories.ClaimFactory(claimant=duplicate)
    editor = client_for(users["editor_author"])
    page = editor.get(reverse("claims:claimant-detail", args=[duplicate.pk])).content.decode()
    assert f'value="{noem.pk}"' in page and "Propose merge" in page  # the close name offered
    response = editor.post(reverse("claims:claimant-merge-propose"),
                           {"duplicate": duplicate.pk, "kept": noem.pk})
    assert response.status_code == 302
    merge = ClaimantMerge.objects.get()
    listing = editor.get(reverse("claims:claimant-list")).content.decode()
    assert "Merges to confirm" in listing and "A reviewer confirms it." in listing
    assert 'value="confirm"' not in listing  # an editor is not offered Confirm
    editor.post(reverse("claims:claimant-merge-decide", args=[merge.pk]),
                {"decision": "confirm"})
    assert ClaimantMerge.objects.get().state == ClaimantMergeState.PROPOSED

    reviewer = client_for(users["reviewer"])
    assert 'value="confirm"' in reviewer.get(reverse("claims:claimant-list")).content.decode()
    response = reviewer.post(reverse("claims:claimant-merge-decide", args=[merge.pk]),
                             {"decision": "confirm"}, follow=True)
    assert "Merged “Kristi” into “Kristi Noem, Secretary, DHS”: 1 claim moved." in \
        response.content.decode()
    assert Claim.objects.get(pk=claim.pk).claimant == noem
    assert not Claimant.objects.filter(pk=duplicate.pk).exists()


def test_confirming_a_merge_that_changes_a_published_fact_check_says_how_to_correct(noem):
    users = make_roles()
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"])
    duplicate = verdict.claim.claimant
    merge = ClaimantMerge.objects.create(duplicate=duplicate, kept=noem,
                                         duplicate_name=str(duplicate), kept_name=str(noem),
                                         proposed_by=users["editor_author"])
    response = client_for(users["reviewer"]).post(
        reverse("claims:claimant-merge-decide", args=[merge.pk]), {"decision": "confirm"},
        follow=True)
    html = response.content.decode()
    assert f"(claim #{verdict.claim.pk})" in html and "Start a correction" in html
    assert Claim.objects.get(pk=verdict.claim.pk).claimant == duplicate
