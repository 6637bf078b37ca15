"""The manifest of a capture, the check of its files against it, and the evidence bundle.

The manifest (manifest.json) is canonical JSON: keys sorted, no spaces, UTF-8, so the same
capture always gives the same bytes and anyone can hash them again. It names the page, the
time, how it was captured, every file's SHA-256 and size, the requests the guard refused,
the notes and the software. The RFC 3161 token (timestamp.tsr) is over SHA-256 of those
bytes, so the token vouches for the time of every file the manifest lists.

- `build_manifest(capture, files)`: the manifest of `files` (every file but the manifest
  itself, the token and the authority's certificates that come with the token).
- `manifest_digest(manifest)`: what the token is asked to sign.
- `read_manifest(manifest)`: the manifest as a dict, read within bounds, or ManifestRefused
  saying why not.
- `verify_files(manifest, files)`: every file that does not match, in words naming it.
- `build_bundle(files)`: one zip of every file, with a README saying what each is and how
  to check them without the desk, the same bytes for the same files.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import textwrap
import zipfile
from datetime import UTC, datetime
from typing import Any

from claims import boundedjson
from claims.capture.records import PageCapture

FORMAT = "factcheck-capture/1"

WACZ = "archive.wacz"
SCREENSHOT = "screenshot.png"
PDF = "page.pdf"
CERTIFICATES = "certificates.pem"
MANIFEST = "manifest.json"
TIMESTAMP = "timestamp.tsr"
CAPTURE_FILES = (WACZ, SCREENSHOT, PDF, CERTIFICATES, MANIFEST, TIMESTAMP)
# The time-stamping authority's certificates, kept with its token to verify it later.
TSA_CERTIFICATES = "tsa-certificates.pem"
# Files that cannot be in the manifest: the manifest itself, and what is made from it.
NOT_LISTED = (MANIFEST, TIMESTAMP, TSA_CERTIFICATES)

README = "README.txt"
CHECKSUMS = "SHA256SUMS"

# A manifest lists a handful of files: far under this. Its deepest value (a file's entry in
# the list of files) is three levels down.
MANIFEST_MAX_BYTES = 1024 * 1024
MANIFEST_MAX_DEPTH = 4

# A file name as it goes into a zip, a sha256sum list and a storage path: no directories.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Zip entries dated 1980-01-01 (the earliest a zip can say) when the capture's time is
# not known, so the bundle's bytes depend on its files alone.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Already compressed: deflating them again costs time and saves nothing.
_STORED_SUFFIXES = (".wacz", ".png", ".gz", ".zip", ".tsr")

_DESCRIPTIONS = {
    WACZ: "the web archive (WACZ 1.1.1): every request the page made and every response, "
          "as WARC records, with its index and page list. Open it in ReplayWeb.page, or "
          "check it with `wacz validate -f archive.wacz`.",
    SCREENSHOT: "a full-page screenshot of the page as loaded.",
    PDF: "the page as loaded, printed to PDF.",
    CERTIFICATES: "the TLS certificate chain the site presented (PEM).",
    MANIFEST: "the capture's manifest: the URL, the time, how the page was captured, "
              "and the SHA-256 and size of every file above. The timestamp is over it.",
    TIMESTAMP: "an RFC 3161 timestamp response over the SHA-256 of manifest.json, signed "
               "by a time-stamping authority.",
    TSA_CERTIFICATES: "the time-stamping authority's certificates, as it sent them with "
                      "the timestamp (PEM).",
    CHECKSUMS: "the SHA-256 of each file, as the manifest lists them (sha256sum format).",
}


class ManifestRefused(ValueError):
    """A manifest that cannot be read as ours; the message says why, naming the file."""


def build_manifest(capture: PageCapture, files: dict[str, bytes]) -> bytes:
    """The manifest of the capture and its `files` (name to bytes), as canonical JSON."""
    for name in files:
        _check_name(name)
        if name in NOT_LISTED:
            raise ValueError(f"{name} cannot be listed in the manifest: it is made from it.")
    document = {
        "format": FORMAT,
        "url": capture.url,
        "final_url": capture.final_url,
        "captured_at": _iso_utc(capture.started_at),
        "method": capture.method,
        "files": [{"name": name, "sha256": _sha256(files[name]), "size": len(files[name])}
                  for name in _in_order(files)],
        "blocked": [{"url": blocked.url, "reason": blocked.reason}
                    for blocked in capture.blocked],
        "notes": list(capture.notes),
        "software": dict(capture.software),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # A lone surrogate (text decoded with surrogateescape somewhere upstream) has no UTF-8
    # form; it is written as U+FFFD rather than failing the capture.
    return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def manifest_digest(manifest: bytes) -> bytes:
    """The SHA-256 of the manifest's bytes: what the time-stamping authority signs."""
    return hashlib.sha256(manifest).digest()


