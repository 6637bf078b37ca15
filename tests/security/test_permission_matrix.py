"""The permission matrix, generated from the URLconf: every URL is requested as anonymous,
editor, reviewer and admin, and each answer is checked against what that role should get.

A URL that is not listed in EXPECTED fails the test, so a new view cannot be forgotten."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from claims.choices import VerdictState
from claims.models import Capture, Claim, Source, Verdict
from claims.services.tokens import api_token_create
from tests.factories import CaptureFactory, EvidenceFactory
from tests.support.urlmap import (
    API_KINDS,
    API_PUBLIC,
    API_READ,
    DESK,
    EXPECTED,
    FORM,
    ICON,
    PUBLIC,
    STATIC,
    WRITES,
    site_urls,
    url_for,
)

ROLES = ["anonymous", "editor", "reviewer", "admin"]


def api_client(role: str, scopes=("read", "write")) -> APIClient:
    """An API client with a token of the demo desk's `role` (none for anonymous)."""
    client = APIClient()
    if role != "anonymous":
        user = get_user_model().objects.get(username=role)
        client.credentials(HTTP_AUTHORIZATION="Bearer " + api_token_create(
            user=user, name=f"Matrix {role}", scopes=scopes)[1])
    return client


def log_in(client, role: str) -> None:
    """Sign the desk's test client in as the demo desk's `role` (anonymous stays out)."""
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))


@contextmanager
def anonymous_writes_nothing(role: str):
    """Around a run of POSTs: when they were anonymous, no claim, source or verdict was
    written."""
    def counts():
        return Claim.objects.count(), Source.objects.count(), Verdict.objects.count()

    before = counts()
    yield
    if role == "anonymous":
        assert counts() == before


def api_urls():
    for name, pattern in site_urls():
        if EXPECTED[name] in API_KINDS:
            yield name, pattern


def accepts_post(pattern) -> bool:
    actions = getattr(pattern.callback, "actions", None) or {}
    return "post" in actions


def test_every_url_is_in_the_matrix():
    names = {name for name, _ in site_urls()}
    assert names - set(EXPECTED) == set(), "add these views to EXPECTED in tests/support/urlmap.py"
    assert set(EXPECTED) - names == set(), "these views no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, desk, role):
    log_in(client, role)
    wrong = []
    for name, pattern in site_urls():
        kind = EXPECTED[name]
        url = url_for(name, pattern, desk)
        response = client.get(url)
        code = response.status_code
        if kind in API_KINDS:
            # The desk's session never opens the API: only tokens do.
            ok = code == (200 if kind == API_PUBLIC else 401)
        elif kind == PUBLIC:
            ok = code == 200
        elif kind == ICON:
            ok = code == 302 and response["Location"].endswith("/img/favicon.svg")
        elif kind == STATIC:
            ok = code == 302 and response["Location"].startswith(settings.STATIC_URL)
        elif kind == "login":
            ok = code == 200 if role == "anonymous" else code == 302  # already logged in
        elif kind == "logout":
            ok = code == 405  # logging out takes a POST (CSRF-protected), never a GET
        elif role == "anonymous":
            ok = code == 302 and response["Location"].startswith("/login/?next=")
        elif kind == DESK:
            ok = code == 200
        elif kind == FORM:
            ok = code in (200, 403, 409)
        else:
            ok = code == 405
        if not ok:
            wrong.append(f"{role} GET {url} ({name}, {kind}): {code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix_never_errors_and_anonymous_never_writes(client, desk, role):
    """An empty POST to every write URL: anonymous is sent to log in, everyone else gets an
    answer in words (400/403/302/200), never a server error."""
    log_in(client, role)
    wrong = []
    with anonymous_writes_nothing(role):
        for name, pattern in site_urls():
            if EXPECTED[name] not in WRITES:
                continue
            url = url_for(name, pattern, desk)
            response = client.post(url, {})
            code = response.status_code
            if role == "anonymous":
                ok = code == 302 and response["Location"].startswith("/login/?next=")
            else:
                ok = code in (200, 302, 400, 403, 409)
            if not ok:
                wrong.append(f"{role} POST {url} ({name}): {code}")
        assert not wrong, "\n".join(wrong)


def test_editor_cannot_approve_or_publish(client, desk):
    verdict = Verdict.objects.filter(state=VerdictState.SUBMITTED, is_current=True).first()
    assert verdict is not None, "the demo desk has a submitted verdict"
    log_in(client, "editor")
    for name in ("claims:verdict-approve", "claims:verdict-publish"):
        response = client.post(reverse(name, args=[verdict.pk]))
        assert response.status_code in (302, 403)
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.SUBMITTED


def test_anonymous_sees_only_published_work(client, desk):
    unpublished = Claim.objects.exclude(
        verdicts__state=VerdictState.PUBLISHED).exclude(verdicts__isnull=True).first()
    assert client.get(reverse("public:fact-check", args=[unpublished.pk])).status_code == 404
    published = reverse("public:fact-check", args=[desk["published"].claim_id])
    assert client.get(published).status_code == 200
    # A capture of a source cited only by the unpublished claim's evidence.
    uncited = CaptureFactory(source=EvidenceFactory(claim=unpublished).source)
    assert not Capture.objects.filter(
        pk=uncited.pk, source__evidence__verdicts__state=VerdictState.PUBLISHED).exists()
    assert client.get(reverse("public:snapshot", args=[uncited.pk])).status_code == 404
    listing = client.get(reverse("public:list")).content.decode()
    assert unpublished.statement not in listing


@pytest.mark.parametrize("role", ROLES)
def test_api_get_matrix(desk, role):
    """Every API URL read with a token of each role (read scope), and without one."""
    client = api_client(role, scopes=("read",))
    wrong = []
    for name, pattern in api_urls():
        kind = EXPECTED[name]
        url = url_for(name, pattern, desk)
        code = client.get(url).status_code
        if kind == API_PUBLIC:
            ok = code == 200
        elif role == "anonymous":
            ok = code == 401
        else:
            ok = code == (200 if kind == API_READ else 405)
        if not ok:
            wrong.append(f"{role} GET {url} ({name}, {kind}): {code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_api_post_matrix_never_errors_and_anonymous_never_writes(desk, role):
    """An empty POST to every API URL that takes one: anonymous gets 401, a read token 403
    (its scope), a write token an answer in words (400/403/409) or a success, never a
    server error."""
    writer, reader = api_client(role), api_client(role, scopes=("read",))
    wrong = []
    with anonymous_writes_nothing(role):
        for name, pattern in api_urls():
            if not accepts_post(pattern):
                continue
            url = url_for(name, pattern, desk)
            response = writer.post(url, {}, format="json")
            code = response.status_code
            if role == "anonymous":
                ok = code == 401
            else:
                ok = code in (200, 201, 202, 400, 403, 409) and bool(
                    response.json()["detail"] if code >= 400 else True)
                read_code = reader.post(url, {}, format="json").status_code
                if read_code != 403:
                    wrong.append(f"{role} read-scope POST {url} ({name}): {read_code}")
            if not ok:
                wrong.append(f"{role} POST {url} ({name}): {code}")
        assert not wrong, "\n".join(wrong)
