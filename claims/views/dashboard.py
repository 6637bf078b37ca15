"""The editor desk: thin views that parse the request, call a selector or a service, and
render. Reading needs a login; every write also checks the user's model permission."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims.selectors.claims import my_claims
from claims.selectors.dashboard import desk_stats_cached, rating_chart, status_rows
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
            "failing_sources": failing_sources(),
            "recently_published": recently_published(),
        },
    )
