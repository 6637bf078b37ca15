"""What the learned check-worthiness model sees of a sentence: its words, the hand-made
features of `claims/assist/scoring.py`, and its place in the document (the sentences next
to it, and the speaker's turn when the text is a transcript).

Pure Python, the same code at training and at run time, so what was measured is what runs.
Every step is linear in the number of sentences."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from claims.assist.scoring import features_logit, sentence_features

TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*")
# Words too common to say anything on their own; bigrams keep them ("more than").
NUMBER_TOKEN = "<num>"
YEAR_TOKEN = "<year>"
YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")

# A speaker's label at the start of a line of a transcript: "TRUMP:", "MR. SCHWAB:",
# "Hillary Clinton:". A label counts only when it starts two lines or more, so "Note:" or
# "Update:" once in a news article is not a speaker.
SPEAKER_LABEL = re.compile(
    r"(?:[A-Z][A-Z.'’\-]+(?: [A-Z][A-Z.'’\-]+){0,3}|[A-Z][a-z.'’\-]+(?: [A-Z][a-z.'’\-]+){0,2})"
    r"\s?:\s+"
)
SPEAKER_MIN_TURNS = 2

# Speakers whose turns are a role, not a person making a case: stage directions
# ("(APPLAUSE)"), questions from the floor, moderators named as such. A role is a generic
# label; no person's name is listed (who moderates changes from one debate to the next).
ROLE_SPEAKER = re.compile(
    r"^(?:SYSTEM|AUDIENCE(?: MEMBERS?)?|QUESTION|Q|MODERATOR|INTERVIEWER|REPORTER|"
    r"UNIDENTIFIED.*|UNKNOWN|CROWD)$"
)

# The hand-made features a neighbouring sentence passes on.
NEIGHBOUR_FEATURES = ("number", "comparison", "change", "question", "short", "opinion")


@dataclass
class DocSentence:
    """A sentence as the model reads it: its text (without a speaker label) and who said it
    (None when the document has no speaker turns)."""

    text: str
    speaker: str | None = None


def tokens(text: str) -> list[str]:
    """Lower-cased words, with numbers folded into <num> and years into <year>."""
    out = []
    for token in TOKEN.findall(text.lower()):
        if token[0].isdigit():
            out.append(YEAR_TOKEN if YEAR.match(token) else NUMBER_TOKEN)
        else:
            out.append(token.replace("’", "'"))
    return out


def terms(text: str) -> set[str]:
    """The sentence's unigrams and bigrams (presence, not counts)."""
    words = tokens(text)
    found = set(words)
    found.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return found


def split_speaker(text: str) -> tuple[str | None, str]:
    """("TRUMP", "We are losing jobs.") for "TRUMP: We are losing jobs."."""
    match = SPEAKER_LABEL.match(text)
    if not match or match.end() >= len(text):
        return None, text
    return match.group(0).rstrip(": \t").strip(), text[match.end() :]


def speaker_turns(texts: list[str], line_starts: list[bool]) -> list[DocSentence]:
    """Read speaker turns from a transcript's labels: a sentence that starts a line with a
    label that starts two lines or more begins that speaker's turn; the sentences after it
    are theirs until the next label. Without such labels, no sentence has a speaker."""
    split = [split_speaker(t) if first else (None, t) for t, first in zip(texts, line_starts,
                                                                          strict=True)]
    counts = Counter(label for label, _ in split if label)
    speakers = {label for label, n in counts.items() if n >= SPEAKER_MIN_TURNS}
    if not speakers:
        return [DocSentence(t) for t in texts]
    out, current = [], None
    for (label, body), original in zip(split, texts, strict=True):
        if label in speakers:
            current = label
            out.append(DocSentence(body, current))
        else:
            out.append(DocSentence(original, current))
    return out


def _context(sentences: list[DocSentence], hand: list[dict[str, float]],
             logits: list[float]) -> list[dict[str, float]]:
    n = len(sentences)
    context: list[dict[str, float]] = [{} for _ in range(n)]
    for i in range(n):
        row = context[i]
        # Where in the document: openings and closings are greetings and thanks.
        row["position"] = i / (n - 1) if n > 1 else 0.0
        for prefix, j in (("prev", i - 1), ("next", i + 1)):
            if 0 <= j < n:
                row[f"{prefix}:hand"] = logits[j] / 4.0
                for name in NEIGHBOUR_FEATURES:
                    if name in hand[j]:
                        row[f"{prefix}:{name}"] = 1.0
            else:
                row[f"{prefix}:none"] = 1.0
    if not any(s.speaker for s in sentences):
        return context
    # Speaker turns: who speaks how much and how often they ask (moderators ask), and where
    # in their turn a sentence falls.
    said: Counter = Counter(s.speaker for s in sentences)
    # Speakers by how much they say (ties: first to speak first): the main speaker of a
    # speech or the candidates of a debate, then the moderators.
    rank = {name: r for r, name in enumerate(name for name, _ in said.most_common() if name)}
    asked: Counter = Counter(s.speaker for s, h in zip(sentences, hand, strict=True)
                             if "question" in h)
    turn_start = 0
    for i in range(n + 1):
        if i == n or (i > 0 and sentences[i].speaker != sentences[i - 1].speaker):
            length = i - turn_start
            for k in range(turn_start, i):
                row = context[k]
                row["turn:length"] = math.log1p(length) / 4.0
                if k == turn_start:
                    row["turn:first"] = 1.0
                if k == i - 1:
                    row["turn:last"] = 1.0
                if length == 1:
                    row["turn:single"] = 1.0
            turn_start = i
    for i, s in enumerate(sentences):
        row = context[i]
        if s.speaker is None:
            row["speaker:none"] = 1.0
            continue
        row["speaker:share"] = said[s.speaker] / n
        if rank[s.speaker] == 0:
            row["speaker:most"] = 1.0
        elif rank[s.speaker] == 1:
            row["speaker:second"] = 1.0
        if ROLE_SPEAKER.match(s.speaker.upper()):
            row["speaker:role"] = 1.0
        row["speaker:asks"] = asked[s.speaker] / said[s.speaker]
    return context


def document_features(sentences: list[DocSentence]) -> list[tuple[set[str], dict[str, float],
                                                                  list[str]]]:
    """For each sentence: its terms, its other features (name -> value) and the reasons in
    words that the hand-made features give."""
    hand, reasons, logits = [], [], []
    for s in sentences:
        fired, why = sentence_features(s.text)
        hand.append(fired)
        reasons.append(why)
        logits.append(features_logit(fired))
    context = _context(sentences, hand, logits)
    out = []
    for s, fired, why, logit, row in zip(sentences, hand, reasons, logits, context, strict=True):
        dense = {f"hand:{name}": min(times, 3.0) for name, times in fired.items()}
        dense["hand:logit"] = logit / 4.0
        dense["length"] = math.log1p(len(tokens(s.text))) / 4.0
        dense.update(row)
        out.append((terms(s.text), dense, why))
    return out
