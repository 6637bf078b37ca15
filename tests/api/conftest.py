"""The API tests' people and clients: the roles of tests/verdict_setup.py, each with an
API client signed in as them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.verdict_setup import make_roles


def api_client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def roles(db):
    return make_roles()


@pytest.fixture
def api(roles):
    """api["reviewer"] is an API client signed in as the reviewer; api[None] is anonymous."""
    clients = {name: api_client_for(user) for name, user in roles.items()}
    clients[None] = api_client_for()
    return clients
