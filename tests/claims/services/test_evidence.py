"""Evidence is added by evidence_add and changed by evidence_update, and each says what it
did: adding always adds (or refuses in words), updating reports the fields it changed (none
when the values sent are those stored, and then writes nothing)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from claims.choices import Stance, VerdictState
from claims.models import Evidence
from claims.services.published import ClaimUnderReview, PublishedClaimFrozen
from claims.services.sources import evidence_add, evidence_update
from tests.factories import ClaimFactory, EditorFactory, EvidenceFactory
from tests.verdict_setup import make_roles, make_verdict, published_fact_check

pytestmark = pytest.mark.django_db


def history_rows(evidence) -> int:
    return Evidence.history.filter(id=evidence.pk).count()


def test_adding_a_source_already_cited_is_refused_and_points_to_its_citation():
    cited = EvidenceFactory(stance=Stance.REFUTES, note="Stored note")
    with pytest.raises(ValidationError) as refused:
        evidence_add(claim=cited.claim, stance=Stance.SUPPORTS, source=cited.source,
                     note="Stored note")
    assert refused.value.message_dict == {"source": [
        "This source is already cited (Refutes). Change its stance, note or excerpt with "
        "“Edit” on its row in the evidence list."]}
    cited.refresh_from_db()
    assert (cited.stance, cited.note) == (Stance.REFUTES, "Stored note")
    assert Evidence.objects.count() == 1


def test_update_reports_what_changed_and_records_who():
    editor = EditorFactory()
    evidence = EvidenceFactory(stance=Stance.CONTEXT, note="Old", excerpt="Passage")
    rows = history_rows(evidence)
    changed = evidence_update(evidence=evidence, stance=Stance.REFUTES, note="New",
                              excerpt="Passage\r\n", user=editor)
    assert changed == ["stance", "note"]
    stored = Evidence.objects.get(pk=evidence.pk)
    assert (stored.stance, stored.note, stored.excerpt) == (Stance.REFUTES, "New", "Passage")
    assert (evidence.stance, evidence.note) == (Stance.REFUTES, "New")
    assert history_rows(evidence) == rows + 1
    assert Evidence.history.filter(id=evidence.pk).latest("history_date").history_user == editor


def test_update_with_the_stored_values_writes_nothing():
    evidence = EvidenceFactory(stance=Stance.SUPPORTS, note="Line one\nLine two", excerpt="")
    rows = history_rows(evidence)
    assert evidence_update(evidence=evidence, stance=Stance.SUPPORTS,
                           note=" Line one\r\nLine two ", excerpt="") == []
    assert history_rows(evidence) == rows


def test_a_note_without_a_source_keeps_its_note():
    note = evidence_add(claim=ClaimFactory(), stance=Stance.CONTEXT, note="Asked the ministry.")
    with pytest.raises(ValidationError) as refused:
        evidence_update(evidence=note, stance=Stance.CONTEXT, note="", excerpt="")
    assert "note" in refused.value.message_dict
    assert Evidence.objects.get(pk=note.pk).note == "Asked the ministry."


def test_evidence_a_submitted_verdict_rests_on_changes_only_once_it_is_sent_back():
    users = make_roles()
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    evidence = verdict.evidence.get()
    with pytest.raises(ClaimUnderReview, match="send the verdict back"):
        evidence_update(evidence=evidence, stance=Stance.SUPPORTS, note="Changed",
                        excerpt=evidence.excerpt, user=users["other_editor"])
    assert Evidence.objects.get(pk=evidence.pk).stance == evidence.stance
    # Sent back, it changes.
    verdict.state = VerdictState.CHANGES_REQUESTED
    verdict.save(update_fields=["state"])
    assert evidence_update(evidence=evidence, stance=Stance.SUPPORTS, note="Changed",
                           excerpt=evidence.excerpt, user=users["other_editor"]) == [
        "stance", "note"]


def test_evidence_a_published_verdict_cites_changes_only_through_a_correction():
    users = make_roles()
    evidence = published_fact_check(users)["evidence"]
    with pytest.raises(PublishedClaimFrozen, match="Start a correction"):
        evidence_update(evidence=evidence, stance=Stance.SUPPORTS, note="Changed",
                        excerpt="", user=users["other_editor"])
    # Sent back unchanged, it is not a change: nothing to refuse.
    assert evidence_update(evidence=evidence, stance=evidence.stance, note=evidence.note,
                           excerpt=evidence.excerpt) == []
