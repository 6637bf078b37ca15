"""A person's e-mail choices for notifications (NotificationPreference)."""

from __future__ import annotations

from django import forms

from claims.models.notifications import NotificationPreference
from claims.widgets import DeskFormMixin


class NotificationPreferenceForm(DeskFormMixin, forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_review_requests", "email_my_work"]
