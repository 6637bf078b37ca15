"""Raw snapshots through Django's storage API, content-addressed: the file name is the
body's SHA-256 (snapshots/aa/bb/<sha256>, as Capture.snapshot's upload_to), so identical
bodies fetched any number of times are stored once."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


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
