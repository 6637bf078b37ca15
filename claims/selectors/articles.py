"""Reads about articles: the articles table's rows (with each article's claim count) and an
article's claims in the order they appear in its text."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from claims.models import Article, Claim


def article_claims(article: Article) -> QuerySet[Claim]:
    return article.claims.select_related("claimant").order_by("anchor_start", "id")


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
