"""The OpenAPI schema's finishing touch (a drf-spectacular postprocessing hook): every
operation documents the refusals any request can meet, with the one error body the API
always answers with (api/exceptions.py), so clients and schema checkers know them."""

from __future__ import annotations

from api.views.common import MAX_URL_LENGTH

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
    "400": "The request is not valid: `detail` and `errors` say why (a query parameter "
           "given more than once, or out of its bounds, included).",
    "401": "Not signed in, or the token is unknown, revoked or expired.",
    "403": "Refused: `detail` says why, in words. A caller who may not make a change hears "
           "so before anything in the request is read.",
    "404": "No such record: the id in the path, or a record or page (`cursor`) the request "
           "names, does not exist (`errors` says which, by field).",
    "406": "The API answers only in the formats listed here.",
    "414": f"The address is too long: the API reads at most {MAX_URL_LENGTH:,} characters of "
           "path and query string. Past the web server's own limit (a request line of 4,094 bytes "
           "under gunicorn), the server refuses it with its own HTML page.",
    "429": "Too many requests: wait the seconds in Retry-After.",
}
# A write the records, as they are now, do not allow (api/exceptions.py).
WRITES = {"409": "Refused for the records as they are now (a verdict already published, a "
                 "source already cited, a version older than the stored one): `detail` says "
                 "why; nothing was written."}
WITH_BODY = {
    "413": "The request body is too large.",
    "415": "Send JSON (Content-Type: application/json).",
}
# The web server's own refusal of a request line past its limit never reaches the API.
SERVER_PAGES = {"414": {"text/html": {"schema": {"type": "string"}}}}


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            extra = {**ALWAYS, **(WRITES if method != "get" else {}),
                     **(WITH_BODY if "requestBody" in operation else {})}
            for code, description in extra.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF},
                                **SERVER_PAGES.get(code, {})},
                })
    return result
