"""GET /api/v1/me/: who the token speaks for and what it may do. A client's first call:
it checks the token works and shows its scopes and expiry."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views.common import StrictRequests
from claims.people import user_display

_me = inline_serializer(
    name="Me",
    fields={
        "username": serializers.CharField(),
        "name": serializers.CharField(help_text="As the desk shows the person."),
        "token": inline_serializer(
            name="MeToken",
            fields={
                "name": serializers.CharField(),
                "prefix": serializers.CharField(help_text="The token's public beginning."),
                "scopes": serializers.ListField(child=serializers.CharField()),
                "created_at": serializers.DateTimeField(),
                "expires_at": serializers.DateTimeField(allow_null=True),
            },
        ),
    },
)


class MeView(StrictRequests, APIView):
    @extend_schema(
        operation_id="me", summary="The token's user and scopes", responses={200: _me},
        tags=["account"])
    def get(self, request):
        token = request.auth
        return Response({
            "username": request.user.get_username(),
            "name": user_display(request.user),
            "token": {
                "name": token.name,
                "prefix": token.display_prefix,
                "scopes": token.scope_list,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
            },
        })
