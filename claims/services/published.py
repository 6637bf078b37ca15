"""What readers see of a published fact-check changes only through a correction. These
rules refuse any other edit of it (PublishedClaimFrozen), let an admin override that with a
recorded reason (PublishedEdit), write a published correction's changes to its claim, and
record the appearances and source captures a reviewer approved with a verdict
(VerdictAppearance, VerdictCapture)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from claims.choices import VerdictState
from claims.exporters.claimreview import claim_appearances
from claims.models import (
    Article,
    Claim,
    Claimant,
    Evidence,
    PublishedEdit,
    Verdict,
    VerdictAppearance,
    VerdictCapture,
)
from claims.permissions import has_permission
from claims.selectors.published import cited_latest_captures, claim_has_published_verdict
from claims.services.claim_store import claim_save

START_A_CORRECTION = (
    "Use “Start a correction” on the claim page: the correction is reviewed by a second "
    "person and listed in the public corrections log."
)


class PublishedClaimFrozen(ValidationError):
    """An edit of something readers see on a published fact-check, outside a correction."""

    def __init__(self, message: str):
        super().__init__(message, code="published")


def _refuse_published_edit(claim: Claim, what: str) -> None:
    if claim_has_published_verdict(claim):
        raise PublishedClaimFrozen(
            f"This claim’s fact-check is published, and readers see its {what}: it changes "
            f"only through a correction. {START_A_CORRECTION}"
        )


# From submission on, readers will see what the reviewer saw: while the claim's current
# verdict is one of these, what readers will see of it does not change.
UNDER_REVIEW = (VerdictState.SUBMITTED, VerdictState.APPROVED)


class ClaimUnderReview(ValidationError):
    """An edit of something readers will see, while the verdict that shows it waits for
    review or is approved."""

    def __init__(self, message: str):
        super().__init__(message, code="under_review")


def claims_under_review_showing(obj) -> list[Claim]:
    """The claims whose current verdict, submitted or approved, shows this claim, evidence
    (cited by that verdict), claimant or article: what the reviewer saw of it is what readers
    will see."""
    if obj.pk is None:
        return []
    reviewed = Q(verdicts__is_current=True, verdicts__state__in=UNDER_REVIEW)
    if isinstance(obj, Claim):
        claims = Claim.objects.filter(reviewed, pk=obj.pk)
    elif isinstance(obj, Evidence):
        claims = Claim.objects.filter(
            pk__in=obj.verdicts.filter(is_current=True, state__in=UNDER_REVIEW)
            .values("claim_id"))
    elif isinstance(obj, Claimant):
        claims = Claim.objects.filter(reviewed, claimant=obj)
    elif isinstance(obj, Article):
        shown_in = VerdictAppearance.objects.filter(
            article=obj, verdict__is_current=True, verdict__state__in=UNDER_REVIEW,
        ).values("verdict__claim_id")
        claims = Claim.objects.filter((reviewed & Q(article=obj)) | Q(pk__in=shown_in))
    else:
        return []
    return list(claims.distinct().order_by("id"))


def reviewed_edit_check(obj, what: str) -> None:
    """Refuse a change to `what` readers will see of `obj` (a claim, its evidence, claimant
    or article) while a verdict that shows it is submitted or approved (ClaimUnderReview).
    A refusal, not a silent send-back: withdrawing a reviewer's approval is the reviewer's
    decision (send_back needs the Reviewers role), and a refusal leaves the editor knowing
    exactly what did not happen. No one overrides it, admins included: the verdict can be
    sent back in a click, and then the change is reviewed like any other."""
    claims = claims_under_review_showing(obj)
    if not claims:
        return
    states = set(Verdict.objects.filter(claim__in=claims, is_current=True)
                 .values_list("state", flat=True))
    waiting = "waiting for review" if VerdictState.SUBMITTED in states else "approved"
    if isinstance(obj, Claim):
        whose = "This claim’s verdict is"
    else:
        name = type(obj)._meta.verbose_name
        whose = (f"The verdict on “{claims[0].statement}”, which shows this {name}, is"
                 if len(claims) == 1 else
                 f"{len(claims)} verdicts that show this {name} are")
    raise ClaimUnderReview(
        f"{whose} {waiting}: readers will see the {what} the reviewer saw, so it cannot "
        "change now. Ask a reviewer to send the verdict back for changes first; then make "
        "the change and submit the verdict again."
    )


def claim_reader_edit_check(claim: Claim, what: str) -> None:
    """Refuse an edit of `what` readers see or will see of this claim, outside a correction:
    once its fact-check is published (PublishedClaimFrozen), or while its verdict waits for
    review or is approved (ClaimUnderReview). Every writer of these fields asks this first:
    the desk, the API, the admin, bulk actions and imports."""
    _refuse_published_edit(claim, what)
    reviewed_edit_check(claim, what)


def published_edit_check(*, user, reason: str, what: str) -> str:
    """May this user change `what` readers see of a published fact-check outside a
    correction (the Django admin)? Only with the change_published_claim permission and a
    reason, which is recorded (published_edit_record) and shown in the public corrections
    log. Returns the reason, stripped."""
    if not has_permission(user, "change_published_claim"):
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
    reason = published_edit_check(user=user, reason=reason, what=record)
    return [
        PublishedEdit.objects.create(claim=claim, user=user, reason=reason, record=record,
                                     changes=changes)
        for claim in claims
    ]


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


def claim_apply_changes(claim: Claim, changes: dict, *, user, reason: str) -> None:
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
    claim.full_clean(exclude=["article", "claimant", "assignee", "appearance_of", "created_by"],
                     validate_constraints=False)
    claim_save(claim, fields=["statement", "claimant", "claimed_on"], user=user, reason=reason)


def claim_appearance_articles(claim: Claim) -> list[Article]:
    """The articles the claim appears in now, first appearance first (ClaimReview
    firstAppearance / appearance)."""
    claim = Claim.objects.select_related("article", "appearance_of__article").get(pk=claim.pk)
    return claim_appearances(claim)


def verdict_record_appearances(*, verdict: Verdict) -> list[Article]:
    """Record, with the verdict version a reviewer approves, the appearances readers may
    see (internal articles are left out when read, so marking one internal later hides it).
    A link made afterwards stays on the desk until a correction is reviewed."""
    articles = claim_appearance_articles(verdict.claim)
    VerdictAppearance.objects.filter(verdict=verdict).delete()
    VerdictAppearance.objects.bulk_create(
        VerdictAppearance(verdict=verdict, article=article, position=i)
        for i, article in enumerate(articles)
    )
    return articles


def verdict_record_captures(*, verdict: Verdict, keep_recorded: bool = False) -> list:
    """Record, with a verdict version, the capture of each source it cites that is current
    now (its latest successful one): readers see these captures' titles and stored copies,
    never a capture made afterwards, which reaches them only through a correction.
    Called when the verdict is approved (replacing what an earlier approval recorded) and,
    with keep_recorded, when it is published: that adds only the sources that had no stored
    copy yet when it was approved, so readers can follow them."""
    captures = cited_latest_captures(verdict)
    if keep_recorded:
        recorded = set(VerdictCapture.objects.filter(verdict=verdict)
                       .values_list("source_id", flat=True))
        captures = [c for c in captures if c.source_id not in recorded]
    else:
        VerdictCapture.objects.filter(verdict=verdict).delete()
    return VerdictCapture.objects.bulk_create(
        VerdictCapture(verdict=verdict, source_id=capture.source_id, capture=capture)
        for capture in captures
    )
