"""The OpenAPI schema's finishing touch (a drf-spectacular postprocessing hook): every
operation documents the refusals any request can meet, with the one error body the API
always answers with (api/exceptions.py), so clients and schema checkers know them."""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: `detail` says why, in words; field errors are by field.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "code"],
}

ALWAYS = {
    "400": "The request is not valid: `detail` and `errors` say why.",
    "401": "Not signed in, or the token is unknown, revoked or expired.",
    "403": "Refused: `detail` says why, in words.",
    "404": "No such record.",
    "406": "The API answers only in the formats listed here.",
    "429": "Too many requests: wait the seconds in Retry-After.",
}
WITH_BODY = {"415": "Send JSON (Content-Type: application/json)."}


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            extra = {**ALWAYS, **(WITH_BODY if "requestBody" in operation else {})}
            for code, description in extra.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF}},
                })
    return result
