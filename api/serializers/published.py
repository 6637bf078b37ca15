"""What readers see: published fact-checks, and fact-checks imported from outside."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import RecordSerializer
from claims.models import FactCheck, Verdict
from claims.selectors.published import reviewed_evidence


class CitedSourceSerializer(serializers.Serializer):
    """A source a published fact-check cites, as the reviewer approved it: the address the
    editor cited, the title and time of the capture recorded with the verdict, and the
    address of our stored copy of it (empty when no copy was stored)."""

    title = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    stance = serializers.CharField(read_only=True)
    captured_at = serializers.DateTimeField(read_only=True, allow_null=True)
    stored_copy_url = serializers.CharField(read_only=True)


class PublishedFactCheckSerializer(RecordSerializer):
    """A claim's latest published verdict, as its public page shows it (an internal article
    is never named)."""

    claim = serializers.IntegerField(source="claim_id", read_only=True)
    statement = serializers.CharField(source="claim.statement", read_only=True)
    claimant = serializers.SerializerMethodField()
    claimed_on = serializers.DateField(source="claim.claimed_on", read_only=True,
                                       allow_null=True)
    appearance = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Verdict
        fields = ["claim", "statement", "claimant", "claimed_on", "appearance", "rating",
                  "summary", "rationale", "sources", "version", "correction_note",
                  "published_at", "page_url"]
        read_only_fields = fields

    def get_claimant(self, verdict) -> str | None:
        claimant = verdict.claim.claimant
        return str(claimant) if claimant else None

    def get_appearance(self, verdict) -> dict | None:
        article = verdict.claim.article
        if article.is_internal:
            return None
        return {"title": article.title, "url": article.url, "outlet": article.outlet}

    def get_rating(self, verdict) -> dict | None:
        rating = verdict.rating
        if rating is None:
            return None
        return {"label": rating.label, "slug": rating.slug, "value": rating.value,
                "colour": rating.colour}

    @extend_schema_field(CitedSourceSerializer(many=True))
    def get_sources(self, verdict) -> list[dict]:
        sources = []
        for evidence in reviewed_evidence(verdict):
            if evidence.source is None:
                continue
            capture = evidence.shown_capture
            sources.append({
                "title": capture.title if capture else "",
                "url": evidence.source.url,
                "stance": evidence.stance,
                "captured_at": capture.started_at if capture else None,
                "stored_copy_url": self._absolute(reverse("public:snapshot", args=[capture.pk]))
                if capture else "",
            })
        return CitedSourceSerializer(sources, many=True).data

    def get_page_url(self, verdict) -> str:
        return self._absolute(reverse("public:fact-check", args=[verdict.claim_id]))

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class FactCheckSerializer(RecordSerializer):
    class Meta:
        model = FactCheck
        fields = ["id", "url", "claim_reviewed", "title", "publisher_name", "publisher_url",
                  "author_name", "textual_rating", "rating_value", "best_rating",
                  "worst_rating", "rating_explanation", "date_published", "claimant",
                  "claim_date", "appearance_url", "language", "origin", "claim",
                  "imported_at", "updated_at"]
        read_only_fields = fields


class FactCheckMatchSerializer(serializers.Serializer):
    """One fact-check that may answer a text: the record, the re-ranker's score (0..1) and why
    it matched, in words (as the desk's "Already fact-checked" panels show)."""

    factcheck = FactCheckSerializer(read_only=True)
    score = serializers.FloatField(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class FactCheckMatchesSerializer(serializers.Serializer):
    text = serializers.CharField(read_only=True)
    matches = FactCheckMatchSerializer(many=True, read_only=True)
