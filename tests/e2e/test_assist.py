"""Claim assistance in a real browser: the demo article shows sentences worth checking,
ranked by the learned model, with their reasons; one click logs one as a claim anchored to
its exact words (with htmx, and as a plain form with JavaScript off), after which it shows
as logged with a link to its claim; a dismissed one stays gone; a pasted article's
suggestions arrive without a reload; "Score the article again" enqueues and the panel shows
the progress, then the results; on the claim page the same claim from another article is
offered and linked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.assist.services import suggestions_refresh
from claims.demo import ARTICLES, LoadReport, ensure_demo_users
from claims.models import Claim, ClaimSuggestion
from claims.services.articles import article_create
from claims.services.claims import claim_log

pytestmark = [pytest.mark.e2e]

VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."


@pytest.fixture
def demo_article(transactional_db):
    users = ensure_demo_users(LoadReport())
    article = article_create(title=VOA.title, body=VOA.body, outlet="Voice of America")
    suggestions_refresh(article=article)
    return article, users


def test_editor_logs_and_dismisses_suggestions(page, live_server, log_in, screenshot, demo_article):
    article, users = demo_article
    log_in(page, "editor")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    panel = page.locator("#claim-suggestions")
    expect(panel.get_by_role("heading", name="Sentences worth checking")).to_be_visible()
    # The best five first, the rest folded away below them.
    expect(panel.locator("ol.suggestion-list").first.locator("li.suggestion")).to_have_count(5)
    twelve = panel.locator("li.suggestion", has_text=TWELVE)
    expect(twelve).to_contain_text("states a number (Twelve, 28)")
    expect(twelve.locator(".badge")).to_contain_text("score 0.")
    screenshot(page, "assist-article-suggestions")

    twelve.get_by_role("button", name="Log as claim").click()
    # The page reloads: the message, the new claim in the list and highlighted in the text.
    expect(page.get_by_role("status").filter(has_text="Logged the claim")).to_be_visible()
    expect(page.locator("#article-claims")).to_contain_text("Claims in this article (1)")
    expect(panel.locator("li.suggestion blockquote", has_text=TWELVE)).to_have_count(0)
    claim = Claim.objects.get(article=article)
    assert claim.quote == TWELVE == article.body[claim.anchor_start : claim.anchor_end]
    assert claim.created_by == users["editor"]
    # Shown as logged, with a link to its claim, never with "Log as claim" again.
    logged = panel.locator("li.suggestion-logged", has_text=TWELVE)
    expect(logged).to_contain_text("Logged")
    expect(logged.get_by_role("button")).to_have_count(0)
    expect(logged.get_by_role("link")).to_have_attribute("href", claim.get_absolute_url())

    second = panel.locator("li.suggestion").first
    dismissed_text = second.locator("blockquote").inner_text()
    second.get_by_role("button", name="Dismiss").click()
    expect(panel).to_contain_text("1 dismissed")
    expect(panel.locator("li.suggestion blockquote", has_text=dismissed_text)).to_have_count(0)
    screenshot(page, "assist-after-log-and-dismiss")

    # A reload (the plain page) agrees: logged and dismissed suggestions stay gone.
    page.reload()
    expect(
        page.locator("#claim-suggestions li.suggestion blockquote", has_text=TWELVE)
    ).to_have_count(0)
    assert ClaimSuggestion.objects.get(article=article, text=dismissed_text).dismissed_at


def test_suggestions_work_without_javascript(
    page_without_javascript, live_server, demo_article, screenshot
):
    article, _ = demo_article
    page = page_without_javascript()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.locator("#claim-suggestions li.suggestion", has_text=TWELVE).get_by_role(
        "button", name="Log as claim"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Logged the claim")).to_be_visible()
    assert page.url.endswith(article.get_absolute_url())
    assert Claim.objects.filter(article=article, quote=TWELVE).count() == 1
    screenshot(page, "assist-no-javascript")


PASTED = (
    "Ministers promised a new bridge for the town.\n\n"
    "Road deaths fell by 14 per cent last year, to 1,624, the lowest figure since records "
    "began, the transport department said on Monday.\n\n"
    "“I am proud of our drivers,” said the minister. We hope the trend continues."
)
DEATHS = ("Road deaths fell by 14 per cent last year, to 1,624, the lowest figure since "
          "records began, the transport department said on Monday.")


def test_a_pasted_article_shows_learned_suggestions_without_a_reload(
    page, live_server, celery_worker, log_in, screenshot
):
    ensure_demo_users(LoadReport())
    log_in(page, "editor")
    page.goto(f"{live_server.url}/articles/")
    paste = page.get_by_role("form", name="Paste the text")
    paste.get_by_label("Title").fill("Road deaths at a record low")
    paste.get_by_label("Article text").fill(PASTED)
    paste.get_by_role("button", name="Add pasted article").click()
    expect(page.get_by_role("heading", name="Road deaths at a record low")).to_be_visible()
    panel = page.locator("#claim-suggestions")
    expect(panel).not_to_contain_text("No suggestions yet")
    url = page.url
    # The worker scores it and the panel follows, with no reload.
    best = panel.locator("li.suggestion").first
    expect(best.locator("blockquote")).to_have_text(DEATHS)
    expect(best).to_contain_text("states a number (14 per cent, 1,624)")
    expect(best).to_contain_text("attributed to someone (said)")
    expect(panel).to_have_attribute("data-state", "done")
    assert page.url == url
    screenshot(page, "assist-pasted-article-suggestions")


def test_scoring_again_shows_progress_then_results(
    page, live_server, celery_worker, log_in, screenshot, demo_article
):
    article, _ = demo_article
    log_in(page, "editor")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    panel = page.locator("#claim-suggestions")
    expect(panel.locator("li.suggestion", has_text=TWELVE)).to_have_count(1)
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith("/suggest/")) as answer:
        panel.get_by_role("button", name="Score the article again").click()
    # The request only enqueued: the panel it answered is in whatever state the worker (a
    # thread of this process, so often quick) had reached: queued, running or done. The
    # queued and running panels themselves are pinned in tests/claims/views/test_assist_progress.py.
    assert answer.value.status == 200
    assert re.search(r'data-state="(queued|running|done)"', answer.value.text())
    screenshot(page, "assist-scoring-progress")
    # The worker's scoring takes longer on a loaded machine than expect()'s 5 s default.
    expect(panel).to_have_attribute("data-state", "done", timeout=30_000)
    expect(panel.locator("li.suggestion", has_text=TWELVE)).to_have_count(1)
    expect(panel.get_by_role("button", name="Score the article again")).to_be_visible()
    screenshot(page, "assist-scoring-done")


def test_claim_page_offers_and_links_the_same_claim(
    page, live_server, log_in, screenshot, demo_article
):
    article, users = demo_article
    editor = users["editor"]
    other = article_create(
        title="Alliance split on Libya",
        body="Twelve of the alliance's 28 members officially recognize the Libyan opposition.",
    )
    earlier = claim_log(
        article=other,
        quote=other.body,
        start=0,
        end=len(other.body),
        user=editor,
        statement="Twelve of NATO's 28 members recognise the Libyan opposition",
    )
    suggestion = ClaimSuggestion.objects.get(article=article, text=TWELVE)
    from claims.assist.services import suggestion_log_claim

    claim = suggestion_log_claim(suggestion=suggestion, user=editor)
    log_in(page, "editor")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    panel = page.locator("#similar-claims")
    match = panel.locator(f"#similar-{earlier.pk}")
    expect(match).to_contain_text(earlier.statement)
    screenshot(page, "assist-similar-claims")
    match.get_by_role("button", name="Link as same claim").click()
    expect(panel).to_contain_text("This claim repeats")
    claim.refresh_from_db()
    assert claim.appearance_of == earlier
    screenshot(page, "assist-linked")
