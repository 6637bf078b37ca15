"""Claim assistance on the article and claim pages, as inclusion tags that fetch their
own data with a fixed number of queries:

    {% load assist %}
    {% claim_suggestions article %}   ranked check-worthy sentences, "Log as claim", "Dismiss"
    {% similar_claims claim %}        claims elsewhere that say the same thing, "Link as same claim"
    {% similar_claims_later claim %}  the same, loaded after the page (the claim page uses it)
"""

from __future__ import annotations

from django import template

from claims.assist.selectors import article_suggestions, claim_family
from claims.assist.selectors import similar_claims as find_similar

register = template.Library()


def _user_can(request, codename: str) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.has_perm(f"claims.{codename}"))


# The panel polls every POLL_SECONDS while the article is being scored, at most MAX_POLLS
# times per page view (a worker that never comes must not keep a tab polling for ever).
POLL_SECONDS = 2
MAX_POLLS = 150


def suggestions_context(request, article, next_url: str | None = None, polls: int = 0) -> dict:
    suggestions = article_suggestions(article)
    return {
        "request": request,
        "article": article,
        "suggestions": suggestions,
        "can_log": _user_can(request, "add_claim"),
        "can_dismiss": _user_can(request, "change_claimsuggestion"),
        "next": next_url or (request.get_full_path() if request else article.get_absolute_url()),
        "poll": suggestions.waiting and polls < MAX_POLLS,
        "gave_up_polling": suggestions.waiting and polls >= MAX_POLLS,
        "next_poll": polls + 1,
        "poll_seconds": POLL_SECONDS,
    }


@register.inclusion_tag("claims/partials/suggestions.html", takes_context=True)
def claim_suggestions(context, article):
    data = suggestions_context(context.get("request"), article)
    data["csrf_token"] = context.get("csrf_token")
    return data


def similar_claims_context(request, claim) -> dict:
    family = claim_family(claim)
    first = next((c for c in family if c.pk == (claim.appearance_of_id or claim.pk)), None)
    return {
        "request": request,
        "claim": claim,
        "first": first if claim.appearance_of_id else None,
        # The first appearance is named on its own line when this claim repeats it.
        "appearances": [c for c in family if c.pk not in (claim.pk, claim.appearance_of_id)],
        "similar": find_similar(claim, exclude={c.pk for c in family}),
        "can_link": _user_can(request, "change_claim"),
        "next": claim.get_absolute_url(),
    }


@register.inclusion_tag("claims/partials/similar_claims.html", takes_context=True)
def similar_claims(context, claim):
    data = similar_claims_context(context.get("request"), claim)
    data["csrf_token"] = context.get("csrf_token")
    return data


@register.inclusion_tag("claims/partials/similar_claims_lazy.html")
def similar_claims_later(claim):
    """Stands in for {% similar_claims %} until the page has loaded (htmx, on load), with a
    plain link for browsers without JavaScript: no query here at all."""
    return {"claim": claim}
