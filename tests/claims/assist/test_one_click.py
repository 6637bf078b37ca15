"""One-click claims on real news pages: the headline and page furniture are not part of the
first sentence, the statement is the claim (short, its negations and figures kept) while
the quote stays the article's exact words, and the speaker the sentence names is proposed
as its claimant."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.assist import services as assist
from claims.assist.ranking import SUGGESTION_MIN_SCORE, SUGGESTIONS_MAX, rank
from claims.assist.scoring import NUMBER
from claims.assist.sentences import segment, split_sentences
from claims.assist.statements import NEGATION, speaker_named_in, statement_from_sentence
from claims.demo import ARTICLES
from claims.fetching.extract import extract_html
from claims.models import Claimant
from tests.factories import ArticleFactory, ClaimantFactory, UserFactory

NATO, VOA = (a.body for a in ARTICLES)

FIRST = (
    "The Senate voted 88-9 on Saturday night to pass a 45-day stopgap funding measure, "
    "sending it to President Biden's desk hours before a government shutdown was set to "
    "begin, Senate Majority Leader Chuck Schumer (D-N.Y.) told reporters after the vote."
)
# A news page as outlets publish it: the headline in <h1> over the first paragraph, a
# "Related" link box between paragraphs, and TheHill's hover card for a person (their full
# name and related headlines, glued into the sentence, then "MORE").
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Senate passes stopgap bill to avert shutdown | TheHill</title>
<meta property="og:title" content="Senate passes stopgap bill to avert shutdown | TheHill">
<meta property="og:site_name" content="TheHill">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article>
<h1 class="page-title">Senate passes stopgap bill to avert shutdown</h1>
<div class="article__text">
<p>{FIRST}</p>
<p><strong>Related: <a href="/policy/defense/1">Pentagon says it has enough money for Ukraine
for now</a></strong></p>
<p>Sen. <span class="rollover-people"><a href="/people/lindsey-graham">Lindsey Graham</a><span
class="rollover-people-block"><span class="rollover-people-name">Lindsey Olin Graham</span><span
class="rollover-people-item"><a href="/a">GOP senator says Trump should meet with Putin</a></span
><span class="rollover-people-item"><a href="/c">Trump signs defense bill</a></span> <a
class="rollover-people-more" href="/people/lindsey-graham">MORE</a></span></span> (R-S.C.) said
the bill does not include any new aid for Ukraine.</p>
<p>"We will not let the government shut down," Schumer said.</p>
</div>
</article></main>
<footer>Copyright 2023 Nexstar Media Inc.</footer>
</body></html>"""


def page_text() -> str:
    return extract_html(PAGE.encode(), "", "https://thehill.com/homenews/senate/4231-senate/").text


# --- Segmentation ---------------------------------------------------------------------------

def test_the_headline_is_split_from_the_first_sentence():
    text = page_text()
    # Extracted pages put one paragraph per line: the headline is on the line above.
    assert "shutdown\nThe Senate voted" in text
    pieces = {s.text: s.kind for s in segment(text)}
    assert pieces["Senate passes stopgap bill to avert shutdown"] == "furniture"
    assert pieces[FIRST] == "sentence"
    assert not any("avert shutdown" in s.text for s in split_sentences(text))


def test_a_link_line_is_furniture_not_part_of_a_sentence():
    text = page_text()
    furniture = [s.text for s in segment(text) if s.kind == "furniture"]
    assert any(f.startswith("Related: Pentagon says") for f in furniture)
    # A link's text on a line of its own, without "Related:", between two paragraphs.
    pasted = ("Twelve of NATO's 28 members officially recognize the Libyan opposition group.\n"
              "NATO Officials to Meet With Libyan Rebels\n"
              "Rasmussen did not confirm growing reports that Gadhafi is exploring options.")
    pieces = segment(pasted)
    assert [(s.kind, s.text) for s in pieces] == [
        ("sentence", "Twelve of NATO's 28 members officially recognize the Libyan opposition "
                     "group."),
        ("furniture", "NATO Officials to Meet With Libyan Rebels"),
        ("sentence", "Rasmussen did not confirm growing reports that Gadhafi is exploring "
                     "options."),
    ]
    for s in pieces:
        assert pasted[s.start:s.end] == s.text


def test_hard_wrapped_prose_still_reads_as_one_sentence():
    wrapped = ("At a Brussels news conference, NATO Secretary General Anders Fogh\n"
               "Rasmussen characterized the alliance's July 13 meeting with members of\n"
               "Libya's National Transitional Council as an opportunity to exchange views.")
    assert [s.text for s in split_sentences(wrapped)] == [wrapped]


