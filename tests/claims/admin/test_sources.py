"""Admin for sources: filters by status and domain, and the re-fetch action (through the
service, so a source being fetched right now is left alone with a message)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.choices import SourceStatus
from claims.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_filters_by_status_and_domain(admin_client):
    SourceFactory(url="https://bbc.co.uk/a", domain="bbc.co.uk", status=SourceStatus.FETCHED)
    SourceFactory(url="https://bbc.co.uk/b", domain="bbc.co.uk", status=SourceStatus.FAILED)
    SourceFactory(url="https://example.org/c", domain="example.org",
                  status=SourceStatus.FETCHED)
    url = reverse("admin:claims_source_changelist")
    page = admin_client.get(url).content.decode()
    assert "bbc.co.uk (2)" in page and "example.org (1)" in page
    page = admin_client.get(url, {"domain": "bbc.co.uk", "status__exact": "fetched"})
    assert list(page.context["cl"].queryset.values_list("url", flat=True)) == [
        "https://bbc.co.uk/a"]


def test_refetch_action_queues_sources_through_the_service(
    admin_client, django_capture_on_commit_callbacks
):
    done = SourceFactory(status=SourceStatus.FAILED, attempts=5, last_error="boom")
    busy = SourceFactory(status=SourceStatus.FETCHING)
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:claims_source_changelist"),
            {"action": "refetch_selected", "_selected_action": [done.pk, busy.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "1 source(s) queued to be fetched again." in text
    assert "being fetched right now" in text
    assert len(callbacks) == 1
    done.refresh_from_db()
    assert done.status == SourceStatus.PENDING and done.attempts == 0
    assert Source.objects.get(pk=busy.pk).status == SourceStatus.FETCHING
