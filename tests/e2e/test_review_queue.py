"""A reviewer decides from the review queue in a real browser: reads the rationale and the
evidence there, sends one verdict back with a comment and approves another, never leaving
the queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.choices import ClaimStatus, VerdictState
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Verdict
from tests.factories import ClaimFactory
from tests.verdict_setup import make_verdict

pytestmark = pytest.mark.e2e


def test_reviewer_approves_and_sends_back_from_the_queue(page, live_server, log_in,
                                                         screenshot):
    users = ensure_demo_users(LoadReport())
    first = make_verdict("submitted", author=users["editor"],
                         claim=ClaimFactory(statement="Exports doubled since 2020",
                                            status=ClaimStatus.IN_REVIEW),
                         rationale="Customs data show exports **rose by 40%**, not 100%.")
    second = make_verdict("submitted", author=users["editor"],
                          claim=ClaimFactory(statement="Crime is at a 50-year low",
                                             status=ClaimStatus.IN_REVIEW))
    log_in(page, "reviewer")
    page.goto(f"{live_server.url}/review/")
    items = page.get_by_test_id("queue-item")
    expect(items).to_have_count(2)
    exports = items.filter(has_text="Exports doubled since 2020")
    expect(exports.get_by_test_id("queue-rationale")).to_contain_text("rose by 40%")
    expect(exports.get_by_test_id("queue-evidence")).to_contain_text("fetched")
    screenshot(page, "review-queue-actions")

    # Send the first back with a comment, typed and submitted from the keyboard.
    exports.get_by_label("What needs to change?").fill("Give the customs table's year.")
    exports.get_by_role("button", name="Send back for changes").press("Enter")
    expect(page.get_by_role("status").filter(has_text="Sent back to the author")
           ).to_contain_text("Exports doubled since 2020")
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    assert Verdict.objects.get(pk=first.pk).state == VerdictState.CHANGES_REQUESTED

    # Approve the second.
    crime = page.get_by_test_id("queue-item").filter(has_text="Crime is at a 50-year low")
    crime.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="Approved")).to_contain_text(
        "Crime is at a 50-year low")
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    assert page.url == f"{live_server.url}/review/"
    assert Verdict.objects.get(pk=second.pk).state == VerdictState.APPROVED
    screenshot(page, "review-queue-after")
