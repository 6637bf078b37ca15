"""Template helpers for the desk layout."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_or_none(name, *args, **kwargs):
    """The URL for `name`, or "" while the page behind it does not exist yet (pages added by
    other parts of the desk appear in the navigation as soon as their URL is registered)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.filter
def display_name(user, default="the desk"):
    """A user's full name, their username, or `default` when there is no user."""
    if user is None:
        return default
    return user.get_full_name() or user.get_username()
