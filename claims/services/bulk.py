"""Bulk actions on claims: one action (assign, or set a status) applied to many claims at
once. Every claim goes through the same service as a single edit (claim_assign,
claim_set_status), so no rule can be skipped by choosing many claims; this module only
gathers each claim's outcome and says, in words, what was done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import models

from claims.choices import ClaimStatus
from claims.models import Claim
from claims.people import user_display
from claims.services.claims import claim_assign, claim_set_status
from claims.services.published import PublishedClaimFrozen


class BulkAction(models.TextChoices):
    ASSIGN = "assign", "Assign to"
    STATUS = "status", "Set status to"


class BulkOutcome(models.TextChoices):
    CHANGED = "changed", "Changed"
    ALREADY = "already", "Already so"
    SKIPPED = "skipped", "Skipped"


class BulkSkipReason(models.TextChoices):
    """Why a claim was left as it was. OTHER carries the service's own words."""

    PUBLISHED = "published", "its fact-check is published"
    IN_REVIEW = "in_review", "its verdict is in review"
    MISSING = "missing", "it no longer exists"
    OTHER = "other", "refused"


# The same reasons said of several claims at once.
_PLURAL_REASONS = {
    BulkSkipReason.PUBLISHED: "their fact-checks are published",
    BulkSkipReason.IN_REVIEW: "their verdicts are in review",
    BulkSkipReason.MISSING: "they no longer exist",
}


@dataclass(frozen=True)
class ClaimOutcome:
    claim_id: int
    outcome: BulkOutcome
    reason: BulkSkipReason | None = None
    message: str = ""  # the service's words, for BulkSkipReason.OTHER


@dataclass
class BulkResult:
    action: BulkAction
    status: ClaimStatus | None = None
    assignee: User | None = None
    outcomes: list[ClaimOutcome] = field(default_factory=list)

    def count(self, outcome: BulkOutcome) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def changed(self) -> int:
        return self.count(BulkOutcome.CHANGED)

    @property
    def skipped(self) -> int:
        return self.count(BulkOutcome.SKIPPED)

    def summary(self) -> str:
        """What was done, claim by claim, in one sentence: "2 claims set to Researching;
        1 skipped: its fact-check is published.", "2 claims assigned to Ana; 1 already
        was.", "1 claim unassigned."."""
        changed = self.changed
        if self.action == BulkAction.STATUS:
            done = f"set to {self.status.label}"
        elif self.assignee is None:
            done = "unassigned"
        else:
            done = f"assigned to {user_display(self.assignee)}"
        parts = [f"{_claims(changed)} {done}"]
        already = self.count(BulkOutcome.ALREADY)
        if already:
            parts.append(f"{already} already {'was' if already == 1 else 'were'}")
        groups: dict[tuple, int] = {}
        for o in self.outcomes:
            if o.outcome == BulkOutcome.SKIPPED:
                key = (o.reason, o.message)
                groups[key] = groups.get(key, 0) + 1
        for (reason, message), n in groups.items():
            if reason == BulkSkipReason.OTHER:
                why = message
            elif n == 1:
                why = reason.label
            else:
                why = _PLURAL_REASONS[reason]
            parts.append(f"{n} skipped: {why}")
        return "; ".join(parts) + "."


def _claims(n: int) -> str:
    if n == 0:
        return "No claims"
    return f"{n} claim{'' if n == 1 else 's'}"


def _skip_reason(claim: Claim, exc: ValidationError) -> tuple[BulkSkipReason, str]:
    if isinstance(exc, PublishedClaimFrozen) or claim.status == ClaimStatus.PUBLISHED:
        return BulkSkipReason.PUBLISHED, ""
    if claim.status == ClaimStatus.IN_REVIEW:
        return BulkSkipReason.IN_REVIEW, ""
    words = " ".join(exc.messages).strip().rstrip(".")
    return BulkSkipReason.OTHER, words[:1].lower() + words[1:]


def claims_bulk_apply(
    *,
    claim_ids: Iterable[int],
    action: str,
    user: User,
    assignee: User | None = None,
    status: str | None = None,
    reason: str = "",
) -> BulkResult:
    """Apply one bulk action to each claim through the single-claim services, which
    enforce every rule (a published claim's status follows its verdict, a claim set aside
    needs a reason). A claim the service refuses is skipped with its reason and the others
    still change; a claim already as asked is left untouched. For ASSIGN, `assignee` None
    means "Nobody": the caller decides that explicitly, never from a missing value. An
    inconsistent request (STATUS without a status) raises ValidationError and changes
    nothing."""
    action = BulkAction(action)
    if action == BulkAction.STATUS:
        if not status:
            raise ValidationError("Choose the new status.")
        status = ClaimStatus(status)
        if status == ClaimStatus.NOT_CHECKABLE and not reason.strip():
            raise ValidationError("Say why the claims cannot be checked.")
    result = BulkResult(action=action, status=status if action == BulkAction.STATUS else None,
                        assignee=assignee if action == BulkAction.ASSIGN else None)
    ids = sorted(set(claim_ids))
    claims = Claim.objects.in_bulk(ids)
    for claim_id in ids:
        claim = claims.get(claim_id)
        if claim is None:
            result.outcomes.append(
                ClaimOutcome(claim_id, BulkOutcome.SKIPPED, BulkSkipReason.MISSING))
            continue
        if action == BulkAction.ASSIGN:
            already = claim.assignee_id == (assignee.pk if assignee else None)
        else:
            already = claim.status == status
        if already:
            result.outcomes.append(ClaimOutcome(claim_id, BulkOutcome.ALREADY))
            continue
        try:
            if action == BulkAction.ASSIGN:
                claim_assign(claim=claim, assignee=assignee, user=user)
            else:
                claim_set_status(claim=claim, status=status, user=user, reason=reason)
        except Claim.DoesNotExist:  # deleted since it was loaded
            result.outcomes.append(
                ClaimOutcome(claim_id, BulkOutcome.SKIPPED, BulkSkipReason.MISSING))
        except ValidationError as exc:
            why, words = _skip_reason(claim, exc)
            result.outcomes.append(ClaimOutcome(claim_id, BulkOutcome.SKIPPED, why, words))
        else:
            result.outcomes.append(ClaimOutcome(claim_id, BulkOutcome.CHANGED))
    return result
