"""Writes with business rules. Views, forms, admin actions, commands and tasks call these;
they hold no rules of their own. Each raises ValidationError with a message in words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from claims.anchoring import AnchorError, anchor_at
from claims.choices import ArticleStatus, ClaimStatus
from claims.models import Article, Claim, Claimant, Tag
from claims.people import user_display

User = AbstractBaseUser


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Articles ---------------------------------------------------------------------------


def article_create(
    *,
    title: str,
    body: str,
    user: User | None = None,
    url: str = "",
    outlet: str = "",
    author: str = "",
    published_on: date | None = None,
    language: str = "",
    status: str = ArticleStatus.READY,
    is_internal: bool = False,
) -> Article:
    """Create an article from text the desk already has (pasted, uploaded or imported).
    An internal article (a memo, a tip) is never named to readers."""
    article = Article(
        title=title.strip(),
        body=body,
        body_sha256=text_sha256(body) if body else "",
        url=url,
        outlet=outlet.strip(),
        author=author.strip(),
        published_on=published_on,
        language=language,
        status=status,
        is_internal=is_internal,
        created_by=user,
    )
    article.full_clean()
    article.save()
    from claims.assist.services import suggestions_enqueue  # claims/assist: check-worthy sentences

    suggestions_enqueue(article=article)
    return article


# --- Claimants --------------------------------------------------------------------------


def claimant_get_or_create(*, name: str, role: str = "", organisation: str = "") -> Claimant:
    """One claimant per name and organisation, whatever the letter case."""
    name, role, organisation = name.strip(), role.strip(), organisation.strip()
    if not name:
        raise ValidationError({"name": "Give the claimant's name."})
    existing = (
        Claimant.objects.annotate(lname=Lower("name"), lorg=Lower("organisation"))
        .filter(lname=name.lower(), lorg=organisation.lower())
        .first()
    )
    if existing:
        if role and not existing.role:
            existing.role = role
            existing.save(update_fields=["role", "updated_at"])
        return existing
    claimant = Claimant(name=name, role=role, organisation=organisation)
    claimant.full_clean(validate_constraints=False)
    claimant.save()
    return claimant


# --- Claims -----------------------------------------------------------------------------


def claimant_by_name(name: str) -> Claimant:
    """The claimant an editor means by a name typed without picking a suggestion: the one on
    file with that name (whatever the letter case or organisation), or a new one. Several on
    file with that name is an error that asks for a choice, never a guess."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the claimant's name."})
    matches = list(
        Claimant.objects.annotate(lname=Lower("name")).filter(lname=name.lower()).order_by("id")[:2]
    )
    if len(matches) > 1:
        raise ValidationError({"name": f"Several claimants on file are called “{name}”: "
                                       "choose one from the suggestions as you type."})
    return matches[0] if matches else claimant_get_or_create(name=name)


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = raw.strip().lower()[:60]
        if name:
            tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


@transaction.atomic
def claim_log(
    *,
    article: Article,
    quote: str,
    start: int,
    end: int,
    statement: str,
    user: User | None = None,
    claimant: Claimant | None = None,
    claimed_on: date | None = None,
    tags: Iterable[str] = (),
    assignee: User | None = None,
) -> Claim:
    """Log a claim anchored to its exact words: the span [start, end) of the article body
    must hold the quote, character for character."""
    try:
        anchor = anchor_at(article.body, start, end, quote)
    except AnchorError as exc:
        raise ValidationError({"quote": str(exc)}) from exc
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
    )
    claim.full_clean()
    claim.save()
    tag_objs = tags_from_names(tags)
    if tag_objs:
        claim.tags.set(tag_objs)
    return claim


def claim_assign(*, claim: Claim, assignee: User | None, user: User | None = None) -> Claim:
    """Assign the claim (or nobody). Assigning the same person again writes nothing: a form
    sent back unchanged leaves no version bump and no history row."""
    changed = claim.assignee_id != (assignee.pk if assignee else None)
    if not changed:
        return claim
    claim.assignee = assignee
    claim.version += 1
    claim.save(update_fields=["assignee", "version", "updated_at"])
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


