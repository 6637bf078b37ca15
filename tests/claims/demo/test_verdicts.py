"""The demo desk's verdicts: every state, published fact-checks with captured sources, a
correction, and still idempotent."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from claims.choices import CaptureStatus, VerdictState
from claims.models import Capture, Notification, Verdict

pytestmark = pytest.mark.django_db


def test_demo_has_a_verdict_in_every_state_and_a_published_correction():
    call_command("load_demo")
    current = Verdict.objects.filter(is_current=True)
    assert {v.state for v in current} == set(VerdictState.values)
    published = current.filter(state=VerdictState.PUBLISHED)
    assert published.count() >= 3
    for verdict in published:
        assert Capture.objects.filter(
            source__evidence__verdicts=verdict, status=CaptureStatus.SUCCESS
        ).exists()
    correction = Verdict.objects.get(supersedes__isnull=False)
    assert correction.state == VerdictState.PUBLISHED and correction.correction_note
    assert correction.supersedes.state == VerdictState.PUBLISHED
    assert not correction.supersedes.is_current
    # Made by two people: the editor wrote, the reviewer approved.
    assert {v.author.username for v in published} == {"editor"}
    assert {v.reviewer.username for v in published} == {"reviewer"}
    sent_back = current.get(state=VerdictState.CHANGES_REQUESTED)
    assert sent_back.review_comment
    assert Notification.objects.filter(recipient__username="editor", verb="sent_back").exists()


def test_demo_snapshots_are_stored_and_public():
    call_command("load_demo")
    capture = Capture.objects.filter(status=CaptureStatus.SUCCESS).first()
    assert capture.snapshot.read().startswith(b"<!doctype html>")
    verdict = Verdict.objects.filter(state=VerdictState.PUBLISHED, is_current=True).first()
    html = Client().get(reverse("public:fact-check", args=[verdict.claim_id])).content.decode()
    assert "our stored copy" in html


def test_demo_verdicts_load_once():
    call_command("load_demo")
    before = (Verdict.objects.count(), Capture.objects.count(), Notification.objects.count())
    call_command("load_demo")
    assert (Verdict.objects.count(), Capture.objects.count(),
            Notification.objects.count()) == before
