"""Verdict reports (HTML and PDF), the Reports page, the admin actions, the
export_verdicts command, and the ClaimReview embed on the public page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import extruct
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from claims.exporters import report
from claims.exporters.claimreview import claimreview_for
from claims.models import Claim, Verdict
from tests.factories import (
    ArticleFactory,
    CaptureFactory,
    ClaimantFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    article = ArticleFactory(title="Budget speech", outlet="Example Times",
                             published_on=date(2026, 4, 1))
    jan = timezone.now().replace(year=2026, month=1, day=15)
    mar = timezone.now().replace(year=2026, month=3, day=10)
    first = PublishedVerdictFactory(
        claim=ClaimFactory(article=article, statement="Unemployment fell by 12%",
                           claimant=ClaimantFactory(name="Jane Roe")),
        rationale="The **official** figures show a rise.\n\n<script>alert(1)</script>"
                  "[link](javascript:alert(1))",
        published_at=jan,
    )
    second = PublishedVerdictFactory(
        claim=ClaimFactory(article=article, statement="Exports doubled since 2020"),
        rating=default_rating("mostly-true"), published_at=mar,
    )
    draft = VerdictFactory(claim=ClaimFactory(article=article, statement="Draft claim here"))
    source = SourceFactory(url="https://stats.example/table", title="Labour statistics")
    first.evidence.add(EvidenceFactory(claim=first.claim, source=source))  # cited
    capture = CaptureFactory(source=source, sha256="ab" * 32)
    return {"first": first, "second": second, "draft": draft, "capture": capture,
            "article": article}


def test_report_data_for_an_article_counts_by_rating(desk):
    data = report.report_data(scope="article", article_id=desk["article"].pk)
    assert [e["statement"] for e in data.entries] == [
        "Exports doubled since 2020", "Unemployment fell by 12%"
    ]  # published only, the claims table's default order
    assert [(c.label, c.count) for c in data.counts] == [("Mostly true", 1), ("False", 1)]
    assert data.title == "Fact-checks of “Budget speech”"
    everything = report.report_data(
        scope="article", article_id=desk["article"].pk, published_only=False
    )
    assert len(everything.entries) == 3
    # The draft verdict's rating counts too once drafts are included.
    assert [(c.label, c.count) for c in everything.counts] == [("Mostly true", 1), ("False", 2)]


def test_report_by_date_range_uses_publication_dates(desk):
    data = report.report_data(scope="dates", since=date(2026, 3, 1), until=date(2026, 3, 31))
    assert [e["statement"] for e in data.entries] == ["Exports doubled since 2020"]
    assert data.title == "Fact-checks published from 2026-03-01 to 2026-03-31"


def test_rationale_markdown_is_rendered_and_sanitised(desk):
    data = report.report_data(scope="claim", claim_id=desk["first"].claim_id)
    html = report.render_html(data)
    assert "<strong>official</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "javascript:" not in html
    assert "ab" * 32 in html  # the capture's hash
    assert "Labour statistics" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="rating-chart"' in html


def test_chart_escapes_labels():
    svg = report.rating_chart_svg([report.RatingCount("<b>x</b>", "#123456", 3)])
    assert "<b>x</b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert 'aria-label="Verdicts by rating: 3 in all"' in svg


def test_pdf_renders_with_claim_rating_and_hash(desk, tmp_path):
    data = report.report_data(scope="article", article_id=desk["article"].pk)
    pdf = report.render_pdf(data)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    flat = " ".join(text.split())
    assert "Unemployment fell by 12%" in flat
    assert "Exports doubled since 2020" in flat
    assert "False" in flat and "Mostly true" in flat
    assert "Verdicts by rating" in flat
    assert "Labour statistics" in flat


def test_reports_page_form_and_results(client, desk):
    assert client.get(reverse("claims:reports")).status_code == 302  # login required
    client.force_login(UserFactory())
    page = client.get(reverse("claims:reports"))
    assert page.status_code == 200
    html = page.content.decode()
    for label in (">Claim</label>", "Article id", "Published from", "Published until", "Status",
                  "Rating", "Make the report"):
        assert label in html
    missing = client.get(reverse("claims:reports"), {"scope": "article", "format": "html"})
    assert "Give the id of the article to report on." in missing.content.decode()
    backwards = client.get(reverse("claims:reports"), {
        "scope": "dates", "since": "2026-03-01", "until": "2026-01-01", "format": "html"})
    assert "The end date is before the start date." in backwards.content.decode()

    html_report = client.get(reverse("claims:reports"), {
        "scope": "article", "article": desk["article"].pk, "format": "html",
        "published_only": "on", "rating": default_rating("false").pk})
    body = html_report.content.decode()
    assert "Unemployment fell by 12%" in body and "Exports doubled" not in body
    assert "Download PDF" in body

    pdf = client.get(reverse("claims:reports"), {
        "scope": "claim", "claim": desk["second"].claim_id, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="verdict-report-')
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Exports doubled since 2020" in " ".join(text.split())


def test_public_page_embed_is_found_again_by_extruct(client, desk):
    verdict = desk["first"]
    response = client.get(reverse("public:fact-check", args=[verdict.claim_id]))
    assert response.status_code == 200
    data = extruct.extract(response.content.decode(), base_url="http://testserver/",
                           syntaxes=["json-ld"])
    reviews = [d for d in data["json-ld"] if d.get("@type") == "ClaimReview"]
    assert len(reviews) == 1
    # Addresses as the page builds them, from the request's host.
    expected = json.loads(json.dumps(claimreview_for(verdict, request=response.wsgi_request)))
    assert reviews[0] == expected


# --- admin actions -----------------------------------------------------------------------


def test_admin_exports_selected_claims_as_csv_and_claimreview(admin_client, desk):
    first, second = desk["first"], desk["second"]
    url = reverse("admin:claims_claim_changelist")
    draft_id = desk["draft"].claim_id
    response = admin_client.post(url, {"action": "export_claims_csv",
                                       "_selected_action": [first.claim_id, draft_id]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(int(r["claim_id"]) for r in rows) == sorted([first.claim_id,
                                                               desk["draft"].claim_id])

    response = admin_client.post(url, {"action": "export_claims_claimreview",
                                       "_selected_action": [second.claim_id, draft_id]})
    records = json.loads(b"".join(response.streaming_content))
    assert [r["claimReviewed"] for r in records] == ["Exports doubled since 2020"]


def test_admin_exports_selected_verdicts(admin_client, desk):
    url = reverse("admin:claims_verdict_changelist")
    response = admin_client.post(url, {"action": "export_verdicts_claimreview",
                                       "_selected_action": [desk["first"].pk]})
    records = json.loads(b"".join(response.streaming_content))
    assert [r["claimReviewed"] for r in records] == ["Unemployment fell by 12%"]
    # Nothing published in the selection: a message, not an empty file.
    response = admin_client.post(url, {"action": "export_verdicts_claimreview",
                                       "_selected_action": [desk["draft"].pk]}, follow=True)
    assert "ClaimReview describes published fact-checks only" in response.content.decode()
    response = admin_client.post(url, {"action": "export_verdicts_csv",
                                       "_selected_action": [desk["draft"].pk]})
    rows = list(csv.DictReader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["statement"] for r in rows] == ["Draft claim here"]


# --- export_verdicts command ---------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_verdicts", *args, stdout=out)
    return out.getvalue()


def test_cli_csv_to_stdout_and_filters(desk, capsys):
    call_command("export_verdicts", "--format", "csv")
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Claim.objects.count()
    call_command("export_verdicts", "--format", "jsonl", "--since", "2026-03-01")
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["statement"] for line in lines] == ["Exports doubled since 2020"]
    call_command("export_verdicts", "--format", "json", "--status", "new", "--until", "2026-02-01")
    records = json.loads(capsys.readouterr().out)
    assert [r["statement"] for r in records] == ["Unemployment fell by 12%"]


def test_cli_writes_files(desk, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_verdicts", "--format", "claimreview", "--output", str(target))
    records = json.loads(target.read_text())
    assert sorted(r["claimReviewed"] for r in records) == [
        "Exports doubled since 2020", "Unemployment fell by 12%"
    ]
    pdf = tmp_path / "out.pdf"
    call_command("export_verdicts", "--format", "pdf", "--since", "2026-01-01",
                 "--output", str(pdf))
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Unemployment fell by 12%" in " ".join(text.split())
    csv_file = tmp_path / "out.csv"
    call_command("export_verdicts", "--format", "csv", "--output", str(csv_file))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xlsx"], "Unknown format 'xlsx'"),
        (["--format", "csv", "--since", "last week"], "--since must be a date like 2026-01-31"),
        (["--format", "csv", "--until", "2026-02-30"], "--until must be a date like"),
        (["--format", "csv", "--since", "2026-03-01", "--until", "2026-01-01"],
         "--until is before --since"),
        (["--format", "csv", "--status", "done"], "Unknown status 'done'"),
        (["--format", "csv", "--output", "/nonexistent/dir/x.csv"], "Cannot write"),
    ],
)
def test_cli_errors_are_clear(desk, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_verdicts", *args)


def test_report_excludes_unpublished_correction_dates(desk):
    first = desk["first"]
    Verdict.objects.filter(pk=first.pk).update(is_current=False)
    PublishedVerdictFactory(claim=first.claim, version=2, supersedes=first,
                            published_at=first.published_at + timedelta(days=40),
                            correction_note="Updated figures")
    data = report.report_data(scope="claim", claim_id=first.claim_id)
    entry = data.entries[0]
    assert entry["published_at"] == first.published_at
    assert entry["corrected_at"] == first.published_at + timedelta(days=40)
    assert "Updated figures" in report.render_html(data)
