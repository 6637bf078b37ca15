"""Which sources a verdict report lists. A published fact-check's report lists the sources
its published verdict cites, each with the capture readers see (VerdictCapture), never
another source attached to the claim since; an unpublished claim's report lists the claim's
sources, each with its state in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from claims.exporters import report
from claims.models import VerdictCapture
from tests.factories import CaptureFactory, ClaimFactory, EvidenceFactory, SourceFactory
from tests.verdict_setup import (
    captured_source_evidence,
    make_roles,
    make_verdict,
    published_fact_check,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """A published fact-check citing one captured source; since publication the source was
    captured again, and a source whose fetch failed was attached to the claim (uncited)."""
    fact_check = published_fact_check(make_roles())
    verdict, evidence = fact_check["verdict"], fact_check["evidence"]
    reviewed = VerdictCapture.objects.get(verdict=verdict).capture
    newer = CaptureFactory(source=evidence.source, sha256="cd" * 32, title="Rewritten page",
                           started_at=timezone.now() + timedelta(hours=1))
    failed = captured_source_evidence(fact_check["claim"], ok=False)
    failed.source.url, failed.source.title = "https://dead.example/gone", "Dead page"
    failed.source.save()
    return {**fact_check, "reviewed": reviewed, "newer": newer, "failed": failed}


def test_a_published_report_lists_only_the_cited_sources_with_the_reviewed_capture(published):
    claim, evidence = published["claim"], published["evidence"]
    assert list(published["verdict"].evidence.all()) == [evidence]
    entry = report.report_data(scope="claim", claim_id=claim.pk).entries[0]
    assert entry["sources_published"] is True
    assert [s["url"] for s in entry["sources"]] == [evidence.source.url]
    (source,) = entry["sources"]
    reviewed = published["reviewed"]
    assert (source["sha256"], source["captured_at"]) == (reviewed.sha256, reviewed.started_at)
    assert source["title"] == reviewed.title
    assert source["snapshot_url"].endswith(f"/captures/{reviewed.pk}/snapshot/")

    html = report.render_html(report.report_data(scope="claim", claim_id=claim.pk))
    assert "Sources the published verdict cites, as readers see them" in html
    assert reviewed.sha256 in html
    assert published["newer"].sha256 not in html and "Rewritten page" not in html
    assert "dead.example" not in html and "Dead page" not in html


def test_the_pdf_of_a_published_report_has_no_uncited_source(published, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.render_pdf(
        report.report_data(scope="claim", claim_id=published["claim"].pk)))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert published["evidence"].source.url in text
    assert "dead.example" not in text and "Dead page" not in text


def test_a_report_of_an_unpublished_claim_labels_each_source_state_in_words():
    users = make_roles()
    verdict = make_verdict("draft", author=users["editor_author"])  # cites a fetched source
    claim = verdict.claim
    failed = captured_source_evidence(claim, ok=False).source  # not cited
    # As the fetch pipeline leaves a source whose fetch failed.
    failed.last_error_kind, failed.last_error = "http_4xx", "Not found (404)."
    failed.save()
    pending = EvidenceFactory(claim=claim, source=SourceFactory(url="https://wait.example/x"))
    data = report.report_data(scope="claim", claim_id=claim.pk, published_only=False)
    entry = data.entries[0]
    assert entry["sources_published"] is False
    states = [s["state"] for s in entry["sources"]]
    assert states == [
        "Fetched; cited by the verdict.",
        "Fetch failed (Client error (4xx): Not found (404)); not cited by the verdict.",
        "Waiting to be fetched; not cited by the verdict.",
    ]
    assert entry["sources"][2]["url"] == pending.source.url
    html = report.render_html(data)
    assert "Sources attached to the claim (not published)" in html
    assert '<th scope="col">State</th>' in html
    for words in states:
        assert words in html

    # The states cost the same queries for one claim or many.
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report.report_data(scope="all", published_only=False)  # every claim
        return len(ctx)

    make_verdict("published", author=users["editor_author"], approver=users["reviewer"])
    few = queries()
    for _ in range(4):
        make_verdict("published", author=users["editor_author"], approver=users["reviewer"])
        draft = make_verdict("draft", author=users["editor_author"], claim=ClaimFactory())
        captured_source_evidence(draft.claim, ok=False)
    assert queries() == few

