"""The desk's permission backend (factcheck/auth.py) answers exactly as Django's
ModelBackend for every kind of person, in one query where Django makes two."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.auth import DeskModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _perm(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def _people():
    group = Group.objects.create(name="Desk test group")
    group.permissions.add(_perm("add_claim"), _perm("change_claim"))
    own = UserFactory()
    own.user_permissions.add(_perm("review_verdict"))
    grouped = UserFactory()
    grouped.groups.add(group)
    both = UserFactory()
    both.groups.add(group)
    both.user_permissions.add(_perm("change_claim"), _perm("publish_verdict"))
    return {"none": UserFactory(), "own": own, "grouped": grouped, "both": both,
            "superuser": UserFactory(is_superuser=True),
            "inactive": UserFactory(is_active=False, is_superuser=True)}


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_it_answers_as_djangos_model_backend_for_every_kind_of_person():
    people = _people()
    for kind, user in people.items():
        ours = DeskModelBackend().get_all_permissions(_fresh(user))
        assert ours == ModelBackend().get_all_permissions(_fresh(user)), kind
    both = DeskModelBackend().get_all_permissions(_fresh(people["both"]))
    assert both == {"claims.add_claim", "claims.change_claim", "claims.publish_verdict"}
    assert DeskModelBackend().get_all_permissions(_fresh(people["inactive"])) == set()
    assert len(DeskModelBackend().get_all_permissions(_fresh(people["superuser"]))) == \
        Permission.objects.count()


def test_one_query_a_request_and_a_change_counts_from_the_next():
    user = _fresh(_people()["grouped"])
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("claims.add_claim")
        assert not user.has_perm("claims.publish_verdict")
        assert user.has_perms(["claims.add_claim", "claims.change_claim"])
    assert len(queries) == 1
    user.user_permissions.add(_perm("publish_verdict"))
    assert _fresh(user).has_perm("claims.publish_verdict")


def test_the_settings_use_it():
    from django.conf import settings

    assert "factcheck.auth.DeskModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
