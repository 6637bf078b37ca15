"""Split article text into sentences with exact character offsets (Python code points),
leaving out page furniture: navigation ("Accessibility links", "Breaking News"), bullet
lines with dates, headlines and photo captions.

Articles arrive as text extracted from web pages, so a paragraph is the unit we trust:
paragraphs are separated by blank lines. A paragraph that never ends a sentence (no
full stop, question or exclamation mark) is a headline, a caption or navigation.

Any script: Arabic's "؟" and Urdu's "۔", the Devanagari danda, Chinese and Japanese "。"
(no space after it), and letters without capitals (Arabic, Hebrew, CJK), which start a
sentence after a full stop as a capital does."""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING_QUOTES = "\"'“‘«„‚‹「『《〈"
CLOSING_QUOTES = "\"'”’»›」』》〉"
# Full stops, question and exclamation marks of the scripts news is written in: Latin and
# Cyrillic, Arabic's question mark and Urdu's full stop, the Devanagari danda, the Armenian,
# Ethiopic and Burmese full stops. A space or the end of the text follows them.
STOPS = ".!?…؟۔।॥։።။"
# Chinese and Japanese full stops, question and exclamation marks: no space follows them.
CJK_STOPS = "。！？｡"
CLOSING_BRACKETS = ")]）】"
# What may open a sentence besides a capital or a digit: Spanish opens a question with "¿".
SENTENCE_OPENERS = OPENING_QUOTES + "([（【¿¡"
# Marks that end a line without ending its sentence, in any script.
CONTINUES_LINE = ",;:-–—(&/،؛，、：；"
BULLETS = "•·▪◦‣●○■□–—-*|>"

# Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt cmdr adm maj st jr sr rev hon pres gov sen rep
    vs etc e.g i.e cf al approx dept est fig inc ltd co corp plc no nos vol pp
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    u.s u.k u.n e.u u.s.a a.m p.m""".split()
)

FURNITURE_LINES = re.compile(
    r"""^\s*(
        accessibility\ links | skip\ to\ (main\ )?content | breaking\ news | live |
        advertisement | sponsored | share(\ this(\ article)?)? | read\ more | related(\ stories)? |
        most\ read | subscribe.* | (read\ )?more\s*:.* | related\s*:.* | see\ also\s*:.* |
        sign\ (in|up).* | follow\ us.* | (photo|image|picture|video)
        (\ credit)?\s*[:©].* | ©.* | copyright.* | last\ updated.* | published.* | updated.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0\r]*\n\s*")
_CLOSERS = "[" + re.escape(CLOSING_QUOTES + CLOSING_BRACKETS) + "]*"
# A full stop, question or exclamation mark (possibly spaced off, as in "away . The"),
# then closing quotes or brackets, then whitespace; or a CJK one, then closing marks.
BOUNDARY = re.compile(
    r"[ \u00a0]?(?:([" + re.escape(STOPS) + r"]+)(" + _CLOSERS + r")(?=\s|$)"
    r"|([" + re.escape(CJK_STOPS) + r"]+)(" + _CLOSERS + r"))"
)
ENDS_SENTENCE = re.compile(r"[" + re.escape(STOPS + CJK_STOPS) + r"]" + _CLOSERS + r"\s*$")
WORD_BEFORE = re.compile(r"([\w.]+)$")
# How far back the word before a full stop is looked for: enough for any abbreviation, and
# a bounded window keeps splitting linear in the length of the text.
WORD_BEFORE_WINDOW = 40


@dataclass(frozen=True)
class Segment:
    """A piece of the text: a sentence, or furniture the scorer should not see."""

    start: int
    end: int
    text: str
    kind: str = "sentence"  # or "furniture"


def split_sentences(text: str) -> list[Segment]:
    """The sentences of `text`; each one's `text == text[start:end]`."""
    return [s for s in segment(text) if s.kind == "sentence"]


def segment(text: str) -> list[Segment]:
    """Every non-blank piece of `text` in order, as sentences or furniture."""
    segments: list[Segment] = []
    for start, end in _paragraphs(text):
        segments.extend(_paragraph_segments(text, start, end))
    return segments


