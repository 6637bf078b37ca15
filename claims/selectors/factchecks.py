"""Reads of fact-checks from outside and of the desk's own: the list in its default order
(newest first, indexed), with the filters pages and matching will use, and what an import
needs to know of the records it is about to write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import QuerySet

from claims.models import FactCheck


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

