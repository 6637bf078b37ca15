"""Migration 0011 on PostgreSQL: a database that kept stored export lines (migration 0008:
a table filled by triggers on nine tables) loses the triggers, their functions and the
table, writes to those tables keep working, and the exports give the same rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

AFTER = ("claims", "0011_drop_exportline")


def _before() -> tuple[str, str]:
    """The claims migration 0011 follows (0008 made the stored lines; whatever came between
    stays applied, so only 0011 is reversed and replayed)."""
    graph = MigrationExecutor(connection).loader.graph
    return next(parent.key for parent in graph.node_map[AFTER].parents
                if parent.key[0] == "claims")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _catalog() -> dict[str, list]:
    """What migration 0008 put in the database, read from PostgreSQL's catalogs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'claims_exportline%%'"
                       " ORDER BY tgname")
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'claims_exportline%%'"
                       " ORDER BY proname")
        functions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT to_regclass('claims_exportline')")
        table = [row[0] for row in cursor.fetchall() if row[0]]
    return {"triggers": triggers, "functions": functions, "table": table}


def _load(apps) -> dict:
    """A desk at migration 0008, written through that state's models (so through the
    triggers): two claims, one published with a rating, authors and a captured source."""
    user_model = apps.get_model("auth", "User")
    author = user_model.objects.create(username="ana", first_name="Ana", last_name="Núñez")
    reviewer = user_model.objects.create(username="rev")
    article = apps.get_model("claims", "Article").objects.create(
        title="Budget, final", outlet="Daily", url="https://n.example/a",
        published_on=date(2026, 5, 4), body="He said tax rose 5% then.")
    claimant = apps.get_model("claims", "Claimant").objects.create(name="Ana", organisation="Gov")
    claim_model = apps.get_model("claims", "Claim")
    published = claim_model.objects.create(
        article=article, claimant=claimant, statement="Tax rose", quote="tax rose 5%",
        anchor_start=8, anchor_end=19, status="published")
    bare = claim_model.objects.create(
        article=article, statement="Plain claim", quote="tax rose", anchor_start=8,
        anchor_end=16, status="new")
    rating = apps.get_model("claims", "Rating").objects.filter(
        scale__is_default=True).order_by("position").first()
    apps.get_model("claims", "Verdict").objects.create(
        claim=published, rating=rating, summary="Wrong.", rationale="Because.",
        state="published", is_current=True, author=author, reviewer=reviewer,
        published_at=datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC))
    source = apps.get_model("claims", "Source").objects.create(
        url="https://s.example/t", normalized_url="https://s.example/t", domain="s.example",
        status="fetched", title="T")
    apps.get_model("claims", "Evidence").objects.create(claim=published, source=source,
                                                         stance="refutes")
    apps.get_model("claims", "Capture").objects.create(
        source=source, status="success", sha256="ab" * 32,
        started_at=datetime(2026, 5, 5, 1, 2, 3, tzinfo=UTC))
    return {"published": published.pk, "bare": bare.pk, "rating": rating.label,
            "claimant": claimant.pk, "author": author.pk, "source": source.pk}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="0008's triggers are PostgreSQL's")
def test_migrating_forward_drops_the_stored_lines_and_exports_keep_their_rows(
    transactional_db,
):
    before = _before()
    executor = _migrate([before])
    try:
        apps = executor.loader.project_state([before]).apps
        built = _catalog()
        assert len(built["triggers"]) == 17 and built["table"] == ["claims_exportline"]
        assert "claims_exportline_stale" in built["functions"]
        data = _load(apps)
        with connection.cursor() as cursor:
            # The triggers fired: a marker per claim. Store a line in each, as the removed
            # refresh task did, then a claimant rename marks its claim stale again.
            cursor.execute("SELECT claim_id FROM claims_exportline ORDER BY claim_id")
            assert [row[0] for row in cursor.fetchall()] == [data["published"], data["bare"]]
            cursor.execute("UPDATE claims_exportline SET csv = 'stored', json = '{}', "
                           "recipe = 'r'")
            cursor.execute("UPDATE claims_claimant SET name = 'Ana Ruiz' WHERE id = %s",
                           [data["claimant"]])
            cursor.execute("SELECT claim_id FROM claims_exportline WHERE csv IS NULL")
            assert [row[0] for row in cursor.fetchall()] == [data["published"]]

        _migrate([AFTER])

        assert _catalog() == {"triggers": [], "functions": [], "table": []}
        # Every table a trigger watched takes writes again (a trigger left behind would fail
        # on the missing table).
        with connection.cursor() as cursor:
            cursor.execute("UPDATE claims_claimant SET name = 'Ana Ruiz' WHERE id = %s",
                           [data["claimant"]])
            cursor.execute("UPDATE auth_user SET first_name = 'Ana' WHERE id = %s",
                           [data["author"]])
            cursor.execute("UPDATE claims_capture SET sha256 = sha256")
            cursor.execute("UPDATE claims_source SET title = 'T' WHERE id = %s",
                           [data["source"]])
            cursor.execute("UPDATE claims_claim SET status = status")
    finally:
        _migrate([key for key in MigrationExecutor(connection).loader.graph.leaf_nodes()])

    from claims.exporters import stream
    from claims.selectors.exports import claim_export_selection

    claims = claim_export_selection({"sort": "id"})
    rows = list(csv.DictReader(io.StringIO("".join(stream.csv_stream(claims, bom=False)))))
    records = [json.loads(line) for line in "".join(stream.jsonl_stream(claims)).splitlines()]
    assert [int(r["claim_id"]) for r in rows] == [r["claim_id"] for r in records] == [
        data["published"], data["bare"]]
    first = records[0]
    assert (first["statement"], first["claimant"], first["claimant_organisation"]) == (
        "Tax rose", "Ana Ruiz", "Gov")
    assert (first["rating"], first["author"], first["reviewer"]) == (
        data["rating"], "Ana Núñez", "rev")
    assert first["published_at"] == "2026-05-06T07:08:09.000000+00:00"
    assert first["sources"] == [{
        "url": "https://s.example/t", "title": "T",
        "captured_at": "2026-05-05T01:02:03.000000+00:00", "sha256": "ab" * 32,
        "snapshot_url": "",
        # No evidence archive for this capture (issue 30): its archive keys are empty.
        "manifest_sha256": "", "wacz_sha256": "", "screenshot_sha256": "",
        "timestamped_at": None, "timestamp_authority": "",
    }]
    assert rows[0]["source_urls"] == "https://s.example/t"
    assert rows[0]["claimant"] == "Ana Ruiz" and rows[0]["rating"] == data["rating"]
    assert (records[1]["statement"], records[1]["verdict_state"], records[1]["claimant"]) == (
        "Plain claim", "", "")
