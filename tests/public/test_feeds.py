"""The public feeds: ClaimReview JSON (filters, keyset pagination, constant queries) and
Atom/RSS via django.contrib.syndication."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClaimFactory, PublishedVerdictFactory, VerdictFactory

pytestmark = pytest.mark.django_db

FEED = "/feeds/claimreview.json"


@pytest.fixture
def published():
    """Seven published fact-checks a day apart (oldest first), and a draft that must not show."""
    start = timezone.now() - timedelta(days=10)
    verdicts = [
        PublishedVerdictFactory(published_at=start + timedelta(days=i)) for i in range(7)
    ]
    VerdictFactory(claim=ClaimFactory(statement="Draft only"))
    return verdicts


def test_feed_url_is_stable():
    assert reverse("feeds:claimreview") == FEED


def test_feed_lists_published_fact_checks_newest_first(client, published):
    body = client.get(FEED).json()
    statements = [r["claimReviewed"] for r in body["items"]]
    assert statements == [v.claim.statement for v in reversed(published)]
    assert body["next"] is None
    assert all(r["@type"] == "ClaimReview" for r in body["items"])


def test_feed_pages_with_next_links_without_skipping_or_repeating(client, published):
    seen, url, pages = [], f"{FEED}?page_size=3", 0
    while url:
        body = client.get(url).json()
        seen += [r["claimReviewed"] for r in body["items"]]
        url = body["next"]
        pages += 1
        if url:
            assert url.startswith("http://testserver/feeds/claimreview.json?")
            assert "page_size=3" in url
    assert pages == 3
    assert seen == [v.claim.statement for v in reversed(published)]


def test_published_after_filter(client, published):
    cut = published[4].published_at
    body = client.get(FEED, {"published_after": cut.isoformat()}).json()
    assert [r["claimReviewed"] for r in body["items"]] == [
        published[6].claim.statement, published[5].claim.statement
    ]
    day = (published[5].published_at + timedelta(days=1)).date().isoformat()
    body = client.get(FEED, {"published_after": day}).json()
    assert [r["claimReviewed"] for r in body["items"]] == [published[6].claim.statement]


def test_updated_after_filter(client, published):
    from claims.models import Verdict

    old = timezone.now() - timedelta(days=30)
    Verdict.objects.update(updated_at=old)
    Verdict.objects.filter(pk=published[1].pk).update(updated_at=timezone.now())
    since = (timezone.now() - timedelta(days=1)).isoformat()
    body = client.get(FEED, {"updated_after": since}).json()
    assert [r["claimReviewed"] for r in body["items"]] == [published[1].claim.statement]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"published_after": "yesterday"}, "published_after must be an ISO date"),
        ({"updated_after": "2026-13-45"}, "updated_after must be an ISO date"),
        ({"page_size": "0"}, "page_size must be a whole number from 1 to 200"),
        ({"page_size": "lots"}, "page_size must be a whole number"),
        ({"cursor": "not-a-cursor"}, "The cursor is not one this feed gave out"),
    ],
)
def test_bad_parameters_get_a_clear_error(client, published, params, message):
    response = client.get(FEED, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_feed_makes_constant_queries_whatever_the_rows(client, published):
    few = _queries(client, f"{FEED}?page_size=2")
    for _ in range(12):
        claim = ClaimFactory()
        ClaimFactory(appearance_of=claim)
        PublishedVerdictFactory(claim=claim)
    assert _queries(client, f"{FEED}?page_size=2") == few
    assert _queries(client, f"{FEED}?page_size=15") == few
    assert _queries(client, FEED) == few


def test_rss_and_atom_feeds(client, published):
    rss = client.get(reverse("feeds:rss"))
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ElementTree.fromstring(rss.content).findall("./channel/item")
    assert len(items) == 7
    newest = published[-1]
    assert items[0].findtext("title") == f"False: {newest.claim.statement}"
    assert items[0].findtext("link").endswith(f"/fact-checks/{newest.claim_id}/")
    assert newest.claim.quote in items[0].findtext("description")

    atom = client.get(reverse("feeds:atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ElementTree.fromstring(atom.content).findall("a:entry", ns)
    assert len(entries) == 7
    assert entries[0].find("a:updated", ns).text.startswith(
        newest.published_at.strftime("%Y-%m-%dT%H:%M")
    )


def test_rss_makes_constant_queries(client, published):
    few = _queries(client, reverse("feeds:rss"))
    for _ in range(5):
        PublishedVerdictFactory()
    assert _queries(client, reverse("feeds:rss")) == few
