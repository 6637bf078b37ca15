"""Sources and evidence: citing a web page on a claim, evidence notes, re-fetching, the
sources table, a source's page and its stored snapshots. Thin: parse the request, call a
selector or a service, render; every write also checks the permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import truncatechars
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims.choices import SourceStatus
from claims.fetching.facts import capture_facts
from claims.fetching.snapshots import snapshot_download
from claims.forms.sources import (
    EvidenceEditForm,
    EvidenceForm,
    SourceAttachForm,
    with_edit_forms,
)
from claims.models import Capture, Evidence, Source
from claims.next_url import safe_next_url
from claims.params import has_nul
from claims.selectors.claims import claim_evidence
from claims.selectors.published import claim_evidence_held
from claims.selectors.sources import (
    source_captures,
    source_claims,
    source_latest_archive,
    source_latest_text_capture,
    source_table_rows,
)
from claims.services import sources as sources_services
from claims.tables import SourceTable
from claims.templatetags.desk import quotation, source_banner_texts, source_fetch_tags
from claims.views.claims import claim_page_error, get_claim_or_404
from claims.views.common import add_errors, paginate


@login_required
@permission_required("claims.add_source", raise_exception=True)
@require_POST
def source_attach(request, pk):
    claim = get_claim_or_404(pk)
    form = SourceAttachForm(request.POST)
    if form.is_valid():
        try:
            evidence = sources_services.source_attach(
                claim=claim, url=form.cleaned_data["url"], stance=form.cleaned_data["stance"],
                user=request.user)
        except ValidationError as exc:
            add_errors(form, exc, {"normalized_url": "url", "source": "url"})
        else:
            # The banner follows the source's fetch (claims/templatetags/desk.py) and names
            # the evidence the citation is.
            tags = source_fetch_tags(evidence.source_id, stance=evidence.stance)
            messages.success(request, source_banner_texts(evidence.stance)["pending"],
                             extra_tags=tags)
            return redirect(f"{claim.get_absolute_url()}#sources")
    return claim_page_error(request, claim, attach_form=form)


@login_required
@permission_required("claims.change_source", raise_exception=True)
@require_POST
def source_refetch(request, pk):
    source = get_object_or_404(Source, pk=pk)
    error = ""
    try:
        sources_services.source_refetch(source=source, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        source.refresh_from_db()
    if request.htmx:
        # The refusal is said beside the row's status, where the editor clicked.
        return render(
            request,
            "claims/partials/source_status.html",
            {"source": source, "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Fetching the source again.")
    return redirect(safe_next_url(request, source.get_absolute_url()))


@login_required
@require_GET
def source_status(request, pk):
    """Polled every 2 s by a pending or fetching source's row; stops once it settles."""
    source = get_object_or_404(Source, pk=pk)
    return render(request, "claims/partials/source_status.html", {"source": source})


