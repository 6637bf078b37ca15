"""Claim pages: logging a claim from an article, the claims table (filters, columns, bulk
actions), a claim's page and its edit, status and assignment forms. Thin: parse the
request, call a selector or a service, render; every write also checks the permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims.choices import ClaimantKind, VerdictState
from claims.filtersets import ClaimFilter, article_suggestions
from claims.forms.claims import (
    BulkActionForm,
    ClaimAssignForm,
    ClaimEditForm,
    ClaimLogForm,
    ClaimStatusForm,
    ColumnsForm,
)
from claims.forms.sources import EvidenceForm, SourceAttachForm, with_edit_forms
from claims.models import Article, Claim, FactCheck
from claims.next_url import safe_next_url
from claims.params import has_nul, object_id
from claims.people import user_display
from claims.selectors.claimants import claimant_suggestions
from claims.selectors.claims import (
    claim_evidence,
    claim_history,
    claim_history_records,
    claim_page,
    claim_table_rows,
    claimant_matches,
)
from claims.selectors.published import (
    claim_evidence_held,
    newer_captures_since_review,
)
from claims.services import claims as claims_services
from claims.services.bulk import claims_bulk_apply
from claims.services.claimants import claimant_find_or_create
from claims.services.claims import (
    ClaimAlreadyLogged,
    ClaimDuplicate,
    ClaimEditConflict,
    claim_set_status,
    claim_update,
)
from claims.tables import ClaimTable
from claims.views.claimants import claimant_from_form
from claims.views.common import add_errors, paginate
from claims.views.factchecks import link_and_say, log_panel_context
from claims.views.verdicts import verdict_panel_context

CLAIM_COLUMNS_SESSION_KEY = "claims_table_columns"


@login_required
@permission_required("claims.add_claim", raise_exception=True)
def claim_log(request, article_pk):
    article = get_object_or_404(Article, pk=article_pk)
    log_panel = None
    if request.method == "POST" and request.POST.get("check_factchecks"):
        # Without JavaScript, "Look for fact-checks" asks for the panel: nothing is saved,
        # and the form comes back as typed, unjudged (not saved is not an error).
        form = ClaimLogForm(initial=request.POST.dict())
        log_panel = log_panel_context(request, request.POST.get("statement", ""),
                                      request.POST.get("quote", ""),
                                      request.POST.get("claimant_name", ""))
    elif request.method == "POST":
        form = ClaimLogForm(request.POST)
        try:
            # The same form again (Back, then Save): the claim it saved, whatever else the
            # browser restored of the form, never a copy.
            claims_services.claim_log_refuse_resend(
                submission_key=request.POST.get("submission_key", ""), user=request.user)
            claim = _claim_log_from_form(form, article, request.user) \
                if form.is_valid() else None
        except ClaimAlreadyLogged as exc:
            messages.info(request, exc.messages[0])
            return redirect(exc.claim)
        if claim is not None:
            # "Link this fact-check" in the form's Already fact-checked panel.
            factcheck_id = object_id(request.POST.get("link_factcheck"))
            factcheck = FactCheck.objects.filter(pk=factcheck_id).first() \
                if factcheck_id else None
            if factcheck is not None:
                link_and_say(request, claim, factcheck)
                return redirect(claim)
            messages.success(request, f"Claim #{claim.pk} logged: “{claim.statement}”.")
            return redirect(f"{article.get_absolute_url()}#claim-{claim.pk}")
    else:
        form = ClaimLogForm(
            initial={
                "quote": request.GET.get("quote", ""),
                "start": request.GET.get("start"),
                "end": request.GET.get("end"),
                "claimed_on": article.published_on,
            }
        )
    return render(
        request,
        "claims/claim_log.html",
        {"article": article, "form": form, "log_panel": log_panel},
        status=400 if form.errors or form.duplicates else 200,
    )


def _claim_log_from_form(form, article, user):
    """The claim logged from a valid form, or None with the reasons on the form (errors, or
    the claims it may repeat in form.duplicates). A form sent twice raises
    ClaimAlreadyLogged."""
    data = form.cleaned_data
    quote, start, end = data["quote"], data.get("start"), data.get("end")
    try:
        # A claim refused (one that may already be logged, or any other refusal) leaves no
        # new claimant behind: "Save anyway" adds them with the claim.
        with transaction.atomic():
            claimant = claimant_from_form(form, user)
            return claims_services.claim_log(
                article=article,
                quote=quote,
                start=start,
                end=end,
                statement=data["statement"],
                user=user,
                claimant=claimant,
                claimed_on=data.get("claimed_on"),
                tags=form.tag_names(),
                submission_key=data.get("submission_key"),
                refuse_duplicates=not data.get("save_anyway"),
            )
    except ClaimDuplicate as exc:
        form.duplicates = exc.matches
        return None
    except ValidationError as exc:
        add_errors(form, exc, {"name": "claimant_name", "claimant": "claimant_name",
                               "claimed_on": "claimed_on"})
        return None


@login_required
@require_GET
def claimant_autocomplete(request):
    """The claimant picker's options for the typed text (claimant_suggestions), or
    (for=filter) links that filter the claims table to claimants whose name holds it."""
    text = request.GET.get("claimant_name", "") or request.GET.get("q", "")
    if has_nul(text):
        text = ""  # no claimant's name holds a NUL: nothing to suggest
    for_filter = request.GET.get("for") == "filter"
    return render(
        request,
        "claims/partials/claimant_filter_options.html"
        if for_filter
        else "claims/partials/claimant_options.html",
        {"claimants": claimant_matches(text) if for_filter else claimant_suggestions(text),
         "text": text.strip()},
    )


@login_required
@require_GET
def article_autocomplete(request):
    """The claims table's article picker: the articles whose title holds the typed text."""
    return render(request, "claims/partials/article_filter_options.html",
                  {"articles": article_suggestions(request.GET.get("article_title", ""))})


