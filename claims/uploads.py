"""Turning an uploaded .txt or .html file into article text. The HTML is parsed, never
rendered: scripts, styles and markup are dropped and only the text is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError

from claims.fetching.extract import (
    Extracted,
    ExtractionError,
    binary_share,
    decode_text,
    extract_html,
    looks_binary,
)
from claims.fetching.titles import extracted_title

ALLOWED_EXTENSIONS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html"}


@dataclass
class UploadedText:
    """What an uploaded file says of itself: its text and, for a web page, the same
    metadata a fetched page gives (outlet, author, publication date, language)."""

    title: str
    body: str
    outlet: str = ""
    author: str = ""
    published_on: date | None = None
    language: str = ""


def normalise_newlines(text: str) -> str:
    # Browsers turn CRLF into LF in the page, so offsets computed there only match an LF body.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def typed_text(text: str) -> str:
    """A textarea's text with LF line ends (browsers send CRLF), stripped."""
    return normalise_newlines(text).strip()


def _decode(data: bytes, declared: str, name: str, *, html: bool) -> str:
    """The file's text: BOM, declared charset, <meta charset>, UTF-8, then detection (the
    same decoding as fetched pages). Binary data is refused in words, not stored as text."""
    text, _encoding = decode_text(data, declared, html=html)
    if looks_binary(text):
        raise ValidationError(
            f"“{name}” is not text: {binary_share(text):.0%} of it is control codes or "
            "characters no writing uses. Upload the article as a .txt or .html file."
        )
    return text.replace("\x00", "")


def found_date(value: str) -> date | None:
    """The date at the start of an ISO date or timestamp a page declares, if it is one."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _html_to_text(data: bytes, declared: str, name: str) -> UploadedText:
    """An uploaded web page read exactly as a fetched one (claims/fetching/extract.py):
    main text, title, and the outlet, author, date and language it declares."""
    try:
        found: Extracted = extract_html(data, declared, "")
    except ExtractionError as exc:
        raise ValidationError(f"“{name}” cannot be read: {exc.message}") from exc
    return UploadedText(
        title=extracted_title(found)[:500], body=found.text.replace("\x00", ""),
        outlet=found.sitename[:200], author=found.byline[:300],
        published_on=found_date(found.published), language=found.language[:16],
    )


def text_from_upload(upload) -> UploadedText:
    """The title and body of an uploaded article file, or a ValidationError in words."""
    name = upload.name or ""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = ALLOWED_EXTENSIONS.get(ext)
    if kind is None:
        raise ValidationError(f"Upload a .txt or .html file; “{name}” is not one of those types.")
    limit = settings.ARTICLE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"This file is {upload.size // 1024} KB; the limit is {limit // 1024} KB."
        )
    data = upload.read(limit + 1)
    declared = getattr(upload, "charset", None) or ""
    text = _decode(data, declared, name, html=kind == "html")
    is_html = kind == "html" or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
    result = _html_to_text(data, declared, name) if is_html else UploadedText(title="", body=text)
    result.body = normalise_newlines(result.body).strip()
    if not result.body:
        raise ValidationError(
            "This file holds no article text: the page has markup but no words to read."
            if is_html else "This file holds no article text: it is empty."
        )
    if not result.title:
        stem = name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip()
        result.title = (stem or "Uploaded article")[:500]
    return result
