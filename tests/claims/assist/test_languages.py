"""The check-worthiness model scores only the languages it was trained on (English): a
sentence in another language gets no score and says so ("not scored: Arabic") instead of
being ranked; and splitting sentences and one-click statements work in right-to-left and
CJK scripts, on real sentences (the Universal Declaration of Human Rights,
benchmarks/eval/languages.json, and a news sentence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from claims.assist import services as assist
from claims.assist.checkworthy import shipped_model
from claims.assist.ranking import rank, score_text
from claims.assist.sentences import split_sentences
from claims.assist.statements import statement_from_sentence
from claims.demo import ARTICLES
from claims.models import Claim
from tests.api.conftest import api_client_for
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parents[3]
UDHR = json.loads((ROOT / "benchmarks" / "eval" / "languages.json").read_text("utf-8"))
SAMPLES = UDHR["languages"]
VOA = ARTICLES[1].body
# "Unemployment rose by three per cent last year, the statistics office said." A sentence
# with a figure and an attribution: in English the model would rank it near the top.
ARABIC = "ارتفعت البطالة بنسبة ثلاثة في المئة في العام الماضي، بحسب مكتب الإحصاء."


def english_article_with_arabic() -> str:
    first, rest = VOA.split("\n\n", 1)
    return f"{first}\n\n{ARABIC}\n\n{rest}"


def test_the_model_was_trained_on_english_only():
    model = shipped_model()
    assert model.languages == {"en"}
    assert model.reads("en") and not model.reads("ar") and model.reads("")


def test_an_arabic_sentence_in_an_english_article_is_not_ranked():
    """The issue's case: an Arabic sentence ranked first in an English article, at 0.53."""
    body = english_article_with_arabic()
    sentences = score_text(body)
    arabic = next(s for s in sentences if s.text == ARABIC)
    assert (arabic.score, arabic.reasons, arabic.language) == (None, [], "ar")
    assert ARABIC not in [s.text for s in rank(body)]
    english = [s for s in sentences if s.text != ARABIC]
    assert english and all(s.score is not None and s.language == "en" for s in english)
    # The English ranking is the one the article has without the Arabic sentence.
    assert [s.text for s in rank(body, top=5)] == [s.text for s in rank(VOA, top=5)]


@pytest.mark.django_db
def test_stored_unscored_and_shown_as_not_scored_arabic(client, editor):
    article = ArticleFactory(title="NATO Officials to Meet With Libyan Rebels",
                             body=english_article_with_arabic(), language="en")
    stored = assist.suggestions_refresh(article=article)
    arabic = next(s for s in stored if s.text == ARABIC)
    assert (arabic.score, arabic.language, arabic.is_scored) == (None, "ar", False)
    assert stored[0].text != ARABIC and stored[0].score is not None
    assert stored[-1] == arabic  # after every scored one

    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "not scored: Arabic" in page
    assert f'dir="auto" lang="ar">{ARABIC}</blockquote>' in page
    ranked_part = page.split("Not scored: in another language")[0]
    assert ARABIC not in ranked_part.split("Sentences worth checking")[1]


@pytest.mark.django_db
def test_one_click_logs_an_unscored_arabic_sentence(client, editor):
    article = ArticleFactory(body=english_article_with_arabic(), language="en")
    arabic = next(s for s in assist.suggestions_refresh(article=article) if s.text == ARABIC)
    claim = assist.suggestion_log_claim(suggestion=arabic, user=editor)
    assert claim.quote == ARABIC
    assert claim.statement == ARABIC.removesuffix(".")
    assert claim.language == "ar"


