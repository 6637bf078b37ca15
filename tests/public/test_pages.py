"""Public pages: no login, only published work, ClaimReview JSON-LD that parses, stored
copies of sources served safely, and a constant number of queries per list page."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import VerdictState
from claims.models import Capture, Rating
from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import ClaimFactory, default_rating
from tests.verdict_setup import make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


def get(url_name, *args, **query):
    response = Client().get(reverse(url_name, args=args), query)
    return response


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_list_shows_only_published_fact_checks_without_login(users):
    published = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                             approver=users["senior"])
    hidden = [make_verdict(s, author=users["editor_author"], approver=users["senior"])
              for s in (VerdictState.DRAFT, VerdictState.SUBMITTED, VerdictState.APPROVED,
                        VerdictState.CHANGES_REQUESTED)]
    response = get("public:list")
    assert response.status_code == 200
    html = response.content.decode()
    assert published.claim.statement in html
    for verdict in hidden:
        assert verdict.claim.statement not in html
        assert get("public:fact-check", verdict.claim_id).status_code == 404


def test_detail_shows_claim_quote_rating_rationale_sources_and_parsing_json_ld(users):
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"])
    article = verdict.claim.article
    article.url = "https://news.example.org/story"
    article.save()
    response = get("public:fact-check", verdict.claim_id)
    assert response.status_code == 200
    html = response.content.decode()
    assert verdict.claim.statement in html and verdict.claim.quote in html
    assert str(verdict.claim.claimant) in html
    assert 'href="https://news.example.org/story"' in html
    assert "Official statistics show unemployment <strong>rose</strong>." in html
    capture = Capture.objects.get(source__evidence__verdicts=verdict)
    assert reverse("public:snapshot", args=[capture.pk]) in html
    record = json_ld(html)
    assert record["@type"] == "ClaimReview"
    assert record["claimReviewed"] == verdict.claim.statement
    assert record["reviewRating"]["alternateName"] == "False"
    assert record["url"].endswith(reverse("public:fact-check", args=[verdict.claim_id]))


def test_json_ld_cannot_break_out_of_its_script_element(users):
    claim = ClaimFactory(statement='Bad </script><script>alert(1)</script> & "quotes"')
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"], claim=claim)
    html = get("public:fact-check", verdict.claim_id).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["claimReviewed"] == claim.statement


def test_correction_shows_new_version_note_and_keeps_the_earlier_one_readable(users):
    old = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                       approver=users["senior"])
    new = verdict_correct(
        verdict=old, user=users["other_editor"], correction_note="The year was 2010.",
        rating=default_rating("half-true"), summary="Half right.",
    )
    # While the correction is in review, readers still see the published version.
    html = get("public:fact-check", old.claim_id).content.decode()
    assert "The figure is wrong." in html and "Half right." not in html
    assert "No corrections so far." in get("public:corrections").content.decode()
    verdict_approve(verdict=new, user=users["reviewer"])
    verdict_publish(verdict=new, user=users["reviewer"])
    html = get("public:fact-check", old.claim_id).content.decode()
    assert "Half right." in html and "The year was 2010." in html
    assert 'data-testid="earlier-version"' in html and "The figure is wrong." in html
    assert json_ld(html)["reviewRating"]["alternateName"] == "Half true"
    assert "dateModified" in json_ld(html)
    log = get("public:corrections").content.decode()
    assert "The year was 2010." in log and old.claim.statement in log
    # The list shows the claim once, with its corrected verdict.
    listing = get("public:list").content.decode()
    assert listing.count(old.claim.statement) == 1 and "Half right." in listing


def count_queries(url_name) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert get(url_name).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["public:list", "public:corrections"])
def test_list_pages_make_a_constant_number_of_queries(users, url_name):
    def add(n):
        for _ in range(n):
            v = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                             approver=users["senior"])
            verdict_correct(verdict=v, user=users["other_editor"],
                                     correction_note="Fixed.")
            new = v.claim.verdicts.get(is_current=True)
            verdict_approve(verdict=new, user=users["reviewer"])
            verdict_publish(verdict=new, user=users["reviewer"])

    add(1)
    few = count_queries(url_name)
    add(5)
    assert count_queries(url_name) == few


def test_methodology_is_generated_from_the_default_scale(users):
    html = get("public:methodology").content.decode()
    assert html.count('data-testid="rating-level"') == 6
    assert "Outside the scale" in html and "Unverifiable" in html
    assert html.index("Mostly true") < html.index("Half true") < html.index("Mostly false")
    # Badge text is black or white, whichever contrasts more with the level's colour.
    assert "background-color: #b08800; color: #000\">Half true" in html
    assert "background-color: #cf222e; color: #fff\">False" in html
    Rating.objects.filter(scale__is_default=True, slug="false").update(
        definition="Plainly wrong.", colour="#123456")
    html = get("public:methodology").content.decode()
    assert "Plainly wrong." in html and "#123456" in html


def test_stored_copy_is_escaped_and_raw_copy_is_a_sandboxed_download(users):
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"])
    capture = Capture.objects.get(source__evidence__verdicts=verdict)
    capture.text = "<script>alert('fetched')</script> Unemployment rose."
    capture.save()
    html = get("public:snapshot", capture.pk).content.decode()
    assert "&lt;script&gt;alert" in html and "<script>alert('fetched')" not in html
    raw = get("public:snapshot-raw", capture.pk)
    assert raw.status_code == 200
    assert raw["Content-Disposition"].startswith("attachment")
    assert "sandbox" in raw["Content-Security-Policy"]
    assert b"".join(raw.streaming_content).startswith(b"<html>")


def test_stored_copies_of_unpublished_work_are_not_public(users):
    draft = make_verdict(VerdictState.APPROVED, author=users["editor_author"],
                         approver=users["senior"])
    capture = Capture.objects.get(source__evidence__verdicts=draft)
    assert get("public:snapshot", capture.pk).status_code == 404
    assert get("public:snapshot-raw", capture.pk).status_code == 404
