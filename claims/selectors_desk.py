"""Reads for the editor desk's pages (kept apart from selectors.py, which every part of the
desk shares). Each returns a queryset with exactly the joins its page renders, so a page
makes the same number of queries for 1 row or 50."""

from __future__ import annotations

import logging

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from claims import selectors
from claims.choices import ClaimStatus, SourceStatus, VerdictState
from claims.models import Article, Capture, Claim, Claimant, Evidence, Source, Verdict

log = logging.getLogger(__name__)


def _current_verdict(field: str) -> Subquery:
    # At most one current verdict per claim (a unique constraint): no ordering, so the
    # subquery does not join the claim again for Verdict's default order.
    return Subquery(
        Verdict.objects.filter(claim=OuterRef("pk"), is_current=True).order_by().values(field)[:1]
    )


def claim_table_rows(*, with_tags: bool = True) -> QuerySet[Claim]:
    """Claims for the claims table: related rows joined, the current verdict's rating as two
    scalar subqueries, and (when the table shows them) tags prefetched, one query for a whole
    page. The long texts no column shows stay in the database: the articles' bodies alone
    are tens of kilobytes a row."""
    rows = (
        selectors.claim_list()
        .defer("search_vector", "quote", "not_checkable_reason", "article__body",
               "article__fetch_error")
        .annotate(
            rating_label=_current_verdict("rating__label"),
            rating_colour=_current_verdict("rating__colour"),
        )
    )
    return rows.prefetch_related("tags") if with_tags else rows


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


def source_table_rows() -> QuerySet[Source]:
    return Source.objects.all()


def claim_page(pk: int) -> Claim:
    return (
        Claim.objects.select_related("article", "claimant", "assignee", "created_by")
        .prefetch_related("tags")
        .get(pk=pk)
    )


def claim_evidence(claim: Claim) -> QuerySet[Evidence]:
    return claim.evidence.select_related("source", "created_by").order_by("created_at", "id")


def claim_sources(claim: Claim) -> QuerySet[Source]:
    return Source.objects.filter(evidence__claim=claim).order_by("evidence__created_at", "id")


def claim_history_records(claim: Claim, limit: int = 200) -> dict:
    """The claim's and its evidence's history records, newest first: read once for the claim
    page's timeline and for its verdict panel's audit trail (audit.claim_audit_trail)."""
    return {
        "claim_pk": claim.pk,
        "claim": list(
            Claim.history.filter(id=claim.pk).select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        ),
        "evidence": list(
            Evidence.history.filter(claim_id=claim.pk)
            .select_related("history_user", "source")
            .order_by("-history_date", "-history_id")[:limit]
        ),
    }


def claim_history(claim: Claim, limit: int = 50, records: dict | None = None) -> list:
    """Changes to the claim and its evidence, newest first, with who made them."""
    if records is None or records.get("claim_pk") != claim.pk:
        records = claim_history_records(claim, limit)
    claim_records = records["claim"][:limit]
    evidence_records = records["evidence"][:limit]
    records = []
    # Each record is compared with the next older one already loaded (record.prev_record
    # would cost a query per entry).
    for record, older in zip(claim_records, [*claim_records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            changes = [change.field for change in delta.changes if change.field != "version"]
        records.append({"kind": "claim", "record": record, "changes": changes})
    for record in evidence_records:
        records.append({"kind": "evidence", "record": record, "changes": []})
    records.sort(key=lambda r: r["record"].history_date, reverse=True)
    return records[:limit]


def source_page(pk: int) -> Source:
    return Source.objects.get(pk=pk)


def source_captures(source: Source, limit: int = 20) -> list[Capture]:
    return list(source.captures.defer("text").order_by("-started_at", "-id")[:limit])


def source_latest_text_capture(source: Source) -> Capture | None:
    return (
        source.captures.filter(status="success")
        .exclude(text="")
        .order_by("-started_at", "-id")
        .first()
    )


def source_claims(source: Source, limit: int = 20) -> QuerySet[Claim]:
    return Claim.objects.filter(evidence__source=source).order_by("-created_at", "-id")[:limit]


def claimant_matches(text: str, limit: int = 8) -> QuerySet[Claimant]:
    text = text.strip()
    if not text:
        return Claimant.objects.none()
    return Claimant.objects.filter(name__icontains=text).order_by("name", "id")[:limit]


# --- Dashboard ----------------------------------------------------------------------------


def desk_stats_cached() -> dict:
    """The dashboard counts: from the cache the refresh_desk_stats task fills every minute,
    computed here if the cache is empty, and still computed if Redis is down."""
    from django.core.cache import cache

    from claims.tasks import DESK_STATS_CACHE_KEY

    try:
        stats = cache.get(DESK_STATS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - any cache failure: count from the database instead
        log.warning("Desk stats cache unavailable; counting from the database", exc_info=True)
        return {**selectors.desk_stats(), "cached": False}
    if stats is not None:
        return {**stats, "cached": True}
    stats = selectors.desk_stats()
    try:
        cache.set(DESK_STATS_CACHE_KEY, stats, timeout=120)
    except Exception:  # noqa: BLE001
        log.warning("Could not store desk stats in the cache", exc_info=True)
    return {**stats, "cached": False}


def status_rows(stats: dict) -> list[dict]:
    return [
        {"value": s.value, "label": s.label, "count": stats["claims_by_status"].get(s.value, 0)}
        for s in ClaimStatus
    ]


def rating_chart(stats: dict, width: int = 420, bar_height: int = 22, gap: int = 8) -> dict:
    """Geometry for the server-rendered SVG bar chart of published verdicts by rating."""
    rows = stats.get("verdicts_by_rating", [])
    label_width, count_width = 130, 50
    top = max((r["count"] for r in rows), default=0) or 1
    plot = width - label_width - count_width
    bars = []
    for i, row in enumerate(rows):
        y = i * (bar_height + gap)
        bars.append(
            {
                **row,
                "y": y,
                "text_y": y + bar_height * 0.7,
                "width": max(2, round(plot * row["count"] / top)) if row["count"] else 0,
                "count_x": label_width + max(2, round(plot * row["count"] / top)) + 6,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(1, len(rows) * (bar_height + gap)),
        "bar_height": bar_height,
        "label_width": label_width,
        "label_x": label_width - 8,
    }


def my_claims(user, limit: int = 10) -> QuerySet[Claim]:
    return (
        Claim.objects.select_related("article", "claimant")
        .filter(assignee=user)
        .exclude(status=ClaimStatus.PUBLISHED)
        .order_by("status", "-created_at", "-id")[:limit]
    )


def failing_sources(limit: int = 10) -> QuerySet[Source]:
    return Source.objects.filter(status=SourceStatus.FAILED).order_by("-status_changed_at", "-id")[
        :limit
    ]


def recently_published(limit: int = 10) -> QuerySet[Verdict]:
    return (
        # published_at__isnull=False lets the index skip the unpublished verdicts' NULLs
        # (see selectors.published_verdicts).
        Verdict.objects.filter(state=VerdictState.PUBLISHED, is_current=True,
                               published_at__isnull=False)
        .select_related("claim", "claim__claimant", "rating")
        .order_by("-published_at", "-id")[:limit]
    )
