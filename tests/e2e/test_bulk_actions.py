"""The claims table's bulk bar in a real browser, used as a person uses it: choosing the
action and its value before or after ticking the claims. Choosing never reloads the table
(which once reset the bar to "Assign to" / "Nobody" and cleared the ticks, so a status
change unassigned the claims instead), the bar keeps its choices while a filter reloads the
table, and the page says what was done to each claim."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from claims.choices import ClaimStatus
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Claim
from tests.factories import ClaimFactory, UserFactory
from tests.verdict_setup import make_verdict

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db):
    users = ensure_demo_users(LoadReport())
    users["ana"] = UserFactory(username="ana", first_name="Ana", last_name="")
    return users


def track_table_loads(page) -> list[str]:
    """The claims table's reloads (htmx requests for /claims/) from now on."""
    loads: list[str] = []

    def heard(request):
        if request.headers.get("hx-request") and urlparse(request.url).path == "/claims/":
            loads.append(request.url)

    page.on("request", heard)
    return loads


def bar(page):
    return page.locator("#bulk-form")


def tick(page, *claims) -> None:
    for claim in claims:
        page.get_by_label(f"Select claim #{claim.pk}", exact=True).check()


def expect_ticked(page, *claims) -> None:
    for claim in claims:
        expect(page.get_by_label(f"Select claim #{claim.pk}", exact=True)).to_be_checked()


def choose_status(page, label: str) -> None:
    bar(page).get_by_label("Bulk action").select_option(label="Set status to")
    bar(page).get_by_label("New status").select_option(label=label)


def expect_message(page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text="claim")).to_have_text(text)


def settle(page) -> None:
    """Give a reload that choosing might have started time to arrive (it must not)."""
    page.wait_for_timeout(800)


def test_set_status_chosen_before_ticking(page, live_server, log_in, users, screenshot):
    first, second = (ClaimFactory(assignee=users["reviewer"]) for _ in range(2))
    untouched = ClaimFactory(assignee=users["reviewer"])
    log_in(page, "editor")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/claims/")
    loads = track_table_loads(page)

    choose_status(page, "Researching")
    settle(page)
    tick(page, first, second)
    settle(page)
    assert loads == [], "choosing a bulk action reloaded the table"
    expect(bar(page).get_by_label("Bulk action")).to_have_value("status")
    expect(bar(page).get_by_label("New status")).to_have_value("researching")
    expect_ticked(page, first, second)
    # Only the fields the chosen action needs can be filled in.
    expect(bar(page).get_by_label("Assignee")).to_be_disabled()
    expect(bar(page).get_by_label("Reason (for not checkable)")).to_be_disabled()
    screenshot(page, "bulk-status-chosen-1280")
    page.get_by_role("button", name="Apply to selected claims").click()

    expect_message(page, "2 claims set to Researching.")
    screenshot(page, "bulk-status-done-1280")
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.RESEARCHING
        assert claim.assignee == users["reviewer"]
    untouched.refresh_from_db()
    assert untouched.status == ClaimStatus.NEW


def test_set_status_chosen_after_ticking(page, live_server, log_in, users):
    first, second = (ClaimFactory(assignee=users["reviewer"]) for _ in range(2))
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/")
    loads = track_table_loads(page)

    tick(page, first, second)
    choose_status(page, "Researching")
    settle(page)
    assert loads == [], "choosing a bulk action reloaded the table"
    expect_ticked(page, first, second)
    page.get_by_role("button", name="Apply to selected claims").click()

    expect_message(page, "2 claims set to Researching.")
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.RESEARCHING
        assert claim.assignee == users["reviewer"]


