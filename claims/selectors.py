"""Reads: querysets for pages, tables, reports and exports, with the joins they need."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .choices import ClaimStatus, VerdictState
from .models import Article, Claim, Rating, Source, Verdict


def claim_list() -> QuerySet[Claim]:
    """Claims with everything a table row shows, in the indexed default order."""
    return Claim.objects.select_related("article", "claimant", "assignee").order_by(
        "-created_at", "-id"
    )


def article_list() -> QuerySet[Article]:
    return Article.objects.annotate(claim_count=Count("claims")).order_by("-created_at", "-id")


def article_claims(article: Article) -> QuerySet[Claim]:
    return article.claims.select_related("claimant").order_by("anchor_start", "id")


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("-created_at", "-id")


def desk_stats() -> dict:
    """Counts for the dashboard: claims by status and published verdicts by rating."""
    by_status = dict(
        Claim.objects.order_by().values_list("status").annotate(n=Count("id")).values_list(
            "status", "n"
        )
    )
    by_rating = dict(
        Verdict.objects.filter(is_current=True, state=VerdictState.PUBLISHED)
        .order_by()
        .values_list("rating_id")
        .annotate(n=Count("id"))
        .values_list("rating_id", "n")
    )
    ratings = Rating.objects.filter(id__in=[r for r in by_rating if r]).order_by("position")
    return {
        "claims_by_status": {s.value: by_status.get(s.value, 0) for s in ClaimStatus},
        "claims_total": sum(by_status.values()),
        "verdicts_by_rating": [
            {"rating": r.label, "colour": r.colour, "count": by_rating[r.id]} for r in ratings
        ],
    }
