"""Articles: list, read one (with its text), add one from text the desk has."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.serializers.articles import (
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleRepeatSerializer,
    ArticleSerializer,
)
from api.views.common import ERROR, ResourceViewSet, allowed
from claims.selectors.articles import article_table_rows, article_with_suggestions
from claims.services.articles import ArticleRepeat, article_create


class ArticleViewSet(ResourceViewSet):
    """Articles, newest first (the articles table's order)."""

    ordering = ("-created_at", "-id")

    def get_queryset(self):
        if self.action == "retrieve":
            return article_with_suggestions()
        return article_table_rows()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ArticleDetailSerializer
        if self.action == "create":
            return ArticleCreateSerializer
        return ArticleSerializer

    @extend_schema(request=ArticleCreateSerializer,
                   responses={201: ArticleDetailSerializer, 400: ERROR, 403: ERROR,
                              409: ArticleRepeatSerializer})
    def create(self, request):
        """Add an article from its text; a worker then scores its sentences. An article
        already on the desk (same URL or same text) answers 409 with the first copy's id in
        `existing`, unless `repeat_ok` is true."""
        allowed(request.user, "add_article")
        data = self.valid_body(ArticleCreateSerializer)
        try:
            article = article_create(user=request.user, **data)
        except ArticleRepeat as exc:
            return Response({"detail": " ".join(exc.messages), "code": "repeat",
                             "existing": exc.existing.pk}, status=status.HTTP_409_CONFLICT)
        return Response(ArticleDetailSerializer(article).data, status=status.HTTP_201_CREATED)
