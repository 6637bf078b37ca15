"""Every claims export carries the claim's tags: CSV one cell (names joined by "; ",
alphabetical), JSON and JSON Lines a list of names; read per chunk in one query, so the
exports still stream with the same queries per chunk however many claims and tags."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.exporters.csv import HEADER, csv_lines
from claims.exporters.json import jsonl_lines
from claims.exporters.rows import COLUMNS, rows_for
from claims.models import ClaimFactCheckLink, Tag
from tests.factories import (
    CaptureFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
)
from tests.support.factchecks import make_factcheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged():
    tagged = ClaimFactory(statement="Tagged claim")
    # Added out of order, one starting with a formula trigger, mixed case.
    for name in ("zeta", "=cmd", "Alpha", "beta"):
        tagged.tags.add(Tag.objects.create(name=name))
    bare = ClaimFactory(statement="No tags")
    return {"tagged": tagged, "bare": bare}


def _csv_rows(text: str) -> dict[int, dict]:
    rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return {int(row["claim_id"]): row for row in rows}


def test_csv_has_one_tags_cell_names_joined_alphabetically(tagged):
    assert "tags" in HEADER and "tags" in COLUMNS
    assert HEADER.index("tags") == HEADER.index("source_urls") - 1
    rows = _csv_rows("".join(csv_lines(rows_for({}))))
    # Alphabetical whatever the case, and neutralised like every text cell.
    assert rows[tagged["tagged"].pk]["tags"] == "'=cmd; Alpha; beta; zeta"
    assert rows[tagged["bare"].pk]["tags"] == ""


def test_json_and_json_lines_have_a_list_of_tag_names(client, tagged):
    client.force_login(UserFactory())
    array = json.loads(b"".join(
        client.get(reverse("claims:export"), {"format": "json"}).streaming_content))
    lines = [json.loads(line) for line in b"".join(
        client.get(reverse("claims:export"), {"format": "jsonl"}).streaming_content
    ).decode().splitlines()]
    for records in (array, lines):
        by_id = {r["claim_id"]: r for r in records}
        assert by_id[tagged["tagged"].pk]["tags"] == ["=cmd", "Alpha", "beta", "zeta"]
        assert by_id[tagged["bare"].pk]["tags"] == []


def test_export_this_view_filtered_by_tag_the_admin_action_and_the_command_carry_tags(
    client, admin_client, tagged
):
    client.force_login(UserFactory())
    tag = Tag.objects.get(name="beta")
    body = b"".join(client.get(reverse("claims:export"),
                               {"format": "csv", "tag": tag.pk}).streaming_content).decode()
    rows = _csv_rows(body)
    assert list(rows) == [tagged["tagged"].pk]
    assert rows[tagged["tagged"].pk]["tags"] == "'=cmd; Alpha; beta; zeta"

    response = admin_client.post(reverse("admin:claims_claim_changelist"), {
        "action": "export_claims_csv", "_selected_action": [tagged["tagged"].pk]})
    rows = _csv_rows(b"".join(response.streaming_content).decode())
    assert rows[tagged["tagged"].pk]["tags"] == "'=cmd; Alpha; beta; zeta"

    out = io.StringIO()
    call_command("export_verdicts", "--format", "jsonl", stdout=out)
    by_id = {r["claim_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert by_id[tagged["tagged"].pk]["tags"] == ["=cmd", "Alpha", "beta", "zeta"]


def _fully_linked_claims(count: int, tags: list[Tag], start: int) -> None:
    """Claims with every relation an export reads per chunk: a captured source, a published
    verdict, a linked fact-check elsewhere, and several tags."""
    linker = UserFactory()
    for i in range(start, start + count):
        claim = ClaimFactory(statement=f"Claim {i}")
        source = SourceFactory(url=f"https://s.example/{i}")
        EvidenceFactory(claim=claim, source=source)
        CaptureFactory(source=source)
        PublishedVerdictFactory(claim=claim)
        ClaimFactCheckLink.objects.create(
            claim=claim, factcheck=make_factcheck(url=f"https://c.example/{i}"),
            linked_by=linker)
        claim.tags.add(*tags[i % 3: i % 3 + 4])


def _export_queries(chunk_size: int) -> tuple[int, int, list[dict]]:
    with CaptureQueriesContext(connection) as ctx:
        rows = list(jsonl_lines(rows_for({}, chunk_size=chunk_size)))
    tag_reads = [q for q in ctx.captured_queries if 'FROM "claims_claim_tags"' in q["sql"]]
    return len(ctx), len(tag_reads), rows


def test_tags_are_read_once_per_chunk_and_queries_per_chunk_stay_constant():
    tags = [Tag.objects.create(name=f"tag {n}") for n in range(8)]
    chunk = 10
    _fully_linked_claims(chunk, tags, 0)
    one_chunk, tag_reads, _ = _export_queries(chunk)
    assert tag_reads == 1
    _fully_linked_claims(3 * chunk, tags, chunk)  # 4 chunks now, every one with 4 tags a claim
    four_chunks, tag_reads, lines = _export_queries(chunk)
    assert tag_reads == 4
    records = [json.loads(line) for block in lines for line in block.splitlines()]
    assert len(records) == 4 * chunk and all(len(r["tags"]) == 4 for r in records)
    # One read of the claims, then the same number of queries for every chunk.
    assert four_chunks - 1 == 4 * (one_chunk - 1)
    # And a chunk's tags land on its own claims whatever the chunk size.
    assert "".join(jsonl_lines(rows_for({}, chunk_size=3))) == "".join(lines)
