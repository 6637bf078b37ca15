"""Token services: making (validation in words, write implies read, the secret returned
once), revoking (owner or administrator only, idempotent), recording last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims.models import ApiToken
from claims.models.tokens import token_digest
from claims.services import tokens as services
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_returns_the_plain_token_once_and_stores_its_digest():
    user = factories.UserFactory()
    token, plain = services.api_token_create(user=user, name="  CMS  ", scopes=["write"])
    assert token.name == "CMS" and token.scopes == "read write" and token.user == user
    assert token.digest == token_digest(plain) and plain.startswith(f"fct_{token.prefix}_")
    assert len(plain) == len("fct_") + 8 + 1 + 43
    assert token.status() == "active"
    other, other_plain = services.api_token_create(user=user, name="x", scopes=["read"])
    assert other.prefix != token.prefix and other_plain != plain


@pytest.mark.parametrize("kwargs, field", [
    ({"name": "", "scopes": ["read"]}, "name"),
    ({"name": "x" * 101, "scopes": ["read"]}, "name"),
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["admin"]}, "scopes"),
    ({"name": "x", "scopes": ["read"], "expires_at": timezone.now()}, "expires_at"),
])
def test_create_refuses_by_field(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        services.api_token_create(user=factories.UserFactory(), **kwargs)
    assert set(caught.value.message_dict) == {field}
    assert ApiToken.objects.count() == 0


def test_a_person_has_a_cap_on_active_tokens(monkeypatch):
    monkeypatch.setattr(services, "ACTIVE_TOKENS_PER_USER", 2)
    user = factories.UserFactory(username="busy")
    first, _ = services.api_token_create(user=user, name="a", scopes=["read"])
    services.api_token_create(user=user, name="b", scopes=["read"])
    with pytest.raises(ValidationError, match="busy already has 2 active tokens"):
        services.api_token_create(user=user, name="c", scopes=["read"])
    services.api_token_revoke(user=user, token=first)
    services.api_token_create(user=user, name="c", scopes=["read"])


def test_only_an_administrator_makes_or_revokes_another_persons_token():
    owner, stranger = factories.UserFactory(), factories.UserFactory()
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied, match="make an API token for another person"):
        services.api_token_create(user=stranger, owner=owner, name="x", scopes=["read"])
    token, _ = services.api_token_create(user=admin, owner=owner, name="x", scopes=["read"])
    assert token.user == owner and token.created_by == admin
    with pytest.raises(PermissionDenied, match="revoke another person's API token"):
        services.api_token_revoke(user=stranger, token=token)
    assert services.api_token_revoke(user=admin, token=token) is True
    assert services.api_token_revoke(user=owner, token=token) is False  # already revoked
    assert ApiToken.objects.get().status() == "revoked"


def test_expired_status():
    token, _ = services.api_token_create(
        user=factories.UserFactory(), name="x", scopes=["read"],
        expires_at=timezone.now() + timedelta(hours=1))
    assert token.status() == "active"
    assert token.status(now=timezone.now() + timedelta(hours=2)) == "expired"


def test_record_use_writes_at_most_once_a_minute(django_assert_num_queries):
    token, _ = services.api_token_create(user=factories.UserFactory(), name="x",
                                         scopes=["read"])
    now = timezone.now()
    with django_assert_num_queries(1):
        assert services.api_token_record_use(token=token, now=now) is True
    with django_assert_num_queries(0):
        assert services.api_token_record_use(token=token, now=now + timedelta(seconds=59)) \
            is False
    # Another process holding an older copy of the row: the conditional UPDATE writes nothing.
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used_at = None
    assert services.api_token_record_use(token=stale, now=now + timedelta(seconds=30)) is False
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now
    assert services.api_token_record_use(token=token, now=now + timedelta(seconds=61)) is True
