"""The site's URL map: every named URL outside the admin, what a GET of it answers by kind
(the permission matrix checks it against every role), and a URL for each name built from the
objects of a desk (the `desk` fixture in tests/security/conftest.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
    "claims:api-tokens": DESK,
    "claims:api-token-create": POST_ONLY,
    "claims:api-token-revoke": POST_ONLY,
}


def site_urls(patterns=None, namespace=None):
    """(name, pattern) for every named URL outside the admin (the admin's pages are tested in
    tests/claims/admin/test_pages.py)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns != "admin":
                yield from site_urls(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def url_for(name: str, pattern: URLPattern, desk: dict) -> str:
    params = pattern.pattern.converters.keys()
    if not params:
        return reverse(name)
    resource = name.split(":")[-1]
    if name == "public:fact-check":
        obj = desk["published"].claim
    elif name.startswith("public:snapshot"):
        obj = desk["capture"]
    elif resource.startswith("api-token"):
        obj = desk["api_token"]
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
