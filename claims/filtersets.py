"""Which claims, in which order: the claims table's filters and sort orders, from the
querystring. The claims page, the exports ("Export this view", so a download holds the rows
the editor was looking at) and the report form all read claims through here, so it sits
under forms and tables, beside the selectors."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from claims.choices import ClaimStatus
from claims.models import Claim, Claimant, Rating, Tag
from claims.params import MAX_ID, has_nul, object_id
from claims.people import active_users, user_display
from claims.widgets import DateInput, DeskFormMixin

# What Claim.search_vector holds: a PostgreSQL trigger (migration 0006) stores this
# expression on every write, and the GIN index claim_search_gin_idx is on that column.
SEARCH_CONFIG = "english"

# The orders the claims table offers, by its `sort` parameter (a column name, "-" before it
# for descending). Only indexed orders are offered, and each ends on the pk so pages never
# skip or repeat rows. The table's columns take their order_by from here.
CLAIM_ORDERINGS = {
    "id": ("id",),
    "status": ("status", "-created_at", "-id"),
    "claimed_on": ("claimed_on", "id"),
    "created_at": ("created_at", "id"),
}
CLAIM_DEFAULT_ORDERING = ("-created_at", "-id")


def claim_ordering(sort: str | None) -> tuple[str, ...]:
    """The order_by keys for the claims table's `sort` parameter; the default for none or
    for one the table does not offer."""
    keys = CLAIM_ORDERINGS.get((sort or "").lstrip("-"))
    if keys is None:
        return CLAIM_DEFAULT_ORDERING
    if sort.startswith("-"):
        return tuple(key[1:] if key.startswith("-") else f"-{key}" for key in keys)
    return keys


def claim_search_vector() -> SearchVector:
    return SearchVector("statement", "quote", config=SEARCH_CONFIG)


def claim_search(queryset: QuerySet[Claim], text: str) -> QuerySet[Claim]:
    """Full-text search on PostgreSQL (indexed); a plain word match elsewhere."""
    text = text.strip()
    if not text:
        return queryset
    if has_nul(text):
        return queryset.none()  # no stored text holds NUL, and PostgreSQL refuses it
    if connection.vendor == "postgresql":
        # The stored column, not the expression: see migration 0006.
        return queryset.filter(
            search_vector=SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        )
    # Elsewhere every word must appear (in any order) in the statement or the quote.
    for word in text.split()[:10]:
        queryset = queryset.filter(Q(statement__icontains=word) | Q(quote__icontains=word))
    return queryset


class ClaimFilterForm(DeskFormMixin, forms.Form):
    """The filter form shares its page with the bulk-action form, whose fields have the same
    names (status, assignee): ids of their own keep each label on its own control, so a
    screen reader names each select once ("Status", not "Status New status")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)


class ChosenOnlySelect(forms.Select):
    """A <select> listing only the empty choice and the chosen value. A desk has thousands of
    claimants, and listing them all would render thousands of <option>s on every page of the
    claims table. The field still accepts any claimant id; links in the table set it."""

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        chosen = [v for v in value if object_id(v) is not None]
        queryset = getattr(iterator, "queryset", None)
        if queryset is not None:
            empty = getattr(iterator.field, "empty_label", None)
            picked = (
                [
                    (obj.pk, iterator.field.label_from_instance(obj))
                    for obj in queryset.filter(pk__in=chosen)
                ]
                if chosen
                else []
            )
            self.choices = ([("", empty)] if empty is not None else []) + picked
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator


class UserFilterField(FilterModelChoiceField):
    """django-filter's choice field (it adds the "Nobody" choice), naming each user as the
    rest of the desk does."""

    def label_from_instance(self, obj) -> str:
        return user_display(obj)


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserFilterField


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Words in the statement or quote"}),
    )
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, empty_label="Any status")
    rating = django_filters.ModelChoiceFilter(
        queryset=Rating.objects.select_related("scale").order_by("scale", "position", "id"),
        method="filter_rating",
        # The method reads the current verdict's rating; the field name says where that lives
        # (the API schema reads the id's type from it).
        field_name="verdicts__rating",
        label="Rating",
        empty_label="Any rating",
    )
    # distinct=False: every join here yields at most one row per claim, and DISTINCT would
    # make the database sort a million rows before the first page.
    claimant = django_filters.ModelChoiceFilter(
        queryset=Claimant.objects.order_by("name", "id"),
        distinct=False,
        empty_label="Anyone",
        widget=ChosenOnlySelect,
        help_text="Click a claimant's name in the table to show only their claims.",
    )
    # Articles can number in the tens of thousands: the filter takes an id (article pages
    # and table links set it) rather than rendering every title in a <select>.
    article = django_filters.NumberFilter(
        field_name="article_id",
        label="Article id",
        distinct=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        min_value=1,
        max_value=MAX_ID,  # a larger number overflows the database's integer
    )
    assignee = UserFilter(
        queryset=active_users(),
        distinct=False,
        empty_label="Anyone",
        null_label="Nobody",
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.order_by("name"),
        distinct=False,
        empty_label="Any tag",
    )
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Logged from", widget=DateInput()
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Logged until", widget=DateInput()
    )
    claimed_from = django_filters.DateFilter(
        field_name="claimed_on", lookup_expr="gte", label="Claimed from", widget=DateInput()
    )
    claimed_to = django_filters.DateFilter(
        field_name="claimed_on", lookup_expr="lte", label="Claimed until", widget=DateInput()
    )

    class Meta:
        model = Claim
        fields: list[str] = []
        form = ClaimFilterForm

    def filter_q(self, queryset, name, value):
        return claim_search(queryset, value)

    def filter_rating(self, queryset, name, value):
        # One current verdict per claim (a unique constraint), so this join adds no duplicates.
        return queryset.filter(verdicts__is_current=True, verdicts__rating=value)
