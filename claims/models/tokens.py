"""Personal API tokens: what a script or another newsroom tool presents to the API
(`Authorization: Bearer <token>`), on behalf of the person who made it.

The plain token is shown once when it is made and never stored: the row keeps its SHA-256
digest (a token carries 256 random bits, so a fast hash is as safe as a slow one and the
lookup stays one indexed query; unlike an HMAC with SECRET_KEY, rotating the key does not
invalidate every token) and a short public prefix, which the token begins with, so a person
can tell their tokens apart and a leaked one can be recognised."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.models.base import USER

# Every token starts with this, then its public prefix, then the secret: fct_<prefix>_<secret>.
TOKEN_MARK = "fct"


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


# What each scope lets a token do, as the token page explains it.
SCOPE_HELP = {
    TokenScope.READ: "Read articles, claims, sources, evidence and verdicts (GET requests).",
    TokenScope.WRITE: "Also log claims, attach sources and act on verdicts (POST, PUT, PATCH, "
    "DELETE), as far as your own role allows. Includes read.",
}


def scopes_normalised(scopes) -> str:
    """The stored form of a set of scopes: write implies read; space-separated, read first."""
    chosen = set(scopes)
    if TokenScope.WRITE in chosen:
        chosen.add(TokenScope.READ)
    return " ".join(s.value for s in TokenScope if s in chosen)


def token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token: a name, scopes, an optional expiry; revoked, never deleted by
    its owner, so the page still shows when it was last used."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scopes = models.CharField(
        max_length=20, help_text="Space-separated: “read”, or “read write”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who made it: its owner, or an admin who made it for them.")
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="apitoken_user_idx"),
            # The admin's list of everyone's tokens, newest first.
            models.Index(fields=["-created_at", "-id"], name="apitoken_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__in=["read", "read write"]), name="apitoken_scopes_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @property
    def display_prefix(self) -> str:
        """What the token page shows: the token's public beginning, never its secret."""
        return f"{TOKEN_MARK}_{self.prefix}_…"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def status(self, now=None) -> str:
        if self.revoked_at:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        return "active"
