"""Trusted timestamps (claims/capture/timestamp.py) from a real authority on 127.0.0.1
(tests/support/tsa.py: `openssl ts -reply` with a throwaway CA): a token verifies here and
with `openssl ts -verify`; changed data, a changed token, another CA, and authorities that
are down, refuse, dawdle or answer garbage all fail in words. Nothing leaves the machine:
every connection these tests make is checked to be to the loopback address."""

from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from rfc3161_client import decode_timestamp_response

from claims.capture.timestamp import (
    MAX_RESPONSE_BYTES,
    TimestampInvalid,
    TimestampUnavailable,
    der_sorted_certificates,
    request_timestamp,
    verify_timestamp,
)

MANIFEST = (b'{"files":[{"name":"archive.wacz","sha256":"00ff","size":1}],'
            b'"format":"factcheck-capture/1","url":"https://example.org/"}')


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Every network connection the code under test makes must be to 127.0.0.1 (Unix
    sockets, such as the embedded Redis's, stay on the machine by nature)."""
    connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            assert address[0] == "127.0.0.1", f"a connection to {address} left the machine"
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def trusting(settings, tsa):
    """The local authority configured, its CA the trusted root."""
    settings.CAPTURE_TSA_URLS = [tsa.url]
    settings.CAPTURE_TSA_ROOTS = str(tsa.ca_path)
    settings.CAPTURE_TSA_TIMEOUT = 5.0
    return tsa


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def openssl_verify(tmp_path, response: bytes, data: bytes, tsa) -> subprocess.CompletedProcess:
    (tmp_path / "manifest.json").write_bytes(data)
    (tmp_path / "timestamp.tsr").write_bytes(response)
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(tmp_path / "manifest.json"),
         "-in", str(tmp_path / "timestamp.tsr"), "-CAfile", str(tsa.ca_path),
         "-untrusted", str(tsa.tsa_cert_path)],
        capture_output=True, text=True, check=False)


def test_a_token_from_the_local_authority_verifies_here_and_with_openssl(trusting, tmp_path):
    before = datetime.now(UTC)
    stamp = request_timestamp(MANIFEST)

    assert stamp.authority == trusting.url
    assert stamp.gen_time.tzinfo is not None and stamp.gen_time.utcoffset() == timedelta(0)
    # openssl ts gives whole seconds: the time is the second we asked in, or the next.
    assert before - timedelta(seconds=1) <= stamp.gen_time <= datetime.now(UTC)
    assert stamp.serial > 0
    assert stamp.earlier_failures == []
    # The authority's certificate first, then the CA that issued it.
    assert stamp.certificates_pem.startswith(trusting.tsa_cert_pem)
    assert trusting.ca_pem in stamp.certificates_pem

    assert verify_timestamp(stamp.response, MANIFEST, certificates_pem=stamp.certificates_pem,
                            roots_pem=trusting.ca_pem) == stamp.gen_time
    checked = openssl_verify(tmp_path, stamp.response, MANIFEST, trusting)
    assert checked.returncode == 0, checked.stderr
    assert "Verification: OK" in checked.stdout


def test_without_configured_roots_the_certificates_kept_with_the_token_are_trusted(trusting,
                                                                                 settings):
    settings.CAPTURE_TSA_ROOTS = None
    stamp = request_timestamp(MANIFEST)

    assert verify_timestamp(stamp.response, MANIFEST, certificates_pem=stamp.certificates_pem,
                            roots_pem=None) == stamp.gen_time
    with pytest.raises(TimestampInvalid, match="no certificates to check the token against"):
        verify_timestamp(stamp.response, MANIFEST, certificates_pem="", roots_pem=None)


def test_one_changed_byte_of_the_data_fails_in_words(trusting, tmp_path):
    stamp = request_timestamp(MANIFEST)
    changed = bytearray(MANIFEST)
    changed[20] ^= 0x01

    with pytest.raises(TimestampInvalid, match="made over other data.*a byte of it has changed"):
        verify_timestamp(stamp.response, bytes(changed),
                         certificates_pem=stamp.certificates_pem, roots_pem=trusting.ca_pem)
    assert openssl_verify(tmp_path, stamp.response, bytes(changed), trusting).returncode != 0


