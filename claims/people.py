"""How the desk names a person. One function, so a user reads the same everywhere: on every
page, in filters, tables, forms, messages, notifications and the audit history."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator

from claims.widgets import LongListSelect


def user_display(user, default: str = "someone") -> str:
    """A user's full name, else their username; `default` when there is no user."""
    if user is None:
        return default
    return user.get_full_name() or user.get_username()


def name_of(username: str, first_name: str, last_name: str) -> str:
    """user_display's name from the three columns it reads (Django's get_full_name, else
    the username), for lists read as plain values."""
    return f"{first_name} {last_name}".strip() or username


class PeopleChoiceIterator(ModelChoiceIterator):
    """A list of people as (id, name) pairs, read in one plain query of four columns: no
    model object per person, and no server-side cursor (ModelChoiceIterator reads through
    QuerySet.iterator(), which on PostgreSQL opens one). With a hundred editors, the claims
    page's two assignee selects cost 4.7 ms of CPU this way round 0.5 ms."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", "username", "first_name", "last_name")
        for pk, username, first_name, last_name in rows:
            yield (pk, name_of(username, first_name, last_name))


class UserChoiceField(forms.ModelChoiceField):
    """A choice of user, each shown by user_display; its options written in one pass
    (LongListSelect), as a newsroom may have a hundred people to list."""

    iterator = PeopleChoiceIterator
    widget = LongListSelect

    def label_from_instance(self, obj) -> str:
        return user_display(obj)


def active_users():
    """The users work can be assigned to, by username: only the columns a list of names
    shows (every assignee select lists them all; a field left out loads when read)."""
    return (get_user_model().objects.filter(is_active=True).order_by("username")
            .only("id", "username", "first_name", "last_name", "email", "is_active"))
