"""The banner after attaching a source follows the source's live state: it says "being
fetched" only while the row does, and changes, without a reload, when the real worker's
fetch ends as Failed or as Fetched."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.localserver import Response

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

PAGE = """<!doctype html><html><head><title>Labour market statistics</title></head>
<body><article><h1>Labour market statistics</h1><p>Unemployment rose by three per cent in
the year to March, the statistics office said on Tuesday, the largest rise in a decade.</p>
</article></body></html>"""


def test_source_banner_follows_the_fetch(page, live_server, celery_worker, local_server,
                                         log_in, screenshot):
    from claims.choices import ClaimStatus
    from claims.demo import LoadReport, ensure_demo_users
    from tests.factories import ClaimFactory

    ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="Unemployment fell last year",
                         status=ClaimStatus.RESEARCHING)
    # Slow enough that the page shows the fetch under way before it ends.
    local_server.route("/gone", Response(status=404, body=b"Not here", delay=2.0))
    local_server.route("/stats", Response.html(PAGE, delay=2.0))
    log_in(page, "editor")
    page.goto(live_server.url + claim.get_absolute_url())
    page.evaluate("window.__stillTheSamePage = true")

    # A page that is gone: the banner stops saying "being fetched" and says it failed.
    page.get_by_label("Source URL").fill(local_server.url("/gone"))
    page.get_by_role("button", name="Attach source").click()
    banner = page.locator("[data-follows-source]")
    expect(banner).to_have_text("Source attached; it is being fetched.")
    page.evaluate("window.__stillTheSamePage = true")
    row = page.locator("#sources tr", has_text="/gone")
    expect(row.get_by_role("status")).to_contain_text("Failed", timeout=30_000)
    expect(banner).to_contain_text("Source attached, but it could not be fetched")
    expect(banner).not_to_contain_text("being fetched")
    expect(banner).to_have_class(re.compile("alert-danger"))
    assert page.evaluate("window.__stillTheSamePage") is True  # htmx, not a reload
    screenshot(page, "source-banner-failed")

    # Reloaded after the fetch failed, the banner is gone (messages are shown once) and the
    # row says why.
    page.reload()
    expect(page.locator("[data-follows-source]")).to_have_count(0)

    # A page that is there: the banner says it was fetched.
    page.get_by_label("Source URL").fill(local_server.url("/stats"))
    page.get_by_role("button", name="Attach source").click()
    banner = page.locator("[data-follows-source]")
    expect(banner).to_have_text("Source attached; it is being fetched.")
    page.evaluate("window.__stillTheSamePage = true")
    row = page.locator("#sources tr", has_text="Labour market statistics")
    expect(page.locator("#sources").get_by_role("status").filter(has_text="Fetched")
           ).to_have_count(1, timeout=30_000)
    expect(banner).to_have_text("Source attached and fetched.")
    expect(banner).to_have_class(re.compile("alert-success"))
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "source-banner-fetched")
