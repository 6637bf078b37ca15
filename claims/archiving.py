"""Evidence archives: after a source is fetched (claims.fetching.pipeline asks for one),
the worker captures its page again as evidence (claims.capture), stores the files and
records the outcome on a CaptureArchive.

    pending -> working -> done | failed          (the sweeper retries what a worker dropped)

Every archive ends in an outcome, exactly once: the row is claimed under a lock, a
redelivered task finds it working or done and leaves it, and an archive that stays pending
or working (a lost message, a worker killed mid-capture) is sent again by the sweeper until
CAPTURE_MAX_ATTEMPTS, then recorded as not archived, in words.

A browser capture runs Chromium: at most CAPTURE_CONCURRENCY at once on the machine (a
slot in Redis, held for the capture's wall time at most), the others wait their turn."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.capture.records import PageCapture
from claims.choices import ArchiveStatus, ArchiveVerification
from claims.fetching.client import FetchError
from claims.fetching.storable import storable
from claims.models import CaptureArchive, archive_dir
from claims.queue import enqueue_capture_archive
from claims.redis import redis_client

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
TOKEN = "timestamp.tsr"
TSA_CERTIFICATES = "tsa-certificates.pem"
# Files stored beside the manifest but not listed in it: the token signs the manifest, and
# the authority's certificates come with the token.
OUTSIDE_MANIFEST = (MANIFEST, TOKEN, TSA_CERTIFICATES)


@dataclass
class ArchiveOutcome:
    status: str
    retry_in: float | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Making one ---------------------------------------------------------------------------

def _slot_key(i: int) -> str:
    return f"factcheck:capture-slot:{i}"


def _take_slot(archive_id: int) -> str | None:
    """A place among the CAPTURE_CONCURRENCY browser captures allowed at once, held in Redis
    for the wall time (plus a margin) so a killed worker's slot frees itself."""
    hold = int(settings.CAPTURE_WALL_SECONDS) + 30
    client = redis_client()
    for i in range(max(settings.CAPTURE_CONCURRENCY, 1)):
        if client.set(_slot_key(i), str(archive_id), nx=True, ex=hold):
            return _slot_key(i)
    return None


def _give_slot(key: str, archive_id: int) -> None:
    client = redis_client()
    if client.get(key) == str(archive_id).encode():
        client.delete(key)


def _browser_reason() -> str | None:
    """Why this worker will not use a browser (None: it will)."""
    if not settings.CAPTURE_BROWSER:
        return "No screenshot or PDF: browser capture is turned off (CAPTURE_BROWSER)."
    from claims.capture.browser import browser_available

    return browser_available()


def capture_archive(*, archive_id: int) -> ArchiveOutcome:
    """Make the evidence archive `archive_id` once. Safe to run twice."""
    with transaction.atomic():
        archive = (CaptureArchive.objects.select_for_update()
                   .select_related("capture__source").filter(pk=archive_id).first())
        if archive is None:
            return ArchiveOutcome("missing")
        if archive.status not in (ArchiveStatus.PENDING,):
            return ArchiveOutcome(archive.status)  # done, failed, or another worker's
        if archive.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            return _failed(archive, archive.error_message or (
                f"The capture did not finish in {archive.attempts} attempts."))
        no_browser = _browser_reason()
        slot = None
        if no_browser is None:
            slot = _take_slot(archive.pk)
            if slot is None:
                return ArchiveOutcome("waiting", retry_in=10.0)
        now = timezone.now()
        archive.status = ArchiveStatus.WORKING
        archive.attempts += 1
        archive.started_at = archive.status_changed_at = now
        archive.save(update_fields=["status", "attempts", "started_at", "status_changed_at"])
    try:
        return _make(archive, no_browser)
    finally:
        if slot is not None:
            _give_slot(slot, archive.pk)


def _make(archive: CaptureArchive, no_browser: str | None) -> ArchiveOutcome:
    url = archive.capture.source.normalized_url
    try:
        page = _capture_page(url, no_browser)
    except FetchError as exc:
        return _failed(archive, f"The page could not be captured: {exc.message}",
                       transient=exc.transient)
    from claims.capture import manifest as capture_manifest

    files = _page_files(page)
    manifest = capture_manifest.build_manifest(page, files)
    notes = list(page.notes)
    stamp_error, stamp = _timestamp(manifest)
    if stamp is not None:
        files[TOKEN] = stamp.response
        files[TSA_CERTIFICATES] = stamp.certificates_pem.encode()
    files[MANIFEST] = manifest
    try:
        _store(archive.capture_id, files)
    except OSError as exc:
        return _failed(archive, f"The archive could not be stored ({exc}).", transient=True)
    listed = capture_manifest.read_manifest(manifest)["files"]
    with transaction.atomic():
        row = CaptureArchive.objects.select_for_update().get(pk=archive.pk)
        if row.status != ArchiveStatus.WORKING:
            return ArchiveOutcome(row.status)  # the sweeper gave up on it meanwhile
        now = timezone.now()
        row.status = ArchiveStatus.DONE
        row.method = page.method
        row.final_url = page.final_url[:2000]
        row.files = [*listed, *({"name": name, "sha256": _sha256(data),
                                 "size": len(data)} for name, data in files.items()
                                if name in OUTSIDE_MANIFEST)]
        row.blocked = storable([{"url": b.url[:2000], "reason": b.reason}
                                for b in page.blocked])
        row.notes = storable(notes)
        row.manifest_sha256 = _sha256(manifest)
        row.timestamp_authority = stamp.authority if stamp else ""
        row.timestamped_at = stamp.gen_time if stamp else None
        row.timestamp_error = storable(stamp_error)
        row.error_message = ""
        row.finished_at = row.status_changed_at = now
        row.save()
    return ArchiveOutcome(ArchiveStatus.DONE)


