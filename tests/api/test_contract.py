"""The API keeps the contract its schema states: every answer is JSON in the one error
shape, whatever the address; each query parameter is read once and within its bounds; a
body's fields are of the JSON types the schema gives; a caller who may not write hears so
before anything in the request is read; a request naming a record that does not exist is a
404, and one the records as they are refuse a 409."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from claims.models import Claimant
from tests.api.conftest import api_client_for
from tests.factories import ClaimantFactory, ClaimFactory
from tests.verdict_setup import make_verdict, user_in

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/claims/abc/"),
    ("get", "/api/v1/verdicts/%C2%84/"),
    ("get", "/api/v1/claims/1.5/"),
    ("get", "/api/v1/published/x/"),
    ("post", "/api/v1/verdicts/abc/submit/"),
    ("post", "/api/v1/claims/0.5/status/"),
    ("patch", "/api/v1/claims/abc/"),
    ("get", "/api/v1/no-such-resource/"),
    ("delete", "/api/v1/claims/1/sources/2/"),
])
def test_an_address_that_names_no_record_is_a_json_404(api, method, path):
    response = getattr(api["editor_author"], method)(path, {}, format="json")
    assert_json_error(response, 404, "not_found")


def test_an_id_past_the_database_integers_is_a_json_404(api):
    assert_json_error(api["editor_author"].get(f"/api/v1/claims/{10**30}/"), 404, "not_found")


@pytest.mark.parametrize("query", [
    "claim=1&claim=2",
    "state=draft&state=draft",
    "page_size=5&page_size=5",
    "cursor=a&cursor=b",
])
def test_a_parameter_given_twice_is_a_400_that_names_it(api, query):
    body = assert_json_error(api["editor_author"].get(f"/api/v1/verdicts/?{query}"), 400,
                             "invalid")
    name = query.split("=")[0]
    assert body["errors"] == {name: [f"Give “{name}” once: it takes one value (2 given)."]}


def test_a_desk_filter_given_twice_is_a_400_too(api):
    response = api["editor_author"].get("/api/v1/claims/?status=new&status=researching")
    assert assert_json_error(response, 400, "invalid")["errors"]["status"]


@pytest.mark.parametrize("size", ["101", "0", "-1", "ten", "", "1.5"])
def test_a_page_size_outside_1_to_100_is_a_400(api, size):
    body = assert_json_error(api["editor_author"].get(f"/api/v1/claims/?page_size={size}"),
                             400, "invalid")
    assert "page_size" in body["errors"]


def test_a_page_size_of_100_is_one_page_of_100(api):
    assert api["editor_author"].get("/api/v1/claims/?page_size=100").status_code == 200


def test_an_address_longer_than_the_api_reads_is_a_json_414(api):
    response = api["editor_author"].get("/api/v1/claims/?q=" + "x" * 4000)
    body = assert_json_error(response, 414, "uri_too_long")
    assert "4,000 characters" in body["detail"]


def test_a_claims_list_filter_naming_no_record_is_a_404_and_a_blank_one_no_filter(api):
    ClaimFactory()
    missing = assert_json_error(api["editor_author"].get("/api/v1/claims/?claimant=999999"),
                                404, "not_found")
    assert list(missing["errors"]) == ["claimant"]
    blank = api["editor_author"].get("/api/v1/claims/?q=&status=&claimant=&created_from=&sort=")
    assert blank.status_code == 200 and len(blank.json()["results"]) == 1
    assert_json_error(api["editor_author"].get("/api/v1/claims/?sort=AAA"), 400, "invalid")


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Ada", "organisation": 0}, "organisation"),
    ({"name": 7}, "name"),
    ({"name": "Ada", "role": ["Minister"]}, "role"),
    ({"name": "   "}, "name"),
    ({"name": "Ada\x00"}, "name"),
])
def test_a_body_field_of_another_json_type_is_a_400_by_field(api, body, field):
    response = api["editor_author"].post("/api/v1/claimants/", body, format="json")
    assert field in assert_json_error(response, 400, "invalid")["errors"]
    assert not Claimant.objects.exists()


@pytest.mark.parametrize(("value", "ok"), [(0, False), ("true", False), (True, True)])
def test_a_boolean_is_true_or_false(api, value, ok):
    response = api["editor_author"].post("/api/v1/articles/", {
        "title": "T", "body": "Words.", "repeat_ok": value}, format="json")
    assert response.status_code == (201 if ok else 400)


def test_a_body_naming_a_record_that_does_not_exist_is_a_404_by_field(api):
    response = api["editor_author"].post("/api/v1/verdicts/", {
        "claim": 999999, "lock_version": None}, format="json")
    body = assert_json_error(response, 404, "not_found")
    assert list(body["errors"]) == ["claim"]


def test_a_well_formed_request_the_records_refuse_is_a_409_in_their_words(api, roles):
    verdict = make_verdict("published", author=roles["editor_author"])
    response = api["editor_author"].post(f"/api/v1/verdicts/{verdict.pk}/submit/",
                                         {"lock_version": verdict.lock_version}, format="json")
    body = assert_json_error(response, 409, "conflict")
    assert "this verdict is published" in body["detail"]


@pytest.mark.parametrize(("status", "reason", "code"), [
    ("not_checkable", "", 400), ("not_checkable", "  ", 400), ("in_review", "", 400),
    ("not_checkable", "An opinion.", 200), ("researching", "", 200),
])
def test_a_status_body_is_one_the_schema_allows(api, status, reason, code):
    claim = ClaimFactory()
    response = api["editor_author"].post(f"/api/v1/claims/{claim.pk}/status/", {
        "version": claim.version, "status": status, "reason": reason}, format="json")
    assert response.status_code == code, response.json()


def write_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path) for path, operations in schema["paths"].items()
            for method in operations if method in ("post", "patch", "put", "delete")]


def test_every_write_operation_is_in_the_no_group_test():
    assert len(write_operations()) >= 14


@pytest.mark.parametrize(("method", "path"), write_operations())
@pytest.mark.parametrize("body", [{}, {"claim": "x", "lock_version": "y", "url": 5}])
def test_a_user_in_no_group_is_refused_before_anything_is_read(method, path, body):
    """With a write token, a user who may write nothing hears 403 in words, never which
    fields are missing or wrong, nor whether the record in the path exists."""
    claim = ClaimFactory()
    client = api_client_for(user_in("nobody"), scopes=("read", "write"))
    for existing in (claim.pk, 999999):
        url = re.sub(r"\{[^}]+\}", str(existing), path)
        response = getattr(client, method)(url, body, format="json")
        body_read = assert_json_error(response, 403, "permission_denied")
        assert "errors" not in body_read
        assert "role" in body_read["detail"]


def test_a_user_in_no_group_cannot_add_a_claimant_whatever_the_body(api):
    client = api_client_for(user_in("nobody"), scopes=("read", "write"))
    response = client.post("/api/v1/claimants/", {"name": ClaimantFactory().name},
                           format="json")
    assert_json_error(response, 403, "permission_denied")
