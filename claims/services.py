"""Writes with business rules. Views, forms, admin actions, commands and tasks call these;
they hold no rules of their own. Each raises ValidationError with a message in words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from .anchoring import AnchorError, anchor_at
from .choices import ArticleStatus, ClaimStatus
from .models import Article, Claim, Claimant, Tag

User = AbstractBaseUser


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Articles ---------------------------------------------------------------------------


def article_create(
    *,
    title: str,
    body: str,
    user: User | None = None,
    url: str = "",
    outlet: str = "",
    author: str = "",
    published_on: date | None = None,
    language: str = "",
    status: str = ArticleStatus.READY,
) -> Article:
    """Create an article from text the desk already has (pasted, uploaded or imported)."""
    article = Article(
        title=title.strip(),
        body=body,
        body_sha256=text_sha256(body) if body else "",
        url=url,
        outlet=outlet.strip(),
        author=author.strip(),
        published_on=published_on,
        language=language,
        status=status,
        created_by=user,
    )
    article.full_clean()
    article.save()
    return article


# --- Claimants --------------------------------------------------------------------------


def claimant_get_or_create(*, name: str, role: str = "", organisation: str = "") -> Claimant:
    """One claimant per name and organisation, whatever the letter case."""
    name, role, organisation = name.strip(), role.strip(), organisation.strip()
    if not name:
        raise ValidationError({"name": "Give the claimant's name."})
    existing = (
        Claimant.objects.annotate(lname=Lower("name"), lorg=Lower("organisation"))
        .filter(lname=name.lower(), lorg=organisation.lower())
        .first()
    )
    if existing:
        if role and not existing.role:
            existing.role = role
            existing.save(update_fields=["role", "updated_at"])
        return existing
    claimant = Claimant(name=name, role=role, organisation=organisation)
    claimant.full_clean(validate_constraints=False)
    claimant.save()
    return claimant


# --- Claims -----------------------------------------------------------------------------


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = raw.strip().lower()[:60]
        if name:
            tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


@transaction.atomic
def claim_log(
    *,
    article: Article,
    quote: str,
    start: int,
    end: int,
    statement: str,
    user: User | None = None,
    claimant: Claimant | None = None,
    claimed_on: date | None = None,
    tags: Iterable[str] = (),
    assignee: User | None = None,
) -> Claim:
    """Log a claim anchored to its exact words: the span [start, end) of the article body
    must hold the quote, character for character."""
    try:
        anchor = anchor_at(article.body, start, end, quote)
    except AnchorError as exc:
        raise ValidationError({"quote": str(exc)}) from exc
    claim = Claim(
        article=article,
        claimant=claimant,
        statement=statement.strip(),
        quote=quote,
        anchor_start=anchor.start,
        anchor_end=anchor.end,
        anchor_prefix=anchor.prefix,
        anchor_suffix=anchor.suffix,
        claimed_on=claimed_on or article.published_on,
        assignee=assignee,
        created_by=user,
    )
    claim.full_clean()
    claim.save()
    tag_objs = tags_from_names(tags)
    if tag_objs:
        claim.tags.set(tag_objs)
    return claim


def claim_assign(*, claim: Claim, assignee: User | None, user: User | None = None) -> Claim:
    claim.assignee = assignee
    claim.version += 1
    claim.save(update_fields=["assignee", "version", "updated_at"])
    return claim


_ALLOWED_CLAIM_MOVES = {
    ClaimStatus.NEW: {ClaimStatus.RESEARCHING, ClaimStatus.NOT_CHECKABLE},
    ClaimStatus.RESEARCHING: {ClaimStatus.NEW, ClaimStatus.NOT_CHECKABLE},
    ClaimStatus.NOT_CHECKABLE: {ClaimStatus.NEW, ClaimStatus.RESEARCHING},
    ClaimStatus.IN_REVIEW: set(),
    ClaimStatus.PUBLISHED: set(),
}


def claim_set_status(
    *, claim: Claim, status: str, user: User | None = None, reason: str = ""
) -> Claim:
    """Editors move a claim between new, researching and not checkable (with a reason).
    In review and published follow the verdict; a published claim changes only through a
    correction."""
    status = ClaimStatus(status)
    if status == claim.status:
        return claim
    if status not in _ALLOWED_CLAIM_MOVES[ClaimStatus(claim.status)]:
        raise ValidationError(
            f"A claim that is {claim.get_status_display().lower()} cannot be set to "
            f"{status.label.lower()} by hand: "
            + (
                "its status follows its verdict."
                if claim.status in (ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED)
                or status in (ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED)
                else "that move is not allowed."
            )
        )
    if status == ClaimStatus.NOT_CHECKABLE and not reason.strip():
        raise ValidationError({"reason": "Say why the claim cannot be checked."})
    claim.status = status
    claim.not_checkable_reason = reason.strip() if status == ClaimStatus.NOT_CHECKABLE else ""
    claim.version += 1
    claim.save(update_fields=["status", "not_checkable_reason", "version", "updated_at"])
    return claim


class ClaimEditConflict(ValidationError):
    """The claim changed since the editor opened the form: nothing was saved. `current` is
    the claim as it is now, so the page can show both versions side by side."""

    def __init__(self, message: str, *, current: Claim):
        super().__init__(message)
        self.current = current


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    version: int,
    statement: str,
    claimant: Claimant | None,
    claimed_on: date | None,
    tags: Iterable[str] = (),
    user: User | None = None,
) -> Claim:
    """Edit a claim's description. Optimistic concurrency: the edit carries the version
    the editor saw; if someone saved since, nothing is overwritten and the caller is told."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if current.version != version:
        raise ClaimEditConflict(
            "Someone else saved this claim while you were editing it. Nothing of yours was "
            "saved over their changes: compare the two versions below and save again.",
            current=current,
        )
    current.statement = statement.strip()
    current.claimant = claimant
    current.claimed_on = claimed_on
    current.version += 1
    current.full_clean()
    current.save()
    current.tags.set(tags_from_names(tags))
    return current


def evidence_add(
    *,
    claim: Claim,
    stance: str,
    note: str = "",
    excerpt: str = "",
    source=None,
    user: User | None = None,
):
    """Record a piece of evidence on a claim. It must rest on a source or say something in
    its note, and a source is cited once per claim."""
    from .models import Evidence

    note, excerpt = note.strip(), excerpt.strip()
    if source is None and not note:
        raise ValidationError({"note": "Write a note, or choose the source this evidence rests on."})
    if source is not None and Evidence.objects.filter(claim=claim, source=source).exists():
        raise ValidationError(
            {"source": "This source is already cited as evidence on this claim: edit that note instead."}
        )
    evidence = Evidence(
        claim=claim, source=source, stance=stance, note=note, excerpt=excerpt, created_by=user
    )
    evidence.full_clean()
    evidence.save()
    return evidence
