"""What the API's views share: who may read, the keyset pagination's order, query
parameters read strictly, and the standard error responses each operation documents."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import ValidationError

from api.pagination import KeysetCursorPagination
from api.permissions import HasTokenScope, PublicReadTokenScope
from api.serializers.common import ConflictSerializer, ErrorSerializer
from claims.params import MAX_ID, has_nul, object_id
from claims.permissions import require

# A token whose scopes cover the method (api/permissions.py): anyone with one reads the
# desk; what they may write is the services' decision (claims/permissions.py), which the
# views also ask before each write. Published fact-checks are open to everyone.
DESK_READ = [permissions.IsAuthenticated, HasTokenScope]
PUBLIC_READ = [PublicReadTokenScope]

ERROR = OpenApiResponse(ErrorSerializer, description="Refused: `detail` says why, in words.")
CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="Based on an older version than the one stored: nothing was written; "
    "`current_version` and `current` are the stored ones.",
)


def allowed(user, action: str) -> None:
    """Refuse in the words of claims/permissions.py unless the user may take `action`."""
    require(user, action)


def id_param(request, name: str) -> int | None:
    """An id from the query string (None when absent); anything else is a 400 in words."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_ID:
        raise ValidationError({name: [f"“{raw}” is not an id: give a whole number from 1."]})
    return value


def text_param(request, name: str) -> str | None:
    """A text filter from the query string; one holding NUL matches nothing (None)."""
    raw = request.query_params.get(name, "")
    return None if has_nul(raw) else raw.strip()


def choice_param(request, name: str, choices) -> str:
    raw = request.query_params.get(name, "")
    if raw and raw not in dict(choices):
        names = ", ".join(dict(choices))
        raise ValidationError({name: [f"“{raw}” is not one of: {names}."]})
    return raw


def id_query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, description=description)


def choice_query(name: str, choices, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=list(dict(choices)), description=description)


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Desk resources, each listed and read one by one: signed-in readers, keyset pages in
    the view's `ordering`."""

    permission_classes = DESK_READ
    pagination_class = KeysetCursorPagination
    lookup_value_regex = "[0-9]+"
    ordering: tuple[str, ...] = ("-id",)

    def lookup_id(self) -> int:
        """The id in the URL; one no record can have (past the database's integers) is a
        404 like any unknown id, never an overflow."""
        pk = object_id(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if pk is None:
            raise Http404("No such record.")
        return pk

    def get_object(self):
        record = get_object_or_404(self.get_queryset(), pk=self.lookup_id())
        self.check_object_permissions(self.request, record)
        return record

    def record_or_404(self, model):
        """A bare record of `model` named by the URL (a write loads what it needs itself)."""
        return get_object_or_404(model, pk=self.lookup_id())

    def valid_body(self, serializer_class) -> dict:
        """The request's body as `serializer_class` reads it; one it refuses is a 400 in
        words, field by field."""
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def by_ids(self, queryset, **lookups):
        """`queryset` narrowed by each id the query string gives, e.g. by_ids(rows,
        claim="claim_id") keeps one claim's rows when ?claim= is there (not an id: a 400)."""
        for name, lookup in lookups.items():
            value = id_param(self.request, name)
            if value is not None:
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def by_choice(self, queryset, name: str, choices):
        """`queryset` narrowed to the rows whose field `name` is the query string's value
        of `name`, when given (not one of `choices`: a 400 that names them)."""
        value = choice_param(self.request, name, choices)
        return queryset.filter(**{name: value}) if value else queryset

    def list_page(self, queryset, serializer_class=None):
        page = self.paginate_queryset(queryset)
        serializer = (serializer_class or self.get_serializer_class())(
            page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)
