"""The verdict workflow: draft, edit, submit, send back, approve, publish and correct.
Each step checks who may take it (claims/permissions.py) and the verdict's state, then
writes under a row lock, records who wrote the text (VerdictEditor, which the two-person
rule reads) and a history row whose reason tells the audit trail what happened. Refusals
are PermissionDenied or ValidationError with a message in words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims.choices import ClaimStatus, VerdictState
from claims.events import emit, verdict_data
from claims.models import (
    Claim,
    Claimant,
    Evidence,
    Rating,
    Verdict,
    VerdictEditor,
    WebhookEvent,
)
from claims.people import user_display
from claims.permissions import EDITABLE_STATES, has_permission, require
from claims.selectors.verdicts import verdict_publish_problems
from claims.services.claim_store import claim_save
from claims.services.factchecks import factcheck_from_verdict
from claims.services.notifications import notification_send, notification_send_reviewers
from claims.services.published import (
    claim_apply_changes,
    verdict_record_appearances,
    verdict_record_captures,
)
from claims.uploads import typed_text

# Change reasons stored on each history row, for the audit trail and the review queue's
# "what changed since it was sent back". No permission rule reads them.
REASON_EDIT = "Edited"
REASON_CREATE = "Drafted"
REASON_SUBMIT = "Submitted for review"
REASON_SEND_BACK = "Sent back for changes"
REASON_APPROVE = "Approved"
REASON_OVERRIDE = "Approved by its author (two-person rule overridden)"
REASON_PUBLISH = "Published"
REASON_CORRECT = "Correction submitted for review"
REASON_SUPERSEDED = "Superseded by a correction"


class VerdictConflict(ValidationError):
    """A save that started from an older version of the verdict than the one now stored.
    Carries both versions so the editor can compare them, and names who saved the stored
    one (`saved_by`, from its latest history row); nothing was written."""

    def __init__(self, *, mine: dict, theirs: Verdict | None, saved_by=None):
        self.mine = mine
        self.theirs = theirs
        if theirs is None:
            text = "The verdict you were editing no longer exists."
        else:
            saved = timezone.localtime(theirs.updated_at).strftime("%d %b %Y %H:%M")
            text = (
                f"{user_display(saved_by or theirs.author)} saved "
                f"this verdict (version {theirs.lock_version}) at {saved} while you were editing "
                f"version {mine.get('lock_version') or 'new'}. Nothing was overwritten: compare "
                "both versions and save again if yours should replace theirs."
            )
        super().__init__(text, code="conflict")


def _require_state(verdict: Verdict, allowed: tuple[str, ...], doing: str) -> None:
    if verdict.state in allowed:
        return
    labels = " or ".join(VerdictState(s).label.lower() for s in allowed)
    current = VerdictState(verdict.state).label.lower()
    hint = {
        VerdictState.PUBLISHED: " A published verdict changes only through a correction.",
        VerdictState.SUBMITTED: " It is waiting for a reviewer.",
        VerdictState.APPROVED: " It is approved and waiting to be published.",
    }.get(verdict.state, "")
    raise ValidationError(
        f"You cannot {doing}: this verdict is {current}, and only a verdict that is "
        f"{labels} can be.{hint}",
        code="state",
    )


def _locked(verdict: Verdict) -> Verdict:
    """Reload the row under a lock, so the state we check is the state we change. The
    claim's row is locked first, then the verdict's: every transition that touches both
    takes them in that order (claim_set_status and verdict_save_draft too), so two of them
    on one claim queue up instead of deadlocking or acting on a stale status."""
    list(Claim.objects.select_for_update().filter(pk=verdict.claim_id).values_list("pk"))
    return Verdict.objects.select_for_update().select_related("claim", "author").get(pk=verdict.pk)


def _check_lock_version(verdict: Verdict, lock_version: int | None) -> None:
    """Optimistic concurrency for a transition: `lock_version` is the version the caller
    acted on (the API sends it; the desk's buttons act on the page they show and send
    none). A verdict saved since is not acted on blindly: VerdictConflict says by whom."""
    if lock_version is None or int(lock_version) == verdict.lock_version:
        return
    last = verdict.history.select_related("history_user").first()
    raise VerdictConflict(mine={"lock_version": lock_version}, theirs=verdict,
                          saved_by=last.history_user if last else None)


def _save_verdict(verdict: Verdict, *, user, reason: str, fields: list[str] | None = None) -> None:
    verdict.lock_version += 1
    verdict._history_user = user
    verdict._change_reason = reason
    if fields is None:
        verdict.save()
    else:
        verdict.save(update_fields=[*fields, "lock_version", "updated_at"])


def _refuse_if_not_checkable(claim: Claim, done: str) -> None:
    """A claim set aside as not checkable carries no verdict: none is drafted, submitted or
    approved on it (one rule, one message, whichever step meets it)."""
    if claim.status == ClaimStatus.NOT_CHECKABLE:
        raise ValidationError(
            f"The claim is set aside as not checkable, so no verdict on it can be {done}: "
            "set the claim back to researching first.",
            code="not_checkable",
        )


def _record_writer(verdict: Verdict, user) -> None:
    """The user wrote some of this version's text, so may not review it (two-person rule)."""
    VerdictEditor.objects.bulk_create([VerdictEditor(verdict=verdict, user=user)],
                                      ignore_conflicts=True)


