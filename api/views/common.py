"""What the API's views share: who may read, the keyset pagination's order, query
parameters read strictly (each at most once), URLs within bounds, and the standard error
responses each operation documents."""

from __future__ import annotations

from django.forms import ModelChoiceField
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.defaults import page_not_found
from django_filters.rest_framework import (
    CharFilter,
    ChoiceFilter,
    DateFilter,
    DjangoFilterBackend,
    ModelChoiceFilter,
    NumberFilter,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import APIException, ValidationError

from api.exceptions import NotFoundInRequest
from api.pagination import KeysetCursorPagination
from api.permissions import HasTokenScope, PublicReadTokenScope
from api.serializers.common import NO_NUL, ConflictSerializer, ErrorSerializer
from claims.params import MAX_ID, has_nul, object_id
from claims.permissions import ACTIONS, has_permission, require

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


# The longest URL (path and query string) the API reads. Below gunicorn's request-line
# limit (4,094 bytes with the method and protocol), so the API itself refuses a longer one,
# in JSON, before the web server would with its own page.
MAX_URL_LENGTH = 4000


class URITooLong(APIException):
    status_code = status.HTTP_414_REQUEST_URI_TOO_LONG
    default_code = "uri_too_long"
    default_detail = (f"This address is too long: the API reads at most {MAX_URL_LENGTH:,} "
                      "characters of path and query string.")


def allowed(user, action: str) -> None:
    """Refuse in the words of claims/permissions.py unless the user may take `action`.
    Views ask before they read the body, so a caller who may not write learns nothing
    about its fields."""
    require(user, action)


def may(user, action: str) -> bool:
    """Whether the user's role allows `action` (claims/permissions.py's ACTIONS)."""
    return has_permission(user, ACTIONS[action][0])


def once(name: str, given: int) -> str:
    return f"Give “{name}” once: it takes one value ({given} given)."


def refuse_repeated_params(request) -> None:
    """A 400 in words naming each query parameter given more than once: every parameter of
    the API takes one value, and reading only the first or the last would be a guess."""
    repeated = {name: [once(name, len(values))]
                for name, values in request.query_params.lists() if len(values) > 1}
    if repeated:
        raise ValidationError(repeated)


def single_value(request, name: str) -> str | None:
    """The query string's one value of `name` (None when absent); more than one is a 400."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: [once(name, len(values))]})
    return values[0] if values else None


def id_param(request, name: str) -> int | None:
    """An id from the query string (None when absent); anything else is a 400 in words."""
    raw = single_value(request, name)
    if raw is None:
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
    raw = single_value(request, name) or ""
    return None if has_nul(raw) else raw.strip()


def choice_param(request, name: str, choices) -> str:
    """One of `choices` from the query string ("" when absent); anything else, the empty
    value included, is a 400 that names them."""
    raw = single_value(request, name)
    if raw is None:
        return ""
    if raw not in dict(choices):
        names = ", ".join(name for name in dict(choices) if name)
        raise ValidationError({name: [f"“{raw}” is not one of: {names}."]})
    return raw


def id_query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                            description=description)


def choice_query(name: str, choices, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=list(dict(choices)), description=description)


NO_SUCH_ADDRESS = "No such address in the API: the schema at /api/v1/schema/ lists them all."


def not_found(request, exception=None):
    """The site's handler404 (factcheck/urls.py): under /api/ the API's error body, in
    JSON, for an address no route serves (a record's id with a dot or a slash, a resource
    the API does not have); elsewhere the desk's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NO_SUCH_ADDRESS, "code": "not_found"},
                            status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


EMPTY = {"type": "string", "maxLength": 0}


def filter_parameters(filterset_class, descriptions: dict[str, str]) -> list[OpenApiParameter]:
    """The schema of a FilterSet's query parameters as ApiFilterBackend reads them: each
    may be empty (a desk form's blank field: no filter), else an id from 1 (a record's, or
    an article's; "null" for none where the filter offers it; the record's name where the
    filter takes one), a date, one of its choices or text without NUL."""
    parameters = []
    for name, query_filter in filterset_class.base_filters.items():
        names = []
        if isinstance(query_filter, ModelChoiceFilter | NumberFilter):
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            # A filter that also takes the record's name (the tag's: TagNameFilter).
            if getattr(query_filter, "name_max_length", None):
                names = [{"type": "string", "minLength": 1,
                          "maxLength": query_filter.name_max_length, "pattern": NO_NUL}]
        elif isinstance(query_filter, DateFilter):
            schema = {"type": "string", "format": "date"}
        elif isinstance(query_filter, ChoiceFilter):
            schema = {"type": "string", "enum": [value for value, _label
                                                  in query_filter.extra["choices"]]}
        elif isinstance(query_filter, CharFilter):
            parameters.append(OpenApiParameter(
                name, {"type": "string", "pattern": NO_NUL},
                description=descriptions.get(name, query_filter.label or "")))
            continue
        else:
            continue
        # "null" names no record where the filter offers it (the desk's "Nobody").
        nobody = ([{"type": "string", "enum": [query_filter.null_value]}]
                  if query_filter.extra.get("null_label") else [])
        parameters.append(OpenApiParameter(
            name, {"anyOf": [schema, *names, EMPTY, *nobody]},
            description=descriptions.get(name, query_filter.label or "")))
    return parameters


class ApiFilterBackend(DjangoFilterBackend):
    """The FilterSet's query parameters (the desk's table filters, so a desk URL's query
    string works as it is: a blank one is no filter): one naming a record that does not
    exist (a claimant, an assignee) is a 404 by field, as a body naming one is; any other
    value the filters refuse, a 400."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        for name, query_filter in filterset.filters.items():
            raw = request.query_params.get(name)
            if raw and isinstance(query_filter, NumberFilter) and object_id(raw) is None:
                raise ValidationError({name: [
                    f"“{raw}” is not an id: give a whole number from 1."]})
        if not filterset.is_valid():
            errors = filterset.errors.get_json_data()
            if all(error["code"] == "invalid_choice" and name in filterset.filters
                   and isinstance(filterset.filters[name].field, ModelChoiceField)
                   for name, field_errors in errors.items() for error in field_errors):
                raise NotFoundInRequest({name: [error["message"] for error in field_errors]
                                         for name, field_errors in errors.items()})
            raise ValidationError(filterset.errors)
        return filterset.qs


def _leaves(errors):
    """The codes of a serializer's errors, however nested."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _leaves(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _leaves(value)
    else:
        yield getattr(errors, "code", None)


class StrictRequests:
    """For every API view: a URL longer than MAX_URL_LENGTH is a 414, and a query parameter
    given more than once a 400 (every parameter of the API takes one value), both in JSON
    and before anything else is read."""

    def initial(self, request, *args, **kwargs):
        if len(request.get_full_path()) > MAX_URL_LENGTH:
            raise URITooLong()
        refuse_repeated_params(request)
        super().initial(request, *args, **kwargs)


class ResourceViewSet(StrictRequests, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Desk resources, each listed and read one by one: signed-in readers, keyset pages in
    the view's `ordering`. Any path segment reaches the view as the id (api/routes.py): one
    that is not an id is a 404 like an unknown one."""

    permission_classes = DESK_READ
    pagination_class = KeysetCursorPagination
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
        words, field by field, unless all it names wrongly is records that do not exist (a
        404, field by field)."""
        body = serializer_class(data=self.request.data)
        if not body.is_valid():
            if all(code == "does_not_exist" for code in _leaves(body.errors)):
                raise NotFoundInRequest(body.errors)
            raise ValidationError(body.errors)
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