def test_a_changed_token_fails_in_words(trusting):
    stamp = request_timestamp(MANIFEST)
    altered = bytearray(stamp.response)
    altered[-1] ^= 0x01  # the last byte of the signature

    with pytest.raises(TimestampInvalid, match="signature does not match its contents"):
        verify_timestamp(bytes(altered), MANIFEST, certificates_pem=stamp.certificates_pem,
                         roots_pem=trusting.ca_pem)


def test_a_token_from_another_ca_fails_in_words(trusting, tsa_factory, settings):
    other = tsa_factory("Other TSA")
    settings.CAPTURE_TSA_ROOTS = str(other.ca_path)
    stamp = request_timestamp(MANIFEST, [other.url])

    with pytest.raises(TimestampInvalid, match="does not lead to a root the desk trusts"):
        verify_timestamp(stamp.response, MANIFEST, certificates_pem=stamp.certificates_pem,
                         roots_pem=trusting.ca_pem)
    # Kept beside certificates that are not the ones that signed it.
    with pytest.raises(TimestampInvalid, match="not among the certificates kept with it"):
        verify_timestamp(stamp.response, MANIFEST, certificates_pem=trusting.tsa_cert_pem,
                         roots_pem=other.ca_pem)

    # When asked, an authority whose chain does not lead to the configured roots is refused.
    settings.CAPTURE_TSA_ROOTS = str(trusting.ca_path)
    with pytest.raises(TimestampUnavailable) as refused:
        request_timestamp(MANIFEST, [other.url])
    assert other.url in str(refused.value)
    assert "does not lead to a root the desk trusts" in str(refused.value)


def test_authorities_are_tried_in_order_until_one_answers(trusting, tsa_factory, settings):
    down = closed_port_url()
    refusing, later = tsa_factory("Refusing TSA"), tsa_factory("Later TSA")
    asked_before = len(trusting.queries)
    settings.CAPTURE_TSA_URLS = [down, refusing.url, trusting.url, later.url]

    with refusing.answering("error"):
        stamp = request_timestamp(MANIFEST)

    assert stamp.authority == trusting.url
    assert [url for url, _ in stamp.earlier_failures] == [down, refusing.url]
    down_reason, refusing_reason = (reason for _, reason in stamp.earlier_failures)
    assert "Could not connect to 127.0.0.1" in down_reason
    assert "HTTP 503" in refusing_reason and "down for maintenance" in refusing_reason
    assert len(refusing.queries) == 1
    assert len(trusting.queries) == asked_before + 1
    assert later.queries == []  # never asked once one had answered


def test_every_authority_failing_names_each_and_why(trusting, tsa_factory):
    down, refusing = closed_port_url(), tsa_factory("Refusing TSA")

    with (refusing.answering("error"), trusting.answering("garbage"),
          pytest.raises(TimestampUnavailable) as failed):
        request_timestamp(MANIFEST, [down, refusing.url, trusting.url])

    words = str(failed.value)
    assert words.startswith("No time-stamping authority gave a token that verifies.")
    for url, reason in ((down, "Could not connect"), (refusing.url, "HTTP 503"),
                        (trusting.url, "not an RFC 3161 time-stamp response")):
        assert f"{url}: " in words
        assert reason in dict(failed.value.failures)[url]


@pytest.mark.parametrize(("mode", "words"), [
    ("garbage", "not an RFC 3161 time-stamp response"),
    ("error", "It answered HTTP 503"),
    ("huge", f"larger than {MAX_RESPONSE_BYTES // 1024} KB"),
    ("rejection", "did not grant the timestamp (rejected"),
    ("other_imprint", "answers another request"),
    ("slow", "did not answer within 0.5 seconds"),
])
def test_a_misbehaving_authority_is_refused_in_words(trusting, settings, mode, words):
    settings.CAPTURE_TSA_TIMEOUT = 0.5

    with trusting.answering(mode), pytest.raises(TimestampUnavailable) as failed:
        request_timestamp(MANIFEST)

    assert words in str(failed.value)
    assert trusting.url in str(failed.value)


