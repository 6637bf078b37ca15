"""Admin actions: download the selected claims or verdicts as CSV or ClaimReview JSON-LD.
They stream like the editors' exports and go through the same selector and exporters."""

from __future__ import annotations

from django.contrib import admin, messages

from claims.exporters import claimreview, json, stream
from claims.exporters.download import download_response
from claims.selectors.exports import claim_export_selection
from claims.selectors.verdicts import claimreview_verdicts


@admin.action(description="Export the selected claims as CSV")
def export_claims_csv(modeladmin, request, queryset):
    return _csv_download(queryset.values_list("id", flat=True), "claims")


@admin.action(description="Export the selected claims' published verdicts as ClaimReview")
def export_claims_claimreview(modeladmin, request, queryset):
    verdicts = claimreview_verdicts().filter(claim__in=queryset.values("id"))
    return _claimreview_download(modeladmin, request, verdicts)


@admin.action(description="Export the selected verdicts' claims as CSV")
def export_verdicts_csv(modeladmin, request, queryset):
    return _csv_download(queryset.values_list("claim_id", flat=True), "verdicts")


@admin.action(description="Export the selected verdicts as ClaimReview (published ones)")
def export_verdicts_claimreview(modeladmin, request, queryset):
    verdicts = claimreview_verdicts().filter(id__in=queryset.values("id"))
    return _claimreview_download(modeladmin, request, verdicts)


def _csv_download(claim_ids, stem: str):
    """The editors' CSV export of these claims, streamed."""
    return download_response(
        "csv", stream.csv_stream(claim_export_selection(claim_ids=claim_ids)), stem=stem)


def _claimreview_download(modeladmin, request, verdicts):
    if not verdicts.exists():
        modeladmin.message_user(
            request,
            "None of the selected rows has a published verdict: ClaimReview describes "
            "published fact-checks only.",
            messages.WARNING,
        )
        return None
    records = claimreview.claimreview_records(verdicts, request=request)
    return download_response("claimreview", json.json_array_chunks(records),
                             stem="claimreview")


CLAIM_ACTIONS = [export_claims_csv, export_claims_claimreview]
VERDICT_ACTIONS = [export_verdicts_csv, export_verdicts_claimreview]
