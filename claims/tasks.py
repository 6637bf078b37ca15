"""Thin Celery tasks: load by id, call a service or selector. Tasks pass ids, never rows."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from . import selectors

DESK_STATS_CACHE_KEY = "claims:desk-stats"


@shared_task(name="claims.tasks.refresh_desk_stats", soft_time_limit=60, time_limit=90)
def refresh_desk_stats() -> dict:
    """Recompute the dashboard counts and keep them in the shared cache."""
    stats = selectors.desk_stats()
    cache.set(DESK_STATS_CACHE_KEY, stats, timeout=None)
    return stats
