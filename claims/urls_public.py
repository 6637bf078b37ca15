"""Public pages, no login: mounted at /fact-checks/ by factcheck/urls.py."""

from django.urls import path

from claims import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.factcheck_list, name="list"),
    path("<int:pk>/", views_public.factcheck_detail, name="fact-check"),
    path("corrections/", views_public.corrections, name="corrections"),
    path("methodology/", views_public.methodology, name="methodology"),
    path("sources/<int:pk>/", views_public.snapshot, name="snapshot"),
    path("sources/<int:pk>/raw/", views_public.snapshot_raw, name="snapshot-raw"),
]
