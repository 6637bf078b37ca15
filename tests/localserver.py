"""A local HTTP server for tests: serves configurable responses on 127.0.0.1 (an ephemeral
port) from a ThreadingHTTPServer, and records every request it receives.

    from tests.localserver import Response, local_server  # noqa: F401  (the fixture)

    def test_something(local_server):
        local_server.route("/article", Response(body=b"<html>...</html>", content_type="text/html"))
        local_server.route("/moved", Response.redirect("/article"))
        local_server.route("/flaky", Response(status=500), Response(body=b"ok"))  # in order
        url = local_server.url("/article")            # http://127.0.0.1:<port>/article
        ...
        assert local_server.hits("/article") == 1

A route given several responses serves them in order and then repeats the last one. A
Response may trickle its body (`chunks` + `chunk_delay`), wait before answering (`delay`),
block until the server stops (`block=True`), or be a function `handler(request_handler)`
that writes whatever it likes. `server.latency` adds a delay to every response.

tests/conftest.py imports the fixtures (`local_server`, `local_server_factory`), so any test
can use them; other modules and benchmarks can use `LocalServer` directly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    chunks: Iterable[bytes] | None = None  # sent one by one instead of body
    chunk_delay: float = 0.0
    content_length: bool = True  # False: no Content-Length, close to end the body
    block: bool = False  # hold the connection open until the server stops
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status=status, headers={"Location": location})

    @classmethod
    def html(cls, html: str | bytes, charset: str = "utf-8", **kw) -> Response:
        body = html.encode(charset) if isinstance(html, str) else html
        return cls(body=body, content_type=f"text/html; charset={charset}", **kw)


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class LocalServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[str, list[Response]] = {}
        self.requests: list[SeenRequest] = []
        self.latency = 0.0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self.httpd = ThreadingHTTPServer((host, 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # --- configuration -----------------------------------------------------------------
    def route(self, path: str, *responses: Response) -> str:
        """Serve `responses` (in order, the last repeating) at `path`; returns its URL."""
        if not responses:
            raise ValueError("give at least one Response")
        with self._lock:
            self.routes[path] = list(responses)
            self._served[path] = 0
        return self.url(path)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def hits(self, path: str | None = None) -> int:
        with self._lock:
            return sum(
                1 for r in self.requests
                if path is None or path in (r.path, r.path.split("?", 1)[0])
            )

    def wait_for_hit(self, path: str | None = None, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.hits(path):
                return True
            time.sleep(0.02)
        return False

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases blocked and trickling handlers
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- serving -------------------------------------------------------------------------
    def _next_response(self, path: str) -> Response | None:
        with self._lock:
            responses = self.routes.get(path)
            if responses is None:
                return None
            i = self._served[path]
            self._served[path] = i + 1
            return responses[min(i, len(responses) - 1)]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                path = self.path if self.path in server.routes else self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(
                        SeenRequest("GET", self.path, dict(self.headers.items()), time.time())
                    )
                response = server._next_response(path)
                if server.latency:
                    server.stopping.wait(server.latency)
                if response is None:
                    response = Response(status=404, body=b"not found")
                self._send(response)

            do_HEAD = do_GET

            def _send(self, r: Response) -> None:
                if r.delay:
                    server.stopping.wait(r.delay)
                if r.handler:
                    r.handler(self)
                    return
                if r.block:
                    server.stopping.wait()
                    return
                try:
                    self.send_response(r.status)
                    self.send_header("Content-Type", r.content_type)
                    for k, v in r.headers.items():
                        self.send_header(k, v)
                    if r.chunks is None and r.content_length:
                        self.send_header("Content-Length", str(len(r.body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    if r.chunks is None:
                        self.wfile.write(r.body)
                        return
                    for chunk in r.chunks:
                        if server.stopping.is_set():
                            return
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if r.chunk_delay:
                            server.stopping.wait(r.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as the fetcher should on hostile responses

        return Handler


@pytest.fixture
def local_server():
    """A started LocalServer on 127.0.0.1, stopped after the test."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def local_server_factory():
    """Start as many LocalServers as a test needs: `local_server_factory()`."""
    servers: list[LocalServer] = []

    def make(host: str = "127.0.0.1") -> LocalServer:
        server = LocalServer(host).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
