"""A published fact-check in a real browser: the claim page tells the editor it is published
and offers "Start a correction" instead of the edit form; the correction carries the new
statement, and readers see nothing of it until a second person approves and publishes it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from claims.choices import ClaimStatus
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Verdict
from claims.services.verdicts import (
    verdict_approve,
    verdict_publish,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import ClaimFactory, default_rating
from tests.verdict_setup import captured_source_evidence

pytestmark = pytest.mark.e2e


def test_published_claim_offers_a_correction_not_an_edit(browser, live_server, log_in,
                                                         screenshot):
    ensure_demo_users(LoadReport())
    users = get_user_model().objects
    editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
    claim = ClaimFactory(statement="Unemployment fell by 12% last year",
                         status=ClaimStatus.RESEARCHING)
    captured_source_evidence(claim)
    verdict = verdict_save_draft(
        claim=claim, user=editor, lock_version=None, rating=default_rating(),
        summary="It rose by 3%.", rationale="The statistics office reports a **rise**.")
    verdict_submit(verdict=verdict, user=editor)
    verdict_approve(verdict=verdict, user=reviewer)
    verdict_publish(verdict=verdict, user=reviewer)

    page = log_in(browser.new_context().new_page(), "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    notice = page.get_by_test_id("claim-published")
    expect(notice).to_contain_text("This fact-check is published.")
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(page.get_by_role("button", name="Save tags")).to_be_visible()
    screenshot(page, "published-claim-1-notice")

    notice.get_by_role("link", name="Start a correction").click()
    correction = page.locator("#correction")
    expect(correction).to_have_attribute("open", "")  # the link opened the folded section
    correction.get_by_label("Correction note").fill("The minister said 2%, not 12%.")
    correction.get_by_label("Claim statement").fill("Unemployment fell by 2% last year")
    screenshot(page, "published-claim-2-correction")
    correction.get_by_role("button", name="Submit correction for review").click()
    expect(page.get_by_text("Correction submitted for review.", exact=False)).to_be_visible()
    statement = page.get_by_test_id("claim-changes").get_by_test_id("change")
    expect(statement).to_contain_text("Unemployment fell by removed: 12% added: 2% last year")

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/fact-checks/{claim.pk}/")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Unemployment fell by 12% last year")
    correction_verdict = Verdict.objects.get(claim=claim, is_current=True)
    assert correction_verdict.claim_changes == {"statement": "Unemployment fell by 2% last year"}
