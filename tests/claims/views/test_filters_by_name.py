"""The claims table's filters by name: a tag by its name (its id still works), an article by
its title (chosen from the suggestions, or typed), a value that matches nothing said in
words beside what was typed, and "(filtered)" only when a filter is really applied."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.support.pages import queries_for

pytestmark = pytest.mark.django_db

URL = "/claims/"


def heading(html: str) -> str:
    return re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', html, re.S).group(1)


def fold_button(html: str) -> str:
    return re.search(r'aria-controls="claim-filters"[^>]*>(.*?)</button>', html, re.S).group(1)


@pytest.fixture
def desk(db):
    budget = factories.ArticleFactory(title="Budget speech 2026", outlet="The Ledger",
                                      published_on=datetime.date(2026, 3, 4))
    reaction = factories.ArticleFactory(title="Budget reaction from the unions")
    other = factories.ArticleFactory(title="Water levels in the reservoirs")
    cannabis = factories.ClaimFactory(article=budget, statement="Cannabis sales doubled")
    cannabis.tags.create(name="cannabis")
    factories.ClaimFactory(article=reaction, statement="Wages fell for a decade")
    factories.ClaimFactory(article=other, statement="The reservoirs are half empty")
    return {"budget": budget, "reaction": reaction, "other": other, "tag": cannabis.tags.get()}


def get(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_tag_by_name(client_ed, desk):
    html = get(client_ed, {"tag": "cannabis"})
    assert "Cannabis sales doubled" in html
    assert "Wages fell" not in html and "reservoirs are half empty" not in html
    assert 'value="cannabis"' in html  # the box shows the name


def test_a_tag_by_name_in_another_case(client_ed, desk):
    html = get(client_ed, {"tag": "Cannabis"})
    assert "Cannabis sales doubled" in html and "Wages fell" not in html


def test_a_tag_by_id_still_works_and_shows_its_name(client_ed, desk):
    html = get(client_ed, {"tag": desk["tag"].pk})
    assert "Cannabis sales doubled" in html and "Wages fell" not in html
    assert 'name="tag" value="cannabis"' in html


def test_a_tag_name_matching_nothing_says_so_and_keeps_what_was_typed(client_ed, desk):
    html = get(client_ed, {"tag": "canabis"})
    assert "No tag called “canabis”." in html
    assert 'name="tag" value="canabis"' in html
    # Nothing is filtered, and the heading does not pretend it is.
    assert "Wages fell" in html and "Cannabis sales doubled" in html
    assert "filtered" not in heading(html)


def test_the_tag_box_suggests_the_tags_names(client_ed, desk):
    html = get(client_ed, {})
    assert re.search(r'<label[^>]*for="filter_tag"[^>]*>Tag</label>', html)
    assert 'list="filter_tag_names"' in html
    assert '<datalist id="filter_tag_names"><option value="cannabis"></option></datalist>' in html


def test_an_article_chosen_from_the_suggestions(client_ed, desk):
    """The picker fills the hidden id; the title box shows the article's title."""
    html = get(client_ed, {"article": desk["budget"].pk,
                           "article_title": "Budget speech 2026"})
    assert "Cannabis sales doubled" in html and "Wages fell" not in html
    assert 'value="Budget speech 2026"' in html
    assert "(filtered)" in heading(html)


def test_an_article_by_id_from_a_link_shows_its_title(client_ed, desk):
    html = get(client_ed, {"article": desk["reaction"].pk})
    assert "Wages fell" in html and "Cannabis sales doubled" not in html
    assert re.search(r'name="article_title" id="filter_article_title" '
                     r'value="Budget reaction from the unions"', html)
    assert re.search(r'<label[^>]*for="filter_article_title"[^>]*>Article</label>', html)


def test_an_article_title_typed_matching_one_article(client_ed, desk):
    # Without JavaScript: no id, a title that names one article (exactly, or in part).
    for typed in ("budget speech 2026", "reservoirs"):
        html = get(client_ed, {"article": "", "article_title": typed})
        assert "filtered" in heading(html), typed
    html = get(client_ed, {"article": "", "article_title": "Budget speech 2026"})
    assert "Cannabis sales doubled" in html and "Wages fell" not in html
    html = get(client_ed, {"article": "", "article_title": "reservoirs"})
    assert "reservoirs are half empty" in html and "Wages fell" not in html


