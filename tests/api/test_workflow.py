"""The verdict workflow through the API, end to end and by the right people: draft →
submit → request changes → approve → publish → correct, each a POST carrying the version
it acts on; a stale version is a 409 with the stored version, and nothing is written."""

from __future__ import annotations

import pytest

from claims.choices import ClaimStatus, VerdictState
from claims.models import Claim, Verdict
from tests.factories import ClaimFactory, default_rating
from tests.verdict_setup import captured_source_evidence

pytestmark = pytest.mark.django_db


def post(client, url, data, expect=200):
    response = client.post(url, data, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def test_the_whole_workflow_by_the_right_people(api, roles):
    claim = ClaimFactory()
    evidence = captured_source_evidence(claim)
    editor, reviewer = api["editor_author"], api["reviewer"]
    rating = default_rating("false").pk

    draft = post(editor, "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": None, "rating": rating,
        "summary": "The figure is from 2009.", "rationale": "The 2011 figures say otherwise.",
        "evidence": [evidence.pk]}, expect=201)
    assert draft["state"] == VerdictState.DRAFT and draft["evidence"] == [evidence.pk]
    assert draft["author"]["id"] == roles["editor_author"].pk
    url = f"/api/v1/verdicts/{draft['id']}"

    submitted = post(editor, f"{url}/submit/", {"lock_version": draft["lock_version"]})
    assert submitted["state"] == VerdictState.SUBMITTED
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW

    sent_back = post(reviewer, f"{url}/request-changes/",
                     {"lock_version": submitted["lock_version"], "comment": "Cite 2011."})
    assert sent_back["state"] == VerdictState.CHANGES_REQUESTED
    assert sent_back["review_comment"] == "Cite 2011."

    edited = post(editor, "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": sent_back["lock_version"], "rating": rating,
        "summary": "The figure is from 2009.",
        "rationale": "The 2011 census says otherwise."})
    assert edited["id"] == draft["id"] and edited["rationale"].endswith("census says otherwise.")
    resubmitted = post(editor, f"{url}/submit/", {"lock_version": edited["lock_version"]})

    approved = post(reviewer, f"{url}/approve/", {"lock_version": resubmitted["lock_version"]})
    assert approved["state"] == VerdictState.APPROVED
    assert approved["reviewer"]["id"] == roles["reviewer"].pk

    published = post(reviewer, f"{url}/publish/", {"lock_version": approved["lock_version"]})
    assert published["state"] == VerdictState.PUBLISHED and published["published_at"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED
    readers = api[None].get(f"/api/v1/published/{claim.pk}/").json()
    assert readers["summary"] == "The figure is from 2009."

    correction = post(editor, f"{url}/correct/", {
        "lock_version": published["lock_version"], "correction_note": "The year was wrong.",
        "summary": "The figure is from 2008.", "statement": "Unemployment fell by 12% in 2008"},
        expect=201)
    assert correction["version"] == 2 and correction["state"] == VerdictState.SUBMITTED
    assert correction["supersedes"] == draft["id"]
    assert correction["claim_changes"] == {"statement": "Unemployment fell by 12% in 2008"}
    # Readers still see the published version until the correction is published.
    assert api[None].get(f"/api/v1/published/{claim.pk}/").json()["version"] == 1
    # History holds every step, as on the desk.
    reasons = [h.history_change_reason for h in Verdict.history.filter(id=draft["id"])]
    assert "Published" in reasons and "Sent back for changes" in reasons


def test_the_author_cannot_approve_their_own_verdict_two_person_rule(api, roles):
    claim = ClaimFactory()
    captured_source_evidence(claim)
    author = api["reviewer_author"]
    draft = post(author, "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": None, "rating": default_rating().pk,
        "summary": "Wrong.", "rationale": "Because."}, expect=201)
    submitted = post(author, f"/api/v1/verdicts/{draft['id']}/submit/",
                     {"lock_version": draft["lock_version"]})
    response = author.post(f"/api/v1/verdicts/{draft['id']}/approve/",
                           {"lock_version": submitted["lock_version"]}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You cannot approve this verdict: you wrote this verdict, and a different "
        "reviewer must review it (two-person rule).", "code": "permission_denied"}
    assert Verdict.objects.get(pk=draft["id"]).state == VerdictState.SUBMITTED


def test_a_stale_draft_save_is_a_409_with_the_current_version_and_nothing_is_written(api):
    claim = ClaimFactory()
    first = post(api["editor_author"], "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": None, "summary": "Mine"}, expect=201)
    theirs = post(api["other_editor"], "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": first["lock_version"], "summary": "Theirs"})
    stale = api["editor_author"].post("/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": first["lock_version"], "summary": "Mine again"},
        format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["current_version"] == theirs["lock_version"] == first["lock_version"] + 1
    assert body["current"]["summary"] == "Theirs"
    assert "Nothing was overwritten" in body["detail"]
    assert Verdict.objects.get(pk=first["id"]).summary == "Theirs"


def test_a_stale_workflow_action_is_a_409_and_the_verdict_stays_as_it_is(api):
    claim = ClaimFactory()
    draft = post(api["editor_author"], "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": None, "rating": default_rating().pk,
        "summary": "Wrong.", "rationale": "Because."}, expect=201)
    post(api["other_editor"], "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": draft["lock_version"], "rating": default_rating().pk,
        "summary": "Wrong, and here is why.", "rationale": "Because."})
    response = api["editor_author"].post(f"/api/v1/verdicts/{draft['id']}/submit/",
                                         {"lock_version": draft["lock_version"]}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["summary"] == "Wrong, and here is why."
    assert Verdict.objects.get(pk=draft["id"]).state == VerdictState.DRAFT


def test_a_stale_claim_edit_is_a_409_and_nothing_is_overwritten(api):
    claim = ClaimFactory(statement="Original")
    ok = api["editor_author"].patch(f"/api/v1/claims/{claim.pk}/",
                                    {"version": 1, "statement": "First edit"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api["other_editor"].patch(f"/api/v1/claims/{claim.pk}/",
                                      {"version": 1, "statement": "Blind edit"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2 and body["current"]["statement"] == "First edit"
    assert Claim.objects.get(pk=claim.pk).statement == "First edit"


def test_a_stale_status_change_is_a_409(api):
    claim = ClaimFactory(statement="Original")
    api["editor_author"].patch(f"/api/v1/claims/{claim.pk}/",
                               {"version": 1, "statement": "Edited"}, format="json")
    stale = api["other_editor"].post(f"/api/v1/claims/{claim.pk}/status/",
                                     {"version": 1, "status": "researching"}, format="json")
    assert stale.status_code == 409
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.NEW
    ok = api["other_editor"].post(f"/api/v1/claims/{claim.pk}/status/",
                                  {"version": 2, "status": "not_checkable"}, format="json")
    assert ok.status_code == 400
    assert ok.json()["errors"] == {"reason": ["Say why the claim cannot be checked."]}


def test_a_workflow_action_needs_its_version(api):
    claim = ClaimFactory()
    draft = post(api["editor_author"], "/api/v1/verdicts/", {
        "claim": claim.pk, "lock_version": None, "summary": "x"}, expect=201)
    response = api["editor_author"].post(f"/api/v1/verdicts/{draft['id']}/submit/", {},
                                         format="json")
    assert response.status_code == 400 and "lock_version" in response.json()["errors"]
