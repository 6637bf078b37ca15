"""How the desk's form fields render: Bootstrap classes and accessible errors on every
widget (DeskFormMixin), dates in the one format the HTML date input reads (DateInput).
Shared by forms/ and the claims filters (filtersets.py), which sit under forms."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import Jinja2
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator

# The desk's forms render their widgets through Django's own Jinja2 widget templates
# (django/forms/jinja2): the same markup as the Django-template ones at a fraction of the CPU
# (the claims filter form's 130-odd <option>s were a fifth of the claims page's CPU). Per
# form, not FORM_RENDERER: the admin's widgets exist only as Django templates.
DESK_RENDERER = Jinja2()
# Selects (and multiple selects) whose options are written in place rather than through two
# template includes each: the same markup at half the CPU, which counts when an assignee
# list names a hundred editors (claims/jinja2/desk/widgets/select.html).
STOCK_SELECT = "django/forms/widgets/select.html"
DESK_SELECT = "desk/widgets/select.html"


class LongListSelect(forms.Select):
    """A select over a long fixed list of plain choices (the claims filter's 185 languages),
    its options written in one pass: the markup of DESK_SELECT without building a dict of
    attributes per option, which for this list cost more than the rest of the filter form."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        # iter(): tuple() of a model choice list itself would first ask its length, which
        # for a list read from the database is a COUNT query of its own.
        options = "".join(
            f"{opening} selected{closing}" if key in chosen else f"{opening}{closing}"
            for key, opening, closing in _escaped_options(tuple(iter(self.choices))))
        return format_html('<select name="{}"{}>{}\n</select>', name,
                           flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options))


@lru_cache(maxsize=16)
def _escaped_options(choices: tuple) -> tuple[tuple[str, str, str], ...]:
    """Each option's value and its markup before and after the place of " selected",
    escaped once per list: escaping 185 options on every page cost milliseconds."""
    return tuple((str(key), f'\n  <option value="{escape(key)}"', f">{escape(label)}</option>")
                 for key, label in choices)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model choice list read with one plain query. Django's ModelChoiceIterator reads
    it through QuerySet.iterator(), which on PostgreSQL opens a server-side cursor (DECLARE
    ... WITH HOLD, FETCH, CLOSE) for what is a list of a few dozen rows: the claim page paid
    three of them (ratings, evidence, people), about 2 ms of CPU and six round trips."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class FilterListedChoiceIterator(FilterModelChoiceIterator, ListedChoiceIterator):
    """django-filter's model choice list (its "null" choice after the empty one) read with
    ListedChoiceIterator's one plain query. Its own reads through QuerySet.iterator(): the
    claims filter's rating list opened a server-side cursor on every claims page, 13% of the
    page's CPU through gunicorn."""


# The model choice lists of Django and of django-filter, and what reads each in one query.
LISTED = {ModelChoiceIterator: ListedChoiceIterator,
          FilterModelChoiceIterator: FilterListedChoiceIterator}


def list_choices(form: forms.BaseForm) -> None:
    """Every model choice field of `form` whose list is read the stock way reads it with one
    plain query instead (ModelChoiceField.iterator, a documented attribute); its widget
    takes the new list. Lists with an iterator of their own (the people's) keep it."""
    for field in form.fields.values():
        listed = LISTED.get(getattr(field, "iterator", None))
        if isinstance(field, forms.ModelChoiceField) and listed is not None:
            field.iterator = listed
            field.widget.choices = field.choices


class DeskFormMixin:
    """Bootstrap classes on every widget, and errors tied to their field for screen readers;
    widgets rendered through Jinja2 (DESK_RENDERER)."""

    default_renderer = DESK_RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        list_choices(self)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if widget.template_name == STOCK_SELECT:
                widget.template_name = DESK_SELECT
            if isinstance(widget, forms.TextInput | forms.Textarea):
                # What people type may be right-to-left: the box follows its first letter.
                widget.attrs.setdefault("dir", "auto")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}_help"

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        # Errors a service raises after validation (views call add_error) are marked too.
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if attrs.get("aria-invalid") == "true":
                    continue
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                error_id = f"{self.auto_id % self.add_prefix(name)}_error"
                attrs["aria-describedby"] = (
                    f"{attrs.get('aria-describedby', '')} {error_id}".strip()
                )


class DateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO format (YYYY-MM-DD), the only format the
    HTML date input reads. Django would render the locale's format (en-gb: 15/10/2019): the
    browser then shows an empty field, and saving the untouched form erased the date. Every
    date field of the desk uses this widget."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
