"""In-page (htmx) forms answer in words, in a real browser: each is sent empty and with bad
values, and the message appears beside the field it is about while what was typed stays.
A failure that is not about the form (a server error, no network) is said beside the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.choices import SourceStatus
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Evidence, Source
from tests.e2e.helpers import unfold
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def desk(transactional_db):
    ensure_demo_users(LoadReport())
    return ClaimFactory()


def test_add_evidence_without_a_note_says_why_and_keeps_the_input(page, live_server, log_in,
                                                                  screenshot, desk):
    claim = desk
    log_in(page, "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    unfold(page, "Add an evidence note")
    form = page.get_by_role("form", name="Add evidence")
    form.get_by_label("Stance").select_option("refutes")
    form.get_by_label("Excerpt").fill("A passage worth keeping")
    form.get_by_role("button", name="Add evidence").click()
    note = form.get_by_label("Note")
    expect(page.locator("#id_note_error")).to_have_text(
        "Write a note: evidence that cites no source is its note.")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Excerpt")).to_have_value("A passage worth keeping")
    expect(form.get_by_label("Stance")).to_have_value("refutes")
    screenshot(page, "inpage-evidence-empty")



def test_refetch_refused_is_said_beside_the_source(page, live_server, log_in, screenshot, desk):
    claim = desk
    source = SourceFactory(status=SourceStatus.FAILED)
    Evidence.objects.create(claim=claim, source=source, stance="context")
    log_in(page, "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    # Someone else's re-fetch started meanwhile.
    Source.objects.filter(pk=source.pk).update(status=SourceStatus.FETCHING)
    page.get_by_role("button", name="Re-fetch").click()
    expect(page.locator(f"#source-status-{source.pk}")).to_contain_text(
        "This source is being fetched right now; wait for it to finish.")
    screenshot(page, "inpage-refetch-refused")


def test_a_server_error_or_no_network_is_said_beside_the_form(
    page, live_server, log_in, screenshot, desk
):
    claim = desk
    log_in(page, "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    unfold(page, "Add an evidence note")
    form = page.get_by_role("form", name="Add evidence")
    form.get_by_label("Note").fill("Typed before the outage")

    page.route("**/evidence/", lambda route: route.fulfill(status=500, body="boom"))
    form.get_by_role("button", name="Add evidence").click()
    failure = page.locator(".js-htmx-failure")
    expect(failure).to_have_text("The desk could not do this (error 500); nothing was saved. "
                                 "Try again, or reload the page.")
    expect(form.get_by_label("Note")).to_have_value("Typed before the outage")
    screenshot(page, "inpage-server-error")

    page.unroute("**/evidence/")
    page.route("**/evidence/", lambda route: route.abort())
    form.get_by_role("button", name="Add evidence").click()
    expect(failure).to_contain_text("The desk could not be reached; nothing was sent.")

    page.unroute("**/evidence/")
    form.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Evidence added.")).to_be_visible()
    expect(page.locator(".js-htmx-failure")).to_have_count(0)
    assert Evidence.objects.filter(claim=claim, note="Typed before the outage").exists()


def test_a_failed_poll_is_said_and_cleared_when_the_next_one_answers(
    page, live_server, log_in, screenshot, desk
):
    claim = desk
    source = SourceFactory(status=SourceStatus.PENDING)
    Evidence.objects.create(claim=claim, source=source, stance="context")
    log_in(page, "editor")
    page.route("**/status/", lambda route: route.fulfill(status=502, body="bad gateway"))
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    failure = page.locator(".js-htmx-failure")
    expect(failure).to_have_text(
        "The desk could not load this (error 502). Reload the page if it lasts.")
    screenshot(page, "inpage-poll-failed")
    Source.objects.filter(pk=source.pk).update(status=SourceStatus.FETCHED)
    page.unroute("**/status/")
    expect(page.locator(f"#source-status-{source.pk}")).to_contain_text("Fetched")
    expect(failure).to_have_count(0)
