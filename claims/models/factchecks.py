"""Fact-checks published anywhere: imported ClaimReview records (files, pages, feeds, Google
Fact Check Tools) and the desk's own published fact-checks, kept in step with the verdicts.

One row per fact-check URL: the URL, normalised (claims/fetching/urls.normalize_url), is the
key an import updates by, so importing the same file twice never duplicates a fact-check.
`claim_reviewed` is the text a lexical index (PostgreSQL full-text or trigram) and claim
matching will read; it is a plain TextField so such an index can be added by a migration
without changing the model's shape.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from claims.models.claims import Claim


class FactCheckOrigin(models.TextChoices):
    FILE = "file", "File"
    URL = "url", "Web address"
    FEED = "feed", "Feed"
    DESK = "desk", "This desk"


class FactCheckFeed(models.Model):
    """A feed of fact-checks an admin subscribes to (a DataFeed, a JSON or JSON Lines file,
    a page with ClaimReview markup): re-imported on a schedule through the network guard."""

    name = models.CharField(max_length=200)
    url = models.CharField(max_length=2000, unique=True, help_text="http or https only.")
    enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the last run failed, in words.")
    last_counts = models.JSONField(
        default=dict, blank=True, help_text="created, updated, skipped, rejected"
    )
    # The schedule: the beat task re-imports a feed once `interval_hours` have passed since
    # its last run. A run whose fetch failed for a reason that may pass (timeout, 5xx, 429)
    # is tried again sooner, with backoff; `next_run_at` says when it is due.
    interval_hours = models.PositiveIntegerField(
        default=24, help_text="How often to re-import it, in hours."
    )
    next_run_at = models.DateTimeField(
        null=True, blank=True, help_text="When it is next due; empty means now."
    )
    failures = models.PositiveIntegerField(
        default=0, help_text="Runs that failed in a row (0 after a success)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["enabled", "next_run_at"], name="factcheckfeed_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class FactCheck(models.Model):
    """One published fact-check: what claim it reviewed, who published it, what it rated
    the claim and where it lives. A fact-check with no rating is kept as unrated (empty
    `textual_rating`, no values)."""

    url = models.CharField(
        max_length=2000, unique=True, help_text="The fact-check's address, normalised."
    )
    claim_reviewed = models.TextField()
    title = models.TextField(blank=True)
    publisher_name = models.CharField(max_length=300, blank=True)
    publisher_url = models.CharField(max_length=2000, blank=True)
    author_name = models.CharField(max_length=300, blank=True)
    textual_rating = models.CharField(max_length=300, blank=True)
    rating_value = models.FloatField(null=True, blank=True)
    best_rating = models.FloatField(null=True, blank=True)
    worst_rating = models.FloatField(null=True, blank=True)
    rating_explanation = models.TextField(blank=True)
    date_published = models.DateField(null=True, blank=True)
    claimant = models.CharField(max_length=300, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    appearance_url = models.CharField(
        max_length=2000, blank=True, help_text="Where the claim was made (first appearance)."
    )
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47, e.g. en or pt-BR.")
    origin = models.CharField(max_length=10, choices=FactCheckOrigin.choices)
    source = models.CharField(
        max_length=2000, blank=True, help_text="The file or address it was imported from."
    )
    feed = models.ForeignKey(
        FactCheckFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="factchecks"
    )
    # The desk's own fact-check of this claim (origin "desk"), kept in step with the
    # published verdict by claims/services/factchecks.factcheck_sync_claim.
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="factcheck"
    )
    # sha256 of the stored values: an import that brings nothing new writes nothing.
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_published", "-id"]
        indexes = [
            models.Index(fields=["-date_published", "-id"], name="factcheck_published_idx"),
            models.Index(fields=["publisher_name", "-date_published"],
                         name="factcheck_publisher_idx"),
            models.Index(fields=["language", "-date_published"], name="factcheck_language_idx"),
            models.Index(fields=["origin", "-date_published"], name="factcheck_origin_idx"),
            # The matching indexes ask for the newest change (claims/factchecks/instep.py).
            models.Index(fields=["updated_at"], name="factcheck_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="factcheck_url_http",
            ),
            models.CheckConstraint(condition=~Q(claim_reviewed=""), name="factcheck_has_claim"),
            models.CheckConstraint(
                condition=Q(origin__in=FactCheckOrigin.values), name="factcheck_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(claim__isnull=True) | Q(origin=FactCheckOrigin.DESK),
                name="factcheck_claim_only_desk",
            ),
        ]

    def __str__(self) -> str:
        return self.claim_reviewed[:80]

    @property
    def is_rated(self) -> bool:
        return bool(self.textual_rating) or self.rating_value is not None


class ClaimFactCheckLink(models.Model):
    """An editor's word that a claim on the desk was already fact-checked by `factcheck`
    (one of the desk's own or one from outside), so nobody starts over on it. One row per
    pair; the history keeps who linked and unlinked what."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="factcheck_links")
    factcheck = models.ForeignKey(FactCheck, on_delete=models.CASCADE, related_name="claim_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "-linked_at", "-id"]
        indexes = [
            models.Index(fields=["claim", "-linked_at", "-id"], name="claimfactcheck_claim_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["claim", "factcheck"], name="claimfactcheck_unique"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} -> fact-check {self.factcheck_id}"
