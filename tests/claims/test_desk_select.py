"""The desk forms' selects: Django's own Jinja2 select with its options written in place
(claims/jinja2/desk/widgets/select.html). The markup must stay exactly Django's, for every
kind of option (selected, grouped, escaped, multiple), since that is what people and the
browser tests see."""

from __future__ import annotations

import html

import pytest
from django import forms

from claims.filtersets import ClaimFilter
from claims.forms.claims import BulkActionForm, ClaimAssignForm
from claims.models import Claim
from claims.widgets import DESK_RENDERER, DESK_SELECT, STOCK_SELECT, DeskFormMixin

HOSTILE = '<b>"x"</b> & \'y\''


class Stock(forms.Form):
    default_renderer = DESK_RENDERER
    single = forms.ChoiceField(
        choices=[("", "Anyone"), ("a", HOSTILE), ("Group", [("g1", "one"), ("g2", "two")])],
        required=False)
    several = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), (3, HOSTILE)],
                                        required=False)


class Desk(DeskFormMixin, Stock):
    pass


def test_the_desk_select_writes_exactly_djangos_markup():
    for data in ({"single": "g2", "several": ["1", "3"]}, {"single": "a"}, {}):
        stock, desk = Stock(data or None), Desk(data or None)
        assert desk.fields["single"].widget.template_name == DESK_SELECT
        assert desk.fields["several"].widget.template_name == DESK_SELECT
        assert stock.fields["single"].widget.template_name == STOCK_SELECT
        for name in ("single", "several"):
            # DeskFormMixin adds its classes; the rest must be the same bytes.
            expected = str(stock[name]).replace(
                f'name="{name}"', f'name="{name}" class="form-select"', 1)
            assert str(desk[name]) == expected
    html = str(Desk({"single": "a"})["single"])
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert '<option value="a" selected>' in html


def test_the_desks_assignee_lists_use_it():
    filters = ClaimFilter(None, queryset=Claim.objects.none()).form
    for form in (filters, BulkActionForm(), ClaimAssignForm()):
        selects = [f for f in form.fields.values() if isinstance(f.widget, forms.Select)]
        assert selects and all(f.widget.template_name == DESK_SELECT for f in selects)


def _users(n):
    from tests import factories

    return [factories.UserFactory(first_name="Edi", last_name=f"Tor {i}") for i in range(n)]


def test_people_lists_name_the_same_people_in_the_same_markup_as_django(db):
    """The assignee selects read people as plain (id, name) values (PeopleChoiceIterator)
    and write their options in one pass (LongListSelect): the same choices as Django's
    ModelChoiceIterator naming each by user_display, in exactly the markup of Django's
    select, for a chosen person, for none, and for a name that is hostile markup."""
    from django.forms.models import ModelChoiceIterator

    from claims.people import PeopleChoiceIterator
    from claims.widgets import LongListSelect
    from tests import factories

    people = _users(4) + [factories.UserFactory(first_name=HOSTILE, last_name=""),
                          factories.UserFactory(first_name="", last_name="", username="plain")]
    filters = ClaimFilter({"assignee": str(people[2].pk)}, queryset=Claim.objects.none()).form
    forms_and_values = [
        (filters, "assignee", str(people[2].pk)),
        (BulkActionForm({"assignee": "nobody"}), "assignee", "nobody"),
        (ClaimAssignForm(initial={"assignee": people[4]}), "assignee", str(people[4].pk)),
        (ClaimAssignForm(), "assignee", ""),
    ]
    for form, name, chosen in forms_and_values:
        field = form.fields[name]
        assert isinstance(field.widget, LongListSelect)
        assert issubclass(field.iterator, PeopleChoiceIterator)
        listed = [(str(value), label) for value, label in field.choices]
        stock_field = type(field)(queryset=field.queryset, empty_label=field.empty_label)
        stock_field.iterator = ModelChoiceIterator
        stock = [(str(value), label) for value, label in ModelChoiceIterator(stock_field)]
        people_listed = [pair for pair in listed if pair[0].isdigit()]
        assert people_listed == [pair for pair in stock if pair[0]]
        assert len(people_listed) == 6 and (str(people[4].pk), HOSTILE) in people_listed
        assert (str(people[5].pk), "plain") in people_listed
        expected = forms.Select(attrs={"class": "form-select"}, choices=listed).render(
            name, chosen, attrs={"id": form[name].auto_id}, renderer=DESK_RENDERER)
        # The same bytes but for how quotes are escaped (markupsafe writes &#34;, Django's
        # escape &quot;): the same text to a browser.
        assert html.unescape(str(form[name])) == html.unescape(expected)
        assert f'<option value="{chosen}" selected>' in str(form[name])
        assert "<b>" not in str(form[name]) and "&lt;b&gt;" in str(form[name])


@pytest.mark.postgres
def test_model_choices_open_no_server_side_cursor(db):
    """Django's ModelChoiceIterator reads through QuerySet.iterator(): on PostgreSQL a
    server-side cursor (DECLARE ... WITH HOLD) per list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _users(5)
    form = ClaimAssignForm()
    with CaptureQueriesContext(connection) as queries:
        html = str(form["assignee"])
    assert html.count("<option") == 6
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert not any("DECLARE" in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres
def test_the_claims_and_claim_pages_open_no_server_side_cursor(client_ed, editor):
    """Every list a page offers (the filter's ratings, people and tags, the bulk bar's people,
    a claim's ratings, evidence and people) is read with one plain query: django-filter's
    own model lists read through QuerySet.iterator() too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests import factories

    _users(3)
    claim = factories.ClaimFactory(assignee=editor)
    factories.EvidenceFactory(claim=claim)
    for url in (reverse("claims:claim-list"), reverse("claims:claim-list") + "?rating=1",
                claim.get_absolute_url()):
        with CaptureQueriesContext(connection) as queries:
            response = client_ed.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="rating"' in html and html.count("<option") > 10
        assert not any("DECLARE" in q["sql"] for q in queries.captured_queries), url
