"""Every edit form of the desk, round-tripped in a real browser: open it on an object whose
every field is filled, send it back as the page rendered it, and check that neither the
object nor its history changed. This is the test that would have caught the claim date
erased by "Save changes" (a date input rendered as 15/10/2019, which browsers cannot read).

Forms that create (log a claim, add an article) are round-tripped through a refusal: every
field filled, one of them wrong, the form re-rendered, only that one corrected; what is
saved is everything that was typed."""

from __future__ import annotations

import datetime

import pytest
from django.forms.models import model_to_dict
from playwright.sync_api import expect

from claims.choices import ClaimStatus, SourceStatus, VerdictState
from claims.demo import LoadReport, ensure_demo_users
from claims.models import Article, Claim, Claimant, Evidence, Source, Verdict
from claims.services.claims import tags_from_names
from claims.services.verdicts import verdict_save_draft, verdict_submit
from tests.e2e.helpers import unfold
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, default_rating
from tests.verdict_setup import captured_source_evidence

pytestmark = pytest.mark.e2e

ARTICLE_DATE = datetime.date(2019, 10, 15)
CLAIM_DATE = datetime.date(2019, 10, 12)


def state(obj) -> dict:
    """Everything stored about a row: its fields, many-to-many links, last change and
    history rows (django-simple-history)."""
    obj = type(obj).objects.get(pk=obj.pk)
    data = model_to_dict(obj)
    for name, value in data.items():
        if isinstance(value, list):
            data[name] = sorted(item.pk for item in value)
    data["updated_at"] = obj.updated_at
    if hasattr(obj, "history"):
        data["history"] = list(obj.history.values_list("history_id", flat=True))
    return data


@pytest.fixture
def full_claim(transactional_db):
    """A claim with every field filled: claimant, date, status, assignee, tags, evidence on a
    captured source (stance, multi-line note, excerpt) and a draft verdict citing it."""
    users = ensure_demo_users(LoadReport())
    editor = users["editor"]
    article = ArticleFactory(
        title="Budget day", outlet="Example Times", author="A. Reporter",
        url="https://example.org/budget", published_on=ARTICLE_DATE,
    )
    claim = ClaimFactory(
        article=article, claimant=ClaimantFactory(name="Jane Minister"),
        claimed_on=CLAIM_DATE, status=ClaimStatus.RESEARCHING, assignee=editor,
    )
    claim.tags.set(tags_from_names(["jobs", "economy"]))
    evidence = captured_source_evidence(claim)
    Evidence.objects.filter(pk=evidence.pk).update(
        note="The office reports a rise.\nSee table 3.", excerpt="Unemployment rose by 3%."
    )
    Source.objects.filter(pk=evidence.source_id).update(status=SourceStatus.FETCHED)
    verdict = verdict_save_draft(
        claim=claim, user=editor, lock_version=None, rating=default_rating("false"),
        summary="It rose; it did not fall.",
        rationale="The statistics office reports a **rise**.\n\nTable 3 shows it.",
        evidence=[evidence],
    )
    claim.refresh_from_db()
    return {"claim": claim, "evidence": evidence, "verdict": verdict, "users": users}


