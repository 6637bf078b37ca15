"""The Reports page in a real browser: choosing "One claim" shows the claim search and hides
the other scopes' fields; a claim is found by its words and chosen from the suggestions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ClaimFactory, PublishedVerdictFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_report_on_one_claim_found_by_searching(page, live_server, screenshot):
    exports = ClaimFactory(statement="Exports doubled since 2020")
    PublishedVerdictFactory(claim=exports, summary="They rose by 40%.")
    PublishedVerdictFactory(claim=ClaimFactory(statement="Crime is at a 50-year low"))
    user = UserFactory(username="reporter")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/reports/")
    # The default scope, dates: its fields show, the claim search and article id do not.
    expect(page.get_by_label("Published from")).to_be_visible()
    expect(page.get_by_role("combobox", name="Claim", exact=True)).to_be_hidden()
    expect(page.get_by_label("Article id")).to_be_hidden()

    page.get_by_label("One claim").check()
    search = page.get_by_role("combobox", name="Claim", exact=True)
    expect(search).to_be_visible()
    for hidden in ("Published from", "Published until", "Article id", "Status"):
        expect(page.get_by_label(hidden, exact=True)).to_be_hidden()
    expect(page.get_by_label("Only published verdicts")).to_be_visible()

    search.fill("exports")
    page.get_by_role("button", name="Choose Exports doubled since 2020").click()
    expect(page.locator("#report-claim-chosen")).to_contain_text("Exports doubled since 2020")
    expect(page.locator("#id_claim")).to_have_value(str(exports.pk))
    screenshot(page, "reports-claim-search")
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator("article.claim")).to_have_count(1)
    expect(page.locator("article.claim")).to_contain_text("Exports doubled since 2020")
    expect(page.locator("article.claim")).to_contain_text("They rose by 40%.")
