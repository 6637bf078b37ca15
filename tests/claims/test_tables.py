"""The desk's tables as django-tables2 renders them through their Jinja2 templates
(templates/jinja2/tables/, Bootstrap 5's markup): each column's cell (links, badges, dates,
ratings, tags, people), hostile text escaped, the claimant links that keep the current view,
hidden columns and the empty table."""

from __future__ import annotations

import datetime
import re

import django_tables2 as tables
import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from claims.models import Claim, Tag
from claims.selectors.articles import article_table_rows
from claims.selectors.claims import claim_table_rows
from claims.selectors.sources import source_table_rows
from claims.tables import ArticleTable, ClaimTable, SourceTable
from tests import factories

HOSTILE = '<script>alert("x")</script> & \'quotes\''


def _normalise(html: str) -> str:
    """Markup without the template's indentation."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).strip()


def _tbody(html: str) -> str:
    match = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S)
    assert match, html[:500]
    return _normalise(match.group(1))


def render(table, query="") -> str:
    request = RequestFactory().get(f"/claims/{query}")
    request.user = AnonymousUser()
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render_to_string(table.template_name, {"table": table}, request)


def _rows(html: str) -> dict[str, str]:
    """Each row's markup by the id in its first link to a claim."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr[^>]*>.*?/claims/(\d+)/.*?</tr>',
                                                        _tbody(html))}


@pytest.fixture
def varied_claims(db):
    """Rows that exercise every branch of every column: hostile text, no claimant, no
    assignee or one without a name, a claim date or none, tags or none, a rating or none."""
    tag_a = Tag.objects.create(name=f"tag {HOSTILE}")
    tag_b = Tag.objects.create(name="economy")
    named = factories.UserFactory(first_name="Ada", last_name="Lovelace")
    unnamed = factories.UserFactory(first_name="", last_name="")
    article = factories.ArticleFactory(title=f"Title {HOSTILE}", outlet=HOSTILE,
                                       published_on=datetime.date(2011, 8, 25))
    claims = [
        factories.ClaimFactory(statement=f"Statement {HOSTILE}", article=article,
                               claimant=factories.ClaimantFactory(name=f"Name {HOSTILE}"),
                               assignee=named, claimed_on=datetime.date(2011, 8, 24),
                               status="researching"),
        factories.ClaimFactory(claimant=None, assignee=unnamed, status="new"),
        factories.ClaimFactory(assignee=None, status="published"),
    ]
    claims[0].tags.add(tag_a, tag_b)
    factories.PublishedVerdictFactory(claim=claims[2])
    source = factories.SourceFactory(title=f"Source {HOSTILE}", status="failed",
                                     last_error=HOSTILE, last_error_kind="http")
    factories.SourceFactory(url="https://example.org/" + "long-" * 40)
    factories.EvidenceFactory(claim=claims[0], source=source)
    return claims


def _cells(html: str) -> int:
    return len(re.findall(r"<td[ >]", html))


def test_each_desk_table_renders_through_its_jinja2_template():
    for table, name in [(ClaimTable, "claims"), (ArticleTable, "articles"),
                        (SourceTable, "sources")]:
        template = table([]).template_name
        assert template == f"tables/{name}.html"
        assert get_template(template).backend.name == "jinja2"


@pytest.mark.parametrize("query", ["", "?status=researching&page=1", "?sort=-claimed_on"])
def test_claims_table_cells(varied_claims, query):
    html = render(ClaimTable(claim_table_rows()), query)
    body = _tbody(html)
    first, unnamed, published = varied_claims
    # Every column is shown here (no exclude): a row per claim, a cell per column.
    assert body.count("<tr ") == Claim.objects.count()
    assert _cells(body) == Claim.objects.count() * len(ClaimTable.base_columns)
    # Hostile text is escaped, never live.
    assert "<script>" not in html and "&lt;script&gt;" in html
    rows = _rows(html)
    row = rows[str(first.pk)]
    # The id and statement link to the claim page and the article to its page, outside the
    # table's hx-boost; the claimant link filters the table.
    assert f'<a hx-boost="false" href="/claims/{first.pk}/">#{first.pk}</a>' in row
    assert (f'<a hx-boost="false" href="/claims/{first.pk}/">Statement '
            "&lt;script&gt;") in row
    assert f'<a hx-boost="false" href="/articles/{first.article_id}/">Title ' in row
    assert f'claimant={first.claimant_id}" title="Only claims by Name &lt;script&gt;' in row
    assert '<span class="badge status-researching">Researching</span>' in row
    assert "Ada Lovelace" in row
    assert '<td class="text-nowrap">24 Aug 2011</td>' in row
    assert "economy" in row and "tag &lt;script&gt;" in row
    assert f'name="claims" value="{first.pk}"' in row
    assert f'aria-label="Select claim #{first.pk}"' in row
    # No claimant, an assignee without a name, no claim date, no tags, no rating.
    row = rows[str(unnamed.pk)]
    assert row.count("<td>—</td>") >= 2  # claimant and rating
    assert f">{unnamed.assignee.username}<" in row
    assert '<td class="text-nowrap">—</td>' in row
    # A published verdict's rating: its label and colour.
    row = rows[str(published.pk)]
    rating = published.verdicts.get().rating
    assert f'fill="{rating.colour}"/></svg> {rating.label}</span>' in row


