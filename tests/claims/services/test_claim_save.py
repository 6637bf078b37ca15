"""Every save of a claim goes through claim_save: the version only ever moves up from the
stored one, whatever copy of the claim the caller holds, and the history row names who
saved it and shows the claim as stored (never a stale copy's words)."""

from __future__ import annotations

import pytest

from claims.assist.services import claim_link_appearance, claim_unlink_appearance
from claims.choices import ClaimStatus
from claims.models import Claim
from claims.services.claims import (
    ClaimEditConflict,
    claim_assign,
    claim_set_status,
    claim_update,
)
from claims.services.published import claim_apply_changes
from tests.factories import ClaimFactory, UserFactory
from tests.verdict_setup import make_roles

pytestmark = pytest.mark.django_db


def _edit(claim: Claim, statement: str, user) -> Claim:
    return claim_update(claim=claim, version=Claim.objects.get(pk=claim.pk).version,
                        statement=statement, claimant=claim.claimant,
                        claimed_on=claim.claimed_on, user=user)


def test_assigning_from_a_stale_copy_moves_the_version_up_not_back():
    users = make_roles()
    editor = users["editor_author"]
    claim = ClaimFactory(statement="Unemployment fell by 12%")
    stale = Claim.objects.get(pk=claim.pk)  # version 1, read before two edits
    _edit(claim, "Unemployment fell by 13%", editor)
    _edit(claim, "Unemployment fell by 14%", editor)
    assert Claim.objects.get(pk=claim.pk).version == 3

    claim_assign(claim=stale, assignee=users["other_editor"], user=editor)

    stored = Claim.objects.get(pk=claim.pk)
    assert stored.version == 4
    assert stale.version == 4  # the caller's copy is refreshed
    assert stored.statement == "Unemployment fell by 14%"
    assert stored.assignee == users["other_editor"]
    last = stored.history.first()
    assert last.version == 4 and last.statement == "Unemployment fell by 14%"
    assert last.history_user == editor

    # An editor still holding version 2 is told of the conflict, never silently obeyed.
    with pytest.raises(ClaimEditConflict):
        claim_update(claim=claim, version=2, statement="Unemployment fell by 99%",
                     claimant=claim.claimant, claimed_on=claim.claimed_on, user=editor)
    assert Claim.objects.get(pk=claim.pk).statement == "Unemployment fell by 14%"


def _bump_stored(claim: Claim, times: int) -> None:
    for _ in range(times):
        Claim.objects.filter(pk=claim.pk).update(version=Claim.objects.get(pk=claim.pk).version + 1)


@pytest.mark.parametrize("write", [
    "assign", "set_status", "update", "link", "unlink", "apply_changes",
])
def test_every_claim_write_bumps_the_stored_version_and_records_its_user(write):
    users = make_roles()
    user = users["editor_author"]
    claim = ClaimFactory(status=ClaimStatus.NEW)
    first = ClaimFactory()
    if write == "unlink":
        Claim.objects.filter(pk=claim.pk).update(appearance_of=first)
    stale = Claim.objects.get(pk=claim.pk)
    _bump_stored(claim, 2)  # saved twice by someone else since `stale` was read

    if write == "assign":
        claim_assign(claim=stale, assignee=UserFactory(), user=user)
    elif write == "set_status":
        claim_set_status(claim=stale, status=ClaimStatus.RESEARCHING, user=user)
    elif write == "update":
        claim_update(claim=stale, version=3, statement="A new wording", claimant=None,
                     claimed_on=None, user=user)
    elif write == "link":
        claim_link_appearance(claim=stale, first=first, user=user)
    elif write == "unlink":
        claim_unlink_appearance(claim=stale, user=user)
    else:
        claim_apply_changes(stale, {"statement": "Corrected wording"}, user=user,
                            reason="Corrected (verdict version 2)")

    stored = Claim.objects.get(pk=claim.pk)
    assert stored.version == 4
    assert stored.history.first().version == 4
    assert stored.history.first().history_user == user
