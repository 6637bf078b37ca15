"""Admin for API tokens: everyone's tokens without a secret, a revoke action through the
service, and making a token for a person, its plain text shown once in a message."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import ApiToken
from claims.services.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_changelist_and_change_page_show_no_secret(admin_client, admin_user):
    owner = factories.UserFactory(username="reporter")
    token, plain = api_token_create(user=owner, name="Slack bot", scopes=["read"])
    page = admin_client.get(reverse("admin:claims_apitoken_changelist")).content.decode()
    assert "Slack bot" in page and f"fct_{token.prefix}_…" in page and "reporter" in page
    change = admin_client.get(reverse("admin:claims_apitoken_change", args=[token.pk]))
    assert change.status_code == 200
    for text in (page, change.content.decode()):
        assert plain not in text
        assert token.digest not in text


def test_changelist_filters_by_status(admin_client):
    user = factories.UserFactory()
    active, _ = api_token_create(user=user, name="active one", scopes=["read"])
    expired, _ = api_token_create(user=user, name="expired one", scopes=["read"])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    revoked, _ = api_token_create(user=user, name="revoked one", scopes=["read"])
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    url = reverse("admin:claims_apitoken_changelist")
    for status, token in [("active", active), ("expired", expired), ("revoked", revoked)]:
        response = admin_client.get(url, {"status": status})
        assert list(response.context["cl"].queryset) == [token]


def test_changelist_makes_constant_queries(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:claims_apitoken_changelist")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    api_token_create(user=factories.UserFactory(), name="one", scopes=["read"])
    one = count()
    for n in range(5):
        api_token_create(user=factories.UserFactory(), name=f"t{n}", scopes=["write"])
    assert count() == one


def test_revoke_action_goes_through_the_service(admin_client):
    a, plain = api_token_create(user=factories.UserFactory(), name="a", scopes=["read"])
    b, _ = api_token_create(user=factories.UserFactory(), name="b", scopes=["read"])
    response = admin_client.post(reverse("admin:claims_apitoken_changelist"), {
        "action": "revoke_selected", "_selected_action": [a.pk, b.pk]}, follow=True)
    assert "2 token(s) revoked." in response.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert admin_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {plain}"}
                            ).status_code == 401


def test_admin_makes_a_token_for_a_person_shown_once(admin_client, admin_user):
    owner = factories.UserFactory(username="reporter")
    response = admin_client.post(reverse("admin:claims_apitoken_add"), {
        "user": owner.pk, "name": "CMS", "scopes": ["write"],
        "expires_at_0": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "expires_at_1": "12:00:00"}, follow=True)
    text = response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == owner and token.created_by == admin_user
    assert token.scopes == "read write" and token.expires_at is not None
    plain = re.search(r"fct_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", text).group(0)
    assert plain.startswith(f"fct_{token.prefix}_")
    assert "shown only this once" in text
    me = admin_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {plain}"}).json()
    assert me["username"] == "reporter"
    # Never again.
    again = admin_client.get(reverse("admin:claims_apitoken_change", args=[token.pk]))
    assert plain not in again.content.decode()


def test_admin_add_form_refuses_in_words(admin_client):
    owner = factories.UserFactory(username="reporter")
    response = admin_client.post(reverse("admin:claims_apitoken_add"), {
        "user": owner.pk, "name": "Old", "scopes": ["read"],
        "expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"})
    assert response.status_code == 200
    assert "The expiry must be in the future." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_a_staff_member_without_the_permission_cannot_make_tokens_for_others(client):
    staff = factories.UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:claims_apitoken_add"))
    assert response.status_code == 403
