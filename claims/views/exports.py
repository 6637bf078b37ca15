"""Export downloads and reports: parse the request, call a selector and an exporter, stream."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.exporters import claimreview, json, report, stream
from claims.exporters.download import EXPORT_FORMATS, download_response
from claims.filtersets import claim_search
from claims.forms.reports import ReportForm, claim_id_typed
from claims.models import Claim
from claims.selectors.exports import claim_export_selection
from claims.selectors.verdicts import claimreview_verdicts_for_claims

# Suggestions the report's claim search offers at a time.
CLAIM_SUGGESTIONS = 10


def export_stream(fmt: str, params, *, request=None, claim_ids=None):
    """The body of a download, as an iterator of text, for any export format."""
    claims = claim_export_selection(params, claim_ids=claim_ids)
    if fmt == "csv":
        return stream.csv_stream(claims)
    if fmt == "json":
        return stream.json_stream(claims)
    if fmt == "jsonl":
        return stream.jsonl_stream(claims)
    if fmt == "claimreview":
        verdicts = claimreview_verdicts_for_claims(claims)
        return json.json_array_chunks(claimreview.claimreview_records(verdicts, request=request))
    raise ValidationError(
        f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}."
    )


@login_required
@require_GET
def export(request):
    """"Export this view": the claims table's querystring plus `format`."""
    params = request.GET.copy()
    fmt = params.pop("format", ["csv"])[-1]
    params.pop("page", None)  # the whole filtered list, not one page of it
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(
            f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    try:
        # Validate the filters before streaming starts: a stream cannot turn into an error.
        body = export_stream(fmt, params, request=request)
    except ValidationError as error:
        return HttpResponseBadRequest(
            " ".join(error.messages), content_type="text/plain; charset=utf-8"
        )
    return download_response(fmt, body)


@login_required
@require_GET
def reports(request):
    """The Reports page: choose a scope (claim, article, dates), filters and a format."""
    form = ReportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "reports/reports.html", {"form": form})
    data = report.report_data(**form.report_args())
    if form.cleaned_data["format"] == "pdf":
        pdf = report.render_pdf(data, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{data.filename}.pdf"'
        return response
    return render(request, "reports/report.html", {"report": data, "printable": True})


@login_required
@require_GET
def report_claim_options(request):
    """The report form's claim search: the claims whose statement or quote hold the typed
    words (or whose id was typed), as buttons that choose one (static/js/desk.js)."""
    text = request.GET.get("claim_search", "").strip()
    claims = []
    if text:
        by_id = claim_id_typed(text)
        matches = (Claim.objects.filter(pk=by_id) if by_id
                   else claim_search(Claim.objects.all(), text))
        claims = list(matches.select_related("article").order_by("-created_at", "-id")
                      [:CLAIM_SUGGESTIONS])
    return render(request, "reports/claim_options.html", {"claims": claims, "text": text})
