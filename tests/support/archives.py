"""Evidence archives for tests that read them (exports, public pages, the permission
matrix): a CaptureArchive row and small files in the default storage, laid out as
claims.archiving stores them, without a browser, a capture or an authority.

Capture ids repeat from one test to the next (and between runs side by side), so a test
that writes archives points MEDIA_ROOT at a directory of its own (`settings.MEDIA_ROOT =
tmp_path`)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from claims.choices import ArchiveStatus
from claims.models import Capture, CaptureArchive, archive_dir

# The smallest valid PNG (one transparent pixel): what a browser shows as an image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)
AUTHORITY = "http://tsa.example/"
TIMESTAMPED_AT = datetime(2026, 5, 5, 1, 3, 4, tzinfo=UTC)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_archive(capture: Capture, *, screenshot: bool | bytes = True, timestamp: bool = True,
                  status: str = ArchiveStatus.DONE, label: str = "",
                  authority: str = AUTHORITY) -> CaptureArchive:
    """The capture's evidence archive: a WACZ, a screenshot (a tiny PNG, the PNG bytes
    `screenshot` gives, or none if it is False), a manifest listing them, and a timestamp
    token (unless `timestamp` is False), each file in storage and listed with its SHA-256
    and size. `label` goes into every file, so two
    archives' hashes differ; `authority` names the time-stamping authority. A `status`
    other than done leaves the row without files."""
    if status != ArchiveStatus.DONE:
        return CaptureArchive.objects.create(
            capture=capture, status=status,
            error_message="Could not capture." if status == ArchiveStatus.FAILED else "")
    page = {"archive.wacz": f"PK wacz of capture {capture.pk} {label}".encode()}
    if isinstance(screenshot, bytes):
        page["screenshot.png"] = screenshot
    elif screenshot:
        page["screenshot.png"] = PNG + label.encode()
    listed = [{"name": name, "sha256": _sha256(data), "size": len(data)}
              for name, data in page.items()]
    manifest = json.dumps({"format": "factcheck-capture/1", "files": listed, "label": label},
                          sort_keys=True, separators=(",", ":")).encode()
    files = {**page, "manifest.json": manifest}
    if timestamp:
        files["timestamp.tsr"] = b"token over " + _sha256(manifest).encode()
    for name, data in files.items():
        path = f"{archive_dir(capture.pk)}/{name}"
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(data))
    return CaptureArchive.objects.create(
        capture=capture, status=ArchiveStatus.DONE, method="browser" if screenshot else "http",
        final_url=capture.final_url,
        files=[*listed, *({"name": name, "sha256": _sha256(data), "size": len(data)}
                          for name, data in files.items() if name not in page)],
        manifest_sha256=_sha256(manifest),
        timestamp_authority=authority if timestamp else "",
        timestamped_at=TIMESTAMPED_AT if timestamp else None,
        timestamp_error="" if timestamp else "No trusted timestamp: none configured.",
        finished_at=TIMESTAMPED_AT, status_changed_at=TIMESTAMPED_AT,
    )


def sha256_of(archive: CaptureArchive, name: str) -> str:
    return archive.file_entry(name)["sha256"]
