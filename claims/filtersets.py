"""Which claims, in which order: the claims table's filters and sort orders, from the
querystring. The claims page, the exports ("Export this view", so a download holds the rows
the editor was looking at) and the report form all read claims through here, so it sits
under forms and tables, beside the selectors. People choose a tag by its name and an article
by its title; the look-ups that turn those into rows (and the article picker's suggestions)
are here too, since the selectors read claims through this module."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.html import format_html, format_html_join
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator

from claims.choices import ClaimStatus
from claims.language import LANGUAGE_CHOICES
from claims.models import Article, Claim, Claimant, Rating, Tag
from claims.params import has_nul, object_id
from claims.people import PeopleChoiceIterator, active_users, user_display
from claims.widgets import DateInput, DeskFormMixin, LongListSelect

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


def tag_named(tags: QuerySet[Tag], text: str) -> Tag | None:
    """The tag called `text` (the unique name's index), else the one whose id it spells
    (links made before names), else the one tag whose name differs only in case; None when
    no tag answers. One query for a name or an id."""
    pk = object_id(text)
    found = list(tags.filter(Q(name=text) | Q(pk=pk) if pk else Q(name=text))[:2])
    named = next((tag for tag in found if tag.name == text), None)
    if named or found:
        return named or found[0]
    close = list(tags.filter(name__iexact=text)[:2])
    return close[0] if len(close) == 1 else None


# What a list of articles (suggestions, candidates) shows of each.
ARTICLE_FIELDS = ("id", "title", "outlet", "published_on")


def article_suggestions(text: str, limit: int = 8) -> list[Article]:
    """The articles whose title holds `text` (case folded), those titled exactly so first,
    then by title: what the claims table's article picker suggests as one types."""
    text = text.strip()
    if not text or has_nul(text):
        return []
    exact = Case(When(title__iexact=text, then=Value(0)), default=Value(1),
                 output_field=IntegerField())
    return list(
        Article.objects.filter(title__icontains=text).only(*ARTICLE_FIELDS)
        .order_by(exact, "title", "id")[:limit]
    )


def article_title_matches(text: str, limit: int = 6) -> list[Article]:
    """The articles a typed title names: those titled exactly so (case folded) if any, else
    those whose title holds it; at most `limit` (more than one asks the editor to choose)."""
    text = text.strip()
    if not text or has_nul(text):
        return []
    articles = Article.objects.only(*ARTICLE_FIELDS).order_by("title", "id")
    exact = list(articles.filter(title__iexact=text)[:limit])
    return exact or list(articles.filter(title__icontains=text)[:limit])


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


def article_label(article: Article) -> str:
    """An article as a list of candidates names it: its title, outlet and date."""
    details = ", ".join(
        part for part in (article.outlet,
                          article.published_on and f"{article.published_on:%-d %B %Y}") if part
    )
    return f"“{article.title}”" + (f" ({details})" if details else "")


class ClaimFilterForm(DeskFormMixin, forms.Form):
    """The filter form shares its page with the bulk-action form, whose fields have the same
    names (status, assignee): ids of their own keep each label on its own control, so a
    screen reader names each select once ("Status", not "Status New status").

    The article is chosen by its title: the picker's suggestions fill the hidden `article`
    (its id); a title typed (without JavaScript, or sent as it is) is the article it names
    when exactly one article matches, else the form lists the candidates in words. The form
    shows a tag and an article by name even when the link gave their ids."""

    article_title = forms.CharField(label="Article", required=False, max_length=500)

    def __init__(self, data=None, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        # A copy: clean() puts the chosen tag's and article's names back for the fields.
        super().__init__(data.copy() if data is not None else None, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        tag = cleaned.get("tag")
        if tag is not None:
            self.data["tag"] = tag.name
        title = cleaned.get("article_title", "")
        article = cleaned.get("article")
        if "article" in self.errors:
            return cleaned
        if article is not None and (not title or title == article.title):
            # Chosen from the suggestions, or a link with the article's id.
            if "article_title" in self.data and not title:
                # The title was cleared: no article.
                cleaned["article"] = None
            else:
                self.data["article_title"] = article.title
            return cleaned
        cleaned["article"] = None
        if not title:
            return cleaned
        if has_nul(title):
            self.add_error("article_title", "No article’s title holds a NUL character.")
            return cleaned
        matches = article_title_matches(title)
        if len(matches) == 1:
            cleaned["article"] = matches[0]
        elif not matches:
            self.add_error("article_title", f"No article called “{title}”.")
        else:
            shown = matches[:ARTICLE_CANDIDATES_LISTED]
            more = "" if len(matches) <= len(shown) else ", and more"
            self.add_error("article_title", (
                f"Several articles match “{title}”: "
                + "; ".join(article_label(a) for a in shown) + more
                + ". Type the whole title, or choose one from the suggestions."))
        return cleaned


# How many candidates a title that matches several articles lists.
ARTICLE_CANDIDATES_LISTED = 5


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


class _FilterPeopleChoices(FilterModelChoiceIterator, PeopleChoiceIterator):
    """django-filter's "Nobody" choice after the empty one, then the people as plain
    (id, name) pairs (PeopleChoiceIterator)."""


class UserFilterField(FilterModelChoiceField):
    """django-filter's choice field (it adds the "Nobody" choice), naming each user as the
    rest of the desk does, its options written in one pass."""

    iterator = _FilterPeopleChoices
    widget = LongListSelect

    def label_from_instance(self, obj) -> str:
        return user_display(obj)


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserFilterField


class TagNameField(FilterModelChoiceField):
    """A tag by its name (what people type and read), or by its id (links made before
    names, and API callers that send ids). A name matching no tag is refused in words."""

    default_error_messages = {"invalid_choice": "No tag called “%(value)s”."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        tag = None if has_nul(text) else tag_named(self.queryset, text)
        if tag is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": text})
        return tag


class ArticleIdField(FilterModelChoiceField):
    """An article by its id; a value that is no id is refused before asking the database
    (a number past the largest id would overflow its integer)."""

    def to_python(self, value):
        if value not in self.empty_values and object_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": value})
        return super().to_python(value)


class ArticleIdFilter(django_filters.ModelChoiceFilter):
    field_class = ArticleIdField


class TagNameFilter(django_filters.ModelChoiceFilter):
    """The claims with one tag, named (or by its id); the field offers the tags' names as
    suggestions (a <datalist>)."""

    field_class = TagNameField
    # The API documents the name beside the id (api/views/common.py filter_parameters).
    name_max_length = Tag._meta.get_field("name").max_length


class TagNameInput(forms.TextInput):
    """A text box suggesting the tags' names: an HTML <datalist> beside it, read once per
    page (the field's choices)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.choices = []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {})}
        names_id = f"{attrs.get('id') or name}_names"
        attrs["list"] = names_id
        tags = getattr(self.choices, "queryset", Tag.objects.none())
        names = format_html_join("", '<option value="{}"></option>', ((t.name,) for t in tags))
        return format_html('{}<datalist id="{}">{}</datalist>',
                           super().render(name, value, attrs, renderer), names_id, names)


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
    # Articles can number in the tens of thousands: the filter takes an id, set by the
    # article picker's suggestions (ClaimFilterForm.article_title) and by article pages,
    # rather than rendering every title in a <select>.
    article = ArticleIdFilter(
        queryset=Article.objects.only("id", "title"),
        distinct=False,
        label="Article id",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "No article has the id “%(value)s”."},
    )
    assignee = UserFilter(
        queryset=active_users(),
        distinct=False,
        empty_label="Anyone",
        null_label="Nobody",
    )
    tag = TagNameFilter(
        field_name="tags",
        queryset=Tag.objects.order_by("name"),
        distinct=False,
        label="Tag",
        widget=TagNameInput,
        help_text="A tag’s name: the box suggests them as you type.",
    )
    # The language of the claim's words (Claim.language, detected on every write); indexed
    # with the table's default order (claim_language_created_idx). Every ISO 639-1 language
    # is offered, by name: which ones the desk holds would cost a scan of the table.
    language = django_filters.ChoiceFilter(
        choices=LANGUAGE_CHOICES,
        empty_label="Any language",
        label="Language",
        widget=LongListSelect,
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

    def active_filters(self) -> list[str]:
        """The filters really applied to the rows: each with a value the form accepted (a
        blank field, the empty choice and a refused value are not). The results' heading
        and the "Filters (n active)" button both count these."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # cleans once; a refused field is left out of cleaned_data
        cleaned = self.form.cleaned_data
        return [name for name in self.filters if cleaned.get(name) not in (None, "", [], ())]

    def filter_queryset(self, queryset):
        # The form's own fields (the article's title) are not filters: clean() turns a title
        # into the article filter's value.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_q(self, queryset, name, value):
        return claim_search(queryset, value)

    def filter_rating(self, queryset, name, value):
        # One current verdict per claim (a unique constraint), so this join adds no duplicates.
        return queryset.filter(verdicts__is_current=True, verdicts__rating=value)