@login_required
@permission_required("claims.add_claimant", raise_exception=True)
@require_POST
def claimant_create(request):
    try:
        claimant = claimant_find_or_create(
            name=request.POST.get("claimant_name", ""),
            kind=request.POST.get("claimant_kind", "") or ClaimantKind.PERSON,
            role=request.POST.get("claimant_role", ""),
            organisation=request.POST.get("claimant_organisation", ""),
        )[0]
    except ValidationError as exc:
        return render(
            request,
            "claims/partials/claimant_chosen.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    return render(request, "claims/partials/claimant_chosen.html", {"claimant": claimant})


def _claim_columns(request) -> list[str]:
    chosen = request.session.get(CLAIM_COLUMNS_SESSION_KEY)
    valid = {name for name, _ in ClaimTable.optional_columns()}
    if not chosen:
        return list(ClaimTable.default_columns)
    return [c for c in chosen if c in valid] + list(ClaimTable.Meta.always_columns)


@login_required
def claim_list(request):
    shown = _claim_columns(request)
    claim_filter = ClaimFilter(
        request.GET or None,
        queryset=claim_table_rows(with_tags="tags" in shown),
        request=request,
    )
    queryset = claim_filter.qs if claim_filter.is_bound else claim_filter.queryset
    hidden = [name for name in ClaimTable.base_columns if name not in shown]
    table = paginate(request, ClaimTable(queryset, exclude=hidden))
    context = {
        "filter": claim_filter,
        "table": table,
        "columns_form": ColumnsForm(
            initial={"columns": shown}, choices=ClaimTable.optional_columns()
        ),
        "bulk_form": BulkActionForm(),
        "can_bulk": request.user.has_perm("claims.change_claim"),
        "export_url": f"{reverse('claims:export')}?{request.GET.urlencode()}",
        "querystring": request.GET.urlencode(),
    }
    # htmx asks for the part it swaps: the results (filter form edits) or the whole page body
    # below the heading (links in the table: sorting, paging, a claimant's name).
    if request.htmx and request.htmx.target == "claim-results":
        template = "claims/partials/claim_results.html"
    elif request.htmx:
        template = "claims/partials/claims_page.html"
    else:
        template = "claims/claim_list.html"
    return render(request, template, context)


@login_required
@require_POST
def claim_columns(request):
    form = ColumnsForm(request.POST, choices=ClaimTable.optional_columns())
    if form.is_valid():
        request.session[CLAIM_COLUMNS_SESSION_KEY] = form.cleaned_data["columns"] or list(
            ClaimTable.default_columns
        )
        messages.success(request, "Columns saved.")
    return redirect(safe_next_url(request, reverse("claims:claim-list")))


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def claim_bulk(request):
    """Apply the bulk bar's action to the ticked claims and say what happened to each.
    An incomplete choice (no action, no status, no assignee) changes nothing."""
    form = BulkActionForm(request.POST)
    back = safe_next_url(request, reverse("claims:claim-list"))
    if not form.is_valid():
        messages.error(request, " ".join(["Nothing was changed.", *form.error_sentences()]))
        return redirect(back)
    try:
        result = claims_bulk_apply(user=request.user, **form.bulk_arguments())
    except ValidationError as exc:
        messages.error(request, " ".join(["Nothing was changed.", *exc.messages]))
        return redirect(back)
    if not result.skipped:
        level = messages.SUCCESS
    else:
        level = messages.WARNING if result.changed else messages.ERROR
    messages.add_message(request, level, result.summary())
    return redirect(back)


def _claim_context(request, claim, **forms):
    body = claim.article.body
    context_chars = 240
    history_records = claim_history_records(claim)
    return {
        "claim": claim,
        "before": body[max(0, claim.anchor_start - context_chars) : claim.anchor_start],
        "quoted": body[claim.anchor_start : claim.anchor_end],
        "after": body[claim.anchor_end : claim.anchor_end + context_chars],
        "context_cut_before": claim.anchor_start > context_chars,
        "context_cut_after": claim.anchor_end + context_chars < len(body),
        # Each source is read once, with its evidence: the sources' rows, the evidence list
        # and the banner that follows a fetch (source_banner) show the same moment.
        "evidence": (evidence := with_edit_forms(
            claim_evidence(claim), bound=forms.get("evidence_edit_form"),
            held=claim_evidence_held(claim))),
        "sources": [item.source for item in evidence if item.source_id],
        "history": claim_history(claim, records=history_records),
        # The verdict panel: its versions, forms and the actions this user may take.
        "verdict_panel": (panel := verdict_panel_context(
            claim, request.user, history_records=history_records, evidence=evidence)),
        "can_change": request.user.has_perm("claims.change_claim"),
        # A published fact-check is frozen: the page offers a correction, not the edit form.
        # The panel has read every version: what follows is worked out from them.
        "claim_published": (published := _published_version(panel) is not None),
        "open_correction": _open_correction(panel) if published else None,
        # {source id: capture} fetched since the published version was reviewed.
        "newer_captures": newer_captures_since_review(_published_version(panel))
        if published else {},
        "can_attach": request.user.has_perm("claims.add_source"),
        "can_add_evidence": request.user.has_perm("claims.add_evidence"),
        "status_form": forms.get("status_form")
        or ClaimStatusForm(initial={"status": claim.status}),
        "assign_form": forms.get("assign_form")
        or ClaimAssignForm(initial={"assignee": claim.assignee_id}),
        "attach_form": forms.get("attach_form") or SourceAttachForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(claim=claim),
        "edit_form": forms.get("edit_form") or ClaimEditForm(initial=_edit_initial(claim)),
        "conflict": forms.get("conflict"),
    }


def _published_version(panel):
    """The newest published version of the verdict (readers see it), from the panel's
    versions (newest first), or None."""
    versions = [v for v in [panel["verdict"], *panel["older_versions"]] if v is not None]
    published = [v for v in versions if v.state == VerdictState.PUBLISHED]
    return max(published, key=lambda v: v.version, default=None)


def _open_correction(panel):
    """The correction of a published claim under way (not yet published), if any."""
    current = panel["verdict"]
    if current is not None and current.supersedes_id and current.state != "published":
        return current
    return None


def _edit_initial(claim):
    return {
        "version": claim.version,
        "statement": claim.statement,
        "claimant": claim.claimant_id,
        "claimant_name": claim.claimant.name if claim.claimant else "",
        "claimed_on": claim.claimed_on,
        "tags": ", ".join(t.name for t in claim.tags.all()),
    }


def get_claim_or_404(pk) -> Claim:
    try:
        return claim_page(pk)
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None


@login_required
def claim_detail(request, pk):
    claim = get_claim_or_404(pk)
    return render(request, "claims/claim_detail.html", _claim_context(request, claim))


def claim_page_error(request, claim, **forms):
    return render(
        request, "claims/claim_detail.html", _claim_context(request, claim, **forms), status=400
    )


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def claim_edit(request, pk):
    claim = get_claim_or_404(pk)
    form = ClaimEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        claimant = None
        try:
            claimant = claimant_from_form(form, request.user)
            claim_update(
                claim=claim,
                version=data["version"],
                statement=data["statement"],
                claimant=claimant,
                claimed_on=data["claimed_on"],
                tags=form.tag_names(),
                user=request.user,
            )
        except ClaimEditConflict as exc:
            current = claim_page(pk)
            form.add_error(None, exc.messages)
            conflict = {
                "mine": {**data, "claimant": claimant},
                "mine_tags": ", ".join(form.tag_names()),
                "current": current,
                "current_tags": ", ".join(t.name for t in current.tags.all()),
            }
            # The form keeps the editor's text but now carries the current version, so a
            # deliberate second save replaces the other edit.
            form = ClaimEditForm({**request.POST.dict(), "version": current.version})
            form.is_valid()
            return render(
                request,
                "claims/claim_detail.html",
                _claim_context(request, current, edit_form=form, conflict=conflict),
                status=409,
            )
        except ValidationError as exc:
            add_errors(form, exc, {"name": "claimant_name", "claimant": "claimant_name"})
        else:
            messages.success(request, "Claim saved.")
            return redirect(claim)
    return claim_page_error(request, claim, edit_form=form)


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def claim_status(request, pk):
    claim = get_claim_or_404(pk)
    form = ClaimStatusForm(request.POST)
    if form.is_valid():
        try:
            claim_set_status(
                claim=claim,
                status=form.cleaned_data["status"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc, {"reason": "reason"})
        else:
            messages.success(request, f"Status set to {claim.get_status_display().lower()}.")
            return redirect(claim)
    return claim_page_error(request, claim, status_form=form)


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def claim_assign(request, pk):
    claim = get_claim_or_404(pk)
    form = ClaimAssignForm(request.POST)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        claims_services.claim_assign(claim=claim, assignee=assignee, user=request.user)
        who = user_display(assignee, "nobody")
        messages.success(request, f"Claim assigned to {who}.")
        return redirect(claim)
    return claim_page_error(request, claim, assign_form=form)
