"""A page captured as a headless Chromium loads it, every request through the desk's guard.

The browser never touches the network itself. It starts behind a proxy that does not exist
(so anything it might send on its own goes nowhere, loopback included), and every request
its pages make is routed (Playwright's context.route) to fetch_exchange: the guard checks
the address, the pinned client fetches, and the browser is handed the answer (status,
headers, body). A refused request is aborted and listed as blocked; a redirect is handed
over as the 3xx it is and the browser follows it, through the same door. WebSockets,
service workers, downloads, pop-ups and permissions are refused.

Each capture launches its own browser and ends it: a fresh profile, nothing shared with the
next page, and no Chromium left behind whatever happens (every process it starts carries a
mark, claims.capture.processes, by which they are all killed at the end). The work is
bounded by CaptureLimits: wall time, bytes, requests, memory; each limit reached is a note.

Playwright's async API runs inside asyncio.run, so capture_in_browser is an ordinary
blocking call for a Celery worker, while the page's requests are fetched several at a time
(its sync API would fetch them one after another)."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import logging
import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from claims.capture.http import (
    REFUSED_KINDS,
    capture_over_http,
    fetch_exchange,
    header,
    html_title,
    no_screenshot_note,
    software_versions,
    status_note,
)
from claims.capture.limits import MB, CaptureLimits, size_in_words
from claims.capture.processes import (
    MARK,
    browser_processes,
    kill,
    kill_marked,
    marked_processes,
    memory_bytes,
    parent_of,
    process_tree,
)
from claims.capture.records import Blocked, Exchange, PageCapture
from claims.fetching.client import REDIRECT_STATUSES, FetchError, printable

logger = logging.getLogger(__name__)

README = "see the README, “Evidence capture”"
VIEWPORT_HEIGHT = 800
# Where the browser would send anything not routed through the guard: nothing listens on
# the discard port, and Playwright adds <-loopback> so loopback is not exempt either.
DEAD_PROXY = "http://127.0.0.1:9"
FLAGS = [
    # As the browser tests run Debian's Chromium (RECIPES.md).
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # A worker's container has a small /dev/shm; screenshots without scrollbars.
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--disable-extensions",
    "--disable-breakpad", "--no-pings",
    # Nothing leaves but through the routing: the browser resolves no name itself.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
# WebRTC sends UDP (STUN, TURN) that neither the routing nor a proxy carries: a page could
# reach a private address with it. Removed from every frame before the page's scripts run.
NO_WEBRTC = """for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection",
                          "RTCDataChannel", "RTCIceCandidate", "RTCSessionDescription"]) {
    try { delete window[name]; } catch (e) {}
    try { Object.defineProperty(window, name, {value: undefined, configurable: false}); }
    catch (e) {}
}"""
# Request headers passed on from the browser's (with the cookies it holds for the address);
# the client adds Host, its User-Agent and Connection, and asks only for the encodings it
# can decode.
FORWARDED_REQUEST_HEADERS = {"accept", "accept-language", "referer", "origin"}
# Not handed to the browser: the body it gets is already whole and decoded.
DROPPED_RESPONSE_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length",
                            "content-encoding", "proxy-connection", "trailer", "upgrade"}
HARD_KILL_GRACE = 20.0  # after the wall limit, the browser is killed whatever it is doing
CLOSE_SECONDS = 5.0
SETTLE_QUIET = 0.5  # no request for this long: the page has settled
SETTLE_MAX = 5.0
LISTED = 5  # examples of URLs named in a note


def chromium_path() -> str:
    return str(getattr(settings, "CAPTURE_CHROMIUM_PATH", "/usr/bin/chromium"))


def browser_available() -> str | None:
    """None when this worker can capture in a browser (the playwright package and Chromium
    at CAPTURE_CHROMIUM_PATH); otherwise the note the source page shows, in words."""
    if importlib.util.find_spec("playwright") is None:
        return ("No screenshot or PDF: the Playwright package is not installed on the worker "
                f"({README}).")
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return (f"No screenshot or PDF: Chromium is not installed on the worker (nothing at "
                f"{path}; {README}).")
    return None


def capture_in_browser(url: str, *, limits: CaptureLimits | None = None) -> PageCapture:
    """Load `url` in a fresh headless Chromium whose every request goes through the guard,
    and keep what it fetched, what was refused, a full-page screenshot (PNG) and a PDF.

    Never takes longer than limits.wall_seconds and a few seconds to close, and leaves no
    browser process behind, even when interrupted (a worker's time limit raises in the
    middle of it). Raises FetchError when the page itself gave no answer (refused by the
    guard, unreachable): there is nothing to keep. When the browser cannot start, the page
    is captured over HTTP instead (method "http"), and the first note says why."""
    limits = limits or CaptureLimits.from_settings()
    run = _BrowserCapture(url, limits, secrets.token_hex(8))
    outcome: dict[str, object] = {}
    finished = threading.Event()

    def work() -> None:
        try:
            outcome["capture"] = asyncio.run(run.capture())
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            finished.set()

    # The browser runs in a thread of its own, so that an exception raised by a signal in
    # the caller's thread (Celery's soft time limit) lands here, and the browser is closed
    # in order, rather than inside asyncio's or Playwright's internals.
    thread = threading.Thread(target=work, name="capture-browser", daemon=True)
    # The last resort, should the browser stop answering Playwright: killed from outside.
    killer = threading.Timer(limits.wall_seconds + HARD_KILL_GRACE, kill_marked, (run.mark,))
    killer.daemon = True
    thread.start()
    killer.start()
    try:
        finished.wait()
    except BaseException:
        # (Not Thread.join: interrupted, it may later say a thread still running is done.)
        run.stop_soon()
        finished.wait(3 * CLOSE_SECONDS)
        raise
    finally:
        killer.cancel()
        run.end_processes()
    if "error" in outcome:
        raise outcome["error"]
    if run.launch_error:
        return capture_over_http(url, limits=limits, no_browser_reason=(
            f"the browser could not be started ({run.launch_error})"))
    return outcome["capture"]


class _BrowserCapture:
    """One capture's state: the browser's requests as they come, the limits reached."""

    def __init__(self, url: str, limits: CaptureLimits, mark: str):
        self.url = url
        self.limits = limits
        self.mark = mark
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_seconds
        self.ready = self.started  # when the browser is ready for the page
        now = datetime.now(UTC)
        self.page_capture = PageCapture(
            url=url, final_url=url, title="", method="browser", started_at=now,
            finished_at=now, software=software_versions(),
        )
        self.page = None
        self.context = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self.driver_pid: int | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.closing = False
        self.stage = "starting the browser"
        self.stage_started = self.started
        self.timings: dict[str, float] = {}  # seconds each stage took
        self.launch_error = ""
        # The page's requests.
        self.requests_made = 0
        self.in_flight = 0
        self.last_activity = self.started
        self.bytes_kept = 0
        self.main_exchanges: list[Exchange] = []
        self.main_failure: FetchError | None = None
        # What was refused or went wrong, for the notes.
        self.over_requests = 0
        self.over_total_bytes: list[str] = []
        self.too_large: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.popups = 0
        self.crashed = False
        self.memory_exceeded = 0
        self.peak_memory = 0
        self.out_of_time = False
        self.navigation_error = ""
        self.next_navigation: str | None = None
        self.browser_error = ""

    # --- the capture, start to end ---------------------------------------------------------
    def stop_soon(self) -> None:
        """From another thread: end the capture now (its browser closed in order)."""
        if self.loop is not None and self.task is not None:
            try:
                self.loop.call_soon_threadsafe(self.task.cancel)
            except RuntimeError:  # the loop has already closed
                pass

    def end_processes(self) -> None:
        """Whatever is left of the browser, and Playwright's driver if it did not stop."""
        kill_marked(self.mark)
        if self.driver_pid and self.driver_pid in process_tree([os.getpid()]):
            kill([self.driver_pid])

    def _driver(self) -> int | None:
        """Playwright's driver: the parent of the browser, itself a child of this process."""
        marked = set(marked_processes(self.mark))
        for pid in marked:
            parent = parent_of(pid)
            if parent is not None and parent not in marked and parent_of(parent) == os.getpid():
                return parent
        return None

    async def capture(self) -> PageCapture:
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright

        self.pool = ThreadPoolExecutor(self.limits.requests_at_once,
                                       thread_name_prefix="capture-fetch")
        try:
            playwright = await async_playwright().start()
        except Exception as exc:  # its driver would not start
            self.launch_error = f"Playwright's driver: {_first_line(exc)}"
            self.pool.shutdown(wait=False)
            return self.page_capture
        browser = None
        try:
            try:
                browser = await playwright.chromium.launch(
                    executable_path=chromium_path(),
                    args=[*FLAGS, f"--js-flags=--max-old-space-size={self.limits.js_heap_mb}"],
                    proxy={"server": DEAD_PROXY},
                    env={**os.environ, MARK: self.mark},
                    timeout=self._milliseconds_left(),
                )
            except Exception as exc:  # Playwright's Error, or the OS refusing to start it
                self.launch_error = _first_line(exc)
                return self.page_capture
            self.page_capture.software.update(
                chromium=browser.version, playwright=metadata.version("playwright"))
            self.driver_pid = self._driver()
            watch = asyncio.create_task(self._watch_memory())
            try:
                await asyncio.wait_for(self._load_and_render(browser),
                                       timeout=max(self.deadline - time.monotonic(), 0.01))
            except TimeoutError:
                self.out_of_time = True
            except PlaywrightError as exc:  # the browser gone (killed, crashed) mid-way
                self.browser_error = _first_line(exc)
            finally:
                watch.cancel()
        finally:
            self.closing = True
            self.timings[self.stage] = round(time.monotonic() - self.stage_started, 3)
            closing = time.monotonic()
            await self._close(playwright, browser)
            self.timings["closing the browser"] = round(time.monotonic() - closing, 3)
            self.pool.shutdown(wait=False, cancel_futures=True)
        if not self.launch_error and not self.main_exchanges:
            raise self._no_page()
        self._write_notes()
        self.page_capture.finished_at = datetime.now(UTC)
        logger.info("Captured %s in %.1f s (%s): %d requests, %s kept, browser memory at "
                    "most %s", self.url, time.monotonic() - self.started,
                    ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds
                              in self.timings.items()),
                    self.requests_made, size_in_words(self.bytes_kept),
                    size_in_words(self.peak_memory))
        return self.page_capture

    async def _close(self, playwright, browser) -> None:
        if browser is not None:
            try:
                await asyncio.wait_for(browser.close(), CLOSE_SECONDS)
            except Exception:  # a browser already killed, or not answering: killed below
                pass
        kill_marked(self.mark)
        try:
            await asyncio.wait_for(playwright.stop(), CLOSE_SECONDS)
        except Exception:
            logger.warning("Playwright's driver did not stop within %s s", CLOSE_SECONDS)

    async def _load_and_render(self, browser) -> None:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        context = await browser.new_context(
            viewport={"width": self.limits.viewport_width, "height": VIEWPORT_HEIGHT},
            device_scale_factor=1, java_script_enabled=True, service_workers="block",
            accept_downloads=False, permissions=[],
        )
        self.context = context
        await context.add_init_script(NO_WEBRTC)
        await context.route("**/*", self._on_request)
        await context.route_web_socket(re.compile(".*"), self._on_websocket)
        page = self.page = await context.new_page()
        page.on("popup", self._on_popup)
        page.on("crash", self._on_crash)
        page.set_default_timeout(self._milliseconds_left())
        self.ready = time.monotonic()

        self._enter("loading the page")
        target = self.url
        for _hop in range(self.limits.fetch.max_redirects + 1):
            self.next_navigation = None
            try:
                await page.goto(target, wait_until="load",
                                timeout=self._milliseconds_until(0.6))
            except PlaywrightTimeout:
                if not self.main_exchanges:
                    return  # the page never came: capture() says why
                self.page_capture.notes.append(
                    f"The page had not finished loading {self._instant(0.6) - self.started:.0f}"
                    " s into the capture: it was captured as it stood.")
            except PlaywrightError as exc:
                if self.next_navigation:  # the page redirected: go where it says
                    target = self.next_navigation
                    continue
                self._not_shown(exc)
                return
            break
        else:
            self.page_capture.notes.insert(0, no_screenshot_note(
                f"the page redirected more than {self.limits.fetch.max_redirects} times"))
            self._keep_last_answer()
            return
        if self.crashed or self.memory_exceeded:
            return
        self._main_answer()

        self._enter("waiting for the page to settle")
        await self._settle(until=min(time.monotonic() + SETTLE_MAX, self._instant(0.7)))
        await self._scroll_through(page, until=self._instant(0.75))
        await self._settle(until=min(time.monotonic() + 2.0, self._instant(0.75)))
        if self.in_flight:
            self.page_capture.notes.append(
                f"The page was still loading {self.in_flight} resources when it was "
                "captured.")
        self.page_capture.title = " ".join((await page.title()).split())[:1000]
        self.page_capture.final_url = page.url

        self._enter("taking the screenshot")
        height = int(await page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0, 1)"))
        shot = min(height, self.limits.max_screenshot_height)
        self.page_capture.screenshot_png = await page.screenshot(
            full_page=True, animations="disabled", caret="hide",
            clip={"x": 0, "y": 0, "width": self.limits.viewport_width, "height": shot},
            timeout=self._milliseconds_until(0.85))
        if height > shot:
            self.page_capture.notes.append(
                f"The screenshot shows the first {shot:,} pixels of the page's {height:,} "
                "(the limit of a screenshot's height).")

        self._enter("printing the PDF")
        self.page_capture.pdf = await page.pdf(print_background=True)

    # --- the page's requests ---------------------------------------------------------------
    async def _on_request(self, route) -> None:
        """Every request of every page of the capture: fetched through the guard and handed
        to the browser, or aborted and written down.

        Playwright does not route the request a redirect leads to (it lets the browser send
        it, here into the dead proxy), so redirects are followed here: a subresource's
        through fetch_exchange, each hop an exchange of its own, the browser handed the
        last answer; the page's own by navigating again (_load_and_render), so that the
        browser shows the page at its final address."""
        request = route.request
        url = request.url
        if self.closing:
            await _quietly(route.abort("aborted"))
            return
        main = self._is_main_document(request)
        if self._from_a_popup(request):
            await _quietly(route.abort("blockedbyclient"))  # it is closed unseen
            return
        if request.method not in ("GET", "HEAD"):
            self.page_capture.blocked.append(Blocked(url=url, reason=(
                f"The capture makes only GET and HEAD requests: the page's {request.method} "
                "was not sent.")))
            await _quietly(route.abort("blockedbyclient"))
            return
        try:
            # request.all_headers() would wait for headers the network stack never sends
            # (the request is answered here): the headers Playwright has, and the cookies
            # the browser holds for this address.
            headers = _forwarded(request.headers)
            cookies = await self.context.cookies(url)
        except Exception:  # the page went away meanwhile
            await _quietly(route.abort("aborted"))
            return
        if cookies:
            headers["Cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
        current, hops = url, 0
        while True:
            exchange, refusal = await self._fetch(current, request.method, headers, main=main)
            if exchange is None:
                await _quietly(route.abort(refusal))
                return
            location = header(exchange, "location")
            if exchange.status not in REDIRECT_STATUSES or not location:
                break
            try:
                target = urljoin(current, location.strip())
            except ValueError:
                shown = printable(location, 200)
                self._refused(shown, FetchError("invalid_url", f"“{shown}” is not a valid web "
                                                "address.", final_url=shown),
                              main=main, total=False)
                await _quietly(route.abort("blockedbyclient"))
                return
            if main:
                self.next_navigation = target
                await _quietly(route.abort("aborted"))
                return
            hops += 1
            if hops > self.limits.fetch.max_redirects:
                self.failed.append((url, f"it redirected more than "
                                         f"{self.limits.fetch.max_redirects} times"))
                await _quietly(route.abort("failed"))
                return
            if urlsplit(target)[:2] != urlsplit(current)[:2]:
                headers.pop("Cookie", None)  # the browser's cookies are for the first site
            current = target
        await _quietly(route.fulfill(status=exchange.status, headers=_handed_over(exchange),
                                     body=exchange.body))

    async def _fetch(self, url: str, method: str, headers: dict[str, str], *,
                     main: bool) -> tuple[Exchange | None, str]:
        """One hop through the guard within the capture's limits: (the exchange, "") kept,
        or (None, how to abort the browser's request) with the reason written down."""
        if self.requests_made >= self.limits.max_requests:
            self.over_requests += 1
            return None, "blockedbyclient"
        room = self.limits.total_bytes - self.bytes_kept
        if room <= 0:
            self.over_total_bytes.append(url)
            return None, "blockedbyclient"
        self.requests_made += 1
        hop_limits = dataclasses.replace(self.limits.fetch,
                                         max_bytes=min(self.limits.fetch.max_bytes, room))
        self.in_flight += 1
        try:
            exchange = await asyncio.get_running_loop().run_in_executor(
                self.pool, partial(fetch_exchange, url, method=method, headers=dict(headers),
                                   limits=hop_limits, deadline=self.deadline))
        except FetchError as exc:
            self._refused(url, exc, main=main,
                          total=hop_limits.max_bytes < self.limits.fetch.max_bytes)
            return None, "blockedbyclient" if exc.kind in REFUSED_KINDS else "failed"
        except RuntimeError:  # the pool shut down: the capture is over
            return None, "aborted"
        finally:
            self.in_flight -= 1
            self.last_activity = time.monotonic()
        if len(exchange.body) > self.limits.total_bytes - self.bytes_kept:  # fetched alongside
            self.over_total_bytes.append(url)
            return None, "blockedbyclient"
        self.bytes_kept += len(exchange.body)
        self.page_capture.exchanges.append(exchange)
        if main:
            self.main_exchanges.append(exchange)
            self.main_failure = None
        return exchange, ""

    def _is_main_document(self, request) -> bool:
        try:
            frame = request.frame
            return (request.is_navigation_request() and frame.parent_frame is None
                    and frame.page is self.page)
        except Exception:  # a service worker's request has no frame
            return False

    def _from_a_popup(self, request) -> bool:
        try:
            frame = request.frame
        except Exception:  # a new window's first request comes before its frame
            return True
        return self.page is not None and frame not in self.page.frames

    def _refused(self, url: str, exc: FetchError, *, main: bool, total: bool) -> None:
        if exc.kind in REFUSED_KINDS:
            self.page_capture.blocked.append(Blocked(url=url, reason=exc.message))
        elif exc.kind == "too_large":
            (self.over_total_bytes if total else self.too_large).append(url)
        else:
            self.failed.append((url, exc.message))
        if main:
            self.main_failure = exc

    async def _on_websocket(self, websocket) -> None:
        self.page_capture.blocked.append(Blocked(url=websocket.url, reason=(
            "WebSockets are not captured: the desk keeps the page's HTTP requests only.")))
        await _quietly(websocket.close(code=1008, reason="Not captured"))

    async def _on_popup(self, popup) -> None:
        self.popups += 1
        await _quietly(popup.close())

    def _on_crash(self, _page) -> None:
        self.crashed = True

    async def _watch_memory(self) -> None:
        """Every quarter second, the memory of all the browser's processes; over the limit,
        the browser is killed (the capture then ends with what it has)."""
        limit = self.limits.memory_mb * MB
        while True:
            await asyncio.sleep(0.25)
            used = memory_bytes(browser_processes(self.mark))
            self.peak_memory = max(self.peak_memory, used)
            if used > limit:
                self.memory_exceeded = used
                kill_marked(self.mark)
                return

    # --- waiting and rendering -------------------------------------------------------------
    async def _settle(self, *, until: float) -> None:
        """Wait until no request has been in flight for SETTLE_QUIET, or `until`."""
        while time.monotonic() < until:
            if not self.in_flight and time.monotonic() - self.last_activity >= SETTLE_QUIET:
                return
            await asyncio.sleep(0.05)

    async def _scroll_through(self, page, *, until: float) -> None:
        """Scroll down the page a screen at a time and back, so that images loaded only when
        seen are in the screenshot and the archive."""
        script = """async (limit) => {
            const step = Math.max(window.innerHeight, 200);
            const bottom = () => Math.min(document.documentElement.scrollHeight, limit);
            for (let y = step; y < bottom(); y += step) {
                window.scrollTo(0, y);
                await new Promise((done) => setTimeout(done, 60));
            }
            window.scrollTo(0, 0);
        }"""
        try:
            await asyncio.wait_for(page.evaluate(script, self.limits.max_screenshot_height),
                                   timeout=max(until - time.monotonic(), 0.01))
        except TimeoutError:
            pass

    # --- what the page's own answer says ---------------------------------------------------
    def _no_page(self) -> FetchError:
        """Why the page itself gave no answer, when it gave none: nothing to keep."""
        failure = self.main_failure
        if failure is not None:
            return FetchError(failure.kind, failure.message, transient=failure.transient,
                              final_url=self.url)
        if self.memory_exceeded:
            words = (f"The browser used more than {self.limits.memory_mb:,} MB of memory (the "
                     "limit) before the page arrived.")
        elif self.crashed:
            words = "The browser's tab crashed before the page arrived."
        elif self.navigation_error:
            words = f"The browser could not open the page ({self.navigation_error})."
        else:
            words = (f"The page did not arrive within {self.limits.wall_seconds:g} s (the "
                     "capture's time limit).")
        return FetchError("timeout" if self.out_of_time else "other", words, transient=True,
                          final_url=self.url)

    def _not_shown(self, exc: Exception) -> None:
        """The browser could not show the page. With no answer at all, the capture fails
        (capture() raises); with one (a redirect to a refused address, a file to download),
        it is kept without renderings, and the first note says why."""
        self.navigation_error = _first_line(exc)
        if not self.main_exchanges:
            return
        last = self._keep_last_answer()
        failure = self.main_failure
        if failure is not None and failure.kind in REFUSED_KINDS:
            why = (f"the page redirected to {failure.final_url}, which the desk refused to "
                   f"fetch ({failure.message.rstrip('.')})")
        elif failure is not None:
            why = (f"the page redirected to {failure.final_url}, which gave no answer "
                   f"({failure.message.rstrip('.')})")
        elif self.memory_exceeded or self.crashed:
            why = f"the browser stopped while {self.stage}"
        elif 200 <= last.status < 300:
            kind = printable(header(last, "content-type") or "a file", 80)
            why = (f"the page is a file the browser does not display ({kind}); the file "
                   "itself is in the archive")
        else:
            why = f"the browser could not show the page ({_first_line(exc)})"
        self.page_capture.notes.insert(0, no_screenshot_note(why))

    def _keep_last_answer(self) -> Exchange:
        """The page's last answer stands for the page when the browser cannot show it."""
        last = self.main_exchanges[-1]
        self.page_capture.final_url = last.url
        self.page_capture.title = html_title(last)
        return last

    def _main_answer(self) -> None:
        if self.main_exchanges:
            last = self.main_exchanges[-1]
            self.page_capture.certificates_pem = getattr(last, "certificates_pem", "")
            note = status_note(last)
            if note:
                self.page_capture.notes.append(note)

    def _write_notes(self) -> None:
        notes = self.page_capture.notes
        limits = self.limits
        if self.out_of_time:
            missing = [name for name, value in (("no screenshot", self.page_capture
                                                 .screenshot_png),
                                                ("no PDF", self.page_capture.pdf)) if not value]
            notes.append(f"The capture reached its time limit of {limits.wall_seconds:g} s "
                         f"while {self.stage}" + (f": {' and '.join(missing)}." if missing
                                                  else "."))
        if self.memory_exceeded:
            notes.append(f"The browser used more than {limits.memory_mb:,} MB of memory "
                         f"(the limit) while {self.stage}, and was stopped.")
        elif self.crashed:
            notes.append(f"The page crashed the browser's tab while {self.stage} (it may have "
                         f"used more than its {limits.js_heap_mb:,} MB of JavaScript memory).")
        elif self.browser_error:
            notes.append(f"The browser failed while {self.stage} ({self.browser_error}).")
        if self.over_requests:
            notes.append(f"The page made more requests than the limit of "
                         f"{limits.max_requests:,}: {self.over_requests:,} more were not made.")
        if self.over_total_bytes:
            notes.append(f"The capture reached its limit of {size_in_words(limits.total_bytes)}"
                         f" in all: {_counted(self.over_total_bytes, 'more response')} not "
                         f"kept ({_listed(self.over_total_bytes)}).")
        if self.too_large:
            notes.append(f"{_counted(self.too_large, 'response').capitalize()} larger than the "
                         f"limit of {size_in_words(limits.fetch.max_bytes)} for one response,"
                         f" not kept ({_listed(self.too_large)}).")
        if self.failed:
            shown = "; ".join(f"{url}: {words.rstrip('.')}" for url, words
                              in self.failed[:LISTED])
            more = f"; and {len(self.failed) - LISTED:,} more" if len(self.failed) > LISTED \
                else ""
            notes.append(f"{_counted(self.failed, 'request').capitalize()} got no answer "
                         f"({shown}{more}).")
        if self.popups:
            notes.append(f"The page opened {_counted(self.popups, 'pop-up window')}, "
                         "closed unseen and not fetched.")
        if not self.page_capture.screenshot_png and not any(
                n.startswith("No screenshot") for n in notes):
            notes.insert(0, no_screenshot_note(
                f"the capture ended while {self.stage}" if self.out_of_time or
                self.memory_exceeded or self.crashed or self.browser_error
                else "the browser did not render it"))

    # --- time --------------------------------------------------------------------------------
    def _enter(self, stage: str) -> None:
        """The capture moves on to `stage` (notes name the stage a limit stopped it in; how
        long each took is logged)."""
        now = time.monotonic()
        self.timings[self.stage] = round(now - self.stage_started, 3)
        self.stage, self.stage_started = stage, now

    def _instant(self, share: float) -> float:
        """The moment `share` of the time left once the browser was ready has gone by:
        loading gets the first 60 %, settling and scrolling to 75 %, the screenshot to 85 %,
        the PDF the rest."""
        return self.ready + share * (self.deadline - self.ready)

    def _milliseconds_until(self, share: float) -> float:
        return max((self._instant(share) - time.monotonic()) * 1000, 1.0)

    def _milliseconds_left(self) -> float:
        return max((self.deadline - time.monotonic()) * 1000, 1.0)


def _forwarded(headers: dict[str, str]) -> dict[str, str]:
    kept = {name.title(): value for name, value in headers.items()
            if name.lower() in FORWARDED_REQUEST_HEADERS}
    kept["Accept-Encoding"] = "gzip, deflate"
    return kept


def _handed_over(exchange: Exchange) -> dict[str, str]:
    """The response's headers for the browser: repeated ones joined (Set-Cookie by lines,
    as Playwright takes them), those about the wire's encoding dropped."""
    headers: dict[str, str] = {}
    for name, value in exchange.response_headers:
        key = name.lower()
        if key in DROPPED_RESPONSE_HEADERS:
            continue
        if key in headers:
            headers[key] += ("\n" if key == "set-cookie" else ", ") + value
        else:
            headers[key] = value
    return headers


async def _quietly(awaitable) -> None:
    """Await a Playwright call whose failure changes nothing (the page or browser already
    gone, a request already answered)."""
    try:
        await awaitable
    except Exception:
        pass


def _first_line(exc: BaseException) -> str:
    words = str(exc).strip().splitlines()
    return printable(words[0] if words else type(exc).__name__, 200)


def _counted(items, noun: str) -> str:
    count = items if isinstance(items, int) else len(items)
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _listed(urls: list[str]) -> str:
    shown = ", ".join(urls[:LISTED])
    return shown + (f" and {len(urls) - LISTED:,} more" if len(urls) > LISTED else "")


__all__ = ["CaptureLimits", "browser_available", "capture_in_browser", "chromium_path"]
