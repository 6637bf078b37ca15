"""schema.org ClaimReview JSON-LD for published verdicts.

One record per published verdict, in the shape Google's fact-check tools read
(https://developers.google.com/search/docs/appearance/structured-data/factcheck):
required `claimReviewed`, `reviewRating` (with `alternateName`) and `url`; recommended
`author`, `datePublished` and `itemReviewed` (a `Claim` with its author, date and where it
appeared).

Non-ordinal ratings (Rating.value is None, e.g. "Unverifiable") carry only `alternateName`
and `ratingExplanation`: `ratingValue`/`bestRating`/`worstRating` are numbers on a truth
scale, and putting an Unverifiable verdict anywhere on that scale (say 0 or 3) would tell
machines it is "a bit false" or "half true". Google only requires `alternateName`, so the
record stays valid and says exactly what the desk said.

Reading the related rows: `claimreview_for` works on a bare Verdict (a few queries), and on
one from `selectors.verdicts.claimreview_verdicts()` with no query at all, which is what the feed
and the bulk exports use.

Only what was reviewed is public: the appearances are those recorded with the verdict when
it was approved (VerdictAppearance), and an article marked internal is never named. The
sources it cites (`citation`) are named by the captures recorded with it (VerdictCapture):
the title the reviewer saw, and our stored copy (`archivedAt`); a later re-fetch of
a source changes nothing here until a correction is published.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, Min
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.models import Rating
from claims.selectors.published import reviewed_evidence
from factcheck.urlpaths import pk_url

logger = logging.getLogger(__name__)

CONTEXT = "https://schema.org"
# Google shows at most this many characters of claimReviewed; longer ones are cut.
CLAIM_REVIEWED_MAX = 75


def public_path(claim_id: int) -> str:
    """The path of a claim's public fact-check page."""
    return pk_url("public:fact-check", claim_id)


