"""Every API list and detail costs a fixed number of queries, whatever its length: pinned
here as the desk's pages are (tests/claims/views/test_query_counts.py). Each count includes
the token's own query (its row with its user; last use is written at most once a minute,
so the first request is made before counting)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import FactCheck, Tag
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, PublishedVerdictFactory
from tests.verdict_setup import captured_source_evidence, make_verdict

pytestmark = pytest.mark.django_db


def rows(users, n: int) -> None:
    """n of everything the lists show, with every relation a row can show filled."""
    tag = Tag.objects.get_or_create(name="economy")[0]
    for _ in range(n):
        claim = ClaimFactory(assignee=users["editor_author"], created_by=users["other_editor"])
        claim.tags.add(tag)
        captured_source_evidence(claim)
        make_verdict("approved", author=users["editor_author"], approver=users["reviewer"],
                     claim=claim, evidence=True)
        published = PublishedVerdictFactory()
        published.evidence.add(captured_source_evidence(published.claim))
        FactCheck.objects.create(url=f"https://fc.example/{claim.pk}", origin="feed",
                                 claim_reviewed=claim.statement)
        ArticleFactory()
        EvidenceFactory(source=None, note="A note.")


# The lists and their pinned cost: the token, then the page (plus one query per prefetch).
LISTS = {
    "/api/v1/claims/": 3,           # token, claims (joins, rating subqueries), tags
    "/api/v1/claims/?status=new&sort=-claimed_on&q=unemployment": 3,
    "/api/v1/articles/": 2,         # token, articles with their claim counts
    "/api/v1/claimants/": 2,
    "/api/v1/sources/": 2,
    "/api/v1/captures/": 2,
    "/api/v1/evidence/": 2,         # token, evidence joined to its source
    "/api/v1/verdicts/": 3,         # token, verdicts (rating, author, reviewer), evidence ids
    # token, published verdicts with claim, claimant, article; their cited evidence with
    # sources, the captures reviewed with them, the sources' latest captures
    "/api/v1/published/": 5,
    "/api/v1/factchecks/": 2,
}


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("url, expected", LISTS.items())
def test_a_list_costs_the_same_queries_for_one_row_or_a_full_page(api, roles, url, expected):
    client = api["reviewer"]
    client.get("/api/v1/me/")  # the token's first use writes last_used_at
    rows(roles, 1)
    few = count(client, url)
    rows(roles, 6)
    many = count(client, url + ("&" if "?" in url else "?") + "page_size=5")
    assert (few, many) == (expected, expected)


def detail_urls(users):
    rows(users, 1)
    claim = ClaimFactory()
    claim.tags.add(Tag.objects.get_or_create(name="economy")[0])
    evidence = captured_source_evidence(claim)
    verdict = make_verdict("published", author=users["editor_author"],
                           approver=users["reviewer"], claim=claim)
    capture = evidence.source.captures.get()
    return {
        f"/api/v1/claims/{claim.pk}/": 3,      # token, claim with its joins, tags
        f"/api/v1/articles/{claim.article_id}/": 3,  # token, article, its suggestions
        f"/api/v1/claimants/{claim.claimant_id}/": 2,
        f"/api/v1/sources/{evidence.source_id}/": 2,
        f"/api/v1/captures/{capture.pk}/": 2,
        f"/api/v1/evidence/{evidence.pk}/": 2,
        f"/api/v1/verdicts/{verdict.pk}/": 3,  # token, verdict with its joins, evidence ids
        f"/api/v1/published/{claim.pk}/": 5,  # as the list: 2 + the sources as reviewed
        f"/api/v1/factchecks/{FactCheck.objects.first().pk}/": 2,
    }


def test_every_detail_costs_a_fixed_number_of_queries(api, roles):
    client = api["reviewer"]
    client.get("/api/v1/me/")
    wrong = {url: (count(client, url), expected)
             for url, expected in detail_urls(roles).items()
             if count(client, url) != expected}
    assert not wrong, wrong
