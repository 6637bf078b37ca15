"""The desk tables' paginator."""

from __future__ import annotations

from django.core.paginator import EmptyPage
from django_tables2.paginators import LazyPaginator

# Databases address rows with a signed 64-bit OFFSET and LIMIT; a page past that is past the
# end of any table (SQLite answered "datatype mismatch" and PostgreSQL "bigint out of range").
MAX_ROWS = 2**62


class DeskPaginator(LazyPaginator):
    """LazyPaginator (one row more than a page instead of COUNT(*)) that takes its page and
    page size from the query string safely: a page size outside 1..MAX_PER_PAGE means the
    default, and a page beyond any table is an empty page (shown as the first, with the
    table's "nothing here" text when it is empty), never an OFFSET the database refuses."""

    DEFAULT_PER_PAGE = 50
    MAX_PER_PAGE = 200

    def __init__(self, object_list, per_page, *args, **kwargs):
        try:
            per_page = int(per_page)
        except (TypeError, ValueError):
            per_page = self.DEFAULT_PER_PAGE
        if not 1 <= per_page <= self.MAX_PER_PAGE:
            per_page = self.DEFAULT_PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)

    def validate_number(self, number):
        number = super().validate_number(number)
        if number * self.per_page * (self.look_ahead + 1) > MAX_ROWS:
            raise EmptyPage("That page is past the end of the table.")
        return number
