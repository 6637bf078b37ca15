"""Claim assistance views: thin POST endpoints for the buttons the `assist` template tags
render. Each works as a plain form post (redirect back with a message) and, when htmx sent
it, answers with the fragment to swap in (or, after logging a claim, which changes the
whole page, asks htmx to reload it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from claims.assist import services
from claims.assist.selectors import similar_claims
from claims.models import Article, Claim, ClaimSuggestion
from claims.next_url import safe_next_url
from claims.params import object_id, whole_number
from claims.permissions import refusal_text
from claims.templatetags.assist import similar_claims_context, suggestions_context


def _back(request, default: str):
    # Only ever back to a page of this site: the form says where it was rendered.
    return redirect(safe_next_url(request, default))


def _suggestion_panel(request, article: Article, *, error: str = "", polls: int = 0):
    next_url = safe_next_url(request, article.get_absolute_url())
    context = suggestions_context(request, article, next_url, polls=polls)
    context["error"] = error
    return render(request, "claims/partials/suggestions.html", context)


def _refused(request, article: Article, exc: ValidationError):
    """The service's refusal, in its words: in the panel (htmx) or as a message on the page
    the form was on."""
    if request.htmx:
        return _suggestion_panel(request, article, error=refusal_text(exc))
    messages.error(request, refusal_text(exc))
    return _back(request, article.get_absolute_url())


def _done(request, article: Article, note: str):
    """Done: the panel again (htmx), or back to the page the form was on with `note`."""
    if request.htmx:
        return _suggestion_panel(request, article)
    messages.success(request, note)
    return _back(request, article.get_absolute_url())


@login_required
@require_POST
def suggestion_log(request, pk):
    suggestion = get_object_or_404(ClaimSuggestion.objects.select_related("article"), pk=pk)
    article = suggestion.article
    try:
        claim = services.suggestion_log_claim(
            suggestion=suggestion, user=request.user, statement=request.POST.get("statement", "")
        )
    except ValidationError as exc:
        return _refused(request, article, exc)
    matches = similar_claims(claim)
    note = f"Logged the claim “{claim.statement}”."
    if claim.claimant_id:
        note += (f" Claimant: {claim.claimant.name}, named in the sentence; change it on the "
                 "claim's page if someone else made it.")
    elif speaker := services.claimant_proposed(claim.quote)[1]:
        note += (f" The sentence names {speaker} as its speaker, who is not on file as a "
                 "claimant: confirm and set the claimant on the claim's page.")
    if matches:
        note += (
            f" The desk already has {len(matches)} claim{pluralize(len(matches))} that may say "
            "the same thing: link them from the claim's page."
        )
    messages.success(request, note)
    if request.htmx:
        # The new claim changes the whole page (highlight in the text, the claims list), so
        # the page reloads rather than swapping the panel alone.
        return HttpResponseClientRefresh()
    return _back(request, article.get_absolute_url())


@login_required
@require_POST
def suggestion_dismiss(request, pk):
    suggestion = get_object_or_404(ClaimSuggestion.objects.select_related("article"), pk=pk)
    article = suggestion.article
    try:
        services.suggestion_dismiss(suggestion=suggestion, user=request.user)
    except ValidationError as exc:
        return _refused(request, article, exc)
    return _done(request, article, "Suggestion dismissed.")


@login_required
@require_POST
def article_suggest(request, pk):
    """Ask a worker to score the article: the request only enqueues (scoring grows with the
    article's length), and the panel it answers with follows the work until it is done."""
    article = get_object_or_404(Article, pk=pk)
    try:
        services.suggestions_request(article=article, user=request.user)
    except ValidationError as exc:
        return _refused(request, article, exc)
    return _done(
        request, article,
        "Finding sentences worth checking: they appear on this page when they are ready.")


@login_required
@require_GET
def article_suggestions(request, pk):
    """The suggestions panel on its own, polled by the article page while the article is
    being scored."""
    article = get_object_or_404(Article, pk=pk)
    return _suggestion_panel(request, article, polls=whole_number(request.GET.get("polls")) or 0)


def _similar_panel(request, claim: Claim, *, error: str = ""):
    context = similar_claims_context(request, claim)
    context["error"] = error
    return render(request, "claims/partials/similar_claims.html", context)


@login_required
@require_GET
def claim_similar(request, pk):
    """The similar-claims panel on its own. The claim page loads it after the page itself
    (htmx), because searching a large desk by trigram distance takes longer than the page;
    without JavaScript it is a page of its own."""
    claim = get_object_or_404(Claim.objects.select_related("article"), pk=pk)
    if request.htmx:
        return _similar_panel(request, claim)
    return render(request, "claims/similar_page.html", {"claim": claim})


@login_required
@require_POST
def claim_link(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    other_id = object_id(request.POST.get("other"))
    other = Claim.objects.filter(pk=other_id).first() if other_id is not None else None
    try:
        if other is None:
            raise ValidationError("Choose the claim that says the same thing.")
        later = services.claim_link_same(claim=claim, other=other, user=request.user)
    except ValidationError as exc:
        if request.htmx:
            return _similar_panel(request, claim, error=refusal_text(exc))
        messages.error(request, refusal_text(exc))
        return _back(request, claim.get_absolute_url())
    claim.refresh_from_db()
    if request.htmx:
        return _similar_panel(request, claim)
    first = other if later.pk == claim.pk else claim
    messages.success(
        request, f"Linked: “{later.statement}” is another appearance of “{first.statement}”."
    )
    return _back(request, claim.get_absolute_url())


@login_required
@require_POST
def claim_unlink(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    services.claim_unlink_appearance(claim=claim, user=request.user)
    claim.refresh_from_db()
    if request.htmx:
        return _similar_panel(request, claim)
    messages.success(request, "The claim now stands on its own.")
    return _back(request, claim.get_absolute_url())
