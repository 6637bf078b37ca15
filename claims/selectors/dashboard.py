"""Reads for the dashboard: the desk's counts (cached for every editor, refreshed by the
refresh_desk_stats task), the rating chart's geometry, what waits for the user, their
notifications and who is told of a verdict submitted for review."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from claims.choices import ClaimStatus, VerdictState
from claims.models import (
    Claim,
    Notification,
    Rating,
    Verdict,
    VerdictEditor,
)
from claims.models.notifications import NotificationPreference

log = logging.getLogger(__name__)

# Where the dashboard counts wait in the shared cache (the refresh_desk_stats task fills it).
DESK_STATS_CACHE_KEY = "claims:desk-stats"


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


def reviewers_of(verdict: Verdict) -> QuerySet:
    """The active people who may review this verdict: holding the review permission (through
    the Reviewers group or their own), and not having written any of it (two-person rule:
    its author and every VerdictEditor)."""
    may_review = (Q(groups__permissions__codename="review_verdict",
                    groups__permissions__content_type__app_label="claims")
                  | Q(user_permissions__codename="review_verdict",
                      user_permissions__content_type__app_label="claims"))
    wrote = VerdictEditor.objects.filter(verdict=verdict).values("user_id")
    ids = (get_user_model().objects.filter(may_review, is_active=True)
           .exclude(pk=verdict.author_id).exclude(pk__in=wrote).values("pk"))
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


def notification_preference_of(user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


def waiting_for(user, limit: int = 10) -> dict:
    """What waits for this person: verdicts submitted for review that they may review
    (oldest first, as the queue), and their own verdicts sent back for changes. Two
    queries."""
    to_review: list = []
    if user.has_perm("claims.review_verdict"):
        wrote = VerdictEditor.objects.filter(user=user).values("verdict_id")
        to_review = list(
            Verdict.objects.select_related("claim", "author")
            .filter(state=VerdictState.SUBMITTED, is_current=True)
            .exclude(author=user).exclude(pk__in=wrote)
            .order_by("submitted_at", "id")[:limit]
        )
    sent_back = list(
        Verdict.objects.select_related("claim", "reviewer")
        .filter(author=user, state=VerdictState.CHANGES_REQUESTED, is_current=True)
        .order_by("-updated_at", "-id")[:limit]
    )
    return {"to_review": to_review, "sent_back": sent_back}


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_notification_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def desk_stats_cached() -> dict:
    """The dashboard counts: from the cache the refresh_desk_stats task fills every minute,
    computed here if the cache is empty, and still computed if Redis is down."""
    try:
        stats = cache.get(DESK_STATS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - any cache failure: count from the database instead
        log.warning("Desk stats cache unavailable; counting from the database", exc_info=True)
        return {**desk_stats(), "cached": False}
    if stats is not None:
        return {**stats, "cached": True}
    stats = desk_stats()
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
