"""The evidence archive on a source page, in Chromium: the archived page replays inside the
desk (ReplayWeb.page, vendored, its worker under /replay/, reading the WACZ in byte ranges)
and shows the page's own words, styles and images, while the page's own script never runs
on the desk's origin. Nothing of ReplayWeb.page loads until the replay's fold is opened.

The WACZ is a real one, built by claims.capture.archive.build_wacz from a capture made by
hand; the screenshot and PDF are Chromium's own renderings of the same page. Screenshots of
the source page at 1,280 px and 390 px go to test-artifacts/screenshots/."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

PAGE_URL = "https://harbour.example/news/bridge"
ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens</title><link rel="stylesheet" href="/site.css"></head>
<body><h1>The harbour bridge reopens on Monday</h1>
<p>The council says the repairs cost 4.2 million euros and took eleven weeks.</p>
<p><img src="/photo.png" width="120" height="60" alt="The bridge"></p>
<p id="probe">Nothing has run here.</p>
<script src="/probe.js"></script>
</body></html>"""
STYLE = "h1 { color: rgb(160, 20, 20); font-family: Georgia, serif; }"
# What a hostile page would try on the desk: if it ran, the page would say so.
PROBE = """document.getElementById("probe").textContent = "A SCRIPT RAN: " + document.cookie;
try { window.top.document.title = "taken over"; } catch (e) {}"""


def _capture_of_the_article(browser):
    """A PageCapture of ARTICLE as the worker would make it, with Chromium's screenshot and
    PDF of the same page."""
    from claims.capture.records import Blocked, Exchange, PageCapture

    rendering = browser.new_page(viewport={"width": 1280, "height": 800})
    rendering.set_content(ARTICLE.replace('<link rel="stylesheet" href="/site.css">',
                                          f"<style>{STYLE}</style>"))
    screenshot_png = rendering.screenshot(full_page=True)
    pdf = rendering.pdf()
    rendering.close()
    started = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)

    def exchange(path, content_type, body):
        return Exchange(url=f"https://harbour.example{path}", method="GET",
                        request_headers=[("User-Agent", "factcheck")], status=200, reason="OK",
                        response_headers=[("Content-Type", content_type)], body=body,
                        ip="93.184.216.34", started_at=started)

    # A 1x1 PNG stretched by the page: what matters is that it comes from the archive.
    photo = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763a86a9a000003040181ad2b0e7e0000000049454e44ae426082")
    return PageCapture(
        url=PAGE_URL, final_url=PAGE_URL, title="Harbour bridge reopens", method="browser",
        started_at=started, finished_at=started + timedelta(seconds=4),
        exchanges=[exchange("/news/bridge", "text/html; charset=utf-8", ARTICLE.encode()),
                   exchange("/site.css", "text/css", STYLE.encode()),
                   exchange("/photo.png", "image/png", photo),
                   exchange("/probe.js", "text/javascript", PROBE.encode())],
        blocked=[Blocked(url="http://169.254.169.254/latest/meta-data/<iam>",
                         reason="The address 169.254.169.254 is link-local: never fetched.")],
        screenshot_png=screenshot_png, pdf=pdf,
        notes=["The page made 5 requests; 1 was refused by the network guard."],
        software={"chromium": "test"})