# Real sentences from the UDHR, joined as an article's paragraph is written in each script:
# with spaces, or (Chinese, Japanese) none after the full stop.
@pytest.mark.parametrize("code", ["ar", "he", "fa", "ur", "hi", "zh", "ja", "ru", "es"])
def test_sentences_split_in_any_script(code):
    sentences = [s for s in SAMPLES[code]["sentences"][:6]
                 if s[-1] in ".!?؟۔।。！？"][:4]
    assert len(sentences) >= 3
    body = ("" if code in ("zh", "ja") else " ").join(sentences)
    found = split_sentences(body)
    assert [s.text for s in found] == sentences
    assert all(body[s.start:s.end] == s.text for s in found)


def test_arabic_question_mark_and_a_caseless_letter_after_a_full_stop():
    body = "هل ارتفعت البطالة؟ قال الوزير إنها ارتفعت. وأضاف أن الأسعار مستقرة."
    assert [s.text for s in split_sentences(body)] == [
        "هل ارتفعت البطالة؟", "قال الوزير إنها ارتفعت.", "وأضاف أن الأسعار مستقرة."]


def test_a_headline_in_arabic_stays_out_of_the_first_sentence():
    body = "جلسة البرلمان\nارتفعت البطالة بنسبة ثلاثة في المئة في العام الماضي.\n"
    assert [s.text for s in split_sentences(body)] == [
        "ارتفعت البطالة بنسبة ثلاثة في المئة في العام الماضي."]


@pytest.mark.parametrize(("sentence", "statement"), [
    (ARABIC, ARABIC.removesuffix(".")),
    # "The minister said: «Unemployment rose by three per cent»."
    ("قال الوزير: «ارتفعت البطالة بنسبة ثلاثة في المئة».", "ارتفعت البطالة بنسبة ثلاثة في المئة"),
    (SAMPLES["he"]["sentences"][0], SAMPLES["he"]["sentences"][0].rstrip(".")),
    ("人人生而自由,在尊严和权利上一律平等。", "人人生而自由,在尊严和权利上一律平等"),
    # "Unemployment rose by three per cent," he said.
    ("“失业率上升了百分之三，”他说。", "失业率上升了百分之三"),
    ("「失業率は三パーセント上昇した」と首相は述べた。", "失業率は三パーセント上昇した"),
    ("چونکہ یہ ضروری ہے کہ قوموں کے درمیان دوستانہ تعلقات کو بڑھایا جائے۔",
     "چونکہ یہ ضروری ہے کہ قوموں کے درمیان دوستانہ تعلقات کو بڑھایا جائے"),
    ("Er sagte: „Die Arbeitslosigkeit ist um drei Prozent gestiegen“.",
     "Die Arbeitslosigkeit ist um drei Prozent gestiegen"),
])
def test_one_click_statements_in_other_scripts(sentence, statement):
    assert statement_from_sentence(sentence) == statement


@pytest.mark.django_db
def test_the_api_says_not_scored_arabic(editor):
    article = ArticleFactory(body=english_article_with_arabic(), language="en")
    assist.suggestions_refresh(article=article)
    data = api_client_for(editor).get(
        reverse("api:article-detail", args=[article.pk])).json()
    arabic = next(s for s in data["suggestions"] if s["text"] == ARABIC)
    assert (arabic["score"], arabic["language"], arabic["not_scored"]) == (
        None, "ar", "not scored: Arabic")
    assert data["suggestions"][0]["not_scored"] == ""
    assert data["suggestions"][-1]["text"] == ARABIC
    assert Claim.objects.count() == 0


@pytest.mark.django_db
def test_an_arabic_article_is_listed_not_scored_and_folded(client, editor):
    sentences = [s for s in SAMPLES["ar"]["sentences"] if s.endswith(".")][:8]
    article = ArticleFactory(body="\n\n".join(sentences), language="ar")
    stored = assist.suggestions_refresh(article=article)
    assert [s.text for s in stored] == sentences  # every one, in text order, none scored
    assert {(s.score, s.language) for s in stored} == {(None, "ar")}
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("not scored: Arabic") == len(sentences)
    assert "No sentence the model reads was found worth checking." in page
    assert f"{len(sentences) - 5} more sentences not scored" in page
