"""The manifest lists every file of a capture with its SHA-256; one changed byte in any file
is found and named; a manifest that is not ours, or built to exhaust the reader, is refused
in words; the evidence bundle holds every file as given and is the same bytes each time."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from claims.capture import manifest
from claims.capture.archive import build_wacz
from tests.claims.capture import pages


def capture_files() -> dict[str, bytes]:
    capture = pages.news_page_capture()
    return {
        manifest.WACZ: build_wacz(capture),
        manifest.SCREENSHOT: capture.screenshot_png,
        manifest.PDF: capture.pdf,
        manifest.CERTIFICATES: capture.certificates_pem.encode(),
    }


def built_manifest() -> bytes:
    return manifest.build_manifest(pages.news_page_capture(), capture_files())


def test_manifest_is_canonical_json_of_the_capture():
    files = capture_files()
    data = built_manifest()
    document = json.loads(data)

    assert data == json.dumps(document, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode("utf-8")
    assert document["format"] == "factcheck-capture/1"
    assert document["url"] == pages.URL
    assert document["final_url"] == pages.FINAL_URL
    assert document["captured_at"] == "2026-12-08T09:30:00.123456Z"
    assert document["method"] == "browser"
    assert document["files"] == [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in files.items()]
    assert document["blocked"] == [
        {"url": pages.METADATA_URL, "reason": "169.254.169.254 is a link-local address."},
        {"url": pages.LOCAL_URL, "reason": "127.0.0.1 is a loopback address."}]
    assert document["software"] == {"chromium": "131.0.6778.85", "playwright": "1.65.2"}
    assert built_manifest() == data
    assert manifest.manifest_digest(data) == hashlib.sha256(data).digest()


def test_manifest_keeps_text_in_utf8():
    capture = pages.news_page_capture()
    capture.notes = ["Pas de capture d’écran : la page a dépassé 20 Mo.", "lone \udc80"]
    document = json.loads(manifest.build_manifest(capture, {}))
    assert document["notes"] == ["Pas de capture d’écran : la page a dépassé 20 Mo.",
                                 "lone \ufffd"]
    assert "’".encode() in manifest.build_manifest(capture, {})


@pytest.mark.parametrize("name", ["manifest.json", "timestamp.tsr", "tsa-certificates.pem",
                                  "../etc/passwd", "a/b.png", "", ".hidden"])
def test_manifest_refuses_names_it_cannot_list(name):
    with pytest.raises(ValueError):
        manifest.build_manifest(pages.news_page_capture(), {name: b"x"})


def test_files_as_captured_verify():
    assert manifest.verify_files(built_manifest(), capture_files()) == []


@pytest.mark.parametrize("name", [manifest.WACZ, manifest.SCREENSHOT, manifest.PDF,
                                  manifest.CERTIFICATES])
@pytest.mark.parametrize("where", [0, 0.5, -1])
def test_one_flipped_byte_in_any_file_is_named(name, where):
    files = capture_files()
    data = bytearray(files[name])
    data[int(len(data) * where) if where != -1 else -1] ^= 0x01
    expected = hashlib.sha256(capture_files()[name]).hexdigest()
    files[name] = bytes(data)

    assert manifest.verify_files(built_manifest(), files) == [
        f"{name} has changed since the capture: its SHA-256 is "
        f"{hashlib.sha256(data).hexdigest()} and the manifest says {expected}."]


def test_missing_shortened_and_unlisted_files_are_named():
    files = capture_files()
    files[manifest.PDF] = None
    del files[manifest.CERTIFICATES]
    files[manifest.SCREENSHOT] = files[manifest.SCREENSHOT][:-1]
    files["notes.txt"] = b"added afterwards"

    problems = manifest.verify_files(built_manifest(), files)

    assert problems[0].startswith("screenshot.png has changed since the capture")
    assert problems[0].endswith(f"(it is {len(files[manifest.SCREENSHOT]):,} bytes and the "
                                f"manifest says {len(files[manifest.SCREENSHOT]) + 1:,}).")
    assert problems[1:] == [
        "page.pdf is missing.",
        "certificates.pem is missing.",
        "notes.txt is not listed in the manifest, so nothing vouches for it."]


def test_a_manifest_with_one_flipped_byte_is_not_read_as_valid():
    data = bytearray(built_manifest())
    at = data.index(b'"sha256":"') + len(b'"sha256":"')
    data[at] ^= 0x01  # a hex digit becomes another character
    problems = manifest.verify_files(bytes(data), capture_files())
    assert len(problems) == 1
    assert problems[0].startswith(("manifest.json is not a capture manifest",
                                   "archive.wacz has changed since the capture"))


@pytest.mark.parametrize(("data", "words"), [
    (b"[" * 100_000 + b"]" * 100_000,
     "manifest.json nests lists or objects 100,000 levels deep; the desk reads at most 4 "
     "levels."),
    (b'{"format":"factcheck-capture/1","files":[{"name":"a","sha256":"' + b"0" * 64
     + b'","size":1,"x":[[{"y":1}]]}]}',
     "manifest.json nests lists or objects 6 levels deep; the desk reads at most 4 levels."),
    (b'{"format":"factcheck-capture/1","notes":"' + b"x" * (1024 * 1024) + b'"}',
     "manifest.json is larger than 1 MB; the desk reads at most that much."),
    (b"\xff\xfe not json", None),
    (b'{"format": "factcheck-capture/1", "files": [}', None),
    (b"[]", "manifest.json is not a capture manifest (factcheck-capture/1): it is not a JSON "
            "object."),
    (b'{"format": "warc-pages", "files": []}',
     "manifest.json is not a capture manifest (factcheck-capture/1): its format is "
     "'warc-pages'."),
    (b'{"format": "factcheck-capture/1"}',
     "manifest.json is not a capture manifest (factcheck-capture/1): it has no list of "
     "files."),
    (b'{"format": "factcheck-capture/1", "files": [{"name": "../x", "sha256": "'
     + b"0" * 64 + b'", "size": 1}]}',
     "manifest.json is not a capture manifest (factcheck-capture/1): file 1 in its list is "
     "not a plain file name with a SHA-256 and a size."),
    (b'{"format": "factcheck-capture/1", "files": [{"name": "a", "sha256": "'
     + b"0" * 64 + b'", "size": true}]}',
     "manifest.json is not a capture manifest (factcheck-capture/1): file 1 in its list is "
     "not a plain file name with a SHA-256 and a size."),
    (b'{"format": "factcheck-capture/1", "files": [' + b", ".join(
        [b'{"name": "a", "sha256": "' + b"0" * 64 + b'", "size": 1}'] * 2) + b"]}",
     "manifest.json lists a twice."),
])
def test_a_manifest_that_is_not_ours_is_refused_in_words(data, words):
    problems = manifest.verify_files(data, capture_files())
    assert len(problems) == 1
    if words is None:
        assert problems[0].startswith("manifest.json is not valid JSON (")
    else:
        assert problems == [words]


def test_bundle_holds_every_file_as_given_with_a_readme():
    files = capture_files()
    files[manifest.MANIFEST] = manifest.build_manifest(pages.news_page_capture(), files)
    files[manifest.TIMESTAMP] = b"0\x82\x01\x00 a DER TimeStampResp"
    files[manifest.TSA_CERTIFICATES] = b"-----BEGIN CERTIFICATE-----\n"
    files["browser-log.txt"] = b"console: ready\n"

    bundle = manifest.build_bundle(files)

    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == ["README.txt", "SHA256SUMS", "archive.wacz", "screenshot.png",
                         "page.pdf", "certificates.pem", "manifest.json", "timestamp.tsr",
                         "tsa-certificates.pem", "browser-log.txt"]
        for name, data in files.items():
            assert archive.read(name) == data
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 8, 9, 30, 0)}
        readme = archive.read("README.txt").decode()
        checksums = archive.read("SHA256SUMS").decode()

    for name in files:
        assert f"\n{name}: " in readme
    assert "sha256sum -c SHA256SUMS" in readme
    assert ("openssl ts -verify -in timestamp.tsr -data manifest.json \\\n"
            "           -CAfile authority-root.pem -untrusted tsa-certificates.pem") in readme
    # The hashes to check against are the manifest's, the ones the timestamp vouches for.
    assert checksums == "".join(
        f"{entry['sha256']}  {entry['name']}\n"
        for entry in json.loads(files[manifest.MANIFEST])["files"])
    assert checksums.count("\n") == 4


def test_bundle_is_the_same_bytes_for_the_same_files():
    files = capture_files()
    files[manifest.MANIFEST] = manifest.build_manifest(pages.news_page_capture(), files)
    shuffled = dict(reversed(list(files.items())))

    assert manifest.build_bundle(files) == manifest.build_bundle(shuffled)
    changed = dict(files, **{manifest.PDF: files[manifest.PDF] + b" "})
    assert manifest.build_bundle(changed) != manifest.build_bundle(files)


def test_bundle_without_a_manifest_says_its_hashes_are_its_own():
    files = {manifest.SCREENSHOT: pages.png()}
    with zipfile.ZipFile(io.BytesIO(manifest.build_bundle(files))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("SHA256SUMS").decode() == (
            f"{hashlib.sha256(pages.png()).hexdigest()}  screenshot.png\n")
        readme = archive.read("README.txt").decode()
    assert "no readable manifest" in readme
    assert "has no trusted timestamp" in readme


@pytest.mark.parametrize("name", ["README.txt", "SHA256SUMS", "../x", "a/b"])
def test_bundle_refuses_names_it_would_overwrite_or_place_elsewhere(name):
    with pytest.raises(ValueError):
        manifest.build_bundle({name: b"x"})
