"""CSV, JSON and JSON Lines exports: round trips against the database, formula injection,
the claims table's filters, constant queries and clear errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from claims.exporters.csv import HEADER, csv_lines, neutralise
from claims.exporters.rows import COLUMNS, rows_for
from claims.models import Claim
from claims.selectors.exports import claim_export_selection
from tests.factories import (
    ArticleFactory,
    CaptureFactory,
    ClaimantFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)
from tests.support.archives import sha256_of, write_archive

pytestmark = pytest.mark.django_db

TRICKY = 'Gdańsk, "Zürich" and Søren said:\nline two, with a comma'


@pytest.fixture
def desk():
    """A published verdict with awkward text and two captured sources, a draft, and a bare
    claim."""
    article = ArticleFactory(
        title='Årsrapport, "final" edition', url="https://news.example/a?x=1,2",
        outlet="Le Monde, Paris", published_on=date(2026, 5, 4),
        body="Søren said =SUM(A1:A9) is fine, really. And more text follows here.",
    )
    claim = ClaimFactory(
        article=article, quote="=SUM(A1:A9) is fine", statement="Søren: “=SUM” is fine, ok",
        claimant=ClaimantFactory(name="Søren Ærø", role="Mayor", organisation="Kø, Inc."),
        status="published",
    )
    author = UserFactory(username="ana", first_name="Ana", last_name="Núñez")
    verdict = PublishedVerdictFactory(
        claim=claim, author=author, summary=TRICKY, rationale="-1 **is** wrong\n\n@everyone"
    )
    first = SourceFactory(url="https://stats.example/t1", title="Table 1")
    second = SourceFactory(url="https://stats.example/t2", title="")
    EvidenceFactory(claim=claim, source=first)
    EvidenceFactory(claim=claim, source=second)
    old = CaptureFactory(source=first, started_at=timezone.now() - timedelta(days=2))
    new = CaptureFactory(source=first, snapshot="snapshots/ab/cd/abcd")
    draft_claim = ClaimFactory(statement="+cmd|' /C calc'!A0", status="researching")
    VerdictFactory(claim=draft_claim, rating=default_rating("mostly-true"), summary="draft")
    bare = ClaimFactory(claimant=None, statement="Plain claim")
    return {"claim": claim, "verdict": verdict, "captures": (old, new), "draft": draft_claim,
            "bare": bare, "sources": (first, second)}


def unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") \
        else cell


def parse_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_round_trips_with_non_ascii_commas_quotes_and_newlines(desk):
    rows = {int(r["claim_id"]): r for r in parse_csv("".join(csv_lines(rows_for({}))))}
    assert set(rows) == set(Claim.objects.values_list("id", flat=True))
    claim, verdict = desk["claim"], desk["verdict"]
    row = rows[claim.pk]
    assert list(row) == list(HEADER)
    assert row["statement"] == claim.statement
    assert unneutralise(row["quote"]) == claim.quote == "=SUM(A1:A9) is fine"
    assert row["summary"] == TRICKY
    assert unneutralise(row["rationale"]) == verdict.rationale
    assert row["claimant"] == "Søren Ærø" and row["claimant_organisation"] == "Kø, Inc."
    assert row["article_title"] == 'Årsrapport, "final" edition'
    assert row["article_outlet"] == "Le Monde, Paris"
    assert row["article_url"] == "https://news.example/a?x=1,2"
    assert row["article_published_on"] == "2026-05-04"
    assert row["status"] == "published" and row["verdict_state"] == "published"
    assert row["rating"] == "False" and row["rating_value"] == "1"
    assert row["author"] == "Ana Núñez"
    assert row["reviewer"] == str(verdict.reviewer.get_full_name())
    assert parse_datetime(row["published_at"]) == verdict.published_at
    assert row["corrected_at"] == ""
    assert row["claim_url"].endswith(f"/claims/{claim.pk}/")
    assert row["public_url"].endswith(f"/fact-checks/{claim.pk}/")
    # Sources: one line per source in four parallel columns; only captured ones have dates.
    first, second = desk["sources"]
    newest = desk["captures"][1]
    assert row["source_urls"].split("\n") == [first.url, second.url]
    assert row["source_sha256"].split("\n") == [newest.sha256, ""]
    assert [parse_datetime(d) if d else None for d in row["source_captured_at"].split("\n")] \
        == [newest.started_at, None]
    assert row["source_snapshot_urls"].split("\n") == [
        f"{settings.SITE_URL}/captures/{newest.pk}/snapshot/", ""
    ]
    # A claim without a verdict has empty verdict cells.
    bare = rows[desk["bare"].pk]
    assert bare["rating"] == bare["verdict_state"] == bare["published_at"] == ""
    assert bare["claimant"] == ""


def test_csv_neutralises_formula_cells(desk):
    rows = {int(r["claim_id"]): r for r in parse_csv("".join(csv_lines(rows_for({}))))}
    assert rows[desk["claim"].pk]["quote"] == "'=SUM(A1:A9) is fine"
    assert rows[desk["draft"].pk]["statement"] == "'+cmd|' /C calc'!A0"
    assert rows[desk["claim"].pk]["rationale"].startswith("'-1")
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(f"{trigger}x") == f"'{trigger}x"
    assert neutralise("fine=ok") == "fine=ok"
    # No cell anywhere starts with a trigger.
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def check_json_record(record, desk):
    claim, verdict = desk["claim"], desk["verdict"]
    assert list(record) == list(COLUMNS)
    assert record["statement"] == claim.statement
    assert record["quote"] == "=SUM(A1:A9) is fine"  # JSON needs no neutralising
    assert record["summary"] == TRICKY
    assert record["rationale"] == verdict.rationale
    assert record["rating"] == "False" and record["rating_value"] == 1
    assert parse_datetime(record["published_at"]) == verdict.published_at
    newest = desk["captures"][1]
    assert [s["url"] for s in record["sources"]] == [s.url for s in desk["sources"]]
    assert record["sources"][0]["sha256"] == newest.sha256
    assert parse_datetime(record["sources"][0]["captured_at"]) == newest.started_at
    assert record["sources"][1]["captured_at"] is None


def test_json_array_and_json_lines_round_trip(client, desk, django_user_model):
    client.force_login(UserFactory())
    array = client.get(reverse("claims:export"), {"format": "json"})
    assert array["Content-Type"] == "application/json"
    records = json.loads(b"".join(array.streaming_content).decode())
    by_id = {r["claim_id"]: r for r in records}
    assert set(by_id) == set(Claim.objects.values_list("id", flat=True))
    check_json_record(by_id[desk["claim"].pk], desk)

    lines = client.get(reverse("claims:export"), {"format": "jsonl"})
    assert lines["Content-Type"] == "application/x-ndjson"
    text = b"".join(lines.streaming_content).decode()
    parsed = [json.loads(line) for line in text.splitlines()]
    assert parsed == records  # same rows, same order
    assert "Søren" in text  # UTF-8, not \u escapes


def jsonl_ids(response) -> list[int]:
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line)["claim_id"] for line in body.splitlines()]


def test_export_uses_the_claims_table_filters_and_ordering(client, desk):
    client.force_login(UserFactory())
    response = client.get(reverse("claims:export"), {"format": "csv", "status": "researching"})
    rows = parse_csv(b"".join(response.streaming_content).decode())
    assert [int(r["claim_id"]) for r in rows] == [desk["draft"].pk]
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')

    response = client.get(reverse("claims:export"), {"format": "jsonl", "sort": "id"})
    ids = jsonl_ids(response)
    assert ids == sorted(Claim.objects.values_list("id", flat=True))
    response = client.get(
        reverse("claims:export"), {"format": "jsonl", "sort": "-id", "page": "3"}
    )
    ids = jsonl_ids(response)
    assert ids == sorted(Claim.objects.values_list("id", flat=True), reverse=True)

    rating = default_rating("false")
    response = client.get(reverse("claims:export"), {"format": "jsonl", "rating": rating.pk})
    ids = jsonl_ids(response)
    assert ids == [desk["claim"].pk]


def test_export_claimreview_format_has_only_published(client, desk):
    client.force_login(UserFactory())
    response = client.get(reverse("claims:export"), {"format": "claimreview"})
    records = json.loads(b"".join(response.streaming_content).decode())
    assert [r["claimReviewed"] for r in records] == [desk["claim"].statement]
    assert records[0]["@type"] == "ClaimReview"


def test_export_errors_are_clear(client, desk):
    client.force_login(UserFactory())
    response = client.get(reverse("claims:export"), {"format": "xlsx"})
    assert response.status_code == 400
    assert "Unknown export format 'xlsx'" in response.content.decode()
    response = client.get(reverse("claims:export"), {"format": "csv", "status": "bogus"})
    assert response.status_code == 400
    assert "The filters are not valid" in response.content.decode()
    assert "Status" in response.content.decode()
    response = client.get(reverse("claims:export"), {"format": "csv", "created_from": "31/31/2026"})
    assert response.status_code == 400


def test_export_needs_login(client, desk):
    response = client.get(reverse("claims:export"), {"format": "csv"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def _export_queries(client, fmt) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("claims:export"), {"format": fmt})
        b"".join(response.streaming_content)
    return len(ctx)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "claimreview"])
def test_export_makes_constant_queries_whatever_the_rows(client, desk, fmt):
    client.force_login(UserFactory())
    few = _export_queries(client, fmt)
    for _ in range(15):
        claim = ClaimFactory(claimant=ClaimantFactory())
        source = SourceFactory()
        EvidenceFactory(claim=claim, source=source)
        CaptureFactory(source=source)
        ClaimFactory(appearance_of=claim)
        PublishedVerdictFactory(claim=claim)
    assert Claim.objects.count() > 30
    assert _export_queries(client, fmt) == few


def test_streams_in_chunks_with_five_source_queries_per_chunk(desk):
    for _ in range(9):
        ClaimFactory()
    total = Claim.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        rows = list(rows_for({}, chunk_size=4))
    assert len(rows) == total
    chunks = -(-total // 4)

    def reads(table):
        return [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]

    evidence, sources, captures, pinned, archives = (
        reads("claims_evidence"), reads("claims_source"), reads("claims_capture"),
        reads("claims_verdictcapture"), reads("claims_capturearchive"))
    # One evidence read per chunk; at most one read of the cited sources, one of their
    # captures, one of the captures readers see and one of the captures' evidence archives
    # per chunk (none when the chunk cites no source); each on its own table (a join let
    # PostgreSQL scan the whole joined table for every chunk).
    assert len(evidence) == chunks
    for per_chunk in (sources, captures, pinned, archives):
        assert 1 <= len(per_chunk) <= chunks
    assert all("JOIN" not in sql for sql in evidence + sources + captures + archives)
    if connection.vendor == "postgresql":
        # The chunk's keys go as one array parameter, not one parameter per key.
        assert all("= ANY(" in sql for sql in evidence + sources + captures + pinned + archives)
    linked = reads("claims_claimfactchecklink")
    assert len(linked) == chunks  # the linked fact-checks' URLs, one read per chunk
    assert len(reads("claims_claim_tags")) == chunks  # the tags, one read per chunk
    # The claims read, per chunk the evidence, sources, captures, captures readers see,
    # archives, linked fact-checks and tags.
    assert len(ctx) <= 1 + 7 * chunks + 2


def test_every_format_has_the_same_bytes_whatever_the_chunk_size(desk):
    """Sources, captures and linked fact-checks are read per chunk: a claim's own ones land
    on its row whether it opens, closes or sits inside a chunk."""
    from claims.exporters.json import json_array_chunks, jsonl_lines
    from claims.models import ClaimFactCheckLink
    from tests.support.factchecks import make_factcheck

    linker = UserFactory()
    for i in range(10):
        claim = ClaimFactory(statement=f"=Claim {i}")
        if i % 3:
            PublishedVerdictFactory(claim=claim)
        for k in range(i % 4):  # 0 to 3 sources, captured or not
            source = SourceFactory(url=f"https://s.example/{i}/{k}")
            EvidenceFactory(claim=claim, source=source)
            if k != 1:
                CaptureFactory(source=source, snapshot=f"snapshots/{i}/{k}" if i % 2 else "")
        for k in range(i % 3):
            ClaimFactCheckLink.objects.create(
                claim=claim, factcheck=make_factcheck(url=f"https://c.example/{i}/{k}"),
                linked_by=linker)

    for lines in (csv_lines, jsonl_lines, json_array_chunks):
        whole = "".join(lines(rows_for({}, chunk_size=1000)))
        for size in (1, 3, 4):
            assert "".join(lines(rows_for({}, chunk_size=size))) == whole, (lines, size)

    # And each row carries its own claim's sources and links, in the order they were added.
    rows = parse_csv("".join(csv_lines(rows_for({}, chunk_size=3))))
    for row in rows:
        claim = Claim.objects.get(pk=row["claim_id"])
        urls = [e.source.url for e in claim.evidence.filter(source__isnull=False)
                .order_by("created_at", "id")]
        assert row["source_urls"] == "\n".join(urls)
        assert row["factcheck_urls"] == "\n".join(
            claim.factcheck_links.order_by("linked_at", "id").values_list("factcheck__url",
                                                                         flat=True))
    assert sum(bool(r["source_urls"]) for r in rows) >= 7
    assert sum("\n" in r["source_urls"] for r in rows) >= 4
    assert sum(bool(r["factcheck_urls"]) for r in rows) >= 6


def test_corrected_verdict_shows_first_publication_and_correction(desk):
    verdict = desk["verdict"]
    verdict.is_current = False
    verdict.save()
    PublishedVerdictFactory(
        claim=verdict.claim, version=2, supersedes=verdict, correction_note="Fixed, sorry",
        published_at=verdict.published_at + timedelta(days=1),
    )
    row = next(r for r in rows_for({}) if r["claim_id"] == verdict.claim_id)
    assert row["published_at"] == verdict.published_at
    assert row["corrected_at"] == verdict.published_at + timedelta(days=1)
    assert row["correction_note"] == "Fixed, sorry"
    assert row["verdict_version"] == 2


def test_export_this_view_links_carry_the_table_querystring(client, desk):
    import html
    import re

    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/claims/", {"status": "researching", "sort": "-id",
                                                "page": "2"})
    menu = render_to_string("reports/export_menu.html", request=request)
    links = {m[1]: html.unescape(m[0]) for m in re.findall(r'href="([^"]+)">([^<]+)</a>', menu)}
    assert set(links) == {"CSV", "JSON", "JSON Lines", "ClaimReview"}
    assert links["CSV"] == "/claims/export/?status=researching&sort=-id&page=2&format=csv"
    client.force_login(UserFactory())
    rows = parse_csv(b"".join(client.get(links["CSV"]).streaming_content).decode())
    assert [int(r["claim_id"]) for r in rows] == [desk["draft"].pk]


def test_a_correction_being_written_exports_the_version_readers_see(desk):
    """While a correction is drafted the published verdict stays up; every export format
    reports it, not the correction's working text, until the correction is published."""
    from claims.exporters import stream
    from claims.exporters.json import jsonl_lines
    from claims.exporters.rows import export_rows
    from claims.selectors.exports import claim_export_queryset

    published = desk["verdict"]
    published.is_current = False
    published.save()
    correction = VerdictFactory(
        claim=published.claim, version=2, supersedes=published, is_current=True,
        state="submitted", rating=default_rating("true"), summary="WORKING TEXT",
        rationale="not checked yet", correction_note="draft note",
    )
    claims = claim_export_queryset({})

    def rows_of(text_csv, text_jsonl):
        by_csv = {int(r["claim_id"]): r for r in parse_csv(text_csv)}
        by_json = {r["claim_id"]: r for r in map(json.loads, text_jsonl.splitlines())}
        return by_csv[published.claim_id], by_json[published.claim_id]

    outputs = [("python", "".join(csv_lines(export_rows(claims))),
                "".join(jsonl_lines(export_rows(claims))))]
    # What the download and the command serve: the same answer is required.
    outputs.append(("served", "".join(stream.csv_stream(claims)),
                    "".join(stream.jsonl_stream(claims))))
    for path, text_csv, text_jsonl in outputs:
        row, record = rows_of(text_csv, text_jsonl)
        assert row["summary"] == TRICKY, path
        assert "WORKING TEXT" not in text_csv and "WORKING TEXT" not in text_jsonl, path
        assert row["rating"] == "False" and record["rating"] == "False", path
        assert row["verdict_state"] == "published" and record["verdict_version"] == 1, path
        assert row["correction_note"] == "" and row["corrected_at"] == "", path

    # Once the correction is published it is what every export reports.
    correction.state = "published"
    correction.reviewer = UserFactory()
    correction.published_at = timezone.now()
    correction.save()
    row, record = rows_of("".join(stream.csv_stream(claims)), "".join(stream.jsonl_stream(claims)))
    assert row["summary"] == "WORKING TEXT" and record["verdict_version"] == 2
    assert row["rating"] == "True" and row["correction_note"] == "draft note"
    assert parse_datetime(row["corrected_at"]) == correction.published_at
    assert parse_datetime(row["published_at"]) == published.published_at