def _claim_follow_verdict(claim: Claim, *, status: str, user) -> None:
    # A claim's review statuses follow its verdict; editors cannot set them by hand
    # (claim_set_status), so the workflow is the only writer of these moves.
    if claim.status == status:
        return
    claim.status = status
    claim.not_checkable_reason = ""
    claim_save(claim, fields=["status", "not_checkable_reason"], user=user,
               reason=f"Verdict moved the claim to {ClaimStatus(status).label.lower()}")


def _check_evidence(claim: Claim, evidence: Iterable[Evidence]) -> list[Evidence]:
    evidence = list(evidence)
    strays = [e for e in evidence if e.claim_id != claim.pk]
    if strays:
        raise ValidationError(
            {"evidence": "A verdict can rest only on evidence logged for its own claim."}
        )
    return evidence


def _draft_unchanged(verdict: Verdict, mine: dict, evidence) -> bool:
    same_evidence = evidence is None or {e.pk for e in evidence} == set(
        verdict.evidence.values_list("pk", flat=True)
    )
    return (
        same_evidence
        and verdict.rating_id == (mine["rating"].pk if mine["rating"] else None)
        and typed_text(verdict.summary) == typed_text(mine["summary"])
        and typed_text(verdict.rationale) == typed_text(mine["rationale"])
    )


@transaction.atomic
def verdict_save_draft(
    *,
    claim: Claim,
    user,
    lock_version: int | None,
    rating: Rating | None,
    summary: str,
    rationale: str,
    evidence: Iterable[Evidence] | None = None,
) -> Verdict:
    """Create the claim's first verdict as a draft, or edit the current one while it is a
    draft or sent back for changes.

    Optimistic concurrency: `lock_version` is the version the editor started from (None for
    a new verdict). If the stored verdict moved on since, nothing is written and
    VerdictConflict carries both versions. Editors may edit each other's drafts; every edit
    is recorded with its author, and whoever edited a verdict cannot approve it."""
    mine = {"lock_version": lock_version, "rating": rating, "summary": typed_text(summary),
            "rationale": typed_text(rationale)}
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    current = Verdict.objects.select_for_update().filter(claim=claim, is_current=True).first()
    if current is None:
        require(user, "draft")
        if lock_version:
            # The verdict the editor had open is gone (deleted by an admin): say so.
            raise VerdictConflict(mine=mine, theirs=None)
        _refuse_if_not_checkable(claim, "drafted")
        last = Verdict.objects.filter(claim=claim).order_by("-version").first()
        verdict = Verdict(claim=claim, author=user, version=(last.version + 1) if last else 1)
        verdict.lock_version = 0  # becomes 1 on the first save
        reason = REASON_CREATE
    else:
        require(user, "edit")
        if lock_version is None or int(lock_version) != current.lock_version:
            last = current.history.select_related("history_user").first()
            raise VerdictConflict(mine=mine, theirs=current,
                                  saved_by=last.history_user if last else None)
        _require_state(current, EDITABLE_STATES, "edit this verdict")
        if _draft_unchanged(current, mine, evidence):
            return current  # sent back as it was shown: no new version, no history row
        verdict = current
        reason = REASON_EDIT
    verdict.rating = rating
    verdict.summary = mine["summary"]
    verdict.rationale = mine["rationale"]
    verdict.full_clean(exclude=["author", "claim"], validate_constraints=False)
    if evidence is not None:
        evidence = _check_evidence(claim, evidence)
    elif verdict.pk is None:
        # A new verdict rests on all the claim's evidence until the editor narrows it.
        evidence = list(claim.evidence.all())
    _save_verdict(verdict, user=user, reason=reason)
    _record_writer(verdict, user)
    if evidence is not None:
        verdict.evidence.set(evidence)
    if claim.status == ClaimStatus.NEW:
        _claim_follow_verdict(claim, status=ClaimStatus.RESEARCHING, user=user)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user, lock_version: int | None = None) -> Verdict:
    """The author sends a draft (or a verdict sent back for changes) to review. It needs a
    rating, a summary and a rationale, so a reviewer never reviews an empty verdict. The
    claim moves to in review."""
    require(user, "submit")
    verdict = _locked(verdict)
    _check_lock_version(verdict, lock_version)
    _require_state(verdict, EDITABLE_STATES, "submit this verdict for review")
    require(user, "submit", verdict)
    _refuse_if_not_checkable(verdict.claim, "submitted")
    missing = [name for name, value in (("a rating", verdict.rating_id),
                                        ("a one-line summary", verdict.summary),
                                        ("a rationale", verdict.rationale)) if not value]
    if missing:
        raise ValidationError(
            "Before review the verdict needs " + ", ".join(missing[:-1])
            + (" and " if len(missing) > 1 else "") + missing[-1] + "."
        )
    verdict.state = VerdictState.SUBMITTED
    verdict.submitted_at = timezone.now()
    _save_verdict(verdict, user=user, reason=REASON_SUBMIT, fields=["state", "submitted_at"])
    _claim_follow_verdict(verdict.claim, status=ClaimStatus.IN_REVIEW, user=user)
    notification_send_reviewers(verdict=verdict, actor=user)
    emit(WebhookEvent.VERDICT_SUBMITTED, lambda: verdict_data(verdict))
    return verdict


