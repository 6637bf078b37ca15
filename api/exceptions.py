"""Refusals as JSON, in the services' own words (REST_FRAMEWORK's EXCEPTION_HANDLER).

The services refuse with Django's PermissionDenied and ValidationError, worded for people
(claims/permissions.py, claims/services): the API passes those words on unchanged, so a
refusal reads the same on the desk's page and in the API. A request the API reads as well
formed (its form is the schema's, checked by the serializers: a 400 otherwise) that a
service then refuses conflicts with the records as they are (409). Every error body has
`detail` (the words) and `code`; a refusal about particular fields adds `errors` by field;
a stale write (409) adds the stored version and record."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.boundedjson import TooLarge

NON_FIELD = "non_field_errors"


class StaleVersion(exceptions.APIException):
    """A write based on an older version than the one stored (409): nothing was written.
    Carries the stored version and the record as it is now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"

    def __init__(self, message: str, *, current_version: int | None, current: dict | None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current


class NotFoundInRequest(exceptions.ValidationError):
    """The request names, in its body or query string, a record (or a page) that does not
    exist: a 404, with the names by field. As the API answers an unknown id in its path, and
    as DRF's own pagination answers a cursor it did not give out; a request that is not
    well formed stays a 400."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [text for value in detail.values() for text in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [text for value in detail for text in _flatten(value)]
    return [str(detail)]


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(field): _flatten(value) for field, value in detail.items()}
    return {NON_FIELD: _flatten(detail)}


def refusal(exc: Exception) -> dict:
    """The JSON body for a service's refusal: its words, unchanged. A rule the request
    breaks only given the records as they are now (a verdict already published, a source
    already cited) is a conflict (409) with their state."""
    if isinstance(exc, DjangoPermissionDenied):
        words = " ".join(str(arg) for arg in exc.args) or "You cannot do that."
        return {"detail": words, "code": "permission_denied"}
    errors = (exc.message_dict if hasattr(exc, "error_dict")
              else {NON_FIELD: list(exc.messages)})
    errors = {NON_FIELD if field == "__all__" else field: msgs for field, msgs in errors.items()}
    return {"detail": " ".join(exc.messages), "code": "conflict", "errors": errors}


def api_exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return Response({"detail": str(exc.detail), "code": "stale_version",
                         "current_version": exc.current_version, "current": exc.current},
                        status=exc.status_code)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(refusal(exc), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        # A service refuses a request the API read as well formed (the schema and the
        # serializers check its form first): the records, as they are now, do not allow it.
        return Response(refusal(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):  # request.body past DATA_UPLOAD_MAX_MEMORY_SIZE
        words = TooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, subject="The request body")
        return Response({"detail": str(words), "code": "too_large"},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(" ".join(str(arg) for arg in exc.args) or None)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        messages = _flatten(exc.detail)
        response.data = {"detail": " ".join(messages), "code": exc.default_code,
                         "errors": _field_errors(exc.detail)}
    else:
        codes = exc.get_codes()
        response.data = {"detail": " ".join(_flatten(exc.detail)),
                         "code": codes if isinstance(codes, str) else exc.default_code}
    return response
