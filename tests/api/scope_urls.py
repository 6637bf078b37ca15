"""A URLconf for the scope tests: small views that read and write through the API's default
permission classes and its public-read class, as the resource views do."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import PublicReadTokenScope
from claims.permissions import require


class Resource(APIView):
    def get(self, request):
        return Response({"read": True})

    def post(self, request):
        # As a resource's write does: the service checks the user's own permission.
        require(request.user, "log_claim")
        return Response({"written": True}, status=201)


class PublicResource(Resource):
    permission_classes = [PublicReadTokenScope]


class Search(Resource):
    token_scope = "read"  # a POST that only reads


urlpatterns = [
    path("resource/", Resource.as_view()),
    path("public/", PublicResource.as_view()),
    path("search/", Search.as_view()),
    path("schema/", SpectacularAPIView.as_view()),
]
