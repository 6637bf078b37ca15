"""Run the whole desk in one terminal: embedded Redis (unless REDIS_URL is set), a Celery
worker, Celery beat and the web server. Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.demo import DEMO_USERS
from factcheck.embedded_redis import EmbeddedRedis

# Addresses that mean "every interface": a browser on this machine reaches them here.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}


def site_url_for(addrport: str) -> str:
    """The URL the web server answers on for runserver's ADDRPORT ("8001", "0.0.0.0:8001",
    "[::1]:8001", "desk.local:8001")."""
    host, sep, port = addrport.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", addrport
    host = ANY_ADDRESS.get(host, host) or "127.0.0.1"
    return f"http://{host}:{port}"


def serving_env(env: dict, addrport: str) -> str:
    """Point the links the desk writes (exports, feeds, reports, notification emails) at the
    address it serves, for the web server, the worker and beat alike, unless SITE_URL is
    set: behind a proxy or under a public name only the environment knows the real URL.
    Returns the site URL in force."""
    if "SITE_URL" not in env:
        env["SITE_URL"] = site_url_for(addrport)
    host = site_url_for(addrport).removeprefix("http://").rpartition(":")[0]
    if "ALLOWED_HOSTS" not in env and host not in settings.ALLOWED_HOSTS:
        env["ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
    return env["SITE_URL"].rstrip("/")


class Command(BaseCommand):
    help = "Start embedded Redis, a Celery worker and beat, and the web server; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, addrport, concurrency, **options):
        env = os.environ.copy()
        embedded = None
        if "REDIS_URL" not in os.environ:
            embedded = EmbeddedRedis(settings.EMBEDDED_REDIS_SOCKET.parent).start()
            env["REDIS_URL"] = embedded.url
            self.stdout.write(f"Embedded Redis on {embedded.socket_path}")
        env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                 "factcheck.settings.dev"))
        site_url = serving_env(env, addrport)
        python = sys.executable
        commands = {
            "worker": [python, "-m", "celery", "-A", "factcheck", "worker", "--loglevel=INFO",
                       f"--concurrency={concurrency}", "--pool=prefork"],
            "beat": [python, "-m", "celery", "-A", "factcheck", "beat", "--loglevel=INFO",
                     f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"],
            "web": [python, "manage.py", "runserver", "--noreload", addrport],
        }
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in commands.items():
                # Own process group each, so we can stop a process and all its children.
                processes[name] = subprocess.Popen(command, env=env, start_new_session=True)
            logins = ", ".join(f"{u} / {p}" for u, p, *_ in DEMO_USERS)
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nThe desk is starting on {site_url}/  (admin: {site_url}/admin/)\n"
                    f"Demo logins: {logins}\nPress Ctrl-C to stop everything.\n"
                )
            )
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with {process.returncode}; stopping.")
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            self._stop_all(processes)
            if embedded:
                embedded.stop()
            self.stdout.write("Stopped the web server, worker, beat and Redis.")

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
