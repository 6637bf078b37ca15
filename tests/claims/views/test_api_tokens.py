"""The API tokens page: the signed-in person's own tokens, making one (its plain text shown
once, on that answer only), revoking one; constant queries; nobody else's tokens."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import ApiToken
from claims.services.tokens import api_token_create, api_token_revoke
from tests import factories

PAGE = "/account/api-tokens/"


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(queries)


def test_the_page_is_in_the_navigation(client_ed):
    response = client_ed.get(reverse("claims:dashboard"))
    assert f'href="{PAGE}">API tokens</a>' in response.content.decode()
    assert reverse("claims:api-tokens") == PAGE


def test_lists_own_tokens_with_their_details_and_nobody_elses(client_ed, editor):
    other = factories.UserFactory(username="someone")
    api_token_create(user=other, name="Not yours", scopes=["read"])
    active, _ = api_token_create(user=editor, name="CMS publishing", scopes=["write"],
                                 expires_at=timezone.now() + timedelta(days=3))
    revoked, _ = api_token_create(user=editor, name="Old script", scopes=["read"])
    api_token_revoke(user=editor, token=revoked)
    expired, _ = api_token_create(user=editor, name="Trial", scopes=["read"])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client_ed.get(PAGE).content.decode()
    assert "Expired" in page
    assert "CMS publishing" in page and "Old script" in page
    assert "Not yours" not in page
    assert f"fct_{active.prefix}_…" in page
    assert "read write" in page
    assert "Active" in page and "Revoked" in page
    assert active.digest not in page
    # A revoke button for the active token only.
    assert reverse("claims:api-token-revoke", args=[active.pk]) in page
    assert reverse("claims:api-token-revoke", args=[revoked.pk]) not in page


def test_page_makes_constant_queries(client_ed, editor):
    api_token_create(user=editor, name="one", scopes=["read"])
    one = _queries(client_ed)
    for n in range(6):
        api_token_create(user=editor, name=f"more {n}", scopes=["write"])
    assert _queries(client_ed) == one


def test_create_shows_the_token_once(client_ed, editor):
    response = client_ed.post(reverse("claims:api-token-create"), {
        "name": "Transcript importer", "scopes": ["read", "write"],
        "expires_on": (date.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=editor)
    page = response.content.decode()
    start = page.index('id="new-token-value" value="') + len('id="new-token-value" value="')
    plain = page[start:page.index('"', start)]
    assert plain.startswith(f"fct_{token.prefix}_")
    assert "shown only this once" in page
    assert token.scopes == "read write"
    assert token.created_by == editor
    assert timezone.localtime(token.expires_at).date() == date.today() + timedelta(days=31)
    # The page again: the token's beginning, never its secret.
    again = client_ed.get(PAGE).content.decode()
    assert plain not in again
    assert f"fct_{token.prefix}_…" in again
    # And it works.
    me = client_ed.get("/api/v1/me/", headers={"Authorization": f"Bearer {plain}"})
    assert me.json()["token"]["scopes"] == ["read", "write"]


def test_write_alone_includes_read(client_ed, editor):
    client_ed.post(reverse("claims:api-token-create"), {"name": "w", "scopes": ["write"]})
    assert ApiToken.objects.get(user=editor).scopes == "read write"


@pytest.mark.parametrize("data, field, words", [
    ({"name": "", "scopes": ["read"]}, "name", "Give the token a name"),
    ({"name": "x", "scopes": []}, "scopes", "Choose a scope"),
    ({"name": "x", "scopes": ["admin"]}, "scopes", "Select a valid choice"),
    ({"name": "x", "scopes": ["read"], "expires_on": "2001-01-01"}, "expires_on",
     "The expiry must be in the future"),
    ({"name": "x", "scopes": ["read"], "expires_on": "not a date"}, "expires_on",
     "Enter a valid date"),
])
def test_create_refuses_in_words_beside_the_field(client_ed, data, field, words):
    response = client_ed.post(reverse("claims:api-token-create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert f'id="id_{field}_error"' in page
    assert ApiToken.objects.count() == 0
    assert 'id="new-token-value"' not in page


def test_revoke_own_token(client_ed, editor):
    token, plain = api_token_create(user=editor, name="Bot", scopes=["read"])
    response = client_ed.post(reverse("claims:api-token-revoke", args=[token.pk]), follow=True)
    assert "Token “Bot” revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_ed.get("/api/v1/me/", headers={"Authorization": f"Bearer {plain}"}
                         ).status_code == 401


def test_nobody_revokes_another_persons_token_from_the_page(client_ed):
    other = factories.UserFactory(username="someone")
    token, _ = api_token_create(user=other, name="Theirs", scopes=["read"])
    response = client_ed.post(reverse("claims:api-token-revoke", args=[token.pk]), follow=True)
    assert "You cannot revoke another person&#x27;s API token" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(reverse("claims:api-token-create"), {"name": "x", "scopes": "read"})
    assert response.status_code == 302
    assert ApiToken.objects.count() == 0


def test_the_forms_keep_their_csrf_check(editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("claims:api-token-create"), {"name": "x", "scopes": "read"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == 0