def _archive(capture, page_capture):
    """The capture's archive as claims.archiving stores it: files in the default storage,
    listed on a done CaptureArchive."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from claims.capture.archive import build_wacz
    from claims.capture.manifest import build_manifest
    from claims.choices import ArchiveStatus
    from claims.models import CaptureArchive, archive_dir

    files = {"archive.wacz": build_wacz(page_capture),
             "screenshot.png": page_capture.screenshot_png, "page.pdf": page_capture.pdf}
    manifest = build_manifest(page_capture, files)
    files["manifest.json"] = manifest
    for name, data in files.items():
        default_storage.save(f"{archive_dir(capture.pk)}/{name}", ContentFile(data))
    return CaptureArchive.objects.create(
        capture=capture, status=ArchiveStatus.DONE, method="browser", final_url=PAGE_URL,
        files=[{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
               for n, d in files.items()],
        blocked=[{"url": b.url, "reason": b.reason} for b in page_capture.blocked],
        notes=page_capture.notes, manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        timestamp_error="No trusted timestamp: no time-stamping authority is configured "
                        "(CAPTURE_TSA_URLS).",
        started_at=page_capture.started_at, finished_at=page_capture.finished_at,
        status_changed_at=page_capture.finished_at)


def test_the_archived_page_replays_in_the_desk_without_its_scripts(
        page, browser, live_server, log_in, screenshot, settings, tmp_path, monkeypatch):
    from claims.demo import LoadReport, ensure_demo_users
    from tests.factories import CaptureFactory, SourceFactory

    settings.MEDIA_ROOT = tmp_path
    ensure_demo_users(LoadReport())
    source = SourceFactory(url=PAGE_URL, normalized_url=PAGE_URL, domain="harbour.example",
                           title="Harbour bridge reopens", status="fetched")
    capture = CaptureFactory(source=source, final_url=PAGE_URL, title="Harbour bridge reopens")
    archive = _archive(capture, _capture_of_the_article(browser))

    from claims.views import archives

    ranges = []

    def recording(request, handle, **kwargs):
        ranges.append(request.headers.get("Range"))
        return ranged_file_response(request, handle, **kwargs)

    ranged_file_response = archives.ranged_file_response
    monkeypatch.setattr(archives, "ranged_file_response", recording)
    replay_requests = []
    page.on("request", lambda request: replay_requests.append(request.url)
            if "replaywebpage" in request.url or "/replay/" in request.url else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "editor")
    response = page.goto(live_server.url + source.get_absolute_url())
    html_bytes = len(response.body())
    section = page.locator("section#archive")
    expect(section.get_by_role("heading", name="Evidence archive")).to_be_visible()
    expect(section).to_contain_text("Archived by a browser (Chromium)")
    expect(section.get_by_role("link", name="Download evidence bundle")).to_be_visible()
    expect(section.get_by_role("img", name="Screenshot of the archived page")).to_be_visible()
    blocked = section.locator(".archive-blocked li").first
    expect(blocked).to_contain_text("http://169.254.169.254/latest/meta-data/<iam>")
    expect(blocked.get_by_role("link")).to_have_count(0)
    expect(section.get_by_role("heading", name="Archived page (replay)")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert replay_requests == [], "ReplayWeb.page loaded before its fold was opened"
    screenshot(page, "archive-source-page-1280")

    # Opened from the keyboard, the replay shows the archived page's own words and styles.
    summary = section.get_by_text("Show the archived page", exact=True)
    summary.focus()
    started = time.monotonic()
    page.keyboard.press("Enter")
    replayed = (page.frame_locator("iframe.archive-replay-embed")
                .frame_locator("replay-web-page iframe").frame_locator("iframe"))
    heading = replayed.get_by_role("heading", name="The harbour bridge reopens on Monday")
    expect(heading).to_be_visible(timeout=30_000)
    replay_seconds = time.monotonic() - started
    expect(replayed.get_by_text("The council says the repairs cost 4.2 million euros")
           ).to_be_visible()
    expect(heading).to_have_css("color", "rgb(160, 20, 20)")  # the archived stylesheet
    photo = replayed.get_by_role("img", name="The bridge")
    expect(photo).to_have_js_property("naturalWidth", 1)  # the archived image
    # The archived page's script never ran: not in its frame, not on the desk's page.
    expect(replayed.locator("#probe")).to_have_text("Nothing has run here.")
    assert "taken over" not in page.title()
    # The worker read the WACZ in pieces, never whole.
    assert any(r and r.startswith("bytes=") for r in ranges), ranges
    assert None not in ranges[1:], ranges  # at most a first request without a range (HEAD)
    page.wait_for_timeout(500)  # the frame's loading indicator goes
    screenshot(page, "archive-replay-1280")
    print(f"\nsource page HTML {html_bytes} bytes; replay shown {replay_seconds:.2f} s after "
          f"the fold opened; {len(replay_requests)} page requests for the replay, "
          f"{len(ranges)} for the WACZ: {ranges}")

    assert blocking_violations(page) == []

    # Opened again later, the worker is already there.
    page.reload()
    started = time.monotonic()
    page.get_by_text("Show the archived page", exact=True).click()
    expect(heading).to_be_visible(timeout=30_000)
    print(f"replay shown {time.monotonic() - started:.2f} s after the fold opened, "
          "with its worker already installed")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(heading).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "archive-replay-390")

    # The screenshot, full size: an image, in the browser's own viewer.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + f"/captures/{archive.capture_id}/archive/screenshot.png")
    assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth") \
        == 1280
    screenshot(page, "archive-screenshot-full-size")


def test_the_replay_frame_never_runs_an_archived_script_even_opened_on_its_own(
        page, browser, live_server, log_in, settings, tmp_path):
    """A replayed document opened outside the desk's page (a new tab, a crafted link) is
    sandboxed too: the rule is in the worker, not in the page that embeds the replay."""
    from claims.demo import LoadReport, ensure_demo_users
    from tests.factories import CaptureFactory, SourceFactory

    settings.MEDIA_ROOT = tmp_path
    ensure_demo_users(LoadReport())
    source = SourceFactory(url=PAGE_URL, normalized_url=PAGE_URL, domain="harbour.example")
    capture = CaptureFactory(source=source, final_url=PAGE_URL)
    _archive(capture, _capture_of_the_article(browser))
    log_in(page, "editor")
    page.goto(live_server.url + source.get_absolute_url())
    page.get_by_text("Show the archived page", exact=True).click()
    replayed = (page.frame_locator("iframe.archive-replay-embed")
                .frame_locator("replay-web-page iframe").frame_locator("iframe"))
    expect(replayed.get_by_role("heading", name="The harbour bridge reopens on Monday")
           ).to_be_visible(timeout=30_000)
    content = next(f for f in page.frames if "/replay/w/" in f.url)

    alone = page.context.new_page()
    alone.goto(content.url)
    expect(alone.get_by_role("heading", name="The harbour bridge reopens on Monday")
           ).to_be_visible()
    expect(alone.locator("#probe")).to_have_text("Nothing has run here.")
