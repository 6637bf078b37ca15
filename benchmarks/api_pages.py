"""The API's measured requests, beside the desk's pages (benchmarks/pages.py): the claims
list a page of 100 at a time (the API's largest page), first and 5,000 rows in, filtered,
searched and sorted, each with a real token of the bench editor in the Authorization
header, so authentication (the token's query) and the rate limit are in every figure."""

from __future__ import annotations

from urllib.parse import urlencode

from api.pagination import encode_cursor
from claims.filtersets import CLAIM_DEFAULT_ORDERING
from claims.models import Claim
from claims.services.tokens import api_token_create

API_CLAIMS = "/api/v1/claims/"
API_PAGE = 100
DEEP_OFFSET = 5000


def _url(**params) -> str:
    return f"{API_CLAIMS}?{urlencode({'page_size': API_PAGE, **params})}"


def deep_cursor() -> str | None:
    """The `next` cursor the API gives after DEEP_OFFSET rows in its default order (built
    from the row there, as walking 50 pages would)."""
    row = (Claim.objects.order_by(*CLAIM_DEFAULT_ORDERING)
           .values_list("created_at", "id")[DEEP_OFFSET - 1:DEEP_OFFSET].first())
    if row is None:
        return None
    return encode_cursor(CLAIM_DEFAULT_ORDERING, [row[0].isoformat(), row[1]])


def api_scenarios(scenario_class, *, editor, info: dict, sort: str) -> list:
    """The API scenarios, each carrying a read token of `editor` (a new one per measuring
    process, so each process has its own rate-limit window)."""
    _token, plain = api_token_create(user=editor, name="Benchmark", scopes=("read",))
    headers = {"Authorization": f"Bearer {plain}"}
    cursor = deep_cursor()
    return [
        scenario_class("api.claims", f"API claims list, {API_PAGE} claims", _url(),
                       headers=headers),
        scenario_class("api.deep", f"API claims list, {DEEP_OFFSET:,} rows in",
                       _url(cursor=cursor) if cursor else None, headers=headers),
        scenario_class("api.status", "API claims list, status = researching",
                       _url(status="researching"), headers=headers),
        scenario_class("api.search", f"API claims list, text search \"{info['search_term']}\"",
                       _url(q=info["search_term"]), headers=headers),
        scenario_class("api.sorted", f"API claims list, sorted by date ({sort})",
                       _url(sort=sort), headers=headers),
    ]
