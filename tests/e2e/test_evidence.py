"""Evidence that explains itself, in a real browser with a real worker: after attaching
sources (one that fetches, one that answers 404) the Evidence section lists every piece of
evidence, the verdict form ticks only the source readers can follow, the evidence form
starts empty, and the source page reads as labelled facts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.demo import LoadReport, ensure_demo_users
from claims.models import Evidence, Source
from tests.e2e.helpers import unfold
from tests.factories import ClaimFactory
from tests.localserver import Response

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

PAGE = """<!doctype html><html lang="en"><head><title>Labour market statistics</title>
<meta property="og:title" content="Labour market statistics">
<meta property="og:site_name" content="Statistics Office"></head>
<body><article><h1>Labour market statistics</h1>
<p>Unemployment rose by 3 per cent last year, the statistics office said on Monday.</p>
<p>The rise was strongest in the north, where 40,000 jobs were lost.</p>
</article></body></html>"""


def test_attached_sources_show_as_evidence_and_only_fetched_ones_are_preticked(
    page, live_server, celery_worker, local_server, log_in, screenshot
):
    ensure_demo_users(LoadReport())
    local_server.route("/stats", Response.html(PAGE))
    local_server.route("/gone", Response(status=404, body=b"not found"))
    claim = ClaimFactory()
    log_in(page, "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    expect(page.locator("#evidence")).to_contain_text("No evidence yet.")

    for path in ("/stats", "/gone"):
        unfold(page, "Attach a source")
        page.get_by_label("Source URL").fill(local_server.url(path))
        page.get_by_role("button", name="Attach source").click()
        # The banner says what the row says: a quick worker may already have settled it.
        expect(page.locator("[data-follows-source]")).to_contain_text(
            re.compile(r"Source attached as context evidence(; it is being fetched| and fetched"
                       r"|, but it could not)"))
    statuses = page.locator("#sources").get_by_role("status")
    expect(statuses.filter(has_text="Fetched")).to_have_count(1, timeout=30_000)
    expect(statuses.filter(has_text="Failed")).to_have_count(1, timeout=30_000)
    page.reload()

    evidence = page.locator("#evidence ul")
    expect(evidence.locator("li")).to_have_count(2)
    expect(evidence).to_contain_text("Labour market statistics")
    expect(evidence).to_contain_text("fetch failed")
    expect(evidence).not_to_contain_text("No evidence yet.")

    stats = Source.objects.get(normalized_url__endswith="/stats")
    gone = Source.objects.get(normalized_url__endswith="/gone")
    fetched_ev = Evidence.objects.get(claim=claim, source=stats)
    failed_ev = Evidence.objects.get(claim=claim, source=gone)
    panel = page.locator("#verdict")
    expect(panel.locator(f'input[name=evidence][value="{fetched_ev.pk}"]')).to_be_checked()
    expect(panel.locator(f'input[name=evidence][value="{failed_ev.pk}"]')).not_to_be_checked()
    expect(panel).to_contain_text("(fetch failed)")

    # "Add evidence" starts empty: it adds; a cited source changes through its "Edit".
    form = page.locator("#add-evidence form")
    expect(form.get_by_label("Source")).to_have_count(0)  # cited by attaching
    screenshot(page, "evidence-claim-page")

    page.goto(f"{live_server.url}{stats.get_absolute_url()}")
    meta = page.locator("section", has=page.get_by_role("heading", name="Metadata"))
    expect(meta).to_contain_text("Read as")
    expect(meta).to_contain_text("Web page (HTML)")
    expect(meta).to_contain_text("Download time")
    expect(meta).to_contain_text("Site name")
    text = meta.inner_text()
    for python in ("{", "[]", "fetch_ms", "extract_ms", "opengraph", "json_ld", "og:"):
        assert python not in text, f"{python!r} on the source page: {text}"
    assert re.search(r"Redirects\s+none", text)
    screenshot(page, "evidence-source-page")
