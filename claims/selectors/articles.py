"""Reads about articles: the articles table's rows (with each article's claim count), an
article's claims in the order they appear in its text, and its suggested sentences."""

from __future__ import annotations

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from claims.models import Article, Claim, ClaimSuggestion


def article_claims(article: Article) -> QuerySet[Claim]:
    return article.claims.select_related("claimant").order_by("anchor_start", "id")


def article_with_suggestions() -> QuerySet[Article]:
    """Articles with their stored suggestions (one more query for any number): the scored
    ones best first, then those in a language the model does not read, in text order."""
    ordered = ClaimSuggestion.objects.order_by(F("score").desc(nulls_last=True), "start", "id")
    return Article.objects.prefetch_related(Prefetch("suggestions", queryset=ordered))


def article_table_rows() -> QuerySet[Article]:
    # A correlated count per row of the page, rather than a GROUP BY over every claim.
    claim_count = (
        Claim.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Article.objects.defer("body").annotate(
        claim_count=Coalesce(Subquery(claim_count, output_field=IntegerField()), 0)
    )


def article_repeats(*, urls=(), body_sha256: str = "",
                    exclude_pk: int | None = None) -> QuerySet[Article]:
    """Articles already on the desk with the same URL or exactly the same text, the first
    added first (each lookup is on an index: article_url_idx, article_sha256_idx)."""
    same = Q()
    urls = [u for u in urls if u]
    if urls:
        same |= Q(url__in=urls)
    if body_sha256:
        same |= Q(body_sha256=body_sha256)
    if not same:
        return Article.objects.none()
    found = (Article.objects.filter(same).only("id", "title", "url", "body_sha256", "created_at")
             .order_by("created_at", "id"))
    return found.exclude(pk=exclude_pk) if exclude_pk else found
