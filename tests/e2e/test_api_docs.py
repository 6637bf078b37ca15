"""The API's documentation page (Swagger UI, vendored) in a real browser under the desk's
CSP: no CSP violation in the console, the schema rendered with the token scheme, and a call
made from the page with a token."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from claims.services.tokens import api_token_create

pytestmark = pytest.mark.e2e


def test_docs_page_renders_the_schema_under_the_csp(page, live_server, demo_users,
                                                    screenshot):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    _, plain = api_token_create(user=get_user_model().objects.get(username="editor"),
                                name="Docs", scopes=["read"])

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("factcheck API")
    operation = page.locator(".opblock-summary", has_text="/api/v1/me/")
    expect(operation).to_be_visible()
    screenshot(page, "api-docs")

    # The token scheme, as the schema states it.
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    expect(dialog).to_contain_text("apiToken (http, Bearer)")
    dialog.locator("input").fill(plain)
    dialog.locator("button.modal-btn.authorize").click()  # labelled "Apply credentials"
    expect(dialog.get_by_text("Authorized")).to_be_visible()
    dialog.locator("button.btn-done").click()

    # A call from the page (connect-src 'self' allows it).
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    responses = page.locator(".responses-wrapper .live-responses-table")
    expect(responses).to_contain_text('"username": "editor"')
    screenshot(page, "api-docs-try-me")

    csp = [line for line in console
           if "Content Security Policy" in line or "Refused to" in line]
    assert not csp, csp
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