# --- Statements -----------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "statement"), [
    # The seed articles (claims/demo), read and checked by hand.
    ("“Operation Unified Protector has taken cooperation between Allies and Partners to a new "
     "level, both politically and operationally, thus enhancing the prospects for further "
     "deepening our partnerships.",
     "Operation Unified Protector has taken cooperation between Allies and Partners to a new "
     "level, both politically and operationally"),
    ("Ministers affirmed that the time for terminating Operation Unified Protector is "
     "approaching but that the mission is not over yet.",
     "The time for terminating Operation Unified Protector is approaching but the mission is "
     "not over yet"),
    ("The recent positive developments in Libya are irreversible ”, the Secretary General "
     "said after the meeting.",
     "The recent positive developments in Libya are irreversible"),
    ("The threat to civilians is fading away .", "The threat to civilians is fading away"),
    ('"But it is quite clear that the end state must be that he leaves power," he said.',
     "It is quite clear that the end state must be that he leaves power"),
    ("Rasmussen said the rebels are advancing militarily in Libya, although it was unclear "
     "how much.",
     "The rebels are advancing militarily in Libya, although it was unclear how much"),
    ("In another sign the rebels are making advances, the French government, which announced "
     "last week it had been supplying light arms to the rebels, said this week it had stopped "
     "doing so, because the rebels no longer needed the help.",
     "The French government said it had stopped doing so, because the rebels no longer "
     "needed the help"),
    ("The secretary general said although he shared concerns recently expressed by former "
     "U.S. defense secretary Robert Gates that NATO's European partners needed to shoulder a "
     "greater defense burden, NATO's Libya campaign is an example of European leadership.",
     "NATO's Libya campaign is an example of European leadership"),
    ("Rasmussen dismissed the possibility of Ciolonel Gadhafi stepping down in favor of his "
     "son, Seif al-Islam, pointing to a new International Criminal Court arrest warrant "
     "against both men.",
     "Rasmussen dismissed the possibility of Ciolonel Gadhafi stepping down in favor of his "
     "son, Seif al-Islam"),
    # The news page.
    (FIRST, "The Senate voted 88-9 to pass a 45-day stopgap funding measure"),
    ("According to the Congressional Budget Office, a shutdown would cost the economy about "
     "$6 billion a week.",
     "A shutdown would cost the economy about $6 billion a week"),
])
def test_statement_is_the_claim(sentence, statement):
    assert statement_from_sentence(sentence) == statement


@pytest.mark.parametrize(("sentence", "statement"), [
    # Framing goes, but a clause holding a figure or a negation stays.
    ("The Senate voted on Saturday night to pass the stopgap funding measure, sending it to "
     "the president 12 hours before a government shutdown was set to begin.",
     "The Senate voted to pass the stopgap funding measure, sending it to the president 12 "
     "hours before a government shutdown was set to begin"),
    ("But the House on Monday passed the stopgap funding measure that Democrats drafted in "
     "the Senate, which does not include any new aid for Ukraine.",
     "The House passed the stopgap funding measure that Democrats drafted in the Senate, "
     "which does not include any new aid for Ukraine"),
    ("According to 2019 figures, fares in Northford are the cheapest in the north, officials "
     "said.",
     "According to 2019 figures, fares in Northford are the cheapest in the north"),
    ("However, fares will rise by 5 per cent next year, the 12 councillors said.",
     "Fares will rise by 5 per cent next year, the 12 councillors said"),
    # No safe shorter form (a negation, a figure, a passive "stated by"): the sentence stays.
    ("Rasmussen did not confirm growing reports that Libyan leader Moammar Gadhafi is "
     "exploring options to step down.",
     "Rasmussen did not confirm growing reports that Libyan leader Moammar Gadhafi is "
     "exploring options to step down"),
    ("Twelve of NATO's 28 members officially recognize the Libyan opposition group.",
     "Twelve of NATO's 28 members officially recognize the Libyan opposition group"),
    ("That has been clearly stated by the international community and by the opposition in "
     "Libya.",
     "That has been clearly stated by the international community and by the opposition in "
     "Libya"),
])
def test_statement_keeps_negations_and_figures(sentence, statement):
    assert statement_from_sentence(sentence) == statement