@login_required
@permission_required("claims.add_evidence", raise_exception=True)
@require_POST
def evidence_add(request, pk):
    claim = get_claim_or_404(pk)
    form = EvidenceForm(request.POST, claim=claim)
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = sources_services.evidence_add(
                claim=claim,
                stance=data["stance"],
                note=data["note"],
                excerpt=data["excerpt"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
    if saved is None:
        return _evidence_refused(request, claim, evidence_form=form)
    return _evidence_done(request, claim, "Evidence added.", new_item=saved)


@login_required
@permission_required("claims.change_evidence", raise_exception=True)
@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("source"), pk=pk)
    claim = get_claim_or_404(evidence.claim_id)
    if request.method == "GET":
        return _evidence_edit_form(request, claim, evidence)
    form = EvidenceEditForm(request.POST, evidence=evidence)
    changed = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = sources_services.evidence_update(
                evidence=evidence, stance=data["stance"], note=data["note"],
                excerpt=data["excerpt"], user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
    if changed is None:
        return _evidence_refused(request, claim, evidence_edit_form=form)
    what = (f"citation of {_source_name(evidence.source)}" if evidence.source
            else "evidence note")
    if changed:
        names = changed[0] if len(changed) == 1 else (
            f"{', '.join(changed[:-1])} and {changed[-1]}")
        message = f"{what[0].upper()}{what[1:]} updated: {names}."
    else:
        message = f"Nothing changed: the {what} already has this stance, note and excerpt."
    return _evidence_done(request, claim, message, changed=bool(changed))


def _evidence_edit_form(request, claim, evidence):
    """An item's "Edit" form with its stored values: what its fold on the claim page
    fetches when it opens (htmx), or a page of its own (without JavaScript). Evidence a
    verdict holds for readers has no edit: the page says why, as the service would."""
    refusal = sources_services.evidence_edit_refusal(evidence)
    context = {"claim": claim, "item": evidence, "refusal": refusal,
               "form": None if refusal else EvidenceEditForm(evidence=evidence),
               "standalone": not request.htmx}
    if refusal:
        template = "claims/partials/evidence_edit_refused.html" if request.htmx else \
            "claims/evidence_edit.html"
        return render(request, template, context, status=409)
    template = ("claims/partials/evidence_edit_form.html" if request.htmx
                else "claims/evidence_edit.html")
    return render(request, template, context)


def _source_name(source) -> str:
    return quotation(truncatechars(source.title or source.url, 80))


def _evidence_done(request, claim, message: str, *, new_item=None, changed: bool = True):
    """The evidence section with `message` said in it (htmx), or the claim page with it
    (a plain POST, redirected)."""
    if request.htmx:
        return _evidence_section(request, claim, status_message=message, new_item=new_item,
                                 status_level="success" if changed else "info")
    (messages.success if changed else messages.info)(request, message)
    anchor = f"evidence-{new_item.pk}" if new_item is not None else "evidence"
    return redirect(f"{claim.get_absolute_url()}#{anchor}")


def _evidence_refused(request, claim, **forms):
    """The form that was refused, with its errors beside its fields and what was typed."""
    if request.htmx:
        return _evidence_section(request, claim, status=400, **forms)
    return claim_page_error(request, claim, **forms)


def _evidence_section(request, claim, *, status=200, evidence_form=None,
                      evidence_edit_form=None, **extra):
    return render(
        request,
        "claims/partials/evidence_section.html",
        {
            "claim": claim,
            "evidence": with_edit_forms(claim_evidence(claim), bound=evidence_edit_form,
                                        held=claim_evidence_held(claim)),
            "evidence_form": evidence_form or EvidenceForm(claim=claim),
            "can_add_evidence": request.user.has_perm("claims.add_evidence"),
            **extra,
        },
        status=status,
    )


@login_required
def source_list(request):
    queryset = source_table_rows()
    status = request.GET.get("status", "")
    if status in SourceStatus.values:
        queryset = queryset.filter(status=status)
    domain = request.GET.get("domain", "").strip().lower()
    if domain:
        # No domain holds a NUL (and PostgreSQL refuses one in a query): it matches nothing.
        queryset = queryset.none() if has_nul(domain) else queryset.filter(domain=domain)
    table = paginate(request, SourceTable(queryset))
    return render(
        request,
        "claims/source_list.html",
        {"table": table, "statuses": SourceStatus.choices, "status": status, "domain": domain},
    )


def _archive_context(request, source: Source, captures) -> dict:
    archive = source_latest_archive(captures)
    return {
        "source": source,
        "archive": archive,
        "capture": archive.capture if archive else None,
        "can_verify": archive is not None and request.user.has_perm("claims.change_source"),
    }


@login_required
@require_GET
def source_archive(request, pk):
    """The source page's evidence archive section: polled every 3 s while the source is
    being fetched or its archive made, until it settles."""
    source = get_object_or_404(Source, pk=pk)
    context = _archive_context(request, source, source_captures(source, limit=5))
    return render(request, "claims/partials/capture_archive.html", context)


@login_required
def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    latest = source_latest_text_capture(source)
    captures = source_captures(source)
    return render(
        request,
        "claims/source_detail.html",
        {
            **_archive_context(request, source, captures),
            "captures": captures,
            "latest": latest,
            "latest_facts": capture_facts(latest.metadata) if latest else [],
            "claims": source_claims(source),
            "can_refetch": request.user.has_perm("claims.change_source"),
        },
    )


@login_required
@permission_required("claims.change_source", raise_exception=True)
@require_POST
def capture_verify(request, pk):
    """Verify a capture's evidence archive now; the source page shows the result."""
    capture = get_object_or_404(Capture.objects.select_related("archive"), pk=pk)
    archive = getattr(capture, "archive", None)
    if archive is None:
        messages.error(request, "This capture has no evidence archive to verify.")
    elif problems := sources_services.capture_archive_verify(archive=archive,
                                                             user=request.user):
        messages.error(request, "The archive did not verify: " + " ".join(problems))
    else:
        messages.success(request, "The archive verified: every file matches its manifest"
                         + (" and the trusted timestamp holds." if archive.timestamped_at
                            else " (it has no trusted timestamp)."))
    return redirect(capture.source.get_absolute_url() + "#archive-heading")


@login_required
@require_GET
def capture_snapshot(request, pk):
    """The stored bytes of a capture, as a download: never rendered in the desk's origin."""
    return snapshot_download(get_object_or_404(Capture, pk=pk))
