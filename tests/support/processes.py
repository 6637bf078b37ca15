"""Work done by other processes: waiting for it, `celery worker` subprocesses pointed at the
test's own database and broker, and this process's Celery producer pointed at another
broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from claims.models import Source


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def source_status(pk: int) -> str:
    return Source.objects.values_list("status", flat=True).get(pk=pk)


def test_database_url() -> str:
    """DATABASE_URL naming the database this test runs on, for worker subprocesses."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class WorkerProcess:
    """`celery worker` in a subprocess, on a given broker, against this test's database."""

    def __init__(self, broker_url: str, log_dir: Path, **extra_env: str):
        env = {**os.environ,
               "DJANGO_SETTINGS_MODULE": "factcheck.settings.test",
               "DATABASE_URL": test_database_url(),
               "REDIS_URL": broker_url,
               "CELERY_BROKER_URL": broker_url,
               "CELERY_RESULT_BACKEND": broker_url,
               "FETCH_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
               **extra_env}
        self.log = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factcheck", "worker", "--pool=solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip",
             "-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        ready = wait_for(lambda: b"ready." in self.log.read_bytes()
                         or self.process.poll() is not None, timeout)
        assert ready and self.process.poll() is None, self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def publishing_to(app, url: str):
    """Point this process's Celery producer at another broker for the block."""
    def reset_pools():
        # kombu keeps one pool per broker URL; dropping our references makes the next
        # publish look up (or create) the pool for the URL now configured.
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    reset_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = old