def _capture_page(url: str, no_browser: str | None) -> PageCapture:
    from claims.capture.http import capture_over_http

    limits = _limits()
    if no_browser is None:
        from claims.capture.browser import capture_in_browser

        return capture_in_browser(url, limits=limits)
    return capture_over_http(url, limits=limits, no_browser_reason=no_browser)


def _limits():
    from claims.capture.limits import CaptureLimits

    return CaptureLimits.from_settings()


def _page_files(page: PageCapture) -> dict[str, bytes]:
    from claims.capture import archive as warc_archive

    files = {"archive.wacz": warc_archive.build_wacz(page)}
    if page.screenshot_png:
        files["screenshot.png"] = page.screenshot_png
    if page.pdf:
        files["page.pdf"] = page.pdf
    if page.certificates_pem:
        files["certificates.pem"] = page.certificates_pem.encode()
    return files


def _timestamp(manifest: bytes):
    from claims.capture import timestamp as capture_timestamp

    if not settings.CAPTURE_TSA_URLS:
        return ("No trusted timestamp: no time-stamping authority is configured "
                "(CAPTURE_TSA_URLS)."), None
    try:
        return "", capture_timestamp.request_timestamp(manifest, settings.CAPTURE_TSA_URLS)
    except capture_timestamp.TimestampUnavailable as exc:
        return f"No trusted timestamp: {exc}", None


