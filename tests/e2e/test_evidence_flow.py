"""Sources and evidence say one thing, in a real browser, doing what an editor does: attach
a source citing it as Refutes, watch its fetch end (banner, row and evidence item change
together, without a reload), add a note (the form is empty again), press "Add evidence" on
the empty form (refused in words, nothing added), and edit the citation's note (one item
still, and the message says what changed).

The fetch's outcome is written to the source's row here, as the worker writes it (see
tests/e2e/test_source_banner.py), so the page is watched and not a shared worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import unfold

pytestmark = pytest.mark.e2e

URL = "https://stats.example/table-4"


def test_attach_add_and_edit_evidence(page, live_server, log_in, screenshot, monkeypatch):
    from django.utils import timezone

    from claims.choices import ClaimStatus, SourceStatus
    from claims.demo import LoadReport, ensure_demo_users
    from claims.models import Evidence, Source
    from tests.factories import ClaimFactory

    # The live server runs in this process: nothing is handed to a worker.
    monkeypatch.setattr("claims.queue.enqueue_source_fetch", lambda source_id: True)
    ensure_demo_users(LoadReport())
    claim = ClaimFactory(statement="Unemployment fell last year",
                         status=ClaimStatus.RESEARCHING)
    log_in(page, "editor")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + claim.get_absolute_url())

    # Attach a source, citing it as Refutes: the evidence list shows it so.
    unfold(page, "Attach a source")
    attach = page.get_by_role("form", name="Attach a source")
    expect(attach.get_by_label("Cite it as")).to_have_value("context")
    attach.get_by_label("Source URL").fill(URL)
    attach.get_by_label("Cite it as").select_option(label="Refutes")
    attach.scroll_into_view_if_needed()
    attach.screenshot(path=str(screenshot(page, "evidence-flow-attach-form-1280")))
    page.set_viewport_size({"width": 390, "height": 844})
    attach.screenshot(path=str(screenshot(page, "evidence-flow-attach-form-390")))
    page.set_viewport_size({"width": 1280, "height": 900})
    attach.get_by_role("button", name="Attach source").click()
    banner = page.locator("[data-follows-source]")
    expect(banner).to_have_text("Source attached as refuting evidence; it is being fetched.")
    items = page.locator("#evidence > ul > li")
    expect(items).to_have_count(1)
    citation = items.first
    expect(citation.locator(".badge")).to_have_text("Refutes")
    state = citation.locator("[data-evidence-source]")
    expect(state).to_have_text("· being fetched")
    row = page.locator("#sources tr", has_text="stats.example")
    expect(row.get_by_role("status")).to_contain_text("Pending")

    # The worker's outcome reaches the row: banner, row and evidence item follow, no reload.
    page.evaluate("window.__stillTheSamePage = true")
    Source.objects.filter(normalized_url__contains="stats.example").update(
        status=SourceStatus.FAILED, last_error_kind="http_4xx",
        last_error="The site answered 404 Not Found.", status_changed_at=timezone.now())
    expect(row.get_by_role("status")).to_contain_text("Failed")
    expect(banner).to_have_text("Source attached as refuting evidence, but it could not be "
                                "fetched (Client error (4xx): The site answered 404 Not "
                                "Found). You can re-fetch it from its row.")
    expect(state).to_have_text("· fetch failed")
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "evidence-flow-attached-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "evidence-flow-attached-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Add a note: one item more, and the form is empty again.
    unfold(page, "Add an evidence note")
    add = page.get_by_role("form", name="Add evidence")
    add.get_by_label("Note").fill("Asked the statistics office; no answer yet.")
    add.get_by_role("button", name="Add evidence").click()
    status = page.locator("#evidence [role=status]")
    expect(status).to_have_text("Evidence added.")
    expect(status).to_be_focused()
    expect(items).to_have_count(2)
    add = page.get_by_role("form", name="Add evidence")
    expect(add.get_by_label("Note")).to_have_value("")
    expect(add.get_by_label("Source")).to_have_count(0)  # cited by attaching
    expect(add.get_by_label("Stance")).to_have_value("context")

    # Pressed again on the empty form: refused in words, nothing added.
    add.get_by_role("button", name="Add evidence").click()
    expect(add.get_by_role("alert").filter(has_text="Nothing was added.")).to_be_visible()
    expect(page.locator("#id_note_error")).to_have_text(
        "Write a note: evidence that cites no source is its note.")
    expect(page.locator("#evidence")).not_to_contain_text("Evidence added.")
    expect(items).to_have_count(2)
    assert Evidence.objects.filter(claim=claim).count() == 2
    screenshot(page, "evidence-flow-refused-1280")

    # Edit the citation's note: it says what changed, and it is still one item.
    citation = page.locator("#evidence > ul > li", has_text="stats.example")
    citation.locator("summary", has_text="Edit").click()
    edit = page.get_by_role("form", name=re.compile("Edit the citation of"))
    expect(edit.get_by_label("Stance")).to_have_value("refutes")
    edit.get_by_label("Note").fill("The office's table shows a rise, not a fall.")
    edit.get_by_role("button", name="Update evidence").click()
    expect(status).to_have_text(f"Citation of “{URL}” updated: note.")
    expect(status).to_be_focused()
    expect(items).to_have_count(2)
    expect(page.locator("#evidence > ul > li", has_text="stats.example")).to_contain_text(
        "The office's table shows a rise, not a fall.")
    assert Evidence.objects.filter(claim=claim).count() == 2
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "evidence-flow-edited-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    citation = page.locator("#evidence > ul > li", has_text="stats.example")
    citation.locator("summary", has_text="Edit").click()
    screenshot(page, "evidence-flow-edited-390")


def test_without_javascript_an_evidence_item_is_edited_on_its_own_page(
    page_without_javascript, live_server, screenshot
):
    """The "Edit" fold's form comes when the fold opens, through htmx; with JavaScript off
    the fold holds a link to the form's own page, which saves as rendered and goes back."""
    from claims.demo import LoadReport, ensure_demo_users
    from claims.models import Evidence
    from tests.factories import EvidenceFactory

    ensure_demo_users(LoadReport())
    item = EvidenceFactory(source=None, stance="context", note="Asked the ministry.")
    page = page_without_javascript()
    page.goto(f"{live_server.url}{item.claim.get_absolute_url()}")
    fold = page.locator(f"#edit-evidence-{item.pk}")
    fold.locator("summary", has_text="Edit").click()
    fold.get_by_role("link", name="Open the edit form").click()
    expect(page.get_by_role("heading", name="Edit an evidence note")).to_be_visible()
    form = page.get_by_role("form", name="Edit this evidence note")
    expect(form.get_by_label("Note")).to_have_value("Asked the ministry.")
    form.get_by_label("Stance").select_option("supports")
    screenshot(page, "evidence-edit-page-without-javascript-1280")
    form.get_by_role("button", name="Update evidence").click()
    expect(page.get_by_text("Evidence note updated: stance.")).to_be_visible()
    assert page.url.endswith(f"{item.claim.get_absolute_url()}#evidence")
    item.refresh_from_db()
    assert (item.stance, item.note) == ("supports", "Asked the ministry.")
    assert Evidence.objects.filter(claim=item.claim).count() == 1
