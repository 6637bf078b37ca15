"""Stored export lines (PostgreSQL): what an export sends is always what the database says.

The lines (models.ExportLine) are written by pgsql.refresh_lines and marked stale by
triggers (migration 0008). Every test here compares the exports, byte for byte or parsed,
with what the Python exporters build from the live rows, after a change to each thing a
line shows; and checks the guard that keeps a line computed before a concurrent change
from being stored.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import selectors, tasks
from claims.exporters import json as json_export
from claims.exporters import pgsql
from claims.exporters.csv import csv_lines
from claims.exporters.rows import export_rows
from claims.models import Article, Capture, Claim, Claimant, Evidence, Rating, Source, Verdict
from tests.factories import (
    ArticleFactory,
    CaptureFactory,
    ClaimantFactory,
    EvidenceFactory,
    SourceFactory,
    VerdictFactory,
    default_rating,
)
from tests.test_export_formats import desk, parse_csv  # noqa: F401  (desk is a fixture)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="stored lines: PostgreSQL"),
]


def exported(params=None) -> tuple[str, str]:
    selection = selectors.claim_export_selection(params or {})
    return "".join(pgsql.csv_chunks(selection)), "".join(pgsql.jsonl_chunks(selection))


def built_by_python(params=None) -> tuple[list[dict], list[dict]]:
    claims = selectors.claim_export_queryset(params or {})
    csv_text = "".join(csv_lines(export_rows(claims)))
    jsonl = "".join(json_export.jsonl_lines(export_rows(claims)))
    return parse_csv(csv_text), [json.loads(line) for line in jsonl.splitlines()]


def assert_exports_match_the_database(params=None) -> tuple[str, str]:
    csv_text, jsonl = exported(params)
    python_csv, python_json = built_by_python(params)
    assert parse_csv(csv_text) == python_csv
    assert [json.loads(line) for line in jsonl.splitlines()] == python_json
    return csv_text, jsonl


def stored(claim_id: int) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generation, recipe, csv, json FROM claims_exportline WHERE claim_id = %s",
            [claim_id],
        )
        return cursor.fetchone()


def test_stored_lines_are_the_computed_lines_byte_for_byte(desk):  # noqa: F811
    computed = assert_exports_match_the_database()
    assert pgsql.line_counts() == {"current": 0, "stale": Claim.objects.count()}

    assert pgsql.refresh_lines() == Claim.objects.count()

    assert pgsql.line_counts() == {"current": Claim.objects.count(), "stale": 0}
    assert exported() == computed
    # Filtered and sorted views read the same lines, in the table's order.
    for params in ({"status": "researching"}, {"sort": "-id"}, {"sort": "statement"}):
        assert_exports_match_the_database(params)
    assert pgsql.refresh_lines() == 0  # nothing left to write


def test_the_export_sends_the_stored_line(desk):  # noqa: F811
    """Proof that a current line is read, not recomputed: doctor one behind the triggers'
    back (the claims_exportline table has none) and the export sends it."""
    pgsql.refresh_lines()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE claims_exportline SET csv = %s, json = %s WHERE claim_id = %s",
            ['"stored"', '{"stored": true}', desk["bare"].pk],
        )
    csv_text, jsonl = exported()
    assert '\n"stored"\n' in csv_text
    assert '{"stored": true}' in jsonl.splitlines()


def _claim(desk):  # noqa: F811
    return Claim.objects.get(pk=desk["claim"].pk)


def _verdict(desk):  # noqa: F811
    return Verdict.objects.get(pk=desk["verdict"].pk)


def _save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


def _correct(desk):  # noqa: F811
    """A correction published: version 2 takes over, with its note and date."""
    old = _verdict(desk)
    Verdict.objects.filter(pk=old.pk).update(is_current=False)
    VerdictFactory(claim=old.claim, version=2, supersedes=old, state="published",
                   rating=default_rating("false"), correction_note="Corrected: the date",
                   published_at=timezone.now(), reviewer=old.reviewer)


# Each changes one thing an export shows, by the ORM's save() or a bulk update().
CHANGES = {
    "claim statement": lambda d: _save(_claim(d), statement="New, “statement”"),
    "claim quote": lambda d: _save(_claim(d), quote="New quote"),
    "claim status (bulk update)": lambda d: Claim.objects.filter(pk=d["claim"].pk).update(
        status="researching"),
    "every claim's status (one statement)": lambda d: Claim.objects.update(
        status="not_checkable", not_checkable_reason="Opinion"),
    "claim claimant": lambda d: _save(_claim(d), claimant=ClaimantFactory(name="Other One")),
    "claim article": lambda d: _save(_claim(d), article=ArticleFactory(title="Moved")),
    "claimant name": lambda d: _save(Claimant.objects.get(claims=d["claim"]), name="Renamed"),
    "claimant role": lambda d: _save(Claimant.objects.get(claims=d["claim"]), role="Ex-mayor"),
    "claimant organisation": lambda d: Claimant.objects.filter(claims=d["claim"]).update(
        organisation="Elsewhere"),
    "article title": lambda d: _save(Article.objects.get(claims=d["claim"]), title="Retitled"),
    "article outlet": lambda d: _save(Article.objects.get(claims=d["claim"]), outlet="Other"),
    "article url": lambda d: _save(Article.objects.get(claims=d["claim"]),
                                   url="https://news.example/moved"),
    "article date": lambda d: _save(Article.objects.get(claims=d["claim"]),
                                    published_on=date(2025, 1, 2)),
    "verdict summary": lambda d: _save(_verdict(d), summary="New summary"),
    "verdict rationale": lambda d: _save(_verdict(d), rationale="New *rationale*"),
    "verdict rating": lambda d: _save(_verdict(d), rating=Rating.objects.exclude(
        pk=_verdict(d).rating_id).filter(scale=_verdict(d).rating.scale).first()),
    "verdict published (draft claim)": lambda d: Verdict.objects.filter(
        claim=d["draft"]).update(state="published", published_at=timezone.now()),
    "verdict added": lambda d: VerdictFactory(claim=d["bare"], summary="Fresh"),
    "verdict deleted": lambda d: Verdict.objects.filter(claim=d["draft"]).delete(),
    "correction published": _correct,
    "rating label": lambda d: Rating.objects.filter(pk=_verdict(d).rating_id).update(
        label="Renamed rating"),
    "rating value": lambda d: Rating.objects.filter(pk=_verdict(d).rating_id).update(value=-7),
    "author name": lambda d: _save(_verdict(d).author, first_name="Anna"),
    "author username": lambda d: _save(_verdict(d).author, first_name="", last_name="",
                                       username="anna2"),
    "reviewer name": lambda d: _save(_verdict(d).reviewer, last_name="Reviewed"),
    "evidence added": lambda d: EvidenceFactory(
        claim=d["bare"], source=SourceFactory(url="https://stats.example/new")),
    "evidence deleted": lambda d: Evidence.objects.filter(source=d["sources"][1]).delete(),
    "evidence source changed": lambda d: Evidence.objects.filter(
        source=d["sources"][1]).update(source=SourceFactory(url="https://stats.example/s3")),
    "source url": lambda d: _save(Source.objects.get(pk=d["sources"][0].pk),
                                  url="https://stats.example/renamed"),
    "source title": lambda d: _save(Source.objects.get(pk=d["sources"][0].pk),
                                    title="Retitled table"),
    "capture added": lambda d: CaptureFactory(
        source=d["sources"][1], snapshot="snapshots/new", sha256="f" * 64),
    "capture deleted": lambda d: Capture.objects.filter(pk=d["captures"][1].pk).delete(),
    "capture changed": lambda d: Capture.objects.filter(pk=d["captures"][1].pk).update(
        sha256="e" * 64),
    "capture failed": lambda d: Capture.objects.filter(pk=d["captures"][1].pk).update(
        status="failed", error_kind="http", error_message="HTTP 500"),
    "claim deleted": lambda d: d["bare"].delete(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_an_export_shows_reaches_it_through_stored_lines(desk, change):  # noqa: F811
    pgsql.refresh_lines()
    before = exported()

    CHANGES[change](desk)

    after = assert_exports_match_the_database()
    assert after != before, "the change should show in the export"
    stale = pgsql.line_counts()["stale"]
    assert stale >= 1 or change == "claim deleted"
    if change.startswith("every claim"):
        assert stale == Claim.objects.count()
    # Written again, the lines give the same bytes as computed.
    assert pgsql.refresh_lines() == stale
    assert pgsql.line_counts()["stale"] == 0
    assert exported() == after


def test_a_deleted_claim_takes_its_line_along(desk):  # noqa: F811
    pgsql.refresh_lines()
    bare = desk["bare"].pk
    assert stored(bare) is not None
    desk["bare"].delete()
    assert stored(bare) is None


def test_changes_an_export_does_not_show_leave_the_lines_current(desk):  # noqa: F811
    """A sign-in touches auth_user.last_login; fetching touches sources; an article's body
    and a claimant's link aren't exported. None of these may mark thousands of lines."""
    pgsql.refresh_lines()
    generations = {c: stored(c)[0] for c in Claim.objects.values_list("id", flat=True)}
    author = _verdict(desk).author
    author.last_login = timezone.now()
    author.save(update_fields=["last_login"])
    _save(Article.objects.get(claims=desk["claim"]), body="Another body text, long enough.")
    _save(Claimant.objects.get(claims=desk["claim"]), url="https://example.org/who")
    Source.objects.filter(pk=desk["sources"][0].pk).update(last_error="timeout", attempts=3)
    Rating.objects.filter(pk=_verdict(desk).rating_id).update(definition="Reworded")

    assert pgsql.line_counts()["stale"] == 0
    assert {c: stored(c)[0] for c in generations} == generations


def test_lines_written_for_other_urls_are_not_sent(desk):  # noqa: F811
    """The recipe covers SITE_URL and the desk's URLs: lines written under another site
    address count as stale, and the export computes them for this one."""
    pgsql.refresh_lines()
    with override_settings(SITE_URL="https://desk.example.org"):
        assert pgsql.line_counts()["current"] == 0
        csv_text, _ = assert_exports_match_the_database()
        assert f"https://desk.example.org/claims/{desk['claim'].pk}/" in csv_text
        assert settings.SITE_URL not in csv_text.replace("https://desk.example.org", "")
        assert pgsql.refresh_lines() == Claim.objects.count()
        assert exported()[0] == csv_text


def test_a_new_claim_is_marked_and_an_idle_run_reads_no_claims(desk):  # noqa: F811
    """Markers make a run with nothing to do cheap: it reads the stale lines' index, not
    every claim (the sync pass, which does, runs once a day or after a recipe change)."""
    pgsql.refresh_lines()
    claim = Claim.objects.create(article=ArticleFactory(), statement="New", quote="q",
                                 anchor_start=0, anchor_end=1)
    assert stored(claim.pk)[2:] == (None, None)
    assert pgsql.refresh_lines() == 1
    with CaptureQueriesContext(connection) as idle:
        assert pgsql.refresh_lines() == 0
    assert not [q for q in idle.captured_queries if "claims_claim" in q["sql"]], idle
    assert len(idle) <= 4  # lock, sentinel, stale lines, unlock


def test_the_sync_pass_repairs_what_bypassed_the_triggers(desk):  # noqa: F811
    """A bulk load with the triggers off leaves claims without a row, an emptied table (a
    crash: it is unlogged) leaves none; orphans outlive a claim deleted behind the
    triggers' back. The sync pass puts all of it right."""
    pgsql.refresh_lines()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_exportline WHERE claim_id = %s", [desk["bare"].pk])
        cursor.execute("INSERT INTO claims_exportline VALUES (987654, 0, 'x', 'a', 'b')")
    assert pgsql.refresh_lines() == 0  # synced today: the run only reads markers
    assert pgsql.refresh_lines(sync=True) == 1
    assert stored(987654) is None
    assert pgsql.line_counts()["stale"] == 0

    with connection.cursor() as cursor:  # what a crash leaves of an unlogged table
        cursor.execute("TRUNCATE claims_exportline")
    assert pgsql.refresh_lines() == Claim.objects.count()


