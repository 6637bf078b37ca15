"""The site's URL map: every named URL outside the admin, what a GET of it answers by kind
(the permission matrix checks it against every role), and a URL for each name built from the
objects of a desk (the `desk` fixture in tests/security/conftest.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# What a GET answers, by kind of URL:
PUBLIC = "public"          # 200 for everyone, no login
DESK = "desk"              # login redirect for anonymous, 200 for every desk role
POST_ONLY = "post"         # login redirect for anonymous, 405 for a GET by anyone logged in
# A write whose GET is its form on demand (a fold's form fetched when it opens, or a page of
# its own): login redirect for anonymous; for a desk role the form (200), or why not in
# words (403: the role may not; 409: the record cannot change now). POSTs as POST_ONLY.
FORM = "form"
WRITES = (POST_ONLY, FORM)
# The API (/api/v1/) takes tokens, never the desk's session: without a token a desk
# resource answers 401 (signed in to the desk or not).
API_PUBLIC = "api-public"  # 200 for everyone, token or not
API_READ = "api-read"      # 401 without a token, 200 with one of any scope
API_WRITE = "api-write"    # POST only: 401 without a token, 405 for a GET with one
API_KINDS = (API_PUBLIC, API_READ, API_WRITE)
ICON = "icon"              # a redirect to the site's icon, for everyone
STATIC = "static"          # a redirect to one of the desk's static files, for everyone
EXPECTED = {
    "login": "login",
    "favicon": ICON,
    "logout": "logout",
    "public:list": PUBLIC,
    "public:fact-check": PUBLIC,
    "public:corrections": PUBLIC,
    "public:methodology": PUBLIC,
    "public:snapshot": PUBLIC,
    "public:snapshot-raw": PUBLIC,
    "public:snapshot-screenshot": PUBLIC,
    "public:snapshot-wacz": PUBLIC,
    "public:snapshot-bundle": PUBLIC,
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
    "claims:article-autocomplete": DESK,
    "claims:claimant-create": POST_ONLY,
    "claims:claimant-list": DESK,
    "claims:claimant-detail": DESK,
    "claims:claimant-merge-propose": POST_ONLY,
    "claims:claimant-merge-decide": POST_ONLY,
    "claims:claim-list": DESK,
    "claims:claim-columns": POST_ONLY,
    "claims:claim-bulk": POST_ONLY,
    "claims:claim-detail": DESK,
    "claims:claim-audit": DESK,
    "claims:claim-edit": POST_ONLY,
    "claims:claim-status": POST_ONLY,
    "claims:claim-assign": POST_ONLY,
    "claims:claim-source-attach": POST_ONLY,
    "claims:claim-evidence-add": POST_ONLY,
    "claims:evidence-edit": FORM,
    "claims:source-list": DESK,
    "claims:source-detail": DESK,
    "claims:source-status": DESK,
    "claims:source-archive": DESK,
    "claims:source-refetch": POST_ONLY,
    "claims:capture-verify": POST_ONLY,
    "claims:capture-snapshot": DESK,
    "claims:capture-archive-file": DESK,
    "claims:capture-archive-bundle": DESK,
    "claims:capture-archive-replay": DESK,
    # The replay's frame and workers (ReplayWeb.page's code, no archive data).
    "claims:replay-frame": PUBLIC,
    "claims:replay-worker": PUBLIC,
    "claims:replay-ui": STATIC,
    "claims:verdict-save": POST_ONLY,
    "claims:verdict-submit": POST_ONLY,
    "claims:verdict-request-changes": POST_ONLY,
    "claims:verdict-approve": POST_ONLY,
    "claims:verdict-publish": POST_ONLY,
    "claims:verdict-correct": FORM,
    "claims:review-queue": DESK,
    "claims:notifications": DESK,
    "claims:notifications-read": POST_ONLY,
    "claims:notification-preferences": POST_ONLY,
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
    "api:schema": API_PUBLIC,
    "api:docs": API_PUBLIC,
    "api:published-list": API_PUBLIC,
    "api:published-detail": API_PUBLIC,
    "api:api-root": API_READ,
    "api:me": API_READ,
    "api:article-list": API_READ,
    "api:article-detail": API_READ,
    "api:claim-list": API_READ,
    "api:claim-detail": API_READ,
    "api:claim-evidence": API_WRITE,
    "api:claim-set-status": API_WRITE,
    "api:claim-sources": API_WRITE,
    "api:claimant-list": API_READ,
    "api:claimant-detail": API_READ,
    "api:source-list": API_READ,
    "api:source-detail": API_READ,
    "api:source-refetch": API_WRITE,
    "api:capture-list": API_READ,
    "api:capture-detail": API_READ,
    "api:capture-snapshot": API_READ,
    "api:evidence-list": API_READ,
    "api:evidence-detail": API_READ,
    "api:verdict-list": API_READ,
    "api:verdict-detail": API_READ,
    "api:verdict-submit": API_WRITE,
    "api:verdict-request-changes": API_WRITE,
    "api:verdict-approve": API_WRITE,
    "api:verdict-publish": API_WRITE,
    "api:verdict-correct": API_WRITE,
    "api:factcheck-list": API_READ,
    "api:factcheck-detail": API_READ,
    "api:factcheck-match": API_READ,
    "claims:api-tokens": DESK,
    "claims:api-token-create": POST_ONLY,
    "claims:api-token-revoke": POST_ONLY,
    "claims:claim-factchecks": DESK,
    "claims:claim-factcheck-link": POST_ONLY,
    "claims:claim-factcheck-unlink": POST_ONLY,
    "claims:text-factchecks": DESK,
    "claims:article-suggestion-factchecks": DESK,
    "claims:suggestion-log-linked": POST_ONLY,
}


# The desk object an API URL names, by its resource (the router's basename).
API_OBJECTS = {"claimant": "claimant", "evidence": "evidence", "factcheck": "factcheck"}


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


# The query a URL needs to answer a read at all (a search without its words is a 400).
QUERIES = {"api:factcheck-match": "?text=NATO+members+recognise+the+rebels"}


def url_for(name: str, pattern: URLPattern, desk: dict) -> str:
    # Path converters, or a regex's named groups (the API router's patterns).
    params = pattern.pattern.converters.keys() or pattern.pattern.regex.groupindex.keys()
    if not params:
        return reverse(name) + QUERIES.get(name, "")
    resource = name.split(":")[-1]
    if name.startswith("api:"):
        obj = desk[API_OBJECTS.get(resource.split("-")[0], resource.split("-")[0])]
        if name == "api:published-detail":
            obj = desk["published"].claim
    elif name == "public:fact-check":
        obj = desk["published"].claim
    elif name.startswith("public:snapshot"):
        obj = desk["capture"]
    elif resource.startswith("api-token"):
        obj = desk["api_token"]
    elif "article_pk" in params or resource.startswith("article"):
        obj = desk["article"]
    elif resource.startswith("claimant-merge-"):
        obj = desk["claimant_merge"]
    elif resource.startswith("claimant"):
        obj = desk["claimant"] if "claimant" in desk else desk["claim"].claimant
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
    elif resource.startswith("evidence"):
        obj = desk["evidence"]
    else:
        raise AssertionError(f"No test object for {name}: teach url_for about it")
    kwargs = {k: obj.pk for k in params}
    if name == "claims:capture-archive-file":
        kwargs["name"] = "archive.wacz"
    return reverse(name, kwargs=kwargs)
