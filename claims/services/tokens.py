"""Personal API tokens: making one (its plain text is returned once and never stored),
revoking one, and recording when one was last used."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone

from claims.models import ApiToken, TokenScope
from claims.models.tokens import TOKEN_MARK, scopes_normalised, token_digest
from claims.permissions import require_api_token_owner

# Last use is written at most this often per token, so a burst of requests is not a burst
# of writes to the same row.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A person's active tokens: enough for every tool they connect, few enough to review.
ACTIVE_TOKENS_PER_USER = 50
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8


def _new_plain_token() -> tuple[str, str]:
    # 36**8 prefixes: a clash is about as likely as guessing the secret; the unique
    # constraint refuses one anyway.
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return prefix, f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(
    *,
    user,
    name: str,
    scopes,
    expires_at: datetime | None = None,
    owner=None,
) -> tuple[ApiToken, str]:
    """Make a token for `owner` (by default `user` themself; another person's only an
    administrator may make). Returns the token and its plain text, which exists only in this
    return value: show it once. Write implies read; an expiry must lie in the future."""
    owner = owner or user
    require_api_token_owner(user, owner.pk, "create_api_token_for_others")
    now = timezone.now()
    name = api_token_check(owner=owner, name=name, scopes=scopes, expires_at=expires_at,
                           now=now)
    chosen = {str(s) for s in scopes}
    prefix, plain = _new_plain_token()
    token = ApiToken.objects.create(
        user=owner, created_by=user, name=name, scopes=scopes_normalised(chosen),
        prefix=prefix, digest=token_digest(plain), expires_at=expires_at, created_at=now)
    return token, plain


def api_token_check(*, owner, name: str, scopes, expires_at: datetime | None,
                    now: datetime | None = None) -> str:
    """Raise ValidationError, by field and in words, unless a token with these details may be
    made for `owner` (a name, a known scope, an expiry in the future, fewer than
    ACTIVE_TOKENS_PER_USER active tokens). Returns the name, stripped. The admin's form asks
    it too, so its errors show beside the fields."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the token a name, so you can tell it apart later (for example "
                          "“CMS publishing”)."]
    elif len(name) > 100:
        errors["name"] = [f"Keep the name to 100 characters (it has {len(name)})."]
    chosen = {str(s) for s in scopes or ()}
    unknown = chosen - set(TokenScope.values)
    if unknown:
        errors["scopes"] = [f"Unknown scope: {', '.join(sorted(unknown))}. The scopes are "
                            "read and write."]
    elif not chosen:
        errors["scopes"] = ["Choose a scope: read, or write (which includes read)."]
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = ["The expiry must be in the future."]
    if not errors:
        active = ApiToken.objects.filter(user=owner, revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if active.count() >= ACTIVE_TOKENS_PER_USER:
            errors[NON_FIELD_ERRORS] = [
                f"{owner.get_username()} already has {ACTIVE_TOKENS_PER_USER} active tokens: "
                "revoke one that is no longer used first."]
    if errors:
        raise ValidationError(errors)
    return name


def api_token_revoke(*, user, token: ApiToken) -> bool:
    """Revoke a token (its owner, or an administrator): from now on it gets 401. False if it
    was already revoked."""
    require_api_token_owner(user, token.user_id, "revoke_api_token_of_others")
    if token.revoked_at is not None:
        return False
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now)
    token.revoked_at = now
    return bool(changed)


def api_token_record_use(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used now, unless that was already recorded less than
    LAST_USED_RESOLUTION ago (then no write at all). The conditional UPDATE keeps
    concurrent requests from writing the row more than once a minute either."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    changed = ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
    return bool(changed)