@transaction.atomic
def verdict_request_changes(
    *, verdict: Verdict, user, comment: str, lock_version: int | None = None
) -> Verdict:
    """A reviewer (not the author) sends a submitted verdict back with a comment saying what
    must change. An approved verdict can be sent back too (say its only source could not be
    fetched and it cannot be published): the approval is withdrawn. The claim goes back to
    researching and the author is notified."""
    require(user, "send_back")
    verdict = _locked(verdict)
    _check_lock_version(verdict, lock_version)
    _require_state(verdict, (VerdictState.SUBMITTED, VerdictState.APPROVED),
                   "send this verdict back for changes")
    require(user, "send_back", verdict)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what needs to change before sending it back."})
    verdict.state = VerdictState.CHANGES_REQUESTED
    verdict.reviewer = user
    verdict.review_comment = comment
    verdict.approved_at = None
    verdict.override_reason = ""
    _save_verdict(verdict, user=user, reason=REASON_SEND_BACK,
                  fields=["state", "reviewer", "review_comment", "approved_at",
                          "override_reason"])
    _claim_follow_verdict(verdict.claim, status=ClaimStatus.RESEARCHING, user=user)
    notification_send(
        recipient=verdict.author, actor=user, verb="sent_back", verdict=verdict,
        message=f"{user_display(user)} sent back your verdict on “{verdict.claim.statement}”: "
        f"{comment}",
    )
    return verdict


@transaction.atomic
def verdict_approve(
    *, verdict: Verdict, user, override_reason: str = "", lock_version: int | None = None
) -> Verdict:
    """A reviewer approves a submitted verdict. Two-person rule: the approver is never the
    author (nor anyone who edited it). An admin holding override_two_person_rule may approve
    their own verdict, and must record why."""
    require(user, "approve")
    verdict = _locked(verdict)
    _check_lock_version(verdict, lock_version)
    _require_state(verdict, (VerdictState.SUBMITTED,), "approve this verdict")
    _refuse_if_not_checkable(verdict.claim, "approved")
    override_reason = override_reason.strip()
    reason = REASON_APPROVE
    try:
        require(user, "approve", verdict)  # the role passed above: only the two-person rule
        override_reason = ""  # nothing to override
    except PermissionDenied:
        if not has_permission(user, "override_two_person_rule"):
            raise
        if not override_reason:
            raise ValidationError(
                {"override_reason": "You are approving your own verdict: give the reason for "
                 "overriding the two-person rule; it is recorded."}
            ) from None
        reason = REASON_OVERRIDE
    verdict.state = VerdictState.APPROVED
    verdict.reviewer = user
    verdict.approved_at = timezone.now()
    verdict.override_reason = override_reason
    _save_verdict(verdict, user=user, reason=reason,
                  fields=["state", "reviewer", "approved_at", "override_reason"])
    verdict_record_appearances(verdict=verdict)
    # What the reviewer saw of each cited source when approving: readers see these captures.
    verdict_record_captures(verdict=verdict)
    notification_send(
        recipient=verdict.author, actor=user, verb="approved", verdict=verdict,
        message=f"{user_display(user)} approved your verdict on “{verdict.claim.statement}”.",
    )
    return verdict


