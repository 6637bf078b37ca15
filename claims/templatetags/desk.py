"""Template helpers for the desk layout."""

from django import template
from django.urls import NoReverseMatch, reverse

from ..people import user_display

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
    """How the desk names a person (claims.people.user_display); `default` for no user."""
    return user_display(user, default)
