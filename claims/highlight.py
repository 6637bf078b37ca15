"""The article text with every logged claim marked, built server-side from the anchors.

Anchors may overlap (two claims sharing words), so the text is cut at every anchor
boundary and each piece is marked with all the claims that cover it. Every piece of text
is escaped; the only markup is ours."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim


def highlighted_body(body: str, claims: Iterable[Claim]) -> SafeString:
    spans = [
        (c.anchor_start, c.anchor_end, c)
        for c in claims
        if 0 <= c.anchor_start < c.anchor_end <= len(body)
    ]
    if not spans:
        return mark_safe(escape(body))
    cuts = sorted({0, len(body), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts: list[str] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        piece = escape(body[left:right])
        covering = [c for s, e, c in spans if s <= left and right <= e]
        if not covering:
            parts.append(piece)
            continue
        ids = " ".join(str(c.pk) for c in covering)
        label = "; ".join(f"Claim #{c.pk}: {c.statement}" for c in covering)
        parts.append(
            format_html(
                '<mark class="claim-anchor{}" data-claims="{}" title="{}">{}</mark>',
                " claim-overlap" if len(covering) > 1 else "",
                ids,
                label,
                mark_safe(piece),
            )
        )
    return mark_safe("".join(parts))
