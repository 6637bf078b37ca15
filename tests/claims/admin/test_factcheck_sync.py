"""The admin: an override of a published claim (or of the claimant it names) brings the desk's
own FactCheck row in step, as a correction would: matching and "Already fact-checked" read
that row, so it must say what readers see. A feed's re-import interval is an hour or more,
daily when left empty."""

from __future__ import annotations

import pytest

from claims.models import FactCheck, FactCheckOrigin
from tests.claims.admin.test_published import REASON, admin_change
from tests.verdict_setup import client_for, make_roles, published_fact_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


def test_publishing_records_the_desks_factcheck(users):
    published = published_fact_check(users)
    row = FactCheck.objects.get(claim=published["claim"])
    assert row.origin == FactCheckOrigin.DESK
    assert row.claim_reviewed == "Unemployment fell by 12% last year"


def test_an_admin_override_of_the_statement_updates_the_desks_factcheck(users):
    published = published_fact_check(users)
    claim = published["claim"]
    _, response = admin_change(client_for(users["admin"]), claim,
                               statement="Unemployment fell by 40%",
                               published_change_reason=REASON)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = FactCheck.objects.get(claim=claim)
    assert row.claim_reviewed == "Unemployment fell by 40%"
    assert FactCheck.objects.filter(origin=FactCheckOrigin.DESK).count() == 1


def test_an_admin_override_of_the_claimant_updates_the_desks_factcheck(users):
    published = published_fact_check(users)
    claimant = published["claim"].claimant
    assert FactCheck.objects.get(claim=published["claim"]).claimant == "Jane Roe"
    _, response = admin_change(client_for(users["admin"]), claimant, name="Janet Roe",
                               published_change_reason=REASON)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FactCheck.objects.get(claim=published["claim"]).claimant == "Janet Roe"


def test_a_refused_admin_change_leaves_the_factcheck_as_it_was(users):
    published = published_fact_check(users)
    claim = published["claim"]
    _, response = admin_change(client_for(users["admin"]), claim,
                               statement="Unemployment fell by 40%")
    assert response.status_code == 200  # refused: no reason given
    assert FactCheck.objects.get(claim=claim).claim_reviewed == \
        "Unemployment fell by 12% last year"


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def test_the_feed_admin_takes_an_interval_of_an_hour_or_more(admin_client):
    from claims.models import FactCheckFeed

    response = admin_client.post("/admin/claims/factcheckfeed/add/", {
        "name": "Too often", "url": "https://partner.example/a.json", "enabled": "on",
        "interval_hours": "0"})
    assert "at most once an hour" in response.content.decode()
    admin_client.post("/admin/claims/factcheckfeed/add/", {
        "name": "Daily", "url": "https://partner.example/b.json", "enabled": "on"})
    admin_client.post("/admin/claims/factcheckfeed/add/", {
        "name": "Hourly", "url": "https://partner.example/c.json", "enabled": "on",
        "interval_hours": "1"})
    assert dict(FactCheckFeed.objects.values_list("name", "interval_hours")) == {
        "Daily": 24, "Hourly": 1}
