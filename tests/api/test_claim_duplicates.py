"""POST /api/v1/claims/ with an Idempotency-Key logs one claim however often it is sent; a
claim that may already be logged is a 409 with the claims found, unless `save_anyway`."""

from __future__ import annotations

import pytest

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory

pytestmark = pytest.mark.django_db

QUOTE = "unemployment fell by 12 per cent last year"


def body(article, **extra):
    return {"article": article.pk, "quote": QUOTE,
            "statement": "Unemployment fell by 12% last year", **extra}


def test_a_request_sent_again_with_its_key_answers_the_claim_it_logged(api):
    article = ArticleFactory()
    claimant = ClaimantFactory()
    client = api["editor_author"]
    first = client.post("/api/v1/claims/", body(article, claimant=claimant.pk), format="json",
                        headers={"Idempotency-Key": "0f0e-retry-1"})
    assert first.status_code == 201
    again = client.post("/api/v1/claims/", body(article), format="json",
                        headers={"Idempotency-Key": "0f0e-retry-1"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Claim.objects.get().claimant == claimant


def test_a_claim_that_may_already_be_logged_is_a_409_with_the_matches(api):
    article = ArticleFactory()
    existing = ClaimFactory(article=article, quote=QUOTE)
    client = api["editor_author"]
    refused = client.post("/api/v1/claims/", body(article), format="json")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["code"] == "duplicate"
    assert [(m["id"], m["reasons"]) for m in answer["matches"]] == [
        (existing.pk, ["the same words"])]
    assert answer["matches"][0]["url"].endswith(f"/api/v1/claims/{existing.pk}/")
    assert Claim.objects.count() == 1
    saved = client.post("/api/v1/claims/", body(article, save_anyway=True), format="json")
    assert saved.status_code == 201
    assert Claim.objects.count() == 2


def test_the_header_is_in_the_openapi_schema(api):
    schema = api["editor_author"].get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/claims/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in post["parameters"])
    assert "409" in post["responses"] and "200" in post["responses"]
