"""Cursor pagination on the list's own sort keys (keyset pagination).

Every list is ordered on an indexed tuple of columns ending on the pk (the claims table's
CLAIM_ORDERINGS, or a view's `ordering`). A page is the rows after the last row of the page
before, compared on that whole tuple, so a page costs one indexed range scan however deep
it is, and rows added or removed meanwhile never make a page skip or repeat a row. DRF's
CursorPagination positions on the first sort key only and counts an offset past its ties,
which on a status column (a hundred thousand claims "new") would scan them all."""

from __future__ import annotations

import base64
import binascii
import json
from collections import OrderedDict

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.exceptions import NotFoundInRequest
from claims import boundedjson
from claims.params import whole_number

INVALID_CURSOR = "This cursor is not one the API gave out (or it belongs to another order)."


def _field(model, key: str):
    return model._meta.get_field(key.lstrip("-"))


def ordering_expressions(model, keys: tuple[str, ...]) -> list:
    """order_by() terms for `keys`. A nullable column sorts its NULLs where PostgreSQL's
    default index order puts them (last going up, first going down), on every database, so
    the cursor knows where they are."""
    terms = []
    for key in keys:
        name, descending = key.lstrip("-"), key.startswith("-")
        if not _field(model, key).null:
            terms.append(key)
        elif descending:
            terms.append(F(name).desc(nulls_first=True))
        else:
            terms.append(F(name).asc(nulls_last=True))
    return terms


def _after(model, keys: tuple[str, ...], values: list) -> Q:
    """Rows strictly after the row whose sort keys are `values`, in the order of `keys`."""
    after = Q(pk__in=[])  # nothing
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        name, descending = key.lstrip("-"), key.startswith("-")
        if value is None:
            # NULLs come first going down (everything non-null is after them), last going up.
            beyond = Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            if not descending and _field(model, key).null:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        after |= equal & beyond
        equal &= same
    first = keys[0]
    if values[0] is not None and not _field(model, first).null:
        # The same condition, said so the index's first column bounds the scan.
        after &= Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}":
                      values[0]})
    return after


def encode_cursor(keys: tuple[str, ...], values: list) -> str:
    raw = json.dumps({"o": list(keys), "v": values}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(model, keys: tuple[str, ...], cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = boundedjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(data, dict) or data.get("o") != list(keys):
            raise ValueError
        raw = data["v"]
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError
        values = []
        for key, value in zip(keys, raw, strict=True):
            field = _field(model, key)
            if value is not None and not isinstance(value, str | int):
                raise ValueError
            values.append(None if value is None else field.to_python(value))
            if value is None and not field.null:
                raise ValueError
        return values
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error,
            DjangoValidationError, FieldDoesNotExist, OverflowError):
        raise NotFoundInRequest({"cursor": [INVALID_CURSOR]}) from None


def _json_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class KeysetCursorPagination(BasePagination):
    """`?cursor=` (opaque, from the `next` link; one the API did not give out is a 404,
    as DRF's CursorPagination answers it) and `?page_size=` (1 to 100, 50 by default;
    anything else a 400). The view names its order: `get_ordering_keys(request)` or
    `ordering`."""

    page_size = 50
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        """`page_size` as the schema bounds it: absent, the default; anything but a whole
        number from 1 to max_page_size is a 400 in words, never quietly another size."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"“{raw}” is not a page size: give a whole number from 1 to "
                f"{self.max_page_size}."]})
        return size

    def get_ordering_keys(self, request, view) -> tuple[str, ...]:
        if hasattr(view, "get_ordering_keys"):
            return tuple(view.get_ordering_keys(request))
        return tuple(view.ordering)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        model = queryset.model
        keys = self.get_ordering_keys(request, view)
        size = self.get_page_size(request)
        queryset = queryset.order_by(*ordering_expressions(model, keys))
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            queryset = queryset.filter(_after(model, keys, _decode(model, keys, cursor)))
        rows = list(queryset[: size + 1])
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = encode_cursor(
                keys, [_json_value(getattr(last, key.lstrip("-"))) for key in keys])
        return rows

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response(OrderedDict([("next", self.get_next_link()), ("results", data)]))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string", "nullable": True, "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param, "required": False, "in": "query",
                "description": "Where the page starts: the `cursor` of the `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "required": False, "in": "query",
                "description": f"Rows a page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
