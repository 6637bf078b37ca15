"""The capture as a web archive: the WARC holds every exchange the guard let through (and
nothing it refused) so that it replays, and the WACZ around it passes the real
`wacz validate`; what is wrong with a WACZ is said in words."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from dataclasses import replace

import pytest
from warcio.archiveiterator import ArchiveIterator

from claims.capture.archive import build_wacz, build_warc, validate_wacz
from tests.claims.capture import pages


def read_warc(warc: bytes) -> list[dict]:
    """Every record, its digests checked by warcio as it is read (a mismatch raises)."""
    records = []
    for record in ArchiveIterator(io.BytesIO(warc), check_digests="raise"):
        body = record.content_stream().read()
        records.append({
            "type": record.rec_type,
            "headers": record.rec_headers,
            "http": record.http_headers,
            "body": body,
        })
    return records


def wacz_files(wacz: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(wacz)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(wacz: bytes, change) -> bytes:
    """The WACZ with its entries passed through `change(info, data) -> (info, data)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(wacz)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            info, data = change(info, source.read(info))
            target.writestr(info, data)
    return out.getvalue()


# --- The WARC -----------------------------------------------------------------------------

def test_warc_holds_a_response_and_its_request_for_every_exchange():
    capture = pages.news_page_capture()
    records = read_warc(build_warc(capture))

    assert records[0]["type"] == "warcinfo"
    info = records[0]["body"].decode()
    assert "software: factcheck (warcio 1.8.2)" in info
    assert "chromium 131.0.6778.85" in info
    assert "format: WARC File Format 1.1" in info
    assert all(r["headers"].protocol == "WARC/1.1" for r in records)

    pairs = [records[i:i + 2] for i in range(1, len(records), 2)]
    assert len(pairs) == len(capture.exchanges) == 4
    for (response, request), exchange in zip(pairs, capture.exchanges, strict=True):
        assert (response["type"], request["type"]) == ("response", "request")
        for record in (response, request):
            assert record["headers"]["WARC-Target-URI"] == exchange.url
            assert record["headers"]["WARC-IP-Address"] == exchange.ip
            assert record["headers"]["WARC-Date"] == (
                exchange.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        assert request["headers"]["WARC-Concurrent-To"] == response["headers"]["WARC-Record-ID"]
        assert response["body"] == exchange.body
        assert response["http"].get_statuscode() == str(exchange.status)
        assert response["headers"]["WARC-Payload-Digest"].startswith("sha1:")
        assert request["http"].protocol == "GET"
        assert request["http"]["Host"] == exchange.url.split("/")[2]

    urls = [pair[0]["headers"]["WARC-Target-URI"] for pair in pairs]
    assert urls == [pages.URL, pages.FINAL_URL, pages.CSS_URL, pages.PNG_URL]
    assert pairs[0][0]["http"]["Location"] == pages.FINAL_URL
    request_line = pairs[1][1]["http"]
    assert (request_line.protocol, request_line.statusline) == (
        "GET", "/2026/12/council-library/ HTTP/1.1")
    ids = [r["headers"]["WARC-Record-ID"] for r in records]
    assert len(set(ids)) == len(ids)


def test_warc_headers_describe_the_body_as_stored_so_it_replays():
    """The exchange's body is decoded: a replaying browser told it is gzipped or chunked,
    or given the length it was sent with, would fail to read it."""
    records = read_warc(build_warc(pages.news_page_capture()))
    responses = {r["headers"]["WARC-Target-URI"]: r for r in records if r["type"] == "response"}

    for url in (pages.FINAL_URL, pages.CSS_URL):
        http = responses[url]["http"]
        assert http["Content-Encoding"] is None
        assert http["Transfer-Encoding"] is None
        assert [v for k, v in http.headers if k.lower() == "content-length"] == [
            str(len(responses[url]["body"]))]
    html = responses[pages.FINAL_URL]
    assert html["http"]["Content-Type"] == "text/html; charset=utf-8"
    assert html["http"]["Cache-Control"] == "max-age=60"
    assert pages.TITLE.encode() in html["body"]


def test_refused_requests_are_not_in_the_archive():
    capture = pages.news_page_capture()
    warc = build_warc(capture)
    blocked = {b.url for b in capture.blocked}
    assert blocked == {pages.METADATA_URL, pages.LOCAL_URL}

    uris = {r["headers"]["WARC-Target-URI"] for r in read_warc(warc)}
    assert not uris & blocked
    index = wacz_files(build_wacz(capture))["indexes/index.cdx"].decode()
    assert "169.254.169.254" not in index and "127.0.0.1" not in index


def test_header_lines_cannot_break_out_of_the_header_block():
    capture = pages.news_page_capture()
    hop = capture.exchanges[0]
    hop.response_headers = [("X-Note", "one\r\nSet-Cookie: injected=1"), (":status", "302"),
                            ("Location", pages.FINAL_URL)]
    records = read_warc(build_warc(capture))

    http = records[1]["http"]
    assert http["Set-Cookie"] is None
    assert http["X-Note"] == "one Set-Cookie: injected=1"
    assert all(not name.startswith(":") for name, _ in http.headers)


def test_the_same_capture_gives_the_same_bytes():
    assert build_warc(pages.news_page_capture()) == build_warc(pages.news_page_capture())
    assert build_wacz(pages.news_page_capture()) == build_wacz(pages.news_page_capture())

    later = replace(pages.news_page_capture(),
                    started_at=pages.STARTED.replace(microsecond=123457))
    ids = {r["headers"]["WARC-Record-ID"] for r in read_warc(build_warc(later))}
    assert not ids & {r["headers"]["WARC-Record-ID"]
                      for r in read_warc(build_warc(pages.news_page_capture()))}


def test_a_capture_time_without_a_zone_is_refused():
    naive = replace(pages.news_page_capture(), started_at=pages.STARTED.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        build_warc(naive)


# --- The WACZ -----------------------------------------------------------------------------

def test_wacz_passes_the_real_wacz_validate(tmp_path):
    path = tmp_path / "archive.wacz"
    path.write_bytes(build_wacz(pages.news_page_capture()))

    result = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(path)],
                            capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout
    assert "Version detected as 1.1.1" in result.stdout


def test_wacz_holds_the_warc_stored_its_index_page_list_and_hashes():
    capture = pages.news_page_capture()
    wacz = build_wacz(capture)
    files = wacz_files(wacz)

    assert list(files) == ["archive/data.warc.gz", "indexes/index.cdx", "pages/pages.jsonl",
                           "datapackage.json", "datapackage-digest.json"]
    with zipfile.ZipFile(io.BytesIO(wacz)) as archive:
        # Stored, so a replayer reads a record at its offset without inflating the zip.
        assert archive.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
    warc = files["archive/data.warc.gz"]
    assert warc == build_warc(capture)

    header, page = [json.loads(line) for line in files["pages/pages.jsonl"].splitlines()]
    assert header["format"] == "json-pages-1.0"
    assert page["url"] == pages.FINAL_URL
    assert page["title"] == pages.TITLE
    assert page["ts"] == "2026-12-08T09:30:00.163Z"  # when the final page was fetched

    package = json.loads(files["datapackage.json"])
    assert package["wacz_version"] == "1.1.1"
    assert package["mainPageURL"] == pages.FINAL_URL
    assert package["created"] == "2026-12-08T09:30:03Z"
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {"archive/data.warc.gz", "indexes/index.cdx", "pages/pages.jsonl"}
    for path, resource in resources.items():
        assert resource["hash"] == "sha256:" + hashlib.sha256(files[path]).hexdigest()
        assert resource["bytes"] == len(files[path])
    digest = json.loads(files["datapackage-digest.json"])
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(
        files["datapackage.json"]).hexdigest()}


def test_wacz_index_points_at_each_response_record():
    capture = pages.news_page_capture()
    files = wacz_files(build_wacz(capture))
    warc = files["archive/data.warc.gz"]

    lines = files["indexes/index.cdx"].decode().splitlines()
    assert lines == sorted(lines)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert {e["url"] for e in entries} == {e.url for e in capture.exchanges}
    bodies = {e.url: e.body for e in capture.exchanges}
    for entry in entries:
        offset, length = int(entry["offset"]), int(entry["length"])
        record = next(ArchiveIterator(io.BytesIO(warc[offset:offset + length])))
        assert record.rec_type == "response"
        assert record.rec_headers["WARC-Target-URI"] == entry["url"]
        assert record.content_stream().read() == bodies[entry["url"]]


# --- validate_wacz ------------------------------------------------------------------------

def test_validate_wacz_finds_nothing_wrong_with_a_built_wacz():
    assert validate_wacz(build_wacz(pages.news_page_capture())) == []


def test_validate_wacz_names_a_file_that_does_not_match_the_datapackage():
    def edit_page_list(info, data):
        if info.filename == "pages/pages.jsonl":
            data = data.replace(b"Eastside", b"Westside")
        return info, data

    problems = validate_wacz(rezip(build_wacz(pages.news_page_capture()), edit_page_list))

    assert problems
    assert all(p.startswith("wacz validate: ") for p in problems)
    assert any("pages.jsonl" in p and "hash" in p for p in problems), problems


def test_validate_wacz_says_what_is_wrong_with_a_broken_zip():
    wacz = build_wacz(pages.news_page_capture())
    assert validate_wacz(b"PK\x03\x04 not really") == [
        "It is not a readable zip file, so not a WACZ (File is not a zip file)."]

    damaged = bytearray(wacz)
    damaged[2000] ^= 0x01  # inside the stored WARC
    assert validate_wacz(bytes(damaged)) == [
        "archive/data.warc.gz is damaged inside the zip: its bytes do not match the zip's "
        "own checksum (CRC-32) of them."]

    def deflate_warc(info, data):
        info.compress_type = zipfile.ZIP_DEFLATED
        return info, data
    problems = validate_wacz(rezip(wacz, deflate_warc))
    assert problems == ["archive/data.warc.gz is compressed inside the zip; a WACZ stores its "
                        "WARCs as they are so that a replayer can read a record at its offset."]

    without = rezip(wacz, lambda info, data: (
        (info, data) if info.filename != "datapackage.json" else
        (zipfile.ZipInfo("notes.txt"), b"")))
    assert "datapackage.json is missing." in validate_wacz(without)


def test_validate_wacz_bounds_what_it_unpacks_and_how_long_it_takes():
    wacz = build_wacz(pages.news_page_capture())
    assert validate_wacz(wacz, max_unpacked=1000) == [
        f"It would unpack to {sum(len(d) for d in wacz_files(wacz).values()):,} bytes; "
        f"the desk checks at most 1,000."]
    assert validate_wacz(wacz, timeout=0.01) == [
        "wacz validate did not finish within 0.01 seconds."]