def test_claims_table_with_hidden_columns(varied_claims):
    hidden = ["tags", "created_at", "article"]
    html = render(ClaimTable(claim_table_rows(), exclude=hidden))
    body = _tbody(html)
    assert "economy" not in body  # the tags column is hidden
    assert "/articles/" not in body
    shown = len(ClaimTable.base_columns) - len(hidden)
    assert _cells(body) == Claim.objects.count() * shown


def test_claimant_links_keep_the_view_but_not_the_page(varied_claims):
    desk = render(ClaimTable(claim_table_rows()), "?status=researching&page=1&claimant=999")
    claimant = varied_claims[0].claimant
    assert f'href="?status=researching&amp;claimant={claimant.pk}"' in desk


def test_article_and_source_tables(varied_claims):
    article = varied_claims[0].article
    html = render(ArticleTable(article_table_rows()))
    assert "<script>" not in html
    assert f'<a href="/articles/{article.pk}/">Title &lt;script&gt;' in html
    assert '<td class="text-nowrap">25 Aug 2011</td>' in html
    assert '<span class="badge article-status-' in html

    html = render(SourceTable(source_table_rows()))
    assert "<script>" not in html
    failed = Claim.objects.get(pk=varied_claims[0].pk).evidence.get().source
    assert f'<a href="/sources/{failed.pk}/">Source &lt;script&gt;' in html
    assert '<span class="badge source-status-failed">' in html
    assert f"{failed.get_last_error_kind_display()}: &lt;script&gt;" in html
    assert "https://example.org/long-" in html and "…</a>" in html  # long URLs cut
    assert '<td class="text-nowrap">never</td>' in html


def test_empty_table_says_so_across_every_column(db):
    desk = render(ClaimTable(claim_table_rows()))

    assert f'colspan="{len(ClaimTable.base_columns)}"' in desk
    assert "No claims match these filters." in desk


def test_sort_and_page_links_keep_the_view(db):
    """The header's sort links and the pagination (previous, numbers, a gap, next) as
    django-tables2's querystring_replace writes them: the other parameters kept."""
    factories.ClaimFactory.create_batch(7)
    table = ClaimTable(claim_table_rows())
    request = RequestFactory().get("/claims/?status=new&page=3")
    request.user = AnonymousUser()
    tables.RequestConfig(request, paginate={"per_page": 2}).configure(table)
    html = _normalise(render_to_string(table.template_name, {"table": table}, request))

    assert ('<th class="orderable" scope="col"><a href="?status=new&amp;page=3&amp;sort=id">'
            "Id</a>") in html
    assert ('<li class="previous page-item"><a href="?status=new&amp;page=2" class="page-link">'
            in html)
    assert ('<li class="page-item active"><a class="page-link" href="?status=new&amp;page=3">'
            "3</a>") in html
    assert '<li class="next page-item"><a href="?status=new&amp;page=4" class="page-link">' in html
    assert "<script" not in html


def test_row_links_follow_the_script_prefix(varied_claims):
    """pk_url works a URL out once per name and prefix: a desk served under /desk/ links
    its rows there."""
    from django.urls import set_script_prefix

    claim = varied_claims[0]
    try:
        set_script_prefix("/desk/")
        html = render(ClaimTable(claim_table_rows()))
    finally:
        set_script_prefix("/")
    assert f'href="/desk/claims/{claim.pk}/">#{claim.pk}</a>' in html
    assert f'href="/claims/{claim.pk}/">#{claim.pk}</a>' in render(ClaimTable(claim_table_rows()))