@transaction.atomic
def verdict_publish(*, verdict: Verdict, user, lock_version: int | None = None) -> Verdict:
    """Publish an approved verdict: it needs a rating, a rationale and at least one cited
    source with a successful capture. Sets published_at; the claim becomes published."""
    require(user, "publish")
    verdict = _locked(verdict)
    _check_lock_version(verdict, lock_version)
    _require_state(verdict, (VerdictState.APPROVED,), "publish this verdict")
    problems = verdict_publish_problems(verdict)
    if problems:
        raise ValidationError("This verdict cannot be published yet: " + "; ".join(problems) + ".")
    verdict.state = VerdictState.PUBLISHED
    verdict.published_at = timezone.now()
    _save_verdict(verdict, user=user, reason=REASON_PUBLISH, fields=["state", "published_at"])
    # The captures recorded at approval stay; a source first stored since gets that copy.
    verdict_record_captures(verdict=verdict, keep_recorded=True)
    claim_apply_changes(verdict.claim, verdict.claim_changes, user=user,
                         reason=f"Corrected (verdict version {verdict.version})")
    _claim_follow_verdict(verdict.claim, status=ClaimStatus.PUBLISHED, user=user)
    message = f"{user_display(user)} published the verdict on “{verdict.claim.statement}”."
    for recipient in {verdict.author, verdict.reviewer} - {None}:
        notification_send(
            recipient=recipient, actor=user, verb="published", verdict=verdict, message=message
        )
    # The desk's own fact-checks are matched like everyone else's: keep its record in step.
    factcheck_from_verdict(verdict)
    emit(WebhookEvent.VERDICT_PUBLISHED, lambda: verdict_data(verdict))
    return verdict


@transaction.atomic
def verdict_correct(
    *,
    verdict: Verdict,
    user,
    correction_note: str,
    rating: Rating | None = None,
    summary: str | None = None,
    rationale: str | None = None,
    evidence: Iterable[Evidence] | None = None,
    claim_changes: dict | None = None,
    lock_version: int | None = None,
) -> Verdict:
    """Correct a published verdict: never a silent edit. A new version is created with the
    corrected text and a correction note, and submitted for review; the published version
    stays (is_current=False) and stays visible to readers until the correction is
    published, then as the earlier version. The claim goes back to in review.

    `claim_changes` (from claim_reader_changes: statement, claimant_id, claimed_on) is
    what the correction changes on the claim itself: held on the new version while it is
    reviewed and written to the claim only when the correction is published."""
    require(user, "correct")
    old = _locked(verdict)
    _check_lock_version(old, lock_version)
    _require_state(old, (VerdictState.PUBLISHED,), "correct this verdict")
    if not old.is_current:
        raise ValidationError(
            "This version has already been corrected; correct the latest version instead."
        )
    correction_note = correction_note.strip()
    if not correction_note:
        raise ValidationError(
            {"correction_note": "Say what was wrong and what changed: readers see this note."}
        )
    old.is_current = False
    _save_verdict(old, user=user, reason=REASON_SUPERSEDED, fields=["is_current"])
    new = Verdict(
        claim=old.claim,
        version=old.version + 1,
        supersedes=old,
        is_current=True,
        rating=rating if rating is not None else old.rating,
        summary=(summary if summary is not None else old.summary).strip(),
        rationale=(rationale if rationale is not None else old.rationale).strip(),
        author=user,
        state=VerdictState.SUBMITTED,
        submitted_at=timezone.now(),
        correction_note=correction_note,
        claim_changes=_checked_claim_changes(claim_changes or {}),
        lock_version=0,
    )
    new.full_clean(exclude=["author", "claim", "supersedes"], validate_constraints=False)
    if not (new.rating_id and new.summary and new.rationale):
        raise ValidationError("A correction needs a rating, a one-line summary and a rationale.")
    _save_verdict(new, user=user, reason=REASON_CORRECT)
    _record_writer(new, user)
    new.evidence.set(
        _check_evidence(old.claim, evidence) if evidence is not None else old.evidence.all()
    )
    _claim_follow_verdict(old.claim, status=ClaimStatus.IN_REVIEW, user=user)
    notification_send_reviewers(verdict=new, actor=user)
    emit(WebhookEvent.VERDICT_CORRECTED, lambda: verdict_data(new))
    return new


def _checked_claim_changes(changes: dict) -> dict:
    unknown = set(changes) - {"statement", "claimant_id", "claimed_on"}
    if unknown:
        raise ValidationError(
            f"A correction cannot change the claim’s {', '.join(sorted(unknown))}."
        )
    if "statement" in changes and not str(changes["statement"]).strip():
        raise ValidationError({"statement": "The corrected statement cannot be empty."})
    if changes.get("claimant_id") is not None and not Claimant.objects.filter(
        pk=changes["claimant_id"]
    ).exists():
        raise ValidationError({"claimant": "That claimant is not on file."})
    if changes.get("claimed_on"):
        date.fromisoformat(changes["claimed_on"])
    return dict(changes)
