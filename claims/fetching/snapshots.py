"""Raw snapshots through Django's storage API, content-addressed: the file name is the
body's SHA-256 (snapshots/aa/bb/<sha256>, as Capture.snapshot's upload_to), so identical
bodies fetched any number of times are stored once."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404


def snapshot_name(sha256: str) -> str:
    return f"snapshots/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store_snapshot(body: bytes) -> tuple[str, str]:
    """Store `body` unless an identical one is stored already. Returns (sha256, name)."""
    sha256 = hashlib.sha256(body).hexdigest()
    name = snapshot_name(sha256)
    if default_storage.exists(name):
        return sha256, name
    saved = default_storage.save(name, ContentFile(body))
    if saved != name:
        # Another worker stored the same body between our check and our save; the storage
        # gave ours a new name. The content is identical, so keep one copy.
        default_storage.delete(saved)
    return sha256, name


def snapshot_download(capture) -> FileResponse:
    """A capture's stored bytes as a download, never rendered in the desk's origin: an
    attachment, typed as opaque bytes, not sniffed, in a CSP sandbox. The desk's snapshot
    view and the API's both answer with this. Http404 when there is nothing stored."""
    if not capture.snapshot:
        raise Http404("This capture has no stored snapshot.")
    try:
        handle = capture.snapshot.open("rb")
    except FileNotFoundError:
        raise Http404("The snapshot file is missing from storage.") from None
    ext = ".html" if "html" in (capture.content_type or "") else ".bin"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"snapshot-{capture.source_id}-{capture.pk}{ext}",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
