"""First drafts for a claim logged in one click: its statement and the name of its speaker.

A statement is the claim as a short checkable sentence (ClaimReview's claimReviewed, aim
for under 75 characters), separate from the quote, which stays the article's exact words.
The draft is the words said, without the attribution around them ("…, he said", "According
to X, …"), leading connectives ("But", "However,") or a link pop-up's text glued into the
sentence; while it is still long, framing that carries no claim goes too: a parenthesis, a
day ("on Saturday night"), an opening phrase ("At a Brussels news conference,"), a closing
clause ("…, sending it to the president"). Nothing is ever cut mid-word, and no cut drops a
negation or a figure: when no safe shorter form exists, the longer sentence stays, for the
editor to shorten.

Pure text functions, no database: claims/assist/services.py calls them."""

from __future__ import annotations

import re

from claims.assist.scoring import COMMON_CAPITALISED, NUMBER, PROPER_NOUN

STATEMENT_TARGET = 75
STATEMENT_MAX = 300

# A quotation inside a sentence: straight or curly double quotes, guillemets (French,
# Arabic, Russian), German low-high quotes, Chinese and Japanese corner brackets.
QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|„([^“”]+)[“”]|「([^」]+)」|『([^』]+)』')
QUOTE_MARKS = '"“”«»„「」『』'
# What ends a sentence without being part of a headline-like statement: full stops of any
# script (a question or exclamation mark stays).
FULL_STOPS = ".。｡۔।"
# The attribution beside a quotation: "she said", "the minister told reporters" (short).
ATTRIBUTION_WORDS = 10

NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|cannot|without)\b|n[’']t\b",
    re.IGNORECASE,
)
DIGIT = re.compile(r"\d")

# Verbs that report speech; after the ones in THAT_VERBS the claim starts at "that" (without
# it, "X confirmed reports the alliance will meet" would lose its subject).
SAYING = (r"said|says|say|stressed|insisted|argued|claimed|claims|noted|stated|declared|added|"
          r"warned|explained|wrote|tweeted|maintained|contended|asserted|told (?:reporters|"
          r"journalists|the \w+|[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)*)")
THAT_VERBS = (r"announced|confirmed|acknowledged|admitted|reiterated|emphasi[sz]ed|affirmed|"
              r"agreed|conceded|predicted|estimated|reported|believes|thinks|insists")
WHEN = (r"(?:on|last|this|late|early) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
        r"Sunday|week|month|year)(?: (?:night|morning|afternoon|evening))?")
CONNECTIVE = re.compile(
    r"^(?:(?:And|But|So|Still|However|Meanwhile|Moreover|Furthermore|Also|Indeed|Now|Then|"
    r"Thus|Therefore|Instead|Nonetheless|Nevertheless|Besides|Yet|In addition|In fact|"
    r"Of course|After all)\b,?\s+)+"
)
LEADING_ACCORDING = re.compile(r"^According to [^,;:]{1,80}?,\s+(?=\S)")
LEADING_SAYS = re.compile(
    r"^(?P<who>[^,;:\"“”«»()]{1,80}?(?: \([^()]{1,30}\))?)"
    r" (?:(?:has|have|had) )?"
    r"(?:(?:" + SAYING + r")(?: " + WHEN + r")?(?: in a statement)?(?: that)?"
    r"|(?:" + THAT_VERBS + r")(?: " + WHEN + r")? that)"
    r"\s+(?P<rest>\S.*)$"
)
# The last clause of a sentence when it is an attribution: ", he said", ", Senate Majority
# Leader Chuck Schumer (D-N.Y.) told reporters after the vote", ", according to the report".
TRAILING_ATTRIBUTION = re.compile(
    r",\s+(?P<tail>(?:according to [^,;]+"
    r"|[^,;]*?\b(?:" + SAYING + r"|" + THAT_VERBS + r"|told)\b[^,;]*))[.!…]?\s*$"
)
# A last clause that adds to what the claim says rather than saying who said it.
NOT_ATTRIBUTION_START = re.compile(
    r"^(?:which|who|whom|whose|that|where|when|and|but|or|because|although|though|while|if|"
    r"as|so|since|until|unless)\b", re.IGNORECASE)
