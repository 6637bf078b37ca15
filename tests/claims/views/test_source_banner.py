"""The banner after attaching a source says what the source's row says when the page is
drawn (the browser test, tests/e2e/test_source_banner.py, watches it change live)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.models import Source
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(client):
    # The fetch is enqueued on commit, which this test's transaction never reaches: the
    # source stays as each test sets it.
    editor = UserFactory(username="erin")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    claim = ClaimFactory()
    response = client.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                           {"url": "https://stats.example/table-4"})
    assert response.status_code == 302
    return claim, Source.objects.get(normalized_url__contains="stats.example")


def banner(html: str) -> str:
    start = html.rindex("<div", 0, html.index("data-follows-source"))
    return html[start:html.index("</div>", start)]


def test_banner_says_being_fetched_while_the_source_waits(client, attached):
    claim, source = attached
    html = client.get(claim.get_absolute_url()).content.decode()
    assert f'data-follows-source="{source.pk}"' in html
    assert "Source attached as context evidence; it is being fetched." in banner(html)


def test_banner_says_failed_when_the_fetch_failed_before_the_page_was_drawn(client, attached):
    claim, source = attached
    Source.objects.filter(pk=source.pk).update(status="failed", last_error_kind="http_4xx",
                                               last_error="The site answered 404 Not Found.")
    text = banner(client.get(claim.get_absolute_url()).content.decode())
    assert "being fetched" not in text
    assert "could not be fetched" in text
    assert "(Client error (4xx): The site answered 404 Not Found)." in text
    assert "alert-danger" in text


def test_banner_says_fetched_when_the_fetch_is_done(client, attached):
    claim, source = attached
    Source.objects.filter(pk=source.pk).update(status="fetched")
    text = banner(client.get(claim.get_absolute_url()).content.decode())
    assert "Source attached as context evidence and fetched." in text
    assert "being fetched" not in text
