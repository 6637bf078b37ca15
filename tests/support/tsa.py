"""A real RFC 3161 time-stamping authority on 127.0.0.1 for tests.

A throwaway certificate authority and a TSA certificate it issued (extendedKeyUsage
timeStamping, critical, as RFC 3161 section 2.3 requires) are made in a temporary directory;
a small HTTP server answers each POSTed TimeStampReq by running `openssl ts -reply` with an
openssl configuration written beside them. Nothing leaves the machine.

    authority = TimestampAuthority().start()
    authority.url          # http://127.0.0.1:<port>/tsa
    authority.ca_pem       # the root to trust (also at authority.ca_path)
    authority.tsa_cert_path
    with authority.answering("garbage"):   # misbehave for the block, then answer again
        ...
    authority.stop()

What it can be made to answer (`answering(mode)`):
    "ok"             a granted token over the query (the default)
    "garbage"        200 with bytes that are no TimeStampResp
    "error"          503 Service Unavailable
    "slow"           nothing for `slow_seconds` (30), or until the server stops
    "huge"           200 with a body far over any sane response size
    "rejection"      a real rejection from openssl (the authority accepts only SHA-512)
    "other_imprint"  a granted token, but over other data (and another nonce)

tests/conftest.py imports the session fixture `tsa` (one authority for the run) and
`tsa_factory` (more authorities, each with its own CA, stopped after the test).
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MODES = ("ok", "garbage", "error", "slow", "huge", "rejection", "other_imprint")
MAX_QUERY_BYTES = 16 * 1024
HUGE_BYTES = 1024 * 1024

OPENSSL_CONFIG = """\
# Written by tests/support/tsa.py: the authority `openssl ts -reply` acts as.
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

# The same authority, accepting only SHA-512 imprints: a SHA-256 query is rejected
# (status rejection, failInfo badAlg), as a real authority answers what it does not take.
[ tsa_rejecting ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha512
"""


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "factcheck tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def make_authority_files(directory: Path, name: str) -> None:
    """A self-signed CA and a TSA certificate it issued, with their keys, in `directory`
    (ca.pem, ca.key, tsa.pem, tsa.key), valid from a day ago for a year."""
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"{name} Root CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{name} Timestamping")).issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    no_password = serialization.NoEncryption()
    for stem, key, certificate in (("ca", ca_key, ca), ("tsa", tsa_key, tsa)):
        (directory / f"{stem}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, no_password))
        (directory / f"{stem}.pem").write_bytes(_pem(certificate))
    (directory / "serial").write_text("01\n")
    (directory / "openssl.cnf").write_text(OPENSSL_CONFIG.format(dir=directory))


class TimestampAuthority:
    """One authority: its own CA, its TSA certificate, and an HTTP server answering queries
    with `openssl ts -reply`."""

    def __init__(self, name: str = "Test TSA", path: str = "/tsa"):
        self.name = name
        self.path = path
        self.dir = Path(tempfile.mkdtemp(prefix="factcheck-tsa-"))
        make_authority_files(self.dir, name)
        self.mode = "ok"
        self.slow_seconds = 30.0  # how long "slow" holds an answer back (or until stopped)
        self.queries: list[bytes] = []  # every query POSTed, in order
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # openssl ts rewrites the serial file
        self._count = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # --- what tests read -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def ca_path(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def ca_pem(self) -> str:
        return self.ca_path.read_text()

    @property
    def tsa_cert_path(self) -> Path:
        return self.dir / "tsa.pem"

    @property
    def tsa_cert_pem(self) -> str:
        return self.tsa_cert_path.read_text()

    @contextmanager
    def answering(self, mode: str) -> Iterator[TimestampAuthority]:
        """Answer every query as `mode` says for the block, then as a good authority."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        self.mode = mode
        try:
            yield self
        finally:
            self.mode = "ok"

    # --- answering -------------------------------------------------------------------------
    def reply(self, query: bytes, *, section: str = "tsa_config") -> bytes:
        """The DER TimeStampResp `openssl ts -reply` gives for `query`."""
        with self._lock:
            self._count += 1
            query_path = self.dir / f"query-{self._count}.tsq"
            query_path.write_bytes(query)
            try:
                done = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", str(self.dir / "openssl.cnf"),
                     "-section", section, "-queryfile", str(query_path),
                     "-inkey", str(self.dir / "tsa.key"), "-signer", str(self.tsa_cert_path),
                     "-chain", str(self.ca_path)],
                    capture_output=True, timeout=30, check=False,
                )
            finally:
                query_path.unlink(missing_ok=True)
        if done.returncode != 0:
            raise RuntimeError(f"openssl ts -reply failed: {done.stderr.decode(errors='replace')}")
        return done.stdout

    def query_for(self, data: bytes) -> bytes:
        """A TimeStampReq over `data` made by `openssl ts -query` (SHA-256, a nonce, certReq)."""
        done = subprocess.run(
            ["openssl", "ts", "-query", "-sha256", "-cert"],
            input=data, capture_output=True, timeout=30, check=True,
        )
        return done.stdout

    def _answer(self, query: bytes) -> tuple[int, bytes]:
        mode = self.mode
        if mode == "garbage":
            return 200, b"<html>this is not a time-stamp response</html>"
        if mode == "error":
            return 503, b"the authority is down for maintenance"
        if mode == "slow":
            self._stopping.wait(self.slow_seconds)
            return 503, b""
        if mode == "huge":
            return 200, b"\x30" * HUGE_BYTES
        if mode == "rejection":
            return 200, self.reply(query, section="tsa_rejecting")
        if mode == "other_imprint":
            return 200, self.reply(self.query_for(os.urandom(32)))
        return 200, self.reply(query)

    def _handler(self):
        authority = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                self._send(405, b"POST a TimeStampReq", "text/plain")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if self.path != authority.path or not 0 < length <= MAX_QUERY_BYTES:
                    self._send(400, b"bad request", "text/plain")
                    return
                query = self.rfile.read(length)
                authority.queries.append(query)
                status, body = authority._answer(query)
                if authority._stopping.is_set():
                    return
                self._send(status, body, "application/timestamp-reply")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (as it should on a slow or huge answer)

        return Handler

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> TimestampAuthority:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases "slow" answers
        if self._thread is not None:  # shutdown() waits for a serve_forever that never ran
            self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> TimestampAuthority:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def tsa():
    """The run's local time-stamping authority (started once; `answering(mode)` to make it
    misbehave for a block)."""
    with TimestampAuthority() as authority:
        yield authority


@pytest.fixture
def tsa_factory():
    """More authorities, each with its own CA: `tsa_factory("Other TSA")`; stopped after
    the test."""
    made: list[TimestampAuthority] = []

    def make(name: str = "Other TSA") -> TimestampAuthority:
        authority = TimestampAuthority(name).start()
        made.append(authority)
        return authority

    yield make
    for authority in made:
        authority.stop()
