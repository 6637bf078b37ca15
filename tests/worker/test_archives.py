"""Evidence archives made by a real Celery worker on a real Redis broker: a source attached
in the desk is fetched, then archived (WARC/WACZ, manifest, RFC 3161 token from a local
time-stamping authority), and the archive verifies until one byte of any file changes.

With Debian's Chromium on the machine the page is loaded in the browser, every request
through the fetch guard: a subresource on another local port or the metadata address is
refused, absent from the WARC and listed on the archive."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from claims.archiving import archive_check, archives_sweep_stuck, capture_archive
from claims.capture.archive import validate_wacz
from claims.choices import ArchiveStatus, SourceStatus
from claims.models import CaptureArchive, Source, archive_dir
from claims.services.sources import source_attach
from tests.factories import ClaimFactory
from tests.localserver import LocalServer, Response
from tests.support.processes import source_status, wait_for
from tests.support.web_pages import PAGE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or (Path("/usr/bin/chromium").exists() and "/usr/bin/chromium")


@pytest.fixture
def archiving(settings, tsa):
    settings.CAPTURE_ARCHIVE = True
    settings.CAPTURE_TSA_URLS = [tsa.url]
    settings.CAPTURE_TSA_ROOTS = str(tsa.ca_path)
    return settings


def _archive_of(source_pk: int) -> CaptureArchive | None:
    return CaptureArchive.objects.filter(capture__source_id=source_pk).first()


def _settled(source_pk: int) -> bool:
    archive = _archive_of(source_pk)
    return archive is not None and archive.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED)


def _flip_one_byte(archive: CaptureArchive, name: str) -> None:
    path = Path(default_storage.path(f"{archive_dir(archive.capture_id)}/{name}"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_attached_source_is_archived_over_http_and_verifies(
        archiving, celery_worker, local_server, tsa, tmp_path, capsys):
    archiving.CAPTURE_BROWSER = False
    local_server.route("/jobs", Response.html(PAGE))
    evidence = source_attach(claim=ClaimFactory(), url=local_server.url("/jobs"), user=None)
    pk = evidence.source_id
    assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHED), source_status(pk)
    assert wait_for(lambda: _settled(pk), 60)

    archive = _archive_of(pk)
    assert archive.status == ArchiveStatus.DONE, archive.error_message
    assert archive.method == "http"
    assert any("browser capture is turned off" in note for note in archive.notes)
    names = {f["name"] for f in archive.files}
    assert {"archive.wacz", "manifest.json", "timestamp.tsr"} <= names
    assert "screenshot.png" not in names
    assert archive.timestamped_at is not None
    assert abs(archive.timestamped_at - timezone.now()) < timedelta(minutes=5)
    assert archive.timestamp_authority == tsa.url

    # The page's own words are in the WARC inside the WACZ.
    wacz = default_storage.open(f"{archive_dir(archive.capture_id)}/archive.wacz").read()
    with zipfile.ZipFile(io.BytesIO(wacz)) as zf:
        warcs = [n for n in zf.namelist() if n.startswith("archive/")]
        assert warcs
        import gzip
        assert b"unemployment rose slightly" in gzip.decompress(zf.read(warcs[0]))

    assert validate_wacz(wacz) == []  # the real `wacz validate`

    # verify_capture, then one flipped byte in the WACZ fails it, naming the file.
    call_command("verify_capture", str(archive.capture_id))
    assert "verified" in capsys.readouterr().out
    archive.refresh_from_db()
    assert archive.verification == "verified"

    # openssl agrees with the desk about the token over the manifest.
    directory = Path(default_storage.path(archive_dir(archive.capture_id)))
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(directory / "manifest.json"),
         "-in", str(directory / "timestamp.tsr"), "-CAfile", str(tsa.ca_path),
         "-untrusted", str(directory / "tsa-certificates.pem")],
        capture_output=True, text=True, timeout=30)
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified

    _flip_one_byte(archive, "archive.wacz")
    with pytest.raises(CommandError):
        call_command("verify_capture", str(archive.capture_id))
    out = capsys.readouterr().out
    assert "FAILED" in out and "archive.wacz" in out
    archive.refresh_from_db()
    assert archive.verification == "failed"
    assert any("archive.wacz" in p for p in archive.verification_problems)


def test_a_changed_manifest_or_token_fails_verification(archiving, celery_worker,
                                                        local_server):
    archiving.CAPTURE_BROWSER = False
    local_server.route("/jobs", Response.html(PAGE))
    pk = source_attach(claim=ClaimFactory(), url=local_server.url("/jobs"), user=None).source_id
    assert wait_for(lambda: _settled(pk), 60)
    archive = _archive_of(pk)
    assert archive_check(archive) == []
    _flip_one_byte(archive, "timestamp.tsr")
    problems = archive_check(archive)
    assert problems and all("timestamp.tsr" in p for p in problems), problems
    _flip_one_byte(archive, "timestamp.tsr")  # back as it was
    assert archive_check(archive) == []
    _flip_one_byte(archive, "manifest.json")
    assert any("manifest.json" in p for p in archive_check(archive))


def test_no_authority_answering_still_archives_and_says_why(archiving, celery_worker,
                                                             local_server, tsa):
    archiving.CAPTURE_BROWSER = False
    archiving.CAPTURE_TSA_URLS = ["http://127.0.0.1:9/tsa"]  # nothing listens on port 9
    local_server.route("/jobs", Response.html(PAGE))
    pk = source_attach(claim=ClaimFactory(), url=local_server.url("/jobs"), user=None).source_id
    assert wait_for(lambda: _settled(pk), 60)
    archive = _archive_of(pk)
    assert archive.status == ArchiveStatus.DONE
    assert archive.timestamped_at is None
    assert "No trusted timestamp" in archive.timestamp_error
    assert "127.0.0.1:9" in archive.timestamp_error
    assert archive_check(archive) == []  # the files still verify against the manifest


def test_an_archive_a_worker_dropped_is_retried_then_given_up(archiving, celery_worker,
                                                              local_server):
    """A worker killed mid-capture leaves the archive working: the sweeper sends it again,
    and once its attempts are used up it is recorded as not archived, in words."""
    archiving.CAPTURE_BROWSER = False
    archiving.CAPTURE_ARCHIVE = False  # the fetch asks for no archive; the test makes one
    local_server.route("/jobs", Response.html(PAGE))
    pk = source_attach(claim=ClaimFactory(), url=local_server.url("/jobs"), user=None).source_id
    assert wait_for(lambda: source_status(pk) == SourceStatus.FETCHED)
    capture = Source.objects.get(pk=pk).captures.get()
    archive = CaptureArchive.objects.create(capture=capture, status=ArchiveStatus.WORKING,
                                            attempts=1, status_changed_at=timezone.now())
    assert archives_sweep_stuck(older_than=3600) == 0  # not stuck yet
    assert archives_sweep_stuck(older_than=0) == 1
    assert wait_for(lambda: _settled(pk), 60)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE
    assert archive.attempts == 2

    exhausted = CaptureArchive.objects.create(
        capture=Source.objects.get(pk=pk).captures.model.objects.create(
            source_id=pk, status="success", sha256="0" * 64, started_at=timezone.now()),
        status=ArchiveStatus.WORKING, attempts=archiving.CAPTURE_MAX_ATTEMPTS,
        status_changed_at=timezone.now() - timedelta(hours=1))
    archives_sweep_stuck(older_than=0)
    exhausted.refresh_from_db()
    assert exhausted.status == ArchiveStatus.FAILED
    assert "did not finish" in exhausted.error_message
    # A redelivered task for a finished archive changes nothing.
    assert capture_archive(archive_id=exhausted.pk).status == ArchiveStatus.FAILED


@pytest.mark.skipif(not CHROMIUM, reason="Debian's Chromium is not installed")
def test_a_browser_capture_refuses_local_subresources(archiving, celery_worker, settings):
    """The page is served as http://localhost:<port>/ (allowed for the test); it pulls an
    image from http://127.0.0.1:<other port>/ and one from the cloud metadata address, and
    its stylesheet redirects to the other port. None of them is fetched or archived."""
    archiving.CAPTURE_BROWSER = True
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    other = LocalServer().start()
    try:
        other.route("/secret.png", Response(body=b"secret", content_type="image/png"))
        other.route("/style.css", Response(body=b"body{}", content_type="text/css"))
        page = LocalServer().start()
        try:
            port = page.port
            html = (f"<html><head><title>Local news</title>"
                    f"<link rel=stylesheet href='/moved.css'></head><body><article>"
                    f"<p>The council approved the budget on Tuesday.</p>"
                    f"<img src='http://127.0.0.1:{other.port}/secret.png' alt=''>"
                    f"<img src='http://169.254.169.254/latest/meta-data/' alt=''>"
                    f"</article></body></html>")
            page.route("/news", Response.html(html))
            page.route("/moved.css", Response.redirect(f"http://127.0.0.1:{other.port}/style.css"))
            url = f"http://localhost:{port}/news"
            pk = source_attach(claim=ClaimFactory(), url=url, user=None).source_id
            assert wait_for(lambda: _settled(pk), 120)
            archive = _archive_of(pk)
            assert archive.status == ArchiveStatus.DONE, archive.error_message
            assert archive.method == "browser"
            assert archive.has_screenshot
            blocked = " ".join(b["url"] for b in archive.blocked)
            assert f"127.0.0.1:{other.port}/secret.png" in blocked
            assert "169.254.169.254" in blocked
            assert f"127.0.0.1:{other.port}/style.css" in blocked
            assert other.hits("/secret.png") == 0 and other.hits("/style.css") == 0
            wacz = default_storage.open(f"{archive_dir(archive.capture_id)}/archive.wacz").read()
            assert validate_wacz(wacz) == []  # the real `wacz validate`
            uris = _uris(wacz)
            assert f"localhost:{port}/news".encode() in uris
            assert f":{other.port}/".encode() not in uris
            assert b"169.254.169.254" not in uris
            assert archive_check(archive) == []
        finally:
            page.stop()
    finally:
        other.stop()


def _warc_of(wacz: bytes) -> bytes:
    import gzip

    with zipfile.ZipFile(io.BytesIO(wacz)) as zf:
        name = next(n for n in zf.namelist() if n.startswith("archive/"))
        return gzip.decompress(zf.read(name))


def _uris(wacz: bytes) -> bytes:
    return b"\n".join(line for line in _warc_of(wacz).splitlines()
                      if line.startswith(b"WARC-Target-URI"))
