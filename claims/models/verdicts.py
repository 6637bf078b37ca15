"""Verdicts and what hangs off them: the rating scales they use, each verdict version with
who wrote it (VerdictEditor), the appearances and source captures a reviewer approved with it
(VerdictAppearance, VerdictCapture), and the admin overrides of a published fact-check
(PublishedEdit). The two-person rule that the database can hold is a check constraint here;
the rest of it is in claims/permissions.py."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import VerdictState
from claims.models.articles import Article
from claims.models.base import USER, TimeStamped
from claims.models.claims import Claim, Claimant
from claims.models.sources import Capture, Evidence, Source


class RatingScale(TimeStamped):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_rating_scale"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One level of a scale. `value` is None for non-ordinal levels such as Unverifiable."""

    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="ratings")
    label = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60)
    value = models.SmallIntegerField(
        null=True, blank=True, help_text="Higher is truer. Empty for non-ordinal levels."
    )
    position = models.PositiveSmallIntegerField(default=0)
    definition = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#6c757d", help_text="Hex colour, e.g. #1a7f37")

    class Meta:
        ordering = ["scale", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "slug"], name="rating_unique_slug"),
            models.UniqueConstraint(fields=["scale", "label"], name="rating_unique_label"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="rating_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_ordinal(self) -> bool:
        return self.value is not None


class Verdict(TimeStamped):
    """A rating of a claim with its rationale. Corrections create a new version; the
    old version stays (is_current=False) so readers can see what changed."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="verdicts"
    )
    summary = models.CharField(max_length=300, blank=True)
    rationale = models.TextField(blank=True, help_text="Markdown.")
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="verdicts")
    state = models.CharField(max_length=20, choices=VerdictState.choices,
                             default=VerdictState.DRAFT)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="authored_verdicts")
    reviewer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="reviewed_verdicts"
    )
    review_comment = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why an admin approved their own verdict (two-person rule override)."
    )
    correction_note = models.TextField(blank=True)
    # What a correction changes on the claim itself (statement, claimant_id, claimed_on as
    # ISO text): held here while it is reviewed, written to the claim when it is published.
    # db_default too, so rows written around the ORM (COPY in benchmarks/, raw SQL) are valid.
    claim_changes = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, output_field=models.JSONField())
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency, as on Claim.
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["claim", "-version"]
        permissions = [
            ("review_verdict", "Can review (approve or send back) verdicts"),
            ("publish_verdict", "Can publish verdicts"),
            ("override_two_person_rule", "Can approve own verdict, recording a reason"),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at", "id"],
                         name="verdict_state_submitted_idx"),
            models.Index(fields=["-published_at", "-id"], name="verdict_published_idx"),
            models.Index(fields=["-updated_at", "-id"], name="verdict_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["claim", "version"], name="verdict_unique_version"),
            models.UniqueConstraint(
                fields=["claim"], condition=Q(is_current=True), name="verdict_one_current_per_claim"
            ),
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True)
                | ~Q(reviewer=F("author"))
                | ~Q(override_reason=""),
                name="verdict_two_person_rule",
            ),
            models.CheckConstraint(
                condition=~Q(state=VerdictState.PUBLISHED)
                | (Q(rating__isnull=False) & ~Q(rationale="") & Q(published_at__isnull=False)),
                name="verdict_published_complete",
            ),
            models.CheckConstraint(
                condition=Q(state__in=VerdictState.values), name="verdict_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Verdict v{self.version} on claim {self.claim_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("claims:claim-detail", args=[self.claim_id])

    @property
    def corrected_claimant(self) -> Claimant | None:
        """The claimant a correction puts on the claim (claim_changes), if it changes it."""
        claimant_id = (self.claim_changes or {}).get("claimant_id")
        return Claimant.objects.filter(pk=claimant_id).first() if claimant_id else None


class VerdictEditor(models.Model):
    """Someone who wrote part of a verdict version: drafted it, edited it, or wrote the
    correction that made it. One row per person and version, written by the services in the
    same transaction as the text (claims/services/verdicts.py). The two-person rule reads
    these rows with Verdict.author (claims/permissions.py): whoever wrote any of a version
    cannot review it. The history's change reasons ("Edited", ...) describe the changes in
    the audit trail and no rule reads them, so rewording one changes no rule."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="editor_rows")
    # A deleted account reviews nothing, so its rows can go with it.
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["verdict", "user"], name="verdict_editor_once"),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} wrote part of verdict {self.verdict_id}"


class VerdictAppearance(models.Model):
    """An article where the claim appears, as the reviewer approved it with this verdict
    version: readers see these, never a link made after the review."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="appearance_links")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["verdict", "position"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "article"], name="verdict_appearance_once"),
            models.UniqueConstraint(fields=["verdict", "position"],
                                    name="verdict_appearance_position"),
        ]

    def __str__(self) -> str:
        return f"{self.article} (verdict {self.verdict_id}, #{self.position})"


class VerdictCapture(models.Model):
    """The capture of a cited source that was current when a reviewer approved this verdict
    version: readers see its title and its stored copy, beside the source's address as the
    editor cited it (which no fetch changes). A source fetched again later gets a newer
    capture, which the desk shows as "newer capture since review"; it reaches readers only
    when a correction is approved (which records the then-current captures for the new
    version) and published. A source with no successful capture at approval has no row
    until the verdict is published (claims/services/verdicts.py)."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="capture_pins")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    # What readers were shown cannot be deleted from under them.
    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="verdict_pins")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["verdict", "source"], name="verdict_capture_once"),
        ]

    def __str__(self) -> str:
        return f"capture {self.capture_id} of source {self.source_id} (verdict {self.verdict_id})"


class PublishedEdit(models.Model):
    """A change to what readers see of a published fact-check made outside a correction (an
    admin's override, in the Django admin): who, when, why and what changed. Listed in the
    public corrections log beside the corrections."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="published_edits")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    record = models.CharField(max_length=40, help_text="What was changed: claim, evidence, ...")
    changes = models.JSONField(default=dict, help_text="{field: {before, after}}")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="published_edit_created_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="published_edit_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.record} of claim {self.claim_id} changed: {self.reason[:60]}"
