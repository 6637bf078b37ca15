"""Readers see the evidence archive of each capture a published fact-check reviewed: its
screenshot, when it was archived and timestamped, and its web archive and evidence bundle to
download, served in a sandbox. Only a capture a published verdict cites as reviewed: any
other capture's files answer 404, and a newer capture's archive reaches readers only
through a published correction. The page costs the same queries with archives or without."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.choices import ArchiveStatus, VerdictState
from claims.models import VerdictCapture, archive_dir
from claims.services.verdicts import verdict_approve, verdict_correct, verdict_publish
from tests.factories import CaptureFactory, ClaimFactory, EvidenceFactory
from tests.support.archives import PNG, write_archive
from tests.verdict_setup import (
    captured_source_evidence,
    make_roles,
    make_verdict,
    publish_through_workflow,
    published_fact_check,
)

pytestmark = pytest.mark.django_db

FILES = ("snapshot-screenshot", "snapshot-wacz", "snapshot-bundle")


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Archives live under their capture's id: a directory of this test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def users():
    return make_roles()


@pytest.fixture
def published(users):
    """A fact-check published through the workflow; the capture it reviewed is archived."""
    fact_check = published_fact_check(users)
    reviewed = VerdictCapture.objects.get(verdict=fact_check["verdict"]).capture
    return {**fact_check, "reviewed": reviewed, "archive": write_archive(reviewed)}


def page(claim_id) -> str:
    response = Client().get(reverse("public:fact-check", args=[claim_id]))
    assert response.status_code == 200
    return response.content.decode()


def file_url(name: str, capture) -> str:
    return reverse(f"public:{name}", args=[capture.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_page_shows_the_reviewed_capture_s_screenshot_date_timestamp_and_files(published):
    html = page(published["claim"].pk)
    reviewed = published["reviewed"]
    screenshot = file_url("snapshot-screenshot", reviewed)
    # A thumbnail that links to the full image.
    assert f'<a href="{screenshot}" class="flex-shrink-0" data-testid="archive-screenshot">' \
           f'<img src="{screenshot}"' in html
    assert "Archived 5 May 2026, timestamped by <bdi>http://tsa.example/</bdi> at " \
           "5 May 2026 01:03:04 UTC." in html
    assert f'href="{file_url("snapshot-wacz", reviewed)}" download>Web archive (WACZ)' in html
    assert f'href="{file_url("snapshot-bundle", reviewed)}" download>Evidence bundle' in html


def test_an_archive_without_screenshot_or_timestamp_says_only_what_it_has(users):
    fact_check = published_fact_check(users)
    reviewed = VerdictCapture.objects.get(verdict=fact_check["verdict"]).capture
    write_archive(reviewed, screenshot=False, timestamp=False)
    html = page(fact_check["claim"].pk)
    assert 'data-testid="capture-archive"' in html and "Archived 5 May 2026." in html
    assert "timestamped" not in html and "<img" not in html
    assert Client().get(file_url("snapshot-screenshot", reviewed)).status_code == 404
    assert Client().get(file_url("snapshot-wacz", reviewed)).status_code == 200


@pytest.mark.parametrize("status", [ArchiveStatus.PENDING, ArchiveStatus.WORKING,
                                    ArchiveStatus.FAILED])
def test_an_archive_not_made_shows_nothing_and_serves_nothing(users, status):
    fact_check = published_fact_check(users)
    reviewed = VerdictCapture.objects.get(verdict=fact_check["verdict"]).capture
    write_archive(reviewed, status=status)
    html = page(fact_check["claim"].pk)
    assert 'data-testid="capture-archive"' not in html and "Archived" not in html
    assert reverse("public:snapshot", args=[reviewed.pk]) in html  # the stored copy stays
    for name in FILES:
        assert Client().get(file_url(name, reviewed)).status_code == 404, name


def test_the_screenshot_is_an_image_that_cannot_run_anything(published):
    response = Client().get(file_url("snapshot-screenshot", published["reviewed"]))
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Nothing may load or run; the browser's own image page may style itself.
    assert response["Content-Security-Policy"] == \
        "sandbox; default-src 'none'; style-src 'unsafe-inline'"


def test_the_wacz_and_the_bundle_are_sandboxed_downloads(published):
    reviewed, archive = published["reviewed"], published["archive"]
    wacz = Client().get(file_url("snapshot-wacz", reviewed))
    assert wacz.status_code == 200
    stored = default_storage.open(f"{archive_dir(reviewed.pk)}/archive.wacz").read()
    assert body(wacz) == stored
    bundle = Client().get(file_url("snapshot-bundle", reviewed))
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(bundle))) as zipped:
        assert {f["name"] for f in archive.files} <= set(zipped.namelist())
        assert zipped.read("archive.wacz") == stored
        assert zipped.read("screenshot.png") == PNG
    for response, filename in ((wacz, f"capture-{reviewed.pk}.wacz"),
                               (bundle, f"capture-{reviewed.pk}-evidence.zip")):
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert response["Content-Type"] == "application/zip"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_file_missing_from_storage_is_a_404_not_an_error(published):
    default_storage.delete(f"{archive_dir(published['reviewed'].pk)}/archive.wacz")
    assert Client().get(file_url("snapshot-wacz", published["reviewed"])).status_code == 404


def test_a_capture_no_published_verdict_cites_has_no_public_archive(users):
    # A source of a claim whose verdict is only submitted, and one on a published claim
    # that its verdict does not cite: both archived, neither public.
    submitted = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    fact_check = published_fact_check(users)
    uncited = CaptureFactory(source=EvidenceFactory(claim=fact_check["claim"]).source)
    for capture in (submitted.evidence.get().source.captures.get(), uncited):
        write_archive(capture)
        assert Client().get(reverse("public:snapshot", args=[capture.pk])).status_code == 404
        for name in FILES:
            assert Client().get(file_url(name, capture)).status_code == 404, name
    assert file_url("snapshot-wacz", uncited) not in page(fact_check["claim"].pk)


def test_a_newer_capture_s_archive_reaches_readers_only_through_a_correction(published, users):
    claim, reviewed = published["claim"], published["reviewed"]
    newer = CaptureFactory(source=reviewed.source, title="Rewritten page",
                           started_at=timezone.now() + timedelta(hours=1))
    write_archive(newer, label="newer")

    def shows(capture) -> bool:
        return file_url("snapshot-wacz", capture) in page(claim.pk)

    def served(capture) -> list[int]:
        return [Client().get(file_url(name, capture)).status_code for name in FILES]

    assert shows(reviewed) and not shows(newer)
    assert served(reviewed) == [200, 200, 200] and served(newer) == [404, 404, 404]

    correction = verdict_correct(verdict=published["verdict"], user=users["other_editor"],
                                 correction_note="The source was revised.")
    verdict_approve(verdict=correction, user=users["reviewer"])
    # Approved, not yet published: readers still see the reviewed capture's archive.
    assert shows(reviewed) and not shows(newer)
    assert served(newer) == [404, 404, 404]
    verdict_publish(verdict=correction, user=users["reviewer"])

    assert shows(newer) and not shows(reviewed)
    assert served(newer) == [200, 200, 200]
    # The earlier version's capture stays readable, with its archive: that version cited it.
    assert served(reviewed) == [200, 200, 200]


def test_the_stored_copy_page_shows_the_archive_and_its_manifest_hash(published):
    reviewed, archive = published["reviewed"], published["archive"]
    response = Client().get(reverse("public:snapshot", args=[reviewed.pk]))
    html = response.content.decode()
    assert archive.manifest_sha256 in html
    assert file_url("snapshot-screenshot", reviewed) in html
    assert file_url("snapshot-bundle", reviewed) in html


def count_queries(url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


def test_archives_add_no_query_to_the_page_whatever_the_sources(users):
    one = published_fact_check(users)["claim"]
    url = reverse("public:fact-check", args=[one.pk])
    without = count_queries(url)
    write_archive(VerdictCapture.objects.get(verdict__claim=one).capture)
    assert count_queries(url) == without

    many = ClaimFactory()
    evidence = [captured_source_evidence(many) for _ in range(4)]
    publish_through_workflow(many, author=users["editor_author"], reviewer=users["reviewer"])
    statuses = [ArchiveStatus.DONE, ArchiveStatus.DONE, ArchiveStatus.FAILED, None]
    for item, status in zip(evidence, statuses, strict=True):
        if status is not None:
            write_archive(item.source.captures.get(), status=status)
    assert page(many.pk).count('data-testid="capture-archive"') == 2
    assert count_queries(reverse("public:fact-check", args=[many.pk])) == without

    archived, unarchived = (evidence[i].source.captures.get() for i in (0, 3))
    assert count_queries(reverse("public:snapshot", args=[archived.pk])) == count_queries(
        reverse("public:snapshot", args=[unarchived.pk]))
