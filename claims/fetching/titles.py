"""An article's title as the article gives it, without the site's name that pages add to
their <title> and og:title ("Senate passes stopgap bill | TheHill", "… - BBC News",
"… — The Guardian"): otherwise the suffix reaches the desk, the public page and ClaimReview.

A part after (or before) a separator goes only when it names the site: the page's declared
site name (og:site_name, the JSON-LD publisher) or its host name. A title that merely holds
a separator ("Brexit | A timeline") keeps it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from claims.fetching.extract import Extracted
from claims.fetching.urls import registrable_domain

SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")
# Words that follow a site's name in its titles without making it another site.
GENERIC_TAIL = ("", "news", "online", "com", "couk", "net", "org", "media", "digital", "tv")


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _host_name(url: str) -> str:
    """'thehill' for https://thehill.com/…, 'bbc' for https://www.bbc.co.uk/…."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # an address the page declares can be anything
        return ""
    if not host:
        return ""
    return registrable_domain(host).split(".", 1)[0]


def _names_site(part: str, sites: list[str]) -> bool:
    key = _key(part)
    if not key:
        return False
    for site in sites:
        for a, b in ((key, site), (site, key)):
            # "TheHill" is "The Hill"; "BBC News" is "BBC"; "The Guardian" is theguardian.com
            rest = a.removeprefix("the") if not b.startswith("the") else a
            if rest.startswith(b) and rest[len(b):] in GENERIC_TAIL:
                return True
    return False


def title_without_site_name(title: str, *, site_name: str = "", url: str = "") -> str:
    """`title` without a leading or trailing part that names the site (see the module)."""
    title = " ".join(title.split())
    sites = [s for s in {_key(site_name), _key(_host_name(url))} if len(s) >= 2]
    if not sites:
        return title
    parts = SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    separators = SEPARATOR.findall(title)
    if _names_site(parts[-1], sites):
        kept = title[: title.rfind(separators[-1])]
    elif _names_site(parts[0], sites):
        kept = title[title.find(separators[0]) + len(separators[0]):]
    else:
        return title
    return kept.strip() or title


def extracted_title(found: Extracted, url: str = "") -> str:
    """The title extraction found, without the site's name: the page's address (or the one
    it declares, for an uploaded page) and its declared site name say which site it is."""
    declared = found.metadata.get("opengraph", {}).get("og:url", "") if found.metadata else ""
    return title_without_site_name(found.title, site_name=found.sitename,
                                   url=url or declared)