def test_seed_statements_are_shorter_and_keep_every_negation_and_figure():
    before = after = 0
    sentences = [s.text for body in (NATO, VOA) for s in rank(
        body, top=SUGGESTIONS_MAX, min_score=SUGGESTION_MIN_SCORE)]
    assert len(sentences) >= 10
    for sentence in sentences:
        statement = statement_from_sentence(sentence)
        before += len(" ".join(sentence.split()))
        after += len(statement)
        for pattern in (NEGATION, NUMBER):
            said = sorted(m.group(0).lower() for m in pattern.finditer(sentence))
            kept = sorted(m.group(0).lower() for m in pattern.finditer(statement))
            assert said == kept, (sentence, statement)
        # Never a word cut mid-way: every word of the statement is a word of the sentence.
        words = set(re.findall(r"[\w’'-]+", sentence.lower()))
        assert set(re.findall(r"[\w’'-]+", statement.lower())) <= words, statement
    assert after < before * 0.8


def test_link_popup_text_is_left_out_of_the_statement_and_speaker():
    sentence = next(s.text for s in split_sentences(page_text()) if s.text.startswith("Sen."))
    assert "MORE" in sentence  # the hover card, glued into the paragraph
    assert statement_from_sentence(sentence) == (
        "The bill does not include any new aid for Ukraine")
    assert speaker_named_in(sentence) == "Lindsey Graham"


@pytest.mark.parametrize(("sentence", "speaker"), [
    (FIRST, "Chuck Schumer"),
    ('"We will not let the government shut down," Schumer said.', "Schumer"),
    ("Fares will rise by 5 per cent next year, said Helen Brandt.", "Helen Brandt"),
    ("According to the Congressional Budget Office, a shutdown would cost $6 billion a week.",
     "Congressional Budget Office"),
    ("Rasmussen said the rebels are advancing militarily in Libya.", "Rasmussen"),
    ("The recent positive developments in Libya are irreversible ”, the Secretary General said "
     "after the meeting.", ""),
    ('"But it is quite clear that the end state must be that he leaves power," he said.', ""),
    ("Twelve of NATO's 28 members officially recognize the Libyan opposition group.", ""),
])
def test_speaker_named_in_the_sentence(sentence, speaker):
    assert speaker_named_in(sentence) == speaker


# --- Logging in one click -------------------------------------------------------------------

@pytest.fixture
def editor(db):
    user = UserFactory(username="one-click-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _suggestion(article, start_of_sentence: str):
    return next(s for s in assist.suggestions_refresh(article=article)
                if s.text.startswith(start_of_sentence))


def test_one_click_keeps_the_quote_whole_and_drafts_a_short_statement(editor):
    body = page_text()
    article = ArticleFactory(body=body)
    claim = assist.suggestion_log_claim(suggestion=_suggestion(article, "The Senate"),
                                        user=editor)
    assert claim.quote == FIRST == body[claim.anchor_start:claim.anchor_end]
    assert claim.statement == "The Senate voted 88-9 to pass a 45-day stopgap funding measure"
    assert len(claim.statement) <= 75
    article.refresh_from_db()
    assert article.body == body


def test_one_click_proposes_the_claimant_the_sentence_says_made_it(editor, client):
    article = ArticleFactory(body=page_text())
    schumer = ClaimantFactory(name="Chuck Schumer")
    claim = assist.suggestion_log_claim(suggestion=_suggestion(article, "The Senate"),
                                        user=editor)
    assert claim.claimant == schumer  # "… Chuck Schumer (D-N.Y.) told reporters"
    # Not on file: nobody is set and no claimant is made up; the editor is told the name.
    claimants = Claimant.objects.count()
    suggestion = _suggestion(article, "Sen.")
    assert assist.claimant_proposed(suggestion.text) == (None, "Lindsey Graham")
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-log", args=[suggestion.pk]), follow=True)
    logged = article.claims.get(anchor_start=suggestion.start)
    assert logged.claimant is None and Claimant.objects.count() == claimants
    assert logged.statement == "The bill does not include any new aid for Ukraine"
    assert "names Lindsey Graham as its speaker" in response.content.decode()


def test_drafting_a_hostile_sentence_is_quick():
    names = " ".join(f"Abc{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(5000))
    brackets = "Fares rose (a) " * 3000
    for sentence in (f"{names} said.", f"{brackets}.", f"said {names}."):
        started = time.perf_counter()
        statement_from_sentence(sentence)
        speaker_named_in(sentence)
        assert time.perf_counter() - started < 1
