"""How the desk names a person. One function, so a user reads the same everywhere: on every
page, in filters, tables, forms, messages, notifications and the audit history."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model


def user_display(user, default: str = "someone") -> str:
    """A user's full name, else their username; `default` when there is no user."""
    if user is None:
        return default
    return user.get_full_name() or user.get_username()


class UserChoiceField(forms.ModelChoiceField):
    """A choice of user, each shown by user_display."""

    def label_from_instance(self, obj) -> str:
        return user_display(obj)


def active_users():
    """The users work can be assigned to, by username: only the columns a list of names
    shows (every assignee select lists them all; a field left out loads when read)."""
    return (get_user_model().objects.filter(is_active=True).order_by("username")
            .only("id", "username", "first_name", "last_name", "email", "is_active"))