def test_claim_page_forms_sent_back_untouched_change_nothing(
    page, live_server, log_in, screenshot, full_claim
):
    claim, evidence, verdict = full_claim["claim"], full_claim["evidence"], full_claim["verdict"]
    log_in(page, "editor")
    url = f"{live_server.url}{claim.get_absolute_url()}"
    before = {"claim": state(claim), "evidence": state(evidence), "verdict": state(verdict)}

    def unchanged(form_name):
        after = {"claim": state(claim), "evidence": state(evidence),
                 "verdict": state(verdict)}
        for what in before:
            assert after[what] == before[what], f"{form_name} changed the {what}"

    page.goto(url)
    unfold(page, "Edit the statement, claimant, date or tags")
    edit = page.locator("#edit form")
    screenshot(page, "round-trip-claim-page")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Claim saved.")).to_be_visible()
    unchanged("Edit claim")

    unfold(page, "Change status")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Status set to researching.")).to_be_visible()
    unchanged("Workflow (status)")

    unfold(page, "Change assignee")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Claim assigned to Erin Editor.")).to_be_visible()
    unchanged("Assignment")

    # The citation's "Edit" shows what is stored: sent back as shown, it changes nothing.
    item = page.locator(f"#evidence-{evidence.pk}")
    item.locator("summary", has_text="Edit").click()
    edit = item.get_by_role("form")
    expect(edit.get_by_label("Note")).to_have_value("The office reports a rise.\nSee table 3.")
    edit.get_by_role("button", name="Update evidence").click()
    expect(page.get_by_text("Nothing changed: the citation of")).to_be_visible()
    unchanged("Edit evidence")

    # "Add evidence" starts empty: pressed as shown, it adds nothing and says so.
    unfold(page, "Add an evidence note")
    add = page.get_by_role("form", name="Add evidence")
    expect(add.get_by_label("Note")).to_have_value("")
    with page.expect_response(lambda r: r.url.endswith("/evidence/")) as answer:
        add.get_by_role("button", name="Add evidence").click()
    assert answer.value.status == 400
    expect(add.get_by_text("Nothing was added.")).to_be_visible()
    assert Evidence.objects.filter(claim=claim).count() == 1
    unchanged("Add evidence")

    unfold(page, "Edit the verdict")
    panel = page.locator("#verdict")
    expect(panel.get_by_label("Rationale")).to_have_value(
        "The statistics office reports a **rise**.\n\nTable 3 shows it.")
    panel.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    unchanged("Save draft")
    screenshot(page, "round-trip-claim-page-after")


def test_reviewer_actions_sent_back_untouched_change_nothing(
    browser, live_server, log_in, screenshot, full_claim
):
    claim, verdict = full_claim["claim"], full_claim["verdict"]
    editor = full_claim["users"]["editor"]
    verdict = verdict_submit(verdict=verdict, user=editor)
    before = {"claim": state(claim), "verdict": state(verdict)}
    page = browser.new_context().new_page()
    log_in(page, "reviewer")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    send_back = page.locator("form", has=page.get_by_role(
        "button", name="Send back for changes"))
    # As rendered: the browser asks for the comment and sends nothing.
    send_back.get_by_role("button", name="Send back for changes").click()
    expect(send_back.get_by_label("What needs to change?")).to_have_js_property(
        "validity.valueMissing", True)
    # Sent anyway (a browser without form validation): the desk refuses, in words.
    send_back.evaluate("form => form.noValidate = true")
    send_back.get_by_role("button", name="Send back for changes").click()
    expect(page.get_by_text("Say what needs to change before sending it back.")).to_be_visible()
    screenshot(page, "round-trip-reviewer")
    assert {"claim": state(claim), "verdict": state(verdict)} == before
    assert Verdict.objects.get(pk=verdict.pk).state == VerdictState.SUBMITTED


