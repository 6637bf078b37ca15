"""A reader's browser on a published fact-check whose reviewed capture is archived: the
screenshot's thumbnail shows, opens the full image (shown by the browser even in its CSP
sandbox), and the WACZ and the evidence bundle download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from claims.demo import LoadReport, ensure_demo_users
from claims.models import VerdictCapture
from tests.factories import ClaimFactory
from tests.support.archives import write_archive
from tests.verdict_setup import captured_source_evidence, publish_through_workflow

pytestmark = pytest.mark.e2e


def page_screenshot() -> bytes:
    """A page as a browser would have photographed it: a heading and lines of text."""
    image = Image.new("RGB", (1280, 1600), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 90), fill="#1d3557")
    draw.text((40, 30), "Labour market report", fill="white")
    for line in range(40):
        draw.text((40, 130 + 34 * line), "Unemployment rose by 3 per cent. " * 3, fill="#222")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_reader_sees_the_screenshot_and_downloads_the_evidence(
        browser, live_server, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_demo_users(LoadReport())
    users = get_user_model().objects
    claim = ClaimFactory(statement="Unemployment fell by 12% last year")
    captured_source_evidence(claim)
    verdict = publish_through_workflow(claim, author=users.get(username="editor"),
                                       reviewer=users.get(username="reviewer"))
    capture = VerdictCapture.objects.get(verdict=verdict).capture
    write_archive(capture, screenshot=page_screenshot())

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/fact-checks/{claim.pk}/")
    archive = page.get_by_test_id("capture-archive")
    expect(archive).to_contain_text("Archived 5 May 2026, timestamped by http://tsa.example/ "
                                    "at 5 May 2026 01:03:04 UTC.")
    thumbnail = archive.get_by_role("img", name="Screenshot of Labour market report")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 1280
    screenshot(page, "public-archive-1-fact-check")

    with page.expect_download() as wacz:
        archive.get_by_role("link", name="Web archive (WACZ)").click()
    assert wacz.value.suggested_filename == f"capture-{capture.pk}.wacz"
    with page.expect_download() as bundle:
        archive.get_by_role("link", name="Evidence bundle (zip)").click()
    with zipfile.ZipFile(bundle.value.path()) as zipped:
        assert {"archive.wacz", "screenshot.png", "manifest.json"} <= set(zipped.namelist())

    archive.get_by_test_id("archive-screenshot").click()
    page.wait_for_url(f"**/fact-checks/sources/{capture.pk}/screenshot.png")
    shown = page.locator("img")
    expect(shown).to_have_count(1)
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 1280
    context.close()
