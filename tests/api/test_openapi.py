"""The OpenAPI schema is valid OpenAPI 3 (drf-spectacular's own validator, the JSON schema of
the specification), complete (every route the router serves is in it, with its operations)
and says what every refusal looks like."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.support.urlmap import API_KINDS, EXPECTED

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 specification
    assert schema["openapi"].startswith("3.")


def test_every_resource_route_is_in_the_schema(schema):
    paths = set(schema["paths"])
    for name in EXPECTED:
        if not name.startswith("api:") or EXPECTED[name] not in API_KINDS:
            continue
        if name in ("api:schema", "api:docs", "api:api-root"):
            continue  # the schema, its page and the router's index describe the others
        resource = name.removeprefix("api:")
        assert any(_route_name(path) == resource for path in paths), f"{name} not in schema"


def _route_name(path: str) -> str:
    parts = [p for p in path.removeprefix("/api/v1/").strip("/").split("/") if p]
    base = {"claims": "claim", "articles": "article", "claimants": "claimant",
            "sources": "source", "captures": "capture", "evidence": "evidence",
            "verdicts": "verdict", "published": "published", "factchecks": "factcheck",
            "me": "me"}[parts[0]]
    if base == "me":
        return "me"
    if len(parts) == 1:
        return f"{base}-list"
    if len(parts) == 2:  # /factchecks/{id}/, or a list-level action such as /factchecks/match/
        return f"{base}-detail" if parts[1].startswith("{") else f"{base}-{parts[1]}"
    action = {"status": "set-status"}.get(parts[2], parts[2])
    return f"{base}-{action}"


def test_every_operation_documents_its_refusals_in_one_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("400", "401", "403", "404", "406", "414", "429"):
                assert code in responses, f"{method.upper()} {path} does not document {code}"
                assert "application/json" in responses[code]["content"]
            if method != "get":
                assert "409" in responses, f"{method.upper()} {path} can conflict"
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), f"{method.upper()} {path} takes JSON"


def test_updates_and_workflow_actions_document_the_409(schema):
    for path in ("/api/v1/claims/{id}/", "/api/v1/claims/{id}/status/",
                 "/api/v1/verdicts/", *(f"/api/v1/verdicts/{{id}}/{action}/" for action in (
                     "submit", "request-changes", "approve", "publish", "correct"))):
        method = "patch" if path == "/api/v1/claims/{id}/" else "post"
        conflict = schema["paths"][path][method]["responses"]["409"]
        ref = conflict["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][ref.split("/")[-1]]
        assert {"current_version", "current"} <= set(body["properties"]), path


def test_the_claims_list_takes_the_desk_filters_and_orders(schema):
    params = {p["name"]: p for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    for name in ("q", "status", "rating", "claimant", "article", "assignee", "tag",
                 "created_from", "created_to", "claimed_from", "claimed_to", "sort", "cursor",
                 "page_size"):
        assert name in params, name
    # An id, or empty as a desk form's blank field leaves it (no filter).
    assert params["rating"]["schema"]["anyOf"][0]["type"] == "integer"
    assert params["rating"]["schema"]["anyOf"][1] == {"type": "string", "maxLength": 0}
    assert "-claimed_on" in params["sort"]["schema"]["enum"]