def read_manifest(manifest: bytes) -> dict[str, Any]:
    """The manifest as a dict, after checking it is ours: at most MANIFEST_MAX_BYTES,
    nested at most MANIFEST_MAX_DEPTH levels, JSON, our format, and a list of files each
    with a plain name, a SHA-256 and a size, none twice. ManifestRefused says why not."""
    try:
        document = boundedjson.loads(manifest, limit=MANIFEST_MAX_DEPTH,
                                     max_bytes=MANIFEST_MAX_BYTES, subject=MANIFEST)
    except boundedjson.JSONRefused as error:
        raise ManifestRefused(str(error)) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ManifestRefused(f"{MANIFEST} is not valid JSON ({error}).") from None
    not_ours = f"{MANIFEST} is not a capture manifest ({FORMAT})"
    if not isinstance(document, dict):
        raise ManifestRefused(f"{not_ours}: it is not a JSON object.")
    if document.get("format") != FORMAT:
        raise ManifestRefused(f"{not_ours}: its format is {document.get('format')!r}.")
    entries = document.get("files")
    if not isinstance(entries, list):
        raise ManifestRefused(f"{not_ours}: it has no list of files.")
    seen = set()
    for place, entry in enumerate(entries, start=1):
        if not _is_file_entry(entry):
            raise ManifestRefused(f"{not_ours}: file {place} in its list is not a plain "
                                  f"file name with a SHA-256 and a size.")
        if entry["name"] in seen:
            raise ManifestRefused(f"{MANIFEST} lists {entry['name']} twice.")
        seen.add(entry["name"])
    return document


def verify_files(manifest: bytes, files: dict[str, bytes | None]) -> list[str]:
    """Each problem with `files` (name to bytes, None when it could not be read) against
    the manifest, in words naming the file: a file whose SHA-256 or size differs from the
    manifest's, a listed file that is missing, a file the manifest does not list. A
    manifest that cannot be read (too large, too deep, not JSON, not ours) is the one
    problem. An empty list: every file is as it was when the capture was made."""
    try:
        document = read_manifest(manifest)
    except ManifestRefused as error:
        return [str(error)]
    problems = []
    listed = set()
    for entry in document["files"]:
        name = entry["name"]
        listed.add(name)
        data = files.get(name)
        if data is None:
            problems.append(f"{name} is missing.")
            continue
        actual = _sha256(data)
        if actual != entry["sha256"] or len(data) != entry["size"]:
            sizes = ("" if len(data) == entry["size"] else
                     f" (it is {len(data):,} bytes and the manifest says {entry['size']:,})")
            problems.append(f"{name} has changed since the capture: its SHA-256 is {actual} "
                            f"and the manifest says {entry['sha256']}{sizes}.")
    problems += [f"{name} is not listed in the manifest, so nothing vouches for it."
                 for name, data in sorted(files.items())
                 if data is not None and name not in listed and name not in NOT_LISTED]
    return problems


def build_bundle(files: dict[str, bytes]) -> bytes:
    """One zip of a capture's `files` (name to bytes), each as given, with SHA256SUMS (the
    manifest's hashes, for `sha256sum -c`) and a README saying what each file is and how to
    check them. Every entry is dated the capture's time (1980-01-01 without a readable
    manifest) with fixed attributes, so the same files give the same bytes."""
    for name in files:
        _check_name(name)
        if name in (README, CHECKSUMS):
            raise ValueError(f"{name} is written by the bundle itself.")
    document = None
    if MANIFEST in files:
        try:
            document = read_manifest(files[MANIFEST])
        except ManifestRefused:
            document = None
    checksums = _checksums(document, files)
    entries = {README: _readme(files, document, bool(checksums)).encode("utf-8")}
    if checksums:
        entries[CHECKSUMS] = checksums.encode("utf-8")
    entries.update((name, files[name]) for name in _in_order(files))
    moment = _zip_time(document)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for name, data in entries.items():
            entry = zipfile.ZipInfo(name, date_time=moment)
            entry.compress_type = (zipfile.ZIP_STORED if name.endswith(_STORED_SUFFIXES)
                                   else zipfile.ZIP_DEFLATED)
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            bundle.writestr(entry, data)
    return out.getvalue()


