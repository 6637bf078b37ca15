"""Personal API tokens at the API's door: Bearer (or Token) works; missing, garbage,
revoked and expired tokens get 401 at once with the reason in words; last use is recorded
at most once a minute; sessions are not an API authentication and tokens open no desk page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import ApiToken
from claims.services.tokens import api_token_revoke

ME = "/api/v1/me/"


def test_bearer_token_reaches_me_with_its_user_and_scopes(client, editor, make_token,
                                                           auth_header):
    token, plain = make_token(scopes=("write",), name="CMS")
    response = client.get(ME, headers=auth_header(plain))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ed"
    assert body["name"] == "Erin Editor"
    assert body["token"]["name"] == "CMS"
    assert body["token"]["scopes"] == ["read", "write"]  # write implies read
    assert body["token"]["prefix"] == f"fct_{token.prefix}_…"
    assert plain.startswith(f"fct_{token.prefix}_")


def test_token_keyword_is_accepted_too(client, make_token, auth_header):
    _, plain = make_token()
    assert client.get(ME, headers=auth_header(plain, "Token")).status_code == 200
    assert client.get(ME, headers=auth_header(plain, "bearer")).status_code == 200


def test_the_plain_token_is_not_stored(make_token):
    token, plain = make_token()
    row = ApiToken.objects.values().get(pk=token.pk)
    assert plain not in {str(v) for v in row.values()}
    assert plain.split("_", 2)[2] not in str(row)
    assert len(row["digest"]) == 64


def _refused(response, *words):
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    detail = response.json()["detail"]
    for word in words:
        assert word in detail
    return detail


@pytest.mark.django_db
def test_missing_token_is_401(client):
    _refused(client.get(ME), "credentials were not provided")


@pytest.mark.django_db
@pytest.mark.parametrize("header", [
    "Bearer fct_nothing_here",
    "Bearer " + "x" * 500,
    "Token garbage",
])
def test_garbage_token_is_401(client, header):
    _refused(client.get(ME, headers={"Authorization": header}), "not valid")


@pytest.mark.django_db
def test_malformed_header_is_401(client):
    _refused(client.get(ME, headers={"Authorization": "Bearer two parts"}), "one token")
    _refused(client.get(ME, headers={"Authorization": "Bearer"}), "one token")


def test_revoked_token_is_401_at_once(client, editor, make_token, auth_header):
    token, plain = make_token(name="Old script")
    assert client.get(ME, headers=auth_header(plain)).status_code == 200
    api_token_revoke(user=editor, token=token)
    _refused(client.get(ME, headers=auth_header(plain)), "“Old script”", "revoked")


def test_expired_token_is_401(client, make_token, auth_header):
    token, plain = make_token(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(ME, headers=auth_header(plain)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(client.get(ME, headers=auth_header(plain)), "expired")


def test_token_of_a_disabled_account_is_401(client, editor, make_token, auth_header):
    _, plain = make_token()
    editor.is_active = False
    editor.save()
    _refused(client.get(ME, headers=auth_header(plain)), "disabled")


def test_last_use_is_written_at_most_once_a_minute(client, make_token, auth_header,
                                                   django_assert_num_queries):
    token, plain = make_token()
    assert token.last_used_at is None
    # First use: the token's row (with its user) and one UPDATE of last_used_at.
    with django_assert_num_queries(2):
        assert client.get(ME, headers=auth_header(plain)).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # A burst within the minute: reads only, no write.
    for _ in range(5):
        with django_assert_num_queries(1):
            assert client.get(ME, headers=auth_header(plain)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    # Over a minute later: written again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    client.get(ME, headers=auth_header(plain))
    token.refresh_from_db()
    assert token.last_used_at > first


@pytest.mark.django_db
def test_a_session_is_not_an_api_authentication(client, editor):
    client.force_login(editor)
    assert client.get(reverse("claims:dashboard")).status_code == 200  # signed in
    _refused(client.get(ME), "credentials were not provided")


def test_a_token_opens_no_desk_page(client, make_token, auth_header):
    _, plain = make_token(scopes=("write",))
    response = client.get(reverse("claims:dashboard"), headers=auth_header(plain))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = client.get(reverse("claims:api-tokens"), headers=auth_header(plain))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_token_posts_to_no_desk_form(make_token, auth_header):
    """A form POST with a token and no CSRF token: refused by the CSRF check before any view
    runs, and the view would not see a user anyway."""
    from django.test import Client

    _, plain = make_token(scopes=("write",))
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("claims:api-token-create"), {"name": "x", "scopes": "read"},
                           headers=auth_header(plain))
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1
    client = Client()  # without the CSRF check: still not signed in
    response = client.post(reverse("claims:api-token-create"), {"name": "x", "scopes": "read"},
                           headers=auth_header(plain))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert ApiToken.objects.count() == 1
