"""One export row per claim, streamed in chunks: the shared input of the CSV and JSON
exporters.

The queryset (claim_export_queryset) is read with `.iterator(chunk_size)`, so the
database hands over rows a chunk at a time (a server-side cursor on PostgreSQL) and nothing
holds more than one chunk. Sources are many per claim, so they come in five extra queries
per chunk (claim_export_sources: evidence, sources, captures, the captures readers see, and
those captures' evidence archives) instead of one per row, and the linked fact-checks' URLs
in one more (claim_export_factcheck_urls), and the tags in one more (claim_export_tags).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice

from django.conf import settings
from django.urls import reverse

from claims.choices import VerdictState
from claims.exporters.claimreview import public_path
from claims.selectors.exports import (
    CLAIM_EXPORT_FIELDS,
    claim_export_queryset,
    claim_export_sources,
    claim_export_tags,
)
from claims.selectors.factchecks import claim_export_factcheck_urls

CHUNK_SIZE = 2000
# Records per string the exporters hand on (to the HTTP response, a file): one write per
# block, not per record.
BLOCK_ROWS = 200

# Column order of every export (CSV header, JSON keys).
COLUMNS = (
    "claim_id", "claim_url", "public_url", "statement", "quote", "language",
    "claimant", "claimant_kind", "claimant_role", "claimant_organisation",
    "article_title", "article_outlet", "article_url", "article_published_on",
    "status", "verdict_state", "verdict_version", "rating", "rating_value",
    "summary", "rationale", "correction_note", "sources",
    "author", "reviewer", "published_at", "corrected_at", "factcheck_urls", "tags",
)

_SENTINEL = 987654321


def _url_maker(path_with_sentinel: str):
    """reverse() once, then format: reversing a million times costs seconds."""
    prefix, _, suffix = (settings.SITE_URL + path_with_sentinel).partition(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def iso_datetime(value: datetime) -> str:
    """Every export writes times the same way: ISO 8601, UTC, microseconds."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def batched(iterable, size: int):
    """itertools.batched (Python 3.12+), for 3.11."""
    iterator = iter(iterable)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def _person(username, first, last) -> str:
    if username is None:
        return ""
    full = f"{first} {last}".strip()
    return full or username


def _source(source: tuple, snapshot_url) -> dict:
    (url, title, captured_at, sha256, snapshot, capture_id,
     manifest_sha256, wacz_sha256, screenshot_sha256, timestamped_at, authority) = source
    return {
        "url": url,
        "title": title,
        "captured_at": captured_at,
        "sha256": sha256,
        "snapshot_url": snapshot_url(capture_id) if snapshot else "",
        # The capture's evidence archive (empty without one): the manifest's SHA-256 (what
        # the trusted timestamp signs), the web archive's and the screenshot's, and when
        # and by whom the manifest was timestamped.
        "manifest_sha256": manifest_sha256,
        "wacz_sha256": wacz_sha256,
        "screenshot_sha256": screenshot_sha256,
        "timestamped_at": timestamped_at,
        "timestamp_authority": authority,
    }


def export_rows(
    queryset, *, chunk_size: int = CHUNK_SIZE, with_sources: bool = True
) -> Iterator[dict]:
    """Dicts keyed by COLUMNS, in the queryset's order. Values stay Python types (dates,
    ints, None, a list of source dicts, a list of tag names); each format decides how to
    write them. Without `with_sources` every row's sources are empty and none are read (the
    verdict report reads its own: claims.selectors.reports)."""
    claim_url = _url_maker(reverse("claims:claim-detail", args=[_SENTINEL]))
    public_url = _url_maker(public_path(_SENTINEL))
    snapshot_url = _url_maker(reverse("claims:capture-snapshot", args=[_SENTINEL]))
    published = VerdictState.PUBLISHED
    rows = queryset.values_list(*CLAIM_EXPORT_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in batched(rows, chunk_size):
        ids = [r[0] for r in chunk]
        sources = claim_export_sources(ids) if with_sources else {}
        factcheck_urls = claim_export_factcheck_urls(ids)
        tags = claim_export_tags(ids)
        for (
            pk, statement, quote, language, status,
            claimant, claimant_kind, role, organisation,
            title, outlet, article_url, article_published_on,
            state, version, rating, rating_value,
            summary, rationale, correction_note, published_at,
            author_u, author_f, author_l, reviewer_u, reviewer_f, reviewer_l,
            first_published_at,
        ) in chunk:
            # While a correction is drafted the claim stays published (its earlier version):
            # first_published_at is set from the first publication of any version.
            corrected = bool(version and version > 1 and state == published)
            yield {
                "claim_id": pk,
                "claim_url": claim_url(pk),
                "public_url": public_url(pk) if first_published_at else "",
                "statement": statement,
                "quote": quote,
                # ISO 639-1 code of the statement's language (claims.language); "": unknown.
                "language": language,
                "claimant": claimant or "",
                # person or organisation (schema.org Person or Organization); empty: nobody.
                "claimant_kind": claimant_kind or "",
                "claimant_role": role or "",
                "claimant_organisation": organisation or "",
                "article_title": title,
                "article_outlet": outlet,
                "article_url": article_url,
                "article_published_on": article_published_on,
                # Codes, not labels: they match the database and do not change with wording.
                "status": status,
                "verdict_state": state or "",
                "verdict_version": version,
                "rating": rating or "",
                "rating_value": rating_value,
                "summary": summary or "",
                "rationale": rationale or "",
                "correction_note": correction_note or "",
                "sources": [_source(s, snapshot_url) for s in sources.get(pk, ())],
                "author": _person(author_u, author_f, author_l),
                "reviewer": _person(reviewer_u, reviewer_f, reviewer_l),
                "published_at": first_published_at,
                "corrected_at": published_at if corrected else None,
                # The fact-checks elsewhere an editor linked the claim to (Already
                # fact-checked), oldest link first.
                "factcheck_urls": factcheck_urls.get(pk, []),
                # The claim's tags by name, alphabetically (claim_export_tags).
                "tags": tags.get(pk, []),
            }


def rows_for(params=None, *, claim_ids: Iterable[int] | None = None, chunk_size=CHUNK_SIZE):
    """Rows for the claims table's querystring (or a selection of claim ids)."""
    return export_rows(
        claim_export_queryset(params, claim_ids=claim_ids), chunk_size=chunk_size
    )
