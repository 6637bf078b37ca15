""""Already fact-checked": the panels that show which published fact-checks may answer a
claim (on the claim logging form, the claim page and the article's suggested sentences),
and the buttons that link a claim to one. Thin: read with the selectors, write with the
services (which check the permission); every button is a plain POST form that htmx
enhances."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from claims.assist import services as assist_services
from claims.assist.selectors import article_suggestions
from claims.models import Article, Claim, ClaimSuggestion, FactCheck
from claims.next_url import safe_next_url
from claims.params import has_nul, object_id
from claims.permissions import refusal_text
from claims.selectors.factchecks import fact_check_matches_many, factchecks_exist
from claims.services.factcheck_links import claim_factcheck_link, claim_factcheck_unlink
from claims.templatetags.factchecks import claim_factchecks_context, panel_matches

# The longest text the log form's panel matches on (a quote can be long; the claim is not).
MATCH_TEXT_MAX = 2000


def _panel(request, claim: Claim, *, error: str = "", status: int = 200):
    context = claim_factchecks_context(request, claim, lazy=False, error=error)
    if request.htmx:
        return render(request, "claims/partials/factcheck_panel.html", context, status=status)
    return render(request, "claims/factchecks_page.html", context, status=status)


@login_required
@require_GET
def claim_factchecks(request, pk):
    """The claim page's panel with its matches (htmx loads it after the page; without
    JavaScript it is a page of its own)."""
    claim = get_object_or_404(Claim.objects.select_related("article", "claimant"), pk=pk)
    return _panel(request, claim)


def _factcheck_from_post(request) -> FactCheck | None:
    factcheck_id = object_id(request.POST.get("factcheck"))
    return FactCheck.objects.filter(pk=factcheck_id).first() if factcheck_id else None


@login_required
@require_POST
def claim_factcheck_link_view(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("article", "claimant"), pk=pk)
    factcheck = _factcheck_from_post(request)
    try:
        if factcheck is None:
            raise ValidationError("Choose the fact-check that already checked this claim.")
        claim_factcheck_link(claim=claim, factcheck=factcheck, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        if request.htmx:
            return _panel(request, claim, error=refusal_text(exc),
                          status=403 if isinstance(exc, PermissionDenied) else 400)
        messages.error(request, refusal_text(exc))
        return redirect(safe_next_url(request, claim.get_absolute_url()))
    if request.htmx:
        return _panel(request, claim)
    publisher = factcheck.publisher_name or "its publisher"
    messages.success(request, f"Linked: this claim was already fact-checked by {publisher}.")
    return redirect(safe_next_url(request, claim.get_absolute_url()))


@login_required
@require_POST
def claim_factcheck_unlink_view(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("article"), pk=pk)
    factcheck_id = object_id(request.POST.get("factcheck"))
    try:
        if factcheck_id is not None:
            claim_factcheck_unlink(claim=claim, factcheck_id=factcheck_id, user=request.user)
    except PermissionDenied as exc:
        if request.htmx:
            return _panel(request, claim, error=str(exc), status=403)
        messages.error(request, str(exc))
        return redirect(safe_next_url(request, claim.get_absolute_url()))
    if request.htmx:
        return _panel(request, claim)
    messages.success(request, "The fact-check is no longer linked to this claim.")
    return redirect(safe_next_url(request, claim.get_absolute_url()))


def _match_text(value: str) -> str:
    """What a typed text is matched on: trimmed, cut to MATCH_TEXT_MAX, nothing with NUL."""
    value = value.strip()
    return "" if has_nul(value) else value[:MATCH_TEXT_MAX]


def log_panel_context(request, statement: str, quote: str, claimant_name: str = "") -> dict:
    """The claim logging form's "Already fact-checked?" list for what the editor typed so
    far: its statement and its quote, each fact-check scored by the better of the two, said
    by the claimant named so far."""
    statement, quote = _match_text(statement), _match_text(quote)
    speaker = _match_text(claimant_name)
    text = statement or quote
    any_factchecks = factchecks_exist()
    return {
        "text": text, "any_factchecks": any_factchecks,
        "matches": panel_matches(text, quote=quote, speaker=speaker)
        if text and any_factchecks else [],
        "can_link": request.user.has_perm("claims.change_claim"),
    }


@login_required
@require_GET
def text_factchecks(request):
    """The claim logging form's panel, asked for as the editor types (htmx). Its buttons
    submit the logging form itself, so the claim is saved and linked in one step."""
    return render(request, "claims/partials/factcheck_log_matches.html", log_panel_context(
        request, request.GET.get("statement", ""), request.GET.get("quote", ""),
        request.GET.get("claimant_name", "")))


@login_required
@require_GET
def article_suggestion_factchecks(request, pk):
    """The fact-checks that may answer each open suggested sentence of an article, matched
    all at once; htmx places each list beside its sentence (out-of-band swaps)."""
    article = get_object_or_404(Article, pk=pk)
    suggestions = list(article_suggestions(article).open)
    any_factchecks = factchecks_exist()
    found = fact_check_matches_many([s.text for s in suggestions]) if any_factchecks else []
    rows = [{"suggestion": s, "matches": m} for s, m in zip(suggestions, found, strict=False)]
    context = {
        "article": article, "rows": rows, "any_factchecks": any_factchecks,
        "can_link": request.user.has_perm("claims.add_claim")
        and request.user.has_perm("claims.change_claim"),
        "next": article.get_absolute_url(),
    }
    template = ("claims/partials/factcheck_suggestions.html" if request.htmx
                else "claims/factcheck_suggestions_page.html")
    return render(request, template, context)


@login_required
@require_POST
def suggestion_log_linked(request, pk):
    """Log a suggested sentence as a claim and link it to the fact-check that already
    checked it, in one click."""
    suggestion = get_object_or_404(ClaimSuggestion.objects.select_related("article"), pk=pk)
    article = suggestion.article
    back = safe_next_url(request, article.get_absolute_url())
    factcheck = _factcheck_from_post(request)
    if factcheck is None:
        messages.error(request, "Choose the fact-check that already checked this sentence.")
        return HttpResponseClientRefresh() if request.htmx else redirect(back)
    try:
        claim = assist_services.suggestion_log_claim(suggestion=suggestion, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseClientRefresh() if request.htmx else redirect(back)
    link_and_say(request, claim, factcheck)
    return HttpResponseClientRefresh() if request.htmx else redirect(back)


def link_and_say(request, claim: Claim, factcheck: FactCheck) -> bool:
    """Link a claim just logged to a fact-check and say what happened; the claim stays
    logged when the link is refused (the refusal says why)."""
    try:
        claim_factcheck_link(claim=claim, factcheck=factcheck, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, f"Claim #{claim.pk} logged, but not linked to the "
                                  f"fact-check: {refusal_text(exc)}")
        return False
    publisher = factcheck.publisher_name or "its publisher"
    messages.success(request, f"Claim #{claim.pk} logged: “{claim.statement}”, and linked "
                              f"to the fact-check by {publisher}.")
    return True
