"""The claims table: filters, text search, sorting, chosen columns, htmx partials,
pagination without counting, bulk actions, the export links and constant queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.models import Claim
from tests import factories
from tests.support.pages import queries_for

pytestmark = pytest.mark.django_db


def claim_rows(html: str) -> list[str]:
    body = html.split('id="claims-table"')[1].split("<tbody")[1].split("</tbody>")[0]
    return re.findall(r"<tr", body)


def test_claims_table_filters_by_claimant_status_and_text(client_ed):
    alice = factories.ClaimantFactory(name="Alice")
    factories.ClaimFactory(claimant=alice, statement="Unemployment fell sharply")
    factories.ClaimFactory(statement="Taxes rose", status=ClaimStatus.RESEARCHING)
    url = reverse("claims:claim-list")
    html = client_ed.get(url, {"claimant": alice.pk}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" not in html
    html = client_ed.get(url, {"status": "researching"}).content.decode()
    assert "Taxes rose" in html and "Unemployment fell" not in html
    html = client_ed.get(url, {"q": "sharply"}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" not in html
    # The search covers the quote too (both claims quote the factory's sentence).
    html = client_ed.get(url, {"q": "unemployment fell"}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" in html


def test_claims_table_filters_by_rating_tag_assignee_and_dates(client_ed, editor):
    verdict = factories.PublishedVerdictFactory(
        claim=factories.ClaimFactory(statement="Rated claim")
    )
    tagged = factories.ClaimFactory(statement="Tagged claim", assignee=editor)
    tagged.tags.create(name="health")
    url = reverse("claims:claim-list")
    html = client_ed.get(url, {"rating": verdict.rating_id}).content.decode()
    assert "Rated claim" in html and "Tagged claim" not in html
    html = client_ed.get(url, {"tag": tagged.tags.get().pk}).content.decode()
    assert "Tagged claim" in html and "Rated claim" not in html
    html = client_ed.get(url, {"assignee": editor.pk}).content.decode()
    assert "Tagged claim" in html and "Rated claim" not in html
    html = client_ed.get(
        url, {"created_from": "2000-01-01", "created_to": "2000-12-31"}
    ).content.decode()
    assert "No claims match these filters" in html


def test_claims_table_htmx_returns_only_results(client_ed):
    factories.ClaimFactory(statement="Partial claim")
    url = reverse("claims:claim-list")
    response = client_ed.get(
        url, {"q": "partial"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claim-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claim-results"') and "Partial claim" in html
    assert "<nav" not in html and "Filter claims" not in html
    # A link in the table (sorting, a claimant's name) swaps the filters and the results.
    response = client_ed.get(
        url, {"sort": "id"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claims-page"
    )
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False and 'id="claims-page"' in html
    assert "Filter claims" in html and "Main navigation" not in html


def test_claims_table_sorts_by_indexed_columns(client_ed):
    first = factories.ClaimFactory(statement="Alpha claim", claimed_on="2020-01-01")
    second = factories.ClaimFactory(statement="Beta claim", claimed_on="2021-01-01")
    html = client_ed.get(reverse("claims:claim-list"), {"sort": "claimed_on"}).content.decode()
    assert html.index(first.statement) < html.index(second.statement)
    html = client_ed.get(reverse("claims:claim-list"), {"sort": "-claimed_on"}).content.decode()
    assert html.index(second.statement) < html.index(first.statement)


def table_headers(html: str) -> list[str]:
    head = html.split('id="claims-table"')[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th.*?</th>", head, re.S)]


def test_claims_table_columns_are_remembered(client_ed):
    factories.ClaimFactory()
    headers = table_headers(client_ed.get(reverse("claims:claim-list")).content.decode())
    assert "Assignee" in headers and "Logged" not in headers
    response = client_ed.post(
        reverse("claims:claim-columns"),
        {"columns": ["id", "created_at"], "next": "/claims/?status=new"},
    )
    assert response["Location"] == "/claims/?status=new"
    headers = table_headers(client_ed.get(reverse("claims:claim-list")).content.decode())
    assert headers == ["", "Id", "Statement", "Logged"]


def test_columns_next_does_not_redirect_offsite(client_ed):
    response = client_ed.post(
        reverse("claims:claim-columns"), {"columns": ["id"], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("claims:claim-list")


def test_claims_table_paginates_without_counting(client_ed):
    factories.ClaimFactory.create_batch(55)
    url = reverse("claims:claim-list")
    with CaptureQueriesContext(connection) as queries:
        html = client_ed.get(url).content.decode()
    assert len(claim_rows(html)) == 50
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "claims_claim" in q["sql"]]
    html = client_ed.get(url, {"page": 2}).content.decode()
    assert len(claim_rows(html)) == 5


def test_claims_table_query_count_is_constant(client_ed, editor):
    def make(n):
        for claim in factories.ClaimFactory.create_batch(n, assignee=editor):
            claim.tags.create(name=f"tag-{claim.pk}")
            factories.PublishedVerdictFactory(claim=claim)

    url = reverse("claims:claim-list")
    make(1)
    one = queries_for(client_ed, url)
    one_filtered = queries_for(client_ed, url, {"q": "unemployment", "status": "new"})
    make(49)
    assert queries_for(client_ed, url) == one
    assert queries_for(client_ed, url, {"q": "unemployment", "status": "new"}) == one_filtered


def test_claimant_links_in_the_table_keep_the_other_filters(client_ed):
    alice = factories.ClaimantFactory(name="Alice")
    factories.ClaimFactory(claimant=alice, status="researching")
    html = client_ed.get(
        reverse("claims:claim-list"), {"status": "researching", "page": 1}
    ).content.decode()
    assert f'href="?status=researching&amp;claimant={alice.pk}"' in html


def test_claimant_finder_for_the_table_filter(client_ed):
    alice = factories.ClaimantFactory(name="Alice Smith")
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"for": "filter", "claimant_name": "smi"}
    ).content.decode()
    assert f'href="{reverse("claims:claim-list")}?claimant={alice.pk}"' in html
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"for": "filter", "claimant_name": "zzz"}
    ).content.decode()
    assert "No claimant called “zzz”" in html


def test_claims_table_checkboxes_are_labelled_for_bulk_actions(client_ed):
    claim = factories.ClaimFactory()
    html = client_ed.get(reverse("claims:claim-list")).content.decode()
    box = re.search(r'<input[^>]*name="claims"[^>]*>', html).group(0)
    assert f'value="{claim.pk}"' in box and f'aria-label="Select claim #{claim.pk}"' in box
    assert 'form="bulk-form"' in box


def test_bulk_assign_and_status(client_ed, editor):
    claims = factories.ClaimFactory.create_batch(3)
    ids = [c.pk for c in claims]
    response = client_ed.post(
        reverse("claims:claim-bulk"),
        {
            "action": "assign",
            "claims": ids[:2],
            "assignee": editor.pk,
            "next": "/claims/?status=new",
        },
    )
    assert response["Location"] == "/claims/?status=new"
    assert Claim.objects.filter(assignee=editor).count() == 2
    client_ed.post(
        reverse("claims:claim-bulk"), {"action": "status", "claims": ids, "status": "researching"}
    )
    assert Claim.objects.filter(status="researching").count() == 3


def test_bulk_status_refusals_are_reported_in_words(client_ed):
    published = factories.ClaimFactory(status=ClaimStatus.PUBLISHED)
    fresh = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-bulk"),
        {"action": "status", "claims": [published.pk, fresh.pk], "status": "researching"},
        follow=True,
    )
    html = response.content.decode()
    assert "1 claim set to Researching; 1 skipped: its fact-check is published." in html
    published.refresh_from_db()
    assert published.status == ClaimStatus.PUBLISHED


def test_bulk_without_selection_says_so(client_ed):
    response = client_ed.post(reverse("claims:claim-bulk"), {"action": "assign"}, follow=True)
    assert "Select at least one claim" in response.content.decode()


@pytest.mark.parametrize("who", ["editor", "outsider"])
def test_export_links_carry_the_table_filters(client, editor, outsider, who):
    """Exporting needs a login and nothing more (claims:export is login_required), so anyone
    who may see the claims table is offered "Export this view": one link per format, each
    carrying the table's filters, and each link downloads."""
    client.force_login({"editor": editor, "outsider": outsider}[who])
    factories.ClaimFactory()
    html = client.get(reverse("claims:claim-list"), {"status": "new"}).content.decode()
    export = reverse("claims:export")
    assert "Export this view" in html
    for fmt in ("csv", "json", "jsonl", "claimreview"):
        assert f'href="{export}?status=new&amp;format={fmt}"' in html
        response = client.get(export, {"status": "new", "format": fmt})
        assert response.status_code == 200, (fmt, response.status_code)
        assert response["Content-Disposition"].startswith("attachment;"), fmt


def test_anonymous_sees_no_table_and_no_export(client):
    """Without a login neither the claims table (with its export links) nor an export is
    served: both send the visitor to log in."""
    factories.ClaimFactory()
    login = reverse("login")
    for url in (reverse("claims:claim-list") + "?status=new",
                reverse("claims:export") + "?status=new&format=csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
