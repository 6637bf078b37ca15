"""Who may do what, in one place. Services call `require` before they write and refuse in
words; views and templates ask `verdict_actions` which buttons to offer, so a page never
offers what a service would refuse (the service still decides on every POST).

The two-person rule is here too: nobody reviews a verdict version they wrote any of,
that is its author (Verdict.author, who drafted it) or anyone who edited it (VerdictEditor
rows, written by the services). It rests on those rows, never on history text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from claims.choices import VerdictState
from claims.models import Verdict
from claims.people import user_display
from claims.selectors.verdicts import verdict_edited_by, verdicts_edited_by

# Each action a service guards: the permission it needs, the group that grants it (so a
# refusal says whom to ask) and what the user tried to do, in the refusal's words.
ACTIONS = {
    "draft": ("add_verdict", "Editors", "draft a verdict"),
    "edit": ("change_verdict", "Editors", "edit a verdict"),
    "submit": ("change_verdict", "Editors", "submit a verdict for review"),
    "send_back": ("review_verdict", "Reviewers", "send a verdict back for changes"),
    "approve": ("review_verdict", "Reviewers", "approve a verdict"),
    "publish": ("publish_verdict", "Reviewers", "publish a verdict"),
    "correct": ("change_verdict", "Editors", "correct a verdict"),
    "score_articles": ("change_claimsuggestion", "Editors", "score articles"),
    "log_claim": ("add_claim", "Editors", "log a claim"),
    "dismiss_suggestion": ("change_claimsuggestion", "Editors", "dismiss a suggestion"),
    "link_claims": ("change_claim", "Editors", "link claims"),
    "unlink_claims": ("change_claim", "Editors", "unlink claims"),
    # Guarded by the desk's views (permission_required) and by the API, which says why.
    "add_article": ("add_article", "Editors", "add an article"),
    "add_claimant": ("add_claimant", "Editors", "add a claimant"),
    "propose_claimant_merge": ("add_claimantmerge", "Editors", "propose merging claimants"),
    "confirm_claimant_merge": ("confirm_claimantmerge", "Reviewers",
                               "confirm or decline merging claimants"),
    "edit_claim": ("change_claim", "Editors", "edit a claim"),
    "attach_source": ("add_source", "Editors", "attach a source"),
    "refetch_source": ("change_source", "Editors", "fetch a source again"),
    "add_evidence": ("add_evidence", "Editors", "add evidence"),
    "edit_evidence": ("change_evidence", "Editors", "change evidence"),
    # Anyone signed in manages their own API tokens (require_api_token_owner); another
    # person's only an administrator (the admin site).
    "create_api_token_for_others": (
        "add_apitoken", "administrator", "make an API token for another person"),
    "revoke_api_token_of_others": (
        "change_apitoken", "administrator", "revoke another person's API token"),
    "manage_webhooks": ("add_webhooksubscription", "Admins", "manage webhook subscriptions"),
    "link_factcheck": ("change_claim", "Editors", "link a claim to a fact-check"),
    "unlink_factcheck": ("change_claim", "Editors", "unlink a fact-check from a claim"),
}

# The two-person rule's refusal says what the reviewer tried to do to this verdict.
OWN_REVIEW_DOING = {"approve": "approve this verdict", "send_back": "send this verdict back"}

EDITABLE_STATES = (VerdictState.DRAFT, VerdictState.CHANGES_REQUESTED)

REVIEWABLE_STATES = (VerdictState.SUBMITTED, VerdictState.APPROVED)


def has_permission(user, codename: str) -> bool:
    return user is not None and user.is_active and user.has_perm(f"claims.{codename}")


def require_for(user, action: str) -> None:
    """The services' check of a write made for a person (`user`), whichever door it came
    through (the desk, the API, the admin, a bulk action, a command): `require`. A write
    with no person (user=None) is the desk's own work, such as a data migration; no
    request, task or command of the desk's makes one."""
    if user is not None:
        require(user, action)


def require(user, action: str, verdict: Verdict | None = None) -> None:
    """Raise PermissionDenied, in words, unless `user` may do `action` (a key of ACTIONS).
    Given the verdict, also the rules that depend on it: only its author submits it, and
    nobody approves or sends back a verdict they wrote any of (two-person rule)."""
    codename, role, doing = ACTIONS[action]
    if not has_permission(user, codename):
        raise PermissionDenied(
            f"You cannot {doing}: that needs the {role} role, which your account does not have."
        )
    if verdict is None:
        return
    if action == "submit" and verdict.author_id != user.pk:
        raise PermissionDenied(
            f"Only the author of this verdict, {user_display(verdict.author)}, can submit it "
            "for review."
        )
    if action in OWN_REVIEW_DOING:
        doing = OWN_REVIEW_DOING[action]
        if verdict.author_id == user.pk:
            raise PermissionDenied(
                f"You cannot {doing}: you wrote this verdict, and a different reviewer must "
                "review it (two-person rule)."
            )
        if verdict_edited_by(verdict=verdict, user=user):
            raise PermissionDenied(
                f"You cannot {doing}: you edited this verdict, and a reviewer who did not "
                "write any of it must review it (two-person rule)."
            )


def refusal_words(exc: Exception) -> list[str]:
    """What a refusal says, for a page: a service's ValidationError messages, or the words
    of any other refusal (require's PermissionDenied)."""
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def refusal_text(exc: Exception) -> str:
    return " ".join(refusal_words(exc))


def require_api_token_owner(user, owner_id: int, action: str) -> None:
    """Raise PermissionDenied, in words, unless `user` may manage the API tokens of the user
    `owner_id`: their own, as anyone signed in may; someone else's only with `action`'s
    permission (create_api_token_for_others or revoke_api_token_of_others)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to manage API tokens.")
    if user.pk == owner_id:
        return
    require(user, action)


def verdict_actions(verdict: Verdict | None, user, *, edited: bool | None = None) -> dict:
    """Which of the verdict's buttons to offer the user now. `edited`: whether the user
    edited the verdict, when the caller already knows (review_actions asks once a page)."""
    if verdict is None or user is None or not user.is_authenticated:
        return {}
    state = verdict.state
    is_author = verdict.author_id == user.pk
    can_review = has_permission(user, "review_verdict") and state in REVIEWABLE_STATES
    if can_review and not is_author and edited is None:
        edited = verdict_edited_by(verdict=verdict, user=user)
    own_review = can_review and (is_author or bool(edited))
    may_change = has_permission(user, "change_verdict")
    return {
        "edit": may_change and state in EDITABLE_STATES,
        "submit": is_author and state in EDITABLE_STATES,
        "review": can_review and not own_review and state == VerdictState.SUBMITTED,
        "send_back": can_review and not own_review,
        "override": own_review and state == VerdictState.SUBMITTED
        and has_permission(user, "override_two_person_rule"),
        "own_review": own_review,
        "publish": has_permission(user, "publish_verdict") and state == VerdictState.APPROVED,
        "correct": may_change and state == VerdictState.PUBLISHED and verdict.is_current,
    }


def review_actions(verdicts: list[Verdict], user) -> dict[int, dict]:
    """verdict_actions for each verdict of a review-queue page, asking once for the whole
    page which of them the user edited."""
    if not has_permission(user, "review_verdict"):
        return {v.pk: verdict_actions(v, user) for v in verdicts}
    edited = verdicts_edited_by(verdict_ids=[v.pk for v in verdicts], user=user)
    return {v.pk: verdict_actions(v, user, edited=v.pk in edited) for v in verdicts}


def may_draft(user) -> bool:
    return has_permission(user, "add_verdict")
