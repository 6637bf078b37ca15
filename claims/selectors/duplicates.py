"""Claims a new one may repeat, found before it is saved: claims on the same article whose
words overlap the new quote, and claims anywhere on the desk whose statement is
near-identical.

The cost is bounded whatever the size of the desk:
- overlapping words: the article's claims that start before the new quote ends, read
  through the (article, anchor_start) index (claim_article_anchor_idx);
- near-identical statements: on PostgreSQL the few claims nearest by trigram distance,
  found by walking the statement's GiST trigram index (migration 0007), as similar-claim
  search does; elsewhere the most recent CLAIMS_SIMILAR_CANDIDATES claims (the desk's
  claim_created_idx), the same bound the pure-Python similar-claim search uses.
Candidates are then compared word by word in Python, so both databases decide alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.conf import settings
from django.contrib.postgres.search import TrigramDistance
from django.db import connection
from django.db.models import Value

from claims.models import Article, Claim

WORD = re.compile(r"[^\W_]+")
# Two statements whose words (in order, whatever the letter case and punctuation) agree this
# much say the same thing: "The rail strikes are nearly over" and "Rail strikes are nearly
# over" (0.91) do; "... are not over" (0.83) and "fell by 12 per cent" against "fell by 15
# per cent" (0.83) do not.
NEAR_IDENTICAL = 0.85
# How many nearest statements PostgreSQL's index hands over to be compared.
NEAREST_STATEMENTS = 10
# At most this many claims of each kind are named to the editor.
SHOWN = 5
QUOTED = 80  # characters of an overlap shown in the warning


@dataclass
class DuplicateMatch:
    """An existing claim the new one may repeat, and why, in words ("the same words",
    "overlaps: “…”", "a near-identical statement")."""

    claim: Claim
    reasons: list[str] = field(default_factory=list)


def statement_words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def statements_near_identical(a: str, b: str) -> bool:
    words_a, words_b = statement_words(a), statement_words(b)
    if not words_a or not words_b:
        return False
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio() >= NEAR_IDENTICAL


def claims_overlapping(*, article: Article, start: int, end: int) -> list[Claim]:
    """The article's claims whose words [anchor_start, anchor_end) overlap [start, end),
    in the order of the text."""
    return list(
        Claim.objects.filter(article=article, anchor_start__lt=end, anchor_end__gt=start)
        .select_related("claimant")
        .order_by("anchor_start", "id")[:SHOWN]
    )


def _statement_candidates(statement: str) -> list[tuple[int, str]]:
    if connection.vendor == "postgresql":
        rows = (
            Claim.objects.annotate(distance=TrigramDistance("statement", Value(statement)))
            .order_by("distance")
            .values_list("pk", "statement")[:NEAREST_STATEMENTS]
        )
    else:
        rows = (
            Claim.objects.order_by("-created_at", "-id")
            .values_list("pk", "statement")[: getattr(settings, "CLAIMS_SIMILAR_CANDIDATES",
                                                      2000)]
        )
    return list(rows)


def claims_near_identical(statement: str) -> list[Claim]:
    """Claims anywhere on the desk whose statement is near-identical to `statement`, oldest
    first (the first appearance leads)."""
    ids = [pk for pk, text in _statement_candidates(statement)
           if statements_near_identical(statement, text)]
    if not ids:
        return []
    return list(
        Claim.objects.filter(pk__in=ids[:SHOWN]).select_related("article", "claimant")
        .order_by("created_at", "id")
    )


def _overlap_reason(article: Article, claim: Claim, start: int, end: int) -> str:
    if (claim.anchor_start, claim.anchor_end) == (start, end):
        return "the same words"
    words = " ".join(article.body[max(start, claim.anchor_start):
                                  min(end, claim.anchor_end)].split())
    if len(words) > QUOTED:
        words = words[: QUOTED - 1].rstrip() + "…"
    return f"overlaps: “{words}”"


def claim_duplicates(*, article: Article, start: int, end: int,
                     statement: str) -> list[DuplicateMatch]:
    """What a claim about to be logged (these words of the article, this statement) may
    repeat: the overlapping claims of the article first, in the order of the text, then
    near-identical statements elsewhere. Three queries at most."""
    found: dict[int, DuplicateMatch] = {}
    for claim in claims_overlapping(article=article, start=start, end=end):
        claim.article = article
        found[claim.pk] = DuplicateMatch(claim, [_overlap_reason(article, claim, start, end)])
    for claim in claims_near_identical(statement):
        match = found.setdefault(claim.pk, DuplicateMatch(claim))
        match.reasons.append("a near-identical statement")
    return list(found.values())
