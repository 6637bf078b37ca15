"""Forms of the verdict workflow. They only parse input; the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from .models import Claim, Evidence, Rating, Verdict


def rating_choices(current: Verdict | None = None):
    """The default scale's levels, plus the verdict's own rating if it is on another scale."""
    extra = Q(pk=current.rating_id) if current is not None and current.rating_id else Q(pk=None)
    return Rating.objects.filter(Q(scale__is_default=True) | extra).order_by("position", "id")


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        what = str(obj.source) if obj.source_id else obj.note[:80]
        return f"{obj.get_stance_display()}: {what}"


class VerdictDraftForm(forms.Form):
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
                 evidence_qs=None, ratings_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = ratings_qs if ratings_qs is not None else \
            rating_choices(verdict)
        self.fields["evidence"].queryset = evidence_qs if evidence_qs is not None else \
            claim.evidence.select_related("source")
        for name in ("summary", "rationale"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["rating"].widget.attrs["class"] = "form-select"


class CorrectionForm(VerdictDraftForm):
    correction_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="What was wrong and what changed. Readers see this note.",
    )
