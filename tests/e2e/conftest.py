"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's
live server. See RECIPES.md for why the flags and the environment variable are needed."""

from __future__ import annotations

import os
import shutil
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

