"""Approving a verdict records, for each source it cites, the capture current then
(VerdictCapture): what readers will see. A later re-fetch records nothing; publishing adds a
first copy only for a source that had none when approved; a correction records its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from claims.choices import VerdictState
from claims.models import VerdictCapture
from claims.services.verdicts import (
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_submit,
)
from tests.factories import CaptureFactory, ClaimFactory, EvidenceFactory
from tests.verdict_setup import captured_source_evidence, make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


def recorded(verdict) -> dict[int, int]:
    """{source id: capture id} recorded with the verdict."""
    return dict(VerdictCapture.objects.filter(verdict=verdict)
                .values_list("source_id", "capture_id"))


def later_capture(source, minutes=1, **fields):
    return CaptureFactory(source=source, started_at=timezone.now() + timedelta(minutes=minutes),
                          **fields)


def submitted_verdict(users, *evidence):
    claim = evidence[0].claim if evidence else ClaimFactory()
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"], claim=claim,
                           evidence=False)
    verdict.evidence.set(evidence)
    return verdict


def test_approval_records_the_current_capture_of_each_cited_source(users):
    claim = ClaimFactory()
    refetched = captured_source_evidence(claim)
    newest = later_capture(refetched.source, title="Second fetch")
    once = captured_source_evidence(claim)
    uncaptured = EvidenceFactory(claim=claim)
    note = EvidenceFactory(claim=claim, source=None, note="Called the ministry.")
    failed = captured_source_evidence(claim, ok=False)
    verdict = submitted_verdict(users, refetched, once, uncaptured, note, failed)

    verdict_approve(verdict=verdict, user=users["reviewer"])

    assert recorded(verdict) == {
        refetched.source_id: newest.pk,
        once.source_id: once.source.captures.get().pk,
    }


def test_a_re_fetch_after_approval_is_not_recorded_at_publication(users):
    evidence = captured_source_evidence(ClaimFactory())
    reviewed = evidence.source.captures.get()
    verdict = submitted_verdict(users, evidence)
    verdict_approve(verdict=verdict, user=users["reviewer"])
    later_capture(evidence.source, title="Changed since")

    verdict_publish(verdict=verdict, user=users["reviewer"])

    assert recorded(verdict) == {evidence.source_id: reviewed.pk}


def test_a_source_first_stored_after_approval_gets_that_copy_at_publication(users):
    claim = ClaimFactory()
    captured = captured_source_evidence(claim)
    pending = EvidenceFactory(claim=claim)
    verdict = submitted_verdict(users, captured, pending)
    verdict_approve(verdict=verdict, user=users["reviewer"])
    assert pending.source_id not in recorded(verdict)
    first = later_capture(pending.source)

    verdict_publish(verdict=verdict, user=users["reviewer"])

    assert recorded(verdict)[pending.source_id] == first.pk
    assert recorded(verdict)[captured.source_id] == captured.source.captures.get().pk


def test_approving_again_after_a_send_back_records_the_then_current_captures(users):
    evidence = captured_source_evidence(ClaimFactory())
    verdict = submitted_verdict(users, evidence)
    verdict_approve(verdict=verdict, user=users["reviewer"])
    verdict_request_changes(verdict=verdict, user=users["reviewer"],
                            comment="The source changed; check it again.")
    newer = later_capture(evidence.source, title="Revised")
    verdict_submit(verdict=verdict, user=users["editor_author"])

    verdict_approve(verdict=verdict, user=users["reviewer"])

    assert recorded(verdict) == {evidence.source_id: newer.pk}


def test_a_correction_records_the_captures_current_when_it_is_approved(users):
    evidence = captured_source_evidence(ClaimFactory())
    reviewed = evidence.source.captures.get()
    verdict = submitted_verdict(users, evidence)
    verdict_approve(verdict=verdict, user=users["reviewer"])
    verdict_publish(verdict=verdict, user=users["reviewer"])
    newer = later_capture(evidence.source, title="Revised")

    correction = verdict_correct(verdict=verdict, user=users["other_editor"],
                                 correction_note="The source was revised.")
    assert recorded(correction) == {}  # nothing until a reviewer approves it
    verdict_approve(verdict=correction, user=users["reviewer"])

    assert recorded(correction) == {evidence.source_id: newer.pk}
    assert recorded(verdict) == {evidence.source_id: reviewed.pk}


def test_one_capture_per_source_and_verdict(users):
    evidence = captured_source_evidence(ClaimFactory())
    verdict = submitted_verdict(users, evidence)
    verdict_approve(verdict=verdict, user=users["reviewer"])
    with pytest.raises(IntegrityError):
        VerdictCapture.objects.create(verdict=verdict, source=evidence.source,
                                      capture=later_capture(evidence.source))
