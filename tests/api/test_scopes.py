"""Scopes: a read token reads and is refused writes (403, in words); a write token writes as
far as its user may; public resources are read by anyone and written only with a write
token."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.urls("tests.api.scope_urls")


def test_read_token_reads_but_may_not_write(client, make_token, auth_header):
    _, plain = make_token(scopes=("read",), name="Reader")
    assert client.get("/resource/", headers=auth_header(plain)).status_code == 200
    response = client.post("/resource/", {}, content_type="application/json",
                           headers=auth_header(plain))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This token (“Reader”) has the read scope, and POST here needs the write scope. "
        "Make a token with the write scope on the desk's API tokens page.")
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/resource/", headers=auth_header(plain)).status_code \
            == 403


def test_write_token_reads_and_writes(client, make_token, auth_header):
    _, plain = make_token(scopes=("write",))
    assert client.get("/resource/", headers=auth_header(plain)).status_code == 200
    response = client.post("/resource/", {}, content_type="application/json",
                           headers=auth_header(plain))
    assert response.status_code == 201


def test_the_users_own_permissions_still_apply_below_the_scope(client, make_token,
                                                               auth_header):
    """A write token of someone in no group: the scope allows the POST, the service's
    permission check refuses it, in words."""
    guest = factories.UserFactory(username="guest")
    _, plain = make_token(scopes=("write",), user=guest)
    response = client.post("/resource/", {}, content_type="application/json",
                           headers=auth_header(plain))
    assert response.status_code == 403
    assert "You cannot log a claim: that needs the Editors role" in response.json()["detail"]


def test_a_view_may_declare_a_read_only_post(client, make_token, auth_header):
    _, plain = make_token(scopes=("read",))
    # The view's own rule (require log_claim) still runs; the scope let it through.
    response = client.post("/search/", {}, content_type="application/json",
                           headers=auth_header(plain))
    assert response.status_code == 201


@pytest.mark.django_db
def test_public_resource_is_read_by_anyone_and_written_only_with_write(
        client, make_token, auth_header):
    assert client.get("/public/").status_code == 200
    anonymous_write = client.post("/public/", {}, content_type="application/json")
    assert anonymous_write.status_code == 401
    _, read = make_token(scopes=("read",))
    assert client.get("/public/", headers=auth_header(read)).status_code == 200
    assert client.post("/public/", {}, content_type="application/json",
                       headers=auth_header(read)).status_code == 403
    _, write = make_token(scopes=("write",), name="Writer")
    assert client.post("/public/", {}, content_type="application/json",
                       headers=auth_header(write)).status_code == 201


@pytest.mark.django_db
def test_public_resource_still_refuses_a_bad_token(client):
    response = client.get("/public/", headers={"Authorization": "Bearer fct_nope"})
    assert response.status_code == 401