def claim_set_status(
    *, claim: Claim, status: str, user: User | None = None, reason: str = ""
) -> Claim:
    """Editors move a claim between new, researching and not checkable (with a reason).
    In review and published follow the verdict; a published claim changes only through a
    correction."""
    status = ClaimStatus(status)
    with transaction.atomic():
        # The claim row is locked before anything is read, as verdict_submit does: of a
        # verdict submitted and a "not checkable" at the same moment, one waits for the
        # other and then sees its result, so one of them is refused.
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        _claim_set_status_locked(locked, status=status, reason=reason)
    for field in ("status", "not_checkable_reason", "version", "updated_at"):
        setattr(claim, field, getattr(locked, field))
    return claim


def _claim_set_status_locked(claim: Claim, *, status: ClaimStatus, reason: str) -> None:
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
    claim.version += 1
    claim.save(update_fields=["status", "not_checkable_reason", "version", "updated_at"])


# --- Verdicts ---------------------------------------------------------------------------
# The review workflow: draft -> submitted -> (changes requested -> submitted ...) ->
# approved -> published, and a correction adds a new version that goes through review again.
# Every transition checks the user's permission here on the server (the UI only hides what
# it offers), locks the verdict row so two reviewers cannot act on it at once, checks its
# state, and records who and when (the *_at fields, and django-simple-history with the
# acting user and a change reason). Refusals say why in words: PermissionDenied for "not
# you", ValidationError for "not now" or "not yet".

import logging  # noqa: E402

from django.conf import settings as _settings  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims.choices import CaptureStatus, VerdictState  # noqa: E402
from claims.models import Capture, Evidence, Notification, Rating, Verdict  # noqa: E402

logger = logging.getLogger(__name__)

# Change reasons stored on each history row, so the audit trail and the two-person rule
# can tell an edit from a transition.
REASON_EDIT = "Edited"
REASON_CREATE = "Drafted"
REASON_SUBMIT = "Submitted for review"
REASON_SEND_BACK = "Sent back for changes"
REASON_APPROVE = "Approved"
REASON_OVERRIDE = "Approved by its author (two-person rule overridden)"
REASON_PUBLISH = "Published"
REASON_CORRECT = "Correction submitted for review"
REASON_SUPERSEDED = "Superseded by a correction"

EDITABLE_STATES = (VerdictState.DRAFT, VerdictState.CHANGES_REQUESTED)

# --- What readers see is frozen ---------------------------------------------------------
# Once a claim has a published fact-check, everything a reader sees of it (statement,
# claimant, quote, date claimed, appearances, the evidence the verdict cites, rating and
# rationale) changes only through a correction: a new verdict version, reviewed under the
# two-person rule and listed in the public corrections log. Edits are refused, in words
# that point to "Start a correction"; the correction carries the claim's new wording
# (Verdict.claim_changes) and writes it when it is published.

START_A_CORRECTION = (
    "Use “Start a correction” on the claim page: the correction is reviewed by a second "
    "person and listed in the public corrections log."
)


class PublishedClaimFrozen(ValidationError):
    """An edit of something readers see on a published fact-check, outside a correction."""

    def __init__(self, message: str):
        super().__init__(message, code="published")


def claim_has_published_verdict(claim: Claim | int) -> bool:
    """Do readers see a fact-check of this claim (a published verdict, any version)?"""
    claim_id = claim if isinstance(claim, int) else claim.pk
    return Verdict.objects.filter(claim_id=claim_id, state=VerdictState.PUBLISHED).exists()


def _refuse_published_edit(claim: Claim, what: str) -> None:
    if claim_has_published_verdict(claim):
        raise PublishedClaimFrozen(
            f"This claim’s fact-check is published, and readers see its {what}: it changes "
            f"only through a correction. {START_A_CORRECTION}"
        )


