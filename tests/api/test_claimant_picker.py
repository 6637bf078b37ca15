"""The API sets a claimant as the desk's picker does (services.claimants.claimant_from_picker):
by id, by a name that is exactly on file, or as an explicit new claimant with its kind. A
half-typed name is refused (409, as every refusal given the records as they are) with the
close names, and nobody is added. Every claimant the API
shows says whether it is a person or an organisation."""

from __future__ import annotations

import pytest

from claims.choices import ClaimantKind
from claims.models import Claim, Claimant
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory

pytestmark = pytest.mark.django_db

BODY = "The governor said crime fell by 40 per cent in a year. Nobody else spoke."
QUOTE = "crime fell by 40 per cent in a year"


@pytest.fixture
def noem(db):
    return ClaimantFactory(name="Kristi Noem", role="Governor", organisation="South Dakota")


def log(api, article, **claimant):
    return api["editor_author"].post("/api/v1/claims/", {
        "article": article.pk, "quote": QUOTE, "statement": "Crime fell by 40%",
        **claimant}, format="json")


def test_a_half_typed_name_is_refused_with_the_close_names(api, noem):
    article = ArticleFactory(body=BODY)
    before = Claimant.objects.count()
    response = log(api, article, claimant_name="Kristi")
    # A refusal given the records as they are (no such claimant on file): 409, in words.
    assert response.status_code == 409
    assert "Did you mean Kristi Noem?" in response.json()["errors"]["claimant"][0]
    assert not Claim.objects.exists() and Claimant.objects.count() == before


def test_a_name_exactly_on_file_is_that_claimant(api, noem):
    response = log(api, ArticleFactory(body=BODY), claimant_name="kristi noem")
    assert response.status_code == 201, response.json()
    assert response.json()["claimant"]["id"] == noem.pk


def test_an_explicit_new_organisation(api, noem):
    response = log(api, ArticleFactory(body=BODY), claimant_name="Institute of Crime",
                   claimant_new=True, claimant_kind="organisation")
    assert response.status_code == 201, response.json()
    assert response.json()["claimant"]["kind"] == "organisation"
    assert Claimant.objects.get(name="Institute of Crime").kind == ClaimantKind.ORGANISATION


def test_the_claim_update_takes_a_name_too_and_keeps_the_claimant_when_left_out(api, noem):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.pk}/"
    client = api["editor_author"]
    refused = client.patch(url, {"version": claim.version, "claimant_name": "Kristi"},
                           format="json")
    assert refused.status_code == 409 and "Did you mean Kristi Noem?" in refused.json()["detail"]
    kept = client.patch(url, {"version": claim.version, "statement": "New words"},
                        format="json")
    assert kept.status_code == 200, kept.json()
    assert kept.json()["claimant"]["id"] == claim.claimant_id
    changed = client.patch(url, {"version": kept.json()["version"],
                                 "claimant_name": "Kristi Noem"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["claimant"]["id"] == noem.pk


def test_claimants_and_claims_say_the_claimants_kind(api):
    ClaimFactory(claimant=ClaimantFactory(name="NIDA", kind=ClaimantKind.ORGANISATION))
    client = api["editor_author"]
    claimants = client.get("/api/v1/claimants/").json()["results"]
    assert [c["kind"] for c in claimants if c["name"] == "NIDA"] == ["organisation"]
    claims = client.get("/api/v1/claims/").json()["results"]
    assert claims[0]["claimant"]["kind"] == "organisation"
    added = client.post("/api/v1/claimants/", {"name": "Ministry of Truth",
                                               "kind": "organisation"}, format="json")
    assert added.status_code == 201 and added.json()["kind"] == "organisation"
