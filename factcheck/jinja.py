"""The Jinja2 environment for the desk's hot fragments (Django's documented second template
engine, TEMPLATES[1] in settings): the list tables' markup (templates/jinja2/tables/), which
django-tables2 renders through its own `{% render_table %}` tag and each table's
`template_name`. django-tables2 keeps the columns, their order, sorting and pagination; only
the markup moves. Why: a claims page of 50 rows spent about two thirds of its CPU in
django-tables2's per-cell pipeline and the Django template engine (benchmarks/README.md,
"What the pages cost, and why").

Only public APIs are used here: BoundColumn's attrs, header, order_by_alias and orderable,
the table's page and paginator, and django-tables2's `table_page_range` filter."""

from __future__ import annotations

from urllib.parse import urlencode

from django.template.defaultfilters import date as date_filter
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from django_tables2.templatetags.django_tables2 import table_page_range
from jinja2 import Environment

from claims.language import language_name
from claims.people import user_display
from factcheck.urlpaths import pk_url


def local_date(value, format_string: str, default: str = "") -> str:
    """A date or datetime in the current time zone, as Django's `date` filter shows it."""
    if value is None:
        return default
    return date_filter(template_localtime(value), format_string)


def query_with(request, key: str, value) -> str:
    """The current query string with `key` set to `value`, as django-tables2's
    `querystring_replace` tag writes it (the sort and page links)."""
    params = dict(request.GET)
    params[key] = value
    return "?" + urlencode(params, doseq=True)


def query_without(request, *keys: str) -> str:
    """The current query string less `keys`, with a trailing `&` when not empty: the start
    of a link that sets one more parameter."""
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def table_columns(table) -> list[tuple]:
    """(bound column, <th> attributes, <td> attributes) of each shown column, worked out
    once per table rather than once per cell."""
    shown = []
    for column in table.columns:
        attrs = column.attrs  # a property: built anew on each access
        shown.append((column, attrs["th"].as_html(), attrs["td"].as_html()))
    return shown


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=reverse,
        pk_url=pk_url,
        query_with=query_with,
        query_without=query_without,
        table_columns=table_columns,
        page_range=table_page_range,
        user_display=user_display,
        language_name=language_name,
    )
    env.filters["local_date"] = local_date
    return env
