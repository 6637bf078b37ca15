"""Logging a claim twice, as people do it: save the log form, press Back, press Save again:
no second claim, the editor lands on the claim saved, with its claimant, and is told why.
Selecting the same words again shows the claim already logged, with a link, before anything
is saved; ticking "Save anyway as a separate claim" logs a second one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import make_edna
from tests.e2e.test_accessibility import blocking_violations
from tests.e2e.test_editor import select_text

pytestmark = pytest.mark.e2e

BODY = ("The governor spoke on Monday about the state's prisons and its schools. "
        "Crime fell by 40 per cent in a year, she said, and the new courts were working.\n\n"
        "Nobody else spoke.")
WORDS = "Crime fell by 40 per cent in a year"


@pytest.fixture
def desk(db):
    from tests.factories import ArticleFactory, ClaimantFactory

    make_edna()
    article = ArticleFactory(title="Governor on crime", body=BODY)
    noem = ClaimantFactory(name="Kristi Noem", role="Governor", organisation="South Dakota")
    return {"article": article, "noem": noem}


def open_log_form_from_the_words(page, live_server, article):
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.wait_for_load_state("networkidle")  # the panels that load after the page are in
    select_text(page, "#article-body", WORDS)
    expect(page.locator("#log-claim-hint")).to_contain_text(WORDS)
    page.get_by_role("button", name="Log claim").click()
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()
    expect(page.get_by_label("Quote")).to_have_value(WORDS)


def test_save_back_save_and_the_same_words_again(page, live_server, log_in, screenshot,
                                                 desk):
    from claims.models import Claim

    article, noem = desk["article"], desk["noem"]
    # The words are selected at the browser tests' usual 1400 px (at 1280 px Playwright's drag
    # over this article ran on to the end of the sentence); the pages are shown at 1280 and
    # 390 px below.
    log_in(page, "edna", "correct horse battery")
    open_log_form_from_the_words(page, live_server, article)

    name = page.get_by_role("combobox", name="Claimant", exact=True)
    name.click()
    name.press_sequentially("Kris")
    page.get_by_role("option", name=re.compile("Kristi Noem")).click()
    expect(page.locator("#id_claimant")).to_have_value(str(noem.pk))
    page.get_by_label("Claim statement").fill("Crime fell by 40% in a year")
    page.get_by_label("Tags").fill("crime")
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    claim = Claim.objects.get()
    assert claim.claimant == noem

    # Back to the form as the browser restores it, and Save again.
    page.go_back()
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "log-twice-01-back-1280")
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_text(
        "This claim was already saved (you sent the form twice): here it is.")).to_be_visible()
    expect(page.get_by_role("heading", name="Crime fell by 40% in a year")).to_be_visible()
    assert page.url.endswith(claim.get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("Kristi Noem")
    assert Claim.objects.count() == 1
    screenshot(page, "log-twice-02-already-saved-1280")

    # The same words again, from the article: the claim already logged is shown first.
    page.set_viewport_size({"width": 1400, "height": 900})
    open_log_form_from_the_words(page, live_server, article)
    page.get_by_label("Claim statement").fill("Crime is down by 40 per cent")
    page.get_by_role("button", name="Save claim").click()
    warning = page.get_by_role("alert").filter(has_text="may already be logged")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("the same words")
    link = warning.get_by_role("link", name=re.compile("Crime fell by 40% in a year"))
    expect(link).to_have_attribute("href", claim.get_absolute_url())
    expect(page.get_by_label("Claim statement")).to_have_value("Crime is down by 40 per cent")
    expect(page.get_by_label("Quote")).to_have_value(WORDS)
    assert Claim.objects.count() == 1
    assert not blocking_violations(page), blocking_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "log-twice-03-warning-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    warning.scroll_into_view_if_needed()
    screenshot(page, "log-twice-04-warning-390")

    # Saving anyway is an explicit choice.
    page.get_by_label("Save anyway as a separate claim").check()
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    assert Claim.objects.count() == 2
    second = Claim.objects.exclude(pk=claim.pk).get()
    assert (second.anchor_start, second.anchor_end) == (claim.anchor_start, claim.anchor_end)
    assert second.statement == "Crime is down by 40 per cent"
    screenshot(page, "log-twice-05-saved-anyway-390")
