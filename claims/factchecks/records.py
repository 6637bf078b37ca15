"""One raw fact-check record (a schema.org ClaimReview, or one review of a Google Fact Check
Tools claim) into the fields of a FactCheck, or a rejection that says why in words.

The input is whatever a publisher or an attacker put in a file, so nothing is trusted:
- a value of the wrong JSON type (a number where text belongs, a list where an object
  belongs) rejects the record, naming the field and what it found;
- the claim text and the fact-check URL are required; a missing rating leaves the
  fact-check unrated;
- a URL must be http or https (a `javascript:` or `data:` address never becomes a link): a
  bad fact-check URL rejects the record, a bad publisher or appearance URL is dropped with
  a warning;
- text stays text (markup is stored as typed and escaped wherever it is shown), with NUL
  and other control characters removed (PostgreSQL cannot store NUL);
- an over-long claim text or URL rejects the record; other over-long text is cut to its
  limit with a warning.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from claims.fetching.urls import URLInvalid, normalize_url

CLAIM_MAX = 5_000
LONG_TEXT_MAX = 10_000
SHORT_TEXT_MAX = 300
LANGUAGE_MAX = 35

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")


class Rejected(ValueError):
    """The record cannot be imported; the message says why, in words."""


@dataclass
class RawRecord:
    """One record as a format reader found it: where it was (`position`, in words such as
    "line 4" or "claims[2].claimReview[0]"), its shape and its data."""

    position: str
    data: Any
    kind: str = "claimreview"  # or "google": data is a review, `claim` the claim around it
    claim: Any = None
    default_url: str = ""  # the page a ClaimReview was embedded in, for one with no url


@dataclass
class Normalised:
    fields: dict
    warnings: list[str] = field(default_factory=list)


def json_kind(value: Any) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def clean_text(value: str) -> str:
    value = _CONTROL.sub("", value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value.strip()


def schema_types(data: dict) -> set[str]:
    raw = data.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    types = set()
    for name in names:
        if isinstance(name, str):
            for prefix in _SCHEMA_PREFIXES:
                if name.startswith(prefix):
                    name = name[len(prefix):]
                    break
            types.add(name)
    return types


def is_claimreview(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    types = schema_types(data)
    return "ClaimReview" in types or (not types and "claimReviewed" in data)


class _Reader:
    """Reads the fields of one record, collecting warnings."""

    def __init__(self):
        self.warnings: list[str] = []

    def text(self, value: Any, label: str, *, limit: int, required: bool = False) -> str:
        if isinstance(value, dict) and "@value" in value:  # JSON-LD value object
            value = value["@value"]
        if value is None:
            if required:
                raise Rejected(f"It has no {label}.")
            return ""
        if not isinstance(value, str):
            raise Rejected(f"Its {label} is {json_kind(value)}, not text.")
        value = clean_text(value)
        if required and not value:
            raise Rejected(f"Its {label} is empty.")
        if len(value) > limit:
            if required:
                raise Rejected(
                    f"Its {label} is {len(value):,} characters long; the limit is {limit:,}."
                )
            self.warnings.append(
                f"The {label} was cut from {len(value):,} to {limit:,} characters."
            )
            value = value[:limit]
        return value

    def name(self, value: Any, label: str) -> tuple[str, str, set[str]]:
        """(name, url, schema types) of a person or organisation given as text, an object
        or a list of them (the first with a name)."""
        if isinstance(value, list):
            for item in value:
                found = self.name(item, label)
                if found[0]:
                    return found
            return "", "", set()
        if value is None or isinstance(value, str):
            return self.text(value, label, limit=SHORT_TEXT_MAX), "", set()
        if not isinstance(value, dict):
            raise Rejected(f"Its {label} is {json_kind(value)}, not a name or an object.")
        name = self.text(value.get("name"), f"{label} name", limit=SHORT_TEXT_MAX)
        url = self.url(value.get("url") or value.get("sameAs"), f"{label} url")
        return name, url, schema_types(value)

    def url(self, value: Any, label: str, *, required: bool = False) -> str:
        if isinstance(value, list) and not required:
            value = next((v for v in value if isinstance(v, str)), None)
        raw = self.text(value, label, limit=4 * LONG_TEXT_MAX, required=required)
        if not raw:
            return ""
        if required:
            return checked_url(raw, label)
        url, problem = _optional_url(raw, label)
        if problem:
            self.warnings.append(f"{problem} It was left out.")
        return url

    def day(self, value: Any, label: str) -> date | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise Rejected(f"Its {label} is {json_kind(value)}, not a date.")
        parsed = parse_day(value)
        if parsed is None:
            self.warnings.append(
                f"The {label} “{quoted(value)}” is not a date like 2024-01-31; it was left out."
            )
        return parsed

    def number(self, value: Any, label: str) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise Rejected(f"Its {label} is {json_kind(value)}, not a number.")
        try:
            number = float(value)
        except (ValueError, OverflowError):
            number = None
        if number is None or not math.isfinite(number):
            self.warnings.append(f"The {label} “{quoted(str(value))}” is not a number; "
                                 f"it was left out.")
            return None
        return number

    def language(self, value: Any) -> str:
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        code = self.text(value, "language", limit=LONG_TEXT_MAX)
        if code and (len(code) > LANGUAGE_MAX or not _LANGUAGE.match(code)):
            self.warnings.append(f"The language “{quoted(code)}” is not a language code such "
                                 f"as en or pt-BR; it was left out.")
            return ""
        return code


def checked_url(raw: str, label: str) -> str:
    """The normalised http(s) address, or Rejected in words."""
    scheme = raw.split(":", 1)[0].strip().lower() if ":" in raw else ""
    if scheme and scheme not in ("http", "https") and not raw.lstrip().startswith("//"):
        raise Rejected(f"Its {label} “{quoted(raw, 60)}” is a {scheme}: address; only http "
                       f"and https addresses are accepted.")
    try:
        return normalize_url(raw)
    except URLInvalid as exc:
        raise Rejected(f"Its {label} “{quoted(raw, 60)}” cannot be used: {exc}") from exc


@lru_cache(maxsize=4096)
def _optional_url(raw: str, label: str) -> tuple[str, str]:
    """(normalised url, "") or ("", why not): publishers' addresses repeat in a feed."""
    try:
        return checked_url(raw, label), ""
    except Rejected as exc:
        return "", str(exc)


