"""A person makes an API token on the desk's page, uses it from Python (httpx) against the
live server, revokes it on the page, and the next call is refused with 401."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from claims.models import ApiToken

pytestmark = pytest.mark.e2e


def test_make_use_and_revoke_a_token(page, live_server, log_in, demo_users, screenshot):
    log_in(page, "editor")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("Transcript importer")
    page.get_by_label("Write").check()
    page.get_by_role("button", name="Make token").click()

    expect(page.get_by_role("heading", name="Token “Transcript importer” created")).to_be_visible()
    plain = page.get_by_label("Your new token").input_value()
    assert plain.startswith("fct_")
    expect(page.get_by_text("shown only this once")).to_be_visible()
    screenshot(page, "api-tokens-created")
    problems = [v["id"] for v in Axe().run(page).response["violations"]
                if v["impact"] in ("serious", "critical")]
    assert not problems, problems

    # From a script, as a newsroom tool would.
    me = httpx.get(f"{live_server.url}/api/v1/me/",
                   headers={"Authorization": f"Bearer {plain}"}, timeout=10)
    assert me.status_code == 200
    assert me.json()["username"] == "editor"
    assert me.json()["token"]["scopes"] == ["read", "write"]

    # Back on the page: the token is listed, used just now, and its secret is gone.
    page.goto(f"{live_server.url}/account/api-tokens/")
    row = page.get_by_role("row", name="Transcript importer")
    expect(row).to_contain_text("read write")
    expect(row).to_contain_text("Active")
    expect(row.get_by_role("cell").nth(4)).not_to_have_text("never")
    assert plain not in page.content()

    row.get_by_text("Revoke…").click()
    expect(row.get_by_text("stop working at once")).to_be_visible()
    screenshot(page, "api-tokens-confirm-revoke")
    row.get_by_role("button", name="Revoke “Transcript importer”").click()
    expect(page.get_by_role("status").filter(has_text="revoked: it no longer works")
           ).to_be_visible()
    expect(page.get_by_role("row", name="Transcript importer")).to_contain_text("Revoked")
    screenshot(page, "api-tokens-revoked")

    refused = httpx.get(f"{live_server.url}/api/v1/me/",
                        headers={"Authorization": f"Bearer {plain}"}, timeout=10)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert ApiToken.objects.get().revoked_at is not None


def test_copy_button_copies_the_new_token(page, live_server, log_in, demo_users):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "editor")
    page.goto(f"{live_server.url}/account/api-tokens/")
    page.get_by_label("Name").fill("Copied")
    page.get_by_role("button", name="Make token").click()
    plain = page.get_by_label("Your new token").input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied. Keep it somewhere safe")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == plain
