"""Articles: the news stories whose claims the desk logs, pasted, uploaded or fetched."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from claims.choices import ArticleStatus
from claims.models.base import USER, TimeStamped


class Article(TimeStamped):
    """A news article whose claims the desk logs. Pasted, uploaded or fetched from a URL."""

    title = models.CharField(max_length=500)
    url = models.URLField("URL", max_length=2000, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = models.DateField("published", null=True, blank=True)
    body = models.TextField(blank=True, help_text="The article text claims are anchored to.")
    body_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The language of the text (ISO 639-1), detected whenever the text is written
    # (claims/language.py); the one the page or the caller declares only when the text
    # cannot tell; "" when neither can.
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
            # An article already on the desk is found by its URL or its exact text.
            models.Index(fields=["url"], name="article_url_idx"),
            models.Index(fields=["body_sha256"], name="article_sha256_idx"),
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
