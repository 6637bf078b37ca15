"""Every API body is read within bounds (api/parsers.py): one nested deeper than the desk
reads, or larger than DATA_UPLOAD_MAX_MEMORY_SIZE, is refused with a JSON error in words,
never a 500 or a page of HTML; and a cursor nested deep is a forged cursor like any other."""

from __future__ import annotations

import base64

import pytest

from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2,000 bytes


def test_a_body_nested_a_thousand_deep_is_a_400_in_words(api):
    response = api["editor_author"].post("/api/v1/claims/", data=DEEP,
                                         content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body nests lists or objects 1,000 levels deep; the desk reads "
                  "at most 64 levels.",
        "code": "parse_error",
    }


def test_every_endpoint_that_takes_a_body_refuses_it_the_same_way(api):
    claim = ClaimFactory()
    deep_object = '{"url": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}"
    for method, path, body in [
        ("post", f"/api/v1/claims/{claim.pk}/sources/", deep_object),
        ("patch", f"/api/v1/claims/{claim.pk}/", DEEP),
    ]:
        response = getattr(api["editor_author"], method)(path, data=body,
                                                         content_type="application/json")
        assert response.status_code == 400, (path, response.content[:300])
        assert "levels deep; the desk reads at most 64 levels" in response.json()["detail"]


def test_a_body_nested_within_the_limit_reaches_the_serializer(api):
    shallow = "[" * 64 + "]" * 64
    response = api["editor_author"].post("/api/v1/claims/", data=shallow,
                                         content_type="application/json")
    assert response.status_code == 400
    assert "levels deep" not in response.json()["detail"]  # the serializer's own refusal


def test_a_body_larger_than_the_upload_limit_is_a_413_in_words(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"statement": "' + "x" * 2000 + '"}'
    response = api["editor_author"].post("/api/v1/claims/", data=body,
                                         content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1 KB; the desk reads at most that much.",
        "code": "too_large",
    }


def test_a_cursor_nested_deep_is_a_forged_cursor(api):
    client = api["editor_author"]
    forged = client.get("/api/v1/claims/", {"cursor": "not-a-cursor"})
    # Within the 4,000 characters the API reads of an address; past json's recursion limit.
    cursor = base64.urlsafe_b64encode(("[" * 1100 + "]" * 1100).encode()).decode()
    response = client.get("/api/v1/claims/", {"cursor": cursor})
    assert response.status_code == forged.status_code < 500
    assert response.json() == forged.json() and "cursor" in response.json()["errors"]
