"""The desk forms' selects: Django's own Jinja2 select with its options written in place
(claims/jinja2/desk/widgets/select.html). The markup must stay exactly Django's, for every
kind of option (selected, grouped, escaped, multiple), since that is what people and the
browser tests see."""

from __future__ import annotations

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


def test_model_choices_list_the_same_people_as_djangos_iterator(db):
    from django.forms.models import ModelChoiceIterator

    from claims.widgets import ListedChoiceIterator

    _users(5)
    form = ClaimAssignForm()
    field = form.fields["assignee"]
    assert field.iterator is ListedChoiceIterator
    listed = [(str(value), label) for value, label in field.widget.choices]
    stock = [(str(value), label) for value, label in ModelChoiceIterator(field)]
    assert listed == stock and len(listed) == 6  # "Nobody" and five people


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
    assert len(queries) == 1
    assert not any("DECLARE" in q["sql"] for q in queries.captured_queries)
