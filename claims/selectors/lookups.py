"""Query building blocks the selectors share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`field = ANY('{1,2,3}')` on PostgreSQL: a list of integer keys bound as one parameter,
    the array's text form, which PostgreSQL reads as an array of the field's type.

    `field__in=ids` binds one parameter per key, and so does a Python list bound as an array
    (the driver quotes each element in Python): with a few thousand keys (one export chunk)
    that costs more than the query itself, every chunk. Elsewhere (SQLite) it is a plain
    `IN`. Use it as an expression: `.filter(any_of("claim_id", ids))`."""

    lookup_name = "any_of"
    # The right-hand side is the whole list of keys, not one value of the field.
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(In(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # int(): only integers go into the array's text (the whole text is one parameter).
        keys = "{" + ",".join(map(str, map(int, self.rhs))) + "}"
        return f"{lhs} = ANY(%s)", (*lhs_params, keys)


def any_of(field: str, keys: Iterable[int]) -> AnyOf:
    """A filter: `field` is one of the integer `keys` (one parameter on PostgreSQL)."""
    return AnyOf(F(field), list(keys))
