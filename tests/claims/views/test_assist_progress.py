"""The suggestions panel follows the live state: "Find sentences worth checking" only
enqueues, the panel polls while the work is queued or running and shows the results when it
is done, a pasted article waits for its first scoring instead of saying there is nothing,
and a sentence already logged (from the panel or by hand) shows as logged, with a link to
its claim, never with "Log as claim"."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape

from claims.assist import progress
from claims.assist import services as assist
from claims.demo import ARTICLES
from claims.models import ClaimSuggestion
from claims.services.claims import claim_log
from claims.tasks import suggest_article_claims
from claims.templatetags.assist import MAX_POLLS
from tests.factories import ArticleFactory, UserFactory

VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor(db):
    user = UserFactory(username="assist-progress-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _panel(client, article, polls: int = 1) -> str:
    url = reverse("claims:article-suggestions", args=[article.pk])
    return client.get(f"{url}?polls={polls}", **HTMX).content.decode()


def _polls(html: str) -> bool:
    """Does the panel's own tag ask htmx to fetch it again?"""
    tag = re.search(r'<section id="claim-suggestions"[^>]*>', html).group(0)
    return 'hx-trigger="every 2s"' in tag and "/suggestions/?polls=" in tag


def test_find_button_enqueues_then_the_panel_polls_until_the_results_are_there(
    client, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(body=VOA.body)
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        html = client.post(reverse("claims:article-suggest", args=[article.pk]), **HTMX
                           ).content.decode()
    assert len(callbacks) == 1  # the task is published after commit, nothing scored here
    assert not ClaimSuggestion.objects.filter(article=article).exists()
    assert 'data-state="queued"' in html and _polls(html)
    assert "Finding sentences worth checking: waiting for a worker" in html
    assert "Find sentences worth checking" not in html  # no second click while it waits

    progress.progress_set(article.pk, progress.RUNNING)
    html = _panel(client, article)
    assert "Scoring the article's sentences" in html and _polls(html)

    suggest_article_claims(article.pk)  # what the worker runs
    html = _panel(client, article, polls=2)
    assert 'data-state="done"' in html and not _polls(html)
    assert escape(TWELVE) in html and "Log as claim" in html
    assert "states a number (Twelve, 28)" in html  # the reasons beside the learned score


def test_a_pasted_article_waits_for_its_first_scoring_instead_of_saying_nothing(client, editor):
    article = ArticleFactory(body=VOA.body)  # saved; the worker has not scored it yet
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "waiting for a worker" in page and "No suggestions yet" not in page
    assert _polls(page)
    # A worker that never comes does not keep the tab polling for ever.
    html = _panel(client, article, polls=MAX_POLLS)
    assert not _polls(html) and "reload the page" in html


def test_a_failed_run_says_so_and_offers_the_button_again(client, editor):
    article = ArticleFactory(body=VOA.body)
    progress.progress_set(article.pk, progress.FAILED, error="SoftTimeLimitExceeded: 60 s")
    client.force_login(editor)
    html = _panel(client, article)
    assert "Scoring did not finish: SoftTimeLimitExceeded" in html and not _polls(html)
    assert "Find sentences worth checking" in html


def test_a_queued_run_no_worker_picked_up_stops_waiting(client, editor, monkeypatch):
    article = ArticleFactory(body=VOA.body)
    progress.progress_set(article.pk, progress.QUEUED)
    monkeypatch.setattr(progress.time, "time",
                        lambda: time.time_ns() / 1e9 + progress.STALE_QUEUED_SECONDS + 1)
    client.force_login(editor)
    html = _panel(client, article)
    assert not _polls(html) and "No worker picked the work up" in html


def test_a_sentence_logged_by_hand_after_scoring_shows_as_logged_with_its_link(client, editor):
    article = ArticleFactory(body=VOA.body)
    assist.suggestions_refresh(article=article)
    start = article.body.index(TWELVE)
    # Logged by selecting part of the sentence, after the suggestions were made.
    claim = claim_log(article=article, quote=TWELVE[:40], start=start,
                               end=start + 40, user=editor, statement="Twelve NATO members")
    suggestion = ClaimSuggestion.objects.get(article=article, text=TWELVE)
    assert suggestion.claim_id is None  # the row does not know yet; the panel does
    client.force_login(editor)
    html = _panel(client, article)
    assert f'id="suggestion-{suggestion.pk}"' not in html
    logged = html.split(f'id="logged-suggestion-{suggestion.pk}"')[1].split("</li>")[0]
    assert f'href="{claim.get_absolute_url()}"' in logged and "Twelve NATO members" in logged
    assert "Log as claim" not in logged


def test_suggest_view_needs_the_role_and_answers_in_words(client, editor):
    outsider = UserFactory(username="assist-progress-outsider")
    article = ArticleFactory(body=VOA.body)
    client.force_login(outsider)
    assert client.post(reverse("claims:article-suggest", args=[article.pk])).status_code == 403
    client.force_login(editor)
    fetching = ArticleFactory(body="", status="fetching")
    html = client.post(reverse("claims:article-suggest", args=[fetching.pk]), **HTMX
                       ).content.decode()
    assert "has not arrived yet" in html


@pytest.mark.django_db(transaction=True)
def test_the_button_through_a_real_worker(client, celery_worker, editor):
    article = ArticleFactory(body=VOA.body)
    client.force_login(editor)
    client.post(reverse("claims:article-suggest", args=[article.pk]), **HTMX)
    deadline = time.monotonic() + 30
    html = ""
    while time.monotonic() < deadline:
        html = _panel(client, article)
        if 'data-state="done"' in html:
            break
        time.sleep(0.2)
    assert 'data-state="done"' in html and escape(TWELVE) in html


@pytest.mark.parametrize("polls", ["²", "٣", "-1", "9" * 40, ""])
def test_a_panel_asked_with_an_odd_poll_count_starts_counting_again(client, editor, polls):
    """"²" passes str.isdigit() yet int() refuses it: the count is read as ASCII digits."""
    article = ArticleFactory()
    client.force_login(editor)
    url = reverse("claims:article-suggestions", args=[article.pk])
    response = client.get(url, {"polls": polls}, **HTMX)
    assert response.status_code == 200
    assert 'id="claim-suggestions"' in response.content.decode()
