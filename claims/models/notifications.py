"""In-app notifications: a verdict sent back, approved or published, a claim assigned."""

from __future__ import annotations

from django.db import models

from claims.models.base import USER
from claims.models.claims import Claim
from claims.models.verdicts import Verdict


class Notification(models.Model):
    """In-app notice: a verdict sent back, approved or published; a claim assigned."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    verdict = models.ForeignKey(
        Verdict, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"],
                         name="notification_inbox_idx")
        ]

    def __str__(self) -> str:
        return self.message
