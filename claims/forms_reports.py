"""The Reports page form: a scope (one claim, one article, a date range), the claims
table's filters, and a format."""

from __future__ import annotations

from django import forms

from .filters import ClaimFilter
from .params import MAX_ID

SCOPES = [
    ("dates", "Published in a date range"),
    ("article", "Every claim of one article"),
    ("claim", "One claim"),
]
FORMATS = [("html", "Printable page (HTML)"), ("pdf", "PDF")]
CHECK = "form-check-input"
INPUT = {"class": "form-control"}


class ReportForm(forms.Form):
    scope = forms.ChoiceField(
        choices=SCOPES, initial="dates", widget=forms.RadioSelect(attrs={"class": CHECK})
    )
    claim = forms.IntegerField(
        label="Claim id", required=False, min_value=1, max_value=MAX_ID,
        widget=forms.NumberInput(attrs=INPUT),
    )
    article = forms.IntegerField(
        label="Article id", required=False, min_value=1, max_value=MAX_ID,
        widget=forms.NumberInput(attrs=INPUT),
    )
    since = forms.DateField(
        label="Published from", required=False,
        widget=forms.DateInput(attrs={"type": "date", **INPUT}),
    )
    until = forms.DateField(
        label="Published until", required=False,
        widget=forms.DateInput(attrs={"type": "date", **INPUT}),
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
        return [self[name] for name in ("claim", "article", "since", "until")]

    def filter_fields(self):
        return [self[name] for name in self.FILTER_FIELDS]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "claim" and not data.get("claim"):
            self.add_error("claim", "Give the id of the claim to report on.")
        if scope == "article" and not data.get("article"):
            self.add_error("article", "Give the id of the article to report on.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def report_args(self) -> dict:
        data = self.cleaned_data
        filters = {name: self.data.get(name, "") for name in self.FILTER_FIELDS}
        return {
            "scope": data["scope"],
            "claim_id": data.get("claim"),
            "article_id": data.get("article"),
            "since": data.get("since"),
            "until": data.get("until"),
            "filters": {k: v for k, v in filters.items() if v},
            "published_only": data.get("published_only", False),
        }
