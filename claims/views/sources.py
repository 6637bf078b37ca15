"""Sources and evidence: citing a web page on a claim, evidence notes, re-fetching, the
sources table, a source's page and its stored snapshots. Thin: parse the request, call a
selector or a service, render; every write also checks the permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from claims.choices import SourceStatus
from claims.fetching.facts import capture_facts
from claims.fetching.snapshots import snapshot_download
from claims.forms.sources import EvidenceForm, SourceAttachForm
from claims.models import Capture, Source
from claims.next_url import safe_next_url
from claims.params import has_nul
from claims.selectors.claims import claim_evidence
from claims.selectors.sources import (
    source_captures,
    source_claims,
    source_latest_text_capture,
    source_table_rows,
)
from claims.services import sources as sources_services
from claims.tables import SourceTable
from claims.templatetags.desk import source_fetch_tags
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
            evidence = sources_services.source_attach(claim=claim, url=form.cleaned_data["url"],
                                              user=request.user)
        except ValidationError as exc:
            add_errors(form, exc, {"normalized_url": "url", "source": "url"})
        else:
            # The banner follows the source's fetch (claims/templatetags/desk.py).
            messages.success(request, "Source attached; it is being fetched.",
                             extra_tags=source_fetch_tags(evidence.source_id))
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
                source=data["source"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
    if request.htmx:
        return render(
            request,
            "claims/partials/evidence_section.html",
            {
                "claim": claim,
                "evidence": list(claim_evidence(claim)),
                "evidence_form": EvidenceForm(claim=claim) if saved else form,
                "can_add_evidence": True,
                "saved": saved,
            },
            status=200 if saved or not form.errors else 400,
        )
    if saved:
        messages.success(request, "Evidence added.")
        return redirect(f"{claim.get_absolute_url()}#evidence")
    return claim_page_error(request, claim, evidence_form=form)


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


@login_required
def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    latest = source_latest_text_capture(source)
    return render(
        request,
        "claims/source_detail.html",
        {
            "source": source,
            "captures": source_captures(source),
            "latest": latest,
            "latest_facts": capture_facts(latest.metadata) if latest else [],
            "claims": source_claims(source),
            "can_refetch": request.user.has_perm("claims.change_source"),
        },
    )


@login_required
@require_GET
def capture_snapshot(request, pk):
    """The stored bytes of a capture, as a download: never rendered in the desk's origin."""
    return snapshot_download(get_object_or_404(Capture, pk=pk))
