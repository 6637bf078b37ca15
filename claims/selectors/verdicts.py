"""Reads of verdicts: the verdict panel and the review queue on the desk, who wrote a
verdict (for the two-person rule), and what readers see (published verdicts, corrections)
for the public site, the feeds and the exports; the sources a fact-check cites, as
reviewed, are read in claims/selectors/published.py. Each read costs a fixed number of
queries, whatever the number of rows it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest, Substr

from claims.choices import CaptureStatus, VerdictState
from claims.models import (
    Capture,
    Claim,
    Evidence,
    PublishedEdit,
    Rating,
    RatingScale,
    Verdict,
    VerdictAppearance,
    VerdictEditor,
)
from claims.selectors.changes import ReaderChanges, reader_changes
from claims.selectors.published import reviewed_sources_prefetch


def claimreview_verdicts() -> QuerySet[Verdict]:
    """Published verdicts as readers see them (published_verdicts: a correction under review
    leaves the published version in place) with everything a ClaimReview record reads (claim,
    claimant, article, rating, the appearances and source captures reviewed with the verdict
    and its first publication date), so building any number of records costs a fixed number
    of queries."""
    first_published = (
        Verdict.objects.filter(claim_id=OuterRef("claim_id"), published_at__isnull=False)
        .order_by()
        .values("claim_id")
        .annotate(first=Min("published_at"))
        .values("first")
    )

    def scale_value(aggregate):
        return Subquery(
            Rating.objects.filter(scale_id=OuterRef("rating__scale_id"), value__isnull=False)
            .order_by()
            .values("scale_id")
            .annotate(v=aggregate("value"))
            .values("v")[:1]
        )

    return (
        published_verdicts()
        .select_related("rating", "claim__article", "claim__claimant")
        .prefetch_related(public_appearances_prefetch(), *reviewed_sources_prefetch())
        .annotate(
            first_published_at=Subquery(first_published[:1]),
            scale_worst=scale_value(Min),
            scale_best=scale_value(Max),
        )
        .order_by("-published_at", "-id")
    )


def verdict_versions(claim_id: int) -> QuerySet[Verdict]:
    """Every version of a claim's verdict, newest first, with what the panel shows."""
    return (
        Verdict.objects.filter(claim_id=claim_id)
        .select_related("rating", "author", "reviewer")
        .order_by("-version")
    )


def evidence_with_capture_state() -> QuerySet[Evidence]:
    """Evidence in the order it was logged, each saying whether its source was ever
    captured successfully (`captured`): what a reviewer checks before approving."""
    return Evidence.objects.select_related("source").annotate(
        captured=Exists(Capture.objects.filter(source_id=OuterRef("source_id"),
                                               status=CaptureStatus.SUCCESS))
    ).order_by("created_at", "id")


# How much of the article either side of a claim's quote is read to find its sentence
# (claims/highlight.py quote_in_sentence).
PASSAGE_REACH = 600


def review_queue() -> QuerySet[Verdict]:
    """Submitted verdicts, oldest first (indexed on state, submitted_at, id), each with its
    claim, claimant and article (the article's text only around the quote: `passage`, from
    `passage_start`), and the evidence it cites with whether each source was captured
    (`reader_evidence`, as reader_changes reads it)."""
    start = Greatest(F("claim__anchor_start") - PASSAGE_REACH, Value(0))
    return (
        Verdict.objects.filter(state=VerdictState.SUBMITTED, is_current=True)
        .select_related("claim__claimant", "claim__article", "rating", "author",
                        "supersedes__rating")
        .defer("claim__article__body")
        .annotate(
            passage_start=start,
            # Substr counts from 1.
            passage=Substr("claim__article__body", start + 1,
                           F("claim__anchor_end") - start + PASSAGE_REACH),
        )
        .prefetch_related(Prefetch("evidence", queryset=evidence_with_capture_state(),
                                   to_attr="reader_evidence"))
        .order_by("submitted_at", "id")
    )


@dataclass
class ReviewQueueItem:
    """A verdict in the review queue with what a reviewer reads before deciding."""

    verdict: Verdict
    changes: ReaderChanges  # what readers will see change, and the earlier send-backs
    quote: object = None  # the quote in its sentence (claims/highlight.py), set by the view
    actions: dict = field(default_factory=dict)


def review_queue_items(verdicts: list[Verdict]) -> list[ReviewQueueItem]:
    """The review queue's page of verdicts (from review_queue()) with what readers will see
    change with each (reader_changes, the read the claim page and the corrections log use).
    A fixed number of queries for the page."""
    changes = reader_changes(verdicts)
    return [ReviewQueueItem(verdict=v, changes=changes[v.pk]) for v in verdicts]


def verdict_current(*, claim: Claim) -> Verdict | None:
    return Verdict.objects.filter(claim=claim, is_current=True).first()


def claim_evidence_for_panel(claim: Claim) -> list[Evidence]:
    """All the claim's evidence, with whether each source was captured (the verdict panel)."""
    return list(evidence_with_capture_state().filter(claim=claim))


def cited_evidence_ids(verdict: Verdict | None) -> set[int]:
    return set(verdict.evidence.values_list("id", flat=True)) if verdict else set()


def verdict_edited_by(*, verdict: Verdict, user) -> bool:
    """Did this user write any of this verdict version (VerdictEditor)?"""
    return VerdictEditor.objects.filter(verdict_id=verdict.pk, user_id=user.pk).exists()


