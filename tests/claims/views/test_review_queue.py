"""Reviewing from the queue: each submitted verdict shows its rating, rationale and evidence,
and a reviewer approves it or sends it back there. The services decide (the two-person rule
included); the queue says what they decided, or why not, in words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import VerdictState
from claims.models import Verdict
from tests.verdict_setup import captured_source_evidence, make_roles, make_verdict

pytestmark = pytest.mark.django_db

QUEUE = "/review/"


@pytest.fixture
def roles(db):
    return make_roles()


@pytest.fixture
def submitted(roles):
    verdict = make_verdict("submitted", author=roles["editor_author"],
                           rationale="The statistics office reports a **rise** of 3%.")
    verdict.evidence.add(captured_source_evidence(verdict.claim, ok=False, stance="context"))
    return verdict


def queue_html(client) -> str:
    response = client.get(QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queue_shows_rationale_evidence_and_the_reviewers_actions(client, roles, submitted):
    client.force_login(roles["reviewer"])
    html = queue_html(client)
    assert "The statistics office reports a <strong>rise</strong> of 3%." in html
    assert html.count("· fetched</span>") == 1
    assert html.count("· not fetched successfully yet") == 1
    assert f'action="{reverse("claims:verdict-approve", args=[submitted.pk])}"' in html
    assert f'action="{reverse("claims:verdict-request-changes", args=[submitted.pk])}"' in html
    assert f'<label class="form-label small fw-semibold mb-1" for="review-comment-' \
           f'{submitted.pk}">What needs to change?</label>' in html


def test_a_reviewer_approves_from_the_queue_and_stays_there(client, roles, submitted):
    client.force_login(roles["reviewer"])
    response = client.post(reverse("claims:verdict-approve", args=[submitted.pk]),
                           {"from": "review-queue"}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert f"Approved: “{submitted.claim.statement}”." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == VerdictState.APPROVED and submitted.reviewer == roles["reviewer"]
    assert "Nothing is waiting for review." in response.content.decode()


def test_a_reviewer_sends_back_from_the_queue_with_a_comment(client, roles, submitted):
    client.force_login(roles["reviewer"])
    url = reverse("claims:verdict-request-changes", args=[submitted.pk])
    # No comment: the service refuses, and the queue says why.
    html = client.post(url, {"from": "review-queue", "comment": " "}, follow=True
                       ).content.decode()
    assert (f"“{submitted.claim.statement}” was not changed: Say what needs to change "
            "before sending it back.") in html
    submitted.refresh_from_db()
    assert submitted.state == VerdictState.SUBMITTED
    html = client.post(url, {"from": "review-queue", "comment": "Which year?"}, follow=True
                       ).content.decode()
    assert f"Sent back to the author with your comment: “{submitted.claim.statement}”." in html
    submitted.refresh_from_db()
    assert submitted.state == VerdictState.CHANGES_REQUESTED
    assert submitted.review_comment == "Which year?"


def test_the_author_gets_no_review_buttons_and_a_forced_approval_is_refused_in_words(
        client, roles):
    own = make_verdict("submitted", author=roles["reviewer_author"])
    client.force_login(roles["reviewer_author"])
    html = queue_html(client)
    assert "another reviewer must review it (two-person rule)" in html
    assert f'action="{reverse("claims:verdict-approve", args=[own.pk])}"' not in html
    response = client.post(reverse("claims:verdict-approve", args=[own.pk]),
                           {"from": "review-queue"}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert (f"“{own.claim.statement}” was not changed: You cannot approve this verdict: you "
            "wrote this verdict") in response.content.decode()
    assert Verdict.objects.get(pk=own.pk).state == VerdictState.SUBMITTED


def test_a_reviewer_who_edited_a_verdict_is_told_so_on_the_queue(client, roles):
    from claims.services.verdicts import verdict_save_draft, verdict_submit

    verdict = make_verdict("draft", author=roles["editor_author"])
    # Robin edits Erin's draft, then Erin submits it: Robin wrote part of it.
    verdict_save_draft(claim=verdict.claim, user=roles["reviewer"],
                                lock_version=verdict.lock_version, rating=verdict.rating,
                                summary="Robin's summary", rationale=verdict.rationale)
    verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk),
                            user=roles["editor_author"])
    client.force_login(roles["reviewer"])
    html = queue_html(client)
    assert "another reviewer must review it (two-person rule)" in html
    assert f'action="{reverse("claims:verdict-approve", args=[verdict.pk])}"' not in html


def test_a_verdict_approved_meanwhile_is_refused_in_words(client, roles, submitted):
    client.force_login(roles["reviewer"])
    queue_html(client)
    Verdict.objects.filter(pk=submitted.pk).update(state=VerdictState.APPROVED)
    html = client.post(reverse("claims:verdict-approve", args=[submitted.pk]),
                       {"from": "review-queue"}, follow=True).content.decode()
    assert f"“{submitted.claim.statement}” was not changed:" in html


def test_the_reviewers_queue_makes_constant_queries(client, roles):
    client.force_login(roles["reviewer"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    make_verdict("submitted", author=roles["editor_author"])
    one = queries()
    for _ in range(29):
        make_verdict("submitted", author=roles["other_editor"])
    assert queries() == one
