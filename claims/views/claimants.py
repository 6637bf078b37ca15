"""Claimants: what a claimant picker's answer means for the forms that hold one (the claim
log, edit and correction views call claimant_from_form), the picker's suggestions, the
claimants page with its duplicates, and proposing and confirming a merge. Thin: the rules
are in services/claimants.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from claims.choices import ClaimantMergeState
from claims.forms.claimants import ClaimantMergeForm
from claims.models import Claimant, ClaimantMerge
from claims.params import has_nul
from claims.permissions import has_permission, refusal_text
from claims.selectors.claimants import (
    claimant_close_names,
    claimants_page,
    merges_recent,
    merges_to_confirm,
)
from claims.services.claimants import (
    ClaimantNotChosen,
    claimant_from_picker,
    claimant_merge_confirm,
    claimant_merge_decline,
    claimant_merge_propose,
)

CLAIMANTS_PER_PAGE = 50


def claimant_from_form(form, user) -> Claimant | None:
    """The claimant a valid form's claimant picker means (claimant_from_picker). A typed name
    that is not on file is refused: the close names go on the form for the picker to offer
    ("Did you mean …?"), and everything typed stays."""
    try:
        return claimant_from_picker(**form.picker_arguments(), user=user)
    except ClaimantNotChosen as exc:
        form.claimant_close = exc.close
        raise


@login_required
@require_GET
def claimant_list(request):
    text = request.GET.get("q", "")
    if has_nul(text):
        text = ""
    page = Paginator(claimants_page(text), CLAIMANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "claims/claimant_list.html", {
        "page": page, "q": text.strip(),
        "merges": list(merges_to_confirm()),
        "recent": list(merges_recent()),
        "can_confirm": has_permission(request.user, "confirm_claimantmerge"),
    })


@login_required
@require_GET
def claimant_detail(request, pk):
    claimant = get_object_or_404(Claimant, pk=pk)
    return render(request, "claims/claimant_detail.html", _detail_context(request, claimant))


def _detail_context(request, claimant, form=None):
    return {
        "claimant": claimant,
        "claim_count": claimant.claims.count(),
        "close": claimant_close_names(claimant.name, limit=8),
        "form": form or ClaimantMergeForm(initial={"duplicate": claimant.pk}),
        "can_propose": has_permission(request.user, "add_claimantmerge"),
        "open_merge": ClaimantMerge.objects.filter(
            duplicate=claimant, state=ClaimantMergeState.PROPOSED).select_related("kept").first(),
    }


@login_required
@require_POST
def claimant_merge_propose_view(request):
    form = ClaimantMergeForm(request.POST)
    if form.is_valid():
        try:
            claimant_merge_propose(duplicate=form.cleaned_data["duplicate"],
                                   kept=form.cleaned_data["kept"], user=request.user,
                                   note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, f"Merging “{form.cleaned_data['duplicate']}” into "
                             f"“{form.cleaned_data['kept']}” is proposed: a reviewer confirms "
                             "it on the Claimants page.")
            return redirect("claims:claimant-list")
    duplicate = form.cleaned_data.get("duplicate") if hasattr(form, "cleaned_data") else None
    if duplicate is None:
        return render(request, "claims/claimant_list.html", {
            "page": Paginator(claimants_page(), CLAIMANTS_PER_PAGE).get_page(1),
            "merges": list(merges_to_confirm()), "recent": list(merges_recent()),
            "errors": [e for errors in form.errors.values() for e in errors],
        }, status=400)
    return render(request, "claims/claimant_detail.html",
                  _detail_context(request, duplicate, form), status=400)


@login_required
@require_POST
def claimant_merge_decide(request, pk):
    merge = get_object_or_404(ClaimantMerge, pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        if confirm:
            merge = claimant_merge_confirm(merge=merge, user=request.user)
        else:
            merge = claimant_merge_decline(merge=merge, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        if confirm:
            messages.success(request, f"Merged “{merge.duplicate_name}” into "
                             f"“{merge.kept_name}”: {merge.claims_moved} claim"
                             f"{'' if merge.claims_moved == 1 else 's'} moved.")
        else:
            messages.success(request, f"Declined merging “{merge.duplicate_name}”.")
    return redirect("claims:claimant-list")
