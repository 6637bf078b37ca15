"""Stored XSS: hostile text in everything a user or a fetched page controls comes out escaped
on every page (desk, admin, public), in the feeds and the exports, and inert in the PDF."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from claims import models
from claims.choices import CaptureStatus, SourceStatus, VerdictState
from claims.services.tokens import api_token_create
from tests.support.archives import write_archive
from tests.support.payloads import PAYLOAD
from tests.support.urlmap import DESK, EXPECTED, PUBLIC, site_urls, url_for

MARKERS = ("<script>alert", "<img src=x onerror", "onerror=alert(1)>")


def strings(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)
    elif isinstance(data, str):
        yield data


def assert_inert(html: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in html, f"unescaped {marker!r} in {where}"


@pytest.fixture
def hostile(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the capture's evidence archive, in storage of its own
    call_command("load_demo", verbosity=0)
    User = get_user_model()
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    body = f"Intro. The minister said {PAYLOAD} yesterday. =HYPERLINK(\"http://evil\") end."
    article = models.Article.objects.create(
        title=f"Article {PAYLOAD}", outlet=f"Outlet {PAYLOAD}", author=PAYLOAD, body=body,
        url="https://example.org/a?x=%3Cscript%3E",
    )
    claimant = models.Claimant.objects.create(name=f"Claimant {PAYLOAD}", role=PAYLOAD,
                                              organisation=PAYLOAD)
    start = body.index(PAYLOAD)
    claim = models.Claim.objects.create(
        article=article, claimant=claimant, statement=f"=cmd|' /C calc'!A0 {PAYLOAD}",
        quote=PAYLOAD, anchor_start=start, anchor_end=start + len(PAYLOAD),
        anchor_prefix=body[:start][-32:], anchor_suffix=body[start + len(PAYLOAD):][:32],
        assignee=editor,
    )
    claim.tags.add(models.Tag.objects.create(name=PAYLOAD[:60]))
    source = models.Source.objects.create(
        url="https://example.org/report", normalized_url="https://example.org/report",
        domain="example.org", status=SourceStatus.FETCHED, title=f"Source {PAYLOAD}",
        last_error=PAYLOAD,
    )
    capture = models.Capture(
        source=source, status=CaptureStatus.SUCCESS, sha256="c" * 64, started_at=timezone.now(),
        title=PAYLOAD, byline=PAYLOAD, text=f"Fetched text {PAYLOAD}", content_type="text/html",
        metadata={"description": PAYLOAD}, final_url="https://example.org/report",
    )
    capture.snapshot.save("hostile", ContentFile(f"<html>{PAYLOAD}</html>".encode()), save=False)
    capture.save()
    # What the time-stamping authority calls itself is text from outside too.
    write_archive(capture, authority=PAYLOAD[:500])
    evidence = models.Evidence.objects.create(claim=claim, source=source, stance="refutes",
                                              note=f"Note {PAYLOAD}", excerpt=PAYLOAD)
    verdict = models.Verdict.objects.create(
        claim=claim, author=editor, reviewer=reviewer,
        rating=models.Rating.objects.get(scale__is_default=True, slug="false"),
        summary=f"Summary {PAYLOAD}",
        rationale=f"Rationale **bold** {PAYLOAD} [x](javascript:alert(1))",
        state=VerdictState.PUBLISHED, published_at=timezone.now(), review_comment=PAYLOAD,
    )
    verdict.evidence.add(evidence)
    models.Notification.objects.create(recipient=editor, verb="assigned", message=PAYLOAD,
                                       claim=claim)
    models.ClaimSuggestion.objects.create(article=article, start=start, end=start + len(PAYLOAD),
                                          text=PAYLOAD, score=0.9)
    feed = models.FactCheckFeed.objects.create(name=PAYLOAD, url="https://feeds.example/x",
                                               last_error=PAYLOAD)
    factcheck = models.FactCheck.objects.create(
        url="https://checks.example/x", claim_reviewed=PAYLOAD, title=PAYLOAD,
        publisher_name=PAYLOAD, textual_rating=PAYLOAD, claimant=PAYLOAD, origin="feed",
        feed=feed, publisher_url="javascript:alert(1)", appearance_url="javascript:alert(2)",
    )
    token, _ = api_token_create(user=User.objects.get(username="admin"), name=PAYLOAD[:100],
                                scopes=["read"])
    # A webhook: its receiver's answer is text from outside, like a fetched page.
    subscription = models.WebhookSubscription.objects.create(
        owner=User.objects.get(username="admin"), name=PAYLOAD,
        target_url="https://hooks.example/x", events=["claim.logged"], disabled_reason=PAYLOAD)
    delivery = models.WebhookDelivery.objects.create(
        subscription=subscription, event="claim.logged", body=json.dumps({"text": PAYLOAD}))
    models.WebhookAttempt.objects.create(delivery=delivery, at=timezone.now(), status_code=500,
                                         error=PAYLOAD, response_excerpt=PAYLOAD)
    models.ClaimFactCheckLink.objects.create(claim=claim, factcheck=factcheck, linked_by=editor,
                                             note=PAYLOAD)
    duplicate = models.Claimant.objects.create(name=f"Duplicate {PAYLOAD}", role=PAYLOAD)
    models.ClaimantMerge.objects.create(duplicate=duplicate, kept=claimant, proposed_by=editor,
                                        duplicate_name=str(duplicate), kept_name=str(claimant),
                                        note=PAYLOAD)
    return {"article": article, "claim": claim, "source": source, "verdict": verdict,
            "claimant": duplicate,
            "api_token": token, "published": verdict, "capture": source.captures.first(),
            "editor": editor,
            "suggestion": models.ClaimSuggestion.objects.get(article=article),
            "admin": User.objects.get(username="admin")}


def test_every_page_escapes_hostile_text(client, hostile):
    client.force_login(hostile["admin"])
    checked = 0
    for name, pattern in site_urls():
        if EXPECTED[name] not in (DESK, PUBLIC) or name in ("claims:export",):
            continue
        url = url_for(name, pattern, hostile)
        response = client.get(url)
        assert response.status_code == 200, url
        if response.get("Content-Disposition", "").startswith("attachment"):
            # Fetched bytes are only ever a download, sandboxed, never a page of ours.
            assert "sandbox" in response.get("Content-Security-Policy", ""), url
            continue
        if response["Content-Type"].startswith("application/json"):
            # Data, not a page: it carries the text as written, and may never be sniffed as HTML.
            assert response["X-Content-Type-Options"] == "nosniff", url
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert_inert(content.decode("utf-8", "replace"), url)
        checked += 1
    assert checked >= 20


def test_pages_show_the_hostile_text_escaped(client, hostile):
    """Escaped, not dropped: the editor still sees exactly what was written."""
    client.force_login(hostile["editor"])
    html = client.get(reverse("claims:claim-detail", args=[hostile["claim"].pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    article_url = reverse("claims:article-detail", args=[hostile["article"].pk])
    html = client.get(article_url).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_markdown_rationale_is_sanitised_on_the_public_page(client, hostile):
    html = client.get(reverse("public:fact-check", args=[hostile["claim"].pk])).content.decode()
    assert_inert(html, "public fact-check")
    assert "<strong>bold</strong>" in html
    assert "javascript:alert" not in html


def test_claimreview_embed_cannot_break_out_of_its_script(client, hostile):
    html = client.get(reverse("public:fact-check", args=[hostile["claim"].pk])).content.decode()
    start = html.index('<script type="application/ld+json"')
    block = html[start: html.index("</script>", start)]
    data = json.loads(block[block.index(">") + 1:])
    assert any(PAYLOAD in value for value in strings(data))  # the text survives, as data


@pytest.mark.parametrize("model",
                         [m for m in admin.site._registry if m._meta.app_label == "claims"],
                         ids=lambda m: m._meta.model_name)
def test_admin_escapes_hostile_text(client, hostile, model):
    client.force_login(hostile["admin"])
    name = model._meta.model_name
    html = client.get(reverse(f"admin:claims_{name}_changelist")).content.decode()
    assert_inert(html, f"admin {name} changelist")
    obj = model.objects.order_by("-pk").first()
    html = client.get(reverse(f"admin:claims_{name}_change", args=[obj.pk])).content.decode()
    assert_inert(html, f"admin {name} change page")


@pytest.mark.parametrize("feed", ["feeds:rss", "feeds:atom", "feeds:claimreview"])
def test_feeds_escape_hostile_text(client, hostile, feed):
    response = client.get(reverse(feed))
    body = response.content.decode()
    if feed == "feeds:claimreview":
        assert response["Content-Type"].startswith("application/json")
        assert any(PAYLOAD in value for value in strings(json.loads(body)))
    else:
        assert_inert(body, feed)


def test_csv_export_neutralises_formulas_and_keeps_text(client, hostile):
    client.force_login(hostile["editor"])
    response = client.get(reverse("claims:export") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    mine = [r for r in rows if PAYLOAD in "".join(r.values())]
    assert mine, "the hostile claim is exported"
    for row in mine:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_json_export_is_served_as_json_not_html(client, hostile):
    client.force_login(hostile["editor"])
    response = client.get(reverse("claims:export") + "?format=json")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pdf_report_renders_hostile_text_as_text(hostile, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "report.pdf"
    call_command("export_verdicts", "--format", "pdf", "--output", str(out))
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Summary" in text and 'alert("xss")' in text.replace("\n", "")
