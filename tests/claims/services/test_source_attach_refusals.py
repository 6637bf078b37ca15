"""Attaching a source refuses, at once and in words, every address a fetch would refuse
before looking its host up (scheme, port, credentials, a literal private or loopback
address, length, a bad port number), with the fetcher's own words: the rule is the guard's,
checked in one place. The same through the service, the desk's form and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.fetching.client import FetchError, fetch
from claims.models import Evidence, Source
from claims.services.sources import source_attach
from tests.factories import ClaimFactory, EditorFactory
from tests.support.pages import error_text

pytestmark = pytest.mark.django_db

REFUSED = [
    ("http://example.org:6379/", "Port 6379 is not allowed"),
    ("https://example.org:22/", "Port 22 is not allowed"),
    ("ftp://example.org/file.txt", "Only http and https addresses"),
    ("http://editor:hunter2@example.org/", "user name or password"),
    ("http://10.0.0.1/admin", "a private network (10/8)"),
    ("http://[::1]/", "the loopback address"),
    ("http://2130706433/", "the loopback range"),
    ("http://169.254.169.254/latest/meta-data/", "the link-local range"),
    ("https://example.org/" + "a" * 2001, "longer than 2000 characters"),
    ("http://example.org:99999/", "invalid port number"),
]


@pytest.fixture(autouse=True)
def no_allow_list(settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    settings.FETCH_ALLOWED_PORTS = [80, 443]


@pytest.fixture
def enqueued(monkeypatch):
    from claims import queue

    sent = []
    monkeypatch.setattr(queue, "enqueue_source_fetch", lambda pk: sent.append(pk) or True)
    return sent


@pytest.mark.parametrize(("url", "words"), REFUSED)
def test_attach_refuses_what_fetching_would_refuse_in_the_same_words(url, words, enqueued):
    with pytest.raises(ValidationError) as refused:
        source_attach(claim=ClaimFactory(), url=url, user=EditorFactory())
    message = refused.value.message_dict["url"][0]
    assert words in message
    with pytest.raises(FetchError) as fetched:
        fetch(url)  # refused before any lookup or connection: no network in this test
    assert fetched.value.message == message
    assert not Source.objects.exists() and not Evidence.objects.exists()
    assert enqueued == []


def test_a_port_the_guard_refuses_is_refused_in_plain_words(enqueued):
    with pytest.raises(ValidationError) as refused:
        source_attach(claim=ClaimFactory(), url="http://example.org:6379/", user=None)
    assert refused.value.message_dict["url"] == [
        "Port 6379 is not allowed: the desk connects only to ports 80 and 443."]


def test_allowed_ports_and_public_hosts_are_attached(enqueued, django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True):
        evidence = source_attach(claim=claim, url="https://example.org:443/report", user=None)
    assert evidence.source.normalized_url == "https://example.org/report"
    assert enqueued == [evidence.source_id]


def test_an_allow_listed_host_may_use_any_port(settings, enqueued):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    evidence = source_attach(claim=ClaimFactory(), url="http://127.0.0.1:8123/page", user=None)
    assert evidence.source.normalized_url == "http://127.0.0.1:8123/page"


def test_the_desk_form_refuses_a_forbidden_port_next_to_the_field(client_ed, enqueued):
    claim = ClaimFactory()
    response = client_ed.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                              {"url": "http://example.org:6379/"})
    assert response.status_code == 400
    assert "Port 6379 is not allowed" in error_text(response)
    assert not Source.objects.exists() and enqueued == []


def test_the_api_refuses_a_forbidden_port_with_400(enqueued):
    from tests.api.conftest import api_client_for
    from tests.verdict_setup import make_roles

    client = api_client_for(make_roles()["editor_author"])
    claim = ClaimFactory()
    response = client.post(f"/api/v1/claims/{claim.pk}/sources/",
                           {"url": "http://example.org:6379/"}, format="json")
    assert response.status_code == 400
    assert "Port 6379 is not allowed" in response.json()["detail"]
    assert not Source.objects.exists() and enqueued == []
