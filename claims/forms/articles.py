"""Forms for adding an article: pasted text, an uploaded file, a URL. They check the
input's shape; the rules live in services/articles.py."""

from __future__ import annotations

from django import forms

from claims.uploads import normalise_newlines, text_from_upload
from claims.widgets import DateInput, DeskFormMixin


class RepeatChoiceMixin(forms.Form):
    """An article already on the desk is refused (ArticleRepeat); the page then offers this
    box, and adding a second copy is the editor's explicit choice."""

    repeat_ok = forms.BooleanField(label="Add it anyway, as a second copy", required=False)
    repeat_of = None  # the article already on the desk, set by the view after a refusal


class ArticleTextForm(DeskFormMixin, RepeatChoiceMixin):
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


class ArticleUploadForm(DeskFormMixin, RepeatChoiceMixin):
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


class ArticleUrlForm(DeskFormMixin, RepeatChoiceMixin):
    url = forms.URLField(label="Article URL", max_length=2000, assume_scheme="https")
