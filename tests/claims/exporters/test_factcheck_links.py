"""The claims exports carry the URLs of the fact-checks each claim is linked to (Already
fact-checked): one a line in the CSV cell, a list in JSON, read once per chunk."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.services.factcheck_links import claim_factcheck_link
from tests.factories import ClaimFactory
from tests.support.factchecks import make_factcheck

pytestmark = pytest.mark.django_db


def _download(client, fmt) -> str:
    response = client.get(reverse("claims:export"), {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_csv_and_json_carry_the_linked_factcheck_urls(client_ed, editor):
    claim, bare = ClaimFactory(statement="Linked twice"), ClaimFactory(statement="Bare")
    first = make_factcheck(url="https://checks.example/first")
    second = make_factcheck(url="https://checks.example/second?a=1,2")
    claim_factcheck_link(claim=claim, factcheck=first, user=editor)
    claim_factcheck_link(claim=claim, factcheck=second, user=editor)

    rows = {int(r["claim_id"]): r for r in csv.DictReader(
        io.StringIO(_download(client_ed, "csv").removeprefix("\ufeff"), newline=""))}
    assert rows[claim.pk]["factcheck_urls"] == \
        "https://checks.example/first\nhttps://checks.example/second?a=1,2"
    assert rows[bare.pk]["factcheck_urls"] == ""

    records = {r["claim_id"]: r for r in json.loads(_download(client_ed, "json"))}
    assert records[claim.pk]["factcheck_urls"] == [first.url, second.url]
    assert records[bare.pk]["factcheck_urls"] == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_linked_factchecks_add_no_query_per_claim(client_ed, editor, fmt):
    claim = ClaimFactory()
    claim_factcheck_link(claim=claim, factcheck=make_factcheck(), user=editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _download(client_ed, fmt)
        return len(ctx)

    one = queries()
    for _ in range(12):
        other = ClaimFactory()
        for _ in range(2):
            claim_factcheck_link(claim=other, factcheck=make_factcheck(), user=editor)
    assert queries() == one
