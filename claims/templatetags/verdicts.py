"""The verdict panel on the claim page, the notification badge in the layout, and the
filters that render verdict text safely.

`{% verdict_panel verdict_panel %}` renders the panel the claim page's view built (its reads,
forms and offered actions come from claims/views/verdicts.py `verdict_panel_context`, which
asks claims/permissions.py); the tag only adds the request, user and CSRF token."""

from __future__ import annotations

from django import template

from claims.selectors.dashboard import unread_notification_count
from claims.verdict_text import diff_words, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Markdown rendered and sanitised (nh3)."""
    return render_markdown(text)


@register.filter
def word_diff(new: str, old: str):
    return diff_words(old, new)


@register.filter
def text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (WCAG contrast), so a rating badge
    stays legible whatever colour an admin gives the level."""
    try:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    except (TypeError, ValueError):
        return "#fff"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#fff"


@register.inclusion_tag("claims/partials/verdict_panel.html", takes_context=True)
def verdict_panel(context, panel: dict):
    """The verdict panel the view built (`verdict_panel_context`)."""
    request = context.get("request")
    return {
        "request": request,
        "user": getattr(request, "user", None) or context.get("user"),
        "csrf_token": context.get("csrf_token"),
        **panel,
    }


@register.inclusion_tag("claims/partials/verdict_notifications_badge.html", takes_context=True)
def notifications_badge(context):
    """The unread count for the layout's navigation (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"user": user, "unread": unread_notification_count(user) if user else 0}
