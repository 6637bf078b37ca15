"""The peer: what a team would have with Django alone. A stock ModelAdmin for Claim with
Django's defaults, plus search on the claim text and the same columns as the desk's claims
table, on an AdminSite that only the benchmark creates and mounts (never the project's).

Mounted through a benchmark-only URLconf (this module) with
override_settings(ROOT_URLCONF="benchmarks.peer_admin")."""

from django.contrib import admin
from django.urls import include, path

from claims.models import Claim

# The columns the desk's claims table shows by default.
PEER_COLUMNS = ["statement", "claimant", "article", "status", "assignee", "claimed_on",
                "created_at"]

site = admin.AdminSite(name="peer_admin")


class PeerClaimAdmin(admin.ModelAdmin):
    list_display = PEER_COLUMNS
    search_fields = ["statement"]


site.register(Claim, PeerClaimAdmin)

urlpatterns = [
    path("peer-admin/", site.urls),
    # The project's own pages stay reachable (the admin templates link to login/logout).
    path("", include("factcheck.urls")),
]


def column_index(name: str) -> int:
    """The admin's `o=` parameter is the 1-based position in list_display."""
    return PEER_COLUMNS.index(name) + 1
