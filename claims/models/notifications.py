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


class NotificationPreference(models.Model):
    """What a person wants by e-mail. In the desk they always see every notice; without a
    row, both e-mails are on (the defaults)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_review_requests = models.BooleanField(
        "E-mail me when a verdict is submitted for review", default=True,
        help_text="Sent to everyone who may review (the Reviewers group), never to its authors.")
    email_my_work = models.BooleanField(
        "E-mail me about my own work", default=True,
        help_text="When a verdict of mine is approved, sent back or published, and when a claim "
        "is assigned to me.")

    def __str__(self) -> str:
        return f"Notification preferences of user {self.user_id}"
