"""The desk with the keyboard alone: logging a claim from an article without a mouse.
After each page.goto, only page.keyboard moves: Tab to the controls, the arrow keys choose
a sentence of the article and widen or narrow it, Enter logs it; on the logging form the
focus starts in the claimant field and stays in the form when a claimant is chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.demo import LoadReport, ensure_demo_users
from claims.models import Claim
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory

pytestmark = pytest.mark.e2e

# An emoji (two UTF-16 units, one code point) and an earlier claim's highlight come before
# the words chosen, so the offsets must count code points across several text nodes.
BODY = (
    "Budget day brought cheers 🎉 in parliament. "
    "“We have turned the corner,” the minister said. "
    "Unemployment fell by 12 per cent last year.\n\n"
    "Union leaders said the figures were misleading. They promised more strikes."
)
FIRST = "“We have turned the corner,” the minister said."
SECOND = "Unemployment fell by 12 per cent last year."

ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  return el.id || el.name || el.textContent.trim();
}"""


def focused(page) -> str:
    return page.evaluate(ACTIVE)


def tab_to(page, wanted: str, limit: int = 60) -> None:
    """Press Tab until the focused element's id, name or text is `wanted`."""
    for _ in range(limit):
        if focused(page) == wanted:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {wanted!r} (last: {focused(page)!r})")


def chosen(page) -> str:
    return page.evaluate("document.getElementById('log-claim-quote').value")


@pytest.fixture
def article(transactional_db):
    ensure_demo_users(LoadReport())
    article = ArticleFactory(title="Budget day", body=BODY)
    ClaimFactory(article=article, quote="brought cheers", statement="Budget day was cheered")
    ClaimantFactory(name="Ana Minister", role="Finance Minister", organisation="Government")
    return article


def test_a_claim_is_logged_from_an_article_with_the_keyboard_alone(page, live_server, article,
                                                                   screenshot):
    page.goto(f"{live_server.url}/login/")
    tab_to(page, "id_username")
    page.keyboard.type("editor")
    page.keyboard.press("Tab")
    page.keyboard.type("editor")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.goto(live_server.url + article.get_absolute_url())
    tab_to(page, "keyboard-choose")
    page.keyboard.press("Enter")
    # The article's text takes the focus, with its first sentence chosen.
    expect(page.locator("#article-body")).to_be_focused()
    assert chosen(page) == "Budget day brought cheers 🎉 in parliament."
    hint = page.locator("#log-claim-hint")
    expect(hint).to_have_text("Sentence 1 of 5: “Budget day brought cheers 🎉 in parliament.”")

    page.keyboard.press("ArrowDown")
    assert chosen(page) == FIRST
    expect(hint).to_contain_text("Sentence 2 of 5")
    page.keyboard.press("Shift+ArrowDown")  # widen by a sentence
    assert chosen(page) == f"{FIRST} {SECOND}"
    expect(hint).to_contain_text("Added a sentence")
    page.keyboard.press("Shift+ArrowLeft")  # narrow by a word
    assert chosen(page) == f"{FIRST} Unemployment fell by 12 per cent last"
    expect(hint).to_contain_text("Dropped “year.”")
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")  # widen by a word
    assert chosen(page) == f"{FIRST} Unemployment fell by 12 per cent last"
    page.keyboard.press("Shift+ArrowRight")  # the last word takes its full stop
    assert chosen(page) == f"{FIRST} {SECOND}"
    page.keyboard.press("Control+Shift+ArrowRight")  # drop the first word
    assert chosen(page) == f"have turned the corner,” the minister said. {SECOND}"
    expect(hint).to_contain_text("Dropped “We”")
    page.keyboard.press("Control+Shift+ArrowLeft")  # and take it back, with its quote mark
    quote = f"{FIRST} {SECOND}"
    assert chosen(page) == quote
    # The words are the page's selection, exactly as a mouse drag leaves them.
    assert page.evaluate("window.getSelection().toString()") == quote
    screenshot(page, "keyboard-01-chosen-1400")

    page.keyboard.press("Enter")  # logs the chosen words
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()
    expect(page.get_by_label("Quote")).to_have_value(quote)
    # The focus starts in the first field still empty: the claimant.
    expect(page.get_by_role("combobox", name="Claimant", exact=True)).to_be_focused()
    page.keyboard.type("Ana Min")
    if page.locator("[data-claimant-picker]").count():
        # The combobox: ArrowDown highlights the first name on file, Enter picks it.
        expect(page.get_by_role("option", name="Ana Minister")).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.get_by_role("combobox", name="Claimant", exact=True)).to_have_value(
            "Ana Minister")
    else:
        # Suggestions as buttons after the field: Tab to one, Enter chooses it.
        choice = page.get_by_role("button", name="Choose Ana Minister")
        expect(choice).to_be_visible()
        tab_to(page, choice.inner_text().strip())
        page.keyboard.press("Enter")
        expect(page.locator("#claimant-chosen")).to_contain_text("Ana Minister")
    # The focus stays in the claimant field or moves on to the next field, never back to
    # the top of the page.
    page.wait_for_timeout(200)
    assert focused(page) in ("id_claimant_name", "id_claimant_role"), focused(page)
    tab_to(page, "id_statement")
    page.keyboard.type("The government says unemployment fell by 12 per cent")
    screenshot(page, "keyboard-02-log-form")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    claim = Claim.objects.get(statement="The government says unemployment fell by 12 per cent")
    assert claim.quote == quote
    assert claim.article.body[claim.anchor_start:claim.anchor_end] == quote
    assert claim.anchor_start == BODY.index(FIRST)
    assert claim.claimant.name == "Ana Minister"
    screenshot(page, "keyboard-03-logged")


def test_escape_stops_choosing_and_gives_the_focus_back_to_the_button(
        page, live_server, article, log_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})  # and on a phone
    log_in(page, "editor")
    page.goto(live_server.url + article.get_absolute_url())
    toggle = page.get_by_role("button", name="Choose words with the keyboard")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#keyboard-choose-help")).to_be_visible()
    page.keyboard.press("ArrowDown")
    screenshot(page, "keyboard-choosing-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not blocking_violations(page), blocking_violations(page)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")  # not one of its keys: nothing changes
    assert chosen(page) == "Budget day brought cheers 🎉 in parliament."
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#keyboard-choose-help")).to_be_hidden()
    expect(page.locator("#article-body")).not_to_have_attribute("tabindex", "0")


def test_a_folded_form_opened_from_the_keyboard_takes_the_focus(page, live_server, article,
                                                                 log_in):
    claim = Claim.objects.get(article=article)
    log_in(page, "editor")
    page.goto(live_server.url + claim.get_absolute_url())
    tab_to(page, "Attach a source")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Source URL")).to_be_focused()


def test_sorting_the_claims_table_keeps_the_focus_on_the_column(page, live_server, article,
                                                                log_in):
    ClaimFactory(article=article, quote="the minister said", statement="The minister spoke")
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/")
    table = page.get_by_role("region", name="Claims table")
    expect(table.get_by_role("link", name="The minister spoke")).to_be_visible()
    tab_to(page, "Status", limit=120)
    sort_link = table.get_by_role("link", name="Status", exact=True)
    expect(sort_link).to_be_focused()
    href = sort_link.get_attribute("href")
    page.keyboard.press("Enter")  # the table reloads through htmx
    expect(sort_link).not_to_have_attribute("href", href)
    # The focus is on the column's link in the new table, not back at the top of the page.
    expect(sort_link).to_be_focused()
