"""The dashboard: the desk's counts (cached), the rating chart, the user's claims, sources
and fact-check feeds that keep failing and recently published fact-checks. Reading needs a login."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims.selectors.claims import my_claims
from claims.selectors.dashboard import (
    desk_stats_cached,
    rating_chart,
    status_rows,
    waiting_for,
)
from claims.selectors.factchecks import failing_factcheck_feeds
from claims.selectors.sources import failing_sources
from claims.selectors.verdicts import recently_published


@login_required
def dashboard(request):
    stats = desk_stats_cached()
    return render(
        request,
        "claims/dashboard.html",
        {
            "stats": stats,
            "status_rows": status_rows(stats),
            "chart": rating_chart(stats),
            "my_claims": my_claims(request.user),
            "waiting": waiting_for(request.user),
            "failing_sources": failing_sources(),
            "failing_feeds": failing_factcheck_feeds(),
            "recently_published": recently_published(),
        },
    )
