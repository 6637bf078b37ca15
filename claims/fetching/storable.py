"""Text as any database stores it."""

from __future__ import annotations


def storable(value):
    """`value` (a string, or dicts and lists of them) as any database stores it: without
    NUL characters (PostgreSQL refuses them in text and JSON) or lone surrogates (not
    encodable as UTF-8)."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value if value.isascii() else value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value
