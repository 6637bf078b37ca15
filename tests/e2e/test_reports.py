"""The verdict report in a real browser: the Reports page leads to a report whose chart,
badges and sources table render, on screen and with the print stylesheet. Chromium and the
async-unsafe flag come from tests/e2e/conftest.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.factories import (
    ArticleFactory,
    CaptureFactory,
    ClaimantFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def report_desk():
    article = ArticleFactory(title="Budget speech to parliament", outlet="Example Times",
                             url="https://news.example/budget", published_on=date(2026, 4, 1))
    minister = ClaimantFactory(name="Jane Roe", role="Finance Minister", organisation="Government")
    ratings = ["false", "mostly-true", "false", "half-true", "unverifiable"]
    statements = [
        "Unemployment fell by 12% last year",
        "Exports doubled since 2020",
        "Crime is at a 50-year low",
        "Half of new jobs went to young people",
        "Ministers never saw the report",
    ]
    for i, (slug, statement) in enumerate(zip(ratings, statements, strict=True)):
        claim = ClaimFactory(article=article, claimant=minister, statement=statement)
        verdict = PublishedVerdictFactory(
            claim=claim, rating=default_rating(slug),
            summary=f"Summary {i}: what the figures say.",
            rationale="Official statistics show the opposite. See **table 4** of the "
                      "[labour survey](https://stats.example/labour).",
        )
        source = SourceFactory(url=f"https://stats.example/table-{i}",
                               title=f"Statistics table {i}")
        # The published verdict cites it: a report lists what readers can follow.
        verdict.evidence.add(EvidenceFactory(claim=claim, source=source))
        CaptureFactory(source=source)
    return article


def test_report_page_and_print_layout(live_server, page, report_desk, settings):
    settings.STATIC_URL = "/static/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    user = UserFactory(username="reporter")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("Every claim of one article").check()
    page.get_by_label("Article id").fill(str(report_desk.pk))
    page.screenshot(path=str(SHOTS / "reports-page.png"), full_page=True)
    page.get_by_role("button", name="Make the report").click()

    page.wait_for_selector("svg.rating-chart")
    assert page.get_by_role("heading", name="Fact-checks of “Budget speech to parliament”")\
        .is_visible()
    assert page.locator("article.claim").count() == 5
    # The chart: one bar per rating with its count, False counted twice.
    assert page.locator("svg.rating-chart rect").count() == 4
    assert page.locator("svg.rating-chart title", has_text="False: 2").count() == 1
    assert page.locator(".badge", has_text="Unverifiable").is_visible()
    assert page.get_by_role("button", name="Print this report").is_visible()
    table = page.locator("article.claim").first.locator("table.sources")
    # The capture's SHA-256 (the archive's manifest hash and timestamp follow it in the cell).
    assert table.locator("td.capture-hash > .hash").first.inner_text().strip() != "—"
    page.set_viewport_size({"width": 1100, "height": 900})
    page.screenshot(path=str(SHOTS / "report-screen.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print this report").is_visible()
    page.screenshot(path=str(SHOTS / "report-print.png"), full_page=True)
