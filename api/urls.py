"""The API's URLs: the resources of api/routes.py, the OpenAPI 3 schema and its documentation
page, all under /api/v1/ (namespace "api"). Any other address under /api/v1/ is the API's
JSON 404, never the desk's HTML page (the site's handler404, api.views.common.not_found)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.routes import router
from api.views.me import MeView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP forbids inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