def absolute_url(path: str, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path


def organisation() -> dict:
    org = {"@type": "Organization", "name": settings.ORGANISATION_NAME}
    if settings.ORGANISATION_URL:
        org["url"] = settings.ORGANISATION_URL
    return org


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def claimant_node(claimant) -> dict | None:
    """The claimant as its kind says: a Person (with jobTitle and affiliation) or an
    Organization (with the organisation it belongs to, when it names another one)."""
    if claimant is None:
        return None
    if claimant.is_organisation:
        node: dict = {"@type": "Organization", "name": claimant.name}
        parent = claimant.organisation.strip()
        if parent and parent.casefold() != claimant.name.strip().casefold():
            node["parentOrganization"] = {"@type": "Organization", "name": parent}
    else:
        node = {"@type": "Person", "name": claimant.name}
        if claimant.role:
            node["jobTitle"] = claimant.role
        if claimant.organisation:
            node["affiliation"] = {"@type": "Organization", "name": claimant.organisation}
    if claimant.url:
        node["url"] = claimant.url
    return node


def article_node(article) -> dict:
    node: dict = {"@type": "Article", "headline": article.title}
    if article.url:
        node["url"] = article.url
    if article.published_on:
        node["datePublished"] = _iso(article.published_on)
    if article.author:
        node["author"] = {"@type": "Person", "name": article.author}
    if article.outlet:
        node["publisher"] = {"@type": "Organization", "name": article.outlet}
    return node


def claim_appearances(claim) -> list:
    """Articles where the claim appears, first appearance first. A repeated claim points
    at the first one (Claim.appearance_of); its siblings are the first one's appearances."""
    root = claim.appearance_of if claim.appearance_of_id else claim
    claims = [root, *root.appearances.all()]
    seen: dict[int, object] = {}
    for c in sorted(claims, key=_appearance_order):
        seen.setdefault(c.article_id, c.article)
    return list(seen.values())


def public_appearances(verdict) -> list:
    """The articles readers may see the claim in, first appearance first: those recorded
    with the reviewed verdict (claims linked later stay on the desk until a correction is
    reviewed), never an internal one. A verdict with none recorded shows the article the
    claim was logged from, if it is public."""
    links = getattr(verdict, "reviewed_appearances", None)
    if links is None:
        links = list(verdict.appearance_links.select_related("article").order_by("position"))
    if not links:
        links_articles = [verdict.claim.article]
    else:
        links_articles = [link.article for link in links]
    return [article for article in links_articles if not article.is_internal]


def citation_nodes(verdict, request=None) -> list[dict]:
    """The sources the verdict cites, as reviewed: each as a CreativeWork with the address
    the editor cited, the title of the capture recorded with the verdict and the address of
    our stored copy of that capture."""
    nodes = []
    for evidence in reviewed_evidence(verdict):
        if evidence.source is None:
            continue
        capture = evidence.shown_capture
        node: dict = {"@type": "CreativeWork"}
        title = capture.title if capture else ""
        if title:
            node["name"] = title
        node["url"] = evidence.source.url
        if capture is not None:
            node["archivedAt"] = absolute_url(pk_url("public:snapshot", capture.pk), request)
        nodes.append(node)
    return nodes


def _appearance_order(claim):
    published = claim.article.published_on or claim.claimed_on or date.max
    # The root claim wins ties: the desk linked the others to it as repeats.
    return (published, claim.appearance_of_id is not None, claim.pk)


def scale_bounds(scale_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """{scale id: (worst value, best value)} over ordinal ratings, in one query."""
    qs = Rating.objects.filter(value__isnull=False)
    if scale_ids is not None:
        qs = qs.filter(scale_id__in=list(scale_ids))
    rows = qs.order_by().values("scale_id").annotate(worst=Min("value"), best=Max("value"))
    return {r["scale_id"]: (r["worst"], r["best"]) for r in rows}


def rating_node(verdict, bounds: dict[int, tuple[int, int]] | None = None) -> dict:
    rating = verdict.rating
    node: dict = {"@type": "Rating", "alternateName": rating.label}
    if rating.value is not None:
        annotated = (getattr(verdict, "scale_worst", None), getattr(verdict, "scale_best", None))
        if None not in annotated:
            bounds = {rating.scale_id: annotated}
        elif bounds is None or rating.scale_id not in bounds:
            bounds = scale_bounds([rating.scale_id])
        worst, best = bounds[rating.scale_id]
        node.update(ratingValue=rating.value, bestRating=best, worstRating=worst)
    explanation = verdict.summary or rating.definition
    if explanation:
        node["ratingExplanation"] = explanation
    return node


def first_published_at(verdict) -> datetime | None:
    """When the claim's fact-check was first published: the selector annotates it; a bare
    verdict walks back through the versions it corrected."""
    annotated = getattr(verdict, "first_published_at", None)
    if annotated is not None:
        return annotated
    earliest, node = verdict.published_at, verdict
    while node.supersedes_id:
        node = node.supersedes
        earliest = node.published_at or earliest
    return earliest


def is_corrected(verdict) -> bool:
    return bool(verdict.supersedes_id) or verdict.version > 1


def claimreview_for(
    verdict, *, request=None, bounds: dict[int, tuple[int, int]] | None = None
) -> dict:
    """The ClaimReview record of one published verdict, ready for json.dumps."""
    claim = verdict.claim
    appearances = public_appearances(verdict)
    item: dict = {"@type": "Claim"}
    # The claim's words' language (ISO 639-1, detected on every write), when the desk could
    # tell: schema.org's inLanguage of the Claim, so a reader or an aggregator can match it
    # with fact-checks of the same claim in other languages.
    if claim.language:
        item["inLanguage"] = claim.language
    author = claimant_node(claim.claimant)
    if author:
        item["author"] = author
    claim_date = claim.claimed_on or claim.article.published_on
    if claim_date:
        item["datePublished"] = _iso(claim_date)
    if appearances:
        item["firstAppearance"] = article_node(appearances[0])
        item["appearance"] = [article_node(a) for a in appearances]

    record: dict = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": absolute_url(public_path(claim.pk), request),
        "claimReviewed": claim.statement,
        "author": organisation(),
        "datePublished": _iso(first_published_at(verdict)),
        "reviewRating": rating_node(verdict, bounds),
        "itemReviewed": item,
    }
    if is_corrected(verdict):
        record["dateModified"] = _iso(verdict.published_at)
    citations = citation_nodes(verdict, request)
    if citations:
        record["citation"] = citations
    for problem in claimreview_warnings(record):
        logger.warning("ClaimReview for claim %s: %s", claim.pk, problem)
    return record


def claimreview_warnings(record: dict) -> list[str]:
    """What would make a valid record show badly, in words an editor can act on."""
    problems = []
    reviewed = record.get("claimReviewed", "")
    if len(reviewed) > CLAIM_REVIEWED_MAX:
        problems.append(
            f"The claim statement is {len(reviewed)} characters long; search engines show "
            f"only the first {CLAIM_REVIEWED_MAX}. Shorten it."
        )
    if "author" not in record.get("itemReviewed", {}):
        problems.append("The claim has no claimant, so the record cannot say who made it.")
    return problems


def claim_statement_warning(statement: str) -> str | None:
    """For forms: the too-long warning before anything is published."""
    if len(statement) > CLAIM_REVIEWED_MAX:
        return (
            f"{len(statement)} characters: search engines show only the first "
            f"{CLAIM_REVIEWED_MAX} of a fact-checked claim."
        )
    return None


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(record: dict):
    """`<script type="application/ld+json">` for a page. Editors' text goes inside a script
    element, so <, > and & are escaped as JSON unicode escapes (as Django's json_script
    does): a statement containing "</script>" cannot end the element."""
    payload = json.dumps(record, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def claimreview_records(verdicts, *, request=None, chunk_size: int = 500):
    """ClaimReview records for a queryset from selectors.verdicts.claimreview_verdicts(), read in
    chunks (prefetches run once per chunk), so memory stays flat."""
    for verdict in verdicts.iterator(chunk_size=chunk_size):
        yield claimreview_for(verdict, request=request)
