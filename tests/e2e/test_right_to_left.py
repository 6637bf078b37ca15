"""Right-to-left text where people wrote it: an Arabic paragraph in an article, an Arabic
claim, its quote, an evidence note and a verdict's summary and rationale are laid out right
to left, on the desk and on the public page: right-aligned, the full stop at the sentence's
end (its left), as a reader of Arabic expects. An English paragraph beside stays left."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.choices import ClaimStatus
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e

ENGLISH = "The minister spoke to parliament on Tuesday."
QUOTE = "ارتفعت البطالة بنسبة ثلاثة في المئة."  # "Unemployment rose by three per cent."
STATEMENT = "البطالة ارتفعت في العام الماضي."  # "Unemployment rose last year."
NOTE = "تقرير مكتب الإحصاء يؤكد الارتفاع."  # "The statistics office's report confirms it."
SUMMARY = "الرقم صحيح وفق الإحصاءات."  # "The figure is right according to the statistics."
RATIONALE = "يظهر الجدول الرابع ارتفاعا واضحا."  # "Table four shows a clear rise."

# Where a phrase sits: the right edge of its line box and of its block, and whether its last
# character (the full stop) is drawn left of its first letter, as right-to-left text puts it.
LAYOUT = """([selector, phrase]) => {
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const i = node.data.indexOf(phrase);
      if (i < 0) continue;
      const range = document.createRange();
      const rect = (a, b) => { range.setStart(node, a); range.setEnd(node, b);
                               return range.getBoundingClientRect(); };
      const first = rect(i, i + 1), last = rect(i + phrase.length - 1, i + phrase.length);
      const whole = rect(i, i + phrase.length);
      let block = node.parentElement;
      while (getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
      const box = block.getBoundingClientRect(), css = getComputedStyle(block);
      return {textLeft: whole.left, textRight: whole.right,
              blockLeft: box.left + parseFloat(css.paddingLeft) + parseFloat(css.borderLeftWidth),
              blockRight: box.right - parseFloat(css.paddingRight)
                          - parseFloat(css.borderRightWidth),
              stopLeftOfFirst: last.right <= first.left + 1};
    }
  }
  return null;
}"""


def assert_right_to_left(page, selector: str, phrase: str, *, inline: bool = False) -> None:
    """The phrase reads right to left; unless it is inline in a line of the page's own
    words (a summary beside its rating badge), its block is aligned right too."""
    layout = page.evaluate(LAYOUT, [selector, phrase])
    assert layout, f"{phrase!r} is not in {selector}"
    if not inline:
        assert abs(layout["blockRight"] - layout["textRight"]) <= 3, (
            f"{selector}: right-to-left text is not aligned right: {layout}")
    assert layout["stopLeftOfFirst"], f"{selector}: the full stop is on the wrong side: {layout}"


def assert_left_to_right(page, selector: str, phrase: str) -> None:
    layout = page.evaluate(LAYOUT, [selector, phrase])
    assert layout, f"{phrase!r} is not in {selector}"
    assert abs(layout["textLeft"] - layout["blockLeft"]) <= 3, (
        f"{selector}: left-to-right text is not aligned left: {layout}")


def test_right_to_left_text_reads_right_to_left_on_desk_and_public_pages(
        page, live_server, log_in, screenshot):
    from claims.demo import LoadReport, ensure_demo_users

    ensure_demo_users(LoadReport())
    article = ArticleFactory(title="جلسة البرلمان", body=f"{ENGLISH}\n\n{QUOTE}\n")
    claim = ClaimFactory(article=article, quote=QUOTE, statement=STATEMENT,
                         status=ClaimStatus.PUBLISHED)
    evidence = EvidenceFactory(claim=claim, note=NOTE)
    verdict = PublishedVerdictFactory(claim=claim, summary=SUMMARY, rationale=RATIONALE,
                                      author=UserFactory(), reviewer=UserFactory())
    verdict.evidence.add(evidence)

    log_in(page, "editor")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("#article-body")).to_contain_text(QUOTE)
    screenshot(page, "rtl-article")
    # Each paragraph takes its own direction: the English one stays left.
    assert_left_to_right(page, "#article-body", ENGLISH)
    assert_right_to_left(page, "#article-body", QUOTE)
    assert_right_to_left(page, "h1", "جلسة البرلمان")

    page.goto(live_server.url + claim.get_absolute_url())
    expect(page.get_by_role("heading", name=STATEMENT)).to_be_visible()
    screenshot(page, "rtl-claim")
    assert_right_to_left(page, "h1", STATEMENT)
    assert_right_to_left(page, ".quote-context blockquote", QUOTE)
    assert_right_to_left(page, "#evidence", NOTE)
    assert_right_to_left(page, "[data-testid=verdict-summary]", SUMMARY, inline=True)
    assert_right_to_left(page, ".verdict-rationale", RATIONALE)
    # What an editor types follows its own direction too: the correction form, which comes
    # when its fold opens, starts from the statement readers see.
    page.locator("#correction summary").click()
    statement_box = page.locator("#correction").get_by_label("Claim statement")
    expect(statement_box).to_have_value(STATEMENT)
    assert statement_box.evaluate("el => el.matches(':dir(rtl)')")
    page.get_by_text("Add an evidence note", exact=True).click()
    note_box = page.get_by_role("form", name="Add evidence").get_by_label("Note")
    note_box.fill(NOTE)
    assert note_box.evaluate("el => el.matches(':dir(rtl)')")

    page.goto(live_server.url + "/claims/")
    assert_right_to_left(page, "#claims-table td", STATEMENT)

    page.goto(f"{live_server.url}/fact-checks/{claim.pk}/")
    expect(page.get_by_test_id("summary")).to_have_text(SUMMARY)
    screenshot(page, "rtl-public")
    assert_right_to_left(page, "h1", STATEMENT)
    assert_right_to_left(page, "blockquote", f"“{QUOTE}”")
    assert_right_to_left(page, "[data-testid=summary]", SUMMARY, inline=True)
    assert_right_to_left(page, "[data-testid=rationale]", RATIONALE)
    assert_right_to_left(page, "ol li div", NOTE)