def published_edit_check(*, user, reason: str, what: str) -> str:
    """May this user change `what` readers see of a published fact-check outside a
    correction (the Django admin)? Only with the change_published_claim permission and a
    reason, which is recorded (published_edit_record) and shown in the public corrections
    log. Returns the reason, stripped."""
    if user is None or not user.is_active or not user.has_perm("claims.change_published_claim"):
        raise PermissionDenied(
            f"Readers see the {what} on a published fact-check: it changes only through a "
            f"correction. {START_A_CORRECTION}"
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            f"Readers see the {what} on a published fact-check. Change it through a correction "
            "(“Start a correction” on the claim page), or give the reason for changing it here; "
            "the reason is recorded and listed in the public corrections log."
        )
    return reason


@transaction.atomic
def published_edit_record(*, claims: Iterable[Claim], user, reason: str, record: str,
                          changes: dict) -> list:
    """Record an override made with published_edit_check, once per published claim that
    shows the changed record."""
    from claims.models import PublishedEdit

    reason = published_edit_check(user=user, reason=reason, what=record)
    return [
        PublishedEdit.objects.create(claim=claim, user=user, reason=reason, record=record,
                                     changes=changes)
        for claim in claims
    ]


def claims_showing(obj) -> list[Claim]:
    """The claims whose published fact-check shows this claim, evidence, claimant or article
    (the records an override must be recorded against)."""
    from claims.models import VerdictAppearance

    published = Q(verdicts__state=VerdictState.PUBLISHED)
    if isinstance(obj, Claim):
        return [obj] if obj.pk and claim_has_published_verdict(obj) else []
    if isinstance(obj, Evidence):
        return [obj.claim] if evidence_is_published(obj) else []
    if isinstance(obj, Claimant):
        if obj.pk is None:
            return []
        return list(Claim.objects.filter(published, claimant=obj).distinct().order_by("id"))
    if isinstance(obj, Article):
        if obj.pk is None:
            return []
        shown_in = VerdictAppearance.objects.filter(
            article=obj, verdict__state=VerdictState.PUBLISHED).values("verdict__claim_id")
        return list(Claim.objects.filter((published & Q(article=obj)) | Q(pk__in=shown_in))
                    .distinct().order_by("id"))
    return []


def evidence_is_published(evidence: Evidence) -> bool:
    """Does a published verdict cite this evidence (so readers see its stance and note)?"""
    return evidence.pk is not None and evidence.verdicts.filter(
        state=VerdictState.PUBLISHED
    ).exists()


def claim_reader_changes(
    claim: Claim, *, statement: str, claimant: Claimant | None, claimed_on: date | None
) -> dict:
    """Of these values, the ones that differ from what the claim says now, as stored in
    Verdict.claim_changes (claimant by id, the date as ISO text)."""
    changes: dict = {}
    if statement.strip() != claim.statement:
        changes["statement"] = statement.strip()
    if (claimant.pk if claimant else None) != claim.claimant_id:
        changes["claimant_id"] = claimant.pk if claimant else None
    if claimed_on != claim.claimed_on:
        changes["claimed_on"] = claimed_on.isoformat() if claimed_on else None
    return changes


def _claim_apply_changes(claim: Claim, changes: dict, *, user, reason: str) -> None:
    """Write a published correction's claim changes (the only writer of these fields on a
    published claim)."""
    if not changes:
        return
    if "statement" in changes:
        claim.statement = changes["statement"]
    if "claimant_id" in changes:
        claim.claimant_id = changes["claimant_id"]
    if "claimed_on" in changes:
        claim.claimed_on = date.fromisoformat(changes["claimed_on"]) if changes["claimed_on"] \
            else None
    claim.version += 1
    claim.full_clean(exclude=["article", "claimant", "assignee", "appearance_of", "created_by"],
                     validate_constraints=False)
    claim._history_user = user
    claim._change_reason = reason
    claim.save(update_fields=["statement", "claimant", "claimed_on", "version", "updated_at"])


