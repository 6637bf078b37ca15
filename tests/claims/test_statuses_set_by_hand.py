"""Which statuses a person sets by hand is one rule (services.claims.STATUSES_SET_BY_HAND):
the claim page's form, the bulk bar and the API offer exactly those, and the service moves
a claim to each of them and to no other."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from api.serializers.claims import ClaimStatusSerializer
from claims.choices import ClaimStatus
from claims.forms.claims import BulkActionForm, ClaimStatusForm
from claims.services.claims import STATUSES_SET_BY_HAND, claim_set_status
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_every_door_offers_the_same_statuses():
    by_hand = [status.value for status in STATUSES_SET_BY_HAND]
    assert by_hand == ["new", "researching", "not_checkable"]
    assert [value for value, _ in ClaimStatusForm().fields["status"].choices] == by_hand
    assert [value for value, _ in BulkActionForm().fields["status"].choices if value] == by_hand
    assert list(ClaimStatusSerializer().fields["status"].choices) == by_hand


@pytest.mark.parametrize("status", [ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED])
def test_the_service_refuses_every_other_status(status):
    claim = ClaimFactory(status=ClaimStatus.RESEARCHING)
    with pytest.raises(ValidationError, match="its status follows its verdict"):
        claim_set_status(claim=claim, status=status)


def test_the_services_check_who_writes_whichever_door_it_comes_through():
    """A write made for a person is checked by the service itself, not only by the desk's
    view or the API: a task, a command or an admin action asking for someone without the
    role is refused in the same words."""
    from django.core.exceptions import PermissionDenied

    from claims.services.claims import claim_assign, claim_update
    from claims.services.sources import evidence_add, source_attach
    from tests.factories import UserFactory

    claim = ClaimFactory(status=ClaimStatus.RESEARCHING)
    nobody = UserFactory()  # in no group
    for write in (
        lambda: claim_set_status(claim=claim, status=ClaimStatus.NEW, user=nobody),
        lambda: claim_assign(claim=claim, assignee=nobody, user=nobody),
        lambda: claim_update(claim=claim, version=claim.version, statement="Changed",
                             claimant=None, claimed_on=None, user=nobody),
        lambda: source_attach(claim=claim, url="https://example.org/report", user=nobody),
        lambda: evidence_add(claim=claim, stance="context", note="A note", user=nobody),
    ):
        with pytest.raises(PermissionDenied, match="needs the Editors role"):
            write()
    claim.refresh_from_db()
    assert (claim.status, claim.assignee, claim.statement, claim.evidence.count()) == (
        ClaimStatus.RESEARCHING, None, claim.statement, 0)