def test_exports_byte_layout_is_pinned(client, settings, tmp_path):
    """The exact bytes of each format for one claim with every kind of cell: quoting,
    formula neutralising, dates, UTC timestamps with microseconds, sources with their
    evidence archive, empty cells. Partners parse these files; any change to the layout
    must be deliberate."""
    from datetime import UTC, datetime

    settings.MEDIA_ROOT = tmp_path

    published_at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    captured_at = datetime(2026, 5, 5, 1, 2, 3, 4, tzinfo=UTC)
    article = ArticleFactory(title='Budget, "final"', outlet="Daily", url="https://n.example/a",
                             published_on=date(2026, 5, 4), body="He said tax rose 5% then.")
    claim = ClaimFactory(article=article, statement="=Tax rose", quote="tax rose 5%",
                         claimant=ClaimantFactory(name="Ana", role="", organisation="Gov"),
                         status="published")
    verdict = PublishedVerdictFactory(
        claim=claim, summary="Line one\nline two", rationale="Because.",
        author=UserFactory(username="ana", first_name="Ana", last_name="Núñez"),
        reviewer=UserFactory(username="rev", first_name="", last_name=""),
        published_at=published_at,
    )
    source = SourceFactory(url="https://s.example/t", title="T")
    EvidenceFactory(claim=claim, source=source)
    capture = CaptureFactory(source=source, started_at=captured_at, sha256="ab" * 32,
                             snapshot="snapshots/x")
    archive = write_archive(capture)
    manifest, wacz, screenshot = (archive.manifest_sha256, sha256_of(archive, "archive.wacz"),
                                  sha256_of(archive, "screenshot.png"))
    site, pk = settings.SITE_URL, claim.pk
    rating = verdict.rating

    client.force_login(UserFactory())
    body = {fmt: b"".join(client.get(reverse("claims:export"),
                                     {"format": fmt}).streaming_content)
            for fmt in ("csv", "jsonl", "json")}

    assert body["csv"] == (
        "\ufeff" + ",".join(HEADER) + "\r\n"
        f"{pk},{site}/claims/{pk}/,{site}/fact-checks/{pk}/,'=Tax rose,tax rose 5%,,"
        "Ana,person,,Gov,"
        '"Budget, ""final""",Daily,https://n.example/a,2026-05-04,published,published,1,'
        f'{rating.label},{rating.value},"Line one\nline two",Because.,,Ana Núñez,rev,'
        "2026-05-06T07:08:09.123456+00:00,,,,https://s.example/t,"
        f"2026-05-05T01:02:03.000004+00:00,{'ab' * 32},{site}/captures/{capture.pk}/snapshot/,"
        f"{manifest},{wacz},{screenshot},2026-05-05T01:03:04.000000+00:00,http://tsa.example/"
        "\r\n"
    ).encode()
    record = (
        f'{{"claim_id": {pk}, "claim_url": "{site}/claims/{pk}/", '
        f'"public_url": "{site}/fact-checks/{pk}/", "statement": "=Tax rose", '
        '"quote": "tax rose 5%", "language": "", "claimant": "Ana", "claimant_kind": "person", '
        '"claimant_role": "", '
        '"claimant_organisation": "Gov", "article_title": "Budget, \\"final\\"", '
        '"article_outlet": "Daily", "article_url": "https://n.example/a", '
        '"article_published_on": "2026-05-04", "status": "published", '
        f'"verdict_state": "published", "verdict_version": 1, "rating": "{rating.label}", '
        f'"rating_value": {rating.value}, "summary": "Line one\\nline two", '
        '"rationale": "Because.", "correction_note": "", "sources": [{"url": '
        '"https://s.example/t", "title": "T", "captured_at": '
        f'"2026-05-05T01:02:03.000004+00:00", "sha256": "{"ab" * 32}", "snapshot_url": '
        f'"{site}/captures/{capture.pk}/snapshot/", "manifest_sha256": "{manifest}", '
        f'"wacz_sha256": "{wacz}", "screenshot_sha256": "{screenshot}", '
        '"timestamped_at": "2026-05-05T01:03:04.000000+00:00", '
        '"timestamp_authority": "http://tsa.example/"}], "author": "Ana Núñez", '
        '"reviewer": "rev", "published_at": "2026-05-06T07:08:09.123456+00:00", '
        '"corrected_at": null, "factcheck_urls": [], "tags": []}'
    )
    assert body["jsonl"] == (record + "\n").encode()
    assert body["json"] == ("[\n" + record + "\n]\n").encode()


