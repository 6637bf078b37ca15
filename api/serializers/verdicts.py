"""Verdicts and the bodies of their workflow actions."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import (
    IdField,
    JsonInputSerializer,
    PersonSerializer,
    RatingSerializer,
    RecordSerializer,
    VersionSerializer,
)
from claims.models import Claim, Claimant, Evidence, Rating, Verdict


class VerdictSerializer(RecordSerializer):
    rating = RatingSerializer(read_only=True, allow_null=True)
    author = PersonSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    evidence = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Verdict
        fields = ["id", "claim", "version", "is_current", "supersedes", "state", "rating",
                  "summary", "rationale", "evidence", "author", "reviewer", "review_comment",
                  "override_reason", "correction_note", "claim_changes", "submitted_at",
                  "approved_at", "published_at", "lock_version", "created_at", "updated_at"]
        read_only_fields = fields


class VerdictDraftSerializer(JsonInputSerializer):
    """Save the claim's verdict as a draft: the first one (`lock_version` null), or the
    current one while it is a draft or sent back (`lock_version` as last read)."""

    claim = IdField(queryset=Claim.objects.all())
    lock_version = serializers.IntegerField(min_value=0, allow_null=True)
    rating = IdField(
        queryset=Rating.objects.all(), required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    default="")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = IdField(
        queryset=Evidence.objects.all(), many=True, required=False, default=None,
        help_text="The evidence it rests on (the claim's own); all of it when left out.")


class RequestChangesSerializer(VersionSerializer):
    comment = serializers.CharField(
        help_text="What must change.",
        error_messages={"blank": "Say what needs to change before sending it back."})


class ApproveSerializer(VersionSerializer):
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Only an admin approving their own verdict: why (it is recorded).")


class CorrectSerializer(VersionSerializer):
    """Correct a published verdict: a new version, submitted for review. Fields left out
    keep the published version's value."""

    correction_note = serializers.CharField(
        help_text="What was wrong and what changed: readers see this note.",
        error_messages={"blank": "Say what was wrong and what changed: readers see this note."})
    rating = IdField(queryset=Rating.objects.all(), required=False)
    summary = serializers.CharField(max_length=300, required=False)
    rationale = serializers.CharField(required=False)
    evidence = IdField(queryset=Evidence.objects.all(), many=True,
                                                  required=False)
    statement = serializers.CharField(max_length=300, required=False)
    claimant = IdField(queryset=Claimant.objects.all(),
                                                  required=False, allow_null=True)
    claimed_on = serializers.DateField(required=False, allow_null=True)
