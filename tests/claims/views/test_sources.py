"""Sources and evidence: evidence added inline, sources attached from the claim page and
re-fetched, the source list and page (extracted text escaped, snapshots downloaded, never
shown), the live status partial, and constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Evidence
from tests import factories
from tests.support.pages import error_text, queries_for

pytestmark = pytest.mark.django_db


def test_add_evidence_inline_with_htmx(client_ed, editor):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[claim.pk]),
        {"stance": "supports", "note": "The survey agrees", "excerpt": "12% lower"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="evidence"')
    assert "The survey agrees" in html and "Evidence added" in html
    evidence = Evidence.objects.get()
    assert evidence.stance == "supports" and evidence.created_by == editor


def test_add_evidence_needs_note_or_source(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[claim.pk]), {"stance": "refutes"}
    )
    assert response.status_code == 400
    assert "Write a note: evidence that cites no source" in error_text(response)
    assert not Evidence.objects.exists()


def test_add_evidence_adds_a_note_and_never_touches_a_citation(client_ed):
    """Sources are cited by attaching them; "Add evidence" has no source to choose, so a
    source id sent by hand is not read and the citation stays as it was."""
    evidence = factories.EvidenceFactory(note="", stance="context")
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[evidence.claim_id]),
        {"stance": "refutes", "source": evidence.source_id, "note": "Contradicts it"},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.note) == ("context", "")
    added = Evidence.objects.exclude(pk=evidence.pk).get()
    assert (added.source_id, added.stance, added.note) == (None, "refutes", "Contradicts it")


def test_attach_source_shows_it_pending_with_live_status(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-source-attach", args=[claim.pk]),
        {"url": "https://stats.example.org/report"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.source.status == "pending"
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    assert "stats.example.org" in html
    assert f'hx-get="{reverse("claims:source-status", args=[evidence.source_id])}"' in html


def test_attach_source_bad_url_is_an_error_next_to_the_field(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-source-attach", args=[claim.pk]), {"url": "http://10.0.0.1/x"}
    )
    assert response.status_code == 400
    assert "only public addresses can be fetched" in error_text(response)
    assert not Evidence.objects.exists()


def test_refetch_source_with_htmx_returns_the_status_partial(client_ed):
    source = factories.SourceFactory(status="failed", last_error_kind="timeout")
    response = client_ed.post(
        reverse("claims:source-refetch", args=[source.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="source-status-{source.pk}"' in html and "Pending" in html
    source.refresh_from_db()
    assert source.status == "pending"


def test_refetch_needs_permission(client, outsider):
    source = factories.SourceFactory(status="failed")
    client.force_login(outsider)
    assert client.post(reverse("claims:source-refetch", args=[source.pk])).status_code == 403


def test_source_page_escapes_extracted_text_and_offers_download(client_ed):
    capture = factories.CaptureFactory(
        text="<img src=x onerror=alert(1)> Official figures", metadata={"lang": "<b>en</b>"}
    )
    capture.snapshot.save(
        "x",
        __import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(
            b"<html><script>alert(1)</script></html>"
        ),
    )
    html = client_ed.get(capture.source.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; Official figures" in html
    assert "<img src=x" not in html and "<b>en</b>" not in html
    download = reverse("claims:capture-snapshot", args=[capture.pk])
    assert download in html
    response = client_ed.get(download)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<html><script>alert(1)</script></html>"


def test_snapshot_download_requires_login(client):
    capture = factories.CaptureFactory()
    response = client.get(reverse("claims:capture-snapshot", args=[capture.pk]))
    assert response.status_code == 302


def test_source_list_filters_by_status(client_ed):
    factories.SourceFactory(url="https://ok.example/a", status="fetched")
    factories.SourceFactory(
        url="https://bad.example/b", status="failed", last_error_kind="timeout", last_error="slow"
    )
    html = client_ed.get(reverse("claims:source-list"), {"status": "failed"}).content.decode()
    assert "bad.example" in html and "ok.example" not in html
    assert "Timed out: slow" in html


def test_source_status_partial_polls_only_while_pending(client_ed):
    pending = factories.SourceFactory(status="pending")
    fetched = factories.SourceFactory(status="fetched")
    html = client_ed.get(reverse("claims:source-status", args=[pending.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    html = client_ed.get(reverse("claims:source-status", args=[fetched.pk])).content.decode()
    assert "hx-trigger" not in html and "Fetched" in html


def test_source_page_query_count_is_constant(client_ed):
    source = factories.SourceFactory()
    factories.CaptureFactory(source=source, text="Text")
    factories.EvidenceFactory(source=source)
    one = queries_for(client_ed, source.get_absolute_url())
    factories.CaptureFactory.create_batch(10, source=source)
    factories.EvidenceFactory.create_batch(10, source=source)
    assert queries_for(client_ed, source.get_absolute_url()) == one
