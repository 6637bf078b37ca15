"""A published fact-check changes only through a correction (issue 15): every field a reader
sees is refused to a plain edit, through the views and through the services, and a
correction (two-person review, public corrections log) is the one way to change it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from claims.choices import ClaimStatus, Stance
from claims.models import Claim, Evidence, Verdict
from claims.services.claimants import claimant_find_or_create
from claims.services.claims import claim_update
from claims.services.published import PublishedClaimFrozen, claim_reader_changes
from claims.services.sources import evidence_add, evidence_update
from claims.services.verdicts import (
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
)
from tests.factories import ClaimantFactory, ClaimFactory, default_rating
from tests.verdict_setup import (
    client_for,
    make_roles,
    published_fact_check,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    return published_fact_check(users)


def public_views(client, claim) -> dict:
    """What readers get: the page, its JSON-LD record and the claim's feed record."""
    html = client.get(reverse("public:fact-check", args=[claim.pk])).content.decode()
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    record = json.loads(html[start: html.index("</script>", start)])
    feed = client.get("/feeds/claimreview.json").json()["items"]
    return {"html": html, "record": record,
            "feed": [r for r in feed if r["url"].endswith(f"/fact-checks/{claim.pk}/")][0]}


def edit_post(claim, **changes) -> dict:
    data = {
        "version": claim.version,
        "statement": claim.statement,
        "claimant": claim.claimant_id or "",
        "claimant_name": claim.claimant.name if claim.claimant else "",
        "claimed_on": claim.claimed_on.isoformat() if claim.claimed_on else "",
        "tags": "",
    }
    data.update(changes)
    return data


# --- The claim's own fields -------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"statement": "Unemployment fell by 40% last year"},
    {"claimant": "", "claimant_name": "Fabricated Claimant", "claimant_new": "on"},
    {"claimed_on": "2020-01-01"},
], ids=["statement", "claimant", "claimed_on"])
def test_editing_a_published_claim_is_refused_and_readers_see_nothing_new(
    users, published, change
):
    claim = published["claim"]
    client = client_for(users["other_editor"])
    before = public_views(Client(), claim)
    response = client.post(reverse("claims:claim-edit", args=[claim.pk]),
                           edit_post(claim, **change))
    assert response.status_code == 400
    html = response.content.decode()
    assert "changes only through a correction" in html
    assert "Start a correction" in html
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.claimant_id, stored.claimed_on, stored.version) == (
        claim.statement, claim.claimant_id, claim.claimed_on, claim.version)
    after = public_views(Client(), claim)
    assert after["record"] == before["record"]
    assert after["feed"] == before["feed"]
    assert "Fabricated Claimant" not in after["html"] and "40%" not in after["html"]


def test_the_probe_edit_of_a_published_claim_is_refused_by_the_service(users, published):
    """The probe's POST: a new statement and `Fabricated Claimant`, with the current version."""
    claim = published["claim"]
    with pytest.raises(PublishedClaimFrozen) as refused:
        claim_update(
            claim=claim, version=claim.version, statement="A new statement",
            claimant=claimant_find_or_create(name="Fabricated Claimant")[0],
            claimed_on=claim.claimed_on, user=users["other_editor"],
        )
    assert "statement and claimant" in refused.value.messages[0]
    assert "Start a correction" in refused.value.messages[0]
    assert Claim.objects.get(pk=claim.pk).statement == "Unemployment fell by 12% last year"


def test_tags_which_readers_never_see_stay_editable(users, published):
    claim = published["claim"]
    response = client_for(users["other_editor"]).post(
        reverse("claims:claim-edit", args=[claim.pk]), edit_post(claim, tags="economy, jobs"))
    assert response.status_code == 302
    assert sorted(t.name for t in Claim.objects.get(pk=claim.pk).tags.all()) == ["economy", "jobs"]


def test_an_unpublished_claim_is_edited_as_before(users):
    claim = ClaimFactory(statement="Before")
    response = client_for(users["other_editor"]).post(
        reverse("claims:claim-edit", args=[claim.pk]), edit_post(claim, statement="After"))
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "After"


