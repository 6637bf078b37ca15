"""Forms: they parse and check input shape; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from claims.choices import ClaimStatus, Stance
from claims.models import Claimant, Source
from claims.people import UserChoiceField
from claims.uploads import normalise_newlines, text_from_upload


class DeskFormMixin:
    """Bootstrap classes on every widget, and errors tied to their field for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.TextInput | forms.Textarea):
                # What people type may be right-to-left: the box follows its first letter.
                widget.attrs.setdefault("dir", "auto")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}_help"

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        # Errors a service raises after validation (views call add_error) are marked too.
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if attrs.get("aria-invalid") == "true":
                    continue
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                error_id = f"{self.auto_id % self.add_prefix(name)}_error"
                attrs["aria-describedby"] = (
                    f"{attrs.get('aria-describedby', '')} {error_id}".strip()
                )


class DateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO format (YYYY-MM-DD), the only format the
    HTML date input reads. Django would render the locale's format (en-gb: 15/10/2019): the
    browser then shows an empty field, and saving the untouched form erased the date. Every
    date field of the desk uses this widget."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class ArticleTextForm(DeskFormMixin, forms.Form):
    title = forms.CharField(max_length=500)
    outlet = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=300, required=False)
    url = forms.URLField(
        label="Original URL", max_length=2000, required=False, assume_scheme="https"
    )
    published_on = forms.DateField(
        label="Published", required=False, widget=DateInput()
    )
    body = forms.CharField(label="Article text", widget=forms.Textarea(attrs={"rows": 12}))
    is_internal = forms.BooleanField(
        label="Internal: never shown to readers", required=False,
        help_text="A memo, tip or draft. Public fact-checks, ClaimReview and feeds never name "
        "an internal article, even when a published claim was made or repeated in it.",
    )

    def clean_body(self):
        body = normalise_newlines(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError("Paste the article text.")
        return body


class ArticleUploadForm(DeskFormMixin, forms.Form):
    file = forms.FileField(
        label="Article file (.txt or .html)",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.html,.htm,text/plain,text/html"}),
    )
    title = forms.CharField(
        max_length=500, required=False, help_text="Leave empty to use the file's own title."
    )
    outlet = forms.CharField(max_length=200, required=False)
    is_internal = forms.BooleanField(
        label="Internal: never shown to readers", required=False,
        help_text="A memo, tip or draft. Public fact-checks, ClaimReview and feeds never name "
        "an internal article, even when a published claim was made or repeated in it.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.extracted = text_from_upload(upload)
        return upload


class ArticleUrlForm(DeskFormMixin, forms.Form):
    url = forms.URLField(label="Article URL", max_length=2000, assume_scheme="https")


class ClaimLogForm(DeskFormMixin, forms.Form):
    quote = forms.CharField(
        label="Quote",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The exact words in the article. Select them in the text, or paste them here.",
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    claimant = forms.ModelChoiceField(
        queryset=Claimant.objects.all(), required=False, widget=forms.HiddenInput
    )
    claimant_name = forms.CharField(
        label="Claimant",
        max_length=200,
        required=False,
        help_text="Start typing to choose someone already on file, or give a new name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    claimant_role = forms.CharField(label="Claimant's role", max_length=200, required=False)
    claimant_organisation = forms.CharField(
        label="Claimant's organisation", max_length=200, required=False
    )
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

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


class ClaimEditForm(DeskFormMixin, forms.Form):
    """A claim's statement, claimant, date and tags. The claimant is picked as on the log
    form: a name with suggestions, and the chosen claimant's id in a hidden field (a desk has
    thousands of claimants; a <select> of them all cost most of the claim page's time)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    statement = forms.CharField(label="Claim statement", max_length=300)
    claimant = forms.ModelChoiceField(
        queryset=Claimant.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That claimant is no longer on file: type the name "
                        "again and choose from the suggestions."},
    )
    claimant_name = forms.CharField(
        label="Claimant",
        max_length=200,
        required=False,
        help_text="Start typing to choose someone already on file, or give a new name. "
        "Leave it empty if nobody is known to have made the claim.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    claimed_on = forms.DateField(
        label="Date claimed", required=False, widget=DateInput()
    )
    tags = forms.CharField(label="Tags", required=False, help_text="Separate tags with commas.")

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))

    def clean(self):
        data = super().clean()
        if "claimant_name" not in self.data:
            return data  # a client that sends only the id
        # The name is what the editor sees and edits: without JavaScript the hidden id stays
        # as it was, so an emptied or changed name must win over it.
        name = " ".join(data.get("claimant_name", "").split())
        chosen = data.get("claimant")
        if not name:
            data["claimant"] = None
        elif chosen is not None and chosen.name.casefold() != name.casefold():
            data["claimant"] = None
        data["claimant_name"] = name
        return data


EDITABLE_STATUSES = [
    (ClaimStatus.NEW.value, ClaimStatus.NEW.label),
    (ClaimStatus.RESEARCHING.value, ClaimStatus.RESEARCHING.label),
    (ClaimStatus.NOT_CHECKABLE.value, ClaimStatus.NOT_CHECKABLE.label),
]


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


class BulkActionForm(DeskFormMixin, forms.Form):
    ACTIONS = [("assign", "Assign to"), ("status", "Set status to")]

    action = forms.ChoiceField(label="Bulk action", choices=ACTIONS)
    claims = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Claims", required=False)
    assignee = UserChoiceField(
        queryset=active_users(), required=False, empty_label="Nobody", label="Assignee"
    )
    status = forms.ChoiceField(label="New status", choices=EDITABLE_STATUSES, required=False)
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


class ColumnsForm(DeskFormMixin, forms.Form):
    columns = forms.MultipleChoiceField(
        label="Columns shown", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = choices
