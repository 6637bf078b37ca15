"""reverse() for the many links a page or a feed writes to records by primary key, worked
out once per URL name (and script prefix) instead of once per link: a claims table of 50
rows linked each row twice, and 100 calls to reverse() were a tenth of the page's CPU; the
ClaimReview feed writes about 150 links a page."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

# A stand-in primary key, long enough never to appear elsewhere in a URL.
_PK_MARK = 918273645


@lru_cache(maxsize=64)
def _url_parts(name: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_PK_MARK])
    before, _, after = url.partition(str(_PK_MARK))
    return before, after


def pk_url(name: str, pk) -> str:
    """reverse(name, args=[pk]) for a URL whose only argument is an integer primary key."""
    before, after = _url_parts(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"
