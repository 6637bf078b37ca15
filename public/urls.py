"""The public site's URLs, no login: its pages (mounted at /fact-checks/ by factcheck/urls.py)
and its feeds (FEEDS, mounted at /feeds/ under the namespace "feeds")."""

from django.urls import path

from public.feeds import FactChecksAtomFeed, FactChecksFeed, claimreview_feed
from public.views import (
    corrections,
    factcheck_detail,
    factcheck_list,
    methodology,
    snapshot,
    snapshot_bundle,
    snapshot_raw,
    snapshot_screenshot,
    snapshot_wacz,
)

app_name = "public"

urlpatterns = [
    path("", factcheck_list, name="list"),
    path("<int:pk>/", factcheck_detail, name="fact-check"),
    path("corrections/", corrections, name="corrections"),
    path("methodology/", methodology, name="methodology"),
    path("sources/<int:pk>/", snapshot, name="snapshot"),
    path("sources/<int:pk>/raw/", snapshot_raw, name="snapshot-raw"),
    # The capture's evidence archive: its screenshot, web archive and evidence bundle.
    path("sources/<int:pk>/screenshot.png", snapshot_screenshot, name="snapshot-screenshot"),
    path("sources/<int:pk>/archive.wacz", snapshot_wacz, name="snapshot-wacz"),
    path("sources/<int:pk>/evidence.zip", snapshot_bundle, name="snapshot-bundle"),
]

FEEDS = (
    [
        path("claimreview.json", claimreview_feed, name="claimreview"),
        path("fact-checks.rss", FactChecksFeed(), name="rss"),
        path("fact-checks.atom", FactChecksAtomFeed(), name="atom"),
    ],
    "feeds",
)
