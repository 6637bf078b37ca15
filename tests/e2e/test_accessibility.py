"""Every desk page and every public page, checked by axe-core in a real browser: no serious
or critical violation. axe's script ships inside the axe-playwright-python wheel, so nothing
is fetched; Playwright injects it over the DevTools protocol, which the CSP does not block.

Each page is listed below by what it is; a page that needs data (a claim, a source, a
verdict) gets it from the demo desk, which has a claim in every workflow state."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from claims.choices import VerdictState
from claims.models import Article, Claim, Source, Verdict

pytestmark = pytest.mark.e2e

# The impacts a page may not have; "moderate" and "minor" are reported but do not fail.
BLOCKING = {"serious", "critical"}

AXE = Axe()


DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) { seen[el.id] = (seen[el.id] || 0) + 1; }
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, in words, and
    any id used twice: axe 4 no longer checks that, yet a label whose `for` names a shared id
    labels the first control twice and the second not at all (the claims table's filters
    read "Status New status" and the bulk-action selects had no name)."""
    results = AXE.run(page)
    found = []
    if duplicated := page.evaluate(DUPLICATE_IDS):
        found.append(f"duplicate-id (serious): ids used more than once: {duplicated}")
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        found.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}"
                     f" nodes): {violation['help']} at {targets}")
    return found


def check_pages(page, base_url: str, pages: list[tuple[str, str, str]], screenshot) -> dict:
    """Visit each (name, path, heading) page, wait for its heading, screenshot it and collect
    what axe finds. Every page is checked before the test fails, so one run lists them all."""
    problems = {}
    for name, path, heading in pages:
        response = page.goto(base_url + path)
        assert response is not None and response.status < 500, f"{name}: {path}"
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        screenshot(page, f"a11y-{name}")
        # Folded forms are checked too: axe skips what is hidden.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        found = blocking_violations(page)
        if found:
            problems[f"{name} ({path})"] = found
    return problems


def report(problems: dict) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items())


@pytest.fixture
def demo_desk(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    return {
        "article": Article.objects.order_by("pk").first(),
        "claim": Claim.objects.filter(evidence__isnull=False).order_by("pk").first(),
        "source": Source.objects.order_by("pk").first(),
        "published": Verdict.objects.filter(state=VerdictState.PUBLISHED).order_by("pk").first(),
        "submitted": Verdict.objects.filter(state=VerdictState.SUBMITTED).get(),
        "draft": Verdict.objects.filter(state=VerdictState.DRAFT).get(),
    }


def test_desk_pages_have_no_serious_accessibility_violations(page, live_server, log_in,
                                                             demo_desk, screenshot):
    log_in(page, "admin")  # sees every page: an editor, a reviewer and staff
    article, claim, source = demo_desk["article"], demo_desk["claim"], demo_desk["source"]
    submitted = demo_desk["submitted"].claim
    pages = [
        ("dashboard", "/", "Dashboard"),
        ("articles", "/articles/", "Articles"),
        ("article", article.get_absolute_url(), article.title),
        ("claims", "/claims/", "Claims"),
        ("claim", claim.get_absolute_url(), claim.statement),
        ("claim-in-review", submitted.get_absolute_url(), submitted.statement),
        ("claim-log", f"/articles/{article.pk}/claims/new/", "Log a claim"),
        ("sources", "/sources/", "Sources"),
        ("source", source.get_absolute_url(), str(source.title or source.url)),
        ("review-queue", "/review/", "Review queue"),
        ("reports", "/reports/", "Reports"),
        ("notifications", "/notifications/", "Notifications"),
    ]
    problems = check_pages(page, live_server.url, pages, screenshot)

    # Pages a form leads to: the article form with its errors (what "add" answers), and the
    # verdict edit page (what saving a draft with errors answers).
    page.goto(live_server.url + "/articles/")
    paste = page.get_by_role("form", name="Paste the text")
    paste.get_by_role("button", name="Add pasted article").click()
    expect(page.get_by_role("heading", name="Articles").first).to_be_visible()
    screenshot(page, "a11y-article-add-errors")
    if found := blocking_violations(page):
        problems["article add with errors"] = found

    draft = demo_desk["draft"].claim
    page.goto(live_server.url + draft.get_absolute_url())
    page.locator("#verdict").get_by_text("Edit the verdict", exact=True).click()
    summary = page.locator("#verdict").get_by_label("One-line summary")
    summary.evaluate("input => input.removeAttribute('maxlength')")
    summary.fill("Too long. " * 40)  # the form allows 300 characters
    page.locator("#verdict").get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Verdict on")).to_be_visible()
    screenshot(page, "a11y-verdict-edit")
    if found := blocking_violations(page):
        problems["verdict edit"] = found

    assert not problems, "axe-core found serious or critical violations:\n" + report(problems)


def test_public_pages_and_login_have_no_serious_accessibility_violations(
        page, live_server, demo_desk, screenshot):
    published = demo_desk["published"]
    pages = [
        ("login", "/login/", "Log in"),
        ("public-list", "/fact-checks/", "Fact-checks"),
        ("public-detail", f"/fact-checks/{published.claim_id}/", published.claim.statement),
        ("public-corrections", "/fact-checks/corrections/", "Corrections"),
        ("public-methodology", "/fact-checks/methodology/", "How we fact-check"),
    ]
    problems = check_pages(page, live_server.url, pages, screenshot)
    assert not problems, "axe-core found serious or critical violations:\n" + report(problems)


def test_admin_pages_have_no_serious_accessibility_violations(page, live_server, log_in,
                                                              demo_desk, screenshot):
    log_in(page, "admin")
    claim = demo_desk["claim"]
    pages = [
        ("admin-index", "/admin/", "Desk records"),
        ("admin-claim", f"/admin/claims/claim/{claim.pk}/change/", "Change claim"),
    ]
    problems = check_pages(page, live_server.url, pages, screenshot)
    assert not problems, "axe-core found serious or critical violations:\n" + report(problems)


def test_admin_claim_change_page_fits_a_1280_px_window(page, live_server, log_in, demo_desk,
                                                       screenshot):
    """The evidence inline used to make the page 1,919 px wide: nothing may scroll sideways
    in a laptop's window."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "admin")
    claim = demo_desk["claim"]
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    expect(page.get_by_role("heading", name="Evidence", exact=False).first).to_be_visible()
    screenshot(page, "admin-claim-1280")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the admin claim page is {width} px wide in a 1,280 px window"


def test_claims_table_controls_each_have_one_name(page, live_server, log_in, demo_desk):
    """Screen readers heard "Status New status" and "Assignee Assignee" on the filters, and
    nothing for the bulk-action selects: each control now has exactly its own label."""
    log_in(page, "admin")
    page.goto(f"{live_server.url}/claims/")
    filters = page.get_by_role("search", name="Filter claims")
    for name in ("Status", "Assignee", "Rating", "Tag", "Article"):
        expect(filters.get_by_role("combobox", name=name, exact=True)).to_have_count(1)
    bulk = page.get_by_role("form", name="Bulk actions on the selected claims")
    for name in ("Bulk action", "Assignee", "New status"):
        expect(bulk.get_by_role("combobox", name=name, exact=True)).to_have_count(1)
    expect(page.get_by_role("combobox", name="Status New status")).to_have_count(0)
    # "Export this view" names the group of formats; it is not a (disabled) button.
    exports = page.get_by_role("group", name="Export this view:")
    expect(exports.get_by_role("link")).to_have_count(4)
    expect(page.get_by_role("button", name="Export this view")).to_have_count(0)
    expect(page.locator(".disabled")).to_have_count(0)
