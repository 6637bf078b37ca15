"""Claim assistance services, the task through a real worker, and the command."""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from claims.assist import services as assist
from claims.assist.ranking import rank
from claims.assist.selectors import claimant_named_in
from claims.demo import ARTICLES
from claims.models import Claim, ClaimSuggestion
from claims.services.articles import article_create, article_import_url
from claims.services.claims import claim_log
from claims.tasks import suggest_article_claims
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, UserFactory

VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."


@pytest.fixture
def editor(db):
    user = UserFactory(username="assist-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="assist-outsider")


@pytest.fixture
def article(db):
    return ArticleFactory(title=VOA.title, body=VOA.body)


def test_refresh_stores_ranked_suggestions_with_exact_offsets(article):
    stored = assist.suggestions_refresh(article=article)
    assert stored, "the demo article has check-worthy sentences"
    assert TWELVE in [s.text for s in stored[:3]]
    assert [s.score for s in stored] == sorted((s.score for s in stored), reverse=True)
    for s in stored:
        assert article.body[s.start : s.end] == s.text
        assert s.reasons and all(isinstance(r, str) for r in s.reasons)


def test_refresh_is_idempotent_and_keeps_dismissals(article, editor):
    first = assist.suggestions_refresh(article=article)
    dismissed = first[1]
    assist.suggestion_dismiss(suggestion=dismissed, user=editor)
    again = assist.suggestions_refresh(article=article)
    assert len(again) == len(first)
    assert ClaimSuggestion.objects.filter(article=article).count() == len(first)
    dismissed.refresh_from_db()
    assert dismissed.dismissed_at is not None and dismissed.dismissed_by == editor


def test_refresh_drops_suggestions_for_text_that_is_gone_but_keeps_decided_ones(article, editor):
    stored = assist.suggestions_refresh(article=article)
    dismissed = stored[2]
    assist.suggestion_dismiss(suggestion=dismissed, user=editor)
    article.body = "Nothing to check here at all."
    article.save()
    assert [s.pk for s in assist.suggestions_refresh(article=article)] == [dismissed.pk]


def test_log_claim_anchors_to_the_exact_offsets(article, editor):
    suggestion = next(s for s in assist.suggestions_refresh(article=article) if s.text == TWELVE)
    claim = assist.suggestion_log_claim(suggestion=suggestion, user=editor)
    assert (claim.anchor_start, claim.anchor_end) == (suggestion.start, suggestion.end)
    assert claim.quote == TWELVE == article.body[claim.anchor_start : claim.anchor_end]
    assert claim.statement == TWELVE.removesuffix(".")
    assert claim.created_by == editor
    suggestion.refresh_from_db()
    assert suggestion.claim == claim


BUS_FARES = (
    '"Ridership has fallen by a third since 2019," said Councillor Mark Ellison, who chairs '
    "the transport committee. Mr Ellison claimed that Northford has the cheapest fares in "
    "the north. Northford's fares were last raised under Mark Ellison's predecessor in 2019."
)


def test_one_click_logging_names_the_claimant_on_file_the_sentence_names(editor):
    article = ArticleFactory(body=BUS_FARES)
    ellison = ClaimantFactory(name="Mark Ellison")
    ClaimantFactory(name="Amara Okafor")
    stored = {s.text[:10]: s for s in assist.suggestions_refresh(article=article)}
    said = assist.suggestion_log_claim(suggestion=stored['"Ridership'], user=editor)
    assert said.claimant == ellison  # "said Councillor Mark Ellison": full name, title aside
    claimed = assist.suggestion_log_claim(suggestion=stored["Mr Ellison"], user=editor)
    assert claimed.claimant == ellison  # "Mr Ellison claimed": the one Ellison on file
    # Not a guess between two people, not for a name that is not said to be the speaker.
    ClaimantFactory(name="Jane Ellison")
    assert claimant_named_in("Mr Ellison claimed that fares are the cheapest.") is None
    assert claimant_named_in("Mark Ellison claimed that fares are the cheapest.") == ellison
    assert claimant_named_in("Fares were raised under Mark Ellison in 2019.") is None
    assert claimant_named_in("Fares are the cheapest, said Helen Brandt.") is None  # not on file
    assert claimant_named_in("Fares are the cheapest, she said.") is None
    # A hostile sentence of thousands of names is one small query, and no error.
    def word(n: int) -> str:
        return "".join("abcdefghijklmnopqrstuvwxyz"[n // 26 ** k % 26] for k in range(3))

    crowd = " ".join(f"Mr Q{word(i)} Z{word(i)}," for i in range(3000))
    assert claimant_named_in(f"{crowd} said Mark Ellison.") is None


def test_log_claim_refusals_are_in_words(article, editor, outsider):
    first, second, third = assist.suggestions_refresh(article=article)[:3]
    with pytest.raises(PermissionDenied, match="needs the Editors role"):
        assist.suggestion_log_claim(suggestion=first, user=outsider)
    assist.suggestion_log_claim(suggestion=first, user=editor)
    with pytest.raises(ValidationError, match="already logged as the claim"):
        assist.suggestion_log_claim(suggestion=first, user=editor)
    assist.suggestion_dismiss(suggestion=second, user=editor)
    with pytest.raises(ValidationError, match="was dismissed"):
        assist.suggestion_log_claim(suggestion=second, user=editor)
    # The text moved under the suggestion: refuse rather than anchor to the wrong words.
    article.body = "Preface. " + article.body
    article.save()
    with pytest.raises(ValidationError, match="article text changed"):
        assist.suggestion_log_claim(suggestion=third, user=editor)
    assert Claim.objects.filter(article=article).count() == 1


def test_log_claim_refuses_words_already_logged_by_hand(article, editor):
    suggestion = assist.suggestions_refresh(article=article)[0]
    by_hand = claim_log(
        article=article,
        quote=suggestion.text,
        start=suggestion.start,
        end=suggestion.end,
        statement="12 of 28 allies recognise the rebels",
        user=editor,
    )
    with pytest.raises(ValidationError, match="already logged as the claim “12 of 28"):
        assist.suggestion_log_claim(suggestion=suggestion, user=editor)
    suggestion.refresh_from_db()
    assert suggestion.claim == by_hand


def test_dismiss_refusals(article, editor, outsider):
    first = assist.suggestions_refresh(article=article)[0]
    with pytest.raises(PermissionDenied):
        assist.suggestion_dismiss(suggestion=first, user=outsider)
    assist.suggestion_log_claim(suggestion=first, user=editor)
    with pytest.raises(ValidationError, match="already logged"):
        assist.suggestion_dismiss(suggestion=first, user=editor)


def test_statement_draft_is_cut_to_fit():
    long = "“" + " ".join(["word"] * 120) + ".”"
    statement = assist.statement_from_sentence(long)
    assert len(statement) <= 300 and statement.endswith("…") and not statement.startswith("“")


@pytest.mark.parametrize(("sentence", "statement"), [
    # The words said, not the attribution around them (nor a stray quotation mark).
    ('"We have created more than 3 million jobs since 2010, and wages are now rising faster '
     'than prices," Employment Minister Jane Doe told reporters outside Parliament.',
     "We have created more than 3 million jobs since 2010, and wages are now rising faster "
     "than prices"),
    ("The minister said: “Unemployment is at its lowest level since 1975.”",
     "Unemployment is at its lowest level since 1975"),
    ("«La fin est proche», a déclaré le ministre.", "La fin est proche"),
    # A short quotation inside a longer sentence is not the claim: the sentence is.
    ('Twelve of NATO\'s 28 members now recognise the council, which rebels call "the only '
     'legitimate" authority.',
     'Twelve of NATO\'s 28 members now recognise the council, which rebels call "the only '
     'legitimate" authority'),
    ("Unemployment fell to 3.9 percent.", "Unemployment fell to 3.9 percent"),
    # A quotation that began in the sentence before ('"That is simply not true. Ridership
    # is back ...," she said.') or goes on in the next one.
    ('Ridership is back to 92 per cent of its pre-pandemic level, according to the '
     'operator\'s own report," she said.',
     "Ridership is back to 92 per cent of its pre-pandemic level"),
    ("Prices have doubled since 2020”, the minister told reporters on Monday.",
     "Prices have doubled since 2020"),
    ('Councillor Amara Okafor said: "Ridership is back to 92 per cent of its level.',
     "Ridership is back to 92 per cent of its level"),
    # An inch mark is no quotation; nor is a lone mark with long text on both sides.
    ('The 12" edition of the album sold 40,000 copies in its first week.',
     'The 12" edition of the album sold 40,000 copies in its first week'),
    ('Sales of the band\'s album rose by 40 per cent," the label said in a statement '
     'published on its website late on Monday evening after the chart came out.',
     'Sales of the band\'s album rose by 40 per cent," the label said in a statement '
     'published on its website after the chart came out'),
])
def test_statement_draft_is_what_was_said(sentence, statement):
    assert assist.statement_from_sentence(sentence) == statement


def test_link_appearance_and_refusals(editor, outsider):
    first, second, third = ClaimFactory(), ClaimFactory(), ClaimFactory()
    with pytest.raises(PermissionDenied):
        assist.claim_link_appearance(claim=second, first=first, user=outsider)
    with pytest.raises(ValidationError, match="cannot be another appearance of itself"):
        assist.claim_link_appearance(claim=first, first=first, user=editor)
    assist.claim_link_appearance(claim=second, first=first, user=editor)
    second.refresh_from_db()
    assert second.appearance_of == first
    with pytest.raises(ValidationError, match="would make a loop"):
        assist.claim_link_appearance(claim=first, first=second, user=editor)
    # Linking to an appearance links to its first appearance: links stay one level deep.
    assist.claim_link_appearance(claim=third, first=second, user=editor)
    third.refresh_from_db()
    assert third.appearance_of == first
    assert set(first.appearances.values_list("pk", flat=True)) == {second.pk, third.pk}
    assist.claim_unlink_appearance(claim=third, user=editor)
    third.refresh_from_db()
    assert third.appearance_of is None


def test_linking_a_first_appearance_moves_its_followers(editor):
    a, b, c = ClaimFactory(), ClaimFactory(), ClaimFactory()
    assist.claim_link_appearance(claim=b, first=a, user=editor)
    assist.claim_link_appearance(claim=a, first=c, user=editor)
    assert set(c.appearances.values_list("pk", flat=True)) == {a.pk, b.pk}


def test_link_same_makes_the_earlier_claim_the_first(editor):
    older, newer = ClaimFactory(), ClaimFactory()
    later = assist.claim_link_same(claim=older, other=newer, user=editor)
    assert later == newer
    newer.refresh_from_db()
    assert newer.appearance_of == older


def test_article_create_enqueues_only_on_commit_and_only_when_ready(
    django_capture_on_commit_callbacks, editor
):
    with django_capture_on_commit_callbacks() as callbacks:
        article_create(
            title="Ready", body="Unemployment fell by 12% in 2024.", user=editor
        )
        article_create(title="Pending", body="", status="pending", user=editor)
    assert len(callbacks) == 1


@pytest.mark.worker
def test_task_scores_a_new_article_through_a_real_worker(celery_worker, editor):
    article = article_create(title=VOA.title, body=VOA.body, user=editor)
    deadline = time.monotonic() + 20
    while (
        time.monotonic() < deadline and not ClaimSuggestion.objects.filter(article=article).exists()
    ):
        time.sleep(0.1)
    stored = list(ClaimSuggestion.objects.filter(article=article).order_by("-score", "start"))
    assert stored and TWELVE in [s.text for s in stored[:3]]
    # Running the task again through the worker neither duplicates nor revives dismissals.
    assist.suggestion_dismiss(suggestion=stored[0], user=editor)
    result = suggest_article_claims.delay(article.pk).get(timeout=20)
    assert result == f"{len(stored)} suggestions"
    assert ClaimSuggestion.objects.filter(article=article).count() == len(stored)
    stored[0].refresh_from_db()
    assert stored[0].dismissed_at is not None
    assert suggest_article_claims.delay(999_999).get(timeout=20) == "missing"


# --- The command ----------------------------------------------------------------------------


def test_command_json_on_a_file_has_exact_offsets(tmp_path, capsys):
    path = tmp_path / "article.txt"
    path.write_text(VOA.body, encoding="utf-8")
    call_command("suggest_claims", str(path), "--top", "4", "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 4
    assert set(data[0]) == {"start", "end", "text", "score", "language"}
    assert TWELVE in [d["text"] for d in data[:3]]
    for item in data:
        assert VOA.body[item["start"] : item["end"]] == item["text"]
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)


def test_command_on_a_stored_article_matches_the_scorer(article, capsys):
    call_command("suggest_claims", str(article.pk), "--top", "0", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data == [s.as_dict() for s in rank(article.body)]
    call_command("suggest_claims", str(article.pk), "--top", "2")
    out = capsys.readouterr().out
    assert out.startswith("  1. 0.") and f"[{data[0]['start']}:{data[0]['end']}]" in out


def test_command_errors_are_in_words(db, tmp_path):
    with pytest.raises(CommandError, match="no article with id 424242"):
        call_command("suggest_claims", "424242")
    with pytest.raises(CommandError, match="neither a readable file nor an article id"):
        call_command("suggest_claims", "²")  # a digit to str.isdigit(), not to int()
    with pytest.raises(CommandError, match="neither a readable file nor an article id"):
        call_command("suggest_claims", str(tmp_path / "missing.txt"))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("suggest_claims", str(bad))


def test_sentences_already_logged_by_hand_are_not_offered_again(article, editor):
    quote = "Twelve of NATO's 28 members"
    start = article.body.index(quote)
    by_hand = claim_log(
        article=article,
        quote=quote,
        start=start,
        end=start + len(quote),
        statement="12 of 28 allies recognise the rebels",
        user=editor,
    )
    stored = assist.suggestions_refresh(article=article)
    twelve = next(s for s in stored if s.text == TWELVE)
    assert twelve.claim == by_hand
    assert sum(1 for s in stored if s.claim_id) == 1


@pytest.mark.worker
def test_an_article_imported_from_a_url_is_scored_once_its_text_arrives(
    celery_worker, local_server
):
    from tests.localserver import Response

    paragraphs = "".join(f"<p>{p}</p>" for p in VOA.body.split("\n\n")[4:])
    local_server.route(
        "/voa",
        Response.html(
            f"<html><head><title>{VOA.title}</title></head><body><article>"
            f"<h1>{VOA.title}</h1>{paragraphs}</article></body></html>"
        ),
    )
    article = article_import_url(url=local_server.url("/voa"), user=None)
    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline and not ClaimSuggestion.objects.filter(article=article).exists()
    ):
        time.sleep(0.2)
    article.refresh_from_db()
    assert article.status == "ready"
    stored = ClaimSuggestion.objects.filter(article=article).order_by("-score", "start")
    assert stored and any(s.text == TWELVE for s in stored)
    for s in stored:
        assert article.body[s.start : s.end] == s.text