TRAILING_ATTRIBUTION_WORDS = 12
# A speaker is a noun phrase ("Rasmussen", "The French government"), never a clause ("That
# has been clearly stated by") nor a share of people, whose saying is itself the claim ("Most
# voters say the economy is worse"); and the claim after "said" must stand alone ("X said it
# had stopped" keeps X: "It had stopped" says nothing).
NOT_A_SPEAKER = re.compile(
    r"\b(?:is|was|are|were|be|been|being|has|have|had|will|would|could|should|may|might|"
    r"that|which|who|it|this|there|what|most|many|few|some|all|majority|minority|more|fewer|"
    r"every|nearly|almost|over|about)\b", re.IGNORECASE)
DEPENDENT_START = re.compile(
    r"^(?:it|he|she|they|we|i|you|his|her|its|their|our|this|that|these|those|so|by|to)\b",
    re.IGNORECASE)

# Cuts tried in turn while the statement is longer than STATEMENT_TARGET.
PARENTHESIS = re.compile(r"\s+\([^()]{1,60}\)")
DAY_PHRASE = re.compile(r"\s+(?:(?:late|early)\s+)?" + WHEN + r"\b")
LEADING_FRAME = re.compile(
    r"^(?:In|At|On|During|After|Before|Amid|As|With|Following|Despite|Although|Though|While|"
    r"Whereas|Under|From|By|Speaking|Asked)\b[^,;:]{4,160},\s+(?=\S)"
)
# ", which announced it had been supplying arms," inside the sentence.
INNER_RELATIVE = re.compile(r",\s+(?:which|who|whose)\b[^,;:]{3,160},")
TRAILING_CLAUSE = re.compile(
    r",\s+(?:which|who|whose|where|sending|leaving|making|bringing|saying|adding|citing|"
    r"thus|thereby|pointing|noting|calling|urging|as|while|after|before|amid|following|"
    r"including|with|prompting|raising)\b"
)

# A link pop-up ("hover card") glued into a paragraph by the page's markup, as TheHill prints
# them: the person's full name, glued to the headlines of related stories, then "MORE":
# "Sen. Lindsey Graham Lindsey Olin GrahamGOP senator says … MORE (R-S.C.) said".
GLUE = re.compile(r"(?<=[a-z])(?=[A-Z])")
CARD_END = re.compile(r"\s+MORE\b")
CARD_WINDOW = 600
SURNAME_PREFIXES = frozenset({"Mc", "Mac", "De", "Di", "Du", "La", "Le", "Van", "Von"})


def _has_safeguard(text: str) -> bool:
    """A negation, a figure or words quoted: what a cut must never drop."""
    return bool(NEGATION.search(text) or DIGIT.search(text) or NUMBER.search(text)
                or any(mark in text for mark in QUOTE_MARKS))


def _words(text: str) -> int:
    return len(text.split())


def _enough_words(text: str, words: int) -> bool:
    """At least `words` words; in Chinese or Japanese, written without spaces, two
    characters count as one."""
    return (_words(text) >= words
            or sum("\u3040" <= char <= "\u9fff" for char in text) >= 2 * words)


