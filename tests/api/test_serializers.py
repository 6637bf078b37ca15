"""The claims list builds its rows directly for speed: they must stay exactly what DRF's
generic walk over the declared fields gives, or the schema would lie."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework import serializers

from api.serializers.claims import ClaimSerializer
from claims.models import Tag
from claims.selectors.claims import claim_list_rows
from tests.factories import ClaimFactory, UserFactory
from tests.verdict_setup import make_verdict

pytestmark = pytest.mark.django_db


def test_the_fast_claim_row_is_the_declared_one():
    full = ClaimFactory(assignee=UserFactory(first_name="Åsa", last_name="Öberg"),
                       claimed_on=date(2026, 2, 28))
    full.tags.add(Tag.objects.create(name="economy"), Tag.objects.create(name="health"))
    make_verdict("published", author=UserFactory(), claim=full)
    bare = ClaimFactory(claimant=None, assignee=None, claimed_on=None)
    serializer = ClaimSerializer()
    rows = list(claim_list_rows().filter(pk__in=[full.pk, bare.pk]))
    assert len(rows) == 2
    for claim in rows:
        generic = serializers.ModelSerializer.to_representation(serializer, claim)
        assert serializer.to_representation(claim) == dict(generic)
    assert {r["rating_label"] for r in (serializer.to_representation(c) for c in rows)} == {
        "False", None}
