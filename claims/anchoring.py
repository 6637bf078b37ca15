"""Anchoring a quote to its place in an article text (W3C TextQuoteSelector style).

Offsets are Python string indexes (Unicode code points) into `Article.body`."""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


class AnchorError(ValueError):
    """The quote cannot be anchored in the text; the message says why in words."""


def anchor_at(text: str, start: int, end: int, quote: str | None = None) -> Anchor:
    """Anchor the span [start, end) of `text`, checking it holds `quote` when given."""
    if start < 0 or end > len(text):
        raise AnchorError(
            f"The selection {start}-{end} lies outside the article text ({len(text)} characters)."
        )
    if end <= start:
        raise AnchorError("The selection is empty: select at least one word of the article.")
    if quote is not None and text[start:end] != quote:
        raise AnchorError(
            "The quote does not match the article text at the selected position; "
            "select the words in the article again."
        )
    return Anchor(
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def anchor_quote(text: str, quote: str, occurrence: int = 0) -> Anchor:
    """Anchor the `occurrence`-th appearance of `quote` in `text`."""
    if not quote:
        raise AnchorError("The quote is empty.")
    position = -1
    for _ in range(occurrence + 1):
        position = text.find(quote, position + 1)
        if position == -1:
            raise AnchorError("The quote does not appear in the article text.")
    return anchor_at(text, position, position + len(quote))


def anchor_submitted(text: str, quote: str, start: int | None = None,
                     end: int | None = None) -> Anchor:
    """The anchor of words a person or a client submitted to log a claim. Their offsets are
    used when they hold the words exactly (line endings as browsers send them, CRLF, read as
    the text's LF); otherwise, with no offsets or a stale selection, the words are found in
    the text (as sent, then without the spaces around them; of several places, the one
    nearest the offsets sent). The one rule for the desk, the API and every command."""
    quote = quote.replace("\r\n", "\n")
    if start is not None and end is not None and 0 <= start < end and text[start:end] == quote:
        return anchor_at(text, start, end)
    for words in dict.fromkeys((quote, quote.strip())):
        if not words:
            continue
        try:
            return reanchor(text, quote=words, start=start or 0)
        except AnchorError:
            continue
    raise AnchorError(
        "The quote does not appear in the article text. Copy the words exactly as they "
        "appear in the article, or select them in its text."
    )


def reanchor(text: str, *, quote: str, start: int, prefix: str = "", suffix: str = "") -> Anchor:
    """Find the quote again after the text changed: the exact old position if it still holds
    the quote, else the occurrence whose context matches best, nearest the old position."""
    if text[start : start + len(quote)] == quote:
        return anchor_at(text, start, start + len(quote))
    candidates = []
    position = text.find(quote)
    while position != -1:
        before = text[max(0, position - len(prefix)) : position]
        after = text[position + len(quote) : position + len(quote) + len(suffix)]
        score = _common_suffix(before, prefix) + _common_prefix(after, suffix)
        candidates.append((-score, abs(position - start), position))
        position = text.find(quote, position + 1)
    if not candidates:
        raise AnchorError("The quote no longer appears in the article text.")
    best = min(candidates)[2]
    return anchor_at(text, best, best + len(quote))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
