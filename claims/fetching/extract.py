"""Turn fetched bytes into text and metadata: HTML (trafilatura on the bytes we fetched,
never its downloader), PDF (pypdf), plain text. Anything else is kept raw and marked
unsupported. Nothing here touches the network."""

from __future__ import annotations

import codecs
import html as html_lib
import io
import json
import re
from dataclasses import dataclass, field

MAX_TITLE = 500


class ExtractionError(Exception):
    """Content we cannot read. `kind` is a FetchErrorKind value."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Extracted:
    kind: str  # html, pdf, text
    title: str = ""
    byline: str = ""
    published: str = ""  # ISO date as found, e.g. 2011-10-06
    sitename: str = ""
    language: str = ""
    text: str = ""
    encoding: str = ""
    metadata: dict = field(default_factory=dict)


# --- content type and charset --------------------------------------------------------------

def media_type(content_type: str) -> tuple[str, str]:
    """('text/html', 'utf-8') from 'text/html; charset=UTF-8'."""
    main, _, params = (content_type or "").partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return main.strip().lower(), charset


def sniff_kind(mime: str, body: bytes) -> str | None:
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime == "application/pdf":
        return "pdf"
    if mime == "text/plain":
        return "text"
    head = body[:1024].lstrip().lower()
    if mime in ("", "application/octet-stream", "binary/octet-stream"):
        if body.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith((b"<!doctype html", b"<html")):
            return "html"
    return None


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)


def _known(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def decode_text(body: bytes, header_charset: str = "", *, html: bool = False) -> tuple[str, str]:
    """Decode with the charset from the header, else the page's <meta>, else detection."""
    candidates = [header_charset]
    if html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            candidates.append(match.group(1).decode("ascii", "ignore"))
    for candidate in candidates:
        encoding = _known(candidate) if candidate else None
        if encoding:
            return body.decode(encoding, errors="replace"), encoding
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    encoding = best.encoding if best else "windows-1252"
    return body.decode(encoding, errors="replace"), encoding


# --- HTML ------------------------------------------------------------------------------------

_JSON_LD = re.compile(
    r"""<script[^>]+type\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script>""",
    re.IGNORECASE | re.DOTALL,
)
_META_TAG = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "report", "scholarlyarticle", "webpage"}


def _json_ld_objects(text: str) -> list[dict]:
    found: list[dict] = []
    for block in _JSON_LD.findall(text):
        try:
            data = json.loads(block.strip())
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                found.append(item)
    return found


def _names(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(n for n in (_names(v) for v in value) if n)
    return ""


def page_metadata(text: str) -> dict:
    """JSON-LD (schema.org Article and friends) and OpenGraph / article: meta tags."""
    meta: dict[str, str] = {}
    for tag in _META_TAG.findall(text[:200_000]):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                 for m in _ATTR.finditer(tag)}
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key.startswith(("og:", "article:")) or key in ("author", "description"):
            meta.setdefault(key, html_lib.unescape(attrs.get("content", "")).strip())
    result: dict = {"opengraph": meta} if meta else {}
    for obj in _json_ld_objects(text):
        types = obj.get("@type", "")
        types = {t.lower() for t in (types if isinstance(types, list) else [types]) if
                 isinstance(t, str)}
        if types & _ARTICLE_TYPES:
            result["json_ld"] = {
                "type": sorted(types)[0] if types else "",
                "headline": str(obj.get("headline") or obj.get("name") or "")[:MAX_TITLE],
                "author": _names(obj.get("author")),
                "datePublished": str(obj.get("datePublished", "")),
                "publisher": _names(obj.get("publisher")),
            }
            break
    return result


def extract_html(body: bytes, header_charset: str, url: str) -> Extracted:
    import trafilatura

    text, encoding = decode_text(body, header_charset, html=True)
    meta = page_metadata(text)
    doc = trafilatura.bare_extraction(text, url=url or None, with_metadata=True,
                                      include_comments=False)
    ld = meta.get("json_ld", {})
    og = meta.get("opengraph", {})
    found = Extracted(kind="html", encoding=encoding, metadata=meta)
    if doc is not None:
        found.title = doc.title or ""
        found.byline = doc.author or ""
        found.published = doc.date or ""
        found.sitename = doc.sitename or ""
        found.language = doc.language or ""
        found.text = doc.text or ""
    # Structured metadata is what the publisher declared: prefer it where present.
    found.title = ld.get("headline") or og.get("og:title") or found.title
    found.byline = ld.get("author") or found.byline or og.get("article:author", "")
    found.published = (ld.get("datePublished") or og.get("article:published_time")
                       or found.published)
    found.sitename = ld.get("publisher") or og.get("og:site_name") or found.sitename
    if not found.title:
        match = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if match:
            found.title = html_lib.unescape(" ".join(match.group(1).split()))
    found.title = found.title[:MAX_TITLE]
    found.byline = found.byline[:500]
    found.published = found.published[:64]
    return found


# --- PDF and plain text ----------------------------------------------------------------------

def extract_pdf(body: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages[:500]]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError("extraction", f"The PDF could not be read ({exc}).") from exc
    created = getattr(info, "creation_date", None) if info else None
    found = Extracted(
        kind="pdf",
        title=str(info.get("/Title", "") or "")[:MAX_TITLE] if info else "",
        byline=str(info.get("/Author", "") or "")[:500] if info else "",
        published=created.date().isoformat() if created else "",
        text="\n\n".join(p.strip() for p in pages if p.strip()),
        metadata={"pages": len(reader.pages)},
    )
    if not found.title:
        found.title = next((ln.strip() for ln in found.text.splitlines() if ln.strip()), "")[:200]
    return found


def extract_text(body: bytes, header_charset: str) -> Extracted:
    text, encoding = decode_text(body, header_charset)
    text = text.replace("\r\n", "\n")
    title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:200]
    return Extracted(kind="text", title=title, text=text.strip(), encoding=encoding)


def extract(body: bytes, content_type: str, url: str = "") -> Extracted:
    """Dispatch on the media type (sniffing only when the server gave none or a generic
    one). Raises ExtractionError('unsupported') for other types."""
    mime, charset = media_type(content_type)
    kind = sniff_kind(mime, body)
    if kind == "html":
        return extract_html(body, charset, url)
    if kind == "pdf":
        return extract_pdf(body)
    if kind == "text":
        return extract_text(body, charset)
    raise ExtractionError(
        "unsupported",
        f"Content of type “{mime or 'unknown'}” is stored as it is but cannot be read as "
        "text (only HTML, PDF and plain text can).",
    )
