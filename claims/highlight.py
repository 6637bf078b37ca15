"""The article text with every logged claim marked, built server-side from the anchors; and
a claim's quote in its sentence (the review queue).

Anchors may overlap (two claims sharing words), so the text is cut at every anchor
boundary and each piece is marked with all the claims that cover it. Every piece of text
is escaped; the only markup is ours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.assist.sentences import split_sentences
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


@dataclass
class QuoteInContext:
    """A claim's quote in its article sentence: the words before it, the quote, the words
    after it (each "…"-marked where the sentence is cut)."""

    before: str
    quote: str
    after: str


def quote_in_sentence(*, passage: str, passage_start: int, claim: Claim,
                      reach: int) -> QuoteInContext:
    """The sentence(s) of the article `passage` that hold the claim's anchor, the quote
    marked out; a few words either side when the quote is not in a sentence (a headline, a
    caption). `passage` is the article's text from `passage_start`, read up to `reach`
    characters past the anchor (the review queue reads only that much of each article)."""
    start = claim.anchor_start - passage_start
    end = claim.anchor_end - passage_start
    if not passage or not 0 <= start < end <= len(passage):
        return QuoteInContext("", claim.quote, "")
    around = [s for s in split_sentences(passage) if s.start < end and s.end > start]
    if around:
        left, right = min(around[0].start, start), max(around[-1].end, end)
    else:
        left, right = max(start - 120, 0), min(end + 120, len(passage))
    # Where the passage read stops short of the article's text, or the words shown stop
    # short of the passage, the sentence goes on: say so.
    passage_cut_right = len(passage) == end + reach
    if around:
        cut_left = left == 0 and passage_start > 0
        cut_right = right == len(passage) and passage_cut_right
    else:
        cut_left = left > 0 or passage_start > 0
        cut_right = right < len(passage) or passage_cut_right
    before, after = passage[left:start], passage[end:right]
    return QuoteInContext(("…" if cut_left else "") + before.lstrip(), passage[start:end],
                          after.rstrip() + ("…" if cut_right else ""))