def claim_appearance_articles(claim: Claim) -> list[Article]:
    """The articles the claim appears in now, first appearance first (ClaimReview
    firstAppearance / appearance)."""
    from claims.exporters.claimreview import claim_appearances

    claim = Claim.objects.select_related("article", "appearance_of__article").get(pk=claim.pk)
    return claim_appearances(claim)


def verdict_record_appearances(*, verdict: Verdict) -> list[Article]:
    """Record, with the verdict version a reviewer approves, the appearances readers may
    see (internal articles are left out when read, so marking one internal later hides it).
    A link made afterwards stays on the desk until a correction is reviewed."""
    from claims.models import VerdictAppearance

    articles = claim_appearance_articles(verdict.claim)
    VerdictAppearance.objects.filter(verdict=verdict).delete()
    VerdictAppearance.objects.bulk_create(
        VerdictAppearance(verdict=verdict, article=article, position=i)
        for i, article in enumerate(articles)
    )
    return articles

# Which group grants each permission, so a refusal can say whom to ask.
_ROLE_FOR_PERMISSION = {
    "add_verdict": "Editors",
    "change_verdict": "Editors",
    "review_verdict": "Reviewers",
    "publish_verdict": "Reviewers",
    "override_two_person_rule": "admins",
}


class VerdictConflict(ValidationError):
    """A save that started from an older version of the verdict than the one now stored.
    Carries both versions so the editor can compare them; nothing was written."""

    def __init__(self, *, mine: dict, theirs: Verdict | None):
        self.mine = mine
        self.theirs = theirs
        if theirs is None:
            text = "The verdict you were editing no longer exists."
        else:
            saved = timezone.localtime(theirs.updated_at).strftime("%d %b %Y %H:%M")
            text = (
                f"{user_display(getattr(theirs, '_last_editor', None) or theirs.author)} saved "
                f"this verdict (version {theirs.lock_version}) at {saved} while you were editing "
                f"version {mine.get('lock_version') or 'new'}. Nothing was overwritten: compare "
                "both versions and save again if yours should replace theirs."
            )
        super().__init__(text, code="conflict")


def _require_permission(user, codename: str, doing: str) -> None:
    if user is None or not user.is_active or not user.has_perm(f"claims.{codename}"):
        role = _ROLE_FOR_PERMISSION.get(codename, "right")
        raise PermissionDenied(
            f"You cannot {doing}: that needs the {role} role, which your account does not have."
        )


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


def _save_verdict(verdict: Verdict, *, user, reason: str, fields: list[str] | None = None) -> None:
    verdict.lock_version += 1
    verdict._history_user = user
    verdict._change_reason = reason
    if fields is None:
        verdict.save()
    else:
        verdict.save(update_fields=[*fields, "lock_version", "updated_at"])


def _claim_follow_verdict(claim: Claim, *, status: str, user) -> None:
    # A claim's review statuses follow its verdict; editors cannot set them by hand
    # (claim_set_status), so the workflow is the only writer of these moves.
    if claim.status == status:
        return
    claim.status = status
    claim.not_checkable_reason = ""
    claim.version += 1
    claim._history_user = user
    claim._change_reason = f"Verdict moved the claim to {ClaimStatus(status).label.lower()}"
    claim.save(update_fields=["status", "not_checkable_reason", "version", "updated_at"])


def _verdict_values(verdict: Verdict) -> dict:
    return {
        "lock_version": verdict.lock_version,
        "rating": verdict.rating,
        "summary": verdict.summary,
        "rationale": verdict.rationale,
    }


def _check_evidence(claim: Claim, evidence: Iterable[Evidence]) -> list[Evidence]:
    evidence = list(evidence)
    strays = [e for e in evidence if e.claim_id != claim.pk]
    if strays:
        raise ValidationError(
            {"evidence": "A verdict can rest only on evidence logged for its own claim."}
        )
    return evidence


def verdict_current(*, claim: Claim) -> Verdict | None:
    return Verdict.objects.filter(claim=claim, is_current=True).first()


