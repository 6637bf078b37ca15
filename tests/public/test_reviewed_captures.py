"""Re-fetching a cited source changes nothing readers see of a published fact-check: the
public page, its ClaimReview JSON-LD, the JSON feed, the public API and the exports keep the
title and the stored copy of the capture the reviewer approved; the newer capture is shown
on the desk ("newer capture since review") and reaches readers only through a correction."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rdflib.namespace import SDO

from claims.choices import CaptureStatus
from claims.exporters.rows import rows_for
from claims.fetching import pipeline
from claims.models import Capture, Source
from claims.services.sources import source_refetch
from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import ClaimFactory
from tests.support.archives import write_archive
from tests.verdict_setup import (
    captured_source_evidence,
    client_for,
    make_roles,
    publish_through_workflow,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

REVIEWED_TITLE = "Labour market report"  # the capture made by captured_source_evidence
NEW_TITLE = "Labour market report (revised: unemployment fell)"


@pytest.fixture
def users():
    return make_roles()


def refetch(source: Source, *, title: str, monkeypatch, user) -> Capture:
    """An editor re-fetches the source and the page now has another title: the fetch
    pipeline records a new successful capture and renames the source, as it does."""
    body = f"<html><head><title>{title}</title></head><body>Changed.</body></html>".encode()

    def fetched(url):
        return pipeline.CaptureResult(fields={
            "http_status": 200, "content_type": "text/html", "size_bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "text_sha256": hashlib.sha256(b"Changed.").hexdigest(),
            "title": title, "text": "Changed.", "final_url": source.url,
        })

    monkeypatch.setattr(pipeline, "capture_url", fetched)
    source_refetch(source=source, user=user)
    pipeline.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.title == title
    return source.captures.filter(status=CaptureStatus.SUCCESS).order_by("-started_at", "-id")[0]


def page(claim_id) -> str:
    response = Client().get(reverse("public:fact-check", args=[claim_id]))
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def api_sources(claim_id) -> list[dict]:
    response = Client().get(f"/api/v1/published/{claim_id}/")
    assert response.status_code == 200
    return response.json()["sources"]


def feed_citations(claim_id) -> list[dict]:
    items = Client().get(reverse("feeds:claimreview")).json()["items"]
    (record,) = [r for r in items if r["url"].endswith(f"/fact-checks/{claim_id}/")]
    return record["citation"]


def snapshot_path(capture) -> str:
    return reverse("public:snapshot", args=[capture.pk])


@pytest.fixture
def refetched(users, monkeypatch):
    """A fact-check published through the workflow, whose only source was then re-fetched
    and came back with a new title."""
    published = published_fact_check(users)
    source = published["evidence"].source
    reviewed = source.captures.get()
    newer = refetch(source, title=NEW_TITLE, monkeypatch=monkeypatch,
                    user=users["editor_author"])
    return {**published, "source": source, "reviewed": reviewed, "newer": newer}


def test_the_public_page_keeps_the_reviewed_title_and_stored_copy(refetched):
    html = page(refetched["claim"].pk)
    assert REVIEWED_TITLE in html and NEW_TITLE not in html
    assert snapshot_path(refetched["reviewed"]) in html
    assert snapshot_path(refetched["newer"]) not in html
    assert f'href="{refetched["source"].url}"' in html


def test_the_json_ld_cites_the_reviewed_capture(refetched):
    (citation,) = json_ld(page(refetched["claim"].pk))["citation"]
    assert all(term in SDO for term in ["citation", *citation, citation["@type"]]
               if not term.startswith("@"))
    assert citation["name"] == REVIEWED_TITLE
    assert citation["url"] == refetched["source"].url
    assert citation["archivedAt"].endswith(snapshot_path(refetched["reviewed"]))
    (in_feed,) = feed_citations(refetched["claim"].pk)
    assert in_feed["name"] == REVIEWED_TITLE
    assert in_feed["archivedAt"].endswith(snapshot_path(refetched["reviewed"]))


def test_the_public_api_shows_the_reviewed_capture(refetched):
    (source,) = api_sources(refetched["claim"].pk)
    assert source["title"] == REVIEWED_TITLE
    assert source["url"] == refetched["source"].url
    assert source["stored_copy_url"].endswith(snapshot_path(refetched["reviewed"]))
    assert source["stance"] == "refutes"
    (listed,) = [row for row in Client().get("/api/v1/published/").json()["results"]
                 if row["claim"] == refetched["claim"].pk]
    assert listed["sources"] == [source]


def test_the_exports_report_the_reviewed_capture(refetched):
    (row,) = rows_for(claim_ids=[refetched["claim"].pk])
    (source,) = row["sources"]
    assert source["title"] == REVIEWED_TITLE
    assert source["sha256"] == refetched["reviewed"].sha256
    assert source["snapshot_url"].endswith(
        reverse("claims:capture-snapshot", args=[refetched["reviewed"].pk]))


def test_the_newer_capture_is_not_a_public_stored_copy(refetched):
    client = Client()
    assert client.get(snapshot_path(refetched["reviewed"])).status_code == 200
    assert client.get(snapshot_path(refetched["newer"])).status_code == 404
    assert client.get(reverse("public:snapshot-raw", args=[refetched["newer"].pk])
                      ).status_code == 404


def test_the_desk_shows_the_newer_capture_until_a_correction_is_published(refetched, users):
    claim = refetched["claim"]
    desk = client_for(users["other_editor"]).get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="newer-capture"' in desk and "Newer capture since review" in desk
    assert NEW_TITLE in desk

    correction = verdict_correct(verdict=refetched["verdict"], user=users["other_editor"],
                                 correction_note="The source was revised.")
    verdict_approve(verdict=correction, user=users["reviewer"])
    # Approved but not yet published: readers still see the reviewed capture.
    assert REVIEWED_TITLE in page(claim.pk) and NEW_TITLE not in page(claim.pk)
    verdict_publish(verdict=correction, user=users["reviewer"])

    html = page(claim.pk)
    assert NEW_TITLE in html and snapshot_path(refetched["newer"]) in html
    assert snapshot_path(refetched["reviewed"]) not in html
    (citation,) = json_ld(html)["citation"]
    assert citation["name"] == NEW_TITLE
    assert citation["archivedAt"].endswith(snapshot_path(refetched["newer"]))
    (source,) = api_sources(claim.pk)
    assert source["title"] == NEW_TITLE
    assert source["stored_copy_url"].endswith(snapshot_path(refetched["newer"]))
    assert Client().get(snapshot_path(refetched["newer"])).status_code == 200
    # The earlier version's copy stays readable: it is what that version cited.
    assert Client().get(snapshot_path(refetched["reviewed"])).status_code == 200
    desk = client_for(users["other_editor"]).get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="newer-capture"' not in desk


def count_queries(url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_and_the_api_cost_the_same_queries_for_one_source_or_many(
        users, monkeypatch, settings, tmp_path):
    """With evidence archives or without: the page reads each capture's archive with the
    capture (joined), never one query per source."""
    settings.MEDIA_ROOT = tmp_path

    def urls(claim):
        return [reverse("public:fact-check", args=[claim.pk]),
                f"/api/v1/published/{claim.pk}/", "/api/v1/published/",
                reverse("feeds:claimreview")]

    one = published_fact_check(users)["claim"]
    few = [count_queries(url) for url in urls(one)]

    many = ClaimFactory()
    evidence = [captured_source_evidence(many) for _ in range(4)]
    publish_through_workflow(many, author=users["editor_author"], reviewer=users["reviewer"])
    for item in evidence[1:]:
        write_archive(item.source.captures.get())  # the reviewed capture, archived
        newer = refetch(item.source, title=NEW_TITLE, monkeypatch=monkeypatch,
                        user=users["editor_author"])
        write_archive(newer, label="newer")
    assert [s["title"] for s in api_sources(many.pk)] == [REVIEWED_TITLE] * 4
    assert page(many.pk).count('data-testid="capture-archive"') == 3
    assert [count_queries(url) for url in urls(many)] == few
