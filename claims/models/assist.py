"""Claim suggestions: sentences of an article that the check-worthiness scorer thinks are
worth checking, kept until an editor logs or dismisses them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from claims.models.articles import Article
from claims.models.base import USER
from claims.models.claims import Claim


class ClaimSuggestion(models.Model):
    """A sentence of an article the desk thinks is worth checking."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    # The language of the sentence (ISO 639-1; the article's when the sentence is too short
    # to tell). The check-worthiness model scores only the languages it was trained on: a
    # sentence in another has no score ("not scored: Arabic") and is listed apart.
    language = models.CharField(max_length=16, blank=True, default="", db_default="")
    score = models.FloatField(null=True, blank=True)
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
            models.UniqueConstraint(fields=["article", "start", "end"],
                                    name="suggestion_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=F("start")),
                                   name="suggestion_span_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_scored(self) -> bool:
        return self.score is not None
