"""Optimistic concurrency on the workflow's transitions and on a claim's status: a caller
that names the version it acted on (the API does) is refused when the record moved on, and
nothing changes; a caller that names none (the desk's buttons) is unaffected."""

from __future__ import annotations

import pytest

from claims.choices import ClaimStatus, VerdictState
from claims.models import Claim, Verdict
from claims.services.claims import ClaimEditConflict, claim_set_status
from claims.services.verdicts import (
    VerdictConflict,
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_submit,
)
from tests.factories import ClaimFactory
from tests.verdict_setup import make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state, service, who, extra", [
    (VerdictState.DRAFT, verdict_submit, "editor_author", {}),
    (VerdictState.SUBMITTED, verdict_request_changes, "reviewer", {"comment": "Why?"}),
    (VerdictState.SUBMITTED, verdict_approve, "reviewer", {}),
    (VerdictState.APPROVED, verdict_publish, "reviewer", {}),
    (VerdictState.PUBLISHED, verdict_correct, "editor_author", {"correction_note": "Fixed."}),
])
def test_a_transition_on_a_stale_version_is_refused_and_changes_nothing(state, service, who,
                                                                         extra):
    users = make_roles()
    verdict = make_verdict(state, author=users["editor_author"], approver=users["senior"])
    stored = verdict.lock_version
    with pytest.raises(VerdictConflict) as refused:
        service(verdict=verdict, user=users[who], lock_version=stored - 1, **extra)
    assert refused.value.theirs.lock_version == stored
    assert Verdict.objects.get(pk=verdict.pk).state == state
    assert Verdict.objects.filter(claim=verdict.claim).count() == 1
    # The version it was given is the stored one: it goes ahead.
    moved = service(verdict=verdict, user=users[who], lock_version=stored, **extra)
    assert moved.state != state or moved.pk != verdict.pk


def test_a_status_change_on_a_stale_claim_version_is_refused():
    claim = ClaimFactory()
    with pytest.raises(ClaimEditConflict):
        claim_set_status(claim=claim, status=ClaimStatus.RESEARCHING, version=claim.version + 1)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.NEW
    claim_set_status(claim=claim, status=ClaimStatus.RESEARCHING, version=claim.version)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RESEARCHING
