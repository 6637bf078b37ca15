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


# --- Exports, feeds and reports (issue 6) -------------------------------------------------


def claimreview_verdicts() -> QuerySet[Verdict]:
    """Published, current verdicts with everything a ClaimReview record reads (claim,
    claimant, article, rating, the claim's other appearances and its first publication
    date), so building any number of records costs a fixed number of queries."""
    from django.db.models import Max, Min, OuterRef, Prefetch, Subquery

    first_published = (
        Verdict.objects.filter(claim_id=OuterRef("claim_id"), published_at__isnull=False)
        .order_by()
        .values("claim_id")
        .annotate(first=Min("published_at"))
        .values("first")
    )
    def scale_value(aggregate):
        return Subquery(
            Rating.objects.filter(scale_id=OuterRef("rating__scale_id"), value__isnull=False)
            .order_by()
            .values("scale_id")
            .annotate(v=aggregate("value"))
            .values("v")[:1]
        )

    siblings = Claim.objects.select_related("article").order_by("id")
    return (
        Verdict.objects.filter(is_current=True, state=VerdictState.PUBLISHED)
        .select_related(
            "rating", "claim__article", "claim__claimant", "claim__appearance_of__article"
        )
        .prefetch_related(
            Prefetch("claim__appearances", queryset=siblings),
            Prefetch("claim__appearance_of__appearances", queryset=siblings),
        )
        .annotate(
            first_published_at=Subquery(first_published[:1]),
            scale_worst=scale_value(Min),
            scale_best=scale_value(Max),
        )
        .order_by("-published_at", "-id")
    )
