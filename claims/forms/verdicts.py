"""Forms of the verdict workflow: a draft, and a correction with what it changes on the claim.
They only parse input; the rules are in claims/services/verdicts.py and claims/permissions.py."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from claims.choices import SourceStatus
from claims.forms.claimants import ClaimantPickerMixin
from claims.models import Claim, Evidence, Rating, Verdict
from claims.params import ModelMultipleIdsField
from claims.widgets import DESK_RENDERER, DateInput, list_choices


def rating_choices(current: Verdict | None = None):
    """The default scale's levels, plus the verdict's own rating if it is on another scale."""
    extra = Q(pk=current.rating_id) if current is not None and current.rating_id else Q(pk=None)
    return Rating.objects.filter(Q(scale__is_default=True) | extra).order_by("position", "id")


# What a verdict's evidence list says about a source that readers could not follow yet.
FETCH_STATE = {
    SourceStatus.PENDING: "being fetched",
    SourceStatus.FETCHING: "being fetched",
    SourceStatus.FAILED: "fetch failed",
}


class EvidenceChoiceField(ModelMultipleIdsField):
    def label_from_instance(self, obj: Evidence) -> str:
        if not obj.source_id:
            return f"{obj.get_stance_display()}: {obj.note[:80]}"
        state = FETCH_STATE.get(obj.source.status, "")
        return f"{obj.get_stance_display()}: {obj.source}{f' ({state})' if state else ''}"


class VerdictDraftForm(forms.Form):
    default_renderer = DESK_RENDERER  # Jinja2 widget templates (claims/widgets.py)
    rating = forms.ModelChoiceField(queryset=Rating.objects.none(), required=False,
                                    empty_label="— choose a rating —")
    summary = forms.CharField(
        label="One-line summary", max_length=300, required=False,
        help_text="What readers see first, e.g. “The figure is from 2009, not 2011.”",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False,
        help_text="Markdown. Explain how the evidence leads to the rating.",
    )
    evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Evidence this verdict rests on",
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, claim: Claim, verdict: Verdict | None = None,
                 evidence_qs=None, ratings_qs=None, evidence_rows=None, **kwargs):
        """`evidence_rows`: the claim's evidence already read, with its sources (the claim
        page's), for the choices of a form that is only shown: a bound form still checks
        what it is sent against the claim's evidence in the database."""
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = ratings_qs if ratings_qs is not None else \
            rating_choices(verdict)
        self.fields["evidence"].queryset = evidence_qs if evidence_qs is not None else \
            claim.evidence.select_related("source")
        if evidence_rows is not None and not self.is_bound:
            field = self.fields["evidence"]
            field.choices = [(e.pk, field.label_from_instance(e)) for e in evidence_rows]
        list_choices(self)
        for name in ("summary", "rationale"):
            self.fields[name].widget.attrs.update({"class": "form-control", "dir": "auto"})
        self.fields["rating"].widget.attrs["class"] = "form-select"


class CorrectionForm(ClaimantPickerMixin, VerdictDraftForm):
    correction_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "dir": "auto"}),
        help_text="What was wrong and what changed. Readers see this note.",
    )
    # What readers see of the claim itself: a published claim changes only here, held with
    # the correction until it is reviewed and published. The claimant is set with the
    # claimant picker (ClaimantPickerMixin), as everywhere else.
    statement = forms.CharField(
        label="Claim statement", max_length=300, required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    claimed_on = forms.DateField(label="Date claimed", required=False, widget=DateInput())

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, claim=claim, **kwargs)
        self.fields["statement"].initial = claim.statement
        self.fields["claimant"].initial = claim.claimant_id
        self.fields["claimant_name"].initial = claim.claimant.name if claim.claimant else ""
        self.fields["claimed_on"].initial = claim.claimed_on
        for name in ("statement", "claimant_name", "claimed_on", "claimant_role",
                     "claimant_organisation"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.claim = claim

    def clean(self):
        cleaned = super().clean()
        # A post without the claim's fields (an older form, a script) leaves them as they are.
        for name in ("statement", "claimed_on"):
            if self.add_prefix(name) not in self.data:
                cleaned[name] = self.fields[name].initial
        if self.add_prefix("claimant_name") not in self.data and \
                self.add_prefix("claimant") not in self.data:
            cleaned["claimant"] = self.claim.claimant
        if not (cleaned.get("statement") or "").strip():
            self.add_error("statement", "The claim needs a statement.")
        return cleaned
