"""`manage.py rundesk --addrport` serves the desk on another port, and every absolute link it
writes (CSV claim_url / public_url and snapshot links, feeds, the report's public link)
points at that port, unless SITE_URL is set."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

from claims.management.commands.rundesk import serving_env, site_url_for
from tests.support.processes import test_database_url, wait_for
from tests.verdict_setup import make_roles, make_verdict


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("8001", "http://127.0.0.1:8001"),
        ("127.0.0.1:8002", "http://127.0.0.1:8002"),
        ("0.0.0.0:8003", "http://127.0.0.1:8003"),
        ("[::1]:8004", "http://[::1]:8004"),
        ("desk.local:8005", "http://desk.local:8005"),
    ],
)
def test_site_url_follows_the_address_served(addrport, url):
    assert site_url_for(addrport) == url
    env = {}
    assert serving_env(env, addrport) == url
    assert env["SITE_URL"] == url


def test_an_explicit_site_url_wins():
    env = {"SITE_URL": "https://desk.example.org/"}
    assert serving_env(env, "0.0.0.0:8001") == "https://desk.example.org"
    assert env["SITE_URL"] == "https://desk.example.org/"


def test_a_named_host_is_allowed():
    env = {}
    serving_env(env, "desk.local:8005")
    assert "desk.local" in env["ALLOWED_HOSTS"].split(",")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that logs in through the login form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode("utf-8-sig")

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=20) as response:
            assert "Dashboard" in response.read().decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_rundesk_on_another_port_writes_links_to_that_port(own_redis, tmp_path):
    roles = make_roles()
    editor = roles["editor_author"]
    editor.set_password("editor-pass-1")
    editor.save()
    verdict = make_verdict("published", author=editor, approver=roles["reviewer"])
    claim = verdict.claim
    own_redis.start()
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="factcheck.settings.test",
               DATABASE_URL=test_database_url(), REDIS_URL=own_redis.url)
    log = (tmp_path / "rundesk.log").open("wb")
    desk = subprocess.Popen(
        [sys.executable, "manage.py", "rundesk", "--addrport", f"127.0.0.1:{port}",
         "--concurrency", "1"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        browser = Browser(site)

        def up():
            try:
                return "Log in" in browser.get("/login/")
            except OSError:
                return False

        assert wait_for(up, 60), (tmp_path / "rundesk.log").read_text(errors="replace")
        browser.log_in(editor.username, "editor-pass-1")

        rows = list(csv.DictReader(io.StringIO(browser.get("/claims/export/?format=csv"))))
        row = next(r for r in rows if r["claim_id"] == str(claim.pk))
        assert row["claim_url"] == f"{site}/claims/{claim.pk}/"
        assert row["public_url"].startswith(f"{site}/")
        snapshots = [u for u in row["source_snapshot_urls"].split("\n") if u]
        assert snapshots and all(u.startswith(f"{site}/captures/") for u in snapshots)

        report = browser.get(f"/reports/?scope=claim&claim={claim.pk}&format=html")
        assert f'href="{row["public_url"]}"' in report

        feed = browser.get("/feeds/claimreview.json")
        assert f"{site}/" in feed and "127.0.0.1:8000" not in feed
    finally:
        os.killpg(desk.pid, signal.SIGINT)
        try:
            desk.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(desk.pid, signal.SIGKILL)
            desk.wait()
        log.close()
