"""Reads about claims: the claims table's rows, a claim's page (evidence, sources, history),
claimant suggestions and the user's own claims, each with the joins its page needs."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from claims.choices import ClaimStatus
from claims.models import (
    Claim,
    Claimant,
    Evidence,
    Source,
    Verdict,
)
from claims.selectors.verdicts import evidence_with_capture_state


def claim_list() -> QuerySet[Claim]:
    """Claims with everything a table row shows, in the indexed default order."""
    return Claim.objects.select_related("article", "claimant", "assignee").order_by(
        "-created_at", "-id"
    )


def _current_verdict(field: str) -> Subquery:
    # At most one current verdict per claim (a unique constraint): no ordering, so the
    # subquery does not join the claim again for Verdict's default order.
    return Subquery(
        Verdict.objects.filter(claim=OuterRef("pk"), is_current=True).order_by().values(field)[:1]
    )


# What a row of the claims table and of the API's claims list shows: the joins, and of each
# joined row only the columns the lists name (a user row alone has a dozen others, an
# article's body is tens of kilobytes). Building a page of 50 claims with every column of
# the claim, its article, claimant and assignee cost 9.8 ms of CPU; with these, 6.0.
CLAIM_LIST_FIELDS = (
    "id", "statement", "language", "status", "claimed_on", "version", "created_at",
    "updated_at",
    "article", "article__title", "claimant", "claimant__name", "claimant__kind", "claimant__role",
    "claimant__organisation", "claimant__url", "assignee", "assignee__username",
    "assignee__first_name", "assignee__last_name",
)


def claim_table_rows(*, with_tags: bool = True) -> QuerySet[Claim]:
    """Claims for the claims table and the API's claims list: related rows joined with only
    the columns a list shows (CLAIM_LIST_FIELDS), the current verdict's rating as two scalar
    subqueries, and (when the table shows them) tags prefetched, one query for a whole
    page."""
    rows = (
        claim_list()
        .only(*CLAIM_LIST_FIELDS)
        .annotate(
            rating_label=_current_verdict("rating__label"),
            rating_colour=_current_verdict("rating__colour"),
        )
    )
    return rows.prefetch_related("tags") if with_tags else rows


def claim_list_rows() -> QuerySet[Claim]:
    """The API's claims list: the claims table's rows, tags included."""
    return claim_table_rows()


def claim_page(pk: int) -> Claim:
    return (
        Claim.objects.select_related("article", "claimant", "assignee", "created_by")
        .prefetch_related("tags")
        .get(pk=pk)
    )


def claim_evidence(claim: Claim) -> QuerySet[Evidence]:
    """The claim's evidence in the order it was logged, with its source and author, and
    whether its source was ever captured (`captured`): the claim page's evidence list, its
    sources and its verdict panel read this one list."""
    return evidence_with_capture_state().filter(claim=claim).select_related("created_by")


def claim_sources(claim: Claim) -> QuerySet[Source]:
    return Source.objects.filter(evidence__claim=claim).order_by("evidence__created_at", "id")


def claim_history_records(claim: Claim, limit: int = 200) -> dict:
    """The claim's and its evidence's history records, newest first: read once for the claim
    page's timeline and for its verdict panel's audit trail (audit.claim_audit_trail)."""
    return {
        "claim_pk": claim.pk,
        "claim": list(
            Claim.history.filter(id=claim.pk).select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        ),
        "evidence": list(
            Evidence.history.filter(claim_id=claim.pk)
            .select_related("history_user", "source")
            .order_by("-history_date", "-history_id")[:limit]
        ),
    }


def claim_history(claim: Claim, limit: int = 50, records: dict | None = None) -> list:
    """Changes to the claim and its evidence, newest first, with who made them."""
    if records is None or records.get("claim_pk") != claim.pk:
        records = claim_history_records(claim, limit)
    claim_records = records["claim"][:limit]
    evidence_records = records["evidence"][:limit]
    records = []
    # Each record is compared with the next older one already loaded (record.prev_record
    # would cost a query per entry).
    for record, older in zip(claim_records, [*claim_records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            changes = [change.field for change in delta.changes if change.field != "version"]
        records.append({"kind": "claim", "record": record, "changes": changes})
    for record in evidence_records:
        records.append({"kind": "evidence", "record": record, "changes": []})
    records.sort(key=lambda r: r["record"].history_date, reverse=True)
    return records[:limit]


def claimant_matches(text: str, limit: int = 8) -> QuerySet[Claimant]:
    text = text.strip()
    if not text:
        return Claimant.objects.none()
    return Claimant.objects.filter(name__icontains=text).order_by("name", "id")[:limit]


def my_claims(user, limit: int = 10) -> QuerySet[Claim]:
    return (
        Claim.objects.select_related("article", "claimant")
        .filter(assignee=user)
        .exclude(status=ClaimStatus.PUBLISHED)
        .order_by("status", "-created_at", "-id")[:limit]
    )


def claimant_list() -> QuerySet[Claimant]:
    return Claimant.objects.order_by("name", "id")


def claim_api_detail() -> QuerySet[Claim]:
    """Claims with everything one claim's record shows (the API's claim detail): related
    rows joined, the current verdict's rating, tags prefetched."""
    return (
        Claim.objects.select_related("article", "claimant", "assignee", "created_by")
        .defer("search_vector", "article__body", "article__fetch_error")
        .annotate(
            rating_label=_current_verdict("rating__label"),
            rating_colour=_current_verdict("rating__colour"),
        )
        .prefetch_related("tags")
    )
