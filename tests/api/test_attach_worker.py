"""Attaching a source through the API really starts its fetch: a real Celery worker on a
real Redis broker fetches the page from a local web server, and polling the source through
the API sees it settle, with its capture listed and its snapshot downloadable."""

from __future__ import annotations

import time

import pytest

from claims.choices import SourceStatus
from tests.api.conftest import api_client_for
from tests.factories import ClaimFactory
from tests.localserver import Response
from tests.support.web_pages import PAGE
from tests.verdict_setup import user_in

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_an_attached_source_is_fetched_by_a_real_worker_and_polled_to_fetched(
    celery_worker, local_server
):
    local_server.route("/jobs", Response.html(PAGE))
    client = api_client_for(user_in("erin", "Editors"))
    claim = ClaimFactory()
    response = client.post(f"/api/v1/claims/{claim.pk}/sources/",
                           {"url": local_server.url("/jobs"), "stance": "refutes"},
                           format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["source"]["status"] == SourceStatus.PENDING
    location = response["Location"]

    deadline, polled = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        polled = client.get(location).json()
        if polled["status"] in (SourceStatus.FETCHED, SourceStatus.FAILED):
            break
        time.sleep(0.2)
    assert polled["status"] == SourceStatus.FETCHED, polled
    assert polled["title"] == "Jobless figures"
    assert local_server.hits("/jobs") == 1
    [capture] = client.get("/api/v1/captures/", {"source": polled["id"]}).json()["results"]
    assert capture["status"] == "success" and capture["http_status"] == 200
    snapshot = client.get(capture["snapshot_url"])
    assert snapshot.status_code == 200 and b"Jobless figures" in b"".join(
        snapshot.streaming_content)
