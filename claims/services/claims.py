"""Writes about claims (claimants are in services/claimants.py): logging a claim anchored
to its article's words, editing it (never what readers will see once its verdict is
submitted, outside a correction), assigning it, moving its status. Views, admin actions,
commands and tasks call these; each raises ValidationError with a message in words. Every
save of a claim on file goes through claim_save (claims/services/claim_store.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import (
    ValidationError,
)
from django.db import IntegrityError, transaction

from claims.anchoring import AnchorError, anchor_submitted
from claims.choices import ClaimStatus, VerdictState
from claims.events import claim_data, emit
from claims.models import (
    Article,
    Claim,
    Claimant,
    Tag,
    Verdict,
    WebhookEvent,
)
from claims.people import user_display
from claims.permissions import require_for
from claims.selectors.duplicates import DuplicateMatch, claim_duplicates
from claims.selectors.published import claim_has_published_verdict
from claims.services.claim_store import claim_language, claim_save, claim_take_stored
from claims.services.notifications import notification_send
from claims.services.published import (
    PublishedClaimFrozen,
    claim_reader_changes,
    claim_reader_edit_check,
    published_edit_record,
    reviewed_edit_check,
)


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = raw.strip().lower()[:60]
        if name:
            tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


KEY_LENGTH = Claim._meta.get_field("submission_key").max_length


class ClaimAlreadyLogged(ValidationError):
    """The form (or API request) that logged `claim` was sent again: nothing new was saved."""

    def __init__(self, claim: Claim):
        self.claim = claim
        super().__init__("This claim was already saved (you sent the form twice): here it is.",
                         code="already_logged")


class ClaimDuplicate(ValidationError):
    """The claim may already be logged: its words overlap a claim of the article, or its
    statement is near-identical to one on the desk. Nothing was saved; `matches` are the
    claims found, each with why. Logging it anyway is an explicit choice."""

    def __init__(self, matches: list[DuplicateMatch]):
        self.matches = matches
        named = "; ".join(f"#{m.claim.pk} “{m.claim.statement}” ({', '.join(m.reasons)})"
                          for m in matches)
        super().__init__(
            f"This claim may already be logged: {named}. Open it to work on it there, or "
            "save anyway as a separate claim.", code="duplicate")


@transaction.atomic
def claim_log(
    *,
    article: Article,
    quote: str,
    start: int | None,
    end: int | None,
    statement: str,
    user: User | None = None,
    claimant: Claimant | None = None,
    claimed_on: date | None = None,
    tags: Iterable[str] = (),
    assignee: User | None = None,
    submission_key: str | None = None,
    refuse_duplicates: bool = False,
) -> Claim:
    """Log a claim anchored to its exact words (anchoring.anchor_submitted: the span
    [start, end) when it holds the quote character for character, else the words found in
    the text). The quote stored is the article's own characters at the anchor.

    A claim is logged once per `submission_key` (the form's one-time key, an API request's
    Idempotency-Key) and person: sent again, it raises ClaimAlreadyLogged with the claim
    saved the first time. With `refuse_duplicates` (what a person logs by hand, until they
    choose to save anyway), a claim whose words overlap one of the article's claims, or
    whose statement is near-identical to a claim on the desk, is refused (ClaimDuplicate)."""
    require_for(user, "log_claim")
    submission_key = (submission_key or "").strip()
    if submission_key:
        if len(submission_key) > KEY_LENGTH or "\x00" in submission_key:
            raise ValidationError({"submission_key": "A submission key is at most "
                                                     f"{KEY_LENGTH} characters, none NUL."})
        claim_log_refuse_resend(submission_key=submission_key, user=user)
    try:
        anchor = anchor_submitted(article.body, quote, start, end)
    except AnchorError as exc:
        raise ValidationError({"quote": str(exc)}) from exc
    quote = article.body[anchor.start:anchor.end]
    if refuse_duplicates:
        matches = claim_duplicates(article=article, start=anchor.start, end=anchor.end,
                                   statement=statement.strip())
        if matches:
            raise ClaimDuplicate(matches)
    claim = Claim(
        article=article,
        claimant=claimant,
        statement=statement.strip(),
        quote=quote,
        anchor_start=anchor.start,
        anchor_end=anchor.end,
        anchor_prefix=anchor.prefix,
        anchor_suffix=anchor.suffix,
        claimed_on=claimed_on or article.published_on,
        assignee=assignee,
        created_by=user,
        submission_key=submission_key,
        language=claim_language(statement, quote, article_language=article.language),
    )
    # The key was looked up above; for two sends at once the database's constraint decides.
    claim.full_clean(exclude=["submission_key"])
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        if submission_key:  # the other send saved it first
            claim_log_refuse_resend(submission_key=submission_key, user=user)
        raise
    tag_objs = tags_from_names(tags)
    if tag_objs:
        claim.tags.set(tag_objs)
    emit(WebhookEvent.CLAIM_LOGGED, lambda: {"claim": claim_data(claim)})
    return claim


def claim_log_refuse_resend(*, submission_key: str | None, user: User | None) -> None:
    """Raise ClaimAlreadyLogged if this person already logged a claim with this key. A form
    asks before anything else, so a form the browser restored only in part still finds its
    claim."""
    submission_key = (submission_key or "").strip()
    if not submission_key or len(submission_key) > KEY_LENGTH or "\x00" in submission_key:
        return  # no claim was saved with such a key (and PostgreSQL refuses NUL in a query)
    saved = Claim.objects.filter(
        created_by=user if user is not None and user.pk else None,
        submission_key=submission_key,
    ).first()
    if saved is not None:
        raise ClaimAlreadyLogged(saved)


def claim_assign(*, claim: Claim, assignee: User | None, user: User | None = None) -> Claim:
    """Assign the claim (or nobody). Assigning the same person again writes nothing: a form
    sent back unchanged leaves no version bump and no history row. The claim is compared
    and saved as stored (under its row lock), whatever copy the caller holds."""
    require_for(user, "edit_claim")
    with transaction.atomic():
        stored = Claim.objects.select_for_update().get(pk=claim.pk)
        if stored.assignee_id == (assignee.pk if assignee else None):
            return claim_take_stored(claim, stored)
        claim.assignee = assignee
        claim_save(claim, fields=["assignee"], user=user,
                   reason=f"Assigned to {user_display(assignee)}" if assignee else "Unassigned")
    if assignee is not None:  # tell the new assignee (verdicts section)
        notification_send(
            recipient=assignee, actor=user, verb="assigned", claim=claim,
            message=f"{user_display(user)} assigned you the claim “{claim.statement}”.",
        )
    return claim


_ALLOWED_CLAIM_MOVES = {
    ClaimStatus.NEW: {ClaimStatus.RESEARCHING, ClaimStatus.NOT_CHECKABLE},
    ClaimStatus.RESEARCHING: {ClaimStatus.NEW, ClaimStatus.NOT_CHECKABLE},
    ClaimStatus.NOT_CHECKABLE: {ClaimStatus.NEW, ClaimStatus.RESEARCHING},
    ClaimStatus.IN_REVIEW: set(),
    ClaimStatus.PUBLISHED: set(),
}

# The statuses people set by hand (claim_set_status), in the order forms offer them; in
# review and published follow the claim's verdict. Forms, bulk actions and the API offer
# exactly these.
STATUSES_SET_BY_HAND = tuple(status for status, moves in _ALLOWED_CLAIM_MOVES.items() if moves)


def claim_set_status(
    *, claim: Claim, status: str, user: User | None = None, reason: str = "",
    version: int | None = None,
) -> Claim:
    """Editors move a claim between new, researching and not checkable (with a reason).
    In review and published follow the verdict; a published claim changes only through a
    correction. `version`, when given, is the claim's version the caller acted on: if the
    claim was saved since, nothing changes (ClaimEditConflict)."""
    require_for(user, "edit_claim")
    status = ClaimStatus(status)
    with transaction.atomic():
        # The claim row is locked before anything is read, as verdict_submit does: of a
        # verdict submitted and a "not checkable" at the same moment, one waits for the
        # other and then sees its result, so one of them is refused.
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if version is not None and locked.version != version:
            raise ClaimEditConflict(
                "Someone else saved this claim since you read it; its status was not changed.",
                current=locked,
            )
        _claim_set_status_locked(locked, status=status, reason=reason, user=user)
    for field in ("status", "not_checkable_reason", "version", "updated_at"):
        setattr(claim, field, getattr(locked, field))
    return claim


def _claim_set_status_locked(claim: Claim, *, status: ClaimStatus, reason: str, user) -> None:
    if status == claim.status:
        return
    if status == ClaimStatus.NOT_CHECKABLE:
        if claim_has_published_verdict(claim):
            raise PublishedClaimFrozen(
                "This claim has a published fact-check, so it cannot be set aside as not "
                "checkable. To withdraw or change what readers see, start a correction."
            )
        under_review = Verdict.objects.filter(
            claim=claim, is_current=True,
            state__in=[VerdictState.SUBMITTED, VerdictState.APPROVED],
        ).first()
        if under_review is not None:
            raise ValidationError(
                f"A verdict on this claim is {VerdictState(under_review.state).label.lower()}, "
                "so the claim cannot be set aside as not checkable: the verdict must be sent "
                "back first."
            )
    if status not in _ALLOWED_CLAIM_MOVES[ClaimStatus(claim.status)]:
        raise ValidationError(
            f"A claim that is {claim.get_status_display().lower()} cannot be set to "
            f"{status.label.lower()} by hand: "
            + (
                "its status follows its verdict."
                if claim.status in (ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED)
                or status in (ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED)
                else "that move is not allowed."
            )
        )
    if status == ClaimStatus.NOT_CHECKABLE and not reason.strip():
        raise ValidationError({"reason": "Say why the claim cannot be checked."})
    claim.status = status
    claim.not_checkable_reason = reason.strip() if status == ClaimStatus.NOT_CHECKABLE else ""
    claim_save(claim, fields=["status", "not_checkable_reason"], user=user,
               reason=f"Status set to {status.label.lower()}")


class ClaimEditConflict(ValidationError):
    """The claim changed since the editor opened the form: nothing was saved. `current` is
    the claim as it is now, so the page can show both versions side by side."""

    def __init__(self, message: str, *, current: Claim):
        super().__init__(message)
        self.current = current


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    version: int,
    statement: str,
    claimant: Claimant | None,
    claimed_on: date | None,
    tags: Iterable[str] = (),
    user: User | None = None,
) -> Claim:
    """Edit a claim's description. Optimistic concurrency: the edit carries the version
    the editor saw; if someone saved since, nothing is overwritten and the caller is told.
    Once the claim's verdict is submitted, its statement, claimant and date claimed are
    what the reviewer saw and readers will see: they do not change while the verdict waits
    for review or is approved, and once it is published they change only through a
    correction (claim_reader_edit_check). Tags, which readers never see, stay editable."""
    require_for(user, "edit_claim")
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if current.version != version:
        raise ClaimEditConflict(
            "Someone else saved this claim while you were editing it. Nothing of yours was "
            "saved over their changes: compare the two versions below and save again.",
            current=current,
        )
    reader_changes = claim_reader_changes(current, statement=statement, claimant=claimant,
                                          claimed_on=claimed_on)
    if reader_changes:
        labels = {"statement": "statement", "claimant_id": "claimant",
                  "claimed_on": "date claimed"}
        claim_reader_edit_check(current, " and ".join(labels[k] for k in reader_changes))
    statement = statement.strip()
    tag_names = {name.strip().lower()[:60] for name in tags if name.strip()}
    changed = [
        name
        for name, differs in (
            ("statement", current.statement != statement),
            ("claimant", current.claimant_id != (claimant.pk if claimant else None)),
            ("claimed_on", current.claimed_on != claimed_on),
            ("tags", set(current.tags.values_list("name", flat=True)) != tag_names),
        )
        if differs
    ]
    if not changed:
        # Only what the editor changed is written: a form sent back as it was shown leaves
        # the claim, its version and its history as they were.
        return current
    current.statement = statement
    current.claimant = claimant
    current.claimed_on = claimed_on
    current.full_clean()
    claim_save(current, fields=["statement", "claimant", "claimed_on"], user=user,
               reason="Edited")
    if "tags" in changed:
        current.tags.set(tags_from_names(tags))
    return current


# What the Django admin may change on a claim, and of those what readers see. The status
# is not among them: it follows the workflow (claim_set_status, the verdict services), as
# do the version, the anchor (set with the quote by claim_log) and who logged it.
CLAIM_ADMIN_FIELDS = ("article", "claimant", "statement", "quote", "claimed_on", "assignee",
                      "appearance_of")
CLAIM_READER_FIELDS = ("article", "claimant", "statement", "quote", "claimed_on",
                       "appearance_of")


def claim_admin_changes(claim: Claim, stored: Claim) -> list[str]:
    """The fields the Django admin may change on which `claim` (the admin form's values)
    differs from `stored`: compared with the stored row, not with the form's initial values,
    so a form built from an old history row (the admin's "revert") is seen for what it
    changes."""
    changed = []
    for name in CLAIM_ADMIN_FIELDS:
        attname = Claim._meta.get_field(name).attname
        if getattr(claim, attname) != getattr(stored, attname):
            changed.append(name)
    return changed


@transaction.atomic
def claim_admin_change(*, claim: Claim, user: User | None, reason: str = "",
                       tags_changed: bool = False) -> Claim:
    """Save a change made to a claim in the Django admin (`claim` carries the form's
    values), by the same rules as the desk: what readers will see does not change while
    the claim's verdict waits for review or is approved (ClaimUnderReview); on a published
    fact-check it changes only with the change_published_claim permission and a `reason`,
    recorded as a PublishedEdit and listed in the public corrections log. The status, the
    version and the anchor are never taken from the form. Saved by claim_save, so the
    version moves on and the desk's conflict check sees the change. A form that changes
    nothing writes nothing."""
    stored = Claim.objects.select_for_update().get(pk=claim.pk)
    fields = claim_admin_changes(claim, stored)
    if not fields and not tags_changed:
        return claim_take_stored(claim, stored)
    reader = [name for name in fields if name in CLAIM_READER_FIELDS]
    history_reason = "Changed in the admin"
    if reader:
        what = "claim’s " + ", ".join(
            str(Claim._meta.get_field(name).verbose_name) for name in reader)
        reviewed_edit_check(stored, what)
        if claim_has_published_verdict(stored):
            changes = {name: {"before": str(getattr(stored, name)),
                              "after": str(getattr(claim, name))} for name in reader}
            reason = published_edit_record(claims=[stored], user=user, reason=reason,
                                           record="claim", changes=changes)[0].reason
            history_reason = f"Changed outside a correction: {reason}"
    return claim_save(claim, fields=fields, user=user, reason=history_reason)
