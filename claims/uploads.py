"""Turning an uploaded .txt or .html file into article text. The HTML is parsed, never
rendered: scripts, styles and markup are dropped and only the text is kept."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_EXTENSIONS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html"}


@dataclass
class UploadedText:
    title: str
    body: str


def normalise_newlines(text: str) -> str:
    # Browsers turn CRLF into LF in the page, so offsets computed there only match an LF body.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ValidationError("This file is not text (it looks like a binary file).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ValidationError("This file's characters could not be read as text.") from None
        return str(best)


def _html_to_text(html: str) -> UploadedText:
    import lxml.html
    import trafilatura

    title = ""
    try:
        tree = lxml.html.document_fromstring(html)
        title = (tree.findtext(".//title") or "").strip()
    except (ValueError, lxml.etree.ParserError):
        tree = None
    text = trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
    if not text.strip() and tree is not None:
        for bad in tree.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        text = tree.text_content()
    return UploadedText(title=title[:500], body=text)


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
    text = _decode(data)
    if kind == "html" or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        result = _html_to_text(text)
    else:
        result = UploadedText(title="", body=text)
    result.body = normalise_newlines(result.body).strip()
    if not result.body:
        raise ValidationError("This file holds no article text.")
    if not result.title:
        stem = name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip()
        result.title = (stem or "Uploaded article")[:500]
    return result
