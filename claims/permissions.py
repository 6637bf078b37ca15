"""Writes with business rules. Views, forms, admin actions, commands and tasks call these;
they hold no rules of their own. Each raises ValidationError with a message in words."""

from __future__ import annotations

from django.core.exceptions import (
    PermissionDenied,  # noqa: E402
)

# Which group grants each permission, so a refusal can say whom to ask.
_ROLE_FOR_PERMISSION = {
    "add_verdict": "Editors",
    "change_verdict": "Editors",
    "review_verdict": "Reviewers",
    "publish_verdict": "Reviewers",
    "override_two_person_rule": "admins",
}


def _require_permission(user, codename: str, doing: str) -> None:
    if user is None or not user.is_active or not user.has_perm(f"claims.{codename}"):
        role = _ROLE_FOR_PERMISSION.get(codename, "right")
        raise PermissionDenied(
            f"You cannot {doing}: that needs the {role} role, which your account does not have."
        )
