"""The form that makes a personal API token. It only parses input; the rules (a name, a
scope, an expiry in the future) are in claims/services/tokens.py."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from claims.models import TokenScope
from claims.widgets import DateInput, DeskFormMixin


class ApiTokenForm(DeskFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100, required=False,
        help_text="What the token is for, so you can tell it apart later: “CMS publishing”.")
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple, required=False,
        initial=[TokenScope.READ])
    expires_on = forms.DateField(
        label="Expires after", required=False, widget=DateInput,
        help_text="Optional: the token stops working at the end of this day. Leave it empty "
        "for a token that works until you revoke it.")

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, in the desk's time zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
