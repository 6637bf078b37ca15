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
