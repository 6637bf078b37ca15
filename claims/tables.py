"""django-tables2 tables for the desk's list pages.

Each table lists every column it can show; `default_columns` are shown until the editor
chooses otherwise. Only columns backed by an index are orderable, and the pk is the last
sort key so pages never skip or repeat rows."""

from __future__ import annotations

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.http import QueryDict
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import AttributeDict, signature

from .models import Article, Claim, Source
from .people import user_display

# Links to other pages opt out of the claims page's hx-boost (which swaps only the table area).
PAGE_LINK = {"a": {"hx-boost": "false"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
# Text people wrote (a statement, a title) may be right-to-left: the cell takes its direction
# from its first letter.
USER_TEXT = {**PAGE_LINK, "td": {"dir": "auto"}}


class StatusBadgeColumn(tables.Column):
    """A record's status as a badge; `css_prefix` picks the colours (desk.css)."""

    def __init__(self, *, css_prefix: str, **kwargs):
        super().__init__(verbose_name="Status", **kwargs)
        self.css_prefix = css_prefix

    def render(self, value, record):
        # `value` is the status's label (django-tables2 shows a choices field's label).
        return format_html('<span class="badge {}-{}">{}</span>', self.css_prefix, record.status,
                           value)


class FormattedDateColumn(tables.Column):
    """A date or datetime in `format` (Django's date format characters), in the current time
    zone: what django-tables2's DateColumn shows, without compiling a template for each cell."""

    def __init__(self, *, format: str, **kwargs):
        super().__init__(**kwargs)
        self.format = format

    def render(self, value):
        return date_filter(template_localtime(value), self.format)


def created_column(label: str) -> FormattedDateColumn:
    """When a row was added, ordered by the (created_at, id) index."""
    return FormattedDateColumn(verbose_name=label, order_by=("created_at", "id"),
                               format="j M Y H:i", attrs=NOWRAP)


class _CellPlan:
    """How one visible column renders its cells, worked out once per table rather than once
    per cell: the render method's arguments (django-tables2 inspects the signature for every
    cell), the field's display method for choices, and the cell's attributes when they do not
    depend on the row. The result is what `BoundRow.get_cell` and django-tables2's `<td>`
    markup give (tests/test_tables_render.py compares the two on every desk table)."""

    def __init__(self, table: tables.Table, bound_column):
        column = bound_column.column
        self.bound_column = bound_column
        self.name = bound_column.name
        self.accessor = str(bound_column.accessor)
        # Anything this fast path does not handle takes django-tables2's own route.
        self.generic = (
            "__" in self.accessor or column.localize is not None
            or isinstance(column, (ManyToManyColumn, BaseLinkColumn))
        )
        self.render = bound_column.render
        names, catch_all = signature(self.render)
        self.wants = None if catch_all else set(names)
        self.link = bound_column.link
        # linkify=True with fixed <a> attributes (every linked column on the desk): the href
        # comes from get_absolute_url as in django-tables2's LinkTransform.compose_url, and
        # the attributes are written once.
        self.link_attrs = None
        link = self.link
        if (
            isinstance(link, LinkTransform) and not link.url and not link.reverse_args
            and link.accessor is None and not _has_callable(link.attrs or {})
        ):
            static = AttributeDict(link.attrs or {}).as_html()
            self.link_attrs = f"{static} " if static else ""
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.display = None
        model = getattr(table.data, "model", None)
        self.model_rows = model is not None
        if model is not None and not self.generic:
            try:
                field = model._meta.get_field(self.accessor)
            except FieldDoesNotExist:
                field = None
            if getattr(field, "choices", None):
                # What Model.get_FOO_display gives, from a map built once, not per cell.
                self.display = {make_hashable(k): v for k, v in field.flatchoices}
        raw_td = {**table.attrs, **column.attrs}
        raw_td = raw_td.get("td", raw_td.get("cell", {}))
        self.td_html = None if _has_callable(raw_td) else _td_html(bound_column)

    def cell(self, row) -> str:
        """The cell's `<td>` element for one row."""
        if self.generic:
            content = row.get_cell(self.name)
        else:
            content = self._content(row)
        if self.td_html is None:
            # Attributes computed from the row: set what django-tables2's BoundRow.items sets.
            self.bound_column.current_value = content
            self.bound_column.current_record = row.record
            td_html = _td_html(self.bound_column)
        else:
            td_html = self.td_html
        if type(content) is SafeString:
            text = content
        elif type(content) is str:
            text = escape(content)
        else:
            text = render_value_in_context(content, _CELL_CONTEXT)
        return f"<td {td_html}>{text}</td>"

    def _content(self, row):
        record = row.record
        if self.display is not None:
            raw = getattr(record, self.accessor)
            value = force_str(self.display.get(make_hashable(raw), raw), strings_only=True)
        else:
            # A plain attribute of a model row directly; anything else (a dict row, a
            # method, a manager) as django-tables2's Accessor.resolve does it.
            value = getattr(record, self.accessor, _MISSING) if self.model_rows else _MISSING
            if value is _MISSING or callable(value):
                value = tables.A(self.accessor).resolve(record, quiet=True)
        if value in self.empty_values:
            return self.default
        kwargs = {"value": value, "record": record, "column": self.bound_column.column,
                  "bound_column": self.bound_column, "bound_row": row, "table": row.table}
        if self.wants is None:
            content = self.render(**kwargs)
        elif self.wants <= kwargs.keys():
            content = self.render(**{key: kwargs[key] for key in self.wants})
        else:
            content = None  # as django-tables2's call_with_appropriate
        if not self.link:
            return content
        if self.link_attrs is None:
            return self.link(content, **kwargs)
        target = getattr(record, self.name, None) if self.name == self.accessor else None
        if target is None or callable(target):
            target = tables.A(self.name).resolve(record)
        if not hasattr(target, "get_absolute_url"):
            target = record
        return mark_safe(  # noqa: S308 - the URL and the content are escaped here
            f'<a {self.link_attrs}href="{escape(target.get_absolute_url())}">'
            f"{conditional_escape(content)}</a>"
        )


_CELL_CONTEXT = Context(autoescape=True)
_MISSING = object()


def _has_callable(attrs) -> bool:
    return any(callable(v) or (isinstance(v, dict) and _has_callable(v)) for v in attrs.values())


def _td_html(bound_column) -> str:
    return bound_column.attrs["td"].as_html()


class DeskTable(tables.Table):
    default_columns: tuple[str, ...] = ()

    def tbody_html(self) -> SafeString:
        """The rows of the current page as `<tr>` markup (the desk's table template puts it in
        `<tbody>`): django-tables2's own markup, without its per-cell template rendering and
        signature inspection, which cost about 5 ms a row on the claims table."""
        plans = [_CellPlan(self, bound_column) for bound_column in self.columns]
        rows = self.paginated_rows
        html = []
        for row in rows:
            cells = "".join(plan.cell(row) for plan in plans)
            html.append(f"<tr {row.attrs.as_html()}>{cells}</tr>")
        if not html and self.empty_text:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(plans), self.empty_text)
        return mark_safe("\n".join(html))  # noqa: S308 - every part escaped above

    @classmethod
    def optional_columns(cls) -> list[tuple[str, str]]:
        """(name, label) of the columns an editor may show or hide."""
        always = set(getattr(cls.Meta, "always_columns", ()))
        return [
            (name, str(column.verbose_name or name).capitalize() if column.verbose_name else name)
            for name, column in cls.base_columns.items()
            if name not in always
        ]


class ClaimTable(DeskTable):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {
                "aria-label": "Select all claims on this page",
                "class": "form-check-input js-select-all",
            },
            "td__input": {
                "class": "form-check-input",
                "form": "bulk-form",
                "name": "claims",
                "aria-label": lambda record: f"Select claim #{record.pk}",
            },
        },
        orderable=False,
    )
    id = tables.Column(verbose_name="Id", order_by=("id",), linkify=True, attrs=PAGE_LINK)
    statement = tables.Column(
        verbose_name="Statement", linkify=True, attrs=USER_TEXT, orderable=False
    )
    claimant = tables.Column(verbose_name="Claimant", orderable=False, default="—")
    article = tables.Column(verbose_name="Article", linkify=True, attrs=USER_TEXT, orderable=False)
    status = StatusBadgeColumn(css_prefix="status", order_by=("status", "-created_at", "-id"))
    rating = tables.Column(
        verbose_name="Rating", accessor="rating_label", orderable=False, default="—"
    )
    assignee = tables.Column(verbose_name="Assignee", orderable=False, default="—")
    tags = tables.Column(verbose_name="Tags", accessor="tags", orderable=False, default="")
    claimed_on = FormattedDateColumn(
        verbose_name="Claimed",
        order_by=("claimed_on", "id"),
        default="—",
        format="j M Y",
        attrs=NOWRAP,
    )
    created_at = created_column("Logged")

    default_columns = (
        "select",
        "id",
        "statement",
        "claimant",
        "article",
        "status",
        "rating",
        "assignee",
        "claimed_on",
    )

    class Meta:
        model = Claim
        fields = ()
        sequence = (
            "select",
            "id",
            "statement",
            "claimant",
            "article",
            "status",
            "rating",
            "assignee",
            "tags",
            "claimed_on",
            "created_at",
        )
        always_columns = ("select", "statement")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "claims-table"}
        empty_text = "No claims match these filters."
        order_by = ("-created_at",)

    def render_id(self, value):
        return f"#{value}"

    def render_assignee(self, value):
        return user_display(value)

    def render_claimant(self, value):
        # The claimant filter lists no names (there are thousands): the table's links set it,
        # keeping the other filters of the current view.
        return format_html(
            '<a href="?{}claimant={}" title="Only claims by {}">{}</a>',
            self._query_without_claimant(),
            value.pk,
            value.name,
            value.name,
        )

    def _query_without_claimant(self) -> str:
        """The current view's query string, less the claimant and the page (with a trailing
        `&` when not empty); worked out once per table, not once per row."""
        if not hasattr(self, "_claimant_base_query"):
            request = getattr(self, "request", None)
            query = request.GET.copy() if request is not None else QueryDict(mutable=True)
            query.pop("claimant", None)
            query.pop(self.prefixed_page_field, None)
            encoded = query.urlencode()
            self._claimant_base_query = f"{encoded}&" if encoded else ""
        return self._claimant_base_query

    def render_rating(self, value, record):
        # An SVG fill attribute, not a style attribute, so a strict CSP needs no exception.
        return format_html(
            '<span class="rating-label"><svg width="10" height="10" aria-hidden="true">'
            '<circle cx="5" cy="5" r="5" fill="{}"/></svg> {}</span>',
            record.rating_colour or "#6c757d",
            value,
        )


    def render_tags(self, value):
        return ", ".join(tag.name for tag in value.all())


