"""What a token may do: its scopes. Safe methods (GET, HEAD, OPTIONS) need the read scope,
the others the write scope (which includes read).

The scope is a ceiling, not a grant: below it the user's own permissions still apply,
because the API's writes call the same services as the desk's pages, which call
claims.permissions.require. A write-scoped token of a user who may not publish still
cannot publish.

REST_FRAMEWORK's default is IsAuthenticated + HasTokenScope; a public resource (published
fact-checks) uses PublicReadTokenScope: anyone reads, writing needs a write-scoped token."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from claims.models import ApiToken, TokenScope


def needed_scope(request, view) -> str:
    """The scope a request needs: a view may name it (`token_scope`, e.g. a POST that only
    reads), else by method."""
    declared = getattr(view, "token_scope", None)
    if declared:
        return declared
    return TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE


def scope_refusal(token: ApiToken, scope: str, method: str) -> str:
    return (
        f"This token (“{token.name}”) has the {token.scopes} scope, and {method} here needs "
        f"the {scope} scope. Make a token with the {scope} scope on the desk's API tokens page."
    )


class HasTokenScope(BasePermission):
    """Refuses (403) a request its token's scopes do not cover. Requests without a token
    are left to the other permission classes (IsAuthenticated answers 401)."""

    message = "This token's scopes do not allow this request."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = needed_scope(request, view)
        if token.has_scope(scope):
            return True
        self.message = scope_refusal(token, scope, request.method)
        return False


class PublicReadTokenScope(HasTokenScope):
    """For public resources: anyone may read (safe methods, no token needed); writing needs
    a signed-in user whose token has the write scope."""

    message = "Writing here needs an API token with the write scope."

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS and not (
            request.user and request.user.is_authenticated
        ):
            return False  # DRF answers 401: there was no token
        return super().has_permission(request, view)
