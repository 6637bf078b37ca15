"""The OpenAPI schema names the token scheme, and the documentation page is served from the
desk under its CSP (the browser side is tests/e2e/test_api_docs.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_schema_lists_the_token_security_scheme(client):
    response = client.get("/api/v1/schema/",
                          headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    schema = response.json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    # No session or basic scheme: the API takes tokens only.
    assert set(schema["components"]["securitySchemes"]) == {"apiToken"}
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert me["security"] == [{"apiToken": []}]
    assert set(me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
               .split("/")[-1:]) == {"Me"}


def test_docs_page_uses_no_inline_script_and_keeps_the_csp(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["script-src"] == "'self'"
    page = response.content.decode()
    assert "<script>" not in page.replace(" ", "")  # every script is a file from the desk
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in page
    assert "cdn" not in page.lower()


@pytest.mark.urls("tests.api.scope_urls")
def test_public_resources_are_read_without_a_token_in_the_schema(client):
    schema = client.get("/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
                        ).json()
    assert schema["paths"]["/public/"]["get"]["security"] == [{"apiToken": []}, {}]
    assert schema["paths"]["/public/"]["post"]["security"] == [{"apiToken": []}]
    assert schema["paths"]["/resource/"]["get"]["security"] == [{"apiToken": []}]
