"""The API's resources (mounted at /api/v1/ by api/urls.py): one router for the viewsets.

A record's URL takes any path segment as its id, and the view answers one that is not an
id with the API's JSON 404 (api/views/common.py's lookup_id), as it answers an unknown id:
a route that matched digits only would leave `/claims/abc/` to Django's HTML page."""

from rest_framework.routers import DefaultRouter

from api.views.articles import ArticleViewSet
from api.views.claims import ClaimantViewSet, ClaimViewSet
from api.views.published import FactCheckViewSet, PublishedViewSet
from api.views.sources import CaptureViewSet, EvidenceViewSet, SourceViewSet
from api.views.verdicts import VerdictViewSet


class ResourceRouter(DefaultRouter):
    """DefaultRouter, each record's id matched as any path segment without a dot (DRF's
    default, whatever the viewset's lookup_value_regex says; drf-spectacular then types it
    from the model, an integer). A dot, or a slash, leaves the address to api/urls.py's JSON
    404."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_url_kwarg = (getattr(viewset, "lookup_url_kwarg", None)
                            or getattr(viewset, "lookup_field", "pk"))
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[^/.]+)"


router = ResourceRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("articles", ArticleViewSet, basename="article")
router.register("claims", ClaimViewSet, basename="claim")
router.register("claimants", ClaimantViewSet, basename="claimant")
router.register("sources", SourceViewSet, basename="source")
router.register("captures", CaptureViewSet, basename="capture")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("published", PublishedViewSet, basename="published")
router.register("factchecks", FactCheckViewSet, basename="factcheck")
