"""GET /api/v1/factchecks/match/: the desk's "Already fact-checked?" matching for other
tools, best first, with scores and reasons; bad input is a 400 in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import FactCheck, FactCheckOrigin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_matching")]

URL = reverse("api:factcheck-match")


@pytest.fixture
def factchecks(db):
    rows = [
        ("https://checks.example/shark", "A shark swam on a flooded Houston freeway",
         "False"),
        ("https://checks.example/bridge", "The harbour bridge will close for a year", "True"),
        ("https://checks.example/nurses", "The hospital hired 500 new nurses in 2019",
         "Half true"),
    ]
    return [FactCheck.objects.create(url=url, claim_reviewed=claim, textual_rating=rating,
                                     publisher_name="Snopes", origin=FactCheckOrigin.FILE)
            for url, claim, rating in rows]


def test_a_repeated_claim_finds_its_fact_check_first(client, make_token, factchecks):
    _, token = make_token(scopes=["read"])
    response = client.get(URL, {"text": "Shark swimming on a Houston freeway after the storm "
                                        "https://t.co/x #Harvey", "top": "2"},
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["matches"][0]["factcheck"]["url"] == "https://checks.example/shark"
    assert body["matches"][0]["factcheck"]["textual_rating"] == "False"
    assert 0 < body["matches"][0]["score"] <= 1
    assert any("shark" in reason for reason in body["matches"][0]["reasons"])
    assert len(body["matches"]) <= 2


def test_who_said_it_counts(client, make_token, factchecks):
    FactCheck.objects.create(url="https://checks.example/mayor", origin=FactCheckOrigin.FILE,
                             claim_reviewed="Mayor Ada Okafor said the harbour bridge is safe",
                             textual_rating="Mostly true", publisher_name="Snopes")
    _, token = make_token(scopes=["read"])
    asked = {"text": "The bridge is perfectly safe to drive on", "top": "1"}
    plain, said = (client.get(URL, params, HTTP_AUTHORIZATION=f"Bearer {token}").json()
                   for params in (asked, {**asked, "speaker": "Ada Okafor"}))
    assert said["matches"][0]["factcheck"]["url"] == "https://checks.example/mayor"
    assert plain["matches"][0]["score"] < said["matches"][0]["score"] or \
        plain["matches"][0]["factcheck"]["url"] != "https://checks.example/mayor"


@pytest.mark.parametrize(("params", "field"), [
    ({}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "x" * 2001}, "text"),
    ({"text": "shark", "top": "0"}, "top"),
    ({"text": "shark", "top": "lots"}, "top"),
    # "²" and "٣" pass str.isdigit(); int() refuses the first and reads the second as 3.
    ({"text": "shark", "top": "²"}, "top"),
    ({"text": "shark", "top": "٣"}, "top"),
    ({"text": "shark", "top": "9" * 30}, "top"),
    ({"text": "shark", "speaker": "x" * 2001}, "speaker"),
    ({"text": "shark", "speaker": "Ada\x00"}, "speaker"),
])
def test_bad_queries_are_refused_in_words(client, make_token, factchecks, params, field):
    _, token = make_token(scopes=["read"])
    response = client.get(URL, params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_no_token_no_match(client, factchecks):
    assert client.get(URL, {"text": "shark"}).status_code == 401
