"""The verdict workflow's services: the whole transition matrix (role x transition x state),
the two-person rule, publish preconditions, corrections and concurrency."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError

from claims.choices import ClaimStatus, VerdictState
from claims.models import Verdict
from claims.services.claims import claim_set_status
from claims.services.verdicts import (
    REASON_CREATE,
    REASON_OVERRIDE,
    VerdictConflict,
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import ClaimFactory, EvidenceFactory, default_rating
from tests.verdict_setup import ROLES, STATES, captured_source_evidence, make_roles, make_verdict

pytestmark = pytest.mark.django_db

D, S, C, A, P = (VerdictState.DRAFT, VerdictState.SUBMITTED, VerdictState.CHANGES_REQUESTED,
                 VerdictState.APPROVED, VerdictState.PUBLISHED)
EDITORS_ONLY = {"editor_author", "other_editor"}


def do_save(verdict, user):
    return verdict_save_draft(
        claim=verdict.claim, user=user, lock_version=verdict.lock_version,
        rating=default_rating("mostly-false"), summary="Revised summary",
        rationale="Revised *rationale*.",
    )


TRANSITIONS = {
    "save_draft": do_save,
    "submit": lambda v, u: verdict_submit(verdict=v, user=u),
    "request_changes": lambda v, u: verdict_request_changes(
        verdict=v, user=u, comment="The 2011 figure is wrong."),
    "approve": lambda v, u: verdict_approve(verdict=v, user=u),
    "publish": lambda v, u: verdict_publish(verdict=v, user=u),
    "correct": lambda v, u: verdict_correct(
        verdict=v, user=u, correction_note="The date of the figure was wrong."),
}

# The rules, written out as the specification the services must meet.
# 1. Who holds the permission (else PermissionDenied naming the role).
NEEDS_REVIEWER = {"request_changes", "approve", "publish"}
# 2. Which states a transition starts from (else ValidationError naming the state).
FROM_STATES = {
    "save_draft": {D, C}, "submit": {D, C}, "request_changes": {S, A}, "approve": {S},
    "publish": {A}, "correct": {P},
}
# 3. Who among the permitted may act (else PermissionDenied in words).
ONLY_AUTHOR = {"submit"}
NOT_AUTHOR = {"request_changes", "approve"}
# What a permitted transition leads to: (verdict state, claim status).
RESULT = {
    "save_draft": (None, None),  # state unchanged
    "submit": (S, ClaimStatus.IN_REVIEW),
    "request_changes": (C, ClaimStatus.RESEARCHING),  # also withdraws an approval
    "approve": (A, None),
    "publish": (P, ClaimStatus.PUBLISHED),
    "correct": (S, ClaimStatus.IN_REVIEW),  # of the new version
}


def expected(transition: str, state: str, role: str):
    """None if allowed, else (exception class, words the message must contain)."""
    is_author = role in ("editor_author", "reviewer_author")
    if transition in NEEDS_REVIEWER and role in EDITORS_ONLY:
        return PermissionDenied, "needs the Reviewers role"
    if state not in FROM_STATES[transition]:
        return ValidationError, f"this verdict is {VerdictState(state).label.lower()}"
    if transition in ONLY_AUTHOR and not is_author:
        return PermissionDenied, "Only the author of this verdict"
    if transition in NOT_AUTHOR and is_author:
        return PermissionDenied, "you wrote this verdict"
    return None


MATRIX = [(t, s, r) for t in TRANSITIONS for s in STATES for r in ROLES]


@pytest.mark.parametrize(("transition", "state", "role"), MATRIX,
                         ids=[f"{t}-{s}-{r}" for t, s, r in MATRIX])
def test_transition_matrix(transition, state, role):
    users = make_roles()
    author = users["reviewer_author"] if role == "reviewer_author" else users["editor_author"]
    verdict = make_verdict(state, author=author, approver=users["senior"])
    claim_status_before = verdict.claim.status
    outcome = expected(transition, state, role)
    if outcome is None:
        result = TRANSITIONS[transition](verdict, users[role])
        new_state, claim_status = RESULT[transition]
        result.refresh_from_db()
        assert result.state == (new_state or state)
        result.claim.refresh_from_db()
        assert result.claim.status == (claim_status or claim_status_before)
        # Who and when are recorded.
        last = result.history.first()
        assert last.history_user == users[role]
    else:
        exc_class, words = outcome
        lock_before = verdict.lock_version
        with pytest.raises(exc_class) as info:
            TRANSITIONS[transition](verdict, users[role])
        message = " ".join(info.value.messages) if exc_class is ValidationError \
            else str(info.value)
        assert words in message
        verdict.refresh_from_db()
        assert verdict.state == state and verdict.lock_version == lock_before  # nothing written
        assert Verdict.objects.filter(claim=verdict.claim).count() == 1


def test_matrix_covers_every_role_transition_and_state():
    assert len(MATRIX) == 5 * 6 * 5
    allowed = [m for m in MATRIX if expected(*m) is None]
    # Sanity: each transition is allowed for someone in some state.
    assert {t for t, _, _ in allowed} == set(TRANSITIONS)


# --- Two-person rule ---------------------------------------------------------------------


def test_nobody_but_superusers_holds_the_override_permission():
    perm = Permission.objects.get(codename="override_two_person_rule")
    assert not perm.group_set.exists()
    assert not Group.objects.filter(permissions__codename="override_two_person_rule").exists()
    users = make_roles()
    assert [r for r in ROLES if users[r].has_perm("claims.override_two_person_rule")] == ["admin"]


def test_admin_approving_own_verdict_must_give_a_reason_which_is_recorded():
    users = make_roles()
    verdict = make_verdict(S, author=users["admin"])
    with pytest.raises(ValidationError) as info:
        verdict_approve(verdict=verdict, user=users["admin"])
    assert "give the reason for overriding the two-person rule" in " ".join(info.value.messages)
    verdict_approve(verdict=verdict, user=users["admin"],
                             override_reason="Only editor on duty on election night.")
    verdict.refresh_from_db()
    assert verdict.state == A and verdict.reviewer == users["admin"] == verdict.author
    assert verdict.override_reason == "Only editor on duty on election night."
    assert verdict.history.first().history_change_reason == REASON_OVERRIDE


def test_a_reason_does_not_let_a_reviewer_without_the_permission_approve_their_own():
    users = make_roles()
    verdict = make_verdict(S, author=users["reviewer_author"])
    with pytest.raises(PermissionDenied, match="two-person rule"):
        verdict_approve(verdict=verdict, user=users["reviewer_author"],
                                 override_reason="Please")


def test_reviewer_who_edited_a_verdict_cannot_approve_it():
    users = make_roles()
    verdict = make_verdict(D, author=users["editor_author"])
    verdict = do_save(verdict, users["reviewer"])  # the reviewer rewrote part of it
    verdict_submit(verdict=verdict, user=users["editor_author"])
    with pytest.raises(PermissionDenied, match="you edited this verdict"):
        verdict_approve(verdict=verdict, user=users["reviewer"])
    verdict_approve(verdict=verdict, user=users["senior"])
    verdict.refresh_from_db()
    assert verdict.reviewer == users["senior"] and verdict.override_reason == ""


def test_an_inactive_reviewer_is_refused():
    users = make_roles()
    users["reviewer"].is_active = False
    users["reviewer"].save()
    verdict = make_verdict(S, author=users["editor_author"])
    with pytest.raises(PermissionDenied):
        verdict_approve(verdict=verdict, user=users["reviewer"])


def test_request_changes_needs_a_comment():
    users = make_roles()
    verdict = make_verdict(S, author=users["editor_author"])
    with pytest.raises(ValidationError) as info:
        verdict_request_changes(verdict=verdict, user=users["reviewer"], comment="  ")
    assert "Say what needs to change" in str(info.value.message_dict["comment"])


# --- Drafting and submitting --------------------------------------------------------------


def test_first_draft_creates_version_one_and_moves_a_new_claim_to_researching():
    users = make_roles()
    claim = ClaimFactory()
    evidence = captured_source_evidence(claim)
    verdict = verdict_save_draft(
        claim=claim, user=users["editor_author"], lock_version=None, rating=None,
        summary="", rationale="",
    )
    assert (verdict.version, verdict.state, verdict.author) == (1, D, users["editor_author"])
    assert list(verdict.evidence.all()) == [evidence]  # rests on the claim's evidence
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESEARCHING
    assert verdict.history.first().history_change_reason == REASON_CREATE


def test_submit_refuses_an_incomplete_verdict_in_words():
    users = make_roles()
    verdict = make_verdict(D, author=users["editor_author"], rating=None, summary="")
    with pytest.raises(ValidationError) as info:
        verdict_submit(verdict=verdict, user=users["editor_author"])
    assert info.value.messages == [
        "Before review the verdict needs a rating and a one-line summary."
    ]


def test_drafting_on_a_not_checkable_claim_is_refused():
    users = make_roles()
    claim = ClaimFactory(status=ClaimStatus.NOT_CHECKABLE, not_checkable_reason="Opinion")
    with pytest.raises(ValidationError, match="not checkable"):
        verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                    rating=None, summary="x", rationale="")


def test_evidence_from_another_claim_is_refused():
    users = make_roles()
    verdict = make_verdict(D, author=users["editor_author"])
    stray = EvidenceFactory()
    with pytest.raises(ValidationError) as info:
        verdict_save_draft(
            claim=verdict.claim, user=users["editor_author"], lock_version=verdict.lock_version,
            rating=None, summary="x", rationale="", evidence=[stray],
        )
    assert "its own claim" in str(info.value.message_dict["evidence"])


# --- Publish preconditions ----------------------------------------------------------------


def publish_refusal(verdict, user) -> str:
    with pytest.raises(ValidationError) as info:
        verdict_publish(verdict=verdict, user=user)
    verdict.refresh_from_db()
    assert verdict.state == A and verdict.published_at is None
    return " ".join(info.value.messages)


def test_publish_needs_a_cited_source_fetched_successfully():
    users = make_roles()
    verdict = make_verdict(A, author=users["editor_author"], approver=users["senior"],
                           evidence=False)
    message = publish_refusal(verdict, users["reviewer"])
    assert "none of the sources it cites has been fetched successfully" in message
    # A source whose only capture failed does not count.
    verdict.evidence.add(captured_source_evidence(verdict.claim, ok=False))
    assert "fetched successfully" in publish_refusal(verdict, users["reviewer"])
    # A note without a source does not count either.
    verdict.evidence.add(EvidenceFactory(claim=verdict.claim, source=None, note="Called them"))
    assert "fetched successfully" in publish_refusal(verdict, users["reviewer"])
    # Evidence on the claim that the verdict does not cite does not count.
    captured_source_evidence(verdict.claim)
    assert "fetched successfully" in publish_refusal(verdict, users["reviewer"])
    verdict.evidence.add(captured_source_evidence(verdict.claim))
    verdict_publish(verdict=verdict, user=users["reviewer"])
    verdict.refresh_from_db()
    assert verdict.state == P and verdict.published_at is not None


def test_publish_needs_a_rating_and_a_rationale():
    users = make_roles()
    verdict = make_verdict(A, author=users["editor_author"], approver=users["senior"],
                           rating=None, rationale="")
    message = publish_refusal(verdict, users["reviewer"])
    assert message == ("This verdict cannot be published yet: it has no rating; it has no "
                       "rationale.")


# --- Corrections ----------------------------------------------------------------------------


def test_correction_keeps_the_old_version_and_goes_back_through_review():
    users = make_roles()
    old = make_verdict(P, author=users["editor_author"], approver=users["senior"])
    cited = set(old.evidence.all())
    with pytest.raises(ValidationError):
        verdict_correct(verdict=old, user=users["other_editor"], correction_note=" ")
    new = verdict_correct(
        verdict=old, user=users["other_editor"], correction_note="The figure was for 2010.",
        rating=default_rating("half-true"), summary="Half right.",
    )
    old.refresh_from_db()
    assert (old.state, old.is_current, old.published_at is not None) == (P, False, True)
    assert old.rating.slug == "false" and old.summary == "The figure is wrong."  # untouched
    assert (new.version, new.state, new.is_current, new.supersedes) == (2, S, True, old)
    assert new.author == users["other_editor"] and new.rating.slug == "half-true"
    assert new.rationale == old.rationale and set(new.evidence.all()) == cited
    new.claim.refresh_from_db()
    assert new.claim.status == ClaimStatus.IN_REVIEW
    # The old version cannot be corrected twice, and the new one goes through review.
    with pytest.raises(ValidationError, match="already been corrected"):
        verdict_correct(verdict=old, user=users["other_editor"], correction_note="x")
    with pytest.raises(PermissionDenied):
        verdict_approve(verdict=new, user=users["other_editor"])
    verdict_approve(verdict=new, user=users["reviewer"])
    verdict_publish(verdict=new, user=users["reviewer"])
    new.refresh_from_db()
    assert new.state == P
    assert Verdict.objects.filter(claim=old.claim, state=P).count() == 2


# --- Concurrency ----------------------------------------------------------------------------


def test_second_save_from_the_same_version_is_a_conflict_carrying_both_versions():
    users = make_roles()
    verdict = make_verdict(D, author=users["editor_author"])
    seen = verdict.lock_version  # both editors opened the form at this version
    verdict_save_draft(
        claim=verdict.claim, user=users["editor_author"], lock_version=seen,
        rating=default_rating("false"), summary="Erin's summary", rationale="Erin's text",
    )
    with pytest.raises(VerdictConflict) as info:
        verdict_save_draft(
            claim=verdict.claim, user=users["other_editor"], lock_version=seen,
            rating=default_rating("true"), summary="Oscar's summary", rationale="Oscar's text",
        )
    conflict = info.value
    assert conflict.mine["summary"] == "Oscar's summary"
    assert conflict.mine["lock_version"] == seen
    assert conflict.theirs.summary == "Erin's summary"
    assert conflict.theirs.lock_version == seen + 1
    assert "Erin Editor saved this verdict" in conflict.messages[0]
    assert "Nothing was overwritten" in conflict.messages[0]
    verdict.refresh_from_db()
    assert verdict.summary == "Erin's summary"  # nothing overwritten
    # Saving again from the version they now have is a deliberate replacement.
    verdict_save_draft(
        claim=verdict.claim, user=users["other_editor"], lock_version=seen + 1,
        rating=default_rating("true"), summary="Oscar's summary", rationale="Oscar's text",
    )
    verdict.refresh_from_db()
    assert verdict.summary == "Oscar's summary"


def test_two_first_drafts_of_the_same_claim_conflict():
    users = make_roles()
    claim = ClaimFactory()
    verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                rating=None, summary="First", rationale="")
    with pytest.raises(VerdictConflict):
        verdict_save_draft(claim=claim, user=users["other_editor"], lock_version=None,
                                    rating=None, summary="Second", rationale="")
    assert Verdict.objects.get(claim=claim).summary == "First"


def test_sending_back_an_approved_verdict_withdraws_the_approval():
    users = make_roles()
    verdict = make_verdict(A, author=users["editor_author"], approver=users["senior"],
                           evidence=False)
    verdict_request_changes(verdict=verdict, user=users["senior"],
                                     comment="The only source failed to fetch; find another.")
    verdict.refresh_from_db()
    assert (verdict.state, verdict.approved_at) == (C, None)
    assert verdict.reviewer == users["senior"]
    verdict.claim.refresh_from_db()
    assert verdict.claim.status == ClaimStatus.RESEARCHING


def test_submitting_on_a_claim_set_aside_as_not_checkable_is_refused():
    users = make_roles()
    verdict = make_verdict(D, author=users["editor_author"])
    claim_set_status(claim=verdict.claim, status=ClaimStatus.NOT_CHECKABLE,
                              reason="Opinion", user=users["editor_author"])
    with pytest.raises(ValidationError, match="set aside as not checkable"):
        verdict_submit(verdict=verdict, user=users["editor_author"])
