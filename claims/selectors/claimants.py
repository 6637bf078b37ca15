"""Reads about claimants: the one exactly named, the close names a typed name may mean, the
claimants page (with how many claims each has) and the merges waiting for a reviewer."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower

from claims.choices import ClaimantMergeState
from claims.models import Claimant, ClaimantMerge

# How many claimants the database hands over for ranking in Python at most: the cost of a
# look-up stays bounded whatever the size of the desk.
CLOSE_CANDIDATES = 50
# A name this alike (difflib's ratio, 0 to 1) is offered as "Did you mean ...?".
CLOSE_RATIO = 0.6


def normal_name(name: str) -> str:
    """A name as typed, with its spaces collapsed (what is compared and stored)."""
    return " ".join((name or "").split())


def claimants_named(name: str) -> list[Claimant]:
    """The claimants called exactly `name`, whatever the letter case (lowered by the
    database on both sides, as the unique constraint is: SQLite's LOWER() folds only ASCII)."""
    name = normal_name(name)
    if not name:
        return []
    return list(Claimant.objects.annotate(lname=Lower("name"))
                .filter(lname=Lower(Value(name))).order_by("id")[:5])


def claimant_close_names(name: str, *, limit: int = 5) -> list[Claimant]:
    """Claimants whose name is close to `name` but not exactly it, closest first: the names
    a half-typed or mistyped name may mean ("Kristi" -> "Kristi Noem"). The database narrows
    to names holding the first letters of a typed word (at most CLOSE_CANDIDATES, the same
    query on SQLite and PostgreSQL); difflib ranks them. A name that starts with the typed
    text, or whose words start with the typed words, counts as close."""
    typed = normal_name(name).casefold()
    words = [w for w in re.findall(r"\w+", typed) if len(w) >= 2][:4]
    if not words:
        return []
    narrow = Q()
    for word in words:
        narrow |= Q(name__icontains=word[:4])
    ranked = []
    for claimant in Claimant.objects.filter(narrow).order_by("name", "id")[:CLOSE_CANDIDATES]:
        candidate = claimant.name.casefold()
        if candidate == typed:
            continue
        ratio = SequenceMatcher(None, typed, candidate).ratio()
        candidate_words = re.findall(r"\w+", candidate)
        if candidate.startswith(typed) or all(
                any(c.startswith(w) for c in candidate_words) for w in words):
            ratio = max(ratio, 0.9)
        if ratio >= CLOSE_RATIO:
            ranked.append((-ratio, claimant.name.casefold(), claimant.pk, claimant))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:limit]]


def claimants_page(text: str = "") -> QuerySet[Claimant]:
    """The claimants page: each claimant with its number of claims, by name."""
    rows = Claimant.objects.annotate(claim_count=Count("claims")).order_by("name", "id")
    text = normal_name(text)
    if text:
        rows = rows.filter(name__icontains=text)
    return rows


def merges_to_confirm() -> QuerySet[ClaimantMerge]:
    """Proposed merges waiting for a reviewer, oldest first."""
    return (ClaimantMerge.objects.filter(state=ClaimantMergeState.PROPOSED)
            .select_related("duplicate", "kept", "proposed_by")
            .annotate(duplicate_claims=Count("duplicate__claims", distinct=True))
            .order_by("proposed_at", "id"))


def merges_recent(limit: int = 20) -> QuerySet[ClaimantMerge]:
    """Merges decided lately, newest first (the claimants page's record)."""
    return (ClaimantMerge.objects.exclude(state=ClaimantMergeState.PROPOSED)
            .select_related("proposed_by", "decided_by")
            .order_by("-decided_at", "-id")[:limit])


def claimant_suggestions(text: str, *, limit: int = 8) -> list[Claimant]:
    """What the claimant picker offers for a typed text: the claimant called exactly that
    first, then names that start with it, then names holding it, then close names (a
    mistyped name)."""
    typed = normal_name(text)
    if not typed:
        return []
    folded = typed.casefold()
    holding = list(Claimant.objects.filter(name__icontains=typed).order_by("name", "id")
                   [:CLOSE_CANDIDATES])
    holding.sort(key=lambda c: (c.name.casefold() != folded,
                                not c.name.casefold().startswith(folded),
                                c.name.casefold(), c.pk))
    found = holding[:limit]
    if len(found) < limit:
        seen = {c.pk for c in found}
        found += [c for c in claimant_close_names(typed, limit=limit) if c.pk not in seen]
    return found[:limit]
