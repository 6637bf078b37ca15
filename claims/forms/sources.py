"""Forms for citing a source on a claim and for evidence notes. They check the input's
shape; the rules live in services/sources.py."""

from __future__ import annotations

from django import forms

from claims.choices import Stance
from claims.models import Source
from claims.widgets import DeskFormMixin


class SourceAttachForm(DeskFormMixin, forms.Form):
    url = forms.URLField(label="Source URL", max_length=2000, assume_scheme="https")


class EvidenceForm(DeskFormMixin, forms.Form):
    stance = forms.ChoiceField(label="Stance", choices=Stance.choices, initial=Stance.CONTEXT)
    source = forms.ModelChoiceField(
        label="Source", queryset=Source.objects.none(), required=False, empty_label="No source",
        help_text="A source is cited once per claim: evidence on a source already cited "
        "updates that citation.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    excerpt = forms.CharField(
        label="Excerpt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The passage of the source that matters.",
    )

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        if claim is None:
            return
        # Sources reach a claim through its evidence (source_attach records one).
        self.fields["source"].queryset = Source.objects.filter(evidence__claim=claim)
        if self.is_bound:
            return
        # The source the editor most likely writes about is the one attached last. Its
        # citation's stance, note and excerpt are shown as stored: adding evidence on a
        # cited source fills in that citation, so the form sent back as shown changes nothing.
        latest = (
            claim.evidence.filter(source__isnull=False).order_by("-created_at", "-id").first()
        )
        if latest is not None:
            self.initial.setdefault("source", latest.source_id)
            self.initial.setdefault("stance", latest.stance)
            self.initial.setdefault("note", latest.note)
            self.initial.setdefault("excerpt", latest.excerpt)
