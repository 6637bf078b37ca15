"""Public feeds of published fact-checks: ClaimReview JSON for partners and search tools,
Atom and RSS for readers. Mounted at /feeds/ (public/urls.py, FEEDS).

The JSON feed pages with a keyset cursor over (published_at, id), the verdicts' indexed
order: a page costs the same few queries at any depth, and publishing while a partner pages
through neither skips nor repeats a record.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_GET

from claims.exporters.claimreview import absolute_url, claimreview_for, public_path
from claims.params import object_id
from claims.selectors.verdicts import claimreview_feed_page, claimreview_verdicts

PAGE_SIZE = 50


MAX_PAGE_SIZE = 200


def parse_moment(name: str, value: str) -> datetime:
    """An ISO date or date-time from a query parameter (a date means its midnight, in the
    site's time zone; a date-time without an offset is read in it too)."""
    problem = ValidationError(
        f"{name} must be an ISO date (2026-01-31) or date-time "
        f"(2026-01-31T09:00:00Z), not {value!r}."
    )
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None else None
    except ValueError as error:  # well-formed but impossible, e.g. month 13
        raise problem from error
    if moment is None:
        if day is None:
            raise problem
        moment = datetime.combine(day, time.min)
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, and a
        # moment whose UTC time falls outside years 1-9999 cannot be asked about at all.
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ValidationError(
            f"{name} must be a moment between the years 1 and 9999, not {value!r}."
        ) from error


def _encode_cursor(verdict) -> str:
    raw = f"{verdict.published_at.isoformat()}|{verdict.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        moment = parse_datetime(stamp)
        pk = object_id(pk)
        if moment is None or pk is None:
            raise ValueError
        return moment.astimezone(UTC), pk
    except (ValueError, UnicodeDecodeError, OverflowError) as error:
        raise ValidationError(
            "The cursor is not one this feed gave out; start again from the first page."
        ) from error


def _page_size(value: str | None) -> int:
    if not value:
        return PAGE_SIZE
    size = object_id(value)
    if size is None or size > MAX_PAGE_SIZE:
        raise ValidationError(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return size


@require_GET
def claimreview_feed(request):
    """GET /feeds/claimreview.json?published_after=&updated_after=&page_size=&cursor="""
    def moment(name):
        return parse_moment(name, value) if (value := request.GET.get(name)) else None

    try:
        size = _page_size(request.GET.get("page_size"))
        cursor = request.GET.get("cursor")
        page = claimreview_feed_page(
            published_after=moment("published_after"), updated_after=moment("updated_after"),
            before=_decode_cursor(cursor) if cursor else None, size=size,
        )
    except ValidationError as error:
        return HttpResponseBadRequest(
            " ".join(error.messages), content_type="text/plain; charset=utf-8"
        )
    items, more = page[:size], len(page) > size
    next_url = None
    if more:
        query = request.GET.copy()
        query["cursor"] = _encode_cursor(items[-1])
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return JsonResponse(
        {
            "items": [claimreview_for(v, request=request) for v in items],
            "next": next_url,
            "page_size": size,
        },
        json_dumps_params={"ensure_ascii": False},
    )


class FactChecksFeed(Feed):
    """The latest published fact-checks as RSS 2.0.

    Feed readers render an item's description (RSS <description>, Atom <summary
    type="html">) and, in RSS, usually its title as HTML. What editors typed there is text,
    so it is sent HTML-escaped: the XML carries `&amp;lt;img ...` and a reader shows the
    characters "<img ...", never an element. (The XML writer's own escaping is not enough:
    a reader undoes it first, then renders the HTML.)"""

    description_template = None

    def title(self):
        return f"{settings.ORGANISATION_NAME}: fact-checks"

    def link(self):
        return settings.ORGANISATION_URL or settings.SITE_URL + "/"

    def description(self):
        return f"The latest fact-checks published by {settings.ORGANISATION_NAME}."

    def items(self):
        return claimreview_verdicts()[:PAGE_SIZE]

    def item_title_text(self, verdict) -> str:
        return f"{verdict.rating.label}: {verdict.claim.statement}"

    def item_title(self, verdict):
        return escape(self.item_title_text(verdict))

    def item_description(self, verdict):
        claimant = verdict.claim.claimant
        who = f"{claimant.name} said: " if claimant else ""
        correction = (
            f" Correction: {verdict.correction_note}" if verdict.correction_note else ""
        )
        return escape(f"{who}“{verdict.claim.quote}”. {verdict.summary}{correction}".strip())

    def item_link(self, verdict):
        return absolute_url(public_path(verdict.claim_id))

    def item_guid(self, verdict):
        return absolute_url(public_path(verdict.claim_id))

    item_guid_is_permalink = True

    def item_pubdate(self, verdict):
        return verdict.first_published_at or verdict.published_at

    def item_updateddate(self, verdict):
        return verdict.published_at

    def item_author_name(self, verdict):
        return settings.ORGANISATION_NAME

    def item_categories(self, verdict):
        return [verdict.rating.label]


class FactChecksAtomFeed(FactChecksFeed):
    feed_type = Atom1Feed

    def item_title(self, verdict):
        # An Atom <title> without a type is text (RFC 4287 3.1.1): readers show it as is.
        return self.item_title_text(verdict)

    def subtitle(self):
        return self.description()

