"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's
live server. See RECIPES.md for why the flags and the environment variable are needed."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

# The live server and Playwright's sync API share the test thread; Django would otherwise
# refuse ORM calls made while Playwright's event loop runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Live updates go through a real worker and htmx polling every 2 s; on a loaded CI machine
# the default 5 s for an assertion to come true is too tight.
expect.set_options(timeout=15_000)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _no_request_in_flight_at_the_flush(request):
    """A browser test ends with a flush (TRUNCATE of every table) while the page's last
    requests may still run in the live server's threads (a panel that loads after the page,
    a poll): on PostgreSQL the TRUNCATE once deadlocked with one of them. Set up before the
    page and after the database, this runs after the page is closed and before the flush:
    it waits for the live server's request threads to finish (up to 10 s), then ends any
    other connection to the test database (a worker's, a thread's still stuck)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
            "process_request_thread" in t.name for t in threading.enumerate()):
        time.sleep(0.05)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it (.ci/run): a missing browser is a failure
        # A laptop without it still runs everything else; the summary says what was skipped.
        pytest.skip(f"browser tests skipped: {message}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/screenshots/name.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(live_server):
    """log_in(page, "editor"): sign in through the login form as a demo user."""

    def go(page, username: str = "editor", password: str | None = None):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password or username)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Dashboard").wait_for()
        return page

    return go



@pytest.fixture
def page_without_javascript(browser, live_server):
    """A page with JavaScript off, signed in as the demo editor (the users must exist)."""

    def open_page():
        context = browser.new_context(java_script_enabled=False,
                                      viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill("editor")
        page.get_by_role("button", name="Log in").click()
        return page

    contexts: list = []
    yield open_page
    for context in contexts:
        context.close()
