"""The public corrections log says what each correction changed for readers: every field,
the claim's own statement, claimant and date included, as a diff; what stayed the same is
named once, and a field that changed is never called unchanged."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import ClaimantFactory, ClaimFactory, default_rating
from tests.support.pages import queries_for
from tests.verdict_setup import (
    captured_source_evidence,
    make_roles,
    publish_through_workflow,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

LOG = reverse("public:corrections")


@pytest.fixture
def users():
    return make_roles()


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def publish_correction(users, verdict, **changes):
    correction = verdict_correct(verdict=verdict, user=users["other_editor"],
                                 correction_note="We had the wrong figure.", **changes)
    verdict_approve(verdict=correction, user=users["reviewer"])
    return verdict_publish(verdict=correction, user=users["reviewer"])


def log_entries(client=None) -> list[str]:
    html = (client or Client()).get(LOG).content.decode()
    return html.split('data-testid="correction"')[1:]


def test_a_statement_change_shows_in_the_log_as_a_diff(users):
    published = published_fact_check(users)
    publish_correction(users, published["verdict"],
                       claim_changes={"statement": "Unemployment fell by 2% last year"},
                       rating=default_rating("true"))
    [entry] = log_entries()
    assert re.search(
        r'Unemployment fell by <del [^>]*><span class="visually-hidden">removed: </span>12%'
        r'</del><ins [^>]*><span class="visually-hidden"> added: </span>2%</ins> last year',
        entry), entry
    text = words(entry)
    assert "Statement Unemployment fell by removed: 12% added: 2% last year" in text
    assert "Rating removed: False added: True" in text
    assert ("Unchanged: claimant, date claimed, quote, summary, rationale, evidence cited."
            in text)
    assert "(unchanged)" not in entry


def test_a_changed_field_is_never_called_unchanged(users):
    published = published_fact_check(users)
    other = ClaimantFactory(name="John Doe", role="Mayor", organisation="City")
    publish_correction(users, published["verdict"],
                       claim_changes={"claimant_id": other.pk, "claimed_on": "2026-02-27"})
    [entry] = log_entries()
    text = words(entry)
    assert "Claimant removed: Jane Roe, Minister, Government added: John Doe, Mayor, City" \
        in text
    assert "Date claimed removed: 28 February 2026 added: 27 February 2026" in text
    assert "Unchanged: statement, quote, rating, summary, rationale, evidence cited." in text
    assert "unchanged" not in text.split("Unchanged:")[0].lower()


def test_a_correction_that_changes_only_the_note_says_nothing_readers_see_changed(users):
    published = published_fact_check(users)
    publish_correction(users, published["verdict"])
    [entry] = log_entries()
    assert "Nothing readers see changes." in words(entry)


def test_evidence_a_correction_adds_is_in_the_log(users):
    published = published_fact_check(users)
    added = captured_source_evidence(published["claim"], stance="supports")
    publish_correction(users, published["verdict"],
                       evidence=[published["evidence"], added])
    [entry] = log_entries()
    text = words(entry)
    assert f"Evidence cited Added {added.source.url} · Supports" in text
    assert "copy fetched" in text


def test_the_log_costs_the_same_queries_for_1_correction_as_for_8(users):
    def add(n):
        for _ in range(n):
            claim = ClaimFactory()
            captured_source_evidence(claim)
            verdict = publish_through_workflow(claim, author=users["editor_author"],
                                               reviewer=users["reviewer"])
            publish_correction(users, verdict, rating=default_rating("true"),
                               claim_changes={"statement": claim.statement + " (corrected)"})

    client = Client()
    add(1)
    one = queries_for(client, LOG)
    add(7)
    assert len(log_entries(client)) == 8
    assert queries_for(client, LOG) == one
