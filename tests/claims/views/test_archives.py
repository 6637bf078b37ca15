"""A capture's evidence archive in the desk: each listed file downloads (never rendered on
the desk's origin), the WACZ answers byte ranges as RFC 9110 says, the bundle downloads,
nothing else is served; the replay's worker and frame; the archive section of the source
page in words."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from claims.choices import ArchiveStatus, ArchiveVerification
from claims.models import CaptureArchive, archive_dir
from claims.views.ranges import Unsatisfiable, requested_range
from tests import factories

pytestmark = pytest.mark.django_db

WACZ = bytes(range(256)) * 40  # 10,240 bytes, each position's byte known
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)
AT = datetime(2026, 12, 7, 12, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client


def make_archive(capture=None, **fields) -> CaptureArchive:
    """A done archive with a WACZ, a screenshot, a PDF and a manifest in storage."""
    capture = capture or factories.CaptureFactory(final_url="https://news.example/a")
    files = {"archive.wacz": WACZ, "screenshot.png": PNG, "page.pdf": b"%PDF-1.7 tiny",
             "manifest.json": b'{"format":"factcheck-capture/1"}'}
    for name, data in files.items():
        default_storage.save(f"{archive_dir(capture.pk)}/{name}", ContentFile(data))
    values = {
        "status": ArchiveStatus.DONE, "method": "browser", "final_url": capture.final_url,
        "files": [{"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in files.items()],
        "manifest_sha256": hashlib.sha256(files["manifest.json"]).hexdigest(),
        "finished_at": AT, "started_at": AT,
        **fields,
    }
    return CaptureArchive.objects.create(capture=capture, **values)


def file_url(archive, name="archive.wacz"):
    return reverse("claims:capture-archive-file", args=[archive.capture_id, name])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Ranges, as parsed ---------------------------------------------------------------------

@pytest.mark.parametrize(("header", "span"), [
    ("bytes=0-0", (0, 0)),
    ("bytes=0-99", (0, 99)),
    ("bytes=100-", (100, 999)),
    ("bytes=-1", (999, 999)),
    ("bytes=-5000", (0, 999)),  # a suffix longer than the file is the whole file
    ("bytes=990-5000", (990, 999)),  # an end past the file ends at its last byte
    ("BYTES = 5-6", (5, 6)),
    ("items=0-1", None),  # another unit: ignored
    ("bytes=0-1,5-6", None),  # several ranges: ignored, the whole file is sent
    ("bytes", None),
])
def test_requested_range(header, span):
    assert requested_range(header, 1000) == span


@pytest.mark.parametrize("header", [
    "bytes=1000-", "bytes=5000-6000", "bytes=5-4", "bytes=-0", "bytes=-", "bytes=abc",
    "bytes=1-2-3", "bytes=" + "9" * 20 + "-",
])
def test_unsatisfiable_ranges(header):
    with pytest.raises(Unsatisfiable):
        requested_range(header, 1000)


def test_nothing_in_an_empty_file_is_satisfiable():
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=-1", 0)


# --- The files ------------------------------------------------------------------------------

def test_wacz_whole_says_it_takes_ranges(client_ed):
    archive = make_archive()
    response = client_ed.get(file_url(archive))
    assert response.status_code == 200 and body(response) == WACZ
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(WACZ))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"capture-{archive.capture_id}-archive.wacz" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(("header", "start", "end"), [
    ("bytes=0-9", 0, 9),
    ("bytes=1000-2047", 1000, 2047),
    ("bytes=10000-", 10000, 10239),
    ("bytes=-22", 10218, 10239),  # a zip's end-of-central-directory, as replayers read it
    ("bytes=10230-99999", 10230, 10239),
])
def test_wacz_range(client_ed, header, start, end):
    archive = make_archive()
    response = client_ed.get(file_url(archive), HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == WACZ[start:end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(WACZ)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_range_larger_than_a_chunk_comes_whole(client_ed, monkeypatch):
    monkeypatch.setattr("claims.views.ranges.CHUNK_BYTES", 1000)
    archive = make_archive()
    response = client_ed.get(file_url(archive), HTTP_RANGE="bytes=5-9004")
    chunks = list(response.streaming_content)
    assert len(chunks) == 9 and b"".join(chunks) == WACZ[5:9005]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=9-2",
                                    "bytes=-0", "bytes=x-y"])
def test_wacz_bad_range_is_416(client_ed, header):
    response = client_ed.get(file_url(make_archive()), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(WACZ)}"
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "lines=1-2"])
def test_ranges_we_do_not_answer_get_the_whole_file(client_ed, header):
    response = client_ed.get(file_url(make_archive()), HTTP_RANGE=header)
    assert response.status_code == 200 and body(response) == WACZ


def test_if_range_sends_the_part_only_of_the_same_file(client_ed):
    archive = make_archive()
    etag = client_ed.get(file_url(archive))["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    same = client_ed.get(file_url(archive), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=etag)
    assert same.status_code == 206 and body(same) == WACZ[:4]
    changed = client_ed.get(file_url(archive), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"old"')
    assert changed.status_code == 200 and body(changed) == WACZ


def test_if_none_match_says_not_modified(client_ed):
    archive = make_archive()
    etag = client_ed.get(file_url(archive))["ETag"]
    response = client_ed.get(file_url(archive), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag


def test_head_answers_the_size_without_a_range(client_ed):
    response = client_ed.head(file_url(make_archive()), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(WACZ)) and response["Accept-Ranges"] == "bytes"


def test_screenshot_is_an_image_shown_inline_in_a_sandbox(client_ed):
    archive = make_archive()
    response = client_ed.get(file_url(archive, "screenshot.png"))
    assert response.status_code == 200 and body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(("name", "content_type"), [
    ("page.pdf", "application/pdf"),
    ("manifest.json", "application/json"),
])
def test_other_files_are_sandboxed_attachments(client_ed, name, content_type):
    response = client_ed.get(file_url(make_archive(), name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("name", ["certificates.pem", "timestamp.tsr", "data.warc.gz",
                                  "..", "archive.WACZ", "%2e%2e%2fsettings.py"])
def test_names_the_archive_does_not_list_are_404(client_ed, name):
    archive = make_archive()  # it lists no certificates and no token
    assert client_ed.get(file_url(archive, name)).status_code == 404


def test_a_listed_file_missing_from_storage_is_404(client_ed):
    archive = make_archive()
    default_storage.delete(f"{archive_dir(archive.capture_id)}/page.pdf")
    assert client_ed.get(file_url(archive, "page.pdf")).status_code == 404


def test_files_of_another_capture_are_not_served(client_ed):
    archived = make_archive()
    other = factories.CaptureFactory(source=archived.capture.source)
    # Another capture's address: it has no archive, nothing is found through it.
    response = client_ed.get(reverse("claims:capture-archive-file",
                                     args=[other.pk, "archive.wacz"]))
    assert response.status_code == 404
    assert client_ed.get(reverse("claims:capture-archive-bundle",
                                 args=[other.pk])).status_code == 404


@pytest.mark.parametrize("status", [ArchiveStatus.PENDING, ArchiveStatus.WORKING])
def test_an_archive_not_done_serves_nothing(client_ed, status):
    archive = make_archive()
    CaptureArchive.objects.filter(pk=archive.pk).update(status=status)
    assert client_ed.get(file_url(archive)).status_code == 404
    assert client_ed.get(reverse("claims:capture-archive-bundle",
                                 args=[archive.capture_id])).status_code == 404


def test_files_and_bundle_need_a_signed_in_person(client):
    """As the snapshot download: anyone signed in to the desk, nobody else."""
    archive = make_archive()
    for url in (file_url(archive), file_url(archive, "screenshot.png"),
                reverse("claims:capture-archive-bundle", args=[archive.capture_id])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_files_are_read_only(client_ed):
    assert client_ed.post(file_url(make_archive())).status_code == 405


def test_bundle_is_a_zip_of_the_files(client_ed):
    archive = make_archive()
    response = client_ed.get(reverse("claims:capture-archive-bundle",
                                     args=[archive.capture_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-capture-{archive.capture_id}.zip"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = bundle.namelist()
        wacz = next(n for n in names if n.endswith("archive.wacz"))
        assert bundle.read(wacz) == WACZ


# --- The replay's worker and frame -----------------------------------------------------------

def test_replay_worker_imports_the_vendored_worker_with_the_sandbox_rule(client):
    response = client.get("/replay/sw.js?serveIndex=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    assert 'importScripts("/static/vendor/replaywebpage-2.5.3/sw.js")' in text
    assert "sandbox allow-same-origin" in text and "allow-scripts" not in text
    # The desk's policy binds the worker: it fetches only from the desk's own origin.
    assert "connect-src 'self'" in response["Content-Security-Policy"]
    assert client.get("/replay/sw.js").status_code == 200  # as a web worker


@pytest.mark.parametrize("query", ["injectScripts=https://evil.example/x.js",
                                   "serveIndex=1&indexScript=data:,alert(1)",
                                   "replayPrefix="])
def test_replay_worker_takes_no_other_settings(client, query):
    assert client.get(f"/replay/sw.js?{query}").status_code == 404


def test_replay_frame_may_be_framed_by_the_desk_only(client):
    response = client.get("/replay/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'none'" in policy.split("object-src")[1]
    assert "no-cache" in response["Cache-Control"]
    # Everything else keeps the desk's own: never framed.
    assert "frame-ancestors 'none'" in client.get("/login/")["Content-Security-Policy"]


def test_replay_page_runs_replaywebpage_on_the_wacz(client_ed):
    archive = make_archive()
    response = client_ed.get(reverse("claims:capture-archive-replay",
                                     args=[archive.capture_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/vendor/replaywebpage-2.5.3/ui.js" defer>' in html
    assert f'source="{file_url(archive)}"' in html
    assert 'url="https://news.example/a"' in html and 'replaybase="/replay/"' in html
    # Framed by the source page, by nothing else.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_replay_page_needs_a_done_archive_and_a_signed_in_person(client_ed):
    archive = make_archive()
    url = reverse("claims:capture-archive-replay", args=[archive.capture_id])
    assert Client().get(url).status_code == 302
    other = factories.CaptureFactory()
    assert client_ed.get(reverse("claims:capture-archive-replay",
                                 args=[other.pk])).status_code == 404


def test_replay_ui_is_the_vendored_script(client):
    response = client.get("/replay/ui.js")
    assert response.status_code == 302
    assert response["Location"] == "/static/vendor/replaywebpage-2.5.3/ui.js"


def test_vendored_files_match_their_recorded_hashes():
    from django.conf import settings

    folder = settings.BASE_DIR / "static" / "vendor" / "replaywebpage-2.5.3"
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    assert {line.split()[1] for line in lines} == {"LICENSE", "sw.js", "ui.js"}
    for line in lines:
        digest, name = line.split()
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


# --- The source page's archive section -------------------------------------------------------

def page(client, archive_or_capture):
    capture = getattr(archive_or_capture, "capture", archive_or_capture)
    return client.get(capture.source.get_absolute_url()).content.decode()


def test_archived_by_browser_shows_everything(client_ed):
    archive = make_archive(
        timestamp_authority="http://tsa.example/", timestamped_at=AT,
        blocked=[{"url": "http://169.254.169.254/latest/<meta>",
                  "reason": "a link-local address"}],
        notes=["The page made 3 requests."])
    html = page(client_ed, archive)
    assert "Archived by a browser (Chromium)" in html
    assert "Screenshot of the archived page" in html
    assert file_url(archive, "screenshot.png") in html
    for entry in archive.files:
        assert entry["sha256"] in html and file_url(archive, entry["name"]) in html
    assert reverse("claims:capture-archive-bundle", args=[archive.capture_id]) in html
    assert "Download evidence bundle" in html
    assert "Timestamped by <span class=\"text-break\">http://tsa.example/</span>" in html
    assert "Not verified yet." in html
    # A blocked request is text, escaped, never a link.
    assert "http://169.254.169.254/latest/&lt;meta&gt;" in html
    assert 'href="http://169.254.169.254' not in html
    assert "a link-local address" in html and "The page made 3 requests." in html
    # The replay is a fold that loads nothing until opened.
    assert "Archived page (replay)" in html
    replay = reverse("claims:capture-archive-replay", args=[archive.capture_id])
    assert f'data-replay-frame="{replay}"' in html
    assert "replaywebpage" not in html and "<iframe" not in html


def test_verify_now_only_for_who_may(client_ed, client, outsider):
    archive = make_archive()
    verify = reverse("claims:capture-verify", args=[archive.capture_id])
    assert verify in page(client_ed, archive) and "Verify now" in page(client_ed, archive)
    client.force_login(outsider)
    html = page(client, archive)
    assert verify not in html and "Verify now" not in html


def test_http_only_archive_says_why_there_is_no_screenshot(client_ed):
    archive = make_archive(method="http", notes=[
        "No browser capture: Chromium is not installed on this machine."])
    html = page(client_ed, archive)
    assert "Archived over HTTP only" in html and "no screenshot or PDF" in html
    assert "Chromium is not installed on this machine." in html
    assert "No trusted timestamp." in html


def test_verification_in_words(client_ed):
    archive = make_archive(verification=ArchiveVerification.VERIFIED, verified_at=AT,
                           timestamped_at=AT)
    assert "Verified on 7 Dec 2026 12:00:05 UTC" in page(client_ed, archive)
    CaptureArchive.objects.filter(pk=archive.pk).update(
        verification=ArchiveVerification.FAILED,
        verification_problems=["page.pdf does not match the manifest: its SHA-256 is <x>."])
    html = page(client_ed, archive)
    assert "Verification failed on" in html
    assert "page.pdf does not match the manifest: its SHA-256 is &lt;x&gt;." in html


@pytest.mark.parametrize(("status", "words"), [
    (ArchiveStatus.PENDING, "Waiting to be archived"),
    (ArchiveStatus.WORKING, "being captured as evidence"),
    (ArchiveStatus.FAILED, "Not archived: The browser ran out of time."),
])
def test_status_in_words(client_ed, status, words):
    capture = factories.CaptureFactory()
    CaptureArchive.objects.create(
        capture=capture, status=status,
        error_message="The browser ran out of time." if status == ArchiveStatus.FAILED else "")
    html = page(client_ed, capture)
    assert words in html
    assert "Download evidence bundle" not in html and "data-replay-frame" not in html


def test_no_archive_in_words(client_ed):
    html = page(client_ed, factories.CaptureFactory())
    assert "No evidence archive has been made for this source yet" in html
