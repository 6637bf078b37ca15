"""The desk's data model. Rules the database can enforce are constraints here; rules that
need a user or a workflow live in services.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import (
    ArticleStatus,
    CaptureStatus,
    ClaimStatus,
    FetchErrorKind,
    SourceStatus,
    Stance,
    VerdictState,
)

USER = settings.AUTH_USER_MODEL


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Article(TimeStamped):
    """A news article whose claims the desk logs. Pasted, uploaded or fetched from a URL."""

    title = models.CharField(max_length=500)
    url = models.URLField("URL", max_length=2000, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = models.DateField("published", null=True, blank=True)
    body = models.TextField(blank=True, help_text="The article text claims are anchored to.")
    body_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.READY
    )
    fetch_error = models.TextField(blank=True)
    # Internal material (a memo, a tip, a draft) that readers must never see: its title and
    # URL stay off public pages, ClaimReview and the feeds even when a published claim was
    # made in it or repeats in it. Public by default: the desk checks claims made in
    # published news, and ClaimReview's firstAppearance should name it; what keeps internal
    # material out when nobody ticks the box is the review: readers see only the
    # appearances recorded with an approved verdict (VerdictAppearance), never a link made
    # later, and the reviewer approves them with the rest of the fact-check.
    is_internal = models.BooleanField(
        "internal", default=False, db_default=False,
        help_text="Never shown to readers: public pages, ClaimReview and feeds leave it out.",
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="article_created_idx"),
            models.Index(fields=["-published_on", "-id"], name="article_published_idx"),
            models.Index(fields=["status"], name="article_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""), name="article_title_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("claims:article-detail", args=[self.pk])


class Claimant(TimeStamped):
    """Who made a claim: "Anders Fogh Rasmussen, NATO Secretary General"."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True, help_text="Title or role, e.g. Secretary General")
    organisation = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=2000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="claimant_name_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), Lower("organisation"), name="claimant_unique_name_org"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="claimant_name_not_empty"),
        ]

    def __str__(self) -> str:
        parts = [p for p in (self.role, self.organisation) if p]
        return f"{self.name}, {' '.join(parts)}" if parts else self.name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Claim(TimeStamped):
    """A checkable statement anchored to its exact words in an article.

    The anchor follows the W3C TextQuoteSelector idea: character offsets (Python code
    points) into `article.body` plus some text before and after, so the quote can be found
    again if the article text shifts."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        Claimant, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    statement = models.CharField(
        max_length=300,
        help_text="The claim as a short checkable statement (aim for under 75 characters).",
    )
    quote = models.TextField(help_text="The exact words in the article.")
    anchor_start = models.PositiveIntegerField()
    anchor_end = models.PositiveIntegerField()
    anchor_prefix = models.CharField(max_length=64, blank=True)
    anchor_suffix = models.CharField(max_length=64, blank=True)
    claimed_on = models.DateField("date claimed", null=True, blank=True)
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.NEW)
    not_checkable_reason = models.TextField(blank=True)
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    appearance_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appearances",
        help_text="The first claim this one repeats (ClaimReview firstAppearance/appearance).",
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Optimistic concurrency: a save that carries an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    # The statement and quote as a tsvector, kept by a PostgreSQL trigger (migration 0006)
    # and searched through its GIN index. Stored, because computing to_tsvector per row
    # while walking the table's date index took 100 ms+ per search page at 100k claims
    # (benchmarks/). Always empty on SQLite, which searches by substring.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_vector"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("change_published_claim",
             "Can change what readers see of a published fact-check outside a correction, "
             "recording a reason"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="claim_created_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="claim_status_created_idx"),
            models.Index(fields=["claimant", "-created_at", "-id"], name="claim_claimant_created_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_status_idx"),
            models.Index(fields=["article", "anchor_start"], name="claim_article_anchor_idx"),
            models.Index(fields=["-claimed_on", "-id"], name="claim_claimed_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anchor_end__gt=F("anchor_start")), name="claim_anchor_not_empty"
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="claim_statement_not_empty"),
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.NOT_CHECKABLE) | ~Q(not_checkable_reason=""),
                name="claim_not_checkable_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(appearance_of=F("id")), name="claim_not_appearance_of_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("claims:claim-detail", args=[self.pk])


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
            models.Index(fields=["source", "-started_at", "-id"], name="capture_source_started_idx"),
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
    state = models.CharField(max_length=20, choices=VerdictState.choices, default=VerdictState.DRAFT)
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
            models.Index(fields=["state", "submitted_at", "id"], name="verdict_state_submitted_idx"),
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


class Notification(models.Model):
    """In-app notice: a verdict sent back, approved or published; a claim assigned."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    verdict = models.ForeignKey(
        Verdict, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")
        ]

    def __str__(self) -> str:
        return self.message


class ClaimSuggestion(models.Model):
    """A sentence of an article the desk thinks is worth checking."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-score", "start"]
        indexes = [models.Index(fields=["article", "-score"], name="suggestion_article_score_idx")]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="suggestion_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggestion_span_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:80]
