"""Query building blocks the selectors share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`field = ANY(%s)` on PostgreSQL: a list of keys bound as one array parameter.

    `field__in=ids` binds one parameter per key: with a few thousand keys (one export chunk)
    preparing and quoting them costs more than the query itself, every chunk. Elsewhere (SQLite)
    it is a plain `IN`. Use it as an expression: `.filter(any_of("claim_id", ids))`."""

    lookup_name = "any_of"
    # The right-hand side is the whole list, handed to the driver as it is (an array).
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(In(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def any_of(field: str, values: Iterable) -> AnyOf:
    """A filter: `field` is one of `values` (a list, bound as one parameter on PostgreSQL)."""
    return AnyOf(F(field), list(values))
