"""The two-person rule rests on who wrote each verdict version (Verdict.author and the
VerdictEditor rows the services write), never on the words of the history's change reasons:
rewording or losing those reasons changes nobody's right to review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from claims.choices import VerdictState
from claims.models import Verdict, VerdictEditor
from claims.permissions import review_actions, verdict_actions
from claims.selectors.changes import reader_changes
from claims.services import verdicts as verdict_services
from claims.services.verdicts import (
    verdict_approve,
    verdict_correct,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import ClaimFactory, default_rating
from tests.verdict_setup import make_roles, make_verdict

pytestmark = pytest.mark.django_db


def draft(claim, user, verdict=None, summary="It rose."):
    return verdict_save_draft(
        claim=claim, user=user, lock_version=verdict.lock_version if verdict else None,
        rating=default_rating(), summary=summary, rationale="The 2011 figures.",
    )


def test_the_services_record_each_writer_once():
    users = make_roles()
    claim = ClaimFactory()
    verdict = draft(claim, users["editor_author"])
    verdict = draft(claim, users["reviewer"], verdict, summary="It rose by 3%.")
    verdict = draft(claim, users["reviewer"], verdict, summary="It rose by 3 per cent.")
    assert sorted(VerdictEditor.objects.filter(verdict=verdict)
                  .values_list("user__username", flat=True)) == ["erin", "robin"]
    verdict_submit(verdict=verdict, user=users["editor_author"])
    verdict_request_changes(verdict=verdict, user=users["senior"], comment="Cite it.")
    # Transitions write no text: the senior reviewer is not among the writers.
    assert not VerdictEditor.objects.filter(verdict=verdict, user=users["senior"]).exists()


def test_a_correction_records_its_writer_on_the_new_version():
    users = make_roles()
    published = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                             approver=users["reviewer"])
    new = verdict_correct(verdict=published, user=users["other_editor"],
                          correction_note="The year was wrong.")
    assert list(VerdictEditor.objects.filter(verdict=new).values_list("user", flat=True)) == [
        users["other_editor"].pk]


def test_rewording_the_history_reasons_changes_no_ones_right_to_review(monkeypatch):
    users = make_roles()
    claim = ClaimFactory()
    verdict = draft(claim, users["editor_author"])
    verdict = draft(claim, users["reviewer"], verdict, summary="It rose by 3%.")
    verdict = verdict_submit(verdict=verdict, user=users["editor_author"])
    # Every reason reworded, those already stored and those to come.
    Verdict.history.update(history_change_reason="Reworded")
    for name in ("REASON_EDIT", "REASON_CREATE", "REASON_SEND_BACK", "REASON_CORRECT"):
        monkeypatch.setattr(verdict_services, name, f"Reworded {name}")

    reviewer = users["reviewer"]
    assert verdict_actions(verdict, reviewer)["own_review"]
    assert review_actions([verdict], reviewer)[verdict.pk]["review"] is False
    with pytest.raises(PermissionDenied, match="you edited this verdict"):
        verdict_approve(verdict=verdict, user=reviewer)
    with pytest.raises(PermissionDenied, match="you edited this verdict"):
        verdict_request_changes(verdict=verdict, user=reviewer, comment="Cite it.")
    assert review_actions([verdict], users["senior"])[verdict.pk]["review"] is True

    # The review queue still finds the version that was sent back, by its state.
    verdict_request_changes(verdict=verdict, user=users["senior"], comment="Cite it.")
    verdict = draft(claim, users["editor_author"], Verdict.objects.get(pk=verdict.pk),
                    summary="It rose by 3 per cent in 2011.")
    verdict = verdict_submit(verdict=verdict, user=users["editor_author"])
    item = reader_changes([verdict])[verdict.pk]
    assert item.compared_with.startswith("the version Sam Senior sent back on ")
    assert "2011" in item.field("Summary").diff
    verdict_approve(verdict=verdict, user=users["senior"])
