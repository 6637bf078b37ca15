"""The API's tests: people with tokens, and a client that presents one; and the roles of
tests/verdict_setup.py, each with an API client holding a read-and-write token of theirs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from claims.services.tokens import api_token_create
from tests.verdict_setup import make_roles


@pytest.fixture
def make_token(editor):
    """make_token(scopes=("read",), user=editor, **kw) → (ApiToken, plain text)."""

    def make(scopes=("read",), user=None, name="Script", **kwargs):
        return api_token_create(user=user or editor, name=name, scopes=scopes, **kwargs)

    return make


def bearer(plain: str, keyword: str = "Bearer") -> dict:
    return {"Authorization": f"{keyword} {plain}"}


@pytest.fixture
def auth_header():
    return bearer


def api_client_for(user=None, scopes=("read", "write")) -> APIClient:
    """An API client presenting a real token of `user` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        _token, plain = api_token_create(user=user, name="Tests", scopes=scopes)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def roles(db):
    return make_roles()


@pytest.fixture
def api(roles):
    """api["reviewer"] is an API client with the reviewer's read-and-write token;
    api[None] is anonymous."""
    clients = {name: api_client_for(user) for name, user in roles.items()}
    clients[None] = api_client_for()
    return clients
