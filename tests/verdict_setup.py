"""Builders for the verdict tests: the five roles, and a verdict in any workflow state
(built directly, so each test starts from exactly the state it names)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from claims.choices import CaptureStatus, ClaimStatus, SourceStatus, VerdictState
from claims.models import Capture, Claim, Verdict
from claims.services.verdicts import (
    verdict_approve,
    verdict_publish,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import (
    ArticleFactory,
    ClaimantFactory,
    ClaimFactory,
    EvidenceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

ROLES = ["editor_author", "other_editor", "reviewer", "reviewer_author", "admin"]
STATES = [s.value for s in VerdictState]

CLAIM_STATUS_FOR = {
    VerdictState.DRAFT: ClaimStatus.RESEARCHING,
    VerdictState.SUBMITTED: ClaimStatus.IN_REVIEW,
    VerdictState.CHANGES_REQUESTED: ClaimStatus.RESEARCHING,
    VerdictState.APPROVED: ClaimStatus.IN_REVIEW,
    VerdictState.PUBLISHED: ClaimStatus.PUBLISHED,
}


def user_in(username: str, *groups: str, **extra):
    user = UserFactory(username=username, **extra)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def make_roles() -> dict:
    return {
        "editor_author": user_in("erin", "Editors", first_name="Erin", last_name="Editor"),
        "other_editor": user_in("oscar", "Editors", first_name="Oscar", last_name="Other"),
        "reviewer": user_in("robin", "Reviewers", first_name="Robin", last_name="Reviewer"),
        "reviewer_author": user_in("rita", "Reviewers", first_name="Rita", last_name="Writer"),
        "admin": user_in("ada", is_staff=True, is_superuser=True, first_name="Ada",
                         last_name="Admin"),
        # Approves the verdicts the matrix needs in the approved and published states.
        "senior": user_in("sam", "Reviewers", first_name="Sam", last_name="Senior"),
    }


def captured_source_evidence(claim, *, ok: bool = True, stance: str = "refutes"):
    """Evidence on a source with a capture: successful (with a stored snapshot) or failed."""
    evidence = EvidenceFactory(claim=claim, stance=stance)
    now = timezone.now()
    if ok:
        body = b"<html><body><p>Unemployment rose by 3 per cent.</p></body></html>"
        import hashlib

        capture = Capture(
            source=evidence.source, status=CaptureStatus.SUCCESS, http_status=200,
            content_type="text/html; charset=utf-8", size_bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(), title="Labour market report",
            text="Unemployment rose by 3 per cent.", started_at=now, finished_at=now,
        )
        capture.snapshot.save("snapshot", ContentFile(body), save=False)
        capture.save()
    else:
        Capture.objects.create(
            source=evidence.source, status=CaptureStatus.FAILED, error_kind="http_4xx",
            error_message="Not found (404)", http_status=404, started_at=now, finished_at=now,
        )
    # The source says what its latest fetch did, as the fetch pipeline leaves it.
    evidence.source.status = SourceStatus.FETCHED if ok else SourceStatus.FAILED
    evidence.source.save(update_fields=["status"])
    return evidence


def make_verdict(state: str, *, author, approver=None, claim=None, evidence=True, **fields):
    """A verdict in `state`, its claim in the status that state implies, resting on evidence
    whose source was fetched successfully (unless evidence=False)."""
    claim = claim or ClaimFactory(status=CLAIM_STATUS_FOR[VerdictState(state)])
    now = timezone.now()
    values = {"state": state}
    if state != VerdictState.DRAFT:
        values["submitted_at"] = now
    if state == VerdictState.CHANGES_REQUESTED:
        values.update(reviewer=approver, review_comment="Cite the 2011 figures.")
    if state in (VerdictState.APPROVED, VerdictState.PUBLISHED):
        values.update(reviewer=approver, approved_at=now)
    if state == VerdictState.PUBLISHED:
        values["published_at"] = now
    values.update(fields)
    verdict = VerdictFactory(claim=claim, author=author, **values)
    if evidence:
        verdict.evidence.add(captured_source_evidence(claim))
    return verdict


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def publish_through_workflow(claim, *, author, reviewer) -> Verdict:
    """Draft, submit, approve (a second person) and publish, as the desk does."""
    verdict = verdict_save_draft(
        claim=claim, user=author, lock_version=None, rating=default_rating(),
        summary="The figure is from 2009.", rationale="The **2011** figures say otherwise.",
    )
    verdict = verdict_submit(verdict=verdict, user=author)
    verdict = verdict_approve(verdict=verdict, user=reviewer)
    return verdict_publish(verdict=verdict, user=reviewer)


def published_fact_check(users, **article_fields) -> dict:
    """A claim published through the whole workflow (an editor drafts and submits, a second
    person approves and publishes), with every field readers see filled: its article, claim,
    verdict and the captured source it cites."""
    article = ArticleFactory(**{"title": "Minister's speech", "url": "https://news.example/speech",
                                "published_on": date(2026, 3, 1), **article_fields})
    claim = ClaimFactory(article=article, statement="Unemployment fell by 12% last year",
                         claimant=ClaimantFactory(name="Jane Roe"), claimed_on=date(2026, 2, 28))
    evidence = captured_source_evidence(claim)
    verdict = publish_through_workflow(claim, author=users["editor_author"],
                                       reviewer=users["reviewer"])
    return {"article": article, "claim": Claim.objects.get(pk=claim.pk), "verdict": verdict,
            "evidence": evidence}