def verdicts_edited_by(*, verdict_ids, user) -> set[int]:
    """verdict_edited_by for many verdicts at once (a page of the review queue): the ids of
    those this user wrote any of, in one query."""
    return set(
        VerdictEditor.objects.filter(verdict_id__in=list(verdict_ids), user_id=user.pk)
        .values_list("verdict_id", flat=True)
    )


def published_verdicts() -> QuerySet[Verdict]:
    """What readers see: for each claim, its latest published version. A correction under
    review leaves the earlier published version in place until the correction is published."""
    return (
        # published_at is always set on a published verdict (a check constraint); saying so
        # lets PostgreSQL start verdict_published_idx after the NULLs, which sort first in
        # descending order: every draft and submitted verdict.
        Verdict.objects.filter(state=VerdictState.PUBLISHED, published_at__isnull=False)
        .exclude(superseded_by__state=VerdictState.PUBLISHED)
        .select_related("claim", "claim__claimant", "claim__article", "rating")
        .order_by("-published_at", "-id")
    )


def public_appearances_prefetch():
    """A verdict's reviewed appearances (`verdict.reviewed_appearances`, first appearance
    first): those recorded when the verdict was approved. A claim linked after the review is
    not among them; the exporter leaves out articles marked internal."""
    return Prefetch(
        "appearance_links",
        queryset=VerdictAppearance.objects.select_related("article").order_by("position"),
        to_attr="reviewed_appearances",
    )


def published_corrections() -> QuerySet[Verdict]:
    """Published corrections, newest first, with the version each one corrected."""
    return (
        # published_at__isnull=False: see published_verdicts().
        Verdict.objects.filter(state=VerdictState.PUBLISHED, supersedes__isnull=False,
                               published_at__isnull=False)
        .select_related("claim", "claim__claimant", "rating", "supersedes__rating")
        .order_by("-published_at", "-id")
    )


def published_edits(limit: int = 50):
    """Changes made to published fact-checks outside a correction (admin overrides, with
    their reasons), newest first, for the public corrections log."""
    published = Verdict.objects.filter(state=VerdictState.PUBLISHED).values("claim_id")
    return (
        PublishedEdit.objects.filter(claim_id__in=published)
        .select_related("claim").order_by("-created_at", "-id")[:limit]
    )


def claimreview_verdicts_for_claims(claims: QuerySet[Claim]) -> QuerySet[Verdict]:
    """Published verdicts of the claims an export selected (the claims table's filters)."""
    return claimreview_verdicts().filter(claim_id__in=claims.order_by().values("id"))


def claimreview_feed_page(*, published_after=None, updated_after=None, before=None,
                          size: int) -> list[Verdict]:
    """Up to `size + 1` records of the ClaimReview feed (the extra one says whether there is
    a next page): published or updated after the given moments, and after the keyset cursor
    `before` ((published_at, id) of the last record of the previous page), if given."""
    verdicts = claimreview_verdicts()
    if published_after is not None:
        verdicts = verdicts.filter(published_at__gt=published_after)
    if updated_after is not None:
        verdicts = verdicts.filter(updated_at__gt=updated_after)
    if before is not None:
        moment, pk = before
        verdicts = verdicts.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
    return list(verdicts[: size + 1])


def earlier_published_versions(verdict: Verdict) -> list[Verdict]:
    """The published versions a fact-check's current one replaced, newest first."""
    return list(
        Verdict.objects.filter(claim_id=verdict.claim_id, state=VerdictState.PUBLISHED,
                               version__lt=verdict.version)
        .select_related("rating").order_by("-version")
    )


def default_scale_ratings() -> tuple[RatingScale | None, list[Rating]]:
    """The default rating scale and its levels in order (the methodology page)."""
    scale = RatingScale.objects.filter(is_default=True).first()
    return scale, list(scale.ratings.order_by("position", "id")) if scale else []


def recently_published(limit: int = 10) -> QuerySet[Verdict]:
    return (
        # published_at__isnull=False lets the index skip the unpublished verdicts' NULLs
        # (see published_verdicts).
        Verdict.objects.filter(state=VerdictState.PUBLISHED, is_current=True,
                               published_at__isnull=False)
        .select_related("claim", "claim__claimant", "rating")
        .order_by("-published_at", "-id")[:limit]
    )


def verdict_list() -> QuerySet[Verdict]:
    """Verdicts with their rating, author, reviewer and the evidence each rests on: a fixed
    number of queries for a page of any length."""
    return Verdict.objects.select_related("rating", "author", "reviewer").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.only("id").order_by()))


def verdict_publish_problems(verdict: Verdict) -> list[str]:
    """What stops an approved verdict from being published, in words (empty when ready).
    IFCN: readers must be able to follow every source, so at least one cited source must
    have been captured successfully."""
    problems = []
    if not verdict.rating_id:
        problems.append("it has no rating")
    if not verdict.rationale.strip():
        problems.append("it has no rationale")
    cited_sources = verdict.evidence.filter(source__isnull=False).values("source_id")
    if not Capture.objects.filter(
        source_id__in=cited_sources, status=CaptureStatus.SUCCESS
    ).exists():
        problems.append(
            "none of the sources it cites has been fetched successfully (readers must be "
            "able to follow at least one source)"
        )
    return problems