def test_claim_page_offers_a_correction_instead_of_the_edit_form(users, published):
    claim = published["claim"]
    html = client_for(users["other_editor"]).get(
        reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert 'data-testid="claim-published"' in html
    assert 'href="#correction"' in html and 'id="correction"' in html
    assert 'name="statement" maxlength' not in html  # no visible statement field
    assert ">Save changes</button>" not in html
    unpublished = ClaimFactory()
    html = client_for(users["other_editor"]).get(
        reverse("claims:claim-detail", args=[unpublished.pk])).content.decode()
    assert 'data-testid="claim-published"' not in html and ">Save changes</button>" in html


# --- Evidence ---------------------------------------------------------------------------


def test_changing_cited_evidence_is_refused_through_the_view(users, published):
    claim, evidence = published["claim"], published["evidence"]
    before = public_views(Client(), claim)
    prefix = f"evidence-{evidence.pk}-"
    response = client_for(users["other_editor"]).post(
        reverse("claims:evidence-edit", args=[evidence.pk]),
        {prefix + "stance": Stance.SUPPORTS, prefix + "note": "Actually it supports the claim.",
         prefix + "excerpt": ""},
    )
    assert response.status_code == 400
    assert "so they change only through a correction" in response.content.decode()
    stored = Evidence.objects.get(pk=evidence.pk)
    assert (stored.stance, stored.note) == (evidence.stance, evidence.note)
    after = public_views(Client(), claim)
    assert "Actually it supports" not in after["html"]
    assert after["html"].count("Supports") == before["html"].count("Supports")


def test_changing_cited_evidence_is_refused_by_the_service(users, published):
    evidence = published["evidence"]
    with pytest.raises(PublishedClaimFrozen, match="Start a correction"):
        evidence_update(evidence=evidence, stance=Stance.SUPPORTS, note="Changed",
                        user=users["other_editor"])
    assert Evidence.objects.get(pk=evidence.pk).stance == Stance.REFUTES


def test_new_evidence_on_a_published_claim_waits_for_a_correction(users, published):
    claim = published["claim"]
    evidence_add(claim=claim, stance=Stance.SUPPORTS, note="NEW-NOTE for the next "
                          "correction", user=users["other_editor"])
    assert "NEW-NOTE" not in public_views(Client(), claim)["html"]


# --- Status, rating and rationale ---------------------------------------------------------


def test_a_published_claim_cannot_be_set_aside_as_not_checkable(users, published):
    claim = published["claim"]
    # Even after a correction was sent back (the claim is researching again).
    correction = verdict_correct(verdict=published["verdict"], user=users["other_editor"],
                                          correction_note="Wrong year.")
    verdict_request_changes(verdict=correction, user=users["senior"],
                                     comment="Cite the source.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESEARCHING
    response = client_for(users["other_editor"]).post(
        reverse("claims:claim-status", args=[claim.pk]),
        {"status": ClaimStatus.NOT_CHECKABLE, "reason": "Opinion"})
    assert response.status_code == 400
    assert "has a published fact-check" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RESEARCHING


def test_rating_and_rationale_are_refused_outside_a_correction(users, published):
    verdict = published["verdict"]
    response = client_for(users["editor_author"]).post(
        reverse("claims:verdict-save", args=[published["claim"].pk]),
        {"draft-lock_version": verdict.lock_version, "draft-rating": default_rating().pk,
         "draft-summary": "Changed", "draft-rationale": "Changed"},
    )
    assert response.status_code in (400, 409)
    stored = Verdict.objects.get(pk=verdict.pk)
    assert (stored.summary, stored.rationale) == (verdict.summary, verdict.rationale)
    with pytest.raises(ValidationError, match="only through a correction"):
        verdict_save_draft(claim=published["claim"], user=users["editor_author"],
                                    lock_version=stored.lock_version, rating=stored.rating,
                                    summary="Changed", rationale="Changed")


# --- The one way: a correction --------------------------------------------------------------


def test_a_correction_changes_the_claim_only_once_reviewed_and_published(users, published):
    claim = published["claim"]
    new_claimant = ClaimantFactory(name="John Doe")
    changes = claim_reader_changes(
        claim, statement="Unemployment fell by 2% last year", claimant=new_claimant,
        claimed_on=date(2026, 2, 27))
    assert set(changes) == {"statement", "claimant_id", "claimed_on"}
    correction = verdict_correct(
        verdict=published["verdict"], user=users["reviewer_author"],
        correction_note="We misquoted the figure and the speaker.", claim_changes=changes)
    # Held while it is reviewed: the claim and what readers see are unchanged.
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.statement == "Unemployment fell by 12% last year"
    record = public_views(Client(), claim)["record"]
    assert record["claimReviewed"] == "Unemployment fell by 12% last year"
    # The author cannot approve their own correction (two-person rule).
    with pytest.raises(PermissionDenied, match="two-person rule"):
        verdict_approve(verdict=correction, user=users["reviewer_author"])
    verdict_approve(verdict=correction, user=users["senior"])
    verdict_publish(verdict=correction, user=users["senior"])
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.claimant_id, stored.claimed_on) == (
        "Unemployment fell by 2% last year", new_claimant.pk, date(2026, 2, 27))
    views = public_views(Client(), claim)
    assert views["record"]["claimReviewed"] == "Unemployment fell by 2% last year"
    assert views["record"]["itemReviewed"]["author"]["name"] == "John Doe"
    log = Client().get(reverse("public:corrections")).content.decode()
    assert "We misquoted the figure and the speaker." in log


def test_start_a_correction_through_the_page_changes_the_statement_after_review(
    users, published
):
    claim, verdict = published["claim"], published["verdict"]
    author = client_for(users["reviewer_author"])
    page = author.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    correct_url = reverse("claims:verdict-correct", args=[verdict.pk])
    # The "Issue a correction" fold fetches its form when it opens (or links to its page).
    assert f'hx-get="{correct_url}"' in page and 'name="correction-statement"' not in page
    form = author.get(correct_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="correction-statement"' in form and "<html" not in form
    assert 'name="correction-statement"' in author.get(correct_url).content.decode()
    response = author.post(reverse("claims:verdict-correct", args=[verdict.pk]), {
        "correction-correction_note": "The minister said 2%, not 12%.",
        "correction-rating": verdict.rating_id, "correction-summary": verdict.summary,
        "correction-rationale": verdict.rationale,
        "correction-evidence": [e.pk for e in verdict.evidence.all()],
        "correction-statement": "Unemployment fell by 2% last year",
        "correction-claimant_name": "Jane Roe", "correction-claimed_on": "2026-02-28",
    })
    assert response.status_code == 302
    correction = Verdict.objects.get(claim=claim, is_current=True)
    assert correction.claim_changes == {"statement": "Unemployment fell by 2% last year"}
    # The reviewer sees what the correction changes on the claim; readers do not yet.
    review = client_for(users["senior"]).get(
        reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert 'data-testid="claim-changes"' in review
    changes = review[review.index('data-testid="claim-changes"'):]
    changes = changes[:changes.index("</section>")]
    # The statement as a word diff: 12% out, 2% in.
    assert "<dt>Statement</dt>" in changes
    assert "12%</del>" in changes and "2%</ins>" in changes
    assert "fell by 2% last year" not in Client().get(
        reverse("public:fact-check", args=[claim.pk])).content.decode()
    verdict_approve(verdict=correction, user=users["senior"])
    verdict_publish(verdict=correction, user=users["senior"])
    public = Client().get(reverse("public:fact-check", args=[claim.pk])).content.decode()
    assert "Unemployment fell by 2% last year" in public
    assert "The minister said 2%, not 12%." in public


def test_claim_page_points_to_the_correction_already_under_way(users, published):
    verdict_correct(verdict=published["verdict"], user=users["reviewer_author"],
                             correction_note="Wrong year.")
    html = client_for(users["other_editor"]).get(
        reverse("claims:claim-detail", args=[published["claim"].pk])).content.decode()
    assert "A correction (version 2) is submitted for review" in html
    assert 'href="#correction"' not in html


def test_the_tags_form_on_a_published_claim_page_saves_as_sent(users, published):
    """Post exactly what the page's "Save tags" form holds (its hidden fields carry the
    claim as it is), with new tags: saved, and nothing readers see changed."""
    import re

    claim = published["claim"]
    client = client_for(users["other_editor"])
    html = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    form = re.search(r'<form[^>]*aria-label="Edit tags".*?</form>', html, re.S).group(0)
    data = {name: value for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    data["tags"] = "economy"
    response = client.post(reverse("claims:claim-edit", args=[claim.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    stored = Claim.objects.get(pk=claim.pk)
    assert [t.name for t in stored.tags.all()] == ["economy"]
    assert (stored.statement, stored.claimant_id, stored.claimed_on) == (
        claim.statement, claim.claimant_id, claim.claimed_on)
