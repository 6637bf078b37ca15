"""The desk's people, for the tests of claims/: the editor (tests/conftest.py) logged in as
client_ed, and an outsider who is logged in but in no group."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def outsider(db):
    """Logged in, but in no group: may read, may not write."""
    return factories.UserFactory(username="guest")


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client