def _draft_unchanged(verdict: Verdict, mine: dict, evidence) -> bool:
    same_evidence = evidence is None or {e.pk for e in evidence} == set(
        verdict.evidence.values_list("pk", flat=True)
    )
    return (
        same_evidence
        and verdict.rating_id == (mine["rating"].pk if mine["rating"] else None)
        and _lf(verdict.summary) == _lf(mine["summary"])
        and _lf(verdict.rationale) == _lf(mine["rationale"])
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
    mine = {"lock_version": lock_version, "rating": rating, "summary": _lf(summary),
            "rationale": _lf(rationale)}
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    current = Verdict.objects.select_for_update().filter(claim=claim, is_current=True).first()
    if current is None:
        _require_permission(user, "add_verdict", "draft a verdict")
        if lock_version:
            # The verdict the editor had open is gone (deleted by an admin): say so.
            raise VerdictConflict(mine=mine, theirs=None)
        if claim.status == ClaimStatus.NOT_CHECKABLE:
            raise ValidationError(
                "This claim is set aside as not checkable; set it back to researching before "
                "drafting a verdict."
            )
        last = Verdict.objects.filter(claim=claim).order_by("-version").first()
        verdict = Verdict(claim=claim, author=user, version=(last.version + 1) if last else 1)
        verdict.lock_version = 0  # becomes 1 on the first save
        reason = REASON_CREATE
    else:
        _require_permission(user, "change_verdict", "edit a verdict")
        if lock_version is None or int(lock_version) != current.lock_version:
            last = current.history.select_related("history_user").first()
            current._last_editor = last.history_user if last else None
            raise VerdictConflict(mine=mine, theirs=current)
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
    if evidence is not None:
        verdict.evidence.set(evidence)
    if claim.status == ClaimStatus.NEW:
        _claim_follow_verdict(claim, status=ClaimStatus.RESEARCHING, user=user)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user) -> Verdict:
    """The author sends a draft (or a verdict sent back for changes) to review. It needs a
    rating, a summary and a rationale, so a reviewer never reviews an empty verdict. The
    claim moves to in review."""
    _require_permission(user, "change_verdict", "submit a verdict for review")
    verdict = _locked(verdict)
    _require_state(verdict, EDITABLE_STATES, "submit this verdict for review")
    if verdict.author_id != user.pk:
        raise PermissionDenied(
            f"Only the author of this verdict, {user_display(verdict.author)}, can submit it "
            "for review."
        )
    if verdict.claim.status == ClaimStatus.NOT_CHECKABLE:
        raise ValidationError(
            "The claim is set aside as not checkable; set it back to researching before "
            "submitting a verdict on it."
        )
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
    return verdict


def verdict_edited_by(*, verdict: Verdict, user) -> bool:
    """Did this user write any of the verdict (created or edited it)?"""
    return verdict.history.filter(
        history_user_id=user.pk, history_change_reason__in=[REASON_EDIT, REASON_CREATE]
    ).exists()


def verdicts_edited_by(*, verdict_ids, user) -> set[int]:
    """verdict_edited_by for many verdicts at once (a page of the review queue): the ids of
    those this user wrote any of, in one query."""
    return set(
        Verdict.history.filter(
            id__in=list(verdict_ids), history_user_id=user.pk,
            history_change_reason__in=[REASON_EDIT, REASON_CREATE],
        ).values_list("id", flat=True).distinct()
    )


def _refuse_own_review(verdict: Verdict, user, doing: str) -> None:
    if verdict.author_id == user.pk:
        raise PermissionDenied(
            f"You cannot {doing}: you wrote this verdict, and a different reviewer must "
            "review it (two-person rule)."
        )
    if verdict_edited_by(verdict=verdict, user=user):
        raise PermissionDenied(
            f"You cannot {doing}: you edited this verdict, and a reviewer who did not "
            "write any of it must review it (two-person rule)."
        )


