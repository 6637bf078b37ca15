"""Articles: the texts claims are anchored to."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import JsonInputSerializer, RecordSerializer, WebAddressField
from claims.models import Article

ARTICLE_FIELDS = ["id", "title", "url", "outlet", "author", "published_on", "language",
                  "status", "is_internal", "created_at", "updated_at"]


class ArticleSerializer(RecordSerializer):
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "claim_count"]
        read_only_fields = fields


class ArticleDetailSerializer(RecordSerializer):
    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "body", "fetch_error"]
        read_only_fields = fields


class ArticleCreateSerializer(JsonInputSerializer):
    """An article from text the desk has (article_create)."""

    title = serializers.CharField(max_length=500)
    body = serializers.CharField(trim_whitespace=False)
    url = WebAddressField(required=False, allow_blank=True, default="")
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    author = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None)
    language = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                     default="")
    is_internal = serializers.BooleanField(required=False, default=False)
    repeat_ok = serializers.BooleanField(
        required=False, default=False,
        help_text="Add the article even if one with the same URL or text is on the desk.")


class ArticleRepeatSerializer(serializers.Serializer):
    """An article already on the desk (409): nothing was saved."""

    detail = serializers.CharField()
    code = serializers.CharField()
    existing = serializers.IntegerField(help_text="The id of the article already on the desk.")
