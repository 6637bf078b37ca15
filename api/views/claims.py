"""Claims and claimants: the claims table's rows (its filters, search and orders as query
parameters), a claim, logging and editing one, its status; citing a source on it (202: it
is fetched in the background) and its evidence."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.exceptions import StaleVersion
from api.serializers.claims import (
    ClaimantCreateSerializer,
    ClaimantSerializer,
    ClaimDetailSerializer,
    ClaimLogSerializer,
    ClaimSerializer,
    ClaimStatusSerializer,
    ClaimUpdateSerializer,
)
from api.serializers.sources import (
    EvidenceCreateSerializer,
    EvidenceSerializer,
    SourceAttachedSerializer,
    SourceAttachSerializer,
    SourceSerializer,
)
from api.views.common import (
    CONFLICT,
    ERROR,
    ApiFilterBackend,
    ResourceViewSet,
    allowed,
    choice_param,
    filter_parameters,
    text_param,
)
from claims.filtersets import CLAIM_ORDERINGS, ClaimFilter, claim_ordering
from claims.models import Claim
from claims.selectors.claims import claim_api_detail, claim_list_rows, claimant_list
from claims.services.claimants import claimant_find_or_create, claimant_from_picker
from claims.services.claims import (
    ClaimAlreadyLogged,
    ClaimDuplicate,
    ClaimEditConflict,
    claim_log,
    claim_log_refuse_resend,
    claim_set_status,
    claim_update,
)
from claims.services.sources import evidence_add, source_attach

SORTS = [f"{sign}{name}" for name in CLAIM_ORDERINGS for sign in ("", "-")]

DUPLICATE = OpenApiResponse(
    inline_serializer("ClaimDuplicate", {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "matches": inline_serializer("ClaimDuplicateMatch", {
            "id": serializers.IntegerField(),
            "url": serializers.URLField(),
            "statement": serializers.CharField(),
            "reasons": serializers.ListField(child=serializers.CharField()),
        }, many=True),
    }),
    description="The claim may already be logged (its words overlap a claim of the "
    "article, or its statement is near-identical to one on the desk): nothing was saved; "
    "`matches` are those claims, each with why. Send `save_anyway: true` to log it as a "
    "separate claim.",
)


def _stale_claim(exc: ClaimEditConflict, request) -> StaleVersion:
    current = claim_api_detail().get(pk=exc.current.pk)
    return StaleVersion(" ".join(exc.messages), current_version=current.version,
                        current=ClaimDetailSerializer(current, context={"request": request}).data)


class ClaimViewSet(ResourceViewSet):
    """Claims, filtered and ordered as the desk's claims table: the same query parameters
    (its FilterSet), so a desk URL's query string works here as it is."""

    filter_backends = [ApiFilterBackend]
    filterset_class = ClaimFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_ordering_keys(self, request):
        return claim_ordering(choice_param(request, "sort", [(sort, sort)
                                                             for sort in ["", *SORTS]]))

    def get_queryset(self):
        if self.action == "list":
            return claim_list_rows()
        return claim_api_detail()

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("sort", str, enum=["", *SORTS], description="The order: a "
                             "column, descending with a leading '-'; newest first when left "
                             "out or empty."),
            *filter_parameters(ClaimFilter, {
                "rating": "Only claims whose current verdict has this rating (its id).",
                "article": "Only the claims in this article (its id).",
                "tag": "Only the claims with this tag: its name (in any case, where only one "
                       "tag has it), or its id. A name no tag has is a 404."}),
        ],
        responses={200: ClaimSerializer(many=True), 400: ERROR},
    )
    def list(self, request):
        return self.list_page(self.filter_queryset(self.get_queryset()))

    @extend_schema(
        request=ClaimLogSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description="Optional, up to 64 characters, chosen by you (a UUID): a request "
            "sent again with the same key logs nothing new and answers 200 with the claim "
            "the first one logged. Without it every request logs a claim.")],
        responses={
            201: ClaimDetailSerializer,
            200: OpenApiResponse(ClaimDetailSerializer, description="Already logged by a "
                                 "request with the same Idempotency-Key: that claim."),
            400: ERROR, 403: ERROR,
            409: DUPLICATE,
        },
    )
    def create(self, request):
        """Log a claim anchored to its article's exact words."""
        allowed(request.user, "log_claim")
        data = self.valid_body(ClaimLogSerializer)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64 or "\x00" in key:
            raise ValidationError({"Idempotency-Key": ["Send a key of at most 64 characters "
                                                       "(a UUID is 36)."]})
        try:
            claim_log_refuse_resend(submission_key=key, user=request.user)
        except ClaimAlreadyLogged as exc:
            return Response(self._detail(exc.claim.pk), status=status.HTTP_200_OK)
        article, quote = data["article"], data["quote"]
        start, end = data["start"], data["end"]
        try:
            # A claim refused leaves no new claimant behind.
            with transaction.atomic():
                claim = claim_log(article=article, quote=quote, start=start, end=end,
                                  statement=data["statement"], user=request.user,
                                  claimant=_picked_claimant(data, request.user),
                                  claimed_on=data["claimed_on"],
                                  tags=data["tags"], submission_key=key,
                                  refuse_duplicates=not data["save_anyway"])
        except ClaimAlreadyLogged as exc:  # the same key, sent at the same moment
            return Response(self._detail(exc.claim.pk), status=status.HTTP_200_OK)
        except ClaimDuplicate as exc:
            return Response({
                "detail": " ".join(exc.messages), "code": "duplicate",
                "matches": [{"id": m.claim.pk, "url": request.build_absolute_uri(
                    reverse("api:claim-detail", args=[m.claim.pk])),
                    "statement": m.claim.statement, "reasons": m.reasons}
                    for m in exc.matches],
            }, status=status.HTTP_409_CONFLICT)
        return Response(self._detail(claim.pk), status=status.HTTP_201_CREATED)

    def _detail(self, pk):
        return ClaimDetailSerializer(claim_api_detail().get(pk=pk),
                                     context=self.get_serializer_context()).data

    @extend_schema(request=ClaimUpdateSerializer,
                   responses={200: ClaimDetailSerializer, 400: ERROR, 403: ERROR,
                              404: ERROR, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        """Edit the claim's statement, claimant, date claimed or tags. `version` is the
        claim's version as you read it: if someone saved since, 409 and nothing written."""
        allowed(request.user, "edit_claim")
        claim = self.get_object()
        data = self.valid_body(ClaimUpdateSerializer)
        try:
            with transaction.atomic():  # an edit refused leaves no new claimant behind
                claim_update(
                    claim=claim, version=data["version"],
                    statement=data.get("statement", claim.statement),
                    claimant=_picked_claimant(data, request.user)
                    if "claimant" in data or "claimant_name" in data else claim.claimant,
                    claimed_on=data.get("claimed_on", claim.claimed_on),
                    tags=data.get("tags", [tag.name for tag in claim.tags.all()]),
                    user=request.user,
                )
        except ClaimEditConflict as exc:
            raise _stale_claim(exc, request) from None
        return Response(self._detail(claim.pk))

    @extend_schema(request=ClaimStatusSerializer,
                   responses={200: ClaimDetailSerializer, 400: ERROR, 403: ERROR,
                              404: ERROR, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the claim between new, researching and not checkable (with a reason)."""
        allowed(request.user, "edit_claim")
        claim = self.record_or_404(Claim)
        data = self.valid_body(ClaimStatusSerializer)
        try:
            claim_set_status(claim=claim, status=data["status"], user=request.user,
                             reason=data["reason"], version=data["version"])
        except ClaimEditConflict as exc:
            raise _stale_claim(exc, request) from None
        return Response(self._detail(claim.pk))

    @extend_schema(request=SourceAttachSerializer,
                   responses={202: SourceAttachedSerializer, 400: ERROR, 403: ERROR,
                              404: ERROR})
    @action(detail=True, methods=["post"])
    def sources(self, request, pk=None):
        """Cite a web page on the claim. Answers 202 at once: the source is fetched in the
        background; poll the source (its `Location`) until its status settles."""
        allowed(request.user, "attach_source")
        claim = self.record_or_404(Claim)
        data = self.valid_body(SourceAttachSerializer)
        evidence = source_attach(claim=claim, user=request.user, **data)
        context = self.get_serializer_context()
        source_url = request.build_absolute_uri(
            reverse("api:source-detail", args=[evidence.source_id]))
        return Response(
            {"evidence": EvidenceSerializer(evidence, context=context).data,
             "source": SourceSerializer(evidence.source, context=context).data},
            status=status.HTTP_202_ACCEPTED, headers={"Location": source_url},
        )

    @extend_schema(request=EvidenceCreateSerializer,
                   responses={201: EvidenceSerializer, 400: ERROR, 403: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        """Record evidence on the claim: a stance on a source, or a note of its own."""
        allowed(request.user, "add_evidence")
        claim = self.record_or_404(Claim)
        data = self.valid_body(EvidenceCreateSerializer)
        evidence = evidence_add(claim=claim, user=request.user, **data)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ClaimantViewSet(ResourceViewSet):
    """Claimants, by name."""

    ordering = ("name", "id")
    serializer_class = ClaimantSerializer

    def get_queryset(self):
        return claimant_list()

    @extend_schema(parameters=[OpenApiParameter(
        "q", str, description="Only claimants whose name holds these letters.")])
    def list(self, request):
        queryset = self.get_queryset()
        text = text_param(request, "q")
        if text is None:
            queryset = queryset.none()
        elif text:
            queryset = queryset.filter(name__icontains=text)
        return self.list_page(queryset)

    @extend_schema(
        request=ClaimantCreateSerializer,
        responses={
            201: OpenApiResponse(ClaimantSerializer, description="Added: the new claimant."),
            200: OpenApiResponse(
                ClaimantSerializer,
                description="A claimant with this name and organisation (whatever the letter "
                "case) is already on file: it is returned as it is, unchanged, whatever "
                "`role` you sent. Compare its `role` with yours; a claimant's details are "
                "changed by an admin (or, on a published fact-check, by a correction)."),
            400: ERROR, 403: ERROR,
        },
    )
    def create(self, request):
        """Add a claimant: one per name and organisation. Adding one that is already on file
        changes nothing and answers 200 with the claimant as it is; 201 means it was added."""
        allowed(request.user, "add_claimant")
        data = self.valid_body(ClaimantCreateSerializer)
        claimant, created = claimant_find_or_create(**data)
        return Response(ClaimantSerializer(claimant).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _picked_claimant(data: dict, user):
    """The claimant a claim's body names, as the desk's claimant picker decides it: by id
    (`claimant`), by a name exactly on file (`claimant_name`), or an explicit new one
    (`claimant_new` with its name, kind, role and organisation). A name that is not on file
    is refused with the close names."""
    return claimant_from_picker(
        chosen=data.get("claimant"), name=data.get("claimant_name", ""),
        new=data.get("claimant_new", False), kind=data.get("claimant_kind", "person"),
        role=data.get("claimant_role", ""), organisation=data.get("claimant_organisation", ""),
        user=user)
