"""Evidence capture as an editor meets it: attach a source on a claim, open the source, and
watch the archive arrive without reloading (a real worker, Debian's Chromium when present,
a local time-stamping authority); Verify now says "Verified", with the trusted timestamp."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.localserver import Response

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Port figures</title>"
        "<style>h1{color:#8b0000}</style></head><body><article><h1>Port traffic fell 12%</h1>"
        "<p>The harbour authority said container traffic fell twelve per cent in March.</p>"
        "</article></body></html>")


def test_an_attached_source_is_archived_and_verified(
        page, live_server, celery_worker, local_server, log_in, screenshot, settings, tsa):
    from claims.choices import ClaimStatus
    from claims.demo import LoadReport, ensure_demo_users
    from tests.factories import ClaimFactory

    settings.CAPTURE_ARCHIVE = True
    settings.CAPTURE_TSA_URLS = [tsa.url]
    settings.CAPTURE_TSA_ROOTS = str(tsa.ca_path)
    local_server.route("/port", Response.html(PAGE))
    ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="Port traffic fell by 12% in March",
                         status=ClaimStatus.RESEARCHING)

    log_in(page, "editor")
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_text("Attach a source", exact=True).click()
    page.get_by_label("Source URL").fill(local_server.url("/port"))
    page.get_by_role("button", name="Attach source").click()
    # The row shows the address until the fetch gives it a title; its domain stays (the fetch
    # may already be done when the page comes back, as on a machine with a quick worker).
    row = page.locator("#sources tbody tr", has_text="127.0.0.1")
    expect(row.get_by_role("status")).to_contain_text("Fetched", timeout=30_000)

    # The source's own page: the archive section follows the archive until it settles.
    row.get_by_role("link").first.click()
    archive = page.locator("#archive")
    expect(archive.locator("[data-archive-status]")).to_have_attribute(
        "data-archive-status", "done", timeout=90_000)
    expect(archive).to_contain_text("Timestamped by")
    expect(archive.get_by_role("cell", name="archive.wacz")).to_be_visible()
    screenshot(page, "evidence-archived")

    archive.get_by_role("button", name="Verify now").click()
    expect(page.locator("[data-archive-verification]")).to_have_attribute(
        "data-archive-verification", "verified")
    expect(page.locator("[data-archive-verification]")).to_contain_text(
        "every file matches the manifest and the trusted timestamp holds")
    screenshot(page, "evidence-verified")
