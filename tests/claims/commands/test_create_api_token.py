"""create_api_token: prints a working token (only the token, on stdout) and refuses in
words."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def test_prints_a_token_that_works(client):
    factories.UserFactory(username="reporter")
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "reporter", "--name", "curl", "--scope", "write",
                 "--expires-days", "30", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert plain.startswith(f"fct_{token.prefix}_") and "\n" not in plain
    assert token.scopes == "read write" and token.expires_at is not None
    assert "not shown again" in err.getvalue()
    me = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {plain}"})
    assert me.json()["username"] == "reporter"


def test_refuses_in_words():
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("create_api_token", "nobody")
    factories.UserFactory(username="reporter")
    with pytest.raises(CommandError, match="The expiry must be in the future"):
        call_command("create_api_token", "reporter", "--expires-days", "-1")
