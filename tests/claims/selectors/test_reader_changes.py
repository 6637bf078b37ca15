"""What readers will see change (claims/selectors/changes.py reader_changes): the one read
behind the review queue, the claim page and the public corrections log. Each field readers
see, alone and together; the evidence cited, added, removed and changed; a newer capture of
a cited source; and nothing changing at all."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim, Evidence, Verdict
from claims.selectors.changes import CLAIM_FIELDS, EVIDENCE_LABEL, VERDICT_FIELDS, reader_changes
from claims.services.claims import claim_update
from claims.services.sources import evidence_update
from claims.services.verdicts import (
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import CaptureFactory, ClaimantFactory, ClaimFactory, default_rating
from tests.verdict_setup import (
    captured_source_evidence,
    make_roles,
    publish_through_workflow,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

ALL_LABELS = [label for _, label in CLAIM_FIELDS + VERDICT_FIELDS] + [EVIDENCE_LABEL]


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    return published_fact_check(users)


def text(html) -> str:
    """What a screen reader reads of a diff: the hidden labels included, tags dropped."""
    return " ".join(re.sub(r"<[^>]+>", "", str(html)).split())


def correct(users, published, **changes) -> Verdict:
    verdict = published["verdict"]
    claim_changes = {k: changes.pop(k) for k in ("statement", "claimant_id", "claimed_on")
                     if k in changes}
    return verdict_correct(verdict=verdict, user=users["other_editor"],
                           correction_note="Corrected.", claim_changes=claim_changes,
                           **changes)


def changes_of(verdict):
    return reader_changes([verdict])[verdict.pk]


def test_a_correction_that_changes_nothing_lists_every_field_as_unchanged(users, published):
    changes = changes_of(correct(users, published))
    assert changes.compared_with == "published version 1"
    assert not changes.changed and changes.fields == [] and changes.citations == []
    assert changes.unchanged == ALL_LABELS


@pytest.mark.parametrize(("change", "label", "removed", "added"), [
    ({"statement": "Unemployment fell by 2% last year"}, "Statement", "12%", "2%"),
    ({"claimed_on": "2026-02-27"}, "Date claimed", "28 February 2026", "27 February 2026"),
    ({"rating": "mostly-false"}, "Rating", "False", "Mostly false"),
    ({"summary": "The figure is from 2009."}, "Summary", "2011", "2009."),
    ({"rationale": "The **2012** figures say otherwise."}, "Rationale", "**2011**",
     "**2012**"),
])
def test_each_field_a_correction_changes_is_shown_alone_as_a_diff(
        users, published, change, label, removed, added):
    if "rating" in change:
        change = {"rating": default_rating(change["rating"])}
    if label == "Summary":
        published["verdict"].summary = "The figure is from 2011."
        Verdict.objects.filter(pk=published["verdict"].pk).update(
            summary="The figure is from 2011.")
    changes = changes_of(correct(users, published, **change))
    assert [f.label for f in changes.fields] == [label]
    diff = str(changes.fields[0].diff)
    assert re.search(r"<del [^>]*><span class=\"visually-hidden\">removed: </span>"
                     + re.escape(removed), diff), diff
    assert re.search(r"<ins [^>]*><span class=\"visually-hidden\"> added: </span>"
                     + re.escape(added), diff), diff
    assert changes.unchanged == [x for x in ALL_LABELS if x != label]


def test_a_correction_naming_another_claimant_shows_both_names(users, published):
    other = ClaimantFactory(name="John Doe", role="Mayor", organisation="City")
    changes = changes_of(correct(users, published, claimant_id=other.pk))
    [field] = changes.fields
    assert field.label == "Claimant"
    assert text(field.diff) == "removed: Jane Roe, Minister, Government " \
                               "added: John Doe, Mayor, City"


def test_several_changes_at_once_are_each_shown(users, published):
    changes = changes_of(correct(
        users, published, statement="Unemployment fell by 2% last year",
        rating=default_rating("true"), summary="The minister was right."))
    assert [f.label for f in changes.fields] == ["Statement", "Rating", "Summary"]
    assert text(changes.field("Rating").diff) == "removed: False added: True"
    assert changes.unchanged == ["Claimant", "Date claimed", "Quote", "Rationale",
                                 EVIDENCE_LABEL]


def test_evidence_added_and_removed_by_a_correction(users, published):
    claim, kept = published["claim"], published["evidence"]
    dropped = captured_source_evidence(claim, stance="supports")
    verdict = published["verdict"]
    verdict.evidence.add(dropped)  # the published version cites both
    added = captured_source_evidence(claim, stance="context")
    changes = changes_of(correct(users, published, evidence=[kept, added]))
    assert [(c.change, c.citation.url) for c in changes.citations] == [
        ("added", added.source.url), ("removed", dropped.source.url)]
    assert changes.citations[0].citation.stance == "Context"
    assert changes.fields == [] and EVIDENCE_LABEL not in changes.unchanged


def test_a_newer_capture_of_a_cited_source_is_a_change_readers_will_see(users, published):
    source = published["evidence"].source
    pinned = published["verdict"].capture_pins.get().capture
    newer = CaptureFactory(source=source, title="Labour market report, revised",
                           started_at=timezone.now() + timedelta(minutes=5))
    changes = changes_of(correct(users, published))
    [citation] = changes.citations
    assert citation.change == "changed" and citation.citation.capture == newer
    [detail] = citation.details
    assert detail.label == "Copy readers open"
    assert "“Labour market report”" in text(detail.diff).split("added:")[0]
    assert "“Labour market report, revised”" in text(detail.diff).split("added:")[1]
    assert pinned != newer


def test_a_published_correction_still_shows_what_it_changed(users, published):
    correction = correct(users, published, statement="Unemployment fell by 2% last year",
                         rating=default_rating("true"))
    verdict_approve(verdict=correction, user=users["reviewer"])
    verdict_publish(verdict=correction, user=users["reviewer"])
    correction = Verdict.objects.get(pk=correction.pk)
    assert Claim.objects.get(pk=published["claim"].pk).statement == \
        "Unemployment fell by 2% last year"
    changes = changes_of(correction)
    assert [f.label for f in changes.fields] == ["Statement", "Rating"]
    assert "removed: 12%" in text(changes.field("Statement").diff)
    assert "added: 2%" in text(changes.field("Statement").diff)
    # A second correction compares with the first one as published.
    second = verdict_correct(verdict=correction, user=users["other_editor"],
                             correction_note="Fixed the summary.", summary="Right after all.")
    changes = changes_of(second)
    assert changes.compared_with == "published version 2"
    assert [f.label for f in changes.fields] == ["Summary"]


@pytest.fixture
def sent_back(users):
    """A verdict submitted, sent back with a comment, and open for changes."""
    claim = ClaimFactory(claimed_on=date(2026, 2, 28))
    evidence = captured_source_evidence(claim)
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                 rating=default_rating(), summary="Wrong.",
                                 rationale="The figures say otherwise.")
    verdict_submit(verdict=verdict, user=users["editor_author"])
    verdict = verdict_request_changes(verdict=verdict, user=users["reviewer"],
                                      comment="Which figures?")
    return {"claim": claim, "verdict": verdict, "evidence": evidence}


def resubmit(users, verdict, **fields):
    verdict = Verdict.objects.get(pk=verdict.pk)
    if fields:
        values = {"rating": verdict.rating, "summary": verdict.summary,
                  "rationale": verdict.rationale, **fields}
        verdict = verdict_save_draft(claim=verdict.claim, user=users["editor_author"],
                                     lock_version=verdict.lock_version, **values)
    return verdict_submit(verdict=verdict, user=users["editor_author"])


def test_a_resubmission_is_compared_with_the_version_sent_back(users, sent_back):
    changes = changes_of(resubmit(users, sent_back["verdict"], summary="Wrong, by 9 points."))
    assert changes.compared_with.startswith("the version Robin Reviewer sent back on ")
    assert [f.label for f in changes.fields] == ["Summary"]
    assert text(changes.field("Summary").diff) == "removed: Wrong. added: Wrong, by 9 points."


def test_a_resubmission_shows_the_claim_and_quote_changed_while_it_was_sent_back(
        users, sent_back):
    claim = Claim.objects.get(pk=sent_back["claim"].pk)
    claim_update(claim=claim, version=claim.version, statement="Joblessness fell by 12%",
                 claimant=claim.claimant, claimed_on=claim.claimed_on,
                 user=users["editor_author"])
    claim.refresh_from_db()
    claim.quote = "unemployment fell by 12 per cent"
    claim.save()
    changes = changes_of(resubmit(users, sent_back["verdict"]))
    assert [f.label for f in changes.fields] == ["Statement", "Quote"]
    assert "removed: Unemployment" in text(changes.field("Statement").diff)
    assert "removed: last year" in text(changes.field("Quote").diff)


def test_a_resubmission_shows_evidence_changed_and_added_since_it_was_sent_back(
        users, sent_back):
    evidence = Evidence.objects.get(pk=sent_back["evidence"].pk)
    evidence_update(evidence=evidence, stance="supports", note=evidence.note,
                    excerpt="Unemployment rose by 3 per cent.", user=users["editor_author"])
    added = captured_source_evidence(sent_back["claim"], stance="context")
    verdict = Verdict.objects.get(pk=sent_back["verdict"].pk)
    verdict.evidence.add(added)
    changes = changes_of(resubmit(users, verdict))
    assert [(c.change, c.citation.url) for c in changes.citations] == [
        ("changed", evidence.source.url), ("added", added.source.url)]
    details = {d.label: text(d.diff) for d in changes.citations[0].details}
    assert details == {"Stance": "removed: Refutes added: Supports",
                       "Excerpt": "removed: none added: Unemployment rose by 3 per cent."}
    assert changes.fields == []


def test_a_first_submission_has_nothing_to_compare_with(users):
    claim = ClaimFactory()
    captured_source_evidence(claim)
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                 rating=default_rating(), summary="Wrong.", rationale="Because.")
    changes = changes_of(verdict_submit(verdict=verdict, user=users["editor_author"]))
    assert changes.compared_with == "" and not changes.changed
    assert changes.after.statement == claim.statement


def test_many_verdicts_cost_the_same_queries_as_one(users, published):
    first = correct(users, published, statement="Unemployment fell by 2% last year")
    first = Verdict.objects.get(pk=first.pk)
    with CaptureQueriesContext(connection) as one:
        reader_changes([first])
    more = [Verdict.objects.get(pk=first.pk)]
    for _ in range(4):
        claim = ClaimFactory()
        captured_source_evidence(claim)
        other = publish_through_workflow(claim, author=users["editor_author"],
                                         reviewer=users["reviewer"])
        more.append(verdict_correct(verdict=other, user=users["other_editor"],
                                    correction_note="Corrected.", rating=default_rating("true")))
    more = list(Verdict.objects.filter(pk__in=[v.pk for v in more]))
    with CaptureQueriesContext(connection) as many:
        reader_changes(more)
    assert len(many) == len(one)
