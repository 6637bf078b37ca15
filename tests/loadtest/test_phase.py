"""The load test's steady-state figures: only requests that started after the ramp count."""

from __future__ import annotations

from loadtest.__main__ import phase


def test_phase_counts_requests_started_after_the_ramp():
    # (finished at, name, ms, status): the first two started before t=100.
    times = [(99.0, "log in", 500.0, 302), (100.2, "claims table", 400.0, 200)]
    times += [(100.0 + i, "claims table", 100.0 + i, 200) for i in range(1, 21)]
    times += [(110.0, "claim page", 50.0, 200)]

    steady = phase(times, since=100.0)

    assert steady["requests"] == 21  # 20 table requests and one claim page
    assert "log in" not in steady["endpoints"]
    assert steady["endpoints"]["claims table"]["requests"] == 20
    assert steady["endpoints"]["claims table"]["p95_ms"] == 119  # nearest rank of 101..120
    assert steady["p50_ms"] == 110 and steady["rps"] == round(21 / 20.0, 1)


def test_phase_without_requests_says_so():
    assert phase([], since=0.0) == {"requests": 0}
