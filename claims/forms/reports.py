"""The Reports page form: a scope (one claim, found by searching for it; one article; a date
range), the claims table's filters, and a format. Each field says which scopes it applies
to (SCOPED): the page shows only those, and the report ignores the others."""

from __future__ import annotations

from django import forms

from claims.filtersets import ClaimFilter, claim_search
from claims.models import Claim
from claims.params import MAX_ID, object_id
from claims.widgets import DESK_RENDERER, DateInput

SCOPES = [
    ("dates", "Published in a date range"),
    ("article", "Every claim of one article"),
    ("claim", "One claim"),
]


FORMATS = [("html", "Printable page (HTML)"), ("pdf", "PDF")]


CHECK = "form-check-input"


INPUT = {"class": "form-control"}


def claim_id_typed(text: str) -> int | None:
    """The claim id typed in the search box ("42" or "#42"), or None for words."""
    return object_id(text.strip().removeprefix("#"))


# The scopes each field applies to; a field not named here applies to every scope.
SCOPED = {
    "claim_search": ("claim",),
    "article": ("article",),
    "since": ("dates",),
    "until": ("dates",),
    "published_only": ("claim", "article"),
    "filters": ("dates", "article"),
}


class ReportForm(forms.Form):
    default_renderer = DESK_RENDERER  # Jinja2 widget templates (claims/widgets.py)
    scope = forms.ChoiceField(
        choices=SCOPES, initial="dates", widget=forms.RadioSelect(attrs={"class": CHECK})
    )
    # The claim chosen from the suggestions (static/js/desk.js sets it); without JavaScript
    # the words typed are enough when they find one claim.
    claim = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                               widget=forms.HiddenInput)
    claim_search = forms.CharField(
        label="Claim", required=False, max_length=200,
        help_text="Type words of its statement or quote, or its id, then choose it.",
    )
    article = forms.IntegerField(
        label="Article id", required=False, min_value=1, max_value=MAX_ID,
        widget=forms.NumberInput(attrs=INPUT),
    )
    since = forms.DateField(
        label="Published from", required=False,
        widget=DateInput(attrs=INPUT),
    )
    until = forms.DateField(
        label="Published until", required=False,
        widget=DateInput(attrs=INPUT),
    )
    published_only = forms.BooleanField(
        label="Only published verdicts", required=False, initial=True,
        widget=forms.CheckboxInput(attrs={"class": CHECK}),
        help_text="Leave unticked to include drafts and claims still in research.",
    )
    format = forms.ChoiceField(
        choices=FORMATS, initial="html", widget=forms.RadioSelect(attrs={"class": CHECK})
    )

    # The claims table's own filters, rendered from its FilterSet so they never drift apart.
    FILTER_FIELDS = ("q", "status", "rating", "claimant", "tag")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        filter_form = ClaimFilter(self.data or None).form
        for name in self.FILTER_FIELDS:
            self.fields[name] = filter_form.fields[name]
            self.fields[name].required = False

    def scope_fields(self):
        """(field, the scopes it applies to) for the article id and the dates."""
        return [(self[name], self.field_scopes[name]) for name in ("article", "since", "until")]

    @property
    def field_scopes(self) -> dict[str, str]:
        """Each scoped part of the form and its scopes, space-separated (data-scopes)."""
        return {name: " ".join(scopes) for name, scopes in SCOPED.items()}

    def filter_fields(self):
        return [self[name] for name in self.FILTER_FIELDS]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "claim":
            self._clean_claim(data)
        if scope == "article" and not data.get("article"):
            self.add_error("article", "Give the id of the article to report on.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def _clean_claim(self, data) -> None:
        """The claim chosen, or the one claim the typed words (or id) find."""
        chosen = data.get("claim")
        if chosen and Claim.objects.filter(pk=chosen).exists():
            return
        text = (data.get("claim_search") or "").strip()
        given = str(self.data.get(self.add_prefix("claim")) or "").strip()
        if not text and given:
            # An id from a link or a hand-edited address: said at the field the user sees,
            # not on the hidden one.
            self.errors.pop("claim", None)
            self.add_error("claim_search", f"There is no claim with the id “{given[:40]}”: "
                           "search for the claim to report on and choose it.")
            return
        if not text:
            self.add_error("claim_search", "Search for the claim to report on and choose it.")
            return
        by_id = claim_id_typed(text)
        if by_id:
            found = list(Claim.objects.filter(pk=by_id).values_list("pk", flat=True))
        else:
            found = list(claim_search(Claim.objects.all(), text).values_list("pk", flat=True)[:2])
        if not found:
            self.add_error("claim_search", f"No claim matches “{text}”.")
        elif len(found) > 1:
            self.add_error("claim_search", f"Several claims match “{text}”: choose one from "
                           "the suggestions, or type more of its words.")
        else:
            data["claim"] = found[0]

    def report_args(self) -> dict:
        data = self.cleaned_data
        scope = data["scope"]
        filters = {name: self.data.get(name, "") for name in self.FILTER_FIELDS}
        if scope not in SCOPED["filters"]:
            filters = {}
        return {
            "scope": scope,
            "claim_id": data.get("claim") if scope == "claim" else None,
            "article_id": data.get("article") if scope == "article" else None,
            "since": data.get("since") if scope == "dates" else None,
            "until": data.get("until") if scope == "dates" else None,
            "filters": {k: v for k, v in filters.items() if v},
            "published_only": data.get("published_only", False),
        }
