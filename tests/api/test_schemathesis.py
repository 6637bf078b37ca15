"""Generated requests against the live OpenAPI schema: a real server (pytest-django's
live_server, a thread serving the app over HTTP) on a real database, with a few records of
every kind in it. For an anonymous caller and for a token of each scope, no request may get
a server error, and every answer must conform to the schema (its status codes, content
types, headers and bodies).

The run is bounded (MAX_EXAMPLES per operation and caller) to take a few minutes in CI;
SCHEMATHESIS_MAX_EXAMPLES raises it for a longer hunt."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from claims.services.tokens import api_token_create
from tests.verdict_setup import make_roles, make_verdict, published_fact_check

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Schemathesis makes up what it sends; the desk's records are what a caller would find.
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk_records(live_server, settings):
    """Every kind of record, and a token of each scope (of a reviewer, who may do most)."""
    # The rate limits are tested on their own (test_throttling.py); here they would only
    # turn generated requests into 429s.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "token": "100000/minute", "anon": "100000/minute"}}
    users = make_roles()
    published_fact_check(users)
    make_verdict("submitted", author=users["editor_author"])
    return {
        scope: api_token_create(user=users["reviewer"], name=f"Schemathesis {scope}",
                                scopes=(scope,))[1]
        for scope in ("read", "write")
    }


def run_every_operation(live_server, headers: dict) -> None:
    """Load the schema the live server serves, and for each of its operations let
    Hypothesis generate requests (a bounded number) and check every answer. Failures of all
    operations are gathered, so one run names every operation that broke."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @BOUNDED
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 25, "the schema lists every resource's operations"
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("caller", ["anonymous", "read", "write"])
def test_generated_requests_never_fail_and_conform_to_the_schema(live_server, desk_records,
                                                                  caller):
    headers = {} if caller == "anonymous" else {
        "Authorization": f"Bearer {desk_records[caller]}"}
    run_every_operation(live_server, headers)