@transaction.atomic
def verdict_request_changes(*, verdict: Verdict, user, comment: str) -> Verdict:
    """A reviewer (not the author) sends a submitted verdict back with a comment saying what
    must change. An approved verdict can be sent back too (say its only source could not be
    fetched and it cannot be published): the approval is withdrawn. The claim goes back to
    researching and the author is notified."""
    _require_permission(user, "review_verdict", "send a verdict back for changes")
    verdict = _locked(verdict)
    _require_state(verdict, (VerdictState.SUBMITTED, VerdictState.APPROVED),
                   "send this verdict back for changes")
    _refuse_own_review(verdict, user, "send this verdict back")
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
def verdict_approve(*, verdict: Verdict, user, override_reason: str = "") -> Verdict:
    """A reviewer approves a submitted verdict. Two-person rule: the approver is never the
    author (nor anyone who edited it). An admin holding override_two_person_rule may approve
    their own verdict, and must record why."""
    _require_permission(user, "review_verdict", "approve a verdict")
    verdict = _locked(verdict)
    _require_state(verdict, (VerdictState.SUBMITTED,), "approve this verdict")
    if verdict.claim.status == ClaimStatus.NOT_CHECKABLE:
        raise ValidationError(
            "The claim is set aside as not checkable, so a verdict on it cannot be approved; "
            "send the verdict back, or set the claim back to researching first."
        )
    override_reason = override_reason.strip()
    reason = REASON_APPROVE
    try:
        _refuse_own_review(verdict, user, "approve this verdict")
        override_reason = ""  # nothing to override
    except PermissionDenied:
        if not user.has_perm("claims.override_two_person_rule"):
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
    notification_send(
        recipient=verdict.author, actor=user, verb="approved", verdict=verdict,
        message=f"{user_display(user)} approved your verdict on “{verdict.claim.statement}”.",
    )
    return verdict


def verdict_publish_problems(verdict: Verdict) -> list[str]:
    """What stops an approved verdict from being published, in words (empty when ready).
    IFCN: readers must be able to follow every source, so at least one cited source must
    have been captured successfully."""
    problems = []
    if not verdict.rating_id:
        problems.append("it has no rating")
    if not verdict.rationale.strip():
        problems.append("it has no rationale")
    cited_sources = verdict.evidence.filter(source__isnull=False).values("source_id")
    if not Capture.objects.filter(
        source_id__in=cited_sources, status=CaptureStatus.SUCCESS
    ).exists():
        problems.append(
            "none of the sources it cites has been fetched successfully (readers must be "
            "able to follow at least one source)"
        )
    return problems


@transaction.atomic
def verdict_publish(*, verdict: Verdict, user) -> Verdict:
    """Publish an approved verdict: it needs a rating, a rationale and at least one cited
    source with a successful capture. Sets published_at; the claim becomes published."""
    _require_permission(user, "publish_verdict", "publish a verdict")
    verdict = _locked(verdict)
    _require_state(verdict, (VerdictState.APPROVED,), "publish this verdict")
    problems = verdict_publish_problems(verdict)
    if problems:
        raise ValidationError("This verdict cannot be published yet: " + "; ".join(problems) + ".")
    verdict.state = VerdictState.PUBLISHED
    verdict.published_at = timezone.now()
    _save_verdict(verdict, user=user, reason=REASON_PUBLISH, fields=["state", "published_at"])
    _claim_apply_changes(verdict.claim, verdict.claim_changes, user=user,
                         reason=f"Corrected (verdict version {verdict.version})")
    _claim_follow_verdict(verdict.claim, status=ClaimStatus.PUBLISHED, user=user)
    message = f"{user_display(user)} published the verdict on “{verdict.claim.statement}”."
    for recipient in {verdict.author, verdict.reviewer} - {None}:
        notification_send(
            recipient=recipient, actor=user, verb="published", verdict=verdict, message=message
        )
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
) -> Verdict:
    """Correct a published verdict: never a silent edit. A new version is created with the
    corrected text and a correction note, and submitted for review; the published version
    stays (is_current=False) and stays visible to readers until the correction is
    published, then as the earlier version. The claim goes back to in review.

    `claim_changes` (from claim_reader_changes: statement, claimant_id, claimed_on) is
    what the correction changes on the claim itself: held on the new version while it is
    reviewed and written to the claim only when the correction is published."""
    _require_permission(user, "change_verdict", "correct a verdict")
    old = _locked(verdict)
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
    new.evidence.set(
        _check_evidence(old.claim, evidence) if evidence is not None else old.evidence.all()
    )
    _claim_follow_verdict(old.claim, status=ClaimStatus.IN_REVIEW, user=user)
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


