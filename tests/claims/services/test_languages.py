"""Every article, claim and imported fact-check records its language, on every path that
writes their text: the desk's forms, the API, the admin, an import, a fetch; and the claims
list filters by it, in a fixed number of queries."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.fetching.extract import Extracted
from claims.fetching.pipeline import article_fill
from claims.models import Article, Claim, FactCheck
from claims.services.articles import article_create
from claims.services.claims import claim_log, claim_update
from claims.services.factchecks import factchecks_import_stream
from tests.api.conftest import api_client_for
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ENGLISH = ("Unemployment rose by three per cent last year, the statistics office said in "
           "its annual report on Tuesday.")
# The same sentence in Arabic, and in Spanish.
ARABIC = "ارتفعت البطالة بنسبة ثلاثة في المئة في العام الماضي، بحسب مكتب الإحصاء."
SPANISH = "El desempleo subió un tres por ciento el año pasado, según la oficina de estadística."


def test_desk_form_article_and_claim(client, editor):
    client.force_login(editor)
    response = client.post(reverse("claims:article-add"), {
        "method": "text", "text-title": "تقرير البطالة", "text-body": ARABIC})
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.language == "ar"
    response = client.post(reverse("claims:claim-log", args=[article.pk]), {
        "quote": ARABIC, "start": 0, "end": len(ARABIC), "statement": "البطالة ارتفعت"})
    assert response.status_code == 302
    assert Claim.objects.get().language == "ar"


def test_the_text_wins_over_the_declared_language_unless_it_cannot_tell(editor):
    article = article_create(title="Report", body=SPANISH, language="en-GB", user=editor)
    assert article.language == "es"
    short = article_create(title="Brief", body="Sí.", language="es-AR", user=editor)
    assert short.language == "es"  # too short to tell: as declared, its ISO 639-1 part


def test_claim_language_follows_its_statement_on_every_edit(editor):
    article = article_create(title="Report", body=f"{ENGLISH}\n\n{ARABIC}", user=editor)
    start = article.body.index(ARABIC)
    claim = claim_log(article=article, quote=ARABIC, start=start, end=start + len(ARABIC),
                      statement="البطالة ارتفعت بنسبة ثلاثة في المئة", user=editor)
    assert claim.language == "ar"
    # The desk translates the statement: the claim is now in English.
    claim = claim_update(claim=claim, statement="Unemployment rose by three per cent",
                         claimant=None, claimed_on=None, version=claim.version, user=editor)
    claim.refresh_from_db()
    assert claim.language == "en"
    # Too short to tell: the quote's language.
    claim = claim_update(claim=claim, statement="Jobs", claimant=None, claimed_on=None,
                         version=claim.version, user=editor)
    claim.refresh_from_db()
    assert claim.language == "ar"


def test_api_article_and_claim(editor):
    api = api_client_for(editor)
    response = api.post("/api/v1/articles/", {"title": "Informe", "body": SPANISH,
                                              "language": "en"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "es"
    article_id = response.json()["id"]
    response = api.post("/api/v1/claims/", {
        "article": article_id, "quote": SPANISH[:38],
        "statement": "El desempleo subió un tres por ciento"}, format="json")
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["language"] == "es"
    response = api.patch(f"/api/v1/claims/{claim['id']}/", {
        "version": claim["version"], "statement": "Unemployment rose by three per cent"},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "en"
    listed = api.get("/api/v1/claims/", {"language": "en"}).json()
    assert [c["id"] for c in listed["results"]] == [claim["id"]]


def test_admin_article_change_detects_again(client, admin_user):
    article = ArticleFactory(title="Report", body=ENGLISH, language="en")
    client.force_login(admin_user)
    url = reverse("admin:claims_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "body": ARABIC,
            "published_on": "", "created_by": ""}
    data = {k: v for k, v in data.items() if k in form.fields}
    data["is_internal"] = ""
    response = client.post(url, {k: v for k, v in data.items() if v != ""} | {"body": ARABIC})
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.language == "ar"


def test_fetched_article_is_the_language_of_its_text():
    article = ArticleFactory(body="", language="")
    article_fill(article, Extracted(kind="html", text=f"{SPANISH}\n\n{SPANISH}",
                                    title="Informe", language="en"))
    assert article.language == "es"
    article_fill(article, Extracted(kind="html", text="Sí.", title="Informe", language="pt-BR"))
    assert article.language == "pt"


def test_import_keeps_the_declared_language_and_detects_the_rest():
    records = [
        {"@type": "ClaimReview", "url": "https://checks.example/ar", "claimReviewed": ARABIC},
        {"@type": "ClaimReview", "url": "https://checks.example/es", "claimReviewed": SPANISH,
         "inLanguage": "es-AR"},
        {"@type": "ClaimReview", "url": "https://checks.example/en", "claimReviewed": ENGLISH},
        {"@type": "ClaimReview", "url": "https://checks.example/short", "claimReviewed": "No."},
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    report = factchecks_import_stream(io.BytesIO(data), source="test.jsonl")
    assert report.created == 4
    assert dict(FactCheck.objects.values_list("url", "language")) == {
        "https://checks.example/ar": "ar", "https://checks.example/es": "es-AR",
        "https://checks.example/en": "en", "https://checks.example/short": ""}
    # Imported again: the detected language is part of what was stored, so nothing changes.
    assert factchecks_import_stream(io.BytesIO(data), source="test.jsonl").skipped == 4


def _claims_in(article, statements):
    for i, statement in enumerate(statements):
        Claim.objects.create(article=article, statement=statement, quote=article.body[:10],
                             anchor_start=0, anchor_end=10, language=f"{'ar' if i % 2 else 'en'}")


def test_claims_list_filter_by_language_in_fixed_queries(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    url = reverse("claims:claim-list")

    def page(n):
        Claim.objects.all().delete()
        _claims_in(article, [f"Claim number {i}" for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"language": "ar"})
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    html, few = page(4)
    shown = {c.statement for c in Claim.objects.filter(language="ar")}
    hidden = {c.statement for c in Claim.objects.filter(language="en")}
    assert all(f">{s}</a>" in html for s in shown)
    assert not any(f">{s}</a>" in html for s in hidden)
    assert 'lang="ar"' in html
    assert '<option value="ar" selected>Arabic</option>' in html
    _, many = page(30)
    assert many == few


def test_language_is_shown_on_the_claim_and_article_pages(client, editor):
    article = article_create(title="تقرير", body=ARABIC, user=editor)
    claim = claim_log(article=article, quote=ARABIC, start=0, end=len(ARABIC),
                      statement="البطالة ارتفعت بنسبة ثلاثة في المئة", user=editor)
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Language: Arabic" in page
    assert 'lang="ar">البطالة ارتفعت بنسبة ثلاثة في المئة</h1>' in page
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Language: Arabic" in page
    assert 'id="article-body" dir="auto" lang="ar"' in page
