"""The desk's published fact-checks in the request shape of Google Fact Check Tools'
`pages` API (ClaimReviewMarkupPage, https://developers.google.com/fact-check/tools/api/
reference/rest/v1alpha1/pages): one page a fact-check, ready to send to `pages.create`.

Each page is read from the fact-check's ClaimReview record (claims/exporters/claimreview.py),
so both exports say the same thing: the same claim text, rating, dates, claimant and
reviewed appearances. A non-ordinal rating (Unverifiable) carries only its textual rating
and explanation, as in the ClaimReview record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from claims.exporters.claimreview import claimreview_records


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def claim_author(node: dict | None) -> dict | None:
    """ClaimAuthor {name, jobTitle?, sameAs?} from the ClaimReview's claimant node."""
    if not node or not node.get("name"):
        return None
    author = {"name": node["name"]}
    if node.get("jobTitle"):
        author["jobTitle"] = node["jobTitle"]
    if node.get("url"):
        author["sameAs"] = node["url"]
    return author


def markup_rating(node: dict) -> dict:
    """ClaimRating from a schema.org Rating: numbers only for an ordinal rating."""
    rating = {"textualRating": node.get("alternateName", "")}
    for key in ("ratingValue", "bestRating", "worstRating", "ratingExplanation"):
        if node.get(key) is not None:
            rating[key] = node[key]
    return rating


def markup_page(record: dict) -> dict:
    """One ClaimReviewMarkupPage from one ClaimReview record."""
    item = record.get("itemReviewed") or {}
    markup: dict = {"claimReviewed": record["claimReviewed"]}
    if item.get("datePublished"):
        markup["claimDate"] = _day(item["datePublished"])
    appearances = [a["url"] for a in item.get("appearance", []) if a.get("url")]
    if appearances:
        markup["claimAppearances"] = appearances
    first = (item.get("firstAppearance") or {}).get("url")
    if first:
        markup["claimFirstAppearance"] = first
    author = claim_author(item.get("author"))
    if author:
        markup["claimAuthor"] = author
    markup["rating"] = markup_rating(record["reviewRating"])
    review_author = {"name": record["author"]["name"]}
    if record["author"].get("logo"):
        review_author["imageUrl"] = record["author"]["logo"]
    return {
        "pageUrl": record["url"],
        "publishDate": _day(record.get("datePublished")),
        "claimReviewAuthor": review_author,
        "claimReviewMarkups": [markup],
    }


def markup_pages(records: Iterable[dict]) -> Iterator[dict]:
    for record in records:
        yield markup_page(record)


def google_pages_records(verdicts, *, request=None) -> Iterator[dict]:
    """ClaimReviewMarkupPage records for a queryset from selectors.claimreview_verdicts(),
    read in chunks, so memory stays flat."""
    return markup_pages(claimreview_records(verdicts, request=request))
