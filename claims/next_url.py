"""Where a form may send the browser back to: one check for every "next" parameter."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default: str, *, param: str = "next") -> str:
    """The `next` address the request carries (POST, then GET) if it is a page of this
    site, else `default`.

    Django's url_has_allowed_host_and_scheme is the check: it refuses other hosts however
    they are spelt, including the scheme-relative "//evil.example" and the backslash forms
    ("/\\evil.example") that browsers read as another site. Addresses with control
    characters are refused too (they have no business in a Location header), and so are
    relative addresses ("&", "edit"): redirect() would read a bare word as a view name."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if (
        target.startswith(("/", "http://", "https://"))
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
