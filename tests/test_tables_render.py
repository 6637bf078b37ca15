"""The desk's tables write their rows in Python (DeskTable.tbody_html) instead of
django-tables2's template, which renders a template and inspects a signature for every cell.
These tests hold the two to the same markup, cell for cell, on every desk table and on the
column kinds the fast path hands back to django-tables2."""

from __future__ import annotations

import datetime
import re

import django_tables2 as tables
import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from claims.models import Claim, Tag
from claims.selectors_desk import article_table_rows, claim_table_rows, source_table_rows
from claims.tables import ArticleTable, ClaimTable, DeskTable, SourceTable
from tests import factories

HOSTILE = '<script>alert("x")</script> & \'quotes\''
STOCK_TEMPLATE = "django_tables2/bootstrap5.html"


def _normalise(html: str) -> str:
    """Markup without the stock template's indentation."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).strip()


def _tbody(html: str) -> str:
    match = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S)
    assert match, html[:500]
    return _normalise(match.group(1))


def render_both(table_factory, query="") -> tuple[str, str]:
    """The same table rendered by the desk template and by django-tables2's own."""
    rendered = []
    for template in (None, STOCK_TEMPLATE):
        request = RequestFactory().get(f"/claims/{query}")
        request.user = AnonymousUser()
        table = table_factory()
        if template:
            table.template_name = template
        tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
        rendered.append(render_to_string(table.template_name, {"table": table}, request))
    return tuple(rendered)


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


@pytest.mark.parametrize("query", ["", "?status=researching&page=1", "?sort=-claimed_on"])
def test_claims_table_rows_match_django_tables2_markup(varied_claims, query):
    desk, stock = render_both(lambda: ClaimTable(claim_table_rows()), query)
    assert _tbody(desk) == _tbody(stock)
    # Every column is shown here (no exclude), each row has a cell per column, and the
    # hostile text is escaped, never live.
    assert _tbody(desk).count("<tr ") == Claim.objects.count()
    assert _tbody(desk).count("<td ") == Claim.objects.count() * len(ClaimTable.base_columns)
    assert "<script>" not in desk and "&lt;script&gt;" in desk
    # The rest of the table (header, pagination) is django-tables2's own.
    assert _normalise(desk.split("<tbody")[0]) == _normalise(stock.split("<tbody")[0])


def test_claims_table_rows_match_with_hidden_columns(varied_claims):
    hidden = ["tags", "created_at", "article"]

    desk, stock = render_both(lambda: ClaimTable(claim_table_rows(), exclude=hidden))

    assert _tbody(desk) == _tbody(stock)
    assert "economy" not in desk  # the tags column is hidden


def test_claimant_links_keep_the_view_but_not_the_page(varied_claims):
    desk, _ = render_both(lambda: ClaimTable(claim_table_rows()),
                          "?status=researching&page=1&claimant=999")
    claimant = varied_claims[0].claimant
    assert f'href="?status=researching&amp;claimant={claimant.pk}"' in desk


def test_article_and_source_tables_match_django_tables2_markup(varied_claims):
    for factory in (lambda: ArticleTable(article_table_rows()),
                    lambda: SourceTable(source_table_rows())):
        desk, stock = render_both(factory)
        assert _tbody(desk) == _tbody(stock)
        assert "<script>" not in desk


def test_empty_table_says_so_across_every_column(db):
    desk, stock = render_both(lambda: ClaimTable(claim_table_rows()))

    assert _tbody(desk) == _tbody(stock)
    assert f'colspan="{len(ClaimTable.base_columns)}"' in desk
    assert "No claims match these filters." in desk


class OddColumnsTable(DeskTable):
    """Column kinds the fast path hands to django-tables2: cell attributes computed from the
    row, a many-to-many column, a localized column, a link with a computed URL, an accessor
    across a relation, a column without a render method's arguments, row attributes."""

    statement = tables.Column(attrs={"td": {"data-id": lambda record: record.pk}})
    tags = tables.ManyToManyColumn()
    version = tables.Column(localize=True)
    quote = tables.Column(linkify=lambda record: f"/quote/{record.pk}/?a=1&b=2")
    claimant_name = tables.Column(accessor="claimant__name", default="nobody")
    status = tables.Column()
    article = tables.Column(linkify=True, attrs={"a": {"title": lambda value: str(value)}})

    class Meta:
        model = Claim
        fields = ()
        row_attrs = {"data-status": lambda record: record.status}
        order_by = ("id",)


def test_fast_path_falls_back_to_django_tables2_for_other_columns(varied_claims):
    desk, stock = render_both(lambda: OddColumnsTable(Claim.objects.all()))

    assert _tbody(desk) == _tbody(stock)
    body = _tbody(desk)
    assert f'data-id="{varied_claims[0].pk}"' in body
    assert 'data-status="researching"' in body
    assert "nobody" in body  # the default for a claim without a claimant
    assert "Researching" in body  # a choices field shows its label