def test_an_authority_whose_clock_is_off_is_refused(trusting, settings, monkeypatch):
    """A token far from our own time would fail verify_capture later: the next authority
    is asked instead."""
    from claims.capture import timestamp

    class AnHourAhead(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=1)

    monkeypatch.setattr(timestamp, "datetime", AnHourAhead)
    settings.CAPTURE_TIMESTAMP_SKEW_SECONDS = 600

    with pytest.raises(TimestampUnavailable, match=r"Its clock is 3,\d{3} seconds behind ours"):
        request_timestamp(MANIFEST)


def test_no_authority_configured_says_so(settings):
    settings.CAPTURE_TSA_URLS = []
    with pytest.raises(TimestampUnavailable, match=r"CAPTURE_TSA_URLS is empty"):
        request_timestamp(MANIFEST)


def test_an_authority_on_a_private_address_is_refused_by_the_guard(trusting):
    """The request goes through the fetch guard: an address it refuses is never connected
    to (the loopback-only check above would fail the test if it were)."""
    with pytest.raises(TimestampUnavailable) as refused:
        request_timestamp(MANIFEST, ["http://10.1.2.3/tsa", "http://169.254.169.254/tsa"])
    reasons = dict(refused.value.failures)
    assert "private network" in reasons["http://10.1.2.3/tsa"]
    assert "link-local" in reasons["http://169.254.169.254/tsa"]


def test_unreadable_roots_are_named(trusting, settings, tmp_path):
    settings.CAPTURE_TSA_ROOTS = str(tmp_path / "missing.pem")
    with pytest.raises(TimestampUnavailable, match="CAPTURE_TSA_ROOTS names .*missing.pem"):
        request_timestamp(MANIFEST)


def test_oversized_or_garbage_responses_are_refused_before_parsing():
    with pytest.raises(TimestampInvalid, match="larger than 64 KB"):
        verify_timestamp(b"\x30" * (MAX_RESPONSE_BYTES + 1), MANIFEST, certificates_pem="",
                         roots_pem=None)
    with pytest.raises(TimestampInvalid, match="not an RFC 3161 time-stamp response"):
        verify_timestamp(b"<html>not a token</html>", MANIFEST, certificates_pem="",
                         roots_pem=None)
    with pytest.raises(TimestampInvalid, match="empty"):
        verify_timestamp(b"", MANIFEST, certificates_pem="", roots_pem=None)


def test_certificates_listed_in_chain_order_are_read(trusting):
    """openssl ts lists the token's certificates signer first, then its CA: not the sorted
    order DER wants, which rfc3161-client insists on. The token is read with them sorted
    (they are outside the signature) and kept as the authority sent it."""
    stamp = request_timestamp(MANIFEST)

    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(stamp.response)
    sorted_copy = der_sorted_certificates(stamp.response)
    assert sorted_copy != stamp.response and len(sorted_copy) == len(stamp.response)
    assert decode_timestamp_response(sorted_copy).tst_info.serial_number == stamp.serial
    assert der_sorted_certificates(sorted_copy) == sorted_copy


def test_the_bundled_roots_hold_digicerts_root_and_refuse_other_authorities(trusting):
    """claims/capture/tsa_roots.pem (the suggested CAPTURE_TSA_ROOTS) reads as PEM despite
    its comments, and trusts DigiCert's timestamping root, not a throwaway CA."""
    from pathlib import Path

    from cryptography import x509

    import claims.capture

    bundled = (Path(claims.capture.__file__).parent / "tsa_roots.pem").read_text()
    roots = x509.load_pem_x509_certificates(bundled.encode())
    assert [root.subject.rfc4514_string() for root in roots] == [
        "CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US"]
    stamp = request_timestamp(MANIFEST)
    with pytest.raises(TimestampInvalid, match="does not lead to a root the desk trusts"):
        verify_timestamp(stamp.response, MANIFEST, certificates_pem=stamp.certificates_pem,
                         roots_pem=bundled)
