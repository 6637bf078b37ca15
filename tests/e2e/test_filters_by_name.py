"""The claims table's filters by name in a real browser: part of an article's title typed,
the article chosen from the suggestions with the keyboard (ArrowDown, Enter), a tag typed by
its name; the table narrows each time and says it is filtered, and says so no longer once
the filters are cleared. On a laptop (1280 px) and a phone (390 px)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import make_edna

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(db):
    from tests.factories import ArticleFactory, ClaimFactory

    make_edna()
    budget = ArticleFactory(title="Budget speech 2026", outlet="The Ledger",
                            published_on=datetime.date(2026, 3, 4))
    reaction = ArticleFactory(title="Budget reaction from the unions")
    water = ArticleFactory(title="Water levels in the reservoirs")
    sales = ClaimFactory(article=budget, statement="Cannabis sales doubled")
    ClaimFactory(article=reaction, statement="Wages fell for a decade")
    reservoirs = ClaimFactory(article=water, statement="The reservoirs are half empty")
    tag = sales.tags.create(name="cannabis")
    reservoirs.tags.add(tag)
    return {"budget": budget}


def table(page):
    return page.get_by_role("region", name="Claims table")


def expect_rows(page, shown, hidden):
    for statement in shown:
        expect(table(page).get_by_text(statement)).to_be_visible()
    for statement in hidden:
        expect(table(page).get_by_text(statement)).to_have_count(0)


ALL = ["Cannabis sales doubled", "Wages fell for a decade", "The reservoirs are half empty"]


def choose_article(page, typed, option, shot=None):
    article = page.get_by_role("combobox", name="Article")
    article.click()
    article.press_sequentially(typed)
    expect(page.get_by_role("option", name=option)).to_be_visible()
    expect(article).to_have_attribute("aria-expanded", "true")
    if shot:
        shot()
    article.press("ArrowDown")
    expect(page.get_by_role("option", name=option)).to_have_attribute("aria-selected", "true")
    article.press("Enter")
    return article


def test_filters_by_name_on_a_laptop(page, live_server, log_in, screenshot, desk):
    page.set_viewport_size(LAPTOP)
    log_in(page, "edna", "correct horse battery")
    page.goto(f"{live_server.url}/claims/")
    results = page.locator("#results-heading")
    expect(results).to_have_text("Results")
    expect_rows(page, ALL, [])

    # A tag by its name: typed, then Tab (the box's change applies the filters).
    tag = page.get_by_label("Tag", exact=True)
    tag.fill("cannabis")
    tag.press("Tab")
    expect_rows(page, ["Cannabis sales doubled", "The reservoirs are half empty"],
                ["Wages fell for a decade"])
    expect(results).to_have_text("Results (filtered)")
    expect(page).to_have_url(re.compile(r"[?&]tag=cannabis(&|$)"))

    # Part of an article's title, the suggestion chosen with the keyboard.
    article = page.get_by_role("combobox", name="Article")
    article.click()
    article.press_sequentially("speech")
    expect(page.get_by_role("option", name="Budget speech 2026")).to_be_visible()
    expect(page.get_by_role("listbox", name="Articles whose title matches")
           .get_by_role("option")).to_have_count(1)
    screenshot(page, "filters-by-name-01-article-suggestions-1280")
    article.press("ArrowDown")
    article.press("Enter")
    expect(article).to_have_value("Budget speech 2026")
    expect_rows(page, ["Cannabis sales doubled"],
                ["Wages fell for a decade", "The reservoirs are half empty"])
    expect(results).to_have_text("Results (filtered)")
    expect(page.locator("#filter_article")).to_have_value(str(desk["budget"].pk))
    screenshot(page, "filters-by-name-02-article-and-tag-1280")

    # A tag no claim has is said in words, and nothing is filtered by it.
    tag.fill("canabis")
    tag.press("Tab")
    expect(page.get_by_role("alert")).to_contain_text("No tag called “canabis”.")
    expect_rows(page, ["Cannabis sales doubled"], ["Wages fell for a decade"])
    expect(tag).to_have_value("canabis")
    screenshot(page, "filters-by-name-03-unknown-tag-1280")

    # Cleared: the whole table, not filtered.
    page.get_by_role("link", name="Clear").click()
    expect_rows(page, ALL, [])
    expect(results).to_have_text("Results")
    expect(page.get_by_role("combobox", name="Article")).to_have_value("")
    expect(page.get_by_label("Tag", exact=True)).to_have_value("")


def test_filters_by_name_on_a_phone(page, live_server, log_in, screenshot, desk):
    page.set_viewport_size(PHONE)
    log_in(page, "edna", "correct horse battery")
    page.goto(f"{live_server.url}/claims/?tag=cannabis")
    results = page.locator("#results-heading")
    expect(results).to_have_text("Results (filtered)")
    toggle = page.get_by_role("button", name="Filters (1 active)")
    toggle.click()
    expect(page.get_by_label("Tag", exact=True)).to_have_value("cannabis")
    article = choose_article(page, "reserv", "Water levels in the reservoirs", shot=lambda: (
        screenshot(page, "filters-by-name-04-phone-suggestions-390")))
    expect(article).to_have_value("Water levels in the reservoirs")
    expect_rows(page, ["The reservoirs are half empty"],
                ["Cannabis sales doubled", "Wages fell for a decade"])
    expect(page.get_by_role("button", name="Filters (2 active)")).to_be_visible()
    screenshot(page, "filters-by-name-05-phone-chosen-390")

    # The article's title cleared and sent: only the tag is left.
    article.fill("")
    article.press("Enter")
    expect_rows(page, ["Cannabis sales doubled", "The reservoirs are half empty"],
                ["Wages fell for a decade"])
    expect(page.get_by_role("button", name="Filters (1 active)")).to_be_visible()
    page.get_by_label("Tag", exact=True).fill("")
    page.get_by_label("Tag", exact=True).press("Enter")
    expect_rows(page, ALL, [])
    expect(results).to_have_text("Results")
    expect(page.get_by_role("button", name="Filters", exact=True)).to_be_visible()
    screenshot(page, "filters-by-name-06-phone-cleared-390")