def test_refresh_stops_after_its_budget_and_the_next_run_carries_on(desk):  # noqa: F811
    total = Claim.objects.count()
    assert pgsql.refresh_lines(batch=1, max_claims=1) == 1
    assert pgsql.line_counts() == {"current": 1, "stale": total - 1}
    assert pgsql.refresh_lines(seconds=0) == 0
    assert pgsql.refresh_lines(batch=1) == total - 1


def _other_connection():
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None,
                           user=db["USER"] or None, password=db["PASSWORD"] or None)


def _refresh_beside_an_open_write(claimant_id: int, *, hold_seconds: float | None) -> dict:
    """Rename a claimant in another connection and leave it uncommitted (its trigger holds
    the line's row), refresh in a thread, then commit: as soon as the refresh waits on the
    writer's row, or after `hold_seconds`."""
    writer = _other_connection()
    outcome: dict = {}

    def refresh():
        from django.db import connection as thread_connection

        started = time.monotonic()
        try:
            outcome["written"] = pgsql.refresh_lines()
        finally:
            outcome["seconds"] = time.monotonic() - started
            thread_connection.close()

    try:
        writer.execute("UPDATE claims_claimant SET name = 'After' WHERE id = %s", [claimant_id])
        refresher = threading.Thread(target=refresh)
        refresher.start()
        if hold_seconds is None:
            deadline = time.monotonic() + 20
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:  # until the refresh waits on the writer
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                    if cursor.fetchone()[0]:
                        outcome["waited"] = True
                        break
                    time.sleep(0.02)
        else:
            refresher.join(timeout=hold_seconds)
        writer.commit()
        refresher.join(timeout=30)
    finally:
        writer.close()
    return outcome


