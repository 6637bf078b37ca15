"""A webhook receiver on 127.0.0.1 for tests: it checks each delivery's signature the way the
README tells integrators to (HMAC-SHA256 of "<timestamp>.<raw body>", compared in constant
time, timestamp within five minutes) and records what it got.

    receiver = WebhookReceiver(secret=subscription.secret).start()
    receiver.answer(500, 200)   # the first POST gets 500, every later one 200
    ...
    receiver.received  -> [Received(event=..., delivery=..., body=..., signature_ok=True), ...]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify(secret: str, headers, body: bytes, *, now: float | None = None) -> bool:
    """The receiver's check, as documented in the README."""
    timestamp = headers.get("X-Factcheck-Timestamp", "")
    given = headers.get("X-Factcheck-Signature", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


@dataclass
class Received:
    event: str
    delivery: str
    body: bytes
    headers: dict
    signature_ok: bool
    status: int
    at: float

    @property
    def document(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str = "", path: str = "/hook"):
        self.secret = secret
        self.path = path
        self.received: list[Received] = []
        self._statuses = [200]
        self.headers: dict[str, str] = {}  # sent with every answer (a Location, say)
        self.delay = 0.0  # seconds to wait before answering (a slow receiver)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def answer(self, *statuses: int) -> None:
        """Answer the next POSTs with these statuses in order, the last one repeating."""
        with self._lock:
            self._statuses = list(statuses)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return True
            time.sleep(0.02)
        return False

    def start(self) -> WebhookReceiver:
        threading.Thread(target=self.httpd.serve_forever, daemon=True,
                         kwargs={"poll_interval": 0.05}).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    index = len(receiver.received)
                    status = receiver._statuses[min(index, len(receiver._statuses) - 1)]
                    receiver.received.append(Received(
                        event=self.headers.get("X-Factcheck-Event", ""),
                        delivery=self.headers.get("X-Factcheck-Delivery", ""),
                        body=body, headers=dict(self.headers.items()),
                        signature_ok=verify(receiver.secret, self.headers, body),
                        status=status, at=time.time(),
                    ))
                if receiver.delay:
                    receiver._stopping.wait(receiver.delay)
                reply = b"thanks" if status < 300 else b"<b>broken</b> on purpose"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply)

        return Handler
