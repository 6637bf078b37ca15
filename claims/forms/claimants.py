"""The claimant picker's fields, shared by every form that sets a claimant (logging a claim,
editing it, a correction), and the claimants page's merge form. What a picker's answer means
is decided by services/claimants.py (claimant_from_picker)."""

from __future__ import annotations

from django import forms

from claims.choices import ClaimantKind
from claims.models import Claimant
from claims.widgets import DeskFormMixin


class ClaimantPickerMixin(forms.Form):
    """The claimant picker (templates/claims/partials/claimant_picker.html): a name with
    suggestions, the chosen claimant's id, and for an explicit new claimant its kind, role
    and organisation. `claimant_pick` is a "Did you mean ...?" button's answer."""

    claimant = forms.ModelChoiceField(
        queryset=Claimant.objects.all(), required=False, widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That claimant is no longer on file: type the name "
                        "again and choose from the suggestions."},
    )
    claimant_name = forms.CharField(
        label="Claimant", max_length=200, required=False,
        help_text="Start typing and choose someone on file, or choose to add a new claimant. "
        "Leave it empty if nobody is known to have made the claim.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    claimant_pick = forms.ModelChoiceField(
        queryset=Claimant.objects.all(), required=False, widget=forms.HiddenInput)
    claimant_new = forms.BooleanField(label="Add this name as a new claimant", required=False)
    claimant_kind = forms.ChoiceField(
        label="The new claimant is", choices=ClaimantKind.choices, initial=ClaimantKind.PERSON,
        required=False, widget=forms.RadioSelect)
    claimant_role = forms.CharField(label="Role or title", max_length=200, required=False)
    claimant_organisation = forms.CharField(label="Organisation", max_length=200,
                                            required=False)

    # Set by a view when the typed name was refused: the close names to offer.
    claimant_close: list[Claimant] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claimant_kind"].widget.attrs["class"] = "form-check-input"
        self.fields["claimant_new"].widget.attrs["class"] = "form-check-input"

    def picker_arguments(self) -> dict:
        """The picker's answer, as claimant_from_picker takes it."""
        data = self.cleaned_data
        chosen = data.get("claimant_pick") or data.get("claimant")
        name = data.get("claimant_name", "")
        if data.get("claimant_pick"):
            name = ""
        elif self.add_prefix("claimant_name") in self.data and not name.strip():
            chosen = None  # the name was emptied: nobody (without JavaScript the id stays)
        return {
            "chosen": chosen,
            "name": name,
            "new": bool(data.get("claimant_new")),
            "kind": data.get("claimant_kind") or ClaimantKind.PERSON,
            "role": data.get("claimant_role", ""),
            "organisation": data.get("claimant_organisation", ""),
        }


class ClaimantMergeForm(DeskFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label="Duplicate (its claims move, then it is removed)",
        queryset=Claimant.objects.all(), widget=forms.HiddenInput,
        error_messages={"required": "Choose the duplicate claimant.",
                        "invalid_choice": "That claimant is no longer on file."})
    kept = forms.ModelChoiceField(
        label="Claimant to keep", queryset=Claimant.objects.all(),
        widget=forms.NumberInput(attrs={"min": 1}),
        error_messages={"required": "Give the number (#) of the claimant to keep.",
                        "invalid_choice": "No claimant with that number is on file."})
    note = forms.CharField(label="Why (optional)", required=False, max_length=500)
