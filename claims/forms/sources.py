"""Forms for citing a source on a claim and for evidence notes. They check the input's
shape; the rules live in services/sources.py."""

from __future__ import annotations

from django import forms

from claims.choices import Stance
from claims.widgets import DeskFormMixin


class SourceAttachForm(DeskFormMixin, forms.Form):
    url = forms.URLField(label="Source URL", max_length=2000, assume_scheme="https")
    # Attaching a source cites it: the citation is evidence, so its stance is chosen here
    # rather than recorded silently.
    stance = forms.ChoiceField(
        label="Cite it as", choices=Stance.choices, initial=Stance.CONTEXT, required=False,
        help_text="It is added to the evidence below; change its stance, note or excerpt "
        "there with “Edit”.",
    )

    def __init__(self, *args, **kwargs):
        # The claim page also shows "Add evidence", whose fields have the same names.
        kwargs.setdefault("auto_id", "id_attach_%s")
        super().__init__(*args, **kwargs)

    def clean_stance(self):
        return self.cleaned_data["stance"] or Stance.CONTEXT


class EvidenceForm(DeskFormMixin, forms.Form):
    """"Add evidence": it starts empty and adds a note of its own every time. A source is
    cited by attaching it ("Attach a source", which asks its stance); a cited source's
    stance, note and excerpt change through EvidenceEditForm, on its own row."""

    stance = forms.ChoiceField(label="Stance", choices=Stance.choices, initial=Stance.CONTEXT)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    excerpt = forms.CharField(
        label="Excerpt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A passage that matters: from a document, an interview, a source not on "
        "the web. To cite a web page, attach it as a source.",
    )

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)


class EvidenceEditForm(DeskFormMixin, forms.Form):
    """A piece of evidence's "Edit" fold: its stance, note and excerpt as stored. Each item's
    form has its own prefix, so the page's many folds keep distinct ids."""

    stance = forms.ChoiceField(label="Stance", choices=Stance.choices)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    excerpt = forms.CharField(
        label="Excerpt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The passage of the source that matters.",
    )

    def __init__(self, *args, evidence, **kwargs):
        kwargs.setdefault("prefix", f"evidence-{evidence.pk}")
        kwargs.setdefault("initial", {"stance": evidence.stance, "note": evidence.note,
                                      "excerpt": evidence.excerpt})
        super().__init__(*args, **kwargs)
        self.evidence = evidence


def with_edit_forms(items, *, bound: EvidenceEditForm | None = None, held=()) -> list:
    """The evidence items, each saying whether it has an "Edit" fold (`item.editable`:
    not for the items in `held`, ids of evidence a verdict holds for readers, which the
    service would refuse to change: selectors.published.claim_evidence_held) and, as
    `item.edit_form`, the form sent back with errors for the item it is about. The other
    items' forms are fetched when their fold opens (views.sources.evidence_edit)."""
    items = list(items)
    for item in items:
        item.edit_form = bound if bound is not None and bound.evidence.pk == item.pk else None
        # A refused form is shown with its reason even where no edit is offered.
        item.editable = item.edit_form is not None or item.pk not in held
    return items
