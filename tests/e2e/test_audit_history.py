"""The claim page's "Audit history" fold: with JavaScript off it links to the trail's own
page (the fold's table comes through htmx otherwise: tests/e2e/test_verdict_flow.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_without_javascript_the_audit_history_opens_on_its_own_page(
    page_without_javascript, live_server, screenshot
):
    from claims.demo import LoadReport, ensure_demo_users
    from tests.factories import EvidenceFactory, PublishedVerdictFactory

    ensure_demo_users(LoadReport())
    verdict = PublishedVerdictFactory()
    claim = verdict.claim
    EvidenceFactory(claim=claim, source=None, stance="context", note="Asked the ministry.")
    page = page_without_javascript()
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    fold = page.locator("#audit")
    expect(fold.locator("summary")).to_contain_text("Audit history (")
    fold.locator("summary").click()
    fold.get_by_role("link", name="Open the audit history").click()

    expect(page.get_by_role("heading", name="Audit history of")).to_be_visible()
    trail = page.get_by_role("region", name="Audit history")
    expect(trail.get_by_role("row").filter(has_text="Claim created")).to_have_count(1)
    expect(trail).to_contain_text("Asked the ministry.")
    screenshot(page, "audit-history-page-without-javascript-1280")
    page.get_by_role("link", name="Back to the claim").click()
    assert page.url.endswith(f"{claim.get_absolute_url()}#verdict")
