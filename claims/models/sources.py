"""Sources and evidence: the pages a claim is checked against, each fetch of them (Capture,
with the stored copy) and the evidence that links a source or a note to a claim."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import CaptureStatus, FetchErrorKind, SourceStatus, Stance
from claims.models.base import USER, TimeStamped
from claims.models.claims import Claim


class Source(TimeStamped):
    """One row per normalised URL, shared by every claim that cites it."""

    url = models.URLField("URL", max_length=2000, help_text="The URL as the editor gave it.")
    normalized_url = models.CharField(max_length=2000, unique=True)
    domain = models.CharField(max_length=253, help_text="Registrable domain, e.g. bbc.co.uk")
    status = models.CharField(
        max_length=16, choices=SourceStatus.choices, default=SourceStatus.PENDING
    )
    title = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error_kind = models.CharField(
        max_length=20, choices=FetchErrorKind.choices, blank=True, default=FetchErrorKind.NONE
    )
    last_error = models.TextField(blank=True)
    # Set by the re-check when a cited source changed or went dead since it was checked.
    content_changed_at = models.DateTimeField(null=True, blank=True)
    is_dead = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="source_created_idx"),
            models.Index(fields=["status", "status_changed_at"], name="source_status_changed_idx"),
            models.Index(fields=["domain", "-created_at"], name="source_domain_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SourceStatus.values), name="source_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def get_absolute_url(self) -> str:
        return reverse("claims:source-detail", args=[self.pk])


def snapshot_upload_to(instance: Capture, filename: str) -> str:
    # Content-addressed: identical bodies share one file.
    digest = instance.sha256
    return f"snapshots/{digest[:2]}/{digest[2:4]}/{digest}"


class Capture(models.Model):
    """One fetch of a source: what came back, what was extracted, or why it failed."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    status = models.CharField(max_length=16, choices=CaptureStatus.choices)
    # Identifies one fetch request (e.g. the task id plus attempt), so a redelivered task
    # cannot record a second successful capture for the same request.
    request_key = models.CharField(max_length=200, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256 of the body", max_length=64, blank=True)
    text_sha256 = models.CharField("SHA-256 of the text", max_length=64, blank=True)
    title = models.CharField(max_length=500, blank=True)
    byline = models.CharField(max_length=500, blank=True)
    published = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    snapshot = models.FileField(upload_to=snapshot_upload_to, max_length=300, blank=True)
    error_kind = models.CharField(
        max_length=20, choices=FetchErrorKind.choices, blank=True, default=FetchErrorKind.NONE
    )
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["source", "-started_at", "-id"],
                         name="capture_source_started_idx"),
            models.Index(fields=["sha256"], name="capture_sha256_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request_key"],
                condition=Q(status=CaptureStatus.SUCCESS) & ~Q(request_key=""),
                name="capture_one_success_per_request",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaptureStatus.SUCCESS) | ~Q(sha256=""),
                name="capture_success_has_sha256",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaptureStatus.FAILED) | ~Q(error_kind=""),
                name="capture_failure_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} @ {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class Evidence(TimeStamped):
    """A note on a claim, usually resting on a source: does it support or refute the claim?"""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    stance = models.CharField(max_length=16, choices=Stance.choices, default=Stance.CONTEXT)
    note = models.TextField(blank=True)
    excerpt = models.TextField(blank=True, help_text="The passage of the source that matters.")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["claim", "created_at", "id"], name="evidence_claim_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source"],
                condition=Q(source__isnull=False),
                name="evidence_one_per_claim_source",
            ),
            models.CheckConstraint(
                condition=Q(source__isnull=False) | ~Q(note=""),
                name="evidence_has_source_or_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source or self.note[:60]}"
