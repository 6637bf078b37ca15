"""The claim page: the quote in its context, evidence and history, status and assignee,
editing (stale edits, claimant cases) and constant queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from claims.choices import ClaimStatus
from tests import factories
from tests.support.pages import error_text, queries_for

pytestmark = pytest.mark.django_db


def test_claim_page_shows_context_sources_evidence_history(client_ed):
    claim = factories.ClaimFactory()
    evidence = factories.EvidenceFactory(claim=claim, note="Stats office says no", stance="refutes")
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    quoted = '<mark class="claim-anchor">unemployment fell by 12 per cent last year</mark>'
    assert f"The minister said {quoted}" in html
    assert "Stats office says no" in html
    assert evidence.source.url in html or evidence.source.domain in html
    assert "logged the claim" in html


def test_claim_status_change_and_error(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-status", args=[claim.pk]), {"status": "not_checkable"}
    )
    assert response.status_code == 400
    assert "Say why the claim cannot be checked" in error_text(response)
    response = client_ed.post(
        reverse("claims:claim-status", args=[claim.pk]), {"status": "researching"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "researching"


def test_claim_assign(client_ed, editor):
    claim = factories.ClaimFactory()
    client_ed.post(reverse("claims:claim-assign", args=[claim.pk]), {"assignee": editor.pk})
    claim.refresh_from_db()
    assert claim.assignee == editor


def test_claim_edit_and_stale_edit_conflict(client_ed, editor):
    claim = factories.ClaimFactory(statement="Original")
    url = reverse("claims:claim-edit", args=[claim.pk])
    stale_version = claim.version
    response = client_ed.post(
        url, {"version": stale_version, "statement": "First edit", "tags": "a"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.statement == "First edit" and claim.version == stale_version + 1
    # A second editor's form still carries the old version.
    response = client_ed.post(url, {"version": stale_version, "statement": "Second edit"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html and "First edit" in html and "Second edit" in html
    claim.refresh_from_db()
    assert claim.statement == "First edit"
    # The conflict form now carries the current version: saving it again is deliberate.
    assert f'name="version" value="{claim.version}"' in html
    assert (
        client_ed.post(url, {"version": claim.version, "statement": "Second edit"}).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.statement == "Second edit"


def test_claim_edit_bad_input(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]), {"version": claim.version, "statement": ""}
    )
    assert response.status_code == 400
    assert "This field is required" in error_text(response)


def test_claim_page_picks_the_claimant_by_name_not_from_a_list_of_all(client_ed):
    claim = factories.ClaimFactory()
    factories.ClaimantFactory.create_batch(30)
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    # No <select> of every claimant on file: the name, with suggestions, and the id hidden.
    assert '<select name="claimant"' not in html
    assert f'name="claimant" value="{claim.claimant_id}"' in html
    assert re.search(rf'name="claimant_name"[^>]*value="{claim.claimant.name}"', html)
    assert 'role="combobox"' in html


@pytest.mark.parametrize(
    "case", ["same", "other on file", "new name", "emptied", "id only", "chosen from list",
             "picked from did you mean"]
)
def test_claim_edit_claimant_cases(client_ed, case):
    claim = factories.ClaimFactory()
    original = claim.claimant
    other = factories.ClaimantFactory(name="Jens Stoltenberg")
    url = reverse("claims:claim-edit", args=[claim.pk])
    base = {"version": claim.version, "statement": claim.statement}
    # Without JavaScript the hidden id stays as the page gave it: the name decides.
    post, expected = {
        "same": ({"claimant": original.pk, "claimant_name": original.name}, original),
        "other on file": ({"claimant": original.pk, "claimant_name": "jens  STOLTENBERG"}, other),
        "new name": ({"claimant": original.pk, "claimant_name": "Mahmoud Jibril",
                      "claimant_new": "on"}, "new"),
        "emptied": ({"claimant": original.pk, "claimant_name": "  "}, None),
        "id only": ({"claimant": other.pk}, other),
        "chosen from list": ({"claimant": other.pk, "claimant_name": other.name}, other),
        "picked from did you mean": ({"claimant": "", "claimant_name": "Jens",
                                      "claimant_pick": other.pk}, other),
    }[case]
    response = client_ed.post(url, {**base, **post})
    assert response.status_code == 302, error_text(response)
    claim.refresh_from_db()
    if expected == "new":
        assert claim.claimant.name == "Mahmoud Jibril"
        assert claim.claimant.pk not in (original.pk, other.pk)
    else:
        assert claim.claimant == expected


def test_claim_edit_asks_for_a_choice_when_a_typed_name_is_ambiguous(client_ed):
    claim = factories.ClaimFactory()
    factories.ClaimantFactory(name="Ali Tarhouni", organisation="NTC")
    factories.ClaimantFactory(name="Ali Tarhouni", organisation="University of Washington")
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]),
        {"version": claim.version, "statement": "Edited", "claimant_name": "ali tarhouni"},
    )
    assert response.status_code == 400
    assert "Several claimants on file are called" in error_text(response)
    claim.refresh_from_db()
    assert claim.statement != "Edited"  # nothing half-saved


def test_claim_edit_rejects_an_unknown_claimant_id(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]),
        {"version": claim.version, "statement": "x", "claimant": 999999, "claimant_name": "X"},
    )
    assert response.status_code == 400
    assert "That claimant is no longer on file" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement != "x"


@pytest.mark.django_db
def test_claim_page_shows_a_verdict_led_status_read_only(client, demo_users):
    """In review and published follow the verdict: the page shows them as they are and offers
    no status form that would pretend the claim is new."""
    claim = factories.ClaimFactory(status=ClaimStatus.IN_REVIEW)
    client.force_login(demo_users["editor"])
    html = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert "Status: <strong>In review</strong>" in html
    assert reverse("claims:claim-status", args=[claim.pk]) not in html


def test_claim_page_query_count_is_constant(client_ed):
    claim = factories.ClaimFactory()
    factories.EvidenceFactory(claim=claim)
    one = queries_for(client_ed, claim.get_absolute_url())
    factories.EvidenceFactory.create_batch(10, claim=claim)
    assert queries_for(client_ed, claim.get_absolute_url()) == one


def test_claim_history_names_the_changes_in_constant_queries(client_ed, editor):
    from claims.services.claims import claim_set_status, claim_update

    claim = factories.ClaimFactory()
    url = claim.get_absolute_url()
    claim_set_status(claim=claim, status="researching", user=editor)
    one = queries_for(client_ed, url)
    for i in range(5):
        claim.refresh_from_db()
        claim_update(
            claim=claim,
            version=claim.version,
            statement=f"Edit {i}",
            claimant=claim.claimant,
            claimed_on=None,
            user=editor,
        )
    html = client_ed.get(url).content.decode()
    assert "changed statement" in html and "changed status" in html
    assert queries_for(client_ed, url) == one
