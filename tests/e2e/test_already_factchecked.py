"""Already fact-checked, in a real browser: fact-checks are imported (the import command, as
an admin runs it), an editor selects a sentence of an article that repeats one of them and
logs it as a claim; the form's panel shows the published fact-check with why it matched;
"Link this fact-check" saves the claim linked; the claim page says who already checked it,
and the CSV export carries the fact-check's address. A hostile record's script is shown as
text and its javascript: address never becomes a link."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from claims.demo import LoadReport, ensure_demo_users
from claims.models import Claim, ClaimFactCheckLink, FactCheck
from tests.e2e.test_editor import select_text
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_matching")]

FACTCHECK_URL = "https://fullfact.example/health/nhs-waiting-list-record/"
RECORDS = [
    {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": FACTCHECK_URL, "datePublished": "2024-03-14",
        "claimReviewed": "The NHS waiting list fell to a record low last month.",
        "author": {"@type": "Organization", "name": "Full Fact",
                   "url": "https://fullfact.example/"},
        "reviewRating": {"@type": "Rating", "alternateName": "Incorrect"},
    },
    {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://hostile.example/moon",
        "claimReviewed": "<script>window.__pwned = true</script> The moon landing was filmed "
                         "in a studio.",
        "author": {"@type": "Organization", "name": "<img src=x onerror=alert(1)>Hostile",
                   "url": "javascript:alert(1)"},
        "reviewRating": {"@type": "Rating", "alternateName": "<b>True</b>"},
    },
    {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://checks.example/wombats",
        "claimReviewed": "Wombats herd other animals into their burrows during bushfires.",
        "author": {"@type": "Organization", "name": "Checkers"},
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly false"},
    },
]

ARTICLE = ("Opening the debate, the health secretary said the NHS waiting list fell to a record "
           "low last month. Opposition members disagreed loudly.")


def test_an_editor_links_a_claim_to_an_imported_factcheck(
    page, live_server, log_in, screenshot, tmp_path
):
    ensure_demo_users(LoadReport())
    feed = tmp_path / "factchecks.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in RECORDS))
    call_command("import_factchecks", str(feed), stdout=io.StringIO())
    assert FactCheck.objects.count() == 3
    article = ArticleFactory(title="Health debate", body=ARTICLE)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    log_in(page, "editor")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    select_text(page, "#article-body", "the NHS waiting list fell to a record low last month")
    page.get_by_role("button", name="Log claim").click()
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()

    # The panel answers from the quote at once, and again as the statement is typed.
    panel = page.locator("#log-factchecks")
    expect(panel).to_contain_text("Full Fact")
    page.get_by_label("Claim statement").fill("NHS waiting list at a record low")
    match = panel.locator(f"#factcheck-match-{FactCheck.objects.get(url=FACTCHECK_URL).pk}")
    expect(match).to_contain_text("The NHS waiting list fell to a record low last month.")
    expect(match).to_contain_text("Incorrect")
    expect(match).to_contain_text("14 Mar 2024")
    expect(match).to_contain_text("Why it matched:")
    read = match.get_by_role("link", name="Read the fact-check")
    expect(read).to_have_attribute("href", FACTCHECK_URL)
    expect(read).to_have_attribute("target", "_blank")
    expect(read).to_have_attribute("rel", "noopener noreferrer nofollow")
    screenshot(page, "already-factchecked-01-log-form")

    # The hostile record, when it matches, is text.
    page.get_by_label("Claim statement").fill("moon landing filmed in a studio")
    expect(panel).to_contain_text("<script>window.__pwned = true</script>")
    expect(panel).to_contain_text("<img src=x onerror=alert(1)>Hostile")
    assert panel.locator("script, img").count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.evaluate("window.__pwned") is None and dialogs == []
    screenshot(page, "already-factchecked-02-hostile")

    page.get_by_label("Claim statement").fill("NHS waiting list at a record low")
    expect(match).to_be_visible()
    match.get_by_role("button", name="Link this fact-check").click()

    # The claim page: saved, linked, and says so.
    expect(page.get_by_role("heading", name="NHS waiting list at a record low")).to_be_visible()
    expect(page.get_by_text("and linked to the fact-check by Full Fact")).to_be_visible()
    links = page.get_by_test_id("factcheck-links")
    expect(links).to_contain_text("Full Fact")
    expect(links).to_contain_text("Incorrect")
    expect(links.get_by_role("link", name="Read the fact-check")).to_have_attribute(
        "href", FACTCHECK_URL)
    expect(links).to_contain_text("Linked by Erin Editor")
    # The matches, loaded after the page, do not offer the linked one again.
    expect(page.locator("#factchecks")).to_contain_text("that may answer this claim")
    screenshot(page, "already-factchecked-03-claim-page")
    claim = Claim.objects.get(statement="NHS waiting list at a record low")
    assert ClaimFactCheckLink.objects.get(claim=claim).factcheck.url == FACTCHECK_URL

    # The CSV export, downloaded as a partner would.
    page.goto(f"{live_server.url}/reports/")
    with page.expect_download() as download:
        page.get_by_role("link", name="All claims as CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = {r["claim_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows[str(claim.pk)]["factcheck_urls"] == FACTCHECK_URL


def test_a_suggested_sentence_is_logged_and_linked_in_one_click(
    page, live_server, log_in, screenshot
):
    from claims.assist import services as assist
    from claims.demo import ARTICLES

    ensure_demo_users(LoadReport())
    voa = ARTICLES[1]
    article = ArticleFactory(title=voa.title, body=voa.body)
    assist.suggestions_refresh(article=article)
    nato = FactCheck.objects.create(
        url="https://alliance-checks.example/nato-libya", origin="file",
        claim_reviewed="Twelve NATO members recognize the Libyan opposition group.",
        publisher_name="Alliance Checks", textual_rating="Mostly true")

    log_in(page, "editor")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    item = page.locator(".suggestion", has_text="Twelve of NATO's 28 members")
    expect(item.locator(".suggestion-factchecks")).to_contain_text("Alliance Checks")
    expect(item.locator(".suggestion-factchecks")).to_contain_text("Why it matched:")
    expect(page.locator(".suggestion-factchecks-status")).to_contain_text(
        "compared with the published fact-checks")
    screenshot(page, "already-factchecked-04-suggestions")
    item.get_by_role("button", name="Log as claim and link this fact-check").click()
    expect(page.get_by_text("and linked to the fact-check by Alliance Checks")).to_be_visible()
    claim = Claim.objects.get(article=article)
    assert ClaimFactCheckLink.objects.get(claim=claim).factcheck == nato


def test_the_claimant_typed_on_the_log_form_is_read_with_the_claim(
    page, live_server, log_in, screenshot, tmp_path
):
    """Who made the claim counts: the words "A man stabbed me in my car tonight" find
    nothing worth showing; with "Corey Feldman" typed as the claimant, the panel shows the
    fact-check about him."""
    ensure_demo_users(LoadReport())
    feed = tmp_path / "factchecks.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in [*RECORDS, {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://checks.example/feldman-stabbed",
        "claimReviewed": "Corey Feldman was stabbed by assailants angered by his claims that "
                         "he was a victim of abuse.",
        "name": "Was Actor Corey Feldman Stabbed Over His Claims?",
        "author": {"@type": "Organization", "name": "Snopes"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }]))
    call_command("import_factchecks", str(feed), stdout=io.StringIO())
    feldman = FactCheck.objects.get(url="https://checks.example/feldman-stabbed")
    words = "A man stabbed me in my car tonight"
    article = ArticleFactory(title="Actor in hospital",
                             body=f"The actor posted late at night: \"{words}.\" Police said "
                                  "they were looking into it.")
    log_in(page, "editor")
    page.goto(f"{live_server.url}/articles/{article.pk}/claims/new/?quote={words}")
    page.get_by_label("Claim statement").fill(words)
    panel = page.locator("#log-factchecks")
    expect(panel).to_contain_text("No fact-check found that repeats this claim.")
    claimant = page.get_by_role("combobox", name="Claimant")
    claimant.fill("Corey Feldman")
    # Nobody of that name is on file: adding him is an explicit choice, the list's last option.
    add = page.get_by_role("option", name="Add “Corey Feldman” as a new claimant…")
    expect(add).to_be_visible()
    claimant.press("ArrowUp")
    claimant.press("Enter")
    match = panel.locator(f"#factcheck-match-{feldman.pk}")
    expect(match).to_contain_text("Corey Feldman was stabbed")
    expect(match).to_contain_text("names Corey Feldman, who said it")
    screenshot(page, "already-factchecked-06-claimant")
    expect(page.get_by_label("Claim statement")).to_have_value(words)

    # The form as the page rendered it: saved with the claimant typed, and linked.
    match.get_by_role("button", name="Link this fact-check").click()
    expect(page.get_by_text("and linked to the fact-check by Snopes")).to_be_visible()
    claim = Claim.objects.select_related("claimant").get(article=article)
    assert (claim.statement, claim.quote, claim.claimant.name) == (words, words, "Corey Feldman")
    assert ClaimFactCheckLink.objects.get(claim=claim).factcheck == feldman


def test_enter_in_the_log_form_saves_without_linking(page, live_server, log_in):
    """Enter submits a form with its first submit button: that is Save, not a Link button
    of the panel that appeared above it."""
    ensure_demo_users(LoadReport())
    FactCheck.objects.create(url=FACTCHECK_URL, origin="file", publisher_name="Full Fact",
                             claim_reviewed="The NHS waiting list fell to a record low.")
    article = ArticleFactory(title="Health debate", body=ARTICLE)
    log_in(page, "editor")
    page.goto(f"{live_server.url}/articles/{article.pk}/claims/new/?quote="
              "the NHS waiting list fell to a record low last month")
    page.get_by_label("Claim statement").fill("NHS waiting list at a record low")
    expect(page.locator("#log-factchecks")).to_contain_text("Full Fact")
    page.get_by_label("Claim statement").press("Enter")
    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    assert Claim.objects.filter(statement="NHS waiting list at a record low").exists()
    assert not ClaimFactCheckLink.objects.exists()


def test_without_javascript_an_editor_looks_for_factchecks_and_links_one(
    page_without_javascript, live_server, screenshot, tmp_path
):
    """With JavaScript off, the logging form's panel cannot fill as the editor types: its
    "Look for fact-checks" button asks the server, the form comes back as typed with the
    matches, and "Link this fact-check" saves the claim linked."""
    ensure_demo_users(LoadReport())
    feed = tmp_path / "factchecks.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in RECORDS))
    call_command("import_factchecks", str(feed), stdout=io.StringIO())
    article = ArticleFactory(title="Health debate", body=ARTICLE)
    page = page_without_javascript()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.get_by_role("button", name="Log claim").click()
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()
    page.get_by_label("Quote").fill("the NHS waiting list fell to a record low last month")
    page.get_by_label("Claim statement").fill("Waiting list at a record low")
    page.get_by_role("button", name="Look for fact-checks").click()

    panel = page.locator("#log-factchecks")
    expect(panel).to_contain_text("Full Fact")
    expect(page.get_by_label("Claim statement")).to_have_value("Waiting list at a record low")
    assert not Claim.objects.exists()
    screenshot(page, "already-factchecked-05-no-javascript")
    panel.get_by_role("button", name="Link this fact-check").first.click()

    expect(page.get_by_role("heading", name="Waiting list at a record low")).to_be_visible()
    claim = Claim.objects.get()
    assert claim.quote == "the NHS waiting list fell to a record low last month"
    assert ClaimFactCheckLink.objects.get(claim=claim).factcheck.url == FACTCHECK_URL
