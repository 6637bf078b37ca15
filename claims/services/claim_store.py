"""The one way a claim already on file is saved. Every service that changes a claim (edit,
assign, status, links, the verdict workflow, a published correction, the admin) calls
claim_save, so every save bumps the version the desk's and the API's conflict checks
compare, records who made it and why, and never writes what the caller read long ago."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from claims.language import text_language
from claims.models import Article, Claim

# What a claim's language is read from.
LANGUAGE_FROM = {"statement", "quote", "article"}


def claim_language(statement: str, quote: str, *, article_language: str = "") -> str:
    """The language of a claim: its statement's (what the desk checks and publishes), else
    its quote's, else its article's when neither is long enough to tell."""
    return text_language(statement, quote, fallback=article_language)


@transaction.atomic
def claim_save(claim: Claim, *, fields: Iterable[str], user, reason: str) -> Claim:
    """Write `fields` of `claim` (the values the caller set on it) to the claim's row, with
    the version one above the stored one, the history row's user and change reason.

    The row is locked and read again first, and only `fields` are taken from the caller's
    copy: a copy read before someone else's save still bumps the stored version (never an
    older one), leaves their changes in place, and its history row shows the claim as it
    now is. The version is the locked row's plus one, which is what F("version") + 1 would
    store; it is computed here rather than in SQL because the history row copies the
    instance's values, and an F() expression is not a value. Afterwards `claim` holds the
    claim as stored. Rules (who may, which state) are the caller's: this only saves, and
    keeps the claim's language in step with its words (claim_language) when they change."""
    names = list(dict.fromkeys(fields))
    stored = Claim.objects.select_for_update().get(pk=claim.pk)
    for name in names:
        attname = Claim._meta.get_field(name).attname
        setattr(stored, attname, getattr(claim, attname))
    if LANGUAGE_FROM.intersection(names):
        article_language = (Article.objects.filter(pk=stored.article_id)
                            .values_list("language", flat=True).first() or "")
        stored.language = claim_language(stored.statement, stored.quote,
                                         article_language=article_language)
        names.append("language")
    stored.version += 1
    stored._history_user = user
    # The history table's reason column holds 100 characters.
    stored._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    stored.save(update_fields=[*names, "version", "updated_at"])
    return claim_take_stored(claim, stored)


def claim_take_stored(claim: Claim, stored: Claim) -> Claim:
    """Give the caller's copy of a claim the values of `stored` (the row as read under its
    lock), so what the caller shows or saves next starts from the claim as it is."""
    for field in Claim._meta.concrete_fields:
        setattr(claim, field.attname, getattr(stored, field.attname))
    return claim
