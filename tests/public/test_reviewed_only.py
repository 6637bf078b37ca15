"""Readers see only what was reviewed and published (issue 15): appearances linked to a
published claim afterwards stay on the desk until a correction is reviewed, and an article
marked internal is never named on public pages, in ClaimReview or in the feeds."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from claims.assist import services as assist
from claims.models import Article, Claim, VerdictAppearance
from claims.services.articles import article_create
from claims.services.claims import claim_log
from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import ArticleFactory, ClaimFactory
from tests.verdict_setup import (
    client_for,
    make_roles,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

MEMO_TITLE = "INTERNAL-ONLY leaked memo draft"
MEMO_URL = "http://intranet.desk.local/memos/draft-7"
BODY = ("The minister said unemployment fell by 12 per cent last year. "
        "Critics said the figure was misleading.")
QUOTE = "unemployment fell by 12 per cent last year"


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    fact_check = published_fact_check(users, body=BODY)
    return fact_check["claim"], fact_check["verdict"]


def everything_public(claim) -> str:
    """The public page (with its JSON-LD), the list, the ClaimReview feed and the Atom and
    RSS feeds, as one text to search."""
    client = Client()
    parts = [
        client.get(reverse("public:fact-check", args=[claim.pk])).content.decode(),
        client.get(reverse("public:list")).content.decode(),
        client.get("/feeds/claimreview.json").content.decode(),
        client.get(reverse("feeds:atom")).content.decode(),
        client.get(reverse("feeds:rss")).content.decode(),
    ]
    return "\n".join(parts)


def json_ld(claim) -> dict:
    html = Client().get(reverse("public:fact-check", args=[claim.pk])).content.decode()
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    return json.loads(html[start: html.index("</script>", start)])


def feed_record(claim) -> dict:
    items = Client().get("/feeds/claimreview.json").json()["items"]
    return next(r for r in items if r["url"].endswith(f"/fact-checks/{claim.pk}/"))


def log_memo_claim(users, *, is_internal=False) -> Claim:
    memo = article_create(title=MEMO_TITLE, body=BODY, url=MEMO_URL,
                                   user=users["other_editor"], is_internal=is_internal,
                                   published_on=date(2026, 1, 5))
    start = BODY.index(QUOTE)
    return claim_log(article=memo, quote=QUOTE, start=start, end=start + len(QUOTE),
                              statement="Unemployment fell by 12% last year",
                              claimed_on=date(2026, 1, 5), user=users["other_editor"])


def test_the_probe_a_memo_linked_after_publication_never_reaches_readers(users, published):
    """An editor adds the memo at an intranet URL, logs the claim on it with an earlier date
    and links it to the published claim (POST /claims/<memo claim>/appearance/ other=<id>)."""
    claim, _ = published
    before_record = json_ld(claim)
    memo_claim = log_memo_claim(users)
    response = client_for(users["other_editor"]).post(
        reverse("claims:claim-link", args=[memo_claim.pk]), {"other": claim.pk})
    assert response.status_code == 302
    # The link is made on the desk: the memo's claim, dated earlier, is the first appearance.
    assert Claim.objects.get(pk=claim.pk).appearance_of_id == memo_claim.pk
    # Readers see none of it.
    public = everything_public(claim)
    assert MEMO_TITLE not in public and MEMO_URL not in public
    record = json_ld(claim)
    assert record == before_record
    assert record["itemReviewed"]["firstAppearance"]["url"] == "https://news.example/speech"
    assert [a["url"] for a in record["itemReviewed"]["appearance"]] == [
        "https://news.example/speech"]
    assert feed_record(claim)["itemReviewed"]["firstAppearance"]["headline"] == \
        "Minister's speech"


def test_an_appearance_becomes_public_only_through_a_reviewed_correction(users, published):
    claim, verdict = published
    tv = ArticleFactory(title="Repeated on TV", url="https://tv.example/show",
                        published_on=date(2026, 3, 5), body=BODY)
    repeat = ClaimFactory(article=tv, statement=claim.statement)
    assist.claim_link_appearance(claim=repeat, first=claim, user=users["other_editor"])
    assert "tv.example" not in everything_public(claim)
    correction = verdict_correct(
        verdict=verdict, user=users["reviewer_author"],
        correction_note="Added where the claim was repeated.")
    assert "tv.example" not in everything_public(claim)  # under review: not yet
    verdict_approve(verdict=correction, user=users["senior"])
    verdict_publish(verdict=correction, user=users["senior"])
    record = json_ld(claim)
    assert [a["url"] for a in record["itemReviewed"]["appearance"]] == [
        "https://news.example/speech", "https://tv.example/show"]
    assert list(VerdictAppearance.objects.filter(verdict=correction)
                .values_list("article__url", flat=True)) == [
        "https://news.example/speech", "https://tv.example/show"]


def test_an_internal_article_is_never_public_even_after_review(users, published):
    claim, verdict = published
    memo_claim = log_memo_claim(users, is_internal=True)
    assist.claim_link_same(claim=memo_claim, other=claim, user=users["other_editor"])
    correction = verdict_correct(verdict=verdict, user=users["reviewer_author"],
                                          correction_note="Noted an earlier appearance.")
    verdict_approve(verdict=correction, user=users["senior"])
    verdict_publish(verdict=correction, user=users["senior"])
    # The reviewed record holds the memo (the desk knows), readers never see it.
    assert VerdictAppearance.objects.filter(verdict=correction,
                                            article__title=MEMO_TITLE).exists()
    public = everything_public(claim)
    assert MEMO_TITLE not in public and MEMO_URL not in public
    assert json_ld(claim)["itemReviewed"]["firstAppearance"]["url"] == \
        "https://news.example/speech"


def test_marking_the_claims_own_article_internal_hides_it_at_once(published):
    claim, _ = published
    assert "Minister&#x27;s speech" in everything_public(claim)
    Article.objects.filter(pk=claim.article_id).update(is_internal=True)
    public = everything_public(claim)
    assert "Minister's speech" not in public and "Minister&#x27;s speech" not in public
    assert "news.example/speech" not in public
    item = json_ld(claim)["itemReviewed"]
    assert "firstAppearance" not in item and "appearance" not in item
    # The fact-check itself stays up: the claim, its rating and its sources.
    assert json_ld(claim)["claimReviewed"] == "Unemployment fell by 12% last year"


def test_an_editor_can_mark_a_pasted_article_internal(users):
    response = client_for(users["other_editor"]).post(reverse("claims:article-add"), {
        "method": "text", "text-title": MEMO_TITLE, "text-body": BODY, "text-url": MEMO_URL,
        "text-is_internal": "on",
    })
    assert response.status_code == 302
    assert Article.objects.get(title=MEMO_TITLE).is_internal is True
    response = client_for(users["other_editor"]).post(reverse("claims:article-add"), {
        "method": "text", "text-title": "A news story", "text-body": BODY + " Reported.",
    })
    assert Article.objects.get(title="A news story").is_internal is False
