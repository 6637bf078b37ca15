"""What a capture's metadata says, as labelled facts a person reads: the source page shows
these instead of the stored JSON (no dict reprs, no `fetch_ms`, no `redirects []`)."""

from __future__ import annotations

KINDS = {"html": "Web page (HTML)", "pdf": "PDF document", "text": "Plain text"}

# Top-level keys the pipeline stores (pipeline.capture_url, extract.py), in display order.
LABELS = {
    "kind": "Read as",
    "sitename": "Site name",
    "language": "Language",
    "encoding": "Character encoding",
    "pages": "Pages",
    "redirects": "Redirects",
    "ip": "Server address",
    "fetch_ms": "Download time",
    "extract_ms": "Text extraction time",
    "demo": "Demo capture",
}
OPENGRAPH = {
    "og:title": "Title",
    "og:description": "Description",
    "og:site_name": "Site name",
    "og:type": "Page type",
    "og:url": "Canonical URL",
    "og:locale": "Locale",
    "article:published_time": "Published",
    "article:modified_time": "Modified",
    "article:author": "Author",
    "article:section": "Section",
    "author": "Author",
    "description": "Description",
}
JSON_LD = {
    "type": "Type",
    "headline": "Headline",
    "author": "Author",
    "datePublished": "Published",
    "publisher": "Publisher",
}


def _duration(ms) -> str:
    try:
        ms = int(ms)
    except (TypeError, ValueError):
        return ""
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _humanise(key: str) -> str:
    words = str(key).split(":")[-1].replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else str(key)


def _text(value) -> str:
    """Any stored value as plain words: lists joined, mappings as "label: value" pairs."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return "; ".join(f"{_humanise(k)}: {t}" for k, v in value.items() if (t := _text(v)))
    return str(value)


def _value(key: str, value) -> str:
    if key == "kind":
        return KINDS.get(value, _text(value))
    if key in ("fetch_ms", "extract_ms"):
        return _duration(value)
    if key == "redirects":
        hops = [str(hop) for hop in value or [] if hop]
        if not hops:
            return "none"
        return f"{len(hops)}, through " + " → ".join(hops)
    return _text(value)


def capture_facts(metadata: dict | None) -> list[tuple[str, str]]:
    """(label, value) pairs for a capture's metadata, empty values left out."""
    metadata = metadata if isinstance(metadata, dict) else {}
    facts: list[tuple[str, str]] = []
    for key, label in LABELS.items():
        if key in metadata and (text := _value(key, metadata[key])):
            facts.append((label, text))
    for group, labels, suffix in (
        ("json_ld", JSON_LD, "structured data"),
        ("opengraph", OPENGRAPH, "page tags"),
    ):
        values = metadata.get(group)
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if text := _text(value):
                facts.append((f"{labels.get(key, _humanise(key))} ({suffix})", text))
    known = {*LABELS, "json_ld", "opengraph"}
    for key, value in metadata.items():
        if key not in known and (text := _text(value)):
            facts.append((_humanise(key), text))
    return facts
