"""Processes a worker test starts and stops itself: an embedded Redis of its own (never the
machine's), and `celery worker` subprocesses on it."""

from __future__ import annotations

import pytest

from factcheck.embedded_redis import EmbeddedRedis
from tests.support.processes import WorkerProcess


@pytest.fixture
def own_redis(tmp_path):
    """An embedded Redis of the test's own: start() and stop() it to play an outage."""
    server = EmbeddedRedis(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def workers(tmp_path):
    """workers(broker_url, **env) starts a `celery worker` subprocess and waits until it is
    ready; every one started is stopped when the test ends."""
    started: list[WorkerProcess] = []

    def start(broker_url: str, **extra_env) -> WorkerProcess:
        worker = WorkerProcess(broker_url, tmp_path, **extra_env)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
