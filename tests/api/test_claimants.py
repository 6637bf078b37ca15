"""Adding a claimant never changes one on file: `POST /api/v1/claimants/` with the name and
organisation of an existing claimant answers 200 with it as it is, whatever role was sent
(a claimant's role may be shown on a published fact-check, where it changes only through a
correction); 201 means a claimant was added. The schema says both."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from claims.models import Claim, Claimant, PublishedEdit
from claims.services.claimants import claimant_find_or_create
from tests.factories import ClaimantFactory
from tests.verdict_setup import published_fact_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def voa_published(roles):
    """A published fact-check whose claimant is Voice of America, with no role on file."""
    fact_check = published_fact_check(roles)
    claimant = ClaimantFactory(name="Voice of America", organisation="Voice of America",
                               role="")
    Claim.objects.filter(pk=fact_check["claim"].pk).update(claimant=claimant)
    return {**fact_check, "claimant": claimant}


def test_adding_an_existing_claimant_answers_it_unchanged(api, voa_published):
    claimant = voa_published["claimant"]
    page = reverse("public:fact-check", args=[voa_published["claim"].pk])
    before = Client().get(page).content.decode()

    response = api["editor_author"].post("/api/v1/claimants/", {
        "name": "Voice of America", "organisation": "Voice of America",
        "role": "Convicted propagandist"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": claimant.pk, "name": "Voice of America", "kind": "person",
                               "role": "",
                               "organisation": "Voice of America", "url": claimant.url}
    assert Claimant.objects.get(pk=claimant.pk).role == ""
    assert Claimant.objects.count() == 2  # Jane Roe and Voice of America, nothing added
    assert not PublishedEdit.objects.exists()
    after = Client().get(page).content.decode()
    assert "Convicted propagandist" not in after and after == before


def test_adding_a_new_claimant_answers_201(api):
    response = api["editor_author"].post("/api/v1/claimants/", {
        "name": "Anders Fogh Rasmussen", "organisation": "NATO",
        "role": "Secretary General"}, format="json")
    assert response.status_code == 201
    assert Claimant.objects.get(pk=response.json()["id"]).role == "Secretary General"


def test_the_service_never_fills_in_an_existing_claimants_role(db):
    claimant = ClaimantFactory(name="Jane Roe", organisation="", role="")
    found, created = claimant_find_or_create(name="jane roe", role="Minister")
    assert (found.pk, created) == (claimant.pk, False)
    assert claimant_find_or_create(name="Jane Roe", role="Mayor")[0].pk == claimant.pk
    assert Claimant.objects.get(pk=claimant.pk).role == ""


def test_the_schema_documents_both_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"]["/api/v1/claimants/"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)
    assert "unchanged" in responses["200"]["description"]