class ArticleTable(DeskTable):
    title = tables.Column(verbose_name="Title", linkify=True, orderable=False,
                          attrs={"td": {"dir": "auto"}})
    outlet = tables.Column(verbose_name="Outlet", orderable=False)
    published_on = FormattedDateColumn(
        attrs=NOWRAP,
        format="j M Y",
        verbose_name="Published",
        order_by=("published_on", "id"),
        default="—",
    )
    status = StatusBadgeColumn(css_prefix="article-status", orderable=False)
    claim_count = tables.Column(verbose_name="Claims", orderable=False)
    created_at = created_column("Added")

    class Meta:
        model = Article
        fields = ()
        attrs = {"class": "table table-sm table-hover align-middle", "id": "articles-table"}
        empty_text = "No articles yet: add one above."
        order_by = ("-created_at",)



class SourceTable(DeskTable):
    url = tables.Column(
        verbose_name="Source", linkify=lambda record: record.get_absolute_url(), orderable=False
    )
    domain = tables.Column(verbose_name="Domain", order_by=("domain", "-created_at", "-id"))
    status = StatusBadgeColumn(css_prefix="source-status",
                               order_by=("status", "status_changed_at", "id"))
    last_fetched_at = FormattedDateColumn(
        verbose_name="Last capture",
        orderable=False,
        format="j M Y H:i",
        attrs=NOWRAP,
        default="never",
    )
    last_error = tables.Column(verbose_name="Error", orderable=False, default="")
    created_at = created_column("Added")

    class Meta:
        model = Source
        fields = ()
        attrs = {"class": "table table-sm table-hover align-middle", "id": "sources-table"}
        empty_text = "No sources yet: attach one to a claim."
        order_by = ("-created_at",)

    def render_url(self, value, record):
        text = record.title or value
        return text if len(text) <= 90 else f"{text[:89]}…"


    def render_last_error(self, value, record):
        text = record.get_last_error_kind_display() if record.last_error_kind else ""
        return f"{text}: {value}" if text and value else (text or value)
