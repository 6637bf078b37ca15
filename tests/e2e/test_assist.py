"""Claim assistance in a real browser: the demo article shows ranked sentences worth
checking; one click logs one as a claim anchored to its exact words (with htmx, and as a
plain form with JavaScript off); a dismissed one stays gone; on the claim page the same
claim from another article is offered and linked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims import services
from claims.assist.services import suggestions_refresh
from claims.demo import ARTICLES, LoadReport, ensure_demo_users
from claims.models import Claim, ClaimSuggestion

pytestmark = [pytest.mark.e2e]

VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."


@pytest.fixture
def demo_article(transactional_db):
    users = ensure_demo_users(LoadReport())
    article = services.article_create(title=VOA.title, body=VOA.body, outlet="Voice of America")
    suggestions_refresh(article=article)
    return article, users


def test_editor_logs_and_dismisses_suggestions(page, live_server, log_in, screenshot, demo_article):
    article, users = demo_article
    log_in(page, "editor")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    panel = page.locator("#claim-suggestions")
    expect(panel.get_by_role("heading", name="Sentences worth checking")).to_be_visible()
    first = panel.locator("li.suggestion").first
    expect(first.locator("blockquote")).to_have_text(TWELVE)
    expect(first).to_contain_text("states a number (Twelve, 28)")
    screenshot(page, "assist-article-suggestions")

    first.get_by_role("button", name="Log as claim").click()
    # The page reloads: the message, the new claim in the list and highlighted in the text.
    expect(page.get_by_role("status").filter(has_text="Logged the claim")).to_be_visible()
    expect(page.locator("#article-claims")).to_contain_text("Claims in this article (1)")
    expect(panel.locator("li.suggestion blockquote", has_text=TWELVE)).to_have_count(0)
    claim = Claim.objects.get(article=article)
    assert claim.quote == TWELVE == article.body[claim.anchor_start : claim.anchor_end]
    assert claim.created_by == users["editor"]

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


def test_suggestions_work_without_javascript(browser, live_server, demo_article, screenshot):
    article, _ = demo_article
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("editor")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.locator("#claim-suggestions li.suggestion").first.get_by_role(
        "button", name="Log as claim"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Logged the claim")).to_be_visible()
    assert page.url.endswith(article.get_absolute_url())
    assert Claim.objects.filter(article=article, quote=TWELVE).count() == 1
    screenshot(page, "assist-no-javascript")
    context.close()


def test_claim_page_offers_and_links_the_same_claim(
    page, live_server, log_in, screenshot, demo_article
):
    article, users = demo_article
    editor = users["editor"]
    other = services.article_create(
        title="Alliance split on Libya",
        body="Twelve of the alliance's 28 members officially recognize the Libyan opposition.",
    )
    earlier = services.claim_log(
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
