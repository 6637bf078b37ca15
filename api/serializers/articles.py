"""Articles: the texts claims are anchored to."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import JsonInputSerializer, RecordSerializer, WebAddressField
from claims.language import language_name
from claims.models import Article, ClaimSuggestion

ARTICLE_FIELDS = ["id", "title", "url", "outlet", "author", "published_on", "language",
                  "status", "is_internal", "created_at", "updated_at"]


class ArticleSerializer(RecordSerializer):
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "claim_count"]
        read_only_fields = fields


class SuggestionSerializer(RecordSerializer):
    """A sentence of the article the desk suggests checking: scored by the check-worthiness
    model, or, in a language the model was not trained on, not scored (`score` null and
    `not_scored` says so in words: "not scored: Arabic")."""

    not_scored = serializers.SerializerMethodField(
        help_text="Empty for a scored sentence; else why it has no score, in words.")
    dismissed = serializers.SerializerMethodField()

    class Meta:
        model = ClaimSuggestion
        fields = ["id", "start", "end", "text", "language", "score", "not_scored", "reasons",
                  "dismissed", "claim"]
        read_only_fields = fields

    def get_not_scored(self, suggestion: ClaimSuggestion) -> str:
        if suggestion.is_scored:
            return ""
        return f"not scored: {language_name(suggestion.language) or 'another language'}"

    def get_dismissed(self, suggestion: ClaimSuggestion) -> bool:
        return suggestion.dismissed_at is not None


class ArticleDetailSerializer(RecordSerializer):
    suggestions = SuggestionSerializer(many=True, read_only=True, help_text=(
        "The sentences suggested for checking: the scored ones best first, then those in a "
        "language the model does not read, in text order."))

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "body", "fetch_error", "suggestions"]
        read_only_fields = fields


class ArticleCreateSerializer(JsonInputSerializer):
    """An article from text the desk has (article_create)."""

    title = serializers.CharField(max_length=500)
    body = serializers.CharField(trim_whitespace=False)
    url = WebAddressField(required=False, allow_blank=True, default="")
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    author = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None)
    language = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default="",
        help_text="The language of the text as a BCP 47 tag (en, pt-BR). The desk detects "
        "it from the text; this counts only when the text is too short to tell.")
    is_internal = serializers.BooleanField(required=False, default=False)
    repeat_ok = serializers.BooleanField(
        required=False, default=False,
        help_text="Add the article even if one with the same URL or text is on the desk.")


class ArticleRepeatSerializer(serializers.Serializer):
    """An article already on the desk (409): nothing was saved."""

    detail = serializers.CharField()
    code = serializers.CharField()
    existing = serializers.IntegerField(help_text="The id of the article already on the desk.")