def test_an_article_title_matching_several_lists_them_in_words(client_ed, desk):
    html = get(client_ed, {"article": "", "article_title": "Budget"})
    assert ("Several articles match “Budget”: “Budget reaction from the unions” "
            "(Example Times); "
            "“Budget speech 2026” (The Ledger, 4 March 2026).") in html
    assert 'name="article_title" id="filter_article_title" value="Budget"' in html
    assert "Wages fell" in html and "Cannabis sales doubled" in html  # not filtered
    assert "filtered" not in heading(html)


def test_an_article_title_matching_none_says_so(client_ed, desk):
    html = get(client_ed, {"article": "", "article_title": "Elections"})
    assert "No article called “Elections”." in html
    assert 'value="Elections"' in html
    assert "filtered" not in heading(html)


def test_a_chosen_article_whose_title_was_changed_follows_the_title(client_ed, desk):
    """Without JavaScript the hidden id stays in the form: a title typed over the chosen
    one names the article anew, and a title cleared drops the article filter."""
    html = get(client_ed, {"article": desk["budget"].pk, "article_title": "reservoirs"})
    assert "reservoirs are half empty" in html and "Cannabis sales doubled" not in html
    html = get(client_ed, {"article": desk["budget"].pk, "article_title": ""})
    assert "Wages fell" in html and "Cannabis sales doubled" in html
    assert "filtered" not in heading(html)


def test_an_article_id_on_file_by_nobody_says_so(client_ed, desk):
    html = get(client_ed, {"article": 999999})
    assert "No article has the id “999999”." in html


def test_the_article_suggestions(client_ed, desk):
    url = reverse("claims:article-autocomplete")
    html = client_ed.get(url, {"article_title": "budget"}).content.decode()
    options = re.findall(r'<li role="option"[^>]*data-choice-id="(\d+)"', html)
    assert options == [str(desk["reaction"].pk), str(desk["budget"].pk)]
    assert "(The Ledger, 4 March 2026)" in html
    # The exact title first.
    html = client_ed.get(url, {"article_title": "Budget speech 2026"}).content.decode()
    assert re.findall(r'data-choice-id="(\d+)"', html) == [str(desk["budget"].pk)]
    assert client_ed.get(url, {"article_title": "elections"}).content.decode().strip() == (
        client_ed.get(url, {"article_title": ""}).content.decode().strip())


def test_filtered_only_when_a_filter_is_applied(client_ed, desk):
    for params in ({}, {"sort": "-claimed_on"}, {"page": 1}, {"q": "", "tag": "", "status": ""},
                   {"tag": "nothing-like-it"}):
        html = get(client_ed, params)
        assert "filtered" not in heading(html), params
        assert fold_button(html) == "Filters", params
        assert 'data-active-filters="0"' in html, params
    html = get(client_ed, {"tag": "cannabis", "q": "sales", "sort": "-claimed_on"})
    assert heading(html) == "Results (filtered)"
    assert fold_button(html) == "Filters (2 active)"
    assert 'data-active-filters="2"' in html
    # The htmx partial (the results alone) carries the same count.
    response = client_ed.get(URL, {"tag": "cannabis"}, HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="claim-results")
    assert 'data-active-filters="1"' in response.content.decode()


def test_the_export_of_a_filtered_view_uses_the_same_filters_by_name(client_ed, desk):
    url = reverse("claims:export")
    response = client_ed.get(url, {"format": "csv", "tag": "cannabis"})
    body = b"".join(response.streaming_content).decode()
    assert "Cannabis sales doubled" in body and "Wages fell" not in body
    response = client_ed.get(url, {"format": "csv", "article": "",
                                   "article_title": "Budget reaction from the unions"})
    body = b"".join(response.streaming_content).decode()
    assert "Wages fell" in body and "Cannabis sales doubled" not in body
    response = client_ed.get(url, {"format": "csv", "tag": "canabis"})
    assert response.status_code == 400
    assert "No tag called “canabis”." in response.content.decode()


def test_filters_by_name_make_constant_queries(client_ed, desk):
    params = {"tag": "cannabis", "article_title": "Budget speech 2026"}
    assert heading(get(client_ed, params)) == "Results (filtered)"
    one = queries_for(client_ed, URL, params)
    for _ in range(20):
        claim = factories.ClaimFactory(article=desk["budget"])
        claim.tags.add(desk["tag"])
    assert queries_for(client_ed, URL, params) == one
    # The claims in that article with that tag: the first and the 20 added.
    body = get(client_ed, params).split('id="claims-table"')[1].split("<tbody")[1]
    assert len(re.findall(r"<tr", body.split("</tbody>")[0])) == 21
