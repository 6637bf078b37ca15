"""What readers see, open to everyone (no token needed): published fact-checks, and the
fact-checks imported from other publishers."""

from __future__ import annotations

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.serializers.common import NO_NUL, NOT_ONLY_SPACE, SOME_TEXT
from api.serializers.published import (
    FactCheckMatchesSerializer,
    FactCheckSerializer,
    PublishedFactCheckSerializer,
)
from api.views.common import (
    PUBLIC_READ,
    ResourceViewSet,
    choice_param,
    choice_query,
    single_value,
    text_param,
)
from claims.models import FactCheckOrigin
from claims.params import whole_number
from claims.selectors.factchecks import fact_check_matches, factcheck_list
from claims.selectors.published import reviewed_sources_prefetch
from claims.selectors.verdicts import published_verdicts

MATCH_TEXT_MAX = 2000


class PublishedViewSet(ResourceViewSet):
    """Published fact-checks, newest first: each claim's latest published verdict, as its
    public page shows it (its sources as reviewed). Looked up by the claim's id."""

    permission_classes = PUBLIC_READ
    ordering = ("-published_at", "-id")
    serializer_class = PublishedFactCheckSerializer
    lookup_url_kwarg = "claim"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return published_verdicts().prefetch_related(*reviewed_sources_prefetch())

    def get_object(self):
        return get_object_or_404(self.get_queryset(), claim_id=self.lookup_id())


class FactCheckViewSet(ResourceViewSet):
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

    @extend_schema(
        parameters=[
            OpenApiParameter("text", {"type": "string", "minLength": 1,
                                      "maxLength": MATCH_TEXT_MAX, "pattern": SOME_TEXT},
                             required=True,
                             description="The claim to look for, as said or written (a tweet, "
                                         "a quote, a statement; at most 2,000 characters)."),
            OpenApiParameter("speaker", {"type": "string", "maxLength": MATCH_TEXT_MAX,
                                         "pattern": NO_NUL},
                             description="Who said it (a claimant's name), when known: the "
                                         "one who says a claim is often its fact-check's "
                                         "subject."),
            OpenApiParameter("top", {"type": "integer", "minimum": 1, "maximum": 20},
                             description="How many matches at most (1 to 20; 5)."),
        ],
        responses=FactCheckMatchesSerializer,
    )
    @action(detail=False, methods=["get"], url_path="match", pagination_class=None)
    def match(self, request):
        """Already fact-checked? The fact-checks that may answer `text`, best first, with a
        score (0..1) and why each matched: the matching the desk's panels use. `speaker`:
        who said it (a claimant's name), when known."""
        raw_text = single_value(request, "text") or ""
        raw_speaker = single_value(request, "speaker") or ""
        for name, raw in (("text", raw_text), ("speaker", raw_speaker)):
            if len(raw) > MATCH_TEXT_MAX:
                raise ValidationError({name: [
                    f"At most {MATCH_TEXT_MAX:,} characters ({len(raw):,} given)."]})
            if "\x00" in raw:
                raise ValidationError({name: ["It cannot hold a NUL character."]})
        if not re.search(NOT_ONLY_SPACE, raw_text):
            raise ValidationError({"text": ["Give the text of a claim to look for."]})
        top = whole_number(single_value(request, "top") or "5")
        if top is None or not 1 <= top <= 20:
            raise ValidationError({"top": ["A whole number from 1 to 20."]})
        text, speaker = raw_text.strip(), raw_speaker.strip()
        found = fact_check_matches(text, speaker=speaker, top=top)
        data = {"text": text, "matches": [
            {"factcheck": fc, "score": round(m.score, 4), "reasons": list(m.reasons)}
            for fc, m in found]}
        return Response(FactCheckMatchesSerializer(
            data, context=self.get_serializer_context()).data)