def _store(capture_id: int, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = f"{archive_dir(capture_id)}/{name}"
        if default_storage.exists(path):  # a retry after a worker stopped mid-way
            default_storage.delete(path)
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:
            default_storage.delete(saved)
            raise OSError(f"the storage would not keep {name} under its own name")


def _failed(archive: CaptureArchive, words: str, *, transient: bool = False) -> ArchiveOutcome:
    """Record an archive that could not be made. A transient failure with attempts left
    goes back to pending, to be tried again by the sweeper."""
    with transaction.atomic():
        row = CaptureArchive.objects.select_for_update().get(pk=archive.pk)
        if row.status == ArchiveStatus.DONE:
            return ArchiveOutcome(row.status)
        now = timezone.now()
        row.error_message = storable(words)
        row.status_changed_at = now
        if transient and row.attempts < settings.CAPTURE_MAX_ATTEMPTS:
            row.status = ArchiveStatus.PENDING
            row.save(update_fields=["status", "error_message", "status_changed_at"])
            return ArchiveOutcome("retrying", retry_in=60.0)
        row.status = ArchiveStatus.FAILED
        row.finished_at = now
        row.save(update_fields=["status", "error_message", "status_changed_at",
                                "finished_at"])
        return ArchiveOutcome(ArchiveStatus.FAILED)


def archive_give_up(*, archive_id: int, reason: str) -> ArchiveOutcome:
    """Record an archive whose task broke as not archived, with `reason` in words."""
    archive = CaptureArchive.objects.filter(pk=archive_id).first()
    if archive is None:
        return ArchiveOutcome("missing")
    return _failed(archive, reason)


def archives_sweep_stuck(*, older_than: float | None = None) -> int:
    """Send again the archives pending for longer than CAPTURE_STUCK_AFTER_SECONDS (a lost
    message), and put back the ones a worker left working (killed mid-capture), or record
    them as not archived once their attempts are used up. Returns how many were sent."""
    older_than = settings.CAPTURE_STUCK_AFTER_SECONDS if older_than is None else older_than
    cutoff = timezone.now() - timedelta(seconds=older_than)
    stuck = CaptureArchive.objects.filter(
        status__in=[ArchiveStatus.PENDING, ArchiveStatus.WORKING]
    ).filter(Q(status_changed_at__lte=cutoff) | Q(status_changed_at__isnull=True))
    sent = 0
    for pk, status in list(stuck.values_list("pk", "status")[:500]):
        with transaction.atomic():
            row = CaptureArchive.objects.select_for_update().get(pk=pk)
            if row.status not in (ArchiveStatus.PENDING, ArchiveStatus.WORKING):
                continue
            if row.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
                _failed(row, row.error_message or (
                    f"The capture did not finish in {row.attempts} attempts (the worker "
                    f"stopped or took longer than allowed)."))
                continue
            row.status = ArchiveStatus.PENDING
            row.status_changed_at = timezone.now()
            if status == ArchiveStatus.WORKING:
                row.error_message = "The last attempt did not finish (the worker stopped)."
            row.save(update_fields=["status", "status_changed_at", "error_message"])
        if enqueue_capture_archive(pk):
            sent += 1
    return sent


# --- Reading and verifying one ------------------------------------------------------------

def archive_read(archive: CaptureArchive, name: str) -> bytes | None:
    """One stored file of the archive, or None when it is missing from storage."""
    try:
        with default_storage.open(f"{archive_dir(archive.capture_id)}/{name}", "rb") as fh:
            return fh.read()
    except (FileNotFoundError, OSError):
        return None


def archive_bundle(archive: CaptureArchive) -> bytes:
    """The evidence bundle: every stored file of the archive in one zip."""
    from claims.capture import manifest as capture_manifest

    files = {}
    for entry in archive.files:
        data = archive_read(archive, entry["name"])
        if data is not None:
            files[entry["name"]] = data
    return capture_manifest.build_bundle(files)


def archive_check(archive: CaptureArchive) -> list[str]:
    """Every problem with the archive's files, in words naming the file (empty: verified):
    each file re-hashed against the manifest, the manifest against the hash recorded when
    it was made, and the timestamp token against the manifest, the authority's
    certificates kept with it, and the capture's own time."""
    if archive.status != ArchiveStatus.DONE:
        return ["There is no archive to verify: " + (archive.error_message
                                                      or archive.get_status_display()) + "."]
    manifest = archive_read(archive, MANIFEST)
    if manifest is None:
        return [f"{MANIFEST} is missing from storage."]
    problems = []
    if _sha256(manifest) != archive.manifest_sha256:
        problems.append(f"{MANIFEST} has changed since the capture: its SHA-256 is "
                        f"{_sha256(manifest)} and the desk recorded "
                        f"{archive.manifest_sha256}.")
    from claims.capture import manifest as capture_manifest

    names = [e["name"] for e in archive.files if e["name"] not in OUTSIDE_MANIFEST]
    problems += capture_manifest.verify_files(
        manifest, {name: archive_read(archive, name) for name in names})
    # The token and the authority's certificates sit outside the manifest (the token signs
    # it): the desk recorded their hashes when they arrived, so a change to a byte the
    # token's signature does not cover (its certificates, say) is caught too.
    for name in (TOKEN, TSA_CERTIFICATES):
        entry = archive.file_entry(name)
        data = archive_read(archive, name) if entry else None
        if entry and data is not None and _sha256(data) != entry.get("sha256"):
            problems.append(f"{name} has changed since the capture: its SHA-256 is "
                            f"{_sha256(data)} and the desk recorded {entry.get('sha256')}.")
    if archive.file_entry(TOKEN) is not None:
        problems += _check_token(archive, manifest)
    return problems


def _check_token(archive: CaptureArchive, manifest: bytes) -> list[str]:
    from claims.capture import timestamp as capture_timestamp

    token = archive_read(archive, TOKEN)
    if token is None:
        return [f"{TOKEN} is missing from storage."]
    certificates = archive_read(archive, TSA_CERTIFICATES)
    if certificates is None:
        return [f"{TSA_CERTIFICATES} is missing from storage."]
    try:
        when = capture_timestamp.verify_timestamp(
            token, manifest, certificates_pem=certificates.decode("ascii", "replace"),
            roots_pem=_roots())
    except capture_timestamp.TimestampInvalid as exc:
        return [f"{TOKEN} does not verify: {exc}"]
    captured = _captured_at(manifest) or archive.started_at
    skew = settings.CAPTURE_TIMESTAMP_SKEW_SECONDS
    if captured is not None and abs((when - captured).total_seconds()) > skew:
        return [f"{TOKEN} was issued at {when:%Y-%m-%d %H:%M:%S} UTC, more than "
                f"{skew // 60} minutes from the capture ({captured:%Y-%m-%d %H:%M:%S} UTC)."]
    return []


def _roots() -> str | None:
    from claims.capture.timestamp import configured_roots_pem

    return configured_roots_pem()


def _captured_at(manifest: bytes) -> datetime | None:
    from claims.capture import manifest as capture_manifest

    try:
        value = capture_manifest.read_manifest(manifest).get("captured_at", "")
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, TypeError, AttributeError):
        return None


def archive_verify(archive: CaptureArchive) -> list[str]:
    """Check the archive (archive_check) and record the result on it."""
    clock = time.monotonic()
    problems = archive_check(archive)
    archive.verification = (ArchiveVerification.FAILED if problems
                            else ArchiveVerification.VERIFIED)
    archive.verification_problems = storable(problems)
    archive.verified_at = timezone.now()
    CaptureArchive.objects.filter(pk=archive.pk).update(
        verification=archive.verification, verification_problems=archive.verification_problems,
        verified_at=archive.verified_at)
    logger.info("Verified archive %s in %.0f ms: %s", archive.pk,
                (time.monotonic() - clock) * 1000, archive.verification)
    return problems
