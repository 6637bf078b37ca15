"""The editor's day in a real browser: log in, add an article, log a claim by selecting its
words with the mouse, attach a source that a real Celery worker fetches from a local HTTP
server while the page watches, add evidence, and filter the claims table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Evidence
from tests.localserver import Response

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

ARTICLE_TEXT = (
    "Budget day brought cheers in parliament. “We have turned the corner,” the minister said. "
    "Asked about the strikes 🚆 on the railways, she added that the end is in sight for "
    "commuters, and that unemployment fell by 12 per cent last year.\n\n"
    "Union leaders said the figures were misleading."
)

SOURCE_PAGE = """<!doctype html><html><head><title>Rail strike talks: latest</title></head>
<body><article><h1>Rail strike talks: latest</h1>
<p>Talks between the unions and the operators broke down again on Monday, and no new
dates for negotiations have been set. Both sides said they expected the dispute to
continue for several more weeks.</p>
<p>The transport secretary declined to say when the strikes would end.</p>
</article></body></html>"""


def select_text(page, container_selector: str, phrase: str) -> None:
    """Select `phrase` inside the container with a real mouse drag (down, move, up)."""
    box = page.evaluate(
        """([selector, phrase]) => {
          const root = document.querySelector(selector);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const i = node.data.indexOf(phrase);
            if (i < 0) continue;
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, i + phrase.length - 1); range.setEnd(node, i + phrase.length);
            const last = range.getBoundingClientRect();
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
          }
          return null;
        }""",
        [container_selector, phrase],
    )
    assert box, f"{phrase!r} not found in the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_editor_logs_a_claim_attaches_a_source_and_filters(
    page, live_server, celery_worker, local_server, log_in, screenshot
):
    from claims.demo import load_demo

    load_demo()
    local_server.route("/rail-talks", Response.html(SOURCE_PAGE))

    log_in(page, "editor")
    expect(page.get_by_text("Signed in as")).to_contain_text("Erin Editor")
    screenshot(page, "01-dashboard")

    # Add an article by pasting its text.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Articles"
    ).click()
    paste = page.get_by_role("form", name="Paste the text")
    paste.get_by_label("Title").fill("Budget day: minister says strikes nearly over")
    paste.get_by_label("Outlet").fill("Example Times")
    paste.get_by_label("Article text").fill(ARTICLE_TEXT)
    screenshot(page, "02-articles")
    paste.get_by_role("button", name="Add pasted article").click()
    expect(
        page.get_by_role("heading", name="Budget day: minister says strikes nearly over")
    ).to_be_visible()

    # Select the words with the mouse and log the claim.
    select_text(page, "#article-body", "the end is in sight")
    expect(page.locator("#log-claim-hint")).to_contain_text("the end is in sight")
    # The page computed code-point offsets (the 🚆 before the words is 2 UTF-16 units, 1 code
    # point), so the server anchors the selection itself rather than searching for the words.
    start = ARTICLE_TEXT.index("the end is in sight")
    assert page.locator("#log-claim-start").input_value() == str(start)
    assert page.locator("#log-claim-end").input_value() == str(start + len("the end is in sight"))
    page.get_by_role("button", name="Log claim").click()
    expect(page.get_by_role("heading", name="Log a claim")).to_be_visible()
    expect(page.get_by_label("Quote")).to_have_value("the end is in sight")

    # The claimant is new: type the name; adding them is an explicit choice, then their role.
    name = page.get_by_role("combobox", name="Claimant", exact=True)
    name.press_sequentially("Jo Transport")
    page.get_by_role("option", name="Add “Jo Transport” as a new claimant…").click()
    expect(page.get_by_role("radio", name="Person")).to_be_checked()
    page.get_by_label("Role or title").fill("Transport Minister")
    page.get_by_label("Organisation", exact=True).last.fill("Government")
    page.get_by_label("Claim statement").fill("The rail strikes are nearly over")
    page.get_by_label("Tags").fill("transport, strikes")
    screenshot(page, "03-log-claim")
    page.get_by_role("button", name="Save claim").click()

    # Back on the article, the claim's words are highlighted.
    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    mark = page.locator("#article-body mark")
    expect(mark).to_have_text("the end is in sight")
    claim = Claim.objects.get(statement="The rail strikes are nearly over")
    # Offsets are code points: the 🚆 before the quote counts once, as in Python.
    assert claim.article.body[claim.anchor_start : claim.anchor_end] == "the end is in sight"
    assert (claim.claimant.name, claim.claimant.role, claim.claimant.kind) == (
        "Jo Transport", "Transport Minister", "person")
    screenshot(page, "04-article")

    # The claim page: attach a source served locally and watch it being fetched, live.
    page.get_by_role("link", name="The rail strikes are nearly over").click()
    expect(page.get_by_role("heading", name="The rail strikes are nearly over")).to_be_visible()
    page.get_by_text("Attach a source", exact=True).click()  # the form is folded
    page.get_by_label("Source URL").fill(local_server.url("/rail-talks"))
    page.get_by_role("button", name="Attach source").click()
    sources = page.locator("#sources")
    # The link names the URL until the fetch has read the page's title; a quick worker may
    # already be done.
    expect(sources.get_by_role("link", name=re.compile("127.0.0.1|rail-talks|Rail strike talks"))
           ).to_be_visible()
    page.evaluate("window.__stillTheSamePage = true")
    expect(sources.get_by_role("status")).to_contain_text("Fetched", timeout=30_000)
    assert page.evaluate("window.__stillTheSamePage") is True  # no reload: htmx polled
    assert local_server.hits("/rail-talks") >= 1

    # Add an evidence note inline.
    page.get_by_text("Add an evidence note", exact=True).click()  # the form is folded
    evidence_form = page.get_by_role("form", name="Add evidence")
    evidence_form.get_by_label("Stance").select_option(label="Refutes")
    evidence_form.get_by_label("Note").fill("Talks broke down on Monday; no end date is in sight.")
    evidence_form.get_by_label("Excerpt").fill("no new dates for negotiations have been set")
    evidence_form.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Evidence added.")).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text("Talks broke down on Monday")
    assert page.evaluate("window.__stillTheSamePage") is True
    assert Evidence.objects.filter(claim=claim, note__startswith="Talks broke down").exists()
    page.reload()
    expect(page.locator("#evidence")).to_contain_text("Talks broke down on Monday")
    screenshot(page, "05-claim")

    # The source page shows the capture and the extracted text.
    sources.get_by_role("link", name=re.compile("Rail strike talks")).click()
    expect(page.get_by_label("Text extracted from the latest capture")).to_contain_text(
        "Talks between the unions"
    )
    expect(page.get_by_role("link", name=re.compile("Download snapshot"))).to_be_visible()
    screenshot(page, "06-source")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Sources"
    ).click()
    expect(page.locator("#sources-table")).to_contain_text("Rail strike talks")
    screenshot(page, "07-sources")

    # The claims table: filter by claimant, then by text, without reloading.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Claims"
    ).click()
    table = page.locator("#claims-table")
    expect(table).to_contain_text("The rail strikes are nearly over")
    demo_rows = table.locator("tbody tr").count()
    assert demo_rows > 1
    page.evaluate("window.__stillTheSamePage = true")
    filters = page.get_by_role("search", name="Filter claims")
    # Thousands of claimants: the filter finds one by name rather than listing them all.
    filters.get_by_label("Find a claimant").fill("Jo Tran")
    filters.get_by_role("link", name="Claims by Jo Transport").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("The rail strikes are nearly over")
    expect(filters.get_by_label("Claimant", exact=True)).to_have_value(str(claim.claimant_id))
    assert f"claimant={claim.claimant_id}" in page.url
    screenshot(page, "08-claims-by-claimant")
    filters = page.get_by_role("search", name="Filter claims")  # swapped in by htmx
    filters.get_by_label("Claimant", exact=True).select_option(label="Anyone")
    expect(table.locator("tbody tr")).to_have_count(demo_rows)
    filters.get_by_label("Search").fill("strikes nearly")
    filters.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=strikes"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("The rail strikes are nearly over")
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "09-claims-search")


ARTICLE_PAGE = """<!doctype html><html><head><title>Minister: strikes nearly over</title></head>
<body><article><h1>Minister: strikes nearly over</h1>
<p>The transport minister told parliament on Tuesday that the end is in sight for the rail
strikes that have disrupted commuters for three months.</p>
<p>Union leaders said no agreement had been reached and that further walkouts were planned
for the coming weeks, contradicting the minister's account of the negotiations.</p>
</article></body></html>"""


def test_editor_adds_an_article_by_url_and_sees_it_arrive(
    page, live_server, celery_worker, local_server, log_in, screenshot
):
    from claims.demo import LoadReport, ensure_demo_users

    ensure_demo_users(LoadReport())
    local_server.route("/news/strikes", Response.html(ARTICLE_PAGE, delay=1.0))
    log_in(page, "editor")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Articles"
    ).click()
    by_url = page.get_by_role("form", name="Fetch from a URL")
    by_url.get_by_label("Article URL").fill(local_server.url("/news/strikes"))
    by_url.get_by_role("button", name="Fetch article").click()
    # The article page waits for the worker, then shows the text without the editor reloading.
    expect(page.locator("#article-status")).to_be_visible()
    expect(page.locator("#article-body")).to_contain_text("the end is in sight", timeout=30_000)
    expect(page.get_by_role("heading", name="Minister: strikes nearly over")).to_be_visible()
    screenshot(page, "10-article-from-url")


def test_editor_changes_a_claims_claimant_by_name(page, live_server, log_in, screenshot):
    """The claim edit form picks the claimant as the log form does: type, choose a
    suggestion, save. A desk has thousands of claimants; the page never lists them all."""
    from django.contrib.auth.models import Group

    from claims.models import Claimant
    from tests.factories import ClaimantFactory, ClaimFactory, UserFactory

    editor = UserFactory(username="edna", first_name="Edna", last_name="Editor")
    editor.set_password("correct horse battery")
    editor.save()
    editor.groups.add(Group.objects.get(name="Editors"))
    claim = ClaimFactory(statement="Twelve of NATO's 28 members recognise the NTC")
    wanted = ClaimantFactory(name="Anders Fogh Rasmussen", organisation="NATO")
    ClaimantFactory.create_batch(5)

    log_in(page, "edna", "correct horse battery")
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_text("Edit the statement, claimant, date or tags").click()  # folded
    edit = page.locator("#claimant-picker")
    name = edit.get_by_role("combobox", name="Claimant")
    expect(name).to_have_value(claim.claimant.name)
    name.fill("fogh")
    edit.get_by_role("option", name=re.compile("Anders Fogh Rasmussen")).click()
    expect(name).to_have_value("Anders Fogh Rasmussen")
    expect(edit.get_by_text("Chosen: Anders Fogh Rasmussen")).to_be_visible()
    screenshot(page, "10-claim-edit-claimant")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Claim saved.")).to_be_visible()
    claim.refresh_from_db()
    assert claim.claimant == wanted

    # A name nobody has yet: adding it is an explicit choice, the list's last option.
    page.get_by_text("Edit the statement, claimant, date or tags").click()
    name = page.locator("#claimant-picker").get_by_role("combobox", name="Claimant")
    name.fill("Mahmoud Jibril")
    page.get_by_role("option", name="Add “Mahmoud Jibril” as a new claimant…").click()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Claim saved.")).to_be_visible()
    claim.refresh_from_db()
    assert claim.claimant.name == "Mahmoud Jibril"
    assert Claimant.objects.filter(name="Mahmoud Jibril").count() == 1
