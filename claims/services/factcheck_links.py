"""Links between the desk's claims and the fact-checks that already checked them ("Already
fact-checked"): editors link a claim to a published fact-check, from this desk or elsewhere,
so nobody starts over on it, and unlink one made by mistake. The history keeps who did what."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import Claim, ClaimFactCheckLink, FactCheck
from claims.permissions import require


def claim_factcheck_link(*, claim: Claim, factcheck: FactCheck, user,
                         note: str = "") -> ClaimFactCheckLink:
    """Record that `factcheck` already checked `claim` (editors only). Linking a pair twice
    keeps the first link. A claim is never linked to the desk's own fact-check of itself."""
    require(user, "link_factcheck")
    if factcheck.claim_id is not None and factcheck.claim_id == claim.pk:
        raise ValidationError("This is the desk's own fact-check of this claim; link a "
                              "fact-check published elsewhere, or of another claim.")
    existing = ClaimFactCheckLink.objects.filter(claim=claim, factcheck=factcheck).first()
    if existing is not None:
        return existing
    link = ClaimFactCheckLink(claim=claim, factcheck=factcheck, linked_by=user,
                              note=note.strip()[:500])
    link._history_user = user
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # linked by someone else at the same moment
        return ClaimFactCheckLink.objects.get(claim=claim, factcheck=factcheck)
    return link


def claim_factcheck_unlink(*, claim: Claim, factcheck_id: int, user) -> bool:
    """Remove a link made by mistake (editors only). False when there was none."""
    require(user, "unlink_factcheck")
    link = ClaimFactCheckLink.objects.filter(claim=claim, factcheck_id=factcheck_id).first()
    if link is None:
        return False
    link._history_user = user
    link.delete()
    return True
