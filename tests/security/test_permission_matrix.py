"""The permission matrix, generated from the URLconf: every URL is requested as anonymous,
editor, reviewer and admin, and each answer is checked against what that role should get.

A URL that is not listed in EXPECTED fails the test, so a new view cannot be forgotten."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from claims.choices import CaptureStatus, VerdictState
from claims.models import Article, Capture, Claim, ClaimSuggestion, Source, Verdict

ROLES = ["anonymous", "editor", "reviewer", "admin"]

# What a GET answers, by kind of URL:
PUBLIC = "public"          # 200 for everyone, no login
DESK = "desk"              # login redirect for anonymous, 200 for every desk role
POST_ONLY = "post"         # login redirect for anonymous, 405 for a GET by anyone logged in
EXPECTED = {
    "login": "login",
    "logout": "logout",
    "public:list": PUBLIC,
    "public:fact-check": PUBLIC,
    "public:corrections": PUBLIC,
    "public:methodology": PUBLIC,
    "public:snapshot": PUBLIC,
    "public:snapshot-raw": PUBLIC,
    "feeds:claimreview": PUBLIC,
    "feeds:rss": PUBLIC,
    "feeds:atom": PUBLIC,
    "claims:dashboard": DESK,
    "claims:article-list": DESK,
    "claims:article-add": POST_ONLY,
    "claims:article-detail": DESK,
    "claims:article-status": DESK,
    "claims:claim-log": DESK,
    "claims:claimant-autocomplete": DESK,
    "claims:claimant-create": POST_ONLY,
    "claims:claim-list": DESK,
    "claims:claim-columns": POST_ONLY,
    "claims:claim-bulk": POST_ONLY,
    "claims:claim-detail": DESK,
    "claims:claim-edit": POST_ONLY,
    "claims:claim-status": POST_ONLY,
    "claims:claim-assign": POST_ONLY,
    "claims:claim-source-attach": POST_ONLY,
    "claims:claim-evidence-add": POST_ONLY,
    "claims:source-list": DESK,
    "claims:source-detail": DESK,
    "claims:source-status": DESK,
    "claims:source-refetch": POST_ONLY,
    "claims:capture-snapshot": DESK,
    "claims:verdict-save": POST_ONLY,
    "claims:verdict-submit": POST_ONLY,
    "claims:verdict-request-changes": POST_ONLY,
    "claims:verdict-approve": POST_ONLY,
    "claims:verdict-publish": POST_ONLY,
    "claims:verdict-correct": POST_ONLY,
    "claims:review-queue": DESK,
    "claims:notifications": DESK,
    "claims:notifications-read": POST_ONLY,
    "claims:export": DESK,
    "claims:reports": DESK,
    "claims:report-claim-options": DESK,
    "claims:suggestion-log": POST_ONLY,
    "claims:suggestion-dismiss": POST_ONLY,
    "claims:article-suggestions": DESK,
    "claims:article-suggest": POST_ONLY,
    "claims:claim-similar": DESK,
    "claims:claim-link": POST_ONLY,
    "claims:claim-unlink": POST_ONLY,
}


def site_urls(patterns=None, namespace=None):
    """(name, pattern) for every named URL outside the admin (tested in test_admin.py)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns != "admin":
                yield from site_urls(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


@pytest.fixture
def desk(db):
    call_command("load_demo", verbosity=0)
    published = Verdict.objects.filter(state=VerdictState.PUBLISHED, is_current=True).first()
    capture = Capture.objects.filter(status=CaptureStatus.SUCCESS,
                                     source__evidence__verdicts=published).first()
    article = Article.objects.first()
    suggestion = ClaimSuggestion.objects.create(
        article=article, start=0, end=10, text=article.body[:10], score=0.5)
    return {
        "article": article,
        "claim": Claim.objects.first(),
        "source": Source.objects.first(),
        "capture": capture,
        "verdict": Verdict.objects.filter(is_current=True).first(),
        "published": published,
        "suggestion": suggestion,
    }


def url_for(name: str, pattern: URLPattern, desk: dict) -> str:
    params = pattern.pattern.converters.keys()
    if not params:
        return reverse(name)
    resource = name.split(":")[-1]
    if name == "public:fact-check":
        obj = desk["published"].claim
    elif name.startswith("public:snapshot"):
        obj = desk["capture"]
    elif "article_pk" in params or resource.startswith("article"):
        obj = desk["article"]
    elif resource.startswith("claim") or resource == "verdict-save":
        obj = desk["claim"]
    elif resource.startswith("verdict"):
        obj = desk["verdict"]
    elif resource.startswith(("source",)):
        obj = desk["source"]
    elif resource.startswith("capture"):
        obj = desk["capture"]
    elif resource.startswith("suggestion"):
        obj = desk["suggestion"]
    else:
        raise AssertionError(f"No test object for {name}: teach url_for about it")
    return reverse(name, kwargs={k: obj.pk for k in params})


def test_every_url_is_in_the_matrix():
    names = {name for name, _ in site_urls()}
    assert names - set(EXPECTED) == set(), "add these views to EXPECTED in this test"
    assert set(EXPECTED) - names == set(), "these views no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, desk, role):
    if role != "anonymous":
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=role))
    wrong = []
    for name, pattern in site_urls():
        kind = EXPECTED[name]
        url = url_for(name, pattern, desk)
        response = client.get(url)
        code = response.status_code
        if kind == PUBLIC:
            ok = code == 200
        elif kind == "login":
            ok = code == 200 if role == "anonymous" else code == 302  # already logged in
        elif kind == "logout":
            ok = code == 405  # logging out takes a POST (CSRF-protected), never a GET
        elif role == "anonymous":
            ok = code == 302 and response["Location"].startswith("/login/?next=")
        elif kind == DESK:
            ok = code == 200
        else:
            ok = code == 405
        if not ok:
            wrong.append(f"{role} GET {url} ({name}, {kind}): {code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix_never_errors_and_anonymous_never_writes(client, desk, role):
    """An empty POST to every write URL: anonymous is sent to log in, everyone else gets an
    answer in words (400/403/302/200), never a server error."""
    if role != "anonymous":
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=role))
    counts_before = (Claim.objects.count(), Source.objects.count(), Verdict.objects.count())
    wrong = []
    for name, pattern in site_urls():
        if EXPECTED[name] != POST_ONLY:
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
    if role == "anonymous":
        assert (Claim.objects.count(), Source.objects.count(), Verdict.objects.count()) == counts_before


def test_editor_cannot_approve_or_publish(client, desk):
    from django.contrib.auth import get_user_model

    verdict = Verdict.objects.filter(state=VerdictState.SUBMITTED, is_current=True).first()
    assert verdict is not None, "the demo desk has a submitted verdict"
    client.force_login(get_user_model().objects.get(username="editor"))
    for name in ("claims:verdict-approve", "claims:verdict-publish"):
        response = client.post(reverse(name, args=[verdict.pk]))
        assert response.status_code in (302, 403)
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.SUBMITTED


def test_anonymous_sees_only_published_work(client, desk):
    unpublished = Claim.objects.exclude(
        verdicts__state=VerdictState.PUBLISHED).exclude(verdicts__isnull=True).first()
    assert client.get(reverse("public:fact-check", args=[unpublished.pk])).status_code == 404
    assert client.get(reverse("public:fact-check", args=[desk["published"].claim_id])).status_code == 200
    uncited = Capture.objects.exclude(source__evidence__verdicts__state=VerdictState.PUBLISHED).first()
    if uncited is not None:
        assert client.get(reverse("public:snapshot", args=[uncited.pk])).status_code == 404
    listing = client.get(reverse("public:list")).content.decode()
    assert unpublished.statement not in listing
