"""The review cycle in real browsers: the editor drafts and submits a verdict; the reviewer,
in a second browser context, sends it back; the editor revises; the reviewer approves and
publishes; a reader with no login sees the fact-check and its ClaimReview JSON-LD."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from claims.choices import ClaimStatus, VerdictState
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Notification, Verdict
from tests.factories import ClaimFactory
from tests.verdict_setup import captured_source_evidence

# Migration data flushed by an earlier transactional test is put back by tests/conftest.py.
pytestmark = pytest.mark.e2e


def test_draft_review_send_back_revise_approve_publish(browser, live_server, log_in,
                                                       screenshot):
    ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="Unemployment fell by 12% last year",
                         status=ClaimStatus.RESEARCHING)
    evidence = captured_source_evidence(claim)
    claim_url = f"{live_server.url}{claim.get_absolute_url()}"

    editor = browser.new_context().new_page()
    reviewer = browser.new_context().new_page()
    log_in(editor, "editor")
    log_in(reviewer, "reviewer")

    # The editor drafts and submits.
    editor.goto(claim_url)
    panel = editor.locator("#verdict")
    panel.get_by_text("Draft a verdict", exact=True).click()  # folded until a draft exists
    panel.get_by_label("Rating").select_option(label="False")
    panel.get_by_label("One-line summary").fill("Unemployment rose; it did not fall.")
    panel.get_by_label("Rationale").fill("The statistics office reports a **rise** of 3%.")
    expect(panel.get_by_label(str(evidence.source), exact=False)).to_be_checked()
    panel.get_by_role("button", name="Save draft").click()
    expect(editor.get_by_text("Draft saved.")).to_be_visible()
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.get_by_text("Submitted for review.", exact=True)).to_be_visible()
    expect(editor.get_by_test_id("verdict-state")).to_have_text("Submitted for review")
    screenshot(editor, "verdict-1-editor-submitted")

    # The reviewer finds it in the queue and sends it back with a comment.
    reviewer.goto(f"{live_server.url}/review/")
    item = reviewer.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("First submission")
    item.get_by_role("link", name=claim.statement).click()
    reviewer.get_by_label("What needs to change?").fill("Say which year the 3% rise was.")
    reviewer.get_by_role("button", name="Send back for changes").click()
    expect(reviewer.get_by_text("Sent back to the author with your comment.")).to_be_visible()

    # The editor sees the comment (and a notification), revises and resubmits.
    editor.goto(claim_url)
    expect(editor.locator("#verdict").get_by_role("status")).to_contain_text(
        "Sent back by Robin Reviewer: Say which year the 3% rise was.")
    expect(editor.get_by_label("1 unread")).to_be_visible()
    screenshot(editor, "verdict-2-editor-sent-back")
    editor.locator("#verdict").get_by_label("Rationale").fill(
        "The statistics office reports a **rise** of 3% in 2011.")
    editor.get_by_role("button", name="Save draft").click()
    expect(editor.get_by_text("Draft saved.")).to_be_visible()
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.get_by_test_id("verdict-state")).to_have_text("Submitted for review")

    # The reviewer sees what changed, approves and publishes.
    reviewer.goto(f"{live_server.url}/review/")
    item = reviewer.get_by_test_id("queue-item")
    expect(item.locator("ins")).to_contain_text("in 2011.")
    screenshot(reviewer, "verdict-3-review-queue-diff")
    item.get_by_role("link", name=claim.statement).click()
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("Approved.", exact=True)).to_be_visible()
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.get_by_text("Published.", exact=True)).to_be_visible()
    expect(reviewer.get_by_test_id("verdict-state")).to_have_text("Published")
    reviewer.locator("#audit summary").click()
    # The trail arrives when the fold opens: every change, the publication among them.
    audit = reviewer.get_by_role("region", name="Audit history")
    expect(audit.get_by_role("row").filter(has_text="Verdict version 1 changed").first) \
        .to_be_visible()
    expect(audit).to_contain_text("Published")
    screenshot(reviewer, "verdict-4-reviewer-published")

    verdict = Verdict.objects.get(claim=claim)
    assert verdict.state == VerdictState.PUBLISHED and verdict.reviewer.username == "reviewer"
    assert Notification.objects.filter(recipient__username="editor",
                                       verb="published").exists()

    # A reader, not logged in, reads the fact-check and its JSON-LD parses.
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/fact-checks/")
    reader.get_by_role("link", name=claim.statement).click()
    expect(reader.get_by_test_id("summary")).to_have_text("Unemployment rose; it did not fall.")
    expect(reader.get_by_test_id("rationale")).to_contain_text("rise of 3% in 2011")
    expect(reader.get_by_role("link", name="our stored copy", exact=False)).to_be_visible()
    record = json.loads(
        reader.locator('script[type="application/ld+json"]').text_content())
    assert record["@type"] == "ClaimReview"
    assert record["claimReviewed"] == claim.statement
    assert record["reviewRating"]["alternateName"] == "False"
    screenshot(reader, "verdict-5-public-page")


def test_two_editors_saving_the_same_draft_see_a_conflict(browser, live_server, log_in,
                                                          screenshot):
    from django.contrib.auth import get_user_model

    from claims.services.verdicts import verdict_save_draft
    from tests.factories import default_rating

    users = ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="The end is in sight", status=ClaimStatus.RESEARCHING)
    verdict_save_draft(claim=claim, user=users["editor"], lock_version=None,
                                rating=default_rating("half-true"), summary="First draft",
                                rationale="Draft text.")
    get_user_model().objects.filter(username="admin").update(first_name="Ada")
    claim_url = f"{live_server.url}{claim.get_absolute_url()}"
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    log_in(first, "editor")
    log_in(second, "admin")
    first.goto(claim_url)
    second.goto(claim_url)  # both open the form at the same version

    first.locator("#verdict").get_by_label("Rationale").fill("Erin's careful rewrite.")
    first.get_by_role("button", name="Save draft").click()
    expect(first.get_by_text("Draft saved.")).to_be_visible()

    # Erin's draft is folded on Ada's page (her own drafts open by themselves).
    second.locator("#verdict").get_by_text("Edit the verdict", exact=True).click()
    second.locator("#verdict").get_by_label("Rationale").fill("Ada's different rewrite.")
    second.get_by_role("button", name="Save draft").click()
    expect(second.get_by_test_id("conflict-message")).to_contain_text(
        "Erin Editor saved this verdict")
    expect(second.get_by_test_id("their-rationale")).to_contain_text("Erin's careful rewrite.")
    expect(second.get_by_test_id("my-rationale")).to_contain_text("Ada's different rewrite.")
    expect(second.get_by_label("Rationale")).to_have_value("Ada's different rewrite.")
    screenshot(second, "verdict-6-conflict")
    assert Verdict.objects.get(claim=claim).rationale == "Erin's careful rewrite."

    # Saving again from the conflict page is a deliberate replacement.
    second.get_by_role("button", name="Save my version over theirs").click()
    expect(second.get_by_text("Draft saved.")).to_be_visible()
    assert Verdict.objects.get(claim=claim).rationale == "Ada's different rewrite."


def test_reader_sees_the_demo_correction_methodology_and_panel(browser, live_server, log_in,
                                                              screenshot):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    corrected = Verdict.objects.get(supersedes__isnull=False)
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/fact-checks/")
    expect(reader.get_by_test_id("fact-check")).to_have_count(3)
    screenshot(reader, "verdict-7-public-list")
    reader.get_by_role("link", name="Corrections").first.click()
    expect(reader.get_by_test_id("correction")).to_have_count(1)
    reader.get_by_role("link", name=corrected.claim.statement).click()
    expect(reader.get_by_label("Correction")).to_contain_text("31 October 2011")
    expect(reader.get_by_test_id("earlier-version")).to_contain_text("Version 1")
    screenshot(reader, "verdict-8-public-corrected")
    reader.get_by_role("link", name="Methodology").first.click()
    expect(reader.get_by_test_id("rating-level")).to_have_count(6)
    screenshot(reader, "verdict-9-methodology")

    editor = browser.new_context().new_page()
    log_in(editor, "editor")
    editor.goto(f"{live_server.url}{corrected.claim.get_absolute_url()}")
    expect(editor.get_by_text("Previous versions and corrections")).to_be_visible()
    screenshot(editor, "verdict-10-panel-corrected")
