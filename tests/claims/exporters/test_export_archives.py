"""Exports carry each cited capture's evidence archive: the SHA-256 of its manifest, its
WACZ and its screenshot, and the trusted timestamp's time and authority (empty without a
finished archive). The capture is the one readers see (VerdictCapture) on a published
fact-check, so a newer capture's archive reaches the exports only through a published
correction. The archives cost one query per chunk, by key, whatever the number of claims."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from claims.choices import ArchiveStatus
from claims.exporters import report
from claims.exporters.csv import HEADER, csv_lines
from claims.exporters.json import json_array_chunks, jsonl_lines
from claims.exporters.rows import rows_for
from claims.models import CaptureArchive, Claim, VerdictCapture
from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import (
    CaptureFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    SourceFactory,
)
from tests.support.archives import AUTHORITY, sha256_of, write_archive
from tests.verdict_setup import (
    captured_source_evidence,
    make_roles,
    publish_through_workflow,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

ARCHIVE_KEYS = ("manifest_sha256", "wacz_sha256", "screenshot_sha256", "timestamped_at",
                "timestamp_authority")
ARCHIVE_COLUMNS = tuple(f"source_{key}" for key in ARCHIVE_KEYS)
EMPTY = {"manifest_sha256": "", "wacz_sha256": "", "screenshot_sha256": "",
         "timestamped_at": None, "timestamp_authority": ""}


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Archives live under their capture's id: a directory of this test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    """A fact-check published through the workflow whose reviewed capture is archived; the
    source was captured (and archived) again since."""
    fact_check = published_fact_check(users)
    reviewed = VerdictCapture.objects.get(verdict=fact_check["verdict"]).capture
    newer = CaptureFactory(source=reviewed.source, started_at=timezone.now() + timedelta(hours=1))
    return {**fact_check, "reviewed": reviewed, "archive": write_archive(reviewed),
            "newer": newer, "newer_archive": write_archive(newer, label="newer")}


def expected(archive) -> dict:
    return {"manifest_sha256": archive.manifest_sha256,
            "wacz_sha256": sha256_of(archive, "archive.wacz"),
            "screenshot_sha256": sha256_of(archive, "screenshot.png"),
            "timestamped_at": archive.timestamped_at, "timestamp_authority": AUTHORITY}


def archive_of(source: dict) -> dict:
    return {key: source[key] for key in ARCHIVE_KEYS}


def csv_rows(claim_ids) -> dict[int, dict]:
    text = "".join(csv_lines(rows_for(claim_ids=claim_ids))).removeprefix("\ufeff")
    return {int(r["claim_id"]): r for r in csv.DictReader(io.StringIO(text, newline=""))}


def test_every_format_carries_the_reviewed_capture_s_archive(published):
    claim_id, archive = published["claim"].pk, published["archive"]
    (row,) = rows_for(claim_ids=[claim_id])
    (source,) = row["sources"]
    assert archive_of(source) == expected(archive)

    csv_row = csv_rows([claim_id])[claim_id]
    assert set(ARCHIVE_COLUMNS) <= set(HEADER)
    assert [csv_row[c] for c in ARCHIVE_COLUMNS] == [
        archive.manifest_sha256, sha256_of(archive, "archive.wacz"),
        sha256_of(archive, "screenshot.png"), "2026-05-05T01:03:04.000000+00:00", AUTHORITY]

    (line,) = "".join(jsonl_lines(rows_for(claim_ids=[claim_id]))).splitlines()
    (array_record,) = json.loads("".join(json_array_chunks(rows_for(claim_ids=[claim_id]))))
    for record in (json.loads(line), array_record):
        (source,) = record["sources"]
        assert source["manifest_sha256"] == archive.manifest_sha256
        assert source["wacz_sha256"] == sha256_of(archive, "archive.wacz")
        assert source["screenshot_sha256"] == sha256_of(archive, "screenshot.png")
        assert source["timestamped_at"] == "2026-05-05T01:03:04.000000+00:00"
        assert source["timestamp_authority"] == AUTHORITY


def test_a_newer_capture_s_archive_is_exported_only_once_a_correction_is_published(
        published, users):
    claim_id = published["claim"].pk
    newer = published["newer_archive"]

    def exported() -> dict:
        (row,) = rows_for(claim_ids=[claim_id])
        return archive_of(row["sources"][0])

    assert exported() == expected(published["archive"]) != expected(newer)
    correction = verdict_correct(verdict=published["verdict"], user=users["other_editor"],
                                 correction_note="The source was revised.")
    verdict_approve(verdict=correction, user=users["reviewer"])
    assert exported() == expected(published["archive"])  # approved, not yet published
    verdict_publish(verdict=correction, user=users["reviewer"])
    assert exported() == expected(newer)


def test_an_unpublished_claim_exports_its_latest_capture_s_archive():
    claim = ClaimFactory()
    source = SourceFactory()
    EvidenceFactory(claim=claim, source=source)
    write_archive(CaptureFactory(source=source, started_at=timezone.now() - timedelta(days=1)),
                  label="older")
    latest = write_archive(CaptureFactory(source=source), label="latest")
    (row,) = rows_for(claim_ids=[claim.pk])
    assert archive_of(row["sources"][0]) == expected(latest)


def test_a_capture_without_a_finished_archive_exports_empty_cells():
    claim = ClaimFactory()
    sources = [SourceFactory(url=f"https://s.example/{i}") for i in range(6)]
    for source in sources:
        EvidenceFactory(claim=claim, source=source)
    done = write_archive(CaptureFactory(source=sources[0]))
    untimed = write_archive(CaptureFactory(source=sources[1]), screenshot=False,
                            timestamp=False, label="untimed")
    write_archive(CaptureFactory(source=sources[2]), status=ArchiveStatus.PENDING)
    write_archive(CaptureFactory(source=sources[3]), status=ArchiveStatus.FAILED)
    CaptureFactory(source=sources[4])  # never archived
    # sources[5] was never captured.

    (row,) = rows_for(claim_ids=[claim.pk])
    assert [archive_of(s) for s in row["sources"]] == [
        expected(done),
        {**EMPTY, "manifest_sha256": untimed.manifest_sha256,
         "wacz_sha256": sha256_of(untimed, "archive.wacz")},
        EMPTY, EMPTY, EMPTY, EMPTY,
    ]
    # In the CSV, one line per source in each column, in the order the sources were cited.
    csv_row = csv_rows([claim.pk])[claim.pk]
    assert csv_row["source_urls"].split("\n") == [s.url for s in sources]
    assert csv_row["source_manifest_sha256"].split("\n") == [
        done.manifest_sha256, untimed.manifest_sha256, "", "", "", ""]
    assert csv_row["source_screenshot_sha256"].split("\n") == [
        sha256_of(done, "screenshot.png"), "", "", "", "", ""]
    assert csv_row["source_timestamped_at"].split("\n") == [
        "2026-05-05T01:03:04.000000+00:00", "", "", "", "", ""]
    assert csv_row["source_timestamp_authority"].split("\n") == [AUTHORITY, "", "", "", "", ""]


def test_a_hostile_authority_name_is_neutralised_in_the_csv():
    claim = ClaimFactory()
    source = SourceFactory()
    EvidenceFactory(claim=claim, source=source)
    write_archive(CaptureFactory(source=source), authority="=HYPERLINK(\"http://x\")")
    assert csv_rows([claim.pk])[claim.pk]["source_timestamp_authority"] == \
        "'=HYPERLINK(\"http://x\")"


def _claims_with_archived_sources(count: int) -> None:
    for i in range(count):
        claim = ClaimFactory()
        source = SourceFactory(url=f"https://a.example/{claim.pk}")
        EvidenceFactory(claim=claim, source=source)
        capture = CaptureFactory(source=source)
        if i % 3:
            write_archive(capture, label=str(i))
        PublishedVerdictFactory(claim=claim)


def _export(chunk_size: int):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(rows_for({}, chunk_size=chunk_size))
    archive_reads = [q["sql"] for q in ctx.captured_queries
                     if 'FROM "claims_capturearchive"' in q["sql"]]
    return len(ctx), archive_reads, rows


def test_archives_are_read_once_per_chunk_by_key():
    chunk = 5
    _claims_with_archived_sources(chunk)
    one_chunk, reads, _ = _export(chunk)
    assert len(reads) == 1
    _claims_with_archived_sources(3 * chunk)
    four_chunks, reads, rows = _export(chunk)
    assert len(reads) == 4 and all("JOIN" not in sql for sql in reads)
    if connection.vendor == "postgresql":
        assert all("= ANY(" in sql for sql in reads)  # the chunk's keys as one parameter
    assert sum(bool(r["sources"][0]["manifest_sha256"]) for r in rows) == 3 + 10  # i % 3
    # One read of the claims, then the same number of queries for every chunk.
    assert four_chunks - 1 == 4 * (one_chunk - 1)
    # Chunks that cite no captured source read no archive.
    Claim.objects.filter(evidence__isnull=False).delete()
    for _ in range(chunk):
        ClaimFactory()
    _total, reads, _ = _export(chunk)
    assert reads == []


def test_archives_add_no_query_to_an_export_beyond_the_one_per_chunk():
    _claims_with_archived_sources(6)
    with_archives, reads, _ = _export(4)
    assert len(reads) == 2
    CaptureArchive.objects.all().delete()
    without, reads, rows = _export(4)
    assert len(reads) == 2 and not any(r["sources"][0]["manifest_sha256"] for r in rows)
    assert with_archives == without


def test_the_report_shows_each_source_s_manifest_hash_and_timestamp(published, tmp_path):
    data = report.report_data(scope="claim", claim_id=published["claim"].pk)
    (source,) = data.entries[0]["sources"]
    assert source["manifest_sha256"] == published["archive"].manifest_sha256
    html = report.render_html(data)
    assert published["archive"].manifest_sha256 in html
    assert published["newer_archive"].manifest_sha256 not in html
    assert "Timestamped 5 May 2026, 01:03:04 UTC by http://tsa.example/" in html
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.render_pdf(data))
    text = "".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    # The hash may wrap anywhere in its cell: compare without spaces.
    assert published["archive"].manifest_sha256 in text
    assert "Timestamped5May2026,01:03:04UTCbyhttp://tsa.example/" in text


def test_the_report_of_an_unpublished_claim_shows_its_latest_capture_s_archive():
    claim = ClaimFactory()
    source = SourceFactory()
    EvidenceFactory(claim=claim, source=source)
    archive = write_archive(CaptureFactory(source=source), timestamp=False)
    html = report.render_html(report.report_data(scope="claim", claim_id=claim.pk,
                                                 published_only=False))
    assert archive.manifest_sha256 in html and "No trusted timestamp" in html


def test_the_report_reads_archives_with_their_captures(published, users):
    def queries(claim) -> int:
        with CaptureQueriesContext(connection) as ctx:
            report.report_data(scope="claim", claim_id=claim.pk)
        return len(ctx)

    one = queries(published["claim"])
    # Four cited sources, three archived; and an unpublished claim's four sources.
    many = ClaimFactory()
    evidence = [captured_source_evidence(many) for _ in range(4)]
    publish_through_workflow(many, author=users["editor_author"], reviewer=users["reviewer"])
    draft = ClaimFactory()
    for item in [*evidence[1:], *(captured_source_evidence(draft) for _ in range(4))]:
        write_archive(item.source.captures.get())
    assert queries(many) == one
    data = report.report_data(scope="claim", claim_id=draft.pk, published_only=False)
    assert all(source["manifest_sha256"] for source in data.entries[0]["sources"])
    with CaptureQueriesContext(connection) as ctx:
        report.report_data(scope="claim", claim_id=draft.pk, published_only=False)
    unpublished_many = len(ctx)
    lone = ClaimFactory()
    write_archive(captured_source_evidence(lone).source.captures.get())
    with CaptureQueriesContext(connection) as ctx:
        report.report_data(scope="claim", claim_id=lone.pk, published_only=False)
    assert len(ctx) == unpublished_many
