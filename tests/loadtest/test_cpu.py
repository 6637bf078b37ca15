"""The load test's account of where the CPU went: a process in its own session is charged
to that session's name, an idle one is not, and nothing is counted twice."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from loadtest.cpu import PROC, Sampler, snapshot

pytestmark = pytest.mark.skipif(not PROC.is_dir(), reason="reads /proc (Linux)")

# Burns 0.6 s of CPU, then waits to be stopped: a process that has exited is no longer in
# /proc, so its CPU is read while it lives (as gunicorn's and Celery's workers do).
BURN = ("import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\n"
        "time.sleep(30)\n")
IDLE = "import time\ntime.sleep(30)\n"


def test_each_session_is_charged_its_own_cpu():
    busy = subprocess.Popen([sys.executable, "-c", BURN], start_new_session=True)
    idle = subprocess.Popen([sys.executable, "-c", IDLE], start_new_session=True)
    sampler = Sampler({"busy": busy.pid, "idle": idle.pid}, every=0.1).start()
    started = time.time()
    deadline = started + 20
    while time.time() < deadline and snapshot({"busy": busy.pid})["busy"] < 0.6:
        time.sleep(0.1)
    time.sleep(0.3)
    sampler.stop()
    for proc in (busy, idle):
        proc.kill()
        proc.wait()

    used = sampler.between(started - 1, time.time())
    assert used["cpu_seconds"]["busy"] >= 0.4
    assert used["cpu_seconds"]["idle"] < 0.2
    # The machine's total is at least what its parts used: "other" is never negative.
    assert used["cpu_seconds"]["other"] >= 0
    assert used["cores_busy"] > 0


def test_a_window_without_two_samples_reports_nothing():
    sampler = Sampler({})
    sampler.samples = [(10.0, snapshot({}))]
    assert sampler.between(0, 20) == {}
