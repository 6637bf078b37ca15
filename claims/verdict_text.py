"""Turning verdict text into safe HTML: Markdown rationales through the nh3 sanitiser, and
word-level diffs between versions for reviewers and the audit trail."""

from __future__ import annotations

import difflib
import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# What a rationale may use: paragraphs, emphasis, lists, quotes, links, code, simple tables.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "a", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then sanitised: raw HTML in the source is dropped, links may only be
    http(s) or mailto and open with rel="nofollow noopener noreferrer"."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


_TOKEN = re.compile(r"\s+|[^\s]+")
# Inline styles (allowed by the CSP) so the diff reads the same on every page that shows it.
DEL = '<del style="background:#ffebe9;color:#82071e;margin-right:2px">'
INS = '<ins style="background:#dafbe1;color:#116329;text-decoration:none">'
REMOVED = '<span class="visually-hidden">removed: </span>'
# A space first: a screen reader reads "removed: old added: new", not "oldadded:".
ADDED = '<span class="visually-hidden"> added: </span>'


def diff_words(old: str, new: str) -> SafeString:
    """An HTML word diff: removed words in <del>, added words in <ins>, everything escaped.
    Each says "removed:" or "added:" to screen readers, which announce neither tag."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"{DEL}{REMOVED}{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"{INS}{ADDED}{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above
