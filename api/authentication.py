"""How the API knows who is calling: a personal API token in the Authorization header.

`Authorization: Bearer <token>` (or `Token <token>`). A token that is unknown, revoked or
expired, or whose owner's account is disabled, gets 401 at once with the reason in words.
Sessions are not an API authentication: the desk's pages keep their session and CSRF check,
and a token never signs anyone in to them (the API is the only door a token opens)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from api.permissions import PublicReadTokenScope
from api.throttling import AnonRateThrottle
from claims.selectors.tokens import api_token_by_plain
from claims.services.tokens import api_token_record_use

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """request.user is the token's owner and request.auth the ApiToken (its scopes decide
    what it may do: api/permissions.py)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no token: anonymous (public resources only)
        try:
            token = self._token(parts)
        except exceptions.AuthenticationFailed:
            # Refused tokens count against the address's limit for requests without one.
            AnonRateThrottle().count_refused_token(request)
            raise
        api_token_record_use(token=token)
        return token.user, token

    def _token(self, parts: list[bytes]):
        """The valid, active token the header carries, or AuthenticationFailed saying why
        not."""
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be “Bearer” followed by one token, "
                "with no spaces in the token.")
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "This API token is not valid: it has characters no token has.") from None
        token = api_token_by_plain(plain)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "This API token is not valid: no token matches it. Check that it was copied "
                "whole, or make a new one on the desk's API tokens page.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"This API token (“{token.name}”) was revoked on "
                f"{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M %Z}.")
        if token.is_expired():
            raise exceptions.AuthenticationFailed(
                f"This API token (“{token.name}”) expired on "
                f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token's account is disabled.")
        return token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate), not 403, when a token is missing.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for ApiTokenAuthentication (drf-spectacular finds it by
    the class path)."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_requirement(self, auto_schema):
        # A public resource is read without a token: say so ({} = no authentication).
        public = any(isinstance(p, PublicReadTokenScope)
                     for p in auto_schema.view.get_permissions())
        if public and auto_schema.method in SAFE_METHODS:
            return [{self.name: []}, {}]
        return {self.name: []}

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from the desk's API tokens page: "
            "`Authorization: Bearer fct_…`. Scopes: read (GET) and write (other methods; "
            "includes read).",
        }
