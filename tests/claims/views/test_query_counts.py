"""Guards for the benchmarks: every list page makes the same number of queries for 1 row as
for 30, in each of the ways `make bench` requests it (test_claims_table.py and
test_dashboard.py pin the claims table's default view and the dashboard; these add the
benchmark's other variants and the pages of the other parts of the desk). That the claims
table's orderings and filters are answered from an index on PostgreSQL is in
tests/claims/selectors/test_indexes.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from claims.models import Tag
from tests import factories

pytestmark = pytest.mark.django_db

ROWS = 30


@pytest.fixture
def editor(db):
    user = factories.UserFactory(username="bench-ed", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, params, response.status_code)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return len(queries)


def make_claims(n, *, editor, claimant, article=None, tag=None):
    """Claims that every variant below matches: same claimant, status, word, assignee, tag,
    each with a published verdict and a piece of evidence."""
    extra = {"article": article} if article else {}
    claims = factories.ClaimFactory.create_batch(
        n, claimant=claimant, status="researching", assignee=editor, **extra
    )
    for claim in claims:
        if tag:
            claim.tags.add(tag)
        factories.EvidenceFactory(claim=claim)
        factories.PublishedVerdictFactory(claim=claim)
    return claims


# The claims table as `make bench` requests it (benchmarks/pages.py), plus the other filters.
TABLE_VARIANTS = {
    "deep page": {"page": 2},
    "status": {"status": "researching"},
    "claimant": {"claimant": "{claimant}"},
    "text search": {"q": "unemployment"},
    "sorted by date claimed": {"sort": "-claimed_on"},
    "sorted by status": {"sort": "status"},
    "tag": {"tag": "{tag}"},
    "assignee": {"assignee": "{editor}"},
    "rating": {"rating": "{rating}"},
}


@pytest.mark.parametrize("variant", list(TABLE_VARIANTS))
def test_claims_table_variants_make_constant_queries(client_ed, editor, variant):
    url = reverse("claims:claim-list")
    claimant = factories.ClaimantFactory()
    tag = factories.models.Tag.objects.create(name="economy")
    rating = factories.default_rating()
    values = {"claimant": claimant.pk, "tag": tag.pk, "editor": editor.pk, "rating": rating.pk}
    params = {k: str(v).format(**values) for k, v in TABLE_VARIANTS[variant].items()}
    # Page 2 needs a first page before it: 50 rows, then 1 or ROWS more.
    base = 50 if "page" in params else 0
    make_claims(base + 1, editor=editor, claimant=claimant, tag=tag)
    one = queries_for(client_ed, url, params)
    make_claims(ROWS - 1, editor=editor, claimant=claimant, tag=tag)
    assert queries_for(client_ed, url, params) == one


def test_claims_table_with_every_column_makes_constant_queries(client_ed, editor):
    """Each row reads only the columns the lists show (CLAIM_LIST_FIELDS): every column on,
    a row's article, claimant, assignee, tags, language and dates come with the page, never
    as a query of their own."""
    from claims.tables import ClaimTable
    from claims.views.claims import CLAIM_COLUMNS_SESSION_KEY

    session = client_ed.session
    session[CLAIM_COLUMNS_SESSION_KEY] = [name for name, _ in ClaimTable.optional_columns()]
    session.save()
    url = reverse("claims:claim-list")
    claimant = factories.ClaimantFactory(name="Minister Ann Example")
    tag = factories.models.Tag.objects.create(name="economy")
    make_claims(1, editor=editor, claimant=claimant, tag=tag)
    one = queries_for(client_ed, url)
    claims = make_claims(ROWS - 1, editor=editor, claimant=claimant, tag=tag)
    assert queries_for(client_ed, url) == one
    html = client_ed.get(url).content.decode()
    last = claims[-1]
    for shown in (last.statement, last.article.title, "Minister Ann Example", "economy",
                  editor.get_full_name(), f"#{last.pk}"):
        assert shown in html


def test_article_page_makes_constant_queries(client_ed, editor):
    claimant = factories.ClaimantFactory()
    article = factories.ArticleFactory()
    make_claims(1, editor=editor, claimant=claimant, article=article)
    url = reverse("claims:article-detail", args=[article.pk])
    one = queries_for(client_ed, url)
    make_claims(ROWS - 1, editor=editor, claimant=claimant, article=article)
    assert queries_for(client_ed, url) == one


def test_source_page_makes_constant_queries(client_ed):
    source = factories.SourceFactory(status="fetched")
    factories.CaptureFactory(source=source)
    factories.EvidenceFactory(source=source)
    url = reverse("claims:source-detail", args=[source.pk])
    one = queries_for(client_ed, url)
    factories.CaptureFactory.create_batch(ROWS - 1, source=source)
    for _ in range(ROWS - 1):
        factories.EvidenceFactory(source=source)
    assert queries_for(client_ed, url) == one


def test_dashboard_with_cold_cache_makes_constant_queries(client_ed, editor):
    """The first visit after the cache expired counts from the database: still a fixed
    number of queries, whatever the number of claims, verdicts and ratings."""
    url = reverse("claims:dashboard")
    claimant = factories.ClaimantFactory()
    make_claims(1, editor=editor, claimant=claimant)
    cache.clear()
    one = queries_for(client_ed, url)
    make_claims(ROWS - 1, editor=editor, claimant=claimant)
    for slug in ("true", "half-true", "unverifiable"):
        factories.PublishedVerdictFactory(rating=factories.default_rating(slug))
    cache.clear()
    assert queries_for(client_ed, url) == one


def publish(n):
    """n published fact-checks, each corrected once (both versions published, the
    correction current), so the public list and the corrections page both have n rows."""
    for _ in range(n):
        first = factories.PublishedVerdictFactory(is_current=False)
        factories.PublishedVerdictFactory(
            claim=first.claim, version=2, supersedes=first, correction_note="Fixed a figure.")


@pytest.mark.parametrize("name", ["public:list", "public:corrections"])
def test_public_lists_make_constant_queries(client, name):
    url = reverse(name)
    publish(1)
    one = queries_for(client, url)
    publish(ROWS - 1)
    assert queries_for(client, url) == one


def test_review_queue_makes_constant_queries(client_ed):
    url = reverse("claims:review-queue")
    factories.VerdictFactory(state="submitted", submitted_at=factories.timezone.now())
    one = queries_for(client_ed, url)
    for _ in range(ROWS - 1):
        factories.VerdictFactory(state="submitted", submitted_at=factories.timezone.now())
    assert queries_for(client_ed, url) == one


def test_benchmark_peer_admin_is_a_stock_changelist(client_ed, editor):
    """The benchmark's peer really is Django's default changelist: mounted only by the
    benchmark's URLconf, with the desk's columns, and with the queries a stock admin makes
    (one more per row for the nullable relations it shows). If this ever became constant,
    the peer would have been tuned and the comparison would flatter nobody."""
    from benchmarks import peer_admin

    claimant = factories.ClaimantFactory()
    make_claims(1, editor=editor, claimant=claimant)
    with override_settings(ROOT_URLCONF=peer_admin.__name__):
        url = reverse("peer_admin:claims_claim_changelist")
        one = queries_for(client_ed, url)
        make_claims(ROWS - 1, editor=editor, claimant=claimant)
        many = queries_for(client_ed, url)
        searched = client_ed.get(url, {"q": "Unemployment"})
    assert many > one
    assert searched.status_code == 200 and b"Unemployment fell" in searched.content
    with pytest.raises(NoReverseMatch):
        reverse("peer_admin:claims_claim_changelist")


def test_desk_pages_list_their_options(client_ed, editor):
    """The option lists (tags, users) are on the claims table and the claim page,
    read by Django's own ModelChoiceIterator: one read each, whatever the number of claims
    (the constant-query tests above)."""
    claimant = factories.ClaimantFactory()
    tag = Tag.objects.create(name="t")
    claims = make_claims(3, editor=editor, claimant=claimant, tag=tag)
    html = client_ed.get(reverse("claims:claim-list")).content.decode()
    assert '<option value="t"></option>' in html  # the tag filter's suggested names
    assert f'<option value="{editor.pk}">{editor.get_full_name()}</option>' in html
    html = client_ed.get(claims[0].get_absolute_url()).content.decode()
    assert f'value="{editor.pk}" selected>{editor.get_full_name()}</option>' in html


def test_claim_page_reads_each_history_once(client_ed, editor):
    """The timeline and the verdict panel's audit trail share one read of the claim's and
    its evidence's history."""
    claimant = factories.ClaimantFactory()
    (claim,) = make_claims(1, editor=editor, claimant=claimant)
    with CaptureQueriesContext(connection) as queries:
        html = client_ed.get(claim.get_absolute_url()).content.decode()
    reads = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "claims_historicalclaim"' in sql for sql in reads) == 1
    assert sum('FROM "claims_historicalevidence"' in sql for sql in reads) == 1
    # The evidence is read once for the evidence list, the sources, the verdict panel and
    # the draft form's choices.
    evidence_reads = [sql for sql in reads if sql.startswith('SELECT "claims_evidence"."id"')
                      and '"claims_evidence"."claim_id" =' in sql]
    assert len(evidence_reads) == 1, evidence_reads
    # The verdicts' history only counted: the audit trail itself comes when its fold opens.
    verdict_reads = [sql for sql in reads if '"claims_historicalverdict"' in sql]
    assert len(verdict_reads) == 1 and "COUNT(" in verdict_reads[0]
    # Both still show the history.
    from claims.selectors.history import claim_audit_trail

    count = len(claim_audit_trail(claim))
    assert count >= 3  # the claim, its evidence and its verdict were each recorded
    assert f"Audit history ({count} changes)" in html and "logged the claim" in html
