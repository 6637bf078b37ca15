"""The source page's evidence archive section follows the archive live: it polls while the
source is being fetched or its archive made, and stops once the archive has settled; the
poll answers the section alone, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.choices import ArchiveStatus, SourceStatus
from tests import factories
from tests.claims.views.test_archives import make_archive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client


def _polls(html: str, source) -> bool:
    return f'hx-get="{reverse("claims:source-archive", args=[source.pk])}"' in html


def test_a_source_being_fetched_polls_for_its_archive(client_ed):
    source = factories.SourceFactory(status=SourceStatus.FETCHING)
    html = client_ed.get(source.get_absolute_url()).content.decode()
    assert "No evidence archive has been made for this source yet" in html
    assert _polls(html, source)


@pytest.mark.parametrize("status", [ArchiveStatus.PENDING, ArchiveStatus.WORKING])
def test_an_archive_on_its_way_polls(client_ed, status):
    archive = make_archive(status=status, manifest_sha256="", files=[])
    source = archive.capture.source
    html = client_ed.get(reverse("claims:source-archive", args=[source.pk])).content.decode()
    assert _polls(html, source)
    assert f'data-archive-status="{status}"' in html


@pytest.mark.parametrize("status", [ArchiveStatus.DONE, ArchiveStatus.FAILED])
def test_a_settled_archive_stops_polling(client_ed, status):
    fields = {"error_message": "The page could not be captured."} if status == "failed" else {}
    archive = make_archive(status=status, **fields)
    source = archive.capture.source
    source.status = SourceStatus.FETCHED
    source.save()
    poll = client_ed.get(reverse("claims:source-archive", args=[source.pk]))
    assert poll.status_code == 200
    html = poll.content.decode()
    assert not _polls(html, source)
    assert html.lstrip().startswith(("{#", "<section")) or "<section" in html
    assert "<html" not in html  # the section alone, not the page
    page = client_ed.get(source.get_absolute_url()).content.decode()
    assert not _polls(page, source)


def test_the_poll_costs_the_same_for_one_capture_or_many(client_ed, django_assert_max_num_queries):
    archive = make_archive()
    source = archive.capture.source
    url = reverse("claims:source-archive", args=[source.pk])
    client_ed.get(url)
    with django_assert_max_num_queries(6) as one:
        client_ed.get(url)
    for _ in range(6):
        factories.CaptureFactory(source=source)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client_ed.get(url)


def test_the_poll_needs_a_login(client):
    source = factories.SourceFactory()
    response = client.get(reverse("claims:source-archive", args=[source.pk]))
    assert response.status_code == 302
