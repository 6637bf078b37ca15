"""A correction reviewed with every change in view, in a real browser: an editor corrects a
published fact-check's statement and rating; the reviewer sees both changes marked in the
review queue, approves and publishes; the public corrections log shows both changes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from claims.demo import LoadReport, ensure_demo_users
from claims.services.verdicts import (
    verdict_approve,
    verdict_publish,
    verdict_save_draft,
    verdict_submit,
)
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, default_rating
from tests.verdict_setup import captured_source_evidence

pytestmark = pytest.mark.e2e

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_a_correction_is_reviewed_and_logged_with_every_change(browser, live_server, log_in,
                                                               screenshot):
    ensure_demo_users(LoadReport())
    users = get_user_model().objects
    editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
    article = ArticleFactory(
        title="Budget speech", outlet="Daily Planet",
        body="Budget day\n\nThe minister spoke for an hour. She said unemployment fell by 12 "
             "per cent last year, the best result in a decade. Critics disagreed.")
    claim = ClaimFactory(article=article, statement="Unemployment fell by 12% last year",
                         claimant=ClaimantFactory(name="Jane Roe", role="Finance minister"))
    captured_source_evidence(claim)
    verdict = verdict_save_draft(
        claim=claim, user=editor, lock_version=None, rating=default_rating(),
        summary="It rose by 3%.", rationale="The statistics office reports a **rise**.")
    verdict_submit(verdict=verdict, user=editor)
    verdict_approve(verdict=verdict, user=reviewer)
    verdict_publish(verdict=verdict, user=reviewer)

    # The editor corrects the statement and the rating.
    page = log_in(browser.new_context(viewport=WIDE).new_page(), "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    page.get_by_role("link", name="Start a correction").click()
    correction = page.locator("#correction")
    correction.get_by_label("Correction note").fill("The minister said 2%, not 12%.")
    correction.get_by_label("Claim statement").fill("Unemployment fell by 2% last year")
    correction.get_by_label("Rating").select_option(label="Half true")
    correction.get_by_role("button", name="Submit correction for review").click()
    expect(page.get_by_text("Correction submitted for review.", exact=False)).to_be_visible()

    # The reviewer sees both changes marked in the queue, with the quote in its sentence.
    queue = log_in(browser.new_context(viewport=WIDE).new_page(), "reviewer")
    queue.goto(f"{live_server.url}{reverse('claims:review-queue')}")
    item = queue.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("queue-quote")).to_contain_text(
        "She said unemployment fell by 12 per cent last year, the best result in a decade.")
    expect(item.get_by_test_id("queue-quote").locator("mark")).to_have_text(
        "unemployment fell by 12 per cent last year")
    changes = item.get_by_test_id("queue-changes")
    expect(changes).to_contain_text("compared with published version 1")
    statement = changes.get_by_test_id("change").filter(has_text="Statement")
    expect(statement.locator("del")).to_have_text("removed: 12%")
    expect(statement.locator("ins")).to_have_text(" added: 2%")
    rating = changes.get_by_test_id("change").filter(has_text="Rating")
    expect(rating.locator("del")).to_have_text("removed: False")
    expect(rating.locator("ins")).to_have_text(" added: Half true")
    expect(changes.get_by_test_id("unchanged")).to_have_text(
        "Unchanged: claimant, date claimed, quote, summary, rationale, evidence cited.")
    screenshot(queue, "review-correction-1-queue-1280")
    assert not blocking_violations(queue)
    queue.set_viewport_size(PHONE)
    statement.scroll_into_view_if_needed()
    assert queue.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(queue, "review-correction-2-queue-390")
    queue.set_viewport_size(WIDE)

    item.get_by_role("button", name="Approve").click()
    expect(queue.get_by_text("Nothing is waiting for review.")).to_be_visible()
    queue.goto(f"{live_server.url}{claim.get_absolute_url()}")
    panel = queue.get_by_test_id("claim-changes")
    expect(panel.get_by_test_id("change").filter(has_text="Statement").locator("ins")
           ).to_have_text(" added: 2%")
    expect(panel.get_by_test_id("change").filter(has_text="Rating").locator("ins")
           ).to_have_text(" added: Half true")
    panel.scroll_into_view_if_needed()
    screenshot(queue, "review-correction-claim-page")
    queue.get_by_role("button", name="Publish").click()
    expect(queue.get_by_text("Published.", exact=True)).to_be_visible()

    # Readers see both changes in the corrections log.
    reader = browser.new_context(viewport=WIDE).new_page()
    reader.goto(f"{live_server.url}{reverse('public:corrections')}")
    entry = reader.get_by_test_id("correction")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("link")).to_have_text("Unemployment fell by 2% last year")
    expect(entry).to_contain_text("The minister said 2%, not 12%.")
    logged = entry.get_by_test_id("change")
    expect(logged.filter(has_text="Statement").locator("del")).to_have_text("removed: 12%")
    expect(logged.filter(has_text="Statement").locator("ins")).to_have_text(" added: 2%")
    expect(logged.filter(has_text="Rating").locator("del")).to_have_text("removed: False")
    expect(logged.filter(has_text="Rating").locator("ins")).to_have_text(" added: Half true")
    expect(entry).not_to_contain_text("(unchanged)")
    screenshot(reader, "review-correction-3-log-1280")
    assert not blocking_violations(reader)
    reader.set_viewport_size(PHONE)
    assert reader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(reader, "review-correction-4-log-390")
