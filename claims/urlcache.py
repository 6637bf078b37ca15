"""URLs of the pages of one object, for lists that link every row: `reverse()` walks the
URL patterns on each call (about 15 microseconds); a claims-table page makes three links a
row. `pk_url` reverses a view once (per URL prefix and URLconf) and fills in the id."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_SENTINEL = 987654321
_PARTS: dict[tuple, tuple[str, str]] = {}


def pk_url(viewname: str, pk: int) -> str:
    """`reverse(viewname, args=[pk])` for a view whose one argument is an integer id."""
    key = (viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    parts = _PARTS.get(key)
    if parts is None:
        prefix, found, suffix = reverse(viewname, args=[_SENTINEL]).partition(str(_SENTINEL))
        if not found:  # not a plain id in the path: nothing to cache
            return reverse(viewname, args=[pk])
        parts = _PARTS[key] = (prefix, suffix)
    return f"{parts[0]}{int(pk)}{parts[1]}"
