"""Reads of fact-checks from outside and of the desk's own: the list in its default order
(newest first, indexed), with the filters pages and matching will use, and what an import
needs to know of the records it is about to write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from claims.factchecks.matching import Match, match_texts
from claims.models import ClaimFactCheckLink, FactCheck, FactCheckFeed
from claims.selectors.lookups import any_of


class StoredState(NamedTuple):
    fingerprint: str
    origin: str
    claim_id: int | None


def factcheck_list(*, publisher: str = "", language: str = "", origin: str = "",
                   rated: bool | None = None) -> QuerySet[FactCheck]:
    """Fact-checks, newest first (factcheck_published_idx), optionally filtered."""
    qs = FactCheck.objects.order_by("-date_published", "-id")
    if publisher:
        qs = qs.filter(publisher_name=publisher)
    if language:
        qs = qs.filter(language=language)
    if origin:
        qs = qs.filter(origin=origin)
    if rated is True:
        qs = qs.exclude(textual_rating="", rating_value__isnull=True)
    elif rated is False:
        qs = qs.filter(textual_rating="", rating_value__isnull=True)
    return qs


def factcheck_states(urls: Iterable[str]) -> dict[str, StoredState]:
    """{url: what is stored} for the URLs among `urls` already on file (one query; an
    import asks once per batch)."""
    rows = FactCheck.objects.filter(url__in=list(urls)).values_list(
        "url", "fingerprint", "origin", "claim_id"
    )
    return {url: StoredState(fp, origin, claim_id) for url, fp, origin, claim_id in rows}



def factchecks_exist() -> bool:
    """Whether any fact-check is on file (the panels say how to import when none is)."""
    return FactCheck.objects.exists()


def claim_factcheck_links(claim_id: int) -> list[ClaimFactCheckLink]:
    """The fact-checks a claim is linked to, newest link first, each with its fact-check and
    who linked it (one query: claimfactcheck_claim_idx)."""
    return list(
        ClaimFactCheckLink.objects.filter(claim_id=claim_id)
        .select_related("factcheck", "linked_by")
        .order_by("-linked_at", "-id")
    )


def claim_linked_factcheck_ids(claim_id: int) -> set[int]:
    return set(ClaimFactCheckLink.objects.filter(claim_id=claim_id)
               .values_list("factcheck_id", flat=True))


def claim_export_factcheck_urls(claim_ids) -> dict[int, list[str]]:
    """{claim id: [fact-check URL, ...]} for one chunk of exported claims, oldest link
    first, in one query (the export adds it per chunk, never per row)."""
    found: dict[int, list[str]] = {}
    rows = (ClaimFactCheckLink.objects.filter(any_of("claim_id", claim_ids))
            .order_by("claim_id", "linked_at", "id")
            .values_list("claim_id", "factcheck__url"))
    for claim_id, url in rows:
        found.setdefault(claim_id, []).append(url)
    return found


def failing_factcheck_feeds(limit: int = 10) -> list[FactCheckFeed]:
    """Enabled feeds whose last run failed (an error recorded), the longest failing first."""
    return list(
        FactCheckFeed.objects.filter(enabled=True).exclude(last_error="")
        .order_by("-failures", "name", "id")[:limit]
    )


def best_of(*rankings: list[Match]) -> list[Match]:
    """One ranking from several (a claim's statement and its quote): each fact-check once,
    with its best score and that score's reasons, best first. It is linked by the speaker's
    name alone only if it is in every text it was found by."""
    best: dict[int, Match] = {}
    for ranking in rankings:
        for match in ranking:
            kept = best.get(match.factcheck_id)
            if kept is None:
                best[match.factcheck_id] = match
                continue
            chosen = match if match.score > kept.score else kept
            best[match.factcheck_id] = replace(
                chosen, name_only=kept.name_only and match.name_only,
                other_subject=kept.other_subject and match.other_subject)
    return sorted(best.values(), key=lambda m: (-m.score, m.factcheck_id))


def fact_check_matches(text: str, *, quote: str = "", speaker: str = "", top: int = 5,
                       exclude_claim_id: int | None = None) -> list[tuple[FactCheck, Match]]:
    """The fact-checks that best answer `text`, best first, with why each matched: the
    matching itself (claims/factchecks/matching.py) and one query for the rows. With a
    claim's `quote` (its exact words in the article) as well as its statement (often an
    editor's paraphrase), both are matched, in one pass, and each fact-check keeps its best
    score. `speaker`: the claimant's name, when known (the one who says a claim is often
    its fact-check's subject). The desk's own fact-check of `exclude_claim_id` (the claim
    being looked at) is left out."""
    texts = [text]
    if quote and " ".join(quote.split()).casefold() != " ".join(text.split()).casefold():
        texts.append(quote)
    matches = best_of(*match_texts(texts, top=top + (1 if exclude_claim_id is not None else 0),
                                   encode_limit=settings.FACTCHECK_ENCODE_LIMIT,
                                   speakers=[speaker] * len(texts)))
    rows = FactCheck.objects.in_bulk([m.factcheck_id for m in matches])
    found = [(rows[m.factcheck_id], m) for m in matches if m.factcheck_id in rows]
    if exclude_claim_id is not None:
        found = [(fc, m) for fc, m in found if fc.claim_id != exclude_claim_id]
    return found[:top]


# A match below this score is not worth an editor's look ("Already fact-checked" panels).
# Scores are the re-ranker's, about the chance that the fact-check answers the claim.
PANEL_MIN_SCORE = 0.3
PANEL_TOP = 3


def worth_showing(match: Match, min_score: float = PANEL_MIN_SCORE) -> bool:
    """Whether a panel offers this match: it scores at least `min_score`, and something of
    the claim itself (a word, a figure, its meaning) links it to the fact-check, not only
    the name of the one who said it. A claimant's name alone is no sign that the claim was
    checked: "My new album comes out on Friday" by Corey Feldman is not answered by "Corey
    Feldman was stabbed". (Ranked lists, match_claims and the API, keep such matches, with
    their reason.) Nor one about another place than the claim, or linked by a place's
    name alone (features.other_subject, on the default install)."""
    return match.score >= min_score and not match.name_only and not match.other_subject


def fact_check_matches_many(texts: list[str], *, top: int = PANEL_TOP,
                            min_score: float = PANEL_MIN_SCORE
                            ) -> list[list[tuple[FactCheck, Match]]]:
    """fact_check_matches for several texts at once (an article's suggested sentences): the
    matching runs once for all of them and one query reads every row, whatever the number
    of texts."""
    if not texts:
        return []
    results = match_texts(texts, top=top, encode_limit=settings.FACTCHECK_ENCODE_LIMIT)
    rows = FactCheck.objects.in_bulk({m.factcheck_id for found in results for m in found})
    return [[(rows[m.factcheck_id], m) for m in found
             if m.factcheck_id in rows and worth_showing(m, min_score)] for found in results]


def factcheck_feeds_due(now=None):
    """Enabled feeds whose next run is due (factcheckfeed_due_idx)."""
    now = now or timezone.now()
    return FactCheckFeed.objects.filter(enabled=True).filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
