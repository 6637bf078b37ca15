"""Parity between the desk and the API: every write the API offers is tried by every role
(anonymous, an editor, a reviewer, the verdict's own author for the two-person rule, an
admin, and someone signed in with no role) once through the desk's form and once through
the API, each on a fresh copy of the same state. The API must refuse exactly what the desk
refuses, and say why in the same words: the desk's message, or the refusal of
claims/permissions.py where the desk's page answers a bare 403."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from claims.choices import SourceStatus, VerdictState
from claims.permissions import require
from claims.services.tokens import api_token_create
from tests.factories import ClaimFactory, EvidenceFactory, default_rating
from tests.verdict_setup import make_roles, make_verdict, user_in

pytestmark = pytest.mark.django_db

# Who tries each action. The verdicts are written by "author" (a reviewer, so that a
# refusal to approve is the two-person rule's, not the role's).
PEOPLE = {
    "anonymous": None,
    "editor": "editor_author",
    "reviewer": "reviewer",
    "author": "reviewer_author",
    "admin": "admin",
    "no role": "guest",  # signed in, in no group: the desk's bare-403 views refuse them
}
DESK_ROLES = {"editor", "reviewer", "author", "admin"}

# Who may do what (the rules both sides must keep, not only agree on).
ALLOWED = {
    "submit": {"author"},
    "request changes": {"reviewer", "admin"},
    "request changes without a comment": set(),
    "approve": {"reviewer", "admin"},
    "approve a draft": set(),
    "publish": {"reviewer", "author", "admin"},
    "set a claim aside without a reason": set(),
}


@dataclass
class Case:
    build: Callable  # users -> the state the action starts from (a dict)
    ui: Callable     # state -> (url, form data)
    api: Callable    # state -> (method, url, JSON body)
    action: str | None = None  # the ACTIONS key the desk's view guards with a bare 403


def verdict_in(state):
    def build(users):
        verdict = make_verdict(state, author=users["reviewer_author"],
                               approver=users["senior"])
        return {"verdict": verdict, "claim": verdict.claim}
    return build


def a_claim(users):
    claim = ClaimFactory()
    return {"claim": claim, "article": claim.article}


def a_fetched_source(users):
    evidence = EvidenceFactory(source__status=SourceStatus.FETCHED)
    return {"source": evidence.source}


def verdict_step(state, step, **fields):
    """A verdict in `state` taken through `step` (its desk URL name and API path: submit,
    request-changes, approve, publish) with the same `fields` on both sides; the API's body
    also carries the lock_version it acts on."""
    return Case(
        verdict_in(state),
        lambda s: (reverse(f"claims:verdict-{step}", args=[s["verdict"].pk]), dict(fields)),
        lambda s: ("post", f"/api/v1/verdicts/{s['verdict'].pk}/{step}/",
                   {"lock_version": s["verdict"].lock_version, **fields}),
    )


def claim_step(desk_name, path, action, *, versioned=False, **fields):
    """A claim taken through the desk's `desk_name` form and POST /api/v1/claims/{id}/`path`/
    with the same `fields`; the API's body also carries the claim's version when the action
    acts on one (`versioned`)."""
    def api(s):
        version = {"version": s["claim"].version} if versioned else {}
        return "post", f"/api/v1/claims/{s['claim'].pk}/{path}/", {**version, **fields}

    return Case(
        a_claim, lambda s: (reverse(f"claims:{desk_name}", args=[s["claim"].pk]), dict(fields)),
        api, action=action)


def draft_fields(state):
    verdict = state["verdict"]
    return {"rating": default_rating("mostly-false").pk, "summary": "Edited summary.",
            "rationale": verdict.rationale}


CASES = {
    "save draft": Case(
        verdict_in(VerdictState.DRAFT),
        lambda s: (reverse("claims:verdict-save", args=[s["claim"].pk]),
                   {"lock_version": s["verdict"].lock_version, **draft_fields(s)}),
        lambda s: ("post", "/api/v1/verdicts/",
                   {"claim": s["claim"].pk, "lock_version": s["verdict"].lock_version,
                    **draft_fields(s)}),
    ),
    "submit": verdict_step(VerdictState.DRAFT, "submit"),
    "request changes": verdict_step(VerdictState.SUBMITTED, "request-changes",
                                    comment="Cite the 2011 census."),
    "request changes without a comment": verdict_step(VerdictState.SUBMITTED,
                                                      "request-changes", comment=" "),
    "approve": verdict_step(VerdictState.SUBMITTED, "approve"),
    "approve a draft": verdict_step(VerdictState.DRAFT, "approve"),
    "publish": verdict_step(VerdictState.APPROVED, "publish"),
    "correct": Case(
        verdict_in(VerdictState.PUBLISHED),
        lambda s: (reverse("claims:verdict-correct", args=[s["verdict"].pk]),
                   {"correction-correction_note": "The year was wrong.",
                    "correction-rating": s["verdict"].rating_id,
                    "correction-summary": "The figure is from 2008.",
                    "correction-rationale": s["verdict"].rationale}),
        lambda s: ("post", f"/api/v1/verdicts/{s['verdict'].pk}/correct/",
                   {"lock_version": s["verdict"].lock_version,
                    "correction_note": "The year was wrong.",
                    "summary": "The figure is from 2008."}),
    ),
    "log a claim": Case(
        a_claim,
        # The same words on both doors: the second is a second claim by choice.
        lambda s: (reverse("claims:claim-log", args=[s["article"].pk]),
                   {"quote": "Critics said the figure was misleading.",
                    "statement": "The figure was misleading", "save_anyway": "on"}),
        lambda s: ("post", "/api/v1/claims/",
                   {"article": s["article"].pk, "quote": "Critics said the figure was "
                    "misleading.", "statement": "The figure was misleading",
                    "save_anyway": True}),
        action="log_claim",
    ),
    "edit a claim": Case(
        a_claim,
        lambda s: (reverse("claims:claim-edit", args=[s["claim"].pk]),
                   {"version": s["claim"].version, "statement": "Edited statement",
                    "claimant": s["claim"].claimant_id}),
        lambda s: ("patch", f"/api/v1/claims/{s['claim'].pk}/",
                   {"version": s["claim"].version, "statement": "Edited statement"}),
        action="edit_claim",
    ),
    "set a claim aside without a reason": claim_step(
        "claim-status", "status", "edit_claim", versioned=True, status="not_checkable"),
    "attach a source": claim_step(
        "claim-source-attach", "sources", "attach_source", url="https://stats.example.org/jobs"),
    "add evidence": claim_step(
        "claim-evidence-add", "evidence", "add_evidence", stance="context",
        note="Asked the ministry."),
    # The desk adds the article first, so both say a second copy is meant.
    "add an article": Case(
        lambda users: {},
        lambda s: (reverse("claims:article-add"),
                   {"method": "text", "text-title": "Budget", "text-body": "The deficit.",
                    "text-repeat_ok": "on"}),
        lambda s: ("post", "/api/v1/articles/", {"title": "Budget", "body": "The deficit.",
                                                 "repeat_ok": True}),
        action="add_article",
    ),
    "add a claimant": Case(
        lambda users: {},
        lambda s: (reverse("claims:claimant-create"), {"claimant_name": "Jane Roe"}),
        lambda s: ("post", "/api/v1/claimants/", {"name": "Jane Roe"}),
        action="add_claimant",
    ),
    "fetch a source again": Case(
        a_fetched_source,
        lambda s: (reverse("claims:source-refetch", args=[s["source"].pk]), {}),
        lambda s: ("post", f"/api/v1/sources/{s['source'].pk}/refetch/", {}),
        action="refetch_source",
    ),
}


def desk_outcome(response) -> tuple[str, str | None, str]:
    """("done" | "refused", the words of a message if the desk said any, the page)."""
    code = response.status_code
    page = html.unescape(response.content.decode(errors="replace"))
    if code == 302 and response["Location"].startswith("/login/"):
        return "refused", None, page
    if code == 403:
        return "refused", None, page
    if code in (400, 409):
        return "refused", None, page
    levels = {m.level_tag: m.message for m in get_messages(response.wsgi_request)}
    if "error" in levels:
        return "refused", levels["error"], page
    assert code in (200, 302), code
    return "done", None, page


def api_outcome(response) -> tuple[str, dict]:
    body = response.json()
    return ("done" if response.status_code < 300 else "refused"), body


def permission_words(user, action) -> str | None:
    try:
        require(user, action)
    except PermissionDenied as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", CASES)
def test_the_api_refuses_what_the_desk_refuses_in_the_same_words(name, who):
    case = CASES[name]
    users = {**make_roles(), "guest": user_in("gus")}
    user = users[PEOPLE[who]] if PEOPLE[who] else None

    desk = Client()
    if user is not None:
        desk.force_login(user)
    url, data = case.ui(case.build(users))
    desk_kind, desk_words, page = desk_outcome(desk.post(url, data))

    api = APIClient()
    if user is not None:
        plain = api_token_create(user=user, name="Parity", scopes=("read", "write"))[1]
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    method, url, body = case.api(case.build(users))
    response = getattr(api, method)(url, body, format="json")
    api_kind, api_body = api_outcome(response)

    assert (desk_kind, api_kind) in (("done", "done"), ("refused", "refused")), (
        f"{who} {name}: the desk {desk_kind} ({desk_words}), the API {api_kind} {api_body}")
    assert (api_kind == "done") == (who in ALLOWED.get(name, DESK_ROLES)), api_body
    if api_kind == "done":
        return
    if user is None:
        assert response.status_code == 401
    elif desk_words is not None:
        # The desk said why in a message: the API says the same words.
        assert api_body["detail"] == desk_words
    elif case.action and permission_words(user, case.action):
        # The desk's view answered a bare 403; the API says why, from the same table.
        assert response.status_code == 403
        assert api_body["detail"] == permission_words(user, case.action)
    else:
        # The desk showed the form again with the service's words beside the field.
        assert response.status_code == 400
        for messages in api_body["errors"].values():
            for message in messages:
                assert message in page, f"{who} {name}: {message!r} not on the desk's page"
