"""Template helpers for the desk layout: how a person is named, words shown in quotation
marks, a language's name, and the banner that follows a source's fetch after an editor
attached it."""

from django import template

from claims.choices import SourceStatus, Stance
from claims.language import language_name
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


@register.filter(name="language_name")
def language_name_filter(code) -> str:
    """{{ claim.language|language_name }}: "Arabic" for "ar" (claims.language)."""
    return language_name(str(code or ""))


@register.filter
def display_name(user, default="the desk"):
    """How the desk names a person (claims.people.user_display); `default` for no user."""
    return user_display(user, default)


# A message about a source being fetched carries the source's id in its extra tags, so the
# banner can say what the source's row says (and follow it live, static/js/desk.js), and the
# stance it was cited with, so the banner names the evidence the citation is.
SOURCE_FETCH_TAG = "source-fetch:"
SOURCE_STANCE_TAG = "source-stance:"

# "Source attached as ... evidence": each stance's words.
STANCE_EVIDENCE = {
    Stance.CONTEXT: "context evidence",
    Stance.SUPPORTS: "supporting evidence",
    Stance.REFUTES: "refuting evidence",
}


def source_fetch_tags(source_id: int, stance: str = "") -> str:
    """The extra_tags for a message that should follow source `source_id`'s fetch."""
    tags = f"{SOURCE_FETCH_TAG}{source_id}"
    return f"{tags} {SOURCE_STANCE_TAG}{stance}" if stance in STANCE_EVIDENCE else tags


def source_banner_texts(stance: str = "") -> dict[str, str]:
    """What the banner says in each state of the source's fetch (the failure's reason is
    added after `failed`)."""
    attached = "Source attached"
    if stance in STANCE_EVIDENCE:
        attached = f"{attached} as {STANCE_EVIDENCE[stance]}"
    return {
        "pending": f"{attached}; it is being fetched.",
        "fetching": f"{attached}; it is being fetched.",
        "fetched": f"{attached} and fetched.",
        "failed": f"{attached}, but it could not be fetched",
    }


def _tag_value(message, prefix: str) -> str | None:
    tag = next((t for t in (message.extra_tags or "").split() if t.startswith(prefix)), None)
    return None if tag is None else tag[len(prefix):]


@register.simple_tag(takes_context=True)
def source_banner(context, message):
    """For a message that follows a source's fetch: the source's state and the words for
    each state; None for any other message. A page that shows the source (the claim page's
    `sources`) gives its own copy, read with the rest of the page, so the banner never says
    something other than the source's row; other pages read the source here."""
    source_id = _tag_value(message, SOURCE_FETCH_TAG)
    if source_id is None or not source_id.isdigit():
        return None
    shown = context.get("sources")
    shown = shown if isinstance(shown, list | tuple) else ()  # never a query of its own
    source = next((s for s in shown if isinstance(s, Source) and s.pk == int(source_id)), None)
    if source is None:
        source = (Source.objects.filter(pk=int(source_id))
                  .only("id", "status", "last_error_kind", "last_error").first())
    if source is None:
        return None
    detail = ""
    if source.status == SourceStatus.FAILED:
        detail = source.get_last_error_kind_display()
        if source.last_error:
            detail = f"{detail}: {source.last_error[:160]}"
        detail = detail.rstrip(".")
    return {
        "source": source,
        "texts": source_banner_texts(_tag_value(message, SOURCE_STANCE_TAG) or ""),
        "detail": detail,
    }