def _raced_claim():
    claimant = ClaimantFactory(name="Before")
    claim = Claim.objects.create(article=ArticleFactory(), claimant=claimant,
                                 statement="Raced", quote="q", anchor_start=0, anchor_end=1)
    return claimant, claim


@pytest.mark.django_db(transaction=True)
def test_a_line_computed_before_a_concurrent_change_is_not_stored(monkeypatch):
    """The race a cache must not lose: the refresh reads the claim, a writer changes it and
    commits, the refresh stores what it read. The writer's trigger raises the generation,
    so the refresh's upsert, which waits on the writer's row and then re-checks it, stores
    nothing; the line stays stale until the next run writes the new text."""
    monkeypatch.setattr(pgsql, "REFRESH_LOCK_TIMEOUT_MS", 20_000)  # wait for the writer
    claimant, claim = _raced_claim()

    outcome = _refresh_beside_an_open_write(claimant.pk, hold_seconds=None)

    assert outcome["waited"] and outcome["written"] == 0
    assert stored(claim.pk)[1:3] == ("", None)  # still marked, not stored with "Before"
    assert pgsql.refresh_lines() == 1
    assert '"After"' in stored(claim.pk)[2]
    assert '"After"' in exported()[0]


@pytest.mark.django_db(transaction=True)
def test_the_refresh_gives_way_to_a_writer_instead_of_holding_it_up():
    """A writer holding a line's row for longer than REFRESH_LOCK_TIMEOUT_MS: the refresh
    leaves that batch (no error, nothing stored) and the writer's change stands."""
    claimant, claim = _raced_claim()

    outcome = _refresh_beside_an_open_write(claimant.pk, hold_seconds=3)

    assert outcome["written"] == 0
    assert outcome["seconds"] < 2, outcome  # it gave up after 0.2 s, not at the commit
    assert stored(claim.pk)[1:3] == ("", None)
    assert pgsql.refresh_lines() == 1
    assert '"After"' in exported()[0]


