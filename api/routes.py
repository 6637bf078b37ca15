"""The API's resources (mounted at /api/v1/ by api/urls.py): one router for the viewsets."""

from rest_framework.routers import DefaultRouter

from api.views.articles import ArticleViewSet
from api.views.claims import ClaimantViewSet, ClaimViewSet
from api.views.published import FactCheckViewSet, PublishedViewSet
from api.views.sources import CaptureViewSet, EvidenceViewSet, SourceViewSet
from api.views.verdicts import VerdictViewSet

router = DefaultRouter(trailing_slash=True)
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
