"""An answer that declares two different lengths (two Content-Length headers, or one header
listing two values) has no trustworthy end: it is refused as malformed, in words, and the
source fails with that reason instead of being stored as fetched with whatever was read.
Sent by a real server on 127.0.0.1 writing raw bytes."""

from __future__ import annotations

import pytest

from claims.choices import CaptureStatus, SourceStatus
from claims.fetching.client import FetchError, fetch
from claims.services.sources import source_attach
from claims.tasks import fetch_source
from tests.claims.fetching.test_hostile_server import TEXT, html_head, raw, run_fetch_task
from tests.factories import ClaimFactory, EditorFactory

TWO_HEADERS = html_head(b"Content-Length: %d" % len(TEXT), b"Content-Length: 80") + TEXT


def test_two_different_content_length_headers_are_refused_in_words(local_server):
    url = local_server.route("/two-lengths", raw(TWO_HEADERS))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.message == (
        f"The server sent two different Content-Length headers ({len(TEXT)} and 80): the "
        "answer is malformed.")
    assert not caught.value.transient


def test_one_header_listing_two_lengths_is_refused_in_words(local_server):
    url = local_server.route("/listed", raw(html_head(b"Content-Length: 5, 7") + TEXT))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.message == (
        "The server sent a Content-Length header with two different values (5 and 7): the "
        "answer is malformed.")


def test_the_same_length_sent_twice_is_a_page(local_server):
    length = b"Content-Length: %d" % len(TEXT)
    url = local_server.route("/same", raw(html_head(length, length) + TEXT))
    assert fetch(url).body == TEXT


@pytest.mark.django_db
def test_a_source_answered_with_two_lengths_fails_with_the_reason(local_server, settings):
    settings.FETCH_MAX_ATTEMPTS = 3
    url = local_server.route("/two-lengths", raw(TWO_HEADERS))
    source = source_attach(claim=ClaimFactory(), url=url, user=EditorFactory()).source
    assert run_fetch_task(fetch_source, source.pk) is not None  # failed once, not retried
    source.refresh_from_db()
    assert source.status == SourceStatus.FAILED
    assert "two different Content-Length headers" in source.last_error
    assert "malformed" in source.last_error
    assert not source.captures.filter(status=CaptureStatus.SUCCESS).exists()
    assert local_server.hits("/two-lengths") == 1