def _checksums(document: dict | None, files: dict[str, bytes]) -> str:
    """The sha256sum lines of the files in the bundle: the manifest's hashes (what the
    timestamp vouches for), or the files' own when there is no readable manifest."""
    if document is not None:
        return "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in document["files"]
                       if entry["name"] in files)
    return "".join(f"{_sha256(files[name])}  {name}\n" for name in _in_order(files)
                   if name not in NOT_LISTED)


def _readme(files: dict[str, bytes], document: dict | None, has_checksums: bool) -> str:
    lines = ["Evidence bundle of a web page capture", "=" * 38, ""]
    if document is not None:
        lines += [f"Page:     {document.get('url', '')}",
                  f"Final:    {document.get('final_url', '')}",
                  f"Captured: {document.get('captured_at', '')} (UTC)",
                  f"Method:   {document.get('method', '')}", ""]
    lines += ["Files", "-----"]
    for name in [CHECKSUMS] * has_checksums + _in_order(files):
        description = _DESCRIPTIONS.get(name, "a further file of the capture.")
        lines += textwrap.wrap(f"{name}: {description}", width=78, subsequent_indent="    ")
    lines += ["", "How to check them", "-----------------"]
    if has_checksums and document is not None:
        lines += [
            "1. Each file is as it was when captured if its SHA-256 is the one the manifest",
            "   lists. SHA256SUMS holds those hashes; in this folder run:",
            "",
            "       sha256sum -c SHA256SUMS",
            "",
        ]
    elif has_checksums:
        lines += [
            "1. There is no readable manifest in this bundle, so SHA256SUMS holds the files'",
            "   own hashes: it shows they were not damaged since the bundle was made, not",
            "   that they are what was captured. Run: sha256sum -c SHA256SUMS",
            "",
        ]
    if TIMESTAMP in files:
        untrusted = f" -untrusted {TSA_CERTIFICATES}" if TSA_CERTIFICATES in files else ""
        lines += [
            "2. The timestamp proves manifest.json existed, unchanged, at the time it says.",
            "   Verify it with OpenSSL, trusting the authority's root certificate (get it",
            "   from the authority itself, not from this bundle):",
            "",
            f"       openssl ts -verify -in {TIMESTAMP} -data {MANIFEST} \\",
            f"           -CAfile authority-root.pem{untrusted}",
            "",
            "   and read its time with:",
            "",
            f"       openssl ts -reply -in {TIMESTAMP} -text",
            "",
        ]
    else:
        lines += ["2. This capture has no trusted timestamp.", ""]
    return "\n".join(lines)


def _is_file_entry(entry: Any) -> bool:
    return (isinstance(entry, dict)
            and isinstance(entry.get("name"), str) and _FILE_NAME.fullmatch(entry["name"])
            and isinstance(entry.get("sha256"), str) and _SHA256.fullmatch(entry["sha256"])
            and type(entry.get("size")) is int and entry["size"] >= 0)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain file name (letters, digits, '.', '_', "
                         f"'-'; no directories).")


def _in_order(files: dict[str, Any]) -> list[str]:
    """The capture's own files in their usual order, then any others by name."""
    known = [name for name in (*CAPTURE_FILES, TSA_CERTIFICATES) if name in files]
    return known + sorted(name for name in files if name not in known)


def _zip_time(document: dict | None) -> tuple[int, int, int, int, int, int]:
    try:
        moment = datetime.fromisoformat(str(document["captured_at"]).replace("Z", "+00:00"))
    except (TypeError, KeyError, ValueError):
        return _ZIP_EPOCH
    if moment.tzinfo is None:  # no zone: its UTC time is unknown
        return _ZIP_EPOCH
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        return _ZIP_EPOCH
    if not 1980 <= moment.year <= 2107:
        return _ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Capture times must be timezone-aware (UTC).")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