def test_log_claim_form_keeps_everything_typed_through_a_refusal(
    page, live_server, log_in, screenshot, full_claim
):
    article = full_claim["claim"].article
    quote = "unemployment fell by 12 per cent last year"
    start = article.body.index(quote)
    log_in(page, "editor")
    page.goto(f"{live_server.url}/articles/{article.pk}/claims/new/"
              f"?quote={quote}&start={start}&end={start + len(quote)}")
    form = page.locator("#claim-log-form")
    # The article's date is offered, readable by the date input.
    expect(form.get_by_label("Date claimed")).to_have_value("2019-10-15")
    form.get_by_role("combobox", name="Claimant", exact=True).press_sequentially(
        "Olu Spokesperson")
    form.get_by_role("option", name="Add “Olu Spokesperson” as a new claimant…").click()
    form.get_by_label("Role or title").fill("Spokesperson")
    form.get_by_label("Organisation", exact=True).last.fill("Ministry of Labour")
    form.get_by_label("Date claimed").fill("2019-10-11")
    form.get_by_label("Tags").fill("jobs, budget")
    form.get_by_role("button", name="Save claim").click()  # no statement yet: refused
    expect(form.get_by_text("This field is required.")).to_be_visible()
    screenshot(page, "round-trip-claim-log-refused")
    for label, value in [("Role or title", "Spokesperson"), ("Date claimed", "2019-10-11"),
                         ("Tags", "jobs, budget")]:
        expect(form.get_by_label(label)).to_have_value(value)
    expect(form.get_by_label("Add this name as a new claimant")).to_be_checked()
    form.get_by_label("Claim statement").fill("Unemployment fell 12% last year")
    form.get_by_role("button", name="Save claim").click()
    # The desk already holds a claim on these words: it says so before saving, keeping all.
    expect(page.get_by_role("heading", name="This claim may already be logged: nothing was "
                                             "saved yet")).to_be_visible()
    for label, value in [("Role or title", "Spokesperson"), ("Date claimed", "2019-10-11"),
                         ("Tags", "jobs, budget"),
                         ("Claim statement", "Unemployment fell 12% last year")]:
        expect(form.get_by_label(label)).to_have_value(value)
    form.get_by_label("Save anyway as a separate claim").check()
    form.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("status").filter(has_text="logged")).to_be_visible()
    claim = Claim.objects.get(statement="Unemployment fell 12% last year")
    assert claim.claimed_on == datetime.date(2019, 10, 11)
    assert claim.claimant == Claimant.objects.get(name="Olu Spokesperson")
    assert claim.claimant.organisation == "Ministry of Labour"
    assert sorted(t.name for t in claim.tags.all()) == ["budget", "jobs"]
    assert (claim.anchor_start, claim.quote) == (start, quote)


def test_article_form_keeps_everything_typed_through_a_refusal(
    page, live_server, log_in, screenshot, full_claim
):
    log_in(page, "editor")
    page.goto(f"{live_server.url}/articles/")
    paste = page.get_by_role("form", name="Paste the text")
    typed = {"Title": "Rail strikes end", "Outlet": "The Courier", "Author": "R. Writer",
             "Published": "2019-10-14", "Original URL": "not a url at all",
             "Article text": "The minister said the strikes are over.\nUnions disagree."}
    for label, value in typed.items():
        paste.get_by_label(label).fill(value)
    paste.get_by_role("button", name="Add pasted article").click()
    paste = page.get_by_role("form", name="Paste the text")
    expect(paste.get_by_text("Enter a valid URL.")).to_be_visible()
    screenshot(page, "round-trip-article-refused")
    for label, value in typed.items():
        expect(paste.get_by_label(label)).to_have_value(value)
    paste.get_by_label("Original URL").fill("https://example.org/rail")
    paste.get_by_role("button", name="Add pasted article").click()
    expect(page.get_by_text("Article “Rail strikes end” added.")).to_be_visible()
    article = Article.objects.get(title="Rail strikes end")
    assert (article.outlet, article.author, article.published_on, article.url) == (
        "The Courier", "R. Writer", datetime.date(2019, 10, 14), "https://example.org/rail")
    assert article.body == "The minister said the strikes are over.\nUnions disagree."


def test_report_form_sent_back_untouched_keeps_its_dates(
    page, live_server, log_in, screenshot, full_claim
):
    log_in(page, "editor")
    # A report request the form refuses (no claim chosen) comes back with every field kept.
    page.goto(f"{live_server.url}/reports/?scope=claim&since=2019-10-01&until=2019-10-31"
              "&format=html")
    expect(page.get_by_label("Published from")).to_have_value("2019-10-01")
    expect(page.get_by_label("Published until")).to_have_value("2019-10-31")
    screenshot(page, "round-trip-report-form")
    page.get_by_label("Published in a date range").check()
    with page.expect_navigation():
        page.locator("form").filter(has=page.get_by_label("Published from")).locator(
            "button[type=submit]").first.click()
    assert "since=2019-10-01" in page.url and "until=2019-10-31" in page.url