def parse_day(value: str) -> date | None:
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1)).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def quoted(value: str, limit: int = 40) -> str:
    """A piece of hostile text fit to quote in a message: control characters escaped, cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:limit])
    return shown + ("…" if len(value) > limit else "")


def _object(value: Any, label: str) -> dict:
    if value is None:
        return {}
    if isinstance(value, list):  # some publishers wrap a single node in a list
        value = next((v for v in value if isinstance(v, dict)), {} if not value else value[0])
    if not isinstance(value, dict):
        raise Rejected(f"Its {label} is {json_kind(value)}, not an object.")
    return value


def from_claimreview(data: Any, *, default_url: str = "") -> Normalised:
    """The fields of a FactCheck from one schema.org ClaimReview object."""
    if not isinstance(data, dict):
        raise Rejected(f"It is {json_kind(data)}, not a ClaimReview object.")
    types = schema_types(data)
    if types and "ClaimReview" not in types:
        raise Rejected(f"It is a {', '.join(sorted(types))}, not a ClaimReview.")
    r = _Reader()
    url_value = data.get("url")
    if url_value is None or url_value == "":
        url_value = default_url or None
    url = r.url(url_value, "url", required=True)
    claim = r.text(data.get("claimReviewed"), "claim text (claimReviewed)", limit=CLAIM_MAX,
                   required=True)
    title = r.text(data.get("name") or data.get("headline"), "title", limit=LONG_TEXT_MAX)
    author_name, author_url, author_types = r.name(data.get("author"), "author")
    publisher_name, publisher_url, _ = r.name(data.get("publisher"), "publisher")
    if not publisher_name and (author_types & {"Organization", "NewsMediaOrganization"}
                               or not author_types):
        publisher_name, publisher_url = author_name, author_url
    if "Person" not in author_types:
        author_name = ""  # the author was the organisation, already the publisher
    rating = _object(data.get("reviewRating"), "reviewRating")
    item = _object(data.get("itemReviewed"), "itemReviewed")
    claimant, _, _ = r.name(item.get("author"), "claimant (itemReviewed.author)")
    appearance = item.get("firstAppearance") or item.get("appearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    if isinstance(appearance, dict):
        appearance = appearance.get("url")
    fields = {
        "url": url,
        "claim_reviewed": claim,
        "title": title,
        "publisher_name": publisher_name,
        "publisher_url": publisher_url,
        "author_name": author_name,
        "textual_rating": r.text(rating.get("alternateName") or rating.get("name"),
                                 "textual rating", limit=SHORT_TEXT_MAX),
        "rating_value": r.number(rating.get("ratingValue"), "ratingValue"),
        "best_rating": r.number(rating.get("bestRating"), "bestRating"),
        "worst_rating": r.number(rating.get("worstRating"), "worstRating"),
        "rating_explanation": r.text(rating.get("ratingExplanation"), "rating explanation",
                                     limit=LONG_TEXT_MAX),
        "date_published": r.day(data.get("datePublished"), "datePublished"),
        "claimant": claimant,
        "claim_date": r.day(item.get("datePublished"), "claim date (itemReviewed.datePublished)"),
        "appearance_url": r.url(appearance, "appearance url"),
        "language": r.language(data.get("inLanguage") or item.get("inLanguage")),
    }
    return Normalised(fields, r.warnings)


def from_google_review(claim: Any, review: Any) -> Normalised:
    """The fields of a FactCheck from one review of a claim in Google Fact Check Tools'
    claims:search response (`claims[].claimReview[]`)."""
    if not isinstance(claim, dict):
        raise Rejected(f"The claim is {json_kind(claim)}, not an object.")
    if not isinstance(review, dict):
        raise Rejected(f"The review is {json_kind(review)}, not an object.")
    r = _Reader()
    publisher = _object(review.get("publisher"), "publisher")
    site = r.text(publisher.get("site"), "publisher site", limit=SHORT_TEXT_MAX)
    publisher_url = r.url(f"https://{site}/" if site and "://" not in site else site,
                          "publisher site")
    fields = {
        "url": r.url(review.get("url"), "url", required=True),
        "claim_reviewed": r.text(claim.get("text"), "claim text (text)", limit=CLAIM_MAX,
                                 required=True),
        "title": r.text(review.get("title"), "title", limit=LONG_TEXT_MAX),
        "publisher_name": r.text(publisher.get("name"), "publisher name",
                                 limit=SHORT_TEXT_MAX) or site,
        "publisher_url": publisher_url,
        "author_name": "",
        "textual_rating": r.text(review.get("textualRating"), "textual rating",
                                 limit=SHORT_TEXT_MAX),
        "rating_value": None,
        "best_rating": None,
        "worst_rating": None,
        "rating_explanation": "",
        "date_published": r.day(review.get("reviewDate"), "reviewDate"),
        "claimant": r.text(claim.get("claimant"), "claimant", limit=SHORT_TEXT_MAX),
        "claim_date": r.day(claim.get("claimDate"), "claimDate"),
        "appearance_url": "",
        "language": r.language(review.get("languageCode")),
    }
    return Normalised(fields, r.warnings)


def normalise(raw: RawRecord) -> Normalised:
    if raw.kind == "google":
        return from_google_review(raw.claim, raw.data)
    return from_claimreview(raw.data, default_url=raw.default_url)