# --- Notifications ----------------------------------------------------------------------


def notification_send(
    *,
    recipient,
    verb: str,
    message: str,
    actor=None,
    verdict: Verdict | None = None,
    claim: Claim | None = None,
    url: str = "",
) -> Notification | None:
    """Tell someone in the app, and by email once the transaction commits (so a refused or
    rolled-back action never mails anyone). Nobody is notified of their own action."""
    if recipient is None or (actor is not None and recipient.pk == actor.pk):
        return None
    claim = claim or (verdict.claim if verdict else None)
    url = url or (claim.get_absolute_url() if claim else "")
    notification = Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:500], url=url, claim=claim,
        verdict=verdict,
    )
    if recipient.email:
        # A header cannot hold a line break (a reviewer's comment may have several).
        subject = f"[{_settings.ORGANISATION_NAME}] {' '.join(message.split())[:120]}"
        body = f"{message}\n\n{_settings.SITE_URL}{url}\n"

        def mail():
            try:
                send_mail(subject, body, None, [recipient.email])
            except Exception:  # the in-app notice stands; a mail outage must not break work
                logger.exception("Could not email notification %s", notification.pk)

        transaction.on_commit(mail)
    return notification


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


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
    Once the claim's fact-check is published, its statement, claimant and date claimed
    change only through a correction (tags, which readers never see, stay editable)."""
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
        _refuse_published_edit(current, " and ".join(labels[k] for k in reader_changes))
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
    current.version += 1
    current.full_clean()
    current.save()
    if "tags" in changed:
        current.tags.set(tags_from_names(tags))
    return current


def evidence_add(
    *,
    claim: Claim,
    stance: str,
    note: str = "",
    excerpt: str = "",
    source=None,
    user: User | None = None,
):
    """Record a piece of evidence on a claim. It must rest on a source or say something in
    its note. A source is cited once per claim: evidence on a source already attached to the
    claim fills in that citation's stance, note and excerpt (history keeps the old ones),
    unless a published verdict cites it: readers see it, so it changes only through a
    correction. New evidence on a published claim is desk work for the next correction:
    readers see it only once a reviewed correction cites it."""
    from claims.models import Evidence

    note, excerpt = _lf(note), _lf(excerpt)
    if source is None and not note:
        raise ValidationError({"note": "Write a note, or choose the source this evidence rests on."})
    evidence = None
    if source is not None:
        evidence = Evidence.objects.filter(claim=claim, source=source).first()
    if evidence is not None and evidence_is_published(evidence):
        raise PublishedClaimFrozen(
            "Readers see this source’s stance, note and excerpt on the published fact-check, "
            f"so they change only through a correction. {START_A_CORRECTION}"
        )
    if evidence is None:
        evidence = Evidence(claim=claim, source=source, created_by=user)
    elif (evidence.stance, _lf(evidence.note), _lf(evidence.excerpt)) == (stance, note, excerpt):
        return evidence  # sent back unchanged: nothing to write, no history row
    evidence.stance, evidence.note, evidence.excerpt = stance, note, excerpt
    evidence.full_clean()
    evidence.save()
    return evidence


def _lf(text: str) -> str:
    """Text with LF line ends (browsers send a textarea's line ends as CRLF), stripped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# --- Sources and fetching ---------------------------------------------------------------
# The fetch itself runs in Celery workers (claims/tasks.py -> claims/fetching/); these
# services validate what the editor typed and enqueue the work once the rows are committed.


def _normalized_fetch_url(url: str) -> str:
    """The canonical URL, or a ValidationError on `url` in words. A literal private address
    is refused here already so the editor hears at once; host names are checked by the
    guard when the worker resolves them."""
    from claims.fetching.guard import (
        GuardRefused,
        host_is_allowed_private,
        parse_ip_host,
        refusal_reason,
    )
    from claims.fetching.urls import URLInvalid, normalize_url, url_host_port

    try:
        normalized = normalize_url(url)
        _scheme, host, _port = url_host_port(normalized)
        ip = parse_ip_host(host)
    except (URLInvalid, GuardRefused) as exc:
        raise ValidationError({"url": str(exc)}) from exc
    if ip is not None and not host_is_allowed_private(host):
        why = refusal_reason(ip)
        if why:
            raise ValidationError(
                {"url": f"{ip} is in {why}; only public addresses can be fetched."}
            )
    return normalized


def source_attach(
    *,
    claim: Claim,
    url: str,
    user: User | None,
    stance: str = "context",
    note: str = "",
    excerpt: str = "",
):
    """Cite a web page on a claim. One Source per normalised URL is shared by every claim;
    a new source is fetched in the background once this transaction commits. Citing the
    same source twice on one claim returns the existing evidence."""
    from django.utils import timezone

    from claims.choices import Stance
    from claims.fetching.queue import enqueue_source_fetch
    from claims.fetching.urls import registrable_domain, url_host_port
    from claims.models import Evidence, Source

    normalized = _normalized_fetch_url(url)
    if stance not in Stance.values:
        raise ValidationError({"stance": "Choose whether the source supports, refutes or gives context."})
    with transaction.atomic():
        source, created = Source.objects.get_or_create(
            normalized_url=normalized,
            defaults={
                "url": url.strip()[:2000],
                "domain": registrable_domain(url_host_port(normalized)[1]),
                "created_by": user,
                "status_changed_at": timezone.now(),
            },
        )
        evidence = Evidence.objects.filter(claim=claim, source=source).first()
        if evidence is None:
            evidence = Evidence(
                claim=claim,
                source=source,
                stance=stance,
                note=note.strip(),
                excerpt=excerpt.strip(),
                created_by=user,
            )
            evidence.full_clean()
            evidence.save()
        if created:
            transaction.on_commit(lambda: enqueue_source_fetch(source.pk))
    return evidence


def source_refetch(*, source, user: User | None = None):
    """Capture a source again (an editor's request, or the admin action). A source being
    fetched right now is left alone; the earlier captures are kept."""
    from django.utils import timezone

    from claims.choices import SourceStatus
    from claims.fetching.queue import enqueue_source_fetch
    from claims.models import Source

    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if locked.status == SourceStatus.FETCHING:
            raise ValidationError("This source is being fetched right now; wait for it to finish.")
        locked.status = SourceStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "status_changed_at",
                                   "updated_at"])
        transaction.on_commit(lambda: enqueue_source_fetch(locked.pk))
    source.refresh_from_db()
    return source


def _provisional_title(normalized_url: str) -> str:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(normalized_url)
    slug = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    slug = slug.rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip()
    host = (parts.hostname or "").removeprefix("www.")
    return (f"{slug} ({host})" if slug else host)[:500] or "Imported article"


def article_import_url(*, url: str, user: User | None = None, enqueue: bool = True) -> Article:
    """Start importing an article from the web: it is saved as pending with a title taken
    from the URL, and the worker fetches and extracts it through the network guard
    (`enqueue=False`: the caller fetches it in its own process, as import_article does)."""
    from claims.fetching.queue import enqueue_article_fetch

    normalized = _normalized_fetch_url(url)
    with transaction.atomic():
        article = article_create(
            title=_provisional_title(normalized),
            body="",
            user=user,
            url=normalized,
            status=ArticleStatus.PENDING,
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_article_fetch(article.pk))
    return article
