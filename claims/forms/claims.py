"""Forms about claims: logging, editing, status, assignment, bulk actions and the claims
table's columns. They check the input's shape; the rules live in services/claims.py."""

from __future__ import annotations

import uuid

from django import forms

from claims.choices import ClaimStatus
from claims.forms.claimants import ClaimantPickerMixin
from claims.people import PeopleChoiceIterator, UserChoiceField, active_users
from claims.services.bulk import BulkAction
from claims.services.claims import STATUSES_SET_BY_HAND
from claims.widgets import DateInput, DeskFormMixin


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class ClaimLogForm(ClaimantPickerMixin, DeskFormMixin, forms.Form):
    quote = forms.CharField(
        label="Quote",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The exact words in the article. Select them in the text, or paste them here.",
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    statement = forms.CharField(
        label="Claim statement",
        max_length=300,
        help_text="The claim as a short checkable statement (aim for under 75 characters).",
    )
    claimed_on = forms.DateField(
        label="Date claimed",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to use the article's publication date.",
    )
    tags = forms.CharField(label="Tags", required=False, help_text="Separate tags with commas.")
    # One key per form shown: the same form sent twice (Back, then Save again) finds the
    # claim it saved (services: claim_log) instead of logging a copy.
    submission_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    save_anyway = forms.BooleanField(label="Save anyway as a separate claim", required=False)

    # Set by the view when the claim may already be logged: the claims found (DuplicateMatch).
    duplicates: list = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4().hex
        self.fields["save_anyway"].widget.attrs["class"] = "form-check-input"

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


class ClaimEditForm(ClaimantPickerMixin, DeskFormMixin, forms.Form):
    """A claim's statement, claimant, date and tags. The claimant is picked as on the log
    form (the claimant picker): a desk has thousands of claimants, so a name with
    suggestions, never a <select> of them all."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    statement = forms.CharField(label="Claim statement", max_length=300)
    claimed_on = forms.DateField(
        label="Date claimed", required=False, widget=DateInput()
    )
    tags = forms.CharField(label="Tags", required=False, help_text="Separate tags with commas.")

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


EDITABLE_STATUSES = [(status.value, status.label) for status in STATUSES_SET_BY_HAND]


class ClaimStatusForm(DeskFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", choices=EDITABLE_STATUSES)
    reason = forms.CharField(
        label="Why it cannot be checked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the status is “not checkable”.",
    )


class ClaimAssignForm(DeskFormMixin, forms.Form):
    assignee = UserChoiceField(queryset=active_users(), required=False, empty_label="Nobody")


NOBODY = "nobody"


class _ChoicesWithNobody(PeopleChoiceIterator):
    """The people, after the empty choice and an explicit "Nobody"."""

    def __iter__(self):
        choices = super().__iter__()
        if self.field.empty_label is not None:
            yield next(choices)
        yield (NOBODY, "Nobody")
        yield from choices

    def __len__(self):
        return super().__len__() + 1


class AssigneeChoiceField(UserChoiceField):
    """A person, or "Nobody" as a value of its own: an empty or missing value is no choice
    at all, never taken for "Nobody". Cleans to a user, NOBODY, or None (nothing chosen)."""

    iterator = _ChoicesWithNobody

    def to_python(self, value):
        if value == NOBODY:
            return NOBODY
        return super().to_python(value)


class BulkActionForm(DeskFormMixin, forms.Form):
    """One action applied to the ticked claims. Every choice is explicit: an empty action,
    assignee or status is refused, so a bar that lost its state can never send "assign to
    nobody" by default."""

    action = forms.ChoiceField(
        label="Bulk action",
        choices=[("", "Choose an action")] + BulkAction.choices,
        error_messages={"required": "Choose an action: assign the claims or set their status."},
    )
    claims = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Claims", required=False)
    assignee = AssigneeChoiceField(
        queryset=active_users(), required=False, empty_label="Choose a person", label="Assignee"
    )
    status = forms.ChoiceField(
        label="New status", choices=[("", "Choose a status")] + EDITABLE_STATUSES,
        required=False,
    )
    reason = forms.CharField(label="Reason (for not checkable)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids are accepted here; the view loads them and permission-checks each.
        self.fields["claims"].valid_value = lambda value: True

    def clean_claims(self):
        ids = self.cleaned_data["claims"]
        if not ids:
            raise forms.ValidationError("Select at least one claim.")
        if len(ids) > 500:
            raise forms.ValidationError("Select at most 500 claims at a time.")
        return ids

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", "Choose who to assign the claims to, or “Nobody”.")
        if action == BulkAction.STATUS:
            if not data.get("status"):
                self.add_error("status", "Choose the new status.")
            elif data["status"] == ClaimStatus.NOT_CHECKABLE and not data.get("reason", "").strip():
                self.add_error("reason", "Say why the claims cannot be checked.")
        return data

    def error_sentences(self) -> list[str]:
        return [error for errors in self.errors.values() for error in errors]

    def bulk_arguments(self) -> dict:
        """The cleaned choice, as claims_bulk_apply takes it ("Nobody" is None)."""
        data = self.cleaned_data
        if data["action"] == BulkAction.ASSIGN:
            assignee = data["assignee"]
            return {"claim_ids": data["claims"], "action": BulkAction.ASSIGN,
                    "assignee": None if assignee == NOBODY else assignee}
        return {"claim_ids": data["claims"], "action": BulkAction.STATUS,
                "status": data["status"], "reason": data["reason"]}


class ColumnsForm(DeskFormMixin, forms.Form):
    columns = forms.MultipleChoiceField(
        label="Columns shown", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = choices