def _paragraphs(text: str):
    position = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        yield position, match.start()
        position = match.end()
    yield position, len(text)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_segments(text: str, start: int, end: int) -> list[Segment]:
    start, end = _trimmed(text, start, end)
    if start >= end:
        return []
    out: list[Segment] = []
    # Lines that are bullets or navigation are furniture even inside a paragraph; the rest
    # of the paragraph is prose (it may be hard-wrapped over several lines).
    lines = _lines(text, start, end)
    width = max(le - ls for ls, le in lines)
    prose_start = None
    for index, (ls, le) in enumerate(lines):
        line = text[ls:le]
        if _is_furniture_line(line):
            if prose_start is not None:
                out.extend(_prose_segments(text, prose_start, ls))
                prose_start = None
            out.append(Segment(ls, le, line, "furniture"))
            continue
        if prose_start is None:
            prose_start = ls
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following and _block_ends_after(line, text[following[0]:following[1]], width):
            previous = lines[index - 1] if index else None
            if prose_start < ls and ENDS_SENTENCE.search(text[previous[0]:previous[1]]):
                # A line of its own after a finished sentence: a block by itself.
                out.extend(_prose_segments(text, prose_start, previous[1]))
                prose_start = ls
            out.extend(_prose_segments(text, prose_start, le))
            prose_start = None
    if prose_start is not None:
        out.extend(_prose_segments(text, prose_start, end))
    return out


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank lines of text[start:end], trimmed, as (start, end)."""
    lines = []
    line_start = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline == -1 else newline
        ls, le = _trimmed(text, line_start, line_end)
        if ls < le:
            lines.append((ls, le))
        line_start = line_end + 1
    return lines


def _block_ends_after(line: str, following: str, width: int) -> bool:
    """Whether a line break ends a block of its own (a headline over the first paragraph, a
    link's text between paragraphs: pages extracted to text put one paragraph per line)
    rather than wrapping prose. Hard-wrapped prose breaks a line only when the next word
    would not fit, so a line that does not end a sentence, followed by a capitalised word
    that would have fitted in the paragraph's longest line, was broken on purpose."""
    if ENDS_SENTENCE.search(line) or line[-1] in CONTINUES_LINE:
        return False
    first = following.split(maxsplit=1)[0]
    if not (first[0].isupper() or first[0].isdigit() or first[0] in OPENING_QUOTES
            or _caseless(first[0])):
        return False
    return len(line) + 1 + len(first) <= width


def _is_furniture_line(line: str) -> bool:
    if line[0] in BULLETS and (len(line) == 1 or line[1].isspace() or line[1] in BULLETS):
        return True
    return bool(FURNITURE_LINES.match(line))


def _prose_segments(text: str, start: int, end: int) -> list[Segment]:
    start, end = _trimmed(text, start, end)
    if start >= end:
        return []
    block = text[start:end]
    if not ENDS_SENTENCE.search(block) and not BOUNDARY.search(block):
        # Never ends a sentence: a headline, a caption, a byline.
        return [Segment(start, end, block, "furniture")]
    out = []
    sentence_start = start
    for match in BOUNDARY.finditer(text, start, end):
        if not _is_boundary(text, match, end):
            continue
        s, e = _trimmed(text, sentence_start, match.end())
        if s < e:
            out.append(_sentence(text, s, e))
        sentence_start = match.end()
    s, e = _trimmed(text, sentence_start, end)
    if s < e:
        out.append(_sentence(text, s, e))
    return out


def _caseless(char: str) -> bool:
    """A letter of a script without capitals (Arabic, Hebrew, Chinese, Devanagari...): after a
    full stop it starts a sentence as a capital would."""
    return char.isalpha() and not char.isupper() and not char.islower()


def _is_boundary(text: str, match: re.Match, end: int) -> bool:
    after = match.end()
    while after < end and text[after].isspace():
        after += 1
    if after >= end:
        return True
    following = text[after]
    if match.group(3):  # a CJK full stop ends its sentence whatever follows
        return True
    if following.islower() or following in ",;:":
        return False  # "e.g. the", "Oct. 2011" (digits are handled below)
    if match.group(1) == ".":
        dot = match.start(1)
        before = WORD_BEFORE.search(text, max(0, dot - WORD_BEFORE_WINDOW), dot)
        word = before.group(1).lower().rstrip(".") if before else ""
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False  # "Mr. Smith", "Anders F. Rasmussen"
        if "." in word and all(len(p) <= 1 for p in word.split(".")):
            return False  # "U.S. officials"
        if word.isdigit() is False and following.isdigit() and word in ABBREVIATIONS:
            return False
    return (following.isupper() or following.isdigit() or following in SENTENCE_OPENERS
            or _caseless(following))


def _sentence(text: str, start: int, end: int) -> Segment:
    # An opening quote whose closing quote lies in a later sentence is left out of the span,
    # so the span is the claim's own words ("It is clear that the end is in sight.").
    if text[start] in OPENING_QUOTES and end - start > 1:
        body = text[start + 1 : end]
        if not any(q in body for q in CLOSING_QUOTES):
            start += 1
            while start < end and text[start].isspace():
                start += 1
    return Segment(start, end, text[start:end])
