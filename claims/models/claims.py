"""Claims and who made them: the claim anchored in its article, its claimant and its tags.
Rules the database can enforce are constraints here; rules that need a user or a workflow
are in claims/services/."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import ClaimantKind, ClaimantMergeState, ClaimStatus
from claims.models.articles import Article
from claims.models.base import USER, TimeStamped


class Claimant(TimeStamped):
    """Who made a claim: a person ("Anders Fogh Rasmussen, Secretary General, NATO") or an
    organisation ("National Institute on Drug Abuse"), as `kind` says; readers see it as a
    schema.org Person or Organization."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ClaimantKind.choices,
                            default=ClaimantKind.PERSON)
    role = models.CharField(max_length=200, blank=True,
                            help_text="Title or role, e.g. Secretary General")
    organisation = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=2000, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="claimant_name_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), Lower("organisation"), name="claimant_unique_name_org"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="claimant_name_not_empty"),
        ]

    @property
    def is_organisation(self) -> bool:
        return self.kind == ClaimantKind.ORGANISATION

    def __str__(self) -> str:
        name = self.name.strip().casefold()
        parts = [p for p in (self.role, self.organisation) if p and p.strip().casefold() != name]
        return ", ".join([self.name, *parts])


class ClaimantMerge(models.Model):
    """A proposal to merge a duplicate claimant into the one to keep: proposed by an editor,
    confirmed (or declined) by a reviewer. Confirming moves the duplicate's claims to the kept
    claimant and removes the duplicate; the names are kept here, as they were, for the record."""

    duplicate = models.ForeignKey(Claimant, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="merges_as_duplicate")
    kept = models.ForeignKey(Claimant, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="merges_as_kept")
    duplicate_name = models.CharField(max_length=500)
    kept_name = models.CharField(max_length=500)
    state = models.CharField(max_length=20, choices=ClaimantMergeState.choices,
                             default=ClaimantMergeState.PROPOSED)
    note = models.TextField(blank=True)
    proposed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    claims_moved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        permissions = [("confirm_claimantmerge", "Can confirm or decline merging claimants")]
        constraints = [
            models.CheckConstraint(condition=~Q(duplicate=F("kept")),
                                   name="claimantmerge_not_itself"),
            # One open proposal per duplicate: a second would move claims already moved.
            models.UniqueConstraint(fields=["duplicate"],
                                    condition=Q(state=ClaimantMergeState.PROPOSED),
                                    name="claimantmerge_one_open_per_duplicate"),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_name} into {self.kept_name} ({self.get_state_display()})"


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
    # The language of the claim's words (ISO 639-1, "" when it cannot be told): its
    # statement's, else its quote's, else the article's; detected whenever they are written
    # (claims/language.py).
    # db_default: rows loaded around the ORM (the benchmarks' COPY) get "" too.
    language = models.CharField(max_length=16, blank=True, default="", db_default="",
                                editable=False)
    # Optimistic concurrency: a save that carries an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    # The one-time key of the form (or the API request's Idempotency-Key) that logged the
    # claim, empty when none was sent: the same form sent twice finds this claim instead of
    # logging a copy.
    submission_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The statement and quote as a tsvector, kept by a PostgreSQL trigger (migration 0006)
    # and searched through its GIN index. Stored, because computing to_tsvector per row
    # while walking the table's date index took 100 ms+ per search page at 100k claims
    # (benchmarks/). Always empty on SQLite, which searches by substring.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # The language follows the statement and quote, which the history keeps.
    history = HistoricalRecords(excluded_fields=["updated_at", "search_vector",
                                                 "submission_key", "language"])

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
            models.Index(fields=["claimant", "-created_at", "-id"],
                         name="claim_claimant_created_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_status_idx"),
            models.Index(fields=["article", "anchor_start"], name="claim_article_anchor_idx"),
            models.Index(fields=["-claimed_on", "-id"], name="claim_claimed_on_idx"),
            # The claims table filtered by language, in its default order.
            models.Index(fields=["language", "-created_at", "-id"],
                         name="claim_language_created_idx"),
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
            # A key is the sender's own (an API client chooses its keys): one claim per key
            # and person.
            models.UniqueConstraint(
                fields=["created_by", "submission_key"],
                condition=~Q(submission_key=""),
                name="claim_submission_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("claims:claim-detail", args=[self.pk])
