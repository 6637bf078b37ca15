"""Reads of personal API tokens: a person's list for the token page, and the token a request
presents (one indexed query on its digest, with its user)."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.models import ApiToken
from claims.models.tokens import token_digest

# Longer than any token the desk makes (fct_ + 8 + _ + 43): garbage is refused unhashed.
TOKEN_MAX_LENGTH = 200


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The token page's list: newest first (index apitoken_user_idx)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_by_plain(plain: str) -> ApiToken | None:
    """The token whose secret this is (revoked and expired ones too: the caller says why it
    refuses them), with its user; None if no token has it."""
    if not plain or len(plain) > TOKEN_MAX_LENGTH:
        return None
    return (
        ApiToken.objects.select_related("user").filter(digest=token_digest(plain)).first()
    )
