"""Reading the desk's pages in tests: the errors a form shows, and the queries a page makes."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def error_text(response) -> str:
    return " ".join(
        re.findall(
            r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', response.content.decode(), re.S
        )
    )


def queries_for(client, url, params=None) -> int:
    """The number of queries a GET of the page makes, with the cache emptied first."""
    cache.clear()  # the dashboard's cached counts would otherwise save queries on a rerun
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)
