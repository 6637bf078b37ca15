"""The desk's URLs under another path, for tests/test_urlcache.py."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("factcheck.urls"))]
