"""Words shown in quotation marks (the `quoted` filter): never doubled, a quotation within a
quotation in single marks, and escaped like any other text."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from claims.templatetags.desk import quotation
from tests.factories import ArticleFactory, ClaimFactory


@pytest.mark.parametrize(("text", "shown"), [
    ("the end is in sight", "“the end is in sight”"),
    # A quote that is one quotation already keeps one pair of marks.
    ('"The end is in sight."', "“The end is in sight.”"),
    ("“The end is in sight.”", "“The end is in sight.”"),
    ("«La fin est proche»", "“La fin est proche”"),
    # A sentence holding a quotation and its attribution: the inner marks become single.
    ('"Ridership has fallen by a third since 2019," said Councillor Mark Ellison.',
     "“‘Ridership has fallen by a third since 2019,’ said Councillor Mark Ellison.”"),
    ('Rebels call it "the only legitimate" authority',
     "“Rebels call it ‘the only legitimate’ authority”"),
    ("  ", "“”"),
])
def test_quotation(text, shown):
    assert quotation(text) == shown


@pytest.mark.django_db
def test_pages_show_a_quote_with_one_pair_of_marks(client_ed):
    body = ('"Ridership has fallen by a third since 2019," said Councillor Mark Ellison. '
            "<b>Fares</b> rose.")
    article = ArticleFactory(body=body)
    claim = ClaimFactory(article=article, quote=body[:body.index(' said')])
    html = client_ed.get(article.get_absolute_url()).content.decode()
    assert "“Ridership has fallen by a third since 2019,”" in html
    assert "“&quot;Ridership" not in html and "“\"Ridership" not in html
    rendered = Template("{% load desk %}{{ text|quoted }}").render(
        Context({"text": '<script>alert("x")</script>'}))
    assert rendered == "“&lt;script&gt;alert(‘x’)&lt;/script&gt;”"
    assert claim.quote.startswith('"')
