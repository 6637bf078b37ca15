"""What the desk's views share: paging a table without COUNT(*), and putting a service's
ValidationError next to the field it is about."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tables2 import RequestConfig

from claims.paginators import DeskPaginator

PER_PAGE = 50


def paginate(request, table, per_page=PER_PAGE):
    # LazyPaginator asks for one row more than a page instead of COUNT(*) over the table.
    RequestConfig(
        request, paginate={"paginator_class": DeskPaginator, "per_page": per_page}
    ).configure(table)
    return table


def add_errors(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError next to the field it is about."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