def _glues(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where two words are glued together ("GrahamGOP"): (start of the first word, glue)."""
    found = []
    for match in GLUE.finditer(text, start, end):
        word_start = max(text.rfind(" ", start, match.start()) + 1, start)
        first = text[word_start:match.start()]
        if first[:1].isupper() and len(first) > 1 and first not in SURNAME_PREFIXES:
            found.append((word_start, match.start()))
    return found


def without_link_popups(sentence: str) -> str:
    """The sentence without the text of link pop-ups glued into it (see CARD_END)."""
    out = sentence
    for _ in range(5):
        end = CARD_END.search(out)
        if not end:
            break
        window_start = max(0, end.start() - CARD_WINDOW)
        glues = _glues(out, window_start, end.start())
        if not glues:
            break
        word_start, glue = glues[0]
        surname = out[word_start:glue]
        shown = list(re.finditer(r"\b" + re.escape(surname) + r"\b", out[window_start:word_start]))
        if any(out[w:g] == surname for w, g in glues[1:]):
            start = glue  # "Lindsey GrahamLindsey Olin GrahamGOP…": the card starts at the glue
        elif shown:
            start = window_start + shown[-1].end()  # "Lindsey Graham Lindsey Olin GrahamGOP…"
        else:
            start = word_start
        before, after = out[:start].rstrip(), out[end.end():].lstrip()
        joiner = "" if not after or after[0] in ",.;:!?)" else " "
        out = before + joiner + after
    return out


def _half_quotation(sentence: str) -> str | None:
    """The words said, when a quotation runs across sentences, so this sentence holds one
    quotation mark: 'Ridership is back to 92 per cent," she said.' (the quotation opened in
    the sentence before) or 'She said: "Ridership is back to 92 per cent.' (it goes on in
    the next). The longer side of the mark is the quotation when the other side is a short
    attribution and the mark could close (or open) a quotation there."""
    marks = [i for i, char in enumerate(sentence) if char in QUOTE_MARKS]
    if len(marks) != 1:
        return None
    at = marks[0]
    before, after = sentence[:at], sentence[at + 1:]
    # A mark closes after a word ('report," she'), opens before one (': "Ridership'); an
    # inch mark ('a 12" record') does neither.
    closes = (sentence[at] in '"”»」』' and before[-1:] not in ("", " ") and after[:1] in (
        "", " ", ",", ".", ";", "،", "，", "。") and len(before.split()) >= 3
        and len(after.split()) <= ATTRIBUTION_WORDS)
    opens = (sentence[at] in '"“«„「『' and before[-1:] in ("", " ")
             and len(after.split()) >= 3 and len(before.split()) <= ATTRIBUTION_WORDS)
    if closes and (not opens or len(before) >= len(after)):
        return before
    if opens:
        return after
    return None


def _capitalised(text: str) -> str:
    # "the rebels are advancing" -> "The rebels are advancing"; "iPhone sales" stays.
    if text[:1].islower() and (len(text) == 1 or not text[1].isupper()):
        return text[0].upper() + text[1:]
    return text


def _end_trimmed(text: str) -> str:
    text = text.strip().strip("\"“”‘’'«»„「」『』 ").strip().rstrip(",;:،؛，、：；").rstrip()
    while text[-1:] in FULL_STOPS and text and not text.endswith(".."):
        text = text[:-1].rstrip()  # a statement is a headline, not a sentence
    return text


def _without_attribution(text: str) -> str:
    """Leading connectives and the attribution: what is claimed, not who said it."""
    for _ in range(3):
        before = text
        text = CONNECTIVE.sub("", text)
        according = LEADING_ACCORDING.match(text)
        if according and not _has_safeguard(according.group(0)):
            text = text[according.end():]
        said = LEADING_SAYS.match(text)
        if (said and _words(said.group("who")) <= ATTRIBUTION_WORDS
                and said.group("who")[:1].isupper()
                and not _has_safeguard(said.group(0)[: said.start("rest")])
                and not NOT_A_SPEAKER.search(said.group("who"))
                and not DEPENDENT_START.match(said.group("rest"))
                and _words(said.group("rest")) >= 3):
            text = said.group("rest")
            if said.group(0)[: said.start("rest")].rstrip().endswith(" that"):
                # "X affirmed that A but that B": B is claimed as A is.
                text = re.sub(r"\b(but|and) that\b", r"\1", text)
        tail = TRAILING_ATTRIBUTION.search(text)
        if (tail and _words(tail.group("tail")) <= TRAILING_ATTRIBUTION_WORDS
                and not NOT_ATTRIBUTION_START.match(tail.group("tail"))
                and not _has_safeguard(tail.group("tail"))
                and _words(text[: tail.start()]) >= 3):
            text = text[: tail.start()]
        text = _capitalised(_end_trimmed(text))
        if text == before:
            break
    return text


def _cut(text: str, start: int, end: int) -> str | None:
    """`text` without [start, end), or None when that part holds a negation or a figure or
    too little would be left."""
    dropped = text[start:end]
    if _has_safeguard(dropped):
        return None
    rest = (text[:start].rstrip() + " " + text[end:].lstrip()).strip()
    rest = re.sub(r"\s+([,;:.!?])", r"\1", rest)
    return rest if _words(rest) >= 4 else None


def _shorter(text: str) -> str:
    """Framing without a claim in it goes, a piece at a time, while the statement is long."""
    steps = (
        lambda t: [(m.start(), m.end()) for m in PARENTHESIS.finditer(t)],
        lambda t: [(m.start(), m.end()) for m in DAY_PHRASE.finditer(t)],
        lambda t: [(m.start(), m.end()) for m in LEADING_FRAME.finditer(t)],
        lambda t: [(m.start(), m.end()) for m in INNER_RELATIVE.finditer(t)],
        lambda t: [(m.start(), len(t)) for m in TRAILING_CLAUSE.finditer(t)],
    )
    for spans_of in steps:
        # Later spans first, so earlier offsets stay valid; a trailing clause is cut at the
        # last place it can be, then earlier ones if still needed.
        for start, end in sorted(spans_of(text), reverse=True):
            if len(text) <= STATEMENT_TARGET:
                return text
            shorter = _cut(text, start, end)
            if shorter is not None:
                text = _capitalised(_end_trimmed(shorter))
    return text


def statement_from_sentence(text: str) -> str:
    """A first draft of the claim's statement: what was said, without quotation marks. When
    the sentence opens or ends with a quotation of three words or more ('"We have created 3
    million jobs," the minister said.'), the words quoted, not the attribution around them
    (also when the quotation began in the sentence before or goes on in the next one);
    otherwise the sentence without its attribution. Shortened towards STATEMENT_TARGET as
    the module says; cut at a word boundary only past STATEMENT_MAX."""
    sentence = without_link_popups(" ".join(text.split()))
    end = len(sentence.rstrip(".!?;: 。！？؟۔।"))
    for match in QUOTED.finditer(sentence):
        words = next(g for g in match.groups() if g is not None)
        if (match.start() == 0 or match.end() >= end) and _enough_words(words, 3):
            sentence = words
            break
    else:
        sentence = _half_quotation(sentence) or sentence
    statement = _end_trimmed(sentence)
    statement = _without_attribution(statement) or statement
    if STATEMENT_TARGET < len(statement) <= DRAFT_LIMIT:
        statement = _shorter(statement)
    if len(statement) > STATEMENT_MAX:
        statement = statement[: STATEMENT_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return statement or text.strip()


# --- The speaker ------------------------------------------------------------------------

# Words of a title before a name ("NATO Secretary General Anders Fogh Rasmussen"): the name
# is what follows the last of them.
TITLE_WORDS = frozenset(
    """President Vice Prime Minister Ministers Secretary Secretary-General General Chancellor
    Senator Sen Sen. Representative Rep Rep. Governor Gov Gov. Mayor Leader Majority Minority
    Speaker Spokesman Spokeswoman Spokesperson Chief Director Commissioner Councillor Cllr
    Judge Justice Mr Mrs Ms Miss Dr Prof Professor Sir Dame Lord Lady Deputy Former Senior
    Foreign Defence Defense Finance Health Interior Home Energy Trade Treasury State
    Ambassador Envoy Officer Admiral Colonel Captain Lieutenant Sergeant CEO Chairman
    Chairwoman Chair""".split()
)
# What follows a speaker's name ("Chuck Schumer (D-N.Y.) told", "Rasmussen said") and what
# comes before it ("said Helen Brandt.", "according to the Congressional Budget Office,").
VERB_AFTER_NAME = re.compile(
    r"(?:\s+\([^()]{1,30}\))?,?\s+(?:(?:has|had)\s+)?(?:" + SAYING + r"|told|" + THAT_VERBS
    + r")\b"
)
VERB_BEFORE_NAME = re.compile(
    r"(?:\b(?:said|says|added|stressed|insisted|warned|argued|noted|wrote)|\b[Aa]ccording to)"
    r"\s+(?:the\s+)?$"
)
NAME_ENDS_CLAUSE = re.compile(r"\s*(?:[,.;:!?(]|$)")
# Past this length a "sentence" is not prose a reader wrote; drafting looks no further.
DRAFT_LIMIT = 1500


def _bare_name(name: str) -> str:
    words = name.split()
    while words and words[0] in COMMON_CAPITALISED:
        words = words[1:]
    titled = [i for i, word in enumerate(words) if word.rstrip(".") in TITLE_WORDS
              or word in TITLE_WORDS or (word.isupper() and len(word) > 1 and i < len(words) - 1)]
    if titled:
        words = words[titled[-1] + 1:]
    return " ".join(words)


def speaker_named_in(sentence: str) -> str:
    """The name of whoever the sentence says made the claim ("X said", "said X",
    "according to X", "X told reporters"), without their title; "" when the sentence names
    nobody as its speaker (a pronoun, "officials"). A draft for the editor to confirm."""
    sentence = without_link_popups(" ".join(sentence.split()))[:DRAFT_LIMIT]
    candidates = []
    for run in PROPER_NOUN.finditer(sentence):  # each run once: linear in the sentence
        if VERB_AFTER_NAME.match(sentence, run.end()) or (
            VERB_BEFORE_NAME.search(sentence, max(0, run.start() - 30), run.start())
            and NAME_ENDS_CLAUSE.match(sentence, run.end())
        ):
            candidates.append(run.group(0))
    for who in reversed(candidates):  # the attribution that ends the sentence first
        name = _bare_name(who)
        if name and name not in COMMON_CAPITALISED:
            return name
    return ""
