"""Check-worthiness: how much a sentence looks like a factual claim worth checking.

A transparent, feature-based scorer in the spirit of ClaimBuster's features: numbers and
quantities, comparisons and superlatives, changes and trends, statements attributed to
someone, quotations, predictions and certainty language, named people and organisations.
Each feature that fires adds a weight and a reason in words, so an editor can see why a
sentence was suggested. Opinion, intent, questions and fragments weigh against.

It needs nothing but the standard library and scores a 2,000-word article in milliseconds
(`make eval` measures it)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from claims.assist.sentences import OPENING_QUOTES, Segment, split_sentences

NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
    r"trillion|dozen|dozens|half|third|quarter|twice|double|triple|score"
)
NUMBER = re.compile(
    r"(?<![\w/])(?:[$€£¥]\s?)?\d+(?:[,.]\d+)*(?:\s?(?:%|per ?cent\b|percent\b|bn\b|m\b|k\b))?"
    r"|\b(?:" + NUMBER_WORDS + r")\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")
MONTH_NAMES = (
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
MONTH_BEFORE = re.compile(r"\b(?:" + MONTH_NAMES + r")\.?\s*$")
# Enough text before a number to hold a month's name and its spacing ("September. ").
MONTH_WINDOW = 24
MONTH_AFTER = re.compile(r"\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:" + MONTH_NAMES + r")\b")
QUANTITY = re.compile(
    r"%|\bper ?cent\b|\bpercent\b|[$€£¥]|\b(?:million|billion|trillion|thousand|hundred|"
    r"dollars?|euros?|pounds|tonnes?|tons?|barrels?|km|kilomet(?:er|re)s?|miles?|"
    r"people|members|soldiers|troops|civilians|deaths|dead|killed|injured|votes?|jobs|"
    r"sorties|strikes|countries|nations|times|years?|months?|weeks?|days?)\b",
    re.IGNORECASE,
)
COMPARISON = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|better|worse|"
    r"most|least|largest|smallest|biggest|highest|lowest|best|worst|fastest|slowest|"
    r"only|first|last|record|unprecedented|than|compared|outnumber\w*|exceed\w*|"
    r"majority|minority|all|none|every|no longer|twice as)\b",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"\b(?:rose|rise[sn]?|rising|fell|fall(?:s|en|ing)?|dropp?(?:ed|s|ing)?|increas\w*|"
    r"decreas\w*|declin\w*|grow(?:s|n|ing)?|grew|doubl\w*|tripl\w*|halv\w*|cut|cuts|"
    r"surg\w*|soar\w*|plung\w*|climb\w*|slump\w*|jump\w*|reduc\w*|expand\w*|shrank|shrink\w*|"
    r"stopped|ended|began|started|launched|killed|arrested|seized|captured|destroyed|"
    r"recogni[sz]e[sd]?|approved|rejected|signed|banned|supplied|supplying|deserting|"
    r"advancing|retreat\w*|won|lost|elected|appointed|resigned|fired)\b",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|stated|stressed|added|told|tells|claimed|claims|insisted|"
    r"argued|warned|announced|confirmed|denied|acknowledged|admitted|reported|reportedly|"
    r"according to|estimated|estimates|revealed|asserted|noted|declared|emphasi[sz]ed|"
    r"affirmed|reiterated|characteri[sz]ed|described|testified|wrote)\b",
    re.IGNORECASE,
)
CERTAINTY = re.compile(
    r"\b(?:certain(?:ly)?|clear(?:ly)?|definitely|undoubtedly|irreversibl[ey]|"
    r"inevitabl[ey]|never|always|must|proven|prove[sd]?|impossible|guarantee\w*|in sight|"
    r"game over|lost cause|no doubt|no longer|the fact|fading)\b",
    re.IGNORECASE,
)
PREDICTION = re.compile(
    r"\b(?:will|won't|shall|going to|expect\w*|forecast\w*|predict\w*|project(?:ed|s|ion)|"
    r"could|may|likely|estimate[sd]?|by 20\d\d)\b",
    re.IGNORECASE,
)
# A quote from an unnamed member of the public is colour, not a claim to check.
VOX_POP = re.compile(
    r"\bsaid (?:one|a|another) (?:woman|man|resident|father|mother|voter|passenger|"
    r"patient|owner|café owner|shopper|worker|student|parent|neighbour)\b",
    re.IGNORECASE,
)
OPINION = re.compile(
    r"\b(?:hope[sd]?|looking forward|grateful|gratitude|thank\w*|welcome[sd]?|"
    r"congratulat\w*|pleased|happy|proud|believe|feel|wish|intend\w*|willingness|vow\w*|"
    r"determin\w*|commitment|committed|determination|ready to|we should|should be|"
    r"opportunity|invaluable|deeply|sincerely)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|us)\b")
# A name: a run of capitalised words ("Anders Fogh Rasmussen", "El Niño") or an acronym.
NAME_WORD = r"(?:\b[A-Z]\.(?:[A-Z]\.)+|\b[A-Z][^\W\d_]*(?:[’'\-][^\W\d_]+)*)"
PROPER_NOUN = re.compile(NAME_WORD + r"(?:\s+(?:(?:of|de|al|the|for)\s+)?" + NAME_WORD + r")*")
CONNECTORS = frozenset({"of", "de", "al", "the", "for"})
TITLE = re.compile(
    r"\b(?:President|Prime Minister|Minister|Ministers|Secretary|General|Chancellor|"
    r"Senator|Governor|Mayor|spokes(?:man|woman|person)|leader|chief|director|official)\b"
)
COMMON_CAPITALISED = frozenset(
    "The A An In On At For And But Or So If It Its This That These Those He She They We I "
    "His Her Their Our There Here When While After Before As By With From Of To Not No "
    "Yes Also However Meanwhile Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December "
    "Tonight Today Yesterday Last Next Every Some Many What Why How Who Where Photo".split()
)
WORD = re.compile(r"[\w’'\-]+")

# Weights were set by hand on the tuning part of benchmarks/eval (see its README).
WEIGHTS = {
    "number": 1.3,
    "quantity": 0.5,
    "comparison": 0.7,
    "change": 0.8,
    "attribution": 0.6,
    "quotation": 0.3,
    "certainty": 0.6,  # per distinct cue, up to two
    "prediction": 0.35,
    "vox_pop": -0.9,
    "names": 0.3,  # per distinct name, up to three
    "title": 0.2,
    "opinion": -0.9,
    "first_person": -0.3,
    "question": -1.2,
    "short": -1.5,
    "long": -0.3,
}
BIAS = -1.6
# Sentences scoring at least this are stored as suggestions (at most SUGGESTIONS_MAX).
SUGGESTION_MIN_SCORE = 0.35
SUGGESTIONS_MAX = 40


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence and its check-worthiness. `score` is None for a sentence in a language the
    model was not trained on (`language`, ISO 639-1): it is not ranked, and says so."""

    start: int
    end: int
    text: str
    score: float | None
    reasons: list[str] = field(default_factory=list)
    language: str = ""

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "score": self.score,
                "language": self.language}