@pytest.mark.django_db(transaction=True)
def test_only_one_refresh_runs_at_a_time():
    with _other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [pgsql._REFRESH_LOCK])
        Claim.objects.create(article=ArticleFactory(), statement="s", quote="q",
                             anchor_start=0, anchor_end=1)
        assert pgsql.refresh_lines() == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [pgsql._REFRESH_LOCK])
    assert pgsql.refresh_lines() == 1


@pytest.mark.worker
def test_the_beat_task_writes_the_lines_through_a_real_worker(celery_worker):
    claims = [Claim.objects.create(article=ArticleFactory(), statement=f"s{i}", quote="q",
                                   anchor_start=0, anchor_end=1) for i in range(3)]
    assert pgsql.line_counts()["stale"] == 3

    assert tasks.refresh_export_lines.delay().get(timeout=60) == 3

    assert pgsql.line_counts() == {"current": 3, "stale": 0}
    assert all(stored(c.pk)[2].startswith(f"{c.pk},") for c in claims)
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "claims.tasks.refresh_export_lines")
    assert entry["schedule"] <= 60


def test_lines_written_in_another_session_time_zone_are_the_same(desk):  # noqa: F811
    """Times are written in UTC whatever the writing session's time zone."""
    computed = exported()
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'America/Chicago'")
        try:
            pgsql.refresh_lines()
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert pgsql.line_counts()["stale"] == 0
    assert exported() == computed
    published = _verdict(desk).published_at.astimezone(UTC)
    assert published.isoformat(timespec="microseconds") in computed[0]


@pytest.mark.django_db(transaction=True)
def test_a_run_that_wrote_many_lines_vacuums_the_table(monkeypatch):
    """Lines written over markers leave dead rows: a big run vacuums at once (outside a
    transaction, as the beat task runs), so the next export reads clean pages."""
    def vacuums() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables "
                           "WHERE relname = 'claims_exportline'")
            return cursor.fetchone()[0]

    for i in range(3):
        Claim.objects.create(article=ArticleFactory(), statement=f"s{i}", quote="q",
                             anchor_start=0, anchor_end=1)
    monkeypatch.setattr(pgsql, "VACUUM_AFTER_LINES", 3)
    before = vacuums()
    assert pgsql.refresh_lines() == 3
    assert vacuums() == before + 1
    Claim.objects.create(article=ArticleFactory(), statement="one more", quote="q",
                         anchor_start=0, anchor_end=1)
    assert pgsql.refresh_lines() == 1  # under the threshold: no vacuum
    assert vacuums() == before + 1
