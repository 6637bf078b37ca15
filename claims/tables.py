"""django-tables2 tables for the desk's list pages.

Each table lists every column it can show; `default_columns` are shown until the editor
chooses otherwise. Only columns backed by an index are orderable, and the pk is the last
sort key so pages never skip or repeat rows."""

from __future__ import annotations

import django_tables2 as tables
from django.http import QueryDict
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html
from django.utils.timezone import template_localtime

from claims.filtersets import CLAIM_ORDERINGS
from claims.models import Article, Claim, Source
from claims.people import user_display

NOWRAP = {"td": {"class": "text-nowrap"}}
# Text people wrote (a statement, a title) may be right-to-left: the cell takes its direction
# from its first letter.
USER_TEXT = {"td": {"dir": "auto"}}


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
    zone, as the `date` template filter shows it: django-tables2's DateColumn and
    DateTimeColumn are TemplateColumns, which render a template for every cell."""

    def __init__(self, *, format: str, **kwargs):
        super().__init__(**kwargs)
        self.format = format

    def render(self, value):
        return date_filter(template_localtime(value), self.format)


def page_link(url: str, text) -> str:
    """A link from the claims table to another page: it opts out of the page's hx-boost
    (which swaps only the table area). Written by the table's render_FOO methods rather than
    `linkify`, which builds and merges an attribute dict for every cell: with three linked
    columns that was an eighth of the whole page's CPU time at 50 rows."""
    return format_html('<a hx-boost="false" href="{}">{}</a>', url, text)


def created_column(label: str) -> FormattedDateColumn:
    """When a row was added, ordered by the (created_at, id) index."""
    return FormattedDateColumn(verbose_name=label, order_by=("created_at", "id"),
                               format="j M Y H:i", attrs=NOWRAP)


class DeskTable(tables.Table):
    """Rendered by django-tables2's Bootstrap 5 template (DJANGO_TABLES2_TEMPLATE)."""

    default_columns: tuple[str, ...] = ()

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
    # The header's "select all" box comes from CheckBoxColumn; each row's box from
    # render_select (CheckBoxColumn would build and compute an attribute dict per row).
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {
                "aria-label": "Select all claims on this page",
                "class": "form-check-input js-select-all",
            },
        },
        orderable=False,
    )
    # id, statement and article link to their pages (page_link, in the render_FOO methods).
    id = tables.Column(verbose_name="Id", order_by=CLAIM_ORDERINGS["id"])
    statement = tables.Column(verbose_name="Statement", attrs=USER_TEXT, orderable=False)
    claimant = tables.Column(verbose_name="Claimant", orderable=False, default="—")
    article = tables.Column(verbose_name="Article", attrs=USER_TEXT, orderable=False)
    status = StatusBadgeColumn(css_prefix="status", order_by=CLAIM_ORDERINGS["status"])
    rating = tables.Column(
        verbose_name="Rating", accessor="rating_label", orderable=False, default="—"
    )
    assignee = tables.Column(verbose_name="Assignee", orderable=False, default="—")
    tags = tables.Column(verbose_name="Tags", accessor="tags", orderable=False, default="")
    claimed_on = FormattedDateColumn(
        verbose_name="Claimed",
        order_by=CLAIM_ORDERINGS["claimed_on"],
        default="—",
        format="j M Y",
        attrs=NOWRAP,
    )
    created_at = created_column("Logged")

    # Columns show in the order declared above; these until the editor chooses others.
    default_columns = ("select", "id", "statement", "claimant", "article", "status", "rating",
                       "assignee", "claimed_on")

    class Meta:
        model = Claim
        fields = ()
        always_columns = ("select", "statement")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "claims-table"}
        empty_text = "No claims match these filters."
        order_by = ("-created_at",)

    def render_select(self, value):
        # Outside the bulk form in the page, it joins it through the form attribute.
        return format_html(
            '<input type="checkbox" name="claims" value="{}" class="form-check-input" '
            'form="bulk-form" aria-label="Select claim #{}" />',
            value,
            value,
        )

    def render_id(self, value, record):
        return page_link(record.get_absolute_url(), f"#{value}")

    def render_statement(self, value, record):
        return page_link(record.get_absolute_url(), value)

    def render_article(self, value):
        return page_link(value.get_absolute_url(), value)

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
