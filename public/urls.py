"""Public pages, no login: mounted at /fact-checks/ by factcheck/urls.py."""

from django.urls import path

from public.views import (
    corrections,
    factcheck_detail,
    factcheck_list,
    methodology,
    snapshot,
    snapshot_raw,
)

app_name = "public"

urlpatterns = [
    path("", factcheck_list, name="list"),
    path("<int:pk>/", factcheck_detail, name="fact-check"),
    path("corrections/", corrections, name="corrections"),
    path("methodology/", methodology, name="methodology"),
    path("sources/<int:pk>/", snapshot, name="snapshot"),
    path("sources/<int:pk>/raw/", snapshot_raw, name="snapshot-raw"),
]