def _first_match(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None


def _numbers(text: str) -> list[str]:
    """Numbers that state a quantity; a bare year or a day of the month is a date, not a
    statistic."""
    found = []
    for match in NUMBER.finditer(text):
        value = match.group(0).strip().rstrip(".,")
        if YEAR.match(value):
            continue
        if (
            value.isdigit()
            and len(value) <= 2
            and (
                MONTH_BEFORE.search(text, max(0, match.start() - MONTH_WINDOW), match.start())
                or MONTH_AFTER.match(text, match.end())
            )
        ):
            continue
        found.append(value)
    return found


def names_in(text: str) -> list[str]:
    """The names of people and organisations in a sentence, in order, each once."""
    names = []
    lead = len(text) - len(text.lstrip(OPENING_QUOTES + " \u00a0"))
    for match in PROPER_NOUN.finditer(text):
        words = match.group(0).split()
        # The first word of a sentence is capitalised anyway ("Twelve of NATO's members").
        at_start = match.start() == lead
        if at_start and words[0][1:].islower() and (len(words) == 1 or words[1] in CONNECTORS):
            words = words[1:]
        while words and (words[0] in COMMON_CAPITALISED or words[0] in CONNECTORS):
            words = words[1:]
        name = " ".join(words)
        if name and name not in names:
            names.append(name)
    return names


def sentence_features(text: str) -> tuple[dict[str, float], list[str]]:
    """The hand-made features that fire on `text` (name -> how many times, see WEIGHTS) and
    the reasons in words, in the same order. The learned model (`checkworthy`) takes these
    as inputs too."""
    fired: dict[str, float] = {}
    reasons: list[str] = []

    def add(feature: str, reason: str, times: float = 1.0) -> None:
        fired[feature] = times
        reasons.append(reason)

    words = WORD.findall(text)
    numbers = _numbers(text)
    if numbers:
        add("number", f"states a number ({', '.join(numbers[:3])})")
        if QUANTITY.search(text):
            add("quantity", f"a quantity ({_first_match(QUANTITY, text)})")
    if found := _first_match(COMPARISON, text):
        add("comparison", f"a comparison or superlative ({found.lower()})")
    if found := _first_match(CHANGE, text):
        add("change", f"reports a change or event ({found.lower()})")
    if found := _first_match(ATTRIBUTION, text):
        add("attribution", f"attributed to someone ({found.lower()})")
    if any(q in text for q in '"“”«»'):
        add("quotation", "a quotation")
    cues = list(dict.fromkeys(m.group(0).lower() for m in CERTAINTY.finditer(text)))
    if cues:
        add("certainty", f"certainty language ({', '.join(cues[:2])})", min(len(cues), 2))
    if found := _first_match(PREDICTION, text):
        add("prediction", f"a prediction ({found.lower()})")
    if found := _first_match(VOX_POP, text):
        add("vox_pop", f"an unnamed speaker ({found.lower()})")
    names = names_in(text)
    if names:
        add("names", f"names people or organisations ({', '.join(names[:3])})", min(len(names), 3))
    if found := _first_match(TITLE, text):
        add("title", f"an office holder ({found})")
    if found := _first_match(OPINION, text):
        add("opinion", f"opinion or intent ({found.lower()})")
    if FIRST_PERSON.search(text) and not numbers:
        add("first_person", "speaks in the first person")
    if text.rstrip("\"”’' ").endswith("?"):
        add("question", "a question")
    if len(words) < 7:
        add("short", "too short to hold a checkable claim")
    elif len(words) > 60:
        add("long", "very long")
    return fired, reasons


def features_logit(fired: dict[str, float]) -> float:
    """The hand-made scorer's log-odds for the features that fired."""
    return BIAS + sum(WEIGHTS[name] * times for name, times in fired.items())


def score_sentence(text: str) -> tuple[float, list[str]]:
    """The hand-made score, between 0 and 1, and the reasons in words."""
    fired, reasons = sentence_features(text)
    score = 1.0 / (1.0 + math.exp(-features_logit(fired)))
    return round(score, 4), reasons


def score_sentences(sentences: list[Segment]) -> list[ScoredSentence]:
    scored = []
    for sentence in sentences:
        score, reasons = score_sentence(sentence.text)
        scored.append(ScoredSentence(sentence.start, sentence.end, sentence.text, score, reasons))
    return scored


def rank(text: str, *, top: int | None = None, min_score: float = 0.0) -> list[ScoredSentence]:
    """The sentences of `text` ranked by check-worthiness, best first (ties: text order)."""
    scored = [s for s in score_sentences(split_sentences(text)) if s.score >= min_score]
    scored.sort(key=lambda s: (-s.score, s.start))
    return scored[:top] if top else scored