def test_published_claim_is_skipped_with_its_reason(page, live_server, log_in, users,
                                                    screenshot):
    first, second = (ClaimFactory(assignee=users["reviewer"]) for _ in range(2))
    published = make_verdict("published", author=users["editor"],
                             approver=users["reviewer"]).claim
    log_in(page, "editor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/claims/")

    tick(page, first)
    choose_status(page, "Researching")
    tick(page, second, published)
    expect_ticked(page, first, second, published)
    screenshot(page, "bulk-status-chosen-390")
    page.get_by_role("button", name="Apply to selected claims").click()

    expect_message(page, "2 claims set to Researching; 1 skipped: its fact-check is published.")
    screenshot(page, "bulk-status-skipped-390")
    assert Claim.objects.get(pk=published.pk).status == ClaimStatus.PUBLISHED
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.RESEARCHING
        assert claim.assignee == users["reviewer"]


def test_choices_survive_a_filter_reload(page, live_server, log_in, users):
    """Narrowing the table after choosing the action keeps the bar as chosen."""
    new = ClaimFactory(assignee=users["reviewer"])
    ClaimFactory(status=ClaimStatus.NOT_CHECKABLE, not_checkable_reason="Opinion")
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/")

    choose_status(page, "Researching")
    with page.expect_response(lambda r: "status=new" in r.url):
        page.locator("#claim-filter-form").get_by_label("Status", exact=True).select_option(
            label="New")
    expect(page.locator("#claims-table tbody tr")).to_have_count(1)
    expect(bar(page).get_by_label("Bulk action")).to_have_value("status")
    expect(bar(page).get_by_label("New status")).to_have_value("researching")
    tick(page, new)
    page.get_by_role("button", name="Apply to selected claims").click()

    expect_message(page, "1 claim set to Researching.")
    assert parse_qs(urlparse(page.url).query)["status"] == ["new"]  # the narrowed table
    new.refresh_from_db()
    assert new.status == ClaimStatus.RESEARCHING and new.assignee == users["reviewer"]


def test_assign_and_unassign(page, live_server, log_in, users):
    robin, ana = users["reviewer"], users["ana"]
    first, second, already = ClaimFactory(assignee=robin), ClaimFactory(), ClaimFactory(
        assignee=ana)
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/")

    tick(page, first, second, already)
    bar(page).get_by_label("Bulk action").select_option(label="Assign to")
    bar(page).get_by_label("Assignee").select_option(label="Ana")
    expect_ticked(page, first, second, already)
    expect(bar(page).get_by_label("New status")).to_be_disabled()
    page.get_by_role("button", name="Apply to selected claims").click()
    expect_message(page, "2 claims assigned to Ana; 1 already was.")
    assert set(Claim.objects.filter(assignee=ana).values_list("pk", flat=True)) == {
        first.pk, second.pk, already.pk}
    assert {c.status for c in Claim.objects.all()} == {ClaimStatus.NEW}

    tick(page, first)
    bar(page).get_by_label("Bulk action").select_option(label="Assign to")
    bar(page).get_by_label("Assignee").select_option(label="Nobody")
    page.get_by_role("button", name="Apply to selected claims").click()
    expect_message(page, "1 claim unassigned.")
    assert Claim.objects.get(pk=first.pk).assignee is None
    assert Claim.objects.get(pk=second.pk).assignee == ana


def test_an_incomplete_choice_is_refused_before_sending(page, live_server, log_in, users):
    """The browser asks for what is missing (the server refuses it too: tests/claims/views/
    test_bulk.py); nothing is sent and nothing changes."""
    claim = ClaimFactory(assignee=users["reviewer"])
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    tick(page, claim)
    apply = page.get_by_role("button", name="Apply to selected claims")
    apply.click()
    assert bar(page).get_by_label("Bulk action").evaluate("el => el.validationMessage")
    bar(page).get_by_label("Bulk action").select_option(label="Set status to")
    apply.click()
    status = bar(page).get_by_label("New status")
    assert status.evaluate("el => el.validationMessage")
    assert bar(page).get_by_label("Bulk action").evaluate("el => el.validity.valid")
    bar(page).get_by_label("Bulk action").select_option(label="Assign to")
    apply.click()
    assert bar(page).get_by_label("Assignee").evaluate("el => el.validationMessage")
    settle(page)
    assert posts == []
    expect_ticked(page, claim)
    claim.refresh_from_db()
    assert claim.assignee == users["reviewer"] and claim.status == ClaimStatus.NEW
