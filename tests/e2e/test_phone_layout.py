"""The desk on a phone (390 x 844): no page scrolls sideways, the navigation folds behind a
menu button, wide tables scroll inside their own labelled region, and the claims table's
filters fold behind a button that says how many are in use. Each page is checked by axe at
390 px and kept as a screenshot at 1,280 px and at 390 px (test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

demo_desk = test_accessibility.demo_desk  # the demo desk: a claim in every workflow state

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def main_pages(desk) -> list[tuple[str, str, str]]:
    """(name, path, heading) of every main page, desk and public."""
    article, claim, source = desk["article"], desk["claim"], desk["source"]
    published = desk["published"]
    return [
        ("dashboard", "/", "Dashboard"),
        ("articles", "/articles/", "Articles"),
        ("article", article.get_absolute_url(), article.title),
        ("claims", "/claims/", "Claims"),
        ("claim", claim.get_absolute_url(), claim.statement),
        ("sources", "/sources/", "Sources"),
        ("source", source.get_absolute_url(), str(source.title or source.url)),
        ("review-queue", "/review/", "Review queue"),
        ("reports", "/reports/", "Reports"),
        ("notifications", "/notifications/", "Notifications"),
        ("api-tokens", "/account/api-tokens/", "API tokens"),
        ("public-list", "/fact-checks/", "Fact-checks"),
        ("public-detail", f"/fact-checks/{published.claim_id}/", published.claim.statement),
    ]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_every_main_page_fits_a_phone_and_passes_axe(page, live_server, log_in, demo_desk,
                                                     screenshot):
    log_in(page, "admin")  # sees every page
    too_wide, problems = {}, {}
    for name, path, heading in main_pages(demo_desk):
        page.set_viewport_size(LAPTOP)
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        screenshot(page, f"phone-{name}-1280")
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        screenshot(page, f"phone-{name}-390")
        if (width := page_width(page)) > PHONE["width"]:
            too_wide[name] = width
        if found := blocking_violations(page):
            problems[name] = found
    assert not too_wide, f"pages wider than a 390 px phone (px): {too_wide}"
    assert not problems, "axe at 390 px:\n" + "\n".join(
        f"{name}: " + "; ".join(found) for name, found in problems.items())


def test_navigation_folds_behind_a_menu_button_on_a_phone(page, live_server, log_in, demo_desk):
    page.set_viewport_size(PHONE)
    log_in(page, "editor")
    nav = page.get_by_role("navigation", name="Main navigation")
    menu = nav.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Claims")).to_be_hidden()
    box = nav.bounding_box()
    assert box["height"] < 80, f"the folded navigation is {box['height']} px tall"
    # The keyboard opens it and closes it; Escape closes it and leaves focus on the button.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    controlled = menu.get_attribute("aria-controls")
    expect(page.locator(f"#{controlled}")).to_be_visible()
    expect(nav.get_by_role("link", name="Claims")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Claims")).to_be_hidden()
    page.keyboard.press("Space")
    expect(nav.get_by_role("link", name="Claims")).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_focused()

    # On a laptop the links show and no menu button does.
    page.set_viewport_size(LAPTOP)
    page.reload()
    expect(nav.get_by_role("link", name="Claims")).to_be_visible()
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()


def test_without_javascript_the_navigation_shows_on_a_phone(page_without_javascript,
                                                            demo_desk, live_server):
    page = page_without_javascript()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/claims/")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Claims")).to_be_visible()
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("search", name="Filter claims")).to_be_visible()
    assert page_width(page) <= PHONE["width"]


def test_claims_table_scrolls_in_its_own_region_and_filters_fold(page, live_server, log_in,
                                                                  demo_desk, screenshot):
    page.set_viewport_size(PHONE)
    log_in(page, "editor")
    page.goto(f"{live_server.url}/claims/?status=new&q=a")
    region = page.get_by_role("region", name="Claims table")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits anyway"
    assert page_width(page) <= PHONE["width"]
    # The keyboard scrolls the region.
    region.focus()
    page.keyboard.press("ArrowRight")
    for _ in range(50):
        if region.evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("el => el.scrollLeft") > 0, "ArrowRight did not scroll the table"

    filters = page.get_by_role("search", name="Filter claims")
    toggle = page.get_by_role("button", name="Filters (2 active)")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(filters).to_be_hidden()
    # The table starts within the first screen, not after the filters.
    assert region.bounding_box()["y"] < PHONE["height"]
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(filters).to_be_visible()
    filters.get_by_label("Status").select_option("")
    expect(page.get_by_role("button", name="Filters (1 active)")).to_be_visible()
    screenshot(page, "phone-claims-filters-open-390")

    # On a wide screen the filters are open from the start.
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/claims/?status=new")
    expect(page.get_by_role("button", name="Filters (1 active)")).to_have_attribute(
        "aria-expanded", "true")
    expect(page.get_by_role("search", name="Filter claims")).to_be_visible()
    page.goto(f"{live_server.url}/claims/")
    expect(page.get_by_role("button", name="Filters", exact=True)).to_be_visible()


def test_the_navigation_never_widens_the_page(page, live_server, log_in, demo_desk):
    """An admin's links (with the notices and the tokens) made the page 1,038 px wide in a
    992 px window: between a phone and a laptop they fold too; from 1,200 px they show, in
    at most two rows, and in one from 1,280 px."""
    log_in(page, "admin")
    nav = page.get_by_role("navigation", name="Main navigation")
    for width in (768, 992, 1100, 1200, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/claims/")
        assert page_width(page) <= width, f"{page_width(page)} px wide in a {width} px window"
        height = nav.bounding_box()["height"]
        tallest = 100 if width < 1280 else 70
        assert height < tallest, f"the navigation is {height} px tall at {width} px"


def test_a_claims_sources_scroll_inside_their_table_on_a_phone(page, live_server, log_in,
                                                              demo_desk, screenshot):
    """A source without a title shows its address, which has no space to break at: the
    claim page's sources table scrolls inside its own labelled region instead of making the
    whole page scroll sideways (seen at 481 px on a 390 px phone)."""
    from claims.models import Evidence, Source

    claim = demo_desk["claim"]
    long_url = "https://statistics.example.org/releases/" + "labour-market-overview-" * 6
    source = Source.objects.create(url=long_url, normalized_url=long_url,
                                   domain="statistics.example.org", title="")
    Evidence.objects.create(claim=claim, source=source, stance="supports")
    log_in(page, "admin")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + claim.get_absolute_url())
    region = page.get_by_role("region", name="Sources of this claim")
    expect(region).to_contain_text("statistics.example.org")
    screenshot(page, "phone-claim-long-source-390")
    assert page_width(page) <= PHONE["width"]
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits anyway"
