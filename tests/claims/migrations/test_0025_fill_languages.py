"""Migration 0025 fills the language of the rows already on the desk, in batches: articles
from their text (else the declared tag's code), claims from their statement (else quote,
else article), suggestions from their sentence (an Arabic one loses the score the English
model gave it), fact-checks from their claim when the publisher declared none."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("claims", "0024_languages")
AFTER = ("claims", "0025_fill_languages")

ENGLISH = ("Unemployment rose by three per cent last year, the statistics office said in "
           "its annual report.")
ARABIC = "ارتفعت البطالة بنسبة ثلاثة في المئة في العام الماضي."


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_old_rows_get_their_language(monkeypatch):
    # Several batches of a few rows each.
    monkeypatch.setattr(importlib.import_module("claims.migrations.0025_fill_languages"),
                        "BATCH", 2)
    apps = migrate(BEFORE)
    try:
        Article = apps.get_model("claims", "Article")
        Claim = apps.get_model("claims", "Claim")
        ClaimSuggestion = apps.get_model("claims", "ClaimSuggestion")
        FactCheck = apps.get_model("claims", "FactCheck")
        body = f"{ENGLISH}\n\n{ARABIC}\n"
        article = Article.objects.create(title="Report", body=body, language="en-GB")
        arabic_start = body.index(ARABIC)
        short = Article.objects.create(title="Brief", body="Yes.", language="pt-BR")
        empty = Article.objects.create(title="Pending", body="", language="")
        claims = [
            Claim.objects.create(article=article, statement="Unemployment rose by three "
                                 "per cent", quote=ENGLISH[:40], anchor_start=0,
                                 anchor_end=40),
            Claim.objects.create(article=article, statement="البطالة ارتفعت",
                                 quote=ARABIC, anchor_start=arabic_start,
                                 anchor_end=arabic_start + len(ARABIC)),
            Claim.objects.create(article=short, statement="Yes", quote="Yes", anchor_start=0,
                                 anchor_end=3),
        ]
        english = ClaimSuggestion.objects.create(article=article, start=0, end=len(ENGLISH),
                                                 text=ENGLISH, score=0.4, reasons=["number"])
        arabic = ClaimSuggestion.objects.create(
            article=article, start=arabic_start, end=arabic_start + len(ARABIC), text=ARABIC,
            score=0.53, reasons=["number"])
        declared = FactCheck.objects.create(url="https://fc.example/1", claim_reviewed=ENGLISH,
                                            language="es", origin="file")
        undeclared = FactCheck.objects.create(url="https://fc.example/2",
                                              claim_reviewed=ARABIC, origin="file")

        apps = migrate(AFTER)
        Article = apps.get_model("claims", "Article")
        Claim = apps.get_model("claims", "Claim")
        ClaimSuggestion = apps.get_model("claims", "ClaimSuggestion")
        FactCheck = apps.get_model("claims", "FactCheck")
        assert Article.objects.get(pk=article.pk).language == "en"
        assert Article.objects.get(pk=short.pk).language == "pt"  # too short: as declared
        assert Article.objects.get(pk=empty.pk).language == ""
        assert [Claim.objects.get(pk=c.pk).language for c in claims] == ["en", "ar", "pt"]
        english = ClaimSuggestion.objects.get(pk=english.pk)
        assert (english.language, english.score, english.reasons) == ("en", 0.4, ["number"])
        arabic = ClaimSuggestion.objects.get(pk=arabic.pk)
        assert (arabic.language, arabic.score, arabic.reasons) == ("ar", None, [])
        assert FactCheck.objects.get(pk=declared.pk).language == "es"
        assert FactCheck.objects.get(pk=undeclared.pk).language == "ar"
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")[0]
        migrate(latest)  # the database the other tests expect
