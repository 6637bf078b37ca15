"""What readers see: whether a claim, its evidence, its claimant or an article shows on a
published fact-check (the rules in claims/services/published.py and the admin read these)."""

from __future__ import annotations

from django.db.models import Q

from claims.choices import VerdictState
from claims.models import Article, Claim, Claimant, Evidence, Verdict, VerdictAppearance


def claim_has_published_verdict(claim: Claim | int) -> bool:
    """Do readers see a fact-check of this claim (a published verdict, any version)?"""
    claim_id = claim if isinstance(claim, int) else claim.pk
    return Verdict.objects.filter(claim_id=claim_id, state=VerdictState.PUBLISHED).exists()


def claims_showing(obj) -> list[Claim]:
    """The claims whose published fact-check shows this claim, evidence, claimant or article
    (the records an override must be recorded against)."""
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
