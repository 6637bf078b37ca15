"""What readers see, open to everyone (no token needed): published fact-checks, and the
fact-checks imported from other publishers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins

from api.serializers.published import FactCheckSerializer, PublishedFactCheckSerializer
from api.views.common import (
    PUBLIC_READ,
    ResourceViewSet,
    choice_param,
    choice_query,
    text_param,
)
from claims.models import FactCheckOrigin
from claims.selectors.factchecks import factcheck_list
from claims.selectors.verdicts import published_verdicts


class PublishedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Published fact-checks, newest first: each claim's latest published verdict, as its
    public page shows it. Looked up by the claim's id."""

    permission_classes = PUBLIC_READ
    ordering = ("-published_at", "-id")
    serializer_class = PublishedFactCheckSerializer
    lookup_url_kwarg = "claim"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return published_verdicts()

    def get_object(self):
        return get_object_or_404(self.get_queryset(), claim_id=self.lookup_id())


class FactCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Fact-checks imported from other publishers (and the desk's own), newest first."""

    ordering = ("-date_published", "-id")
    serializer_class = FactCheckSerializer

    def get_queryset(self):
        return factcheck_list()

    @extend_schema(parameters=[
        choice_query("origin", FactCheckOrigin.choices, "Only fact-checks from this origin."),
        OpenApiParameter("publisher", str, description="Only this publisher's (exact name)."),
        OpenApiParameter("language", str, description="Only in this language (BCP 47)."),
    ])
    def list(self, request):
        origin = choice_param(request, "origin", FactCheckOrigin.choices)
        publisher = text_param(request, "publisher")
        language = text_param(request, "language")
        if publisher is None or language is None:
            return self.list_page(self.get_queryset().none())
        return self.list_page(factcheck_list(publisher=publisher, language=language,
                                             origin=origin))
