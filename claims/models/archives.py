"""The evidence archive of a capture: the page as a browser (or, without one, the HTTP
client) saw it, kept as files that can be verified by anyone, later, without the desk.

The files live in the default storage under archive_dir(); `files` lists them as the
manifest does (name, SHA-256, size). The manifest is what the RFC 3161 token signs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from claims.choices import ArchiveStatus, ArchiveVerification
from claims.models.sources import Capture


def archive_dir(capture_id: int) -> str:
    return f"archives/{capture_id}"


class CaptureArchive(models.Model):
    capture = models.OneToOneField(Capture, on_delete=models.CASCADE, related_name="archive")
    status = models.CharField(max_length=16, choices=ArchiveStatus.choices,
                              default=ArchiveStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # "browser" (Chromium through the guard: WARC, screenshot, PDF) or "http" (the response
    # alone, as a WARC), set when archived.
    method = models.CharField(max_length=16, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    files = models.JSONField(default=list, blank=True)
    blocked = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    timestamp_authority = models.CharField(max_length=500, blank=True)
    timestamped_at = models.DateTimeField(null=True, blank=True)
    timestamp_error = models.TextField(blank=True)
    error_message = models.TextField(blank=True)
    verification = models.CharField(max_length=16, choices=ArchiveVerification.choices,
                                    blank=True, default=ArchiveVerification.UNCHECKED)
    verification_problems = models.JSONField(default=list, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="archive_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ArchiveStatus.values),
                                   name="archive_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ArchiveStatus.DONE) | ~Q(manifest_sha256=""),
                name="archive_done_has_manifest"),
            models.CheckConstraint(
                condition=~Q(status=ArchiveStatus.FAILED) | ~Q(error_message=""),
                name="archive_failure_has_words"),
        ]

    def __str__(self) -> str:
        return f"archive of capture {self.capture_id} ({self.status})"

    def file_entry(self, name: str) -> dict | None:
        return next((f for f in self.files if f.get("name") == name), None)

    @property
    def has_screenshot(self) -> bool:
        return self.file_entry("screenshot.png") is not None
