"""Sources (poll one after attaching it), their captures (metadata, and the stored bytes as
a download with the desk's safety headers) and evidence."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from api.serializers.sources import CaptureSerializer, EvidenceSerializer, SourceSerializer
from api.views.common import (
    ERROR,
    ResourceViewSet,
    allowed,
    choice_query,
    id_query,
)
from claims.choices import SourceStatus
from claims.fetching.snapshots import snapshot_download
from claims.models import Source
from claims.selectors.sources import capture_list, evidence_list, source_table_rows
from claims.services.sources import source_refetch


class SourceViewSet(ResourceViewSet):
    """Sources, newest first: one per normalised URL, shared by the claims citing it."""

    ordering = ("-created_at", "-id")
    serializer_class = SourceSerializer

    def get_queryset(self):
        return source_table_rows()

    @extend_schema(parameters=[
        choice_query("status", SourceStatus.choices, "Only sources in this fetch status."),
        id_query("claim", "Only the sources this claim cites."),
    ])
    def list(self, request):
        queryset = self.by_choice(self.get_queryset(), "status", SourceStatus.choices)
        return self.list_page(self.by_ids(queryset, claim="evidence__claim_id"))

    @extend_schema(request=None, responses={202: SourceSerializer, 400: ERROR, 403: ERROR,
                                            404: ERROR})
    @action(detail=True, methods=["post"])
    def refetch(self, request, pk=None):
        """Capture the source again, in the background (202); earlier captures are kept."""
        allowed(request.user, "refetch_source")
        source = source_refetch(source=self.record_or_404(Source), user=request.user)
        return Response(SourceSerializer(source).data, status=status.HTTP_202_ACCEPTED)


class DownloadNegotiation(BaseContentNegotiation):
    """The snapshot answers with its bytes whatever the client accepts (a download is not
    rendered); a refusal is JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CaptureViewSet(ResourceViewSet):
    """Captures (each fetch of a source), newest first: their metadata."""

    serializer_class = CaptureSerializer

    def get_queryset(self):
        return capture_list()

    @extend_schema(parameters=[id_query("source", "Only this source's captures.")])
    def list(self, request):
        return self.list_page(self.by_ids(self.get_queryset(), source="source_id"))

    @extend_schema(responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The stored bytes, as a download."),
        404: ERROR,
    })
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation)
    def snapshot(self, request, pk=None):
        """The bytes the desk fetched, as an attachment in a CSP sandbox, never rendered:
        the desk's snapshot download."""
        return snapshot_download(self.get_object())


class EvidenceViewSet(ResourceViewSet):
    """Evidence, newest first. Add evidence on a claim with POST /claims/{id}/evidence/."""

    serializer_class = EvidenceSerializer

    def get_queryset(self):
        return evidence_list()

    @extend_schema(parameters=[id_query("claim", "Only this claim's evidence.")])
    def list(self, request):
        return self.list_page(self.by_ids(self.get_queryset(), claim="claim_id"))
