"""The desk's people, for the tests of claims/: an editor (logged in as client_ed) and an outsider
who is logged in but in no group."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests import factories


@pytest.fixture
def editor(db):
    user = factories.UserFactory(username="ed", first_name="Erin", last_name="Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def outsider(db):
    """Logged in, but in no group: may read, may not write."""
    return factories.UserFactory(username="guest")


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client
