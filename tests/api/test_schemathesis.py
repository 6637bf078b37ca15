"""Schemathesis against the live OpenAPI schema, with every one of its checks: a real server
(pytest-django's live_server, a thread serving the app over HTTP) on a real database, with
a few records of every kind in it. For an anonymous caller, a token of each scope and a
write token of a user in no group, in every phase that needs no links (the schema's
examples, the coverage of each parameter's boundaries and types, generated data, valid and
invalid): no request may get a server error, every answer must conform to the schema (its
status codes, content types, headers and bodies), valid requests must be accepted and
invalid ones refused.

The run is bounded to take a few minutes in CI: MAX_EXAMPLES generated cases per operation
and caller, and the coverage phase (every parameter's boundaries and wrong types, two
minutes of the run on its own) for the write token only, the one that reaches every
operation's logic. SCHEMATHESIS_MAX_EXAMPLES raises the count for a longer hunt, with the
coverage phase for every caller."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claims.services.tokens import api_token_create
from tests.verdict_setup import make_roles, make_verdict, published_fact_check, user_in

HUNT = "SCHEMATHESIS_MAX_EXAMPLES" in os.environ
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# Schemathesis's own lists of the statuses that accept a valid request and refuse an invalid
# one, with the API's 414: an address too long for the server (api/views/common.py) is
# refused whatever the schema says of its parts, as percent-encoding can make a text the
# schema allows several times longer on the wire.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 414, 429, "5xx"]

[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 428, 429, "5xx"]
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk_records(live_server, settings):
    """Every kind of record, a token of each scope of a reviewer (who may do most), and a
    write token of a user in no group (who may write nothing)."""
    # The rate limits are tested on their own (test_throttling.py); here they would only
    # turn generated requests into 429s.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "token": "100000/minute", "anon": "100000/minute"}}
    users = make_roles()
    published_fact_check(users)
    make_verdict("submitted", author=users["editor_author"])
    tokens = {
        scope: api_token_create(user=users["reviewer"], name=f"Schemathesis {scope}",
                                scopes=(scope,))[1]
        for scope in ("read", "write")
    }
    tokens["no-group write"] = api_token_create(
        user=user_in("nobody"), name="Schemathesis no group", scopes=("read", "write"))[1]
    return tokens


def run_schemathesis(live_server, headers: dict, tmp_path, *,
                     coverage: bool) -> subprocess.CompletedProcess:
    """`schemathesis run` with every check, as a client would run it, against the schema the
    live server serves (one worker, a fixed seed: the same requests each run)."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(SCHEMATHESIS), "--config-file", str(config), "run",
        f"{live_server.url}/api/v1/schema/?format=json",
        "--checks", "all", "--mode", "all",
        "--phases", "examples,coverage,fuzzing" if coverage else "examples,fuzzing",
        "--max-examples", str(MAX_EXAMPLES), "--seed", "27", "--workers", "1",
        "--suppress-health-check", "all", "--continue-on-failure",
        "--report-dir", str(tmp_path),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path,
                          env={**os.environ, "NO_COLOR": "1"}, check=False)


@pytest.mark.parametrize("caller", ["anonymous", "read", "write", "no-group write"])
def test_every_check_of_schemathesis_passes(live_server, desk_records, caller, tmp_path):
    headers = {} if caller == "anonymous" else {
        "Authorization": f"Bearer {desk_records[caller]}"}
    result = run_schemathesis(live_server, headers, tmp_path,
                              coverage=HUNT or caller == "write")
    report = result.stdout + result.stderr
    (tmp_path / "schemathesis.txt").write_text(report)
    failures = report[report.find("FAILURES"):] if "FAILURES" in report else report
    assert result.returncode == 0, failures
