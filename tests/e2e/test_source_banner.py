"""The banner after attaching a source follows the source's live state: it says "being
fetched" only while the row does, and changes, without a reload, when the polled row says
Failed or Fetched.

The fetch's outcome is written to the row here, as the worker writes it, so the test waits
on the page and not on a worker shared with the rest of the session (the worker's own run,
row turning Fetched, is tests/e2e/test_editor.py's)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_source_banner_follows_the_fetch(page, live_server, log_in, screenshot, monkeypatch):
    from django.utils import timezone

    from claims.choices import ClaimStatus, SourceStatus
    from claims.demo import LoadReport, ensure_demo_users
    from claims.models import Source
    from tests.factories import ClaimFactory

    # The live server runs in this process: nothing is handed to a worker.
    monkeypatch.setattr("claims.queue.enqueue_source_fetch", lambda source_id: True)
    ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="Unemployment fell last year",
                         status=ClaimStatus.RESEARCHING)
    log_in(page, "editor")
    page.goto(live_server.url + claim.get_absolute_url())

    # A page that is gone: the banner stops saying "being fetched" and says it failed.
    page.get_by_text("Attach a source", exact=True).click()  # the form is folded
    page.get_by_label("Source URL").fill("https://stats.example/gone")
    page.get_by_role("button", name="Attach source").click()
    banner = page.locator("[data-follows-source]")
    expect(banner).to_have_text("Source attached as context evidence; it is being fetched.")
    page.evaluate("window.__stillTheSamePage = true")
    Source.objects.filter(url="https://stats.example/gone").update(
        status=SourceStatus.FAILED, last_error_kind="http_4xx",
        last_error="The site answered 404 Not Found.", status_changed_at=timezone.now())
    row = page.locator("#sources tr", has_text="stats.example/gone")
    expect(row.get_by_role("status")).to_contain_text("Failed")
    expect(banner).to_have_text("Source attached as context evidence, but it could not be "
                                "fetched (Client error (4xx): The site answered 404 Not "
                                "Found). You can re-fetch it from its row.")
    expect(banner).to_have_class(re.compile("alert-danger"))
    assert page.evaluate("window.__stillTheSamePage") is True  # htmx, not a reload
    screenshot(page, "source-banner-failed")

    # Reloaded, the banner is gone (a message shows once) and the row says why.
    page.reload()
    expect(page.locator("[data-follows-source]")).to_have_count(0)

    # A page that is there: the banner says it was fetched.
    page.get_by_text("Attach a source", exact=True).click()
    page.get_by_label("Source URL").fill("https://stats.example/table-4")
    page.get_by_role("button", name="Attach source").click()
    banner = page.locator("[data-follows-source]")
    expect(banner).to_have_text("Source attached as context evidence; it is being fetched.")
    page.evaluate("window.__stillTheSamePage = true")
    Source.objects.filter(url="https://stats.example/table-4").update(
        status=SourceStatus.FETCHED, last_fetched_at=timezone.now(),
        status_changed_at=timezone.now())
    expect(page.locator("#sources").get_by_role("status").filter(has_text="Fetched")
           ).to_have_count(1)
    expect(banner).to_have_text("Source attached as context evidence and fetched.")
    expect(banner).to_have_class(re.compile("alert-success"))
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "source-banner-fetched")
