"""ClaimReview JSON-LD: schema.org terms, JSON-LD expansion, Google's required fields,
corrections, appearances, non-ordinal ratings and the embed found again by extruct."""

from __future__ import annotations

import json
from datetime import date, timedelta

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pyld import jsonld
from rdflib.namespace import SDO

from claims.choices import ClaimantKind
from claims.exporters.claimreview import (
    claim_statement_warning,
    claimreview_for,
    claimreview_warnings,
    json_ld_script,
)
from claims.selectors.verdicts import claimreview_verdicts
from tests.factories import (
    ArticleFactory,
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db

# schema.org's context cannot be fetched here (tests never use the internet); this is the
# part of it a ClaimReview needs: every bare term is a schema.org IRI.
SCHEMA_CONTEXT = {"@context": {"@vocab": "https://schema.org/"}}


def offline_loader(url, options=None):
    assert url.rstrip("/") in {"https://schema.org", "http://schema.org"}, url
    return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}


def terms_used(node, found=None):
    """Every property name and @type value in a JSON-LD tree."""
    found = set() if found is None else found
    if isinstance(node, list):
        for item in node:
            terms_used(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                found.update([value] if isinstance(value, str) else value)
            elif not key.startswith("@"):
                found.add(key)
            terms_used(value, found)
    return found


@pytest.fixture
def verdict():
    first = ArticleFactory(
        title="Minister's speech", url="https://news.example/speech", outlet="Example Times",
        author="Åsa Öberg", published_on=date(2026, 3, 1),
    )
    claim = ClaimFactory(
        article=first, statement="Unemployment fell by 12% last year",
        claimant=ClaimantFactory(name="Jane Roe", role="Minister", organisation="Government"),
        claimed_on=date(2026, 2, 28),
    )
    repeat_article = ArticleFactory(
        title="Repeated on TV", url="https://tv.example/show", published_on=date(2026, 3, 5)
    )
    ClaimFactory(article=repeat_article, appearance_of=claim, statement=claim.statement)
    return PublishedVerdictFactory(claim=claim, summary="Unemployment rose by 3%.")


def test_record_has_googles_required_and_recommended_fields(verdict, settings):
    settings.SITE_URL = "https://desk.example"
    settings.ORGANISATION_NAME = "Desk Fact Check"
    record = claimreview_for(verdict)
    assert record["@context"] == "https://schema.org"
    assert record["@type"] == "ClaimReview"
    assert record["claimReviewed"] == "Unemployment fell by 12% last year"
    assert record["url"] == f"https://desk.example/fact-checks/{verdict.claim_id}/"
    rating = record["reviewRating"]
    assert rating == {
        "@type": "Rating", "alternateName": "False", "ratingValue": 1, "bestRating": 5,
        "worstRating": 1, "ratingExplanation": "Unemployment rose by 3%.",
    }
    assert record["author"]["@type"] == "Organization"
    assert record["author"]["name"] == "Desk Fact Check"
    assert record["datePublished"] == verdict.published_at.isoformat()
    assert "dateModified" not in record  # never corrected
    item = record["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {
        "@type": "Person", "name": "Jane Roe", "jobTitle": "Minister",
        "affiliation": {"@type": "Organization", "name": "Government"},
    }
    assert item["datePublished"] == "2026-02-28"
    assert item["firstAppearance"]["url"] == "https://news.example/speech"
    assert [a["url"] for a in item["appearance"]] == [
        "https://news.example/speech", "https://tv.example/show"
    ]


def test_every_term_is_in_the_schema_org_vocabulary(verdict):
    used = terms_used(claimreview_for(verdict))
    assert {"ClaimReview", "claimReviewed", "reviewRating", "itemReviewed",
            "firstAppearance", "appearance", "ratingExplanation"} <= used
    unknown = sorted(t for t in used if t not in SDO)
    assert unknown == []
    # A misspelt term would be caught:
    assert "claimReview" not in SDO and "ratingExplaination" not in SDO


def test_json_ld_expands_to_schema_org_iris(verdict):
    record = claimreview_for(verdict)
    expanded = jsonld.expand(record, {"documentLoader": offline_loader})
    assert len(expanded) == 1
    node = expanded[0]
    assert node["@type"] == ["https://schema.org/ClaimReview"]
    assert node["https://schema.org/claimReviewed"][0]["@value"] == record["claimReviewed"]
    rating = node["https://schema.org/reviewRating"][0]
    assert rating["https://schema.org/alternateName"][0]["@value"] == "False"
    # Expansion keeps every property: nothing fell outside the vocabulary.
    iris = terms_used(expanded)
    assert all(t.startswith("https://schema.org/") for t in iris)
    assert {t.removeprefix("https://schema.org/") for t in iris} == terms_used(record)


def test_repeat_of_a_claim_shares_first_appearance(verdict):
    repeat = verdict.claim.appearances.get()
    other = PublishedVerdictFactory(claim=repeat)
    item = claimreview_for(other)["itemReviewed"]
    assert item["firstAppearance"]["url"] == "https://news.example/speech"
    assert len(item["appearance"]) == 2


def test_correction_keeps_first_date_and_adds_date_modified(verdict):
    first_date = verdict.published_at
    verdict.is_current = False
    verdict.save()
    corrected = PublishedVerdictFactory(
        claim=verdict.claim, version=2, supersedes=verdict,
        published_at=first_date + timedelta(days=3), correction_note="Figure fixed.",
    )
    record = claimreview_for(corrected)
    assert record["datePublished"] == first_date.isoformat()
    assert record["dateModified"] == corrected.published_at.isoformat()
    # The bulk selector computes the same first date without walking the chain.
    bulk = claimreview_for(claimreview_verdicts().get(pk=corrected.pk))
    assert bulk == record


def test_non_ordinal_rating_has_only_its_label(verdict):
    verdict.rating = default_rating("unverifiable")
    verdict.save()
    rating = claimreview_for(verdict)["reviewRating"]
    assert rating["alternateName"] == "Unverifiable"
    assert not {"ratingValue", "bestRating", "worstRating"} & rating.keys()


def test_organisation_claimant_is_an_organization():
    claim = ClaimFactory(claimant=ClaimantFactory(name="NATO", role="", organisation="NATO",
                                                  kind=ClaimantKind.ORGANISATION))
    record = claimreview_for(PublishedVerdictFactory(claim=claim))
    assert record["itemReviewed"]["author"] == {"@type": "Organization", "name": "NATO"}


def test_a_claimant_of_kind_organisation_is_published_as_an_organization():
    claim = ClaimFactory(claimant=ClaimantFactory(
        name="National Institute on Drug Abuse", role="", organisation="NIH",
        kind=ClaimantKind.ORGANISATION))
    author = claimreview_for(PublishedVerdictFactory(claim=claim))["itemReviewed"]["author"]
    assert author == {"@type": "Organization", "name": "National Institute on Drug Abuse",
                      "parentOrganization": {"@type": "Organization", "name": "NIH"}}


def test_a_person_claimant_stays_a_person():
    claim = ClaimFactory(claimant=ClaimantFactory(
        name="Kristi Noem", role="Governor", organisation="South Dakota",
        kind=ClaimantKind.PERSON))
    author = claimreview_for(PublishedVerdictFactory(claim=claim))["itemReviewed"]["author"]
    assert author["@type"] == "Person" and author["jobTitle"] == "Governor"


def test_long_statement_warns(caplog):
    statement = "The minister said that unemployment fell by twelve per cent over the last year"
    assert len(statement) > 75
    record = claimreview_for(PublishedVerdictFactory(claim=ClaimFactory(statement=statement)))
    problems = claimreview_warnings(record)
    assert any("search engines show only the first 75" in p for p in problems)
    assert "search engines show only the first 75" in caplog.text
    assert claim_statement_warning(statement).startswith(f"{len(statement)} characters")
    assert claim_statement_warning("Short claim") is None


def test_bulk_records_cost_a_fixed_number_of_queries(verdict):
    def build():
        with CaptureQueriesContext(connection) as ctx:
            records = [claimreview_for(v) for v in claimreview_verdicts()]
        return records, len(ctx)

    _, few = build()
    for _ in range(5):
        c = ClaimFactory()
        ClaimFactory(appearance_of=c)
        PublishedVerdictFactory(claim=c)
    records, many = build()
    assert len(records) == 6
    assert many == few


def test_embedded_record_is_found_again_by_extruct(verdict):
    verdict.claim.statement = 'He said "</script><b>x</b>" & more'
    verdict.claim.save()
    record = claimreview_for(verdict)
    page = f"<!doctype html><html><head>{json_ld_script(record)}</head><body></body></html>"
    assert "</script><b>" not in page.split("<body>")[0].replace("</script></head>", "")
    data = extruct.extract(page, base_url="http://testserver/", syntaxes=["json-ld"])
    assert data["json-ld"] == [json.loads(json.dumps(record))]
    assert data["json-ld"][0]["claimReviewed"] == 'He said "</script><b>x</b>" & more'


def test_published_at_timezone_is_explicit(verdict):
    assert claimreview_for(verdict)["datePublished"].endswith("+00:00")
    assert timezone.is_aware(verdict.published_at)


def test_the_claim_carries_the_language_of_its_words(verdict):
    """schema.org's inLanguage on the reviewed Claim: the language the desk detected in the
    statement (ISO 639-1); none when it could not tell. It is in the vocabulary and in the
    bulk export alike."""
    claim = verdict.claim
    claim.language = "en"
    claim.save(update_fields=["language"])
    record = claimreview_for(claimreview_verdicts().get(pk=verdict.pk))
    assert record["itemReviewed"]["inLanguage"] == "en"
    assert "inLanguage" in SDO and "inLanguage" in terms_used(record)
    type(claim).objects.filter(pk=claim.pk).update(language="")
    unknown = claimreview_for(claimreview_verdicts().get(pk=verdict.pk))
    assert "inLanguage" not in unknown["itemReviewed"]
