"""The Reports page finds its claim by searching for it (suggestions, as the claimant
picker does) rather than by its id, and shows only the fields of the chosen scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.forms.reports import ReportForm
from tests.factories import ClaimFactory, PublishedVerdictFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(client):
    client.force_login(UserFactory())
    exports = ClaimFactory(statement="Exports doubled since 2020")
    PublishedVerdictFactory(claim=exports)
    crime = ClaimFactory(statement="Crime is at a 50-year low")
    PublishedVerdictFactory(claim=crime)
    ClaimFactory(statement="Crime fell in every region")
    return {"exports": exports, "crime": crime}


def test_suggestions_list_the_claims_that_match(client, claims):
    url = reverse("claims:report-claim-options")
    html = client.get(url, {"claim_search": "crime"}).content.decode()
    assert html.count('class="btn btn-link text-start w-100 js-choose-claim"') == 2
    assert f'data-claim-id="{claims["crime"].pk}"' in html
    assert f'data-claim-id="{claims["exports"].pk}"' not in html
    by_id = client.get(url, {"claim_search": f"#{claims['exports'].pk}"}).content.decode()
    assert f'data-claim-id="{claims["exports"].pk}"' in by_id
    assert "No claim matches “zebra”." in client.get(url, {"claim_search": "zebra"}
                                                      ).content.decode()


def test_the_claim_chosen_from_the_suggestions_makes_the_report(client, claims):
    report = client.get(reverse("claims:reports"), {
        "scope": "claim", "claim": claims["exports"].pk,
        "claim_search": f"#{claims['exports'].pk} Exports doubled since 2020",
        "format": "html"})
    body = report.content.decode()
    assert "Exports doubled since 2020" in body and "Crime is at" not in body


def test_without_javascript_the_words_typed_find_the_claim_or_say_why_not(client, claims):
    url = reverse("claims:reports")
    one = client.get(url, {"scope": "claim", "claim_search": "exports doubled",
                           "format": "html"}).content.decode()
    assert "Exports doubled since 2020" in one and "Verdicts by rating" in one
    several = client.get(url, {"scope": "claim", "claim_search": "crime", "format": "html"}
                         ).content.decode()
    assert "Several claims match “crime”: choose one from the suggestions" in several
    none = client.get(url, {"scope": "claim", "claim_search": "zebra", "format": "html"}
                      ).content.decode()
    assert "No claim matches “zebra”." in none
    empty = client.get(url, {"scope": "claim", "format": "html"}).content.decode()
    assert "Search for the claim to report on and choose it." in empty


def test_fields_of_other_scopes_are_ignored():
    form = ReportForm({"scope": "dates", "claim": "5", "article": "7", "status": "new",
                       "format": "html"})
    assert form.is_valid(), form.errors
    args = form.report_args()
    assert args["claim_id"] is None and args["article_id"] is None
    assert args["filters"] == {"status": "new"}
    form = ReportForm({"scope": "article", "article": "7", "since": "2026-01-01",
                       "format": "html"})
    assert form.is_valid(), form.errors
    assert form.report_args()["since"] is None


def test_each_scoped_part_of_the_page_names_its_scopes(client, claims):
    html = client.get(reverse("claims:reports")).content.decode()
    assert 'data-scopes="claim" id="report-claim-picker"' in html
    assert 'data-scopes="dates article"' in html  # the table's filters
    assert 'data-scopes="claim article"' in html  # published only
    assert html.count('data-scopes="dates"') == 2  # from, until
