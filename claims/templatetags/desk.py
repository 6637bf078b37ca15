"""Template helpers for the desk layout: how a person is named, words shown in quotation
marks, and the banner that follows a source's fetch after an editor attached it."""

from django import template

from claims.models import Source
from claims.people import user_display

register = template.Library()


# Quotation marks, paired: what opens and what closes.
PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'", "‘": "’"}
INNER_OPENING = "‘"
INNER_CLOSING = "’"


def quotation(text) -> str:
    """`text` between curly quotation marks, never doubled: a text that is one quotation
    already ('"The end is in sight."') loses its own marks; quotation marks inside it become
    single ones, as a quotation within a quotation is written ('“‘Ridership has fallen,’
    said Councillor Ellison.”')."""
    text = str(text or "").strip()
    if len(text) >= 2 and PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if not any(mark in inner for mark in '"“”«»„'):
            text = inner.strip()
    out = []
    for i, char in enumerate(text):
        if char in "“«„":
            char = INNER_OPENING
        elif char in "”»":
            char = INNER_CLOSING
        elif char == '"':
            opens = i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-/"
            char = INNER_OPENING if opens else INNER_CLOSING
        out.append(char)
    return f"“{''.join(out)}”"


@register.filter
def quoted(text) -> str:
    """{{ claim.quote|quoted }}: the words in curly quotation marks (quotation())."""
    return quotation(text)


@register.filter
def display_name(user, default="the desk"):
    """How the desk names a person (claims.people.user_display); `default` for no user."""
    return user_display(user, default)


# A message about a source being fetched carries the source's id in its extra tags, so the
# banner can say what the source's row says (and follow it live, static/js/desk.js).
SOURCE_FETCH_TAG = "source-fetch:"


def source_fetch_tags(source_id: int) -> str:
    """The extra_tags for a message that should follow source `source_id`'s fetch."""
    return f"{SOURCE_FETCH_TAG}{source_id}"


@register.simple_tag
def source_banner(message):
    """For a message that follows a source's fetch: the source's state now and the words for
    each state; None for any other message."""
    tag = next((t for t in (message.extra_tags or "").split() if t.startswith(SOURCE_FETCH_TAG)),
               None)
    if tag is None or not tag[len(SOURCE_FETCH_TAG):].isdigit():
        return None
    source = (Source.objects.filter(pk=int(tag[len(SOURCE_FETCH_TAG):]))
              .only("id", "status", "last_error_kind", "last_error").first())
    if source is None:
        return None
    failed = "Source attached, but it could not be fetched"
    detail = ""
    if source.status == "failed":
        detail = source.get_last_error_kind_display()
        if source.last_error:
            detail = f"{detail}: {source.last_error[:160]}"
        detail = detail.rstrip(".")
    return {
        "source": source,
        "texts": {
            "pending": "Source attached; it is being fetched.",
            "fetching": "Source attached; it is being fetched.",
            "fetched": "Source attached and fetched.",
            "failed": failed,
        },
        "detail": detail,
    }
