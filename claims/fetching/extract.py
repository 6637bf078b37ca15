"""Turn fetched bytes into text and metadata: HTML (trafilatura on the bytes we fetched,
never its downloader), PDF (pypdf), plain text. Anything else is kept raw and marked
unsupported. Nothing here touches the network."""

from __future__ import annotations

import codecs
import hashlib
import html as html_lib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from claims import boundedjson

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
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Within this much of the detector's best score, prefer windows-1252: short Western texts
# fit several single-byte code pages equally well, and windows-1252 (a superset of latin-1)
# is by far the most common of them (the WHATWG default for unlabelled legacy pages).
_CP1252_MARGIN = 0.1
# A text where more than this share of the characters are control codes, replacement
# characters or unassigned code points is binary data, not writing.
BINARY_SHARE = 0.02


def _known(encoding: str) -> str | None:
    """The codec name for a charset label, or None for an unknown label and for codecs that
    are not text encodings (base64, zlib, rot13...)."""
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, ValueError, TypeError):  # ValueError: a NUL in the label
        return None
    try:
        b"ab".decode(name)
    except UnicodeError:
        pass  # a text encoding that cannot decode these two bytes
    except LookupError:
        return None
    return name


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, UnicodeError):
        return None


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes  # heavy (0.4 s): only for undeclared charsets

    results = list(from_bytes(body[:200_000]))
    if not results:
        return None
    best = min(results, key=lambda match: match.chaos)
    for match in results:
        if match.chaos <= best.chaos + _CP1252_MARGIN and "cp1252" in (
            match.could_be_from_charset or [match.encoding]
        ):
            return "cp1252"
    return best.encoding


def decode_text(body: bytes, declared: str = "", *, html: bool = False) -> tuple[str, str]:
    """Decode bytes to text: a byte order mark first (it cannot be wrong), then the charset
    the server or uploader declared, then a page's <meta charset>, then UTF-8, then
    detection (charset-normalizer). A declared charset that does not decode the bytes is
    ignored rather than trusted into mojibake. Returns (text, encoding)."""
    if isinstance(declared, bytes):  # Django gives an upload's charset as bytes
        declared = declared.decode("ascii", "ignore")
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _strict(body, encoding)
            if text is not None:
                return text, encoding.removesuffix("-sig")
    candidates = [declared]
    if html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            candidates.append(match.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for candidate in candidates:
        encoding = _known(candidate) if candidate else None
        text = _strict(body, encoding) if encoding else None
        if text is not None:
            return text, encoding
    encoding = _detect(body) or "cp1252"
    return body.decode(encoding, errors="replace"), encoding


def text_sha256(text: str) -> str:
    """The fingerprint of a text (an article's body, a capture's extracted text): two
    texts are the same when their fingerprints are."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def binary_share(text: str) -> float:
    """The share of characters in `text` that no writing uses: control codes (other than
    tabs, line breaks and form feeds), U+FFFD, unassigned and private-use code points."""
    if not text:
        return 0.0
    sample = text[:100_000]
    odd = sum(
        1 for c in sample
        if c not in "\t\n\r\f\v" and (c == "\ufffd" or unicodedata.category(c) in _ODD)
    )
    return odd / len(sample)


_ODD = {"Cc", "Cn", "Co", "Cs"}


def looks_binary(text: str) -> bool:
    return binary_share(text) > BINARY_SHARE


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
            data = boundedjson.loads(block.strip())
        except ValueError:  # not JSON, or nested too deep to read (a page's own words)
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


_SKIP = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "section",
          "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre", "hr",
          "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "figure", "figcaption", "form"}


class _PlainText(HTMLParser):
    """Text of an HTML document, read as a flat stream of tags: it keeps no tree, so depth
    costs nothing (lxml stops building a tree at a few hundred levels, and trafilatura
    then finds nothing). Skipped elements are counted, not nested, for the same reason."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_plain_text(text: str) -> str:
    """All the visible text of an HTML document, one paragraph per block, whatever its depth."""
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def extract_html(body: bytes, header_charset: str, url: str) -> Extracted:
    import trafilatura  # heavy (1.2 s to import): loaded by the first HTML extraction

    text, encoding = decode_text(body, header_charset, html=True)
    if looks_binary(text):
        raise ExtractionError(
            "unsupported", f"The content is labelled as HTML but is binary data "
            f"({binary_share(text):.0%} of it is control codes or unreadable characters).")
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
    if not found.text.strip():
        # trafilatura found no main text: a page too deep for lxml's tree, or one with no
        # article markup. Keep what a reader would see rather than nothing.
        found.text = html_plain_text(text)
        found.metadata["text_from"] = "all visible text"
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
    # pypdf is heavy (1 s to import): loaded by the first PDF, not by every web process.
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
    if looks_binary(text):
        raise ExtractionError(
            "unsupported", f"The content is labelled as text but is binary data "
            f"({binary_share(text):.0%} of it is control codes or unreadable characters).")
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