def test_export_verdicts_command_writes_the_same_bytes_as_the_download(client, desk, tmp_path):
    from django.core.management import call_command

    client.force_login(UserFactory())
    for fmt in ("csv", "jsonl", "json"):
        downloaded = b"".join(client.get(reverse("claims:export"),
                                         {"format": fmt}).streaming_content)
        out = tmp_path / f"claims.{fmt}"
        call_command("export_verdicts", format=fmt, output=str(out))
        assert out.read_bytes() == downloaded, fmt


@pytest.mark.django_db(transaction=True)
def test_postgresql_streams_in_one_transaction_and_sqlite_holds_no_lock(desk, monkeypatch):
    """On PostgreSQL the export's server-side cursor streams inside one transaction (out of
    one, Django declares it WITH HOLD and PostgreSQL computes every row before the first
    is sent); on SQLite a transaction would hold the write lock for the whole download."""
    from claims.exporters import json as json_export
    from claims.exporters import stream

    monkeypatch.setattr(json_export, "BLOCK_ROWS", 1)  # hand on one record at a time
    lines = stream.jsonl_stream(claim_export_selection({}))
    assert not connection.in_atomic_block
    first = next(lines)
    assert json.loads(first)["claim_id"] in set(Claim.objects.values_list("id", flat=True))
    assert connection.in_atomic_block is (connection.vendor == "postgresql")
    rest = list(lines)
    assert len(rest) == Claim.objects.count() - 1
    assert not connection.in_atomic_block
