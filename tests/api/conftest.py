"""The API's tests: people with tokens, and a client that presents one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from claims.services.tokens import api_token_create
from tests import factories


@pytest.fixture
def editor(db):
    user = factories.UserFactory(username="ed", first_name="Erin", last_name="Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


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
