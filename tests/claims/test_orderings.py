"""The claims table and the exports share one list of sort orders (filtersets.CLAIM_ORDERINGS),
so a download lists its rows in the order the editor saw."""

from claims.filtersets import CLAIM_DEFAULT_ORDERING, CLAIM_ORDERINGS, claim_ordering
from claims.tables import ClaimTable


def test_the_claims_table_offers_exactly_the_shared_orders():
    orderable = {
        name: tuple(column.order_by)
        for name, column in ClaimTable.base_columns.items()
        if column.orderable is not False
    }
    assert orderable == CLAIM_ORDERINGS


def test_claim_ordering_reads_the_sort_parameter():
    assert claim_ordering("status") == ("status", "-created_at", "-id")
    assert claim_ordering("-status") == ("-status", "created_at", "id")
    assert claim_ordering("-id") == ("-id",)
    for offered_nowhere in (None, "", "statement", "-statement", "nonsense"):
        assert claim_ordering(offered_nowhere) == CLAIM_DEFAULT_ORDERING
