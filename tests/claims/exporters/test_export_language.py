"""Exports carry each claim's language, as the desk recorded it from the statement (issue 31):
CSV and JSON alike, in the language column right after the quote."""

from __future__ import annotations

import csv
import io

import pytest

from claims.exporters.csv import csv_lines
from claims.exporters.rows import rows_for
from claims.services.claims import claim_log
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


AR = "قال الوزير إن معدل البطالة انخفض بنسبة اثني عشر في المئة خلال العام الماضي"
EN = "The minister said unemployment fell by twelve per cent last year"


def test_each_claim_exports_the_language_of_its_statement(editor):
    article = ArticleFactory(body=f"{EN}.\n{AR}.")
    arabic = claim_log(article=article, user=editor, statement=AR, quote=AR,
                       start=None, end=None)
    english = claim_log(article=article, user=editor, statement=EN, quote=EN,
                        start=None, end=None)
    rows = {row["claim_id"]: row for row in rows_for(claim_ids=[arabic.pk, english.pk])}
    assert rows[arabic.pk]["language"] == "ar"
    assert rows[english.pk]["language"] == "en"

    table = list(csv.DictReader(io.StringIO("".join(
        csv_lines(rows_for(claim_ids=[arabic.pk, english.pk]))).lstrip("\ufeff"))))
    assert {(int(r["claim_id"]), r["language"]) for r in table} == {
        (arabic.pk, "ar"), (english.pk, "en")}
    header = list(table[0].keys())
    assert header[header.index("quote") + 1] == "language"
