"""Reads for claim assistance, each a fixed number of queries whatever the data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramDistance
from django.db import connection
from django.db.models import F, Q, Value

from claims.assist.progress import Progress, progress_get
from claims.assist.scoring import ATTRIBUTION, names_in
from claims.assist.similarity import (
    MIN_SIMILARITY,
    ClaimText,
    EmbeddingsUnavailable,
    embeddings_available,
    get_embedder,
    rank_candidates,
)
from claims.choices import ArticleStatus
from claims.models import Article, Claim, Claimant, ClaimSuggestion

BACKENDS = ("auto", "trigram", "python", "embeddings")


@dataclass
class ArticleSuggestions:
    open: list[ClaimSuggestion]  # scored, best first
    # In a language the check-worthiness model does not read: not scored, in text order.
    unscored: list[ClaimSuggestion]
    logged: list[ClaimSuggestion]  # each with .logged_claim, the claim that holds its words
    dismissed_count: int
    progress: Progress
    # Scoring was asked for, or the article has just arrived and was never scored: the
    # panel says so and follows the work until the results are there.
    waiting: bool


def article_suggestions(article: Article) -> ArticleSuggestions:
    """The article's suggestions, best first, split into open and already logged: two
    queries. A sentence counts as logged when a claim of the article holds any of its words,
    whether it was logged from the suggestion or selected by hand since it was scored, so
    the panel never invites a second claim for the same words."""
    rows = list(
        ClaimSuggestion.objects.filter(article=article)
        .select_related("claim")
        .order_by(F("score").desc(nulls_last=True), "start", "id")
    )
    claims = list(
        Claim.objects.filter(article=article)
        .only("id", "statement", "anchor_start", "anchor_end", "article_id")
        .order_by("anchor_start", "id")
    )
    open_rows, unscored, logged = [], [], []
    for s in rows:
        holder = s.claim if s.claim_id else next(
            (c for c in claims if c.anchor_start < s.end and c.anchor_end > s.start), None)
        s.logged_claim = holder
        if holder is not None:
            logged.append(s)
        elif s.dismissed_at is None:
            (open_rows if s.is_scored else unscored).append(s)
    state = progress_get(article.pk)
    never_scored = (
        not rows
        and not state.state
        and article.status == ArticleStatus.READY
        and bool(article.body.strip())
    )
    return ArticleSuggestions(
        open=open_rows,
        unscored=unscored,
        logged=logged,
        dismissed_count=sum(
            1 for s in rows if s.dismissed_at is not None and s.logged_claim is None
        ),
        progress=state,
        waiting=state.active or never_scored,
    )


@dataclass
class SimilarClaim:
    claim: Claim
    score: float


def similarity_backend() -> str:
    """Which way similar claims are found: the CLAIMS_SIMILARITY_BACKEND setting. "auto"
    (the default) means pg_trgm on PostgreSQL and the pure-Python trigram fallback
    elsewhere. "embeddings" (all-MiniLM-L6-v2, the optional `[embeddings]` extra) is opt-in:
    loading torch costs seconds per process and encoding costs CPU per candidate, which a
    desk should choose knowingly; without the extra it falls back to trigrams."""
    chosen = getattr(settings, "CLAIMS_SIMILARITY_BACKEND", "auto")
    if chosen not in BACKENDS:
        raise ValueError(f"CLAIMS_SIMILARITY_BACKEND must be one of {', '.join(BACKENDS)}.")
    if chosen == "embeddings" and not embeddings_available():
        chosen = "auto"
    if chosen == "auto":
        return "trigram" if connection.vendor == "postgresql" else "python"
    return chosen


def claim_family_ids(claim: Claim) -> set[int]:
    """The claim, its first appearance and every appearance of that: one query."""
    root_id = claim.appearance_of_id or claim.pk
    return set(
        Claim.objects.filter(Q(pk=root_id) | Q(appearance_of_id=root_id)).values_list(
            "pk", flat=True
        )
    ) | {claim.pk}


def _candidates_recent(exclude: set[int], limit: int) -> list[tuple[int, ClaimText]]:
    """The most recent claims: a bounded set, so a page costs the same on a desk of a
    million claims (older repeats are found on PostgreSQL, where pg_trgm searches all)."""
    rows = (
        Claim.objects.exclude(pk__in=exclude)
        .order_by("-created_at", "-id")
        .values_list("pk", "statement", "quote")[:limit]
    )
    return [(pk, ClaimText(statement, quote)) for pk, statement, quote in rows]


KNN_CANDIDATES = 25


def _candidates_trigram(query: ClaimText, exclude: set[int]) -> list[tuple[int, ClaimText]]:
    """PostgreSQL: the claims nearest by pg_trgm distance, on the statement and on the quote,
    each found by walking a GiST trigram index in distance order (migration 0007), so the
    cost does not grow with the desk; similarity() is checked and ranked in Python."""
    found: dict[int, ClaimText] = {}
    for field, text in (("statement", query.statement), ("quote", query.quote)):
        if not text:
            continue
        rows = (
            Claim.objects.exclude(pk__in=exclude)
            .annotate(distance=TrigramDistance(field, Value(text)))
            .order_by("distance")
            .values_list("pk", "statement", "quote")[:KNN_CANDIDATES]
        )
        for pk, statement, quote in rows:
            found.setdefault(pk, ClaimText(statement, quote))
    return list(found.items())


def claim_family(claim: Claim) -> list[Claim]:
    """The claim's first appearance and every appearance of it (with their articles), the
    claim itself included: one query."""
    root_id = claim.appearance_of_id or claim.pk
    return list(
        Claim.objects.filter(Q(pk=root_id) | Q(appearance_of_id=root_id))
        .select_related("article")
        .order_by("created_at", "id")
    )


def similar_claims(
    claim: Claim, *, limit: int = 5, backend: str | None = None, exclude: set[int] | None = None
) -> list[SimilarClaim]:
    """Existing claims that say the same thing as `claim`, best first, leaving out the
    claim's own appearances (or `exclude`). At most three queries, whatever the number of
    claims."""
    backend = backend or similarity_backend()
    exclude = claim_family_ids(claim) if exclude is None else exclude | {claim.pk}
    query = ClaimText(claim.statement, claim.quote)
    embedder = None
    if backend == "trigram":
        candidates = _candidates_trigram(query, exclude)
    elif backend == "embeddings":
        candidates = _candidates_recent(
            exclude, getattr(settings, "CLAIMS_EMBEDDING_CANDIDATES", 500)
        )
    else:
        candidates = _candidates_recent(
            exclude, getattr(settings, "CLAIMS_SIMILAR_CANDIDATES", 2000)
        )
    min_score = MIN_SIMILARITY
    if backend == "embeddings":
        try:
            embedder = get_embedder()
        except EmbeddingsUnavailable:
            embedder = None  # fall back to trigrams over the same candidates
        else:
            min_score = embedder.MIN_SIMILARITY
    ranked = rank_candidates(query, candidates, limit=limit, min_score=min_score, embedder=embedder)
    if not ranked:
        return []
    claims = Claim.objects.select_related("article", "claimant").in_bulk([pk for pk, _ in ranked])
    return [SimilarClaim(claims[pk], score) for pk, score in ranked if pk in claims]


# Words before a name that say who someone is, not what they are called.
HONORIFIC = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Councillor|Cllr|Senator|"
    r"Sen|Rep|Representative|Governor|Gov|Mayor|President|Prime Minister|Minister|"
    r"Secretary|Chancellor|General|Gen|Judge|Justice|Chief|Director|Commissioner)\.?\s+)+")


NAMES_LOOKED_UP = 12


def claimant_named_in(sentence: str) -> Claimant | None:
    """The claimant on file who the sentence says made it, for a first draft when a
    suggested sentence is logged in one click: a sentence that attributes ("said", "told",
    "according to") and names someone on file, by full name ("said Councillor Mark
    Ellison") or by title and surname ("Mr Ellison claimed"). None unless exactly one
    claimant fits: a guess is never made between two people. One query."""
    if not ATTRIBUTION.search(sentence):
        return None
    full, surnames = set(), set()
    # The first few names: a hostile "sentence" of thousands of names would make a query
    # no database takes (SQLite refuses an expression more than 1,000 deep).
    for name in names_in(sentence)[:NAMES_LOOKED_UP]:
        bare = HONORIFIC.sub("", name).strip()
        if not bare:
            continue
        if " " in bare:
            full.add(bare.casefold())
        elif bare != name:  # "Mr Ellison": a surname, said with a title
            surnames.add(bare.casefold())
    if not full and not surnames:
        return None
    wanted = Q()
    for name in full:
        wanted |= Q(name__iexact=name)
    for surname in surnames:
        wanted |= Q(name__iendswith=f" {surname}")
    found = list(Claimant.objects.filter(wanted).order_by("id")[:10])
    fits = [c for c in found if c.name.casefold() in full] or [
        c for c in found if c.name.casefold().rsplit(" ", 1)[-1] in surnames]
    return fits[0] if len(fits) == 1 else None
