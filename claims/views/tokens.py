"""The API tokens page: a signed-in person's own tokens, a form to make one (its plain text
is shown once, on the page that answers the form, and never again) and a revoke button for
each. Admins manage anyone's in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from claims.forms.tokens import ApiTokenForm
from claims.models import ApiToken
from claims.models.tokens import SCOPE_HELP
from claims.selectors.tokens import api_tokens_of
from claims.services.tokens import api_token_create as create_token
from claims.services.tokens import api_token_revoke as revoke_token
from claims.views.common import add_errors


def _page(request, form, *, created=None, plain=None, status=200):
    response = render(request, "claims/api_tokens.html", {
        "form": form,
        "tokens": list(api_tokens_of(request.user)),
        "scope_help": SCOPE_HELP,
        "now": timezone.now(),
        "created": created,
        "plain": plain,
    }, status=status)
    return response


@login_required
@require_GET
def api_tokens(request):
    return _page(request, ApiTokenForm())


@never_cache  # the answer holds a token's plain text: no cache keeps it
@login_required
@require_POST
def api_token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, plain = create_token(
                user=request.user, name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"], expires_at=form.expires_at())
        except ValidationError as exc:
            add_errors(form, exc, {"expires_at": "expires_on"})
        else:
            # Rendered, not redirected: the plain token must not travel through a message
            # or the session; this answer is the only place it ever appears.
            return _page(request, ApiTokenForm(), created=token, plain=plain)
    return _page(request, form, status=400)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        revoked = revoke_token(user=request.user, token=token)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("claims:api-tokens")
    if revoked:
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    else:
        messages.info(request, f"Token “{token.name}” was already revoked.")
    return redirect("claims:api-tokens")
