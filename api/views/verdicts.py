"""Verdicts and their workflow: save a draft, submit, request changes, approve, publish,
correct, each a POST that calls the desk's own service (the two-person rule, validation
and history hold the same way) and carries the lock_version it acts on."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from api.exceptions import StaleVersion
from api.serializers.common import VersionSerializer
from api.serializers.verdicts import (
    ApproveSerializer,
    CorrectSerializer,
    RequestChangesSerializer,
    VerdictDraftSerializer,
    VerdictSerializer,
)
from api.views.common import (
    CONFLICT,
    ERROR,
    ResourceViewSet,
    allowed,
    choice_query,
    id_query,
    may,
)
from claims.choices import VerdictState
from claims.permissions import require
from claims.selectors.verdicts import verdict_list
from claims.services import verdicts as services
from claims.services.published import claim_reader_changes
from claims.services.verdicts import VerdictConflict

ACTION_RESPONSES = {200: VerdictSerializer, 400: ERROR, 403: ERROR, 404: ERROR,
                    409: CONFLICT}


class VerdictViewSet(ResourceViewSet):
    """Verdicts, most recently changed first; each version of a claim's verdict is one."""

    ordering = ("-updated_at", "-id")
    serializer_class = VerdictSerializer

    def get_queryset(self):
        return verdict_list()

    def _answer(self, verdict, code=status.HTTP_200_OK):
        verdict = verdict_list().get(pk=verdict.pk)
        return Response(VerdictSerializer(verdict, context=self.get_serializer_context()).data,
                        status=code)

    def _run(self, request, action, service, body_class, *, whose: bool = False, **extra):
        """Call a transition service on the verdict with the body's fields; a stale
        lock_version is a 409 with the stored verdict. A caller whose role may not take
        `action` (claims/permissions.py) is refused first, before the verdict and the body
        are read; with `whose`, so is one the verdict's own rules refuse (only its author
        submits it; nobody sends back what they wrote), before the body is read."""
        allowed(request.user, action)
        verdict = self.get_object()
        if whose:
            require(request.user, action, verdict)
        data = self.valid_body(body_class)
        try:
            verdict = service(verdict=verdict, user=request.user,
                              **{**data, **extra})
        except VerdictConflict as exc:
            raise self._stale(exc) from None
        return self._answer(verdict)

    def _stale(self, exc: VerdictConflict) -> StaleVersion:
        theirs = exc.theirs
        current = (VerdictSerializer(verdict_list().get(pk=theirs.pk),
                                     context=self.get_serializer_context()).data
                   if theirs is not None else None)
        return StaleVersion(" ".join(exc.messages),
                            current_version=theirs.lock_version if theirs else None,
                            current=current)

    @extend_schema(parameters=[
        id_query("claim", "Only this claim's verdicts (every version)."),
        choice_query("state", VerdictState.choices, "Only verdicts in this state."),
    ])
    def list(self, request):
        queryset = self.by_ids(self.get_queryset(), claim="claim_id")
        return self.list_page(self.by_choice(queryset, "state", VerdictState.choices))

    @extend_schema(request=VerdictDraftSerializer,
                   responses={201: VerdictSerializer, **ACTION_RESPONSES})
    def create(self, request):
        """Save the claim's verdict as a draft: the first (lock_version null, 201) or an edit
        of the current draft or verdict sent back (its lock_version, 200)."""
        if not (may(request.user, "draft") or may(request.user, "edit")):
            # Refused before the body is read; its lock_version only picks the words the
            # desk says: editing the claim's verdict, or drafting its first.
            try:
                editing = (isinstance(request.data, dict)
                           and request.data.get("lock_version") is not None)
            except APIException:  # a body that is not JSON: refused all the same
                editing = False
            allowed(request.user, "edit" if editing else "draft")
        data = self.valid_body(VerdictDraftSerializer)
        try:
            verdict = services.verdict_save_draft(
                claim=data["claim"], user=request.user, lock_version=data["lock_version"],
                rating=data["rating"], summary=data["summary"], rationale=data["rationale"],
                evidence=data["evidence"],
            )
        except VerdictConflict as exc:
            raise self._stale(exc) from None
        created = data["lock_version"] is None
        return self._answer(verdict, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=VersionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The author sends the draft to review."""
        return self._run(request, "submit", services.verdict_submit, VersionSerializer,
                         whose=True)

    @extend_schema(request=RequestChangesSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        """A reviewer (not the author) sends it back, saying what must change."""
        return self._run(request, "send_back", services.verdict_request_changes,
                         RequestChangesSerializer, whose=True)

    @extend_schema(request=ApproveSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A reviewer who wrote none of it approves it (two-person rule)."""
        return self._run(request, "approve", services.verdict_approve, ApproveSerializer)

    @extend_schema(request=VersionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish an approved verdict (it needs a fetched source, a rating, a rationale)."""
        return self._run(request, "publish", services.verdict_publish, VersionSerializer)

    @extend_schema(request=CorrectSerializer,
                   responses={201: VerdictSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct a published verdict: a new version, submitted for review (201); the
        published one stays online until the correction is published."""
        allowed(request.user, "correct")
        verdict = self.get_object()
        data = self.valid_body(CorrectSerializer)
        claim = verdict.claim
        try:
            new = services.verdict_correct(
                verdict=verdict, user=request.user, lock_version=data["lock_version"],
                correction_note=data["correction_note"], rating=data.get("rating"),
                summary=data.get("summary"), rationale=data.get("rationale"),
                evidence=data.get("evidence"),
                claim_changes=claim_reader_changes(
                    claim, statement=data.get("statement", claim.statement),
                    claimant=data.get("claimant", claim.claimant),
                    claimed_on=data.get("claimed_on", claim.claimed_on)),
            )
        except VerdictConflict as exc:
            raise self._stale(exc) from None
        return self._answer(new, status.HTTP_201_CREATED)


