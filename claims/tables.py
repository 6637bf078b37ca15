"""django-tables2 tables for the desk's list pages: which columns each table has, their
headings, which are sortable and how, pagination. The cells' markup is in each table's
Jinja2 template (Meta.template_name, templates/jinja2/tables/; factcheck/jinja.py says why),
which django-tables2's `{% render_table %}` renders.

Each table lists every column it can show; `default_columns` are shown until the editor
chooses otherwise. Only columns backed by an index are orderable, and the pk is the last
sort key so pages never skip or repeat rows."""

from __future__ import annotations

import django_tables2 as tables

from claims.filtersets import CLAIM_ORDERINGS
from claims.models import Article, Claim, Source

NOWRAP = {"td": {"class": "text-nowrap"}}
# Text people wrote (a statement, a title) may be right-to-left: the cell takes its direction
# from its first letter.
USER_TEXT = {"td": {"dir": "auto"}}
TABLE_CLASSES = "table table-sm table-hover align-middle"


def created_column(label: str) -> tables.Column:
    """When a row was added, ordered by the (created_at, id) index."""
    return tables.Column(verbose_name=label, order_by=("created_at", "id"), attrs=NOWRAP)


class DeskTable(tables.Table):
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
    # The header's "select all" box comes from CheckBoxColumn; each row's box from the
    # template.
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
    id = tables.Column(verbose_name="Id", order_by=CLAIM_ORDERINGS["id"])
    statement = tables.Column(verbose_name="Statement", attrs=USER_TEXT, orderable=False)
    claimant = tables.Column(verbose_name="Claimant", orderable=False)
    article = tables.Column(verbose_name="Article", attrs=USER_TEXT, orderable=False)
    status = tables.Column(verbose_name="Status", order_by=CLAIM_ORDERINGS["status"])
    rating = tables.Column(verbose_name="Rating", accessor="rating_label", orderable=False)
    assignee = tables.Column(verbose_name="Assignee", orderable=False)
    tags = tables.Column(verbose_name="Tags", accessor="tags", orderable=False)
    language = tables.Column(verbose_name="Language", orderable=False)
    claimed_on = tables.Column(
        verbose_name="Claimed", order_by=CLAIM_ORDERINGS["claimed_on"], attrs=NOWRAP
    )
    created_at = created_column("Logged")

    # Columns show in the order declared above; these until the editor chooses others.
    default_columns = ("select", "id", "statement", "claimant", "article", "status", "rating",
                       "assignee", "claimed_on")

    class Meta:
        model = Claim
        fields = ()
        always_columns = ("select", "statement")
        attrs = {"class": TABLE_CLASSES, "id": "claims-table"}
        empty_text = "No claims match these filters."
        order_by = ("-created_at",)
        template_name = "tables/claims.html"


class ArticleTable(DeskTable):
    title = tables.Column(verbose_name="Title", orderable=False, attrs=USER_TEXT)
    outlet = tables.Column(verbose_name="Outlet", orderable=False)
    published_on = tables.Column(verbose_name="Published", order_by=("published_on", "id"),
                                 attrs=NOWRAP)
    status = tables.Column(verbose_name="Status", orderable=False)
    claim_count = tables.Column(verbose_name="Claims", orderable=False)
    created_at = created_column("Added")

    class Meta:
        model = Article
        fields = ()
        attrs = {"class": TABLE_CLASSES, "id": "articles-table"}
        empty_text = "No articles yet: add one above."
        order_by = ("-created_at",)
        template_name = "tables/articles.html"


class SourceTable(DeskTable):
    url = tables.Column(verbose_name="Source", orderable=False)
    domain = tables.Column(verbose_name="Domain", order_by=("domain", "-created_at", "-id"))
    status = tables.Column(verbose_name="Status", order_by=("status", "status_changed_at", "id"))
    last_fetched_at = tables.Column(verbose_name="Last capture", orderable=False, attrs=NOWRAP)
    last_error = tables.Column(verbose_name="Error", orderable=False)
    created_at = created_column("Added")

    class Meta:
        model = Source
        fields = ()
        attrs = {"class": TABLE_CLASSES, "id": "sources-table"}
        empty_text = "No sources yet: attach one to a claim."
        order_by = ("-created_at",)
        template_name = "tables/sources.html"
