"""any_of: a filter on a list of integer keys, one parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from claims.selectors.lookups import any_of
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_any_of_selects_the_same_rows_as_in():
    claims = [ClaimFactory() for _ in range(5)]
    ids = [c.pk for c in claims]
    missing = max(ids) + 1000
    for keys in ([], [ids[0]], ids[1:4], [*ids, missing], [missing]):
        found = set(Claim.objects.filter(any_of("id", keys)).values_list("id", flat=True))
        assert found == set(Claim.objects.filter(id__in=keys).values_list("id", flat=True))
        assert found == set(keys) - {missing}
    # Through a foreign key's column too, and combined with other filters.
    article_ids = [claims[0].article_id, claims[2].article_id]
    assert set(Claim.objects.filter(any_of("article_id", article_ids), id__gt=ids[0])
               .values_list("id", flat=True)) == {ids[2]}


def test_any_of_binds_one_parameter_on_postgresql():
    ids = [ClaimFactory().pk for _ in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        assert len(list(Claim.objects.filter(any_of("id", ids)))) == 3
    sql = ctx.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and "IN (" not in sql
    else:
        assert "IN (" in sql


def test_any_of_takes_only_integers():
    with pytest.raises(ValueError):
        list(Claim.objects.filter(any_of("id", ["1}", "2"])))
