"""The desk's published fact-checks in the request shape of Google Fact Check Tools' `pages`
API (ClaimReviewMarkupPage), from the exporter and from `export_verdicts --format
google-pages`; the same facts as the ClaimReview record."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from claims.exporters.claimreview import claimreview_for
from claims.exporters.google_pages import google_pages_records, markup_page
from claims.models import Rating
from claims.selectors.verdicts import claimreview_verdicts
from tests.factories import (
    ArticleFactory,
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db

# The fields of ClaimReviewMarkupPage, ClaimReviewMarkup, ClaimAuthor and ClaimRating in the
# API reference (v1alpha1): anything else would be refused by pages.create.
PAGE_FIELDS = {"name", "pageUrl", "publishDate", "claimReviewAuthor", "claimReviewMarkups",
               "versionId"}
MARKUP_FIELDS = {"claimAppearances", "claimAuthor", "claimDate", "claimFirstAppearance",
                 "claimLocation", "claimReviewed", "rating", "url"}
AUTHOR_FIELDS = {"name", "jobTitle", "imageUrl", "sameAs"}
RATING_FIELDS = {"textualRating", "ratingValue", "worstRating", "bestRating",
                 "ratingExplanation", "imageUrl"}


@pytest.fixture
def verdict(settings):
    settings.SITE_URL = "https://desk.example"
    settings.ORGANISATION_NAME = "Desk Fact Check"
    article = ArticleFactory(title="Speech", url="https://news.example/speech",
                             published_on=date(2026, 3, 1))
    claim = ClaimFactory(
        article=article, statement="Unemployment fell by 12% last year",
        claimant=ClaimantFactory(name="Jane Roe", role="Minister", organisation="Government"),
        claimed_on=date(2026, 2, 28),
    )
    return PublishedVerdictFactory(claim=claim, summary="Unemployment rose by 3%.")


def check_shape(page: dict) -> None:
    assert set(page) <= PAGE_FIELDS
    assert set(page["claimReviewAuthor"]) <= AUTHOR_FIELDS
    for markup in page["claimReviewMarkups"]:
        assert set(markup) <= MARKUP_FIELDS
        assert set(markup.get("claimAuthor", {})) <= AUTHOR_FIELDS
        assert set(markup["rating"]) <= RATING_FIELDS


def test_page_has_the_pages_api_shape(verdict):
    page = markup_page(claimreview_for(verdict))
    check_shape(page)
    values = sorted(Rating.objects.filter(scale=verdict.rating.scale, value__isnull=False)
                    .values_list("value", flat=True))
    assert page["pageUrl"].startswith("https://desk.example/")
    assert f"/{verdict.claim_id}/" in page["pageUrl"]
    assert page["publishDate"] == verdict.published_at.date().isoformat()
    assert page["claimReviewAuthor"] == {"name": "Desk Fact Check"}
    [markup] = page["claimReviewMarkups"]
    assert markup["claimReviewed"] == "Unemployment fell by 12% last year"
    assert markup["claimDate"] == "2026-02-28"
    assert markup["claimAppearances"] == ["https://news.example/speech"]
    assert markup["claimFirstAppearance"] == "https://news.example/speech"
    assert markup["claimAuthor"] == {"name": "Jane Roe", "jobTitle": "Minister"}
    rating = markup["rating"]
    assert rating["textualRating"] == verdict.rating.label
    assert rating["ratingValue"] == verdict.rating.value
    assert (rating["worstRating"], rating["bestRating"]) == (values[0], values[-1])
    assert rating["ratingExplanation"] == "Unemployment rose by 3%."


def test_page_says_what_the_claimreview_record_says(verdict):
    record = claimreview_for(verdict)
    page = markup_page(record)
    markup = page["claimReviewMarkups"][0]
    assert page["pageUrl"] == record["url"]
    assert markup["claimReviewed"] == record["claimReviewed"]
    assert markup["rating"]["textualRating"] == record["reviewRating"]["alternateName"]
    assert markup["rating"]["bestRating"] == record["reviewRating"]["bestRating"]


def test_a_non_ordinal_rating_carries_no_numbers(verdict):
    unverifiable = Rating.objects.filter(scale=verdict.rating.scale, value__isnull=True).first()
    assert unverifiable is not None
    type(verdict).objects.filter(pk=verdict.pk).update(rating=unverifiable)
    verdict.refresh_from_db()
    rating = markup_page(claimreview_for(verdict))["claimReviewMarkups"][0]["rating"]
    assert rating["textualRating"] == unverifiable.label
    assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)


def test_only_published_fact_checks_are_exported(verdict):
    VerdictFactory()  # a draft
    pages = list(google_pages_records(claimreview_verdicts()))
    assert [p["claimReviewMarkups"][0]["claimReviewed"] for p in pages] == [
        "Unemployment fell by 12% last year"]


def test_export_verdicts_google_pages_format(verdict, tmp_path):
    PublishedVerdictFactory()
    out = tmp_path / "pages.json"
    call_command("export_verdicts", format="google-pages", output=str(out),
                 stderr=io.StringIO())
    pages = json.loads(out.read_text())
    assert len(pages) == 2
    for page in pages:
        check_shape(page)
        assert page["pageUrl"].startswith("https://desk.example/")
    by_claim = {p["claimReviewMarkups"][0]["claimReviewed"]: p for p in pages}
    assert by_claim["Unemployment fell by 12% last year"] == markup_page(
        claimreview_for(verdict))


def test_script_in_a_claim_stays_text_in_the_export(verdict, tmp_path):
    type(verdict.claim).objects.filter(pk=verdict.claim_id).update(
        statement="</script><script>alert(1)</script>")
    out = tmp_path / "pages.json"
    call_command("export_verdicts", format="google-pages", output=str(out),
                 stderr=io.StringIO())
    [page] = json.loads(out.read_text())
    assert page["claimReviewMarkups"][0]["claimReviewed"] == "</script><script>alert(1)</script>"
