"""Sources, their captures and the evidence that cites them."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from api.serializers.common import (
    NOT_ONLY_SPACE,
    IdField,
    JsonInputSerializer,
    RecordSerializer,
    WebAddressField,
)
from claims.choices import Stance
from claims.models import Capture, Evidence, Source


class SourceSerializer(RecordSerializer):
    class Meta:
        model = Source
        fields = ["id", "url", "normalized_url", "domain", "status", "title", "attempts",
                  "next_attempt_at", "status_changed_at", "last_fetched_at", "last_error_kind",
                  "last_error", "content_changed_at", "is_dead", "created_at", "updated_at"]
        read_only_fields = fields


class SourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


class CaptureSerializer(RecordSerializer):
    """A fetch of a source: its metadata. The stored bytes are at `snapshot_url`."""

    snapshot_url = serializers.SerializerMethodField()

    class Meta:
        model = Capture
        fields = ["id", "source", "status", "attempt", "http_status", "final_url",
                  "content_type", "size_bytes", "sha256", "text_sha256", "title", "byline",
                  "published", "error_kind", "error_message", "started_at", "finished_at",
                  "duration_ms", "snapshot_url"]
        read_only_fields = fields

    def get_snapshot_url(self, capture) -> str | None:
        if not capture.snapshot:
            return None
        url = reverse("api:capture-snapshot", args=[capture.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class EvidenceSerializer(RecordSerializer):
    source = SourceRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Evidence
        fields = ["id", "claim", "source", "stance", "note", "excerpt", "created_at",
                  "updated_at"]
        read_only_fields = fields


class EvidenceCreateSerializer(JsonInputSerializer):
    """Evidence on a claim: on a source already cited on it, or a note of its own."""

    source = IdField(
        queryset=Source.objects.all(), required=False, allow_null=True, default=None)
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 trim_whitespace=False)
    excerpt = serializers.CharField(required=False, allow_blank=True, default="",
                                    trim_whitespace=False)

    alternatives = [
        ({"source": {"type": "integer"}}, ["source"]),
        ({"note": {"pattern": NOT_ONLY_SPACE}}, ["note"]),
    ]
    alternatives_refusal = {"note": "Write a note, or choose the source this evidence rests on."}


class SourceAttachSerializer(JsonInputSerializer):
    """Cite a web page on a claim: it is fetched in the background (poll the source)."""

    # The stored address is the normalised one (claims/fetching/urls.py), at most 2,000
    # characters; percent-encoding can make an address three times as long.
    url = WebAddressField(max_length=660)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False,
                                     default=Stance.CONTEXT)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    excerpt = serializers.CharField(required=False, allow_blank=True, default="")


class SourceAttachedSerializer(serializers.Serializer):
    """What attaching answers (202): the evidence, and the source to poll."""

    evidence = EvidenceSerializer()
    source = SourceSerializer()
