""""Already fact-checked": the claim page's panel of fact-checks linked to the claim and of
those that may answer it, and the filter that keeps hostile addresses from becoming links.

    {% load factchecks %}
    {% claim_factchecks claim %}   linked fact-checks (one query), matches loaded after the page
    {{ url|http_url }}             the address if it is http(s), else "" (never a link)
"""

from __future__ import annotations

from django import template

from claims.selectors.factchecks import (
    PANEL_TOP,
    claim_factcheck_links,
    fact_check_matches,
    factchecks_exist,
    worth_showing,
)

register = template.Library()


@register.filter
def http_url(value) -> str:
    """`value` when it is an http or https address, else "": a `javascript:` or `data:`
    address, or anything else, is shown as text and never becomes a link."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def _user_can(request, codename: str) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.has_perm(f"claims.{codename}"))


def panel_matches(text: str, *, quote: str = "", speaker: str = "",
                  exclude_claim_id: int | None = None, exclude_ids=()) -> list:
    """The fact-checks worth showing an editor for `text` (and a claim's `quote`, said by
    `speaker`): good enough, not linked yet."""
    found = fact_check_matches(text, quote=quote, speaker=speaker,
                               top=PANEL_TOP + len(exclude_ids),
                               exclude_claim_id=exclude_claim_id)
    return [(fc, m) for fc, m in found
            if worth_showing(m) and fc.pk not in exclude_ids][:PANEL_TOP]


def claim_factchecks_context(request, claim, *, lazy: bool, error: str = "") -> dict:
    """The panel's data. `lazy`: the matches come later (htmx), so the page itself only
    reads the links; otherwise the matching runs now (the panel's own URL)."""
    links = claim_factcheck_links(claim.pk)
    context = {
        "request": request,
        "claim": claim,
        "links": links,
        "lazy": lazy,
        "error": error,
        "can_link": _user_can(request, "change_claim"),
        "next": claim.get_absolute_url(),
    }
    if not lazy:
        context["any_factchecks"] = factchecks_exist()
        linked = {link.factcheck_id for link in links}
        context["matches"] = panel_matches(
            claim.statement, quote=claim.quote,
            speaker=claim.claimant.name if claim.claimant_id else "",
            exclude_claim_id=claim.pk, exclude_ids=linked,
        ) if context["any_factchecks"] else []
    return context


@register.inclusion_tag("claims/partials/factcheck_panel.html", takes_context=True)
def claim_factchecks(context, claim):
    data = claim_factchecks_context(context.get("request"), claim, lazy=True)
    data["csrf_token"] = context.get("csrf_token")
    return data
