"""Trusted timestamps (RFC 3161) over a capture's manifest.

`request_timestamp` asks each time-stamping authority in CAPTURE_TSA_URLS in turn, through
the fetch guard, for a token over SHA-256(data), and keeps the first answer that verifies
(granted, our nonce, our digest, signed by a time-stamping certificate that leads to a
trusted root, its time near our clock). `verify_timestamp` checks a kept token again, later,
against the data and the certificates kept with it.

Whom to trust (CAPTURE_TSA_ROOTS):
- a PEM file of root certificates (one or several, concatenated): the token's chain must
  end in one of them. This is what proves *who* vouched for the time: rewriting the evidence
  bundle cannot also rewrite the desk's own list of roots.
- None: the certificates kept with the token are trusted as given (their chain must still
  end in a self-signed certificate among them). This proves the token is intact and was
  signed by the certificate kept beside it, not that the certificate belongs to a real
  authority: anyone who can rewrite the bundle can rewrite both. Fine for a laptop or a
  test; a newsroom that will show its evidence to a court sets the roots.

Certificates are checked as of the token's own time, not today's: a token stays verifiable
after the authority's certificate expires (RFC 3161 archives rely on it).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from claims.fetching.client import FetchError, FetchLimits, post, printable

# Real tokens are 3 to 8 KB (a signature and two or three certificates); anything far past
# that is not an answer we want to parse or store.
MAX_RESPONSE_BYTES = 64 * 1024
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"

_STATUS_WORDS = {
    PKIStatus.GRANTED_WITH_MODS: "granted with modifications",
    PKIStatus.REJECTION: "rejected",
    PKIStatus.WAITING: "waiting",
    PKIStatus.REVOCATION_WARNING: "revocation warning",
    PKIStatus.REVOCATION_NOTIFICATION: "revoked",
}


class TimestampUnavailable(Exception):
    """No authority gave a token that verifies. The message names each and why;
    `failures` holds (authority URL, reason) pairs."""

    def __init__(self, message: str, failures: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.failures = failures or []


class TimestampInvalid(Exception):
    """A token that does not verify. The message says why, in words."""


@dataclass(frozen=True)
class Timestamp:
    """A verified token and what it says."""

    response: bytes  # the DER TimeStampResp as received: stored as timestamp.tsr
    authority: str  # the URL that answered
    gen_time: datetime  # the authority's time, aware UTC
    serial: int  # the token's serial number (up to 160 bits: store it as text)
    certificates_pem: str  # the authority's certificates from the token, signer first
    # Authorities tried before this one, and why each failed (notes for the capture).
    earlier_failures: list[tuple[str, str]] = field(default_factory=list)


# --- asking ------------------------------------------------------------------------------

def request_timestamp(data: bytes, authorities: list[str] | None = None) -> Timestamp:
    """A token over SHA-256(`data`) from the first authority (CAPTURE_TSA_URLS unless
    given) whose answer verifies. Raises TimestampUnavailable naming each authority and why
    it failed."""
    urls = list(getattr(settings, "CAPTURE_TSA_URLS", []) if authorities is None
                else authorities)
    if not urls:
        raise TimestampUnavailable("No time-stamping authority is configured "
                                   "(CAPTURE_TSA_URLS is empty).")
    try:
        roots_pem = configured_roots_pem()
    except TimestampInvalid as exc:
        raise TimestampUnavailable(str(exc)) from exc
    failures: list[tuple[str, str]] = []
    for url in urls:
        try:
            timestamp = _ask(url, data, roots_pem)
        except TimestampInvalid as exc:
            failures.append((url, str(exc)))
            continue
        except FetchError as exc:
            failures.append((url, _fetch_words(exc)))
            continue
        return dataclasses.replace(timestamp, earlier_failures=failures)
    listed = " ".join(f"{url}: {reason.rstrip('.')}." for url, reason in failures)
    raise TimestampUnavailable(f"No time-stamping authority gave a token that verifies. "
                               f"{listed}", failures)


def _ask(url: str, data: bytes, roots_pem: str | None) -> Timestamp:
    """One authority's token over `data`, verified; FetchError or TimestampInvalid (both
    in words) otherwise."""
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    answer = post(url, body=request.as_bytes(),
                  headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
                  limits=_limits(), keep_bytes=MAX_RESPONSE_BYTES + 1)
    if answer.status != 200:
        reason = printable(answer.body_start.decode("utf-8", "replace").strip(), 120)
        raise TimestampInvalid(f"It answered HTTP {answer.status}"
                               + (f" (“{reason}”)." if reason else "."))
    body = answer.body_start
    if not body and answer.elapsed_ms >= _limits().total_deadline * 1000 * 0.9:
        # The client cut a body that was still coming when time ran out.
        raise TimestampInvalid(f"It did not finish its answer within "
                               f"{_limits().total_deadline:g} seconds.")
    _check_size(body)
    response = _parse(body)
    _check_granted(response)
    certificates_pem = _token_certificates_pem(response)
    _verify(response, data, certificates_pem=certificates_pem, roots_pem=roots_pem,
            nonce=request.nonce)
    gen_time = response.tst_info.gen_time.astimezone(UTC)
    skew = getattr(settings, "CAPTURE_TIMESTAMP_SKEW_SECONDS", 600)
    off = (gen_time - datetime.now(UTC)).total_seconds()
    if abs(off) > skew:
        raise TimestampInvalid(f"Its clock is {abs(off):,.0f} seconds "
                               f"{'ahead of' if off > 0 else 'behind'} ours (the token says "
                               f"{gen_time:%Y-%m-%d %H:%M:%S} UTC).")
    return Timestamp(response=body, authority=url, gen_time=gen_time,
                     serial=response.tst_info.serial_number,
                     certificates_pem=certificates_pem)


def _fetch_words(exc: FetchError) -> str:
    if exc.kind == "timeout":  # the client's own words speak of a page
        return f"It did not answer within {_limits().total_deadline:g} seconds."
    return exc.message


def _limits() -> FetchLimits:
    """The fetch limits, with CAPTURE_TSA_TIMEOUT for the whole exchange: one authority
    that hangs must not hold the capture for the fetch's own deadline."""
    limits = FetchLimits.from_settings()
    timeout = float(getattr(settings, "CAPTURE_TSA_TIMEOUT", 10.0))
    limits.total_deadline = timeout
    limits.connect_timeout = min(limits.connect_timeout, timeout)
    limits.read_timeout = min(limits.read_timeout, timeout)
    limits.max_bytes = MAX_RESPONSE_BYTES
    limits.max_redirects = 0
    return limits


def configured_roots_pem() -> str | None:
    """The PEM text of CAPTURE_TSA_ROOTS, or None when it is unset (the certificates kept
    with each token are then trusted as given). TimestampInvalid if the file cannot be
    read or holds no certificate."""
    path = getattr(settings, "CAPTURE_TSA_ROOTS", None)
    if not path:
        return None
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            text = handle.read(4 * 1024 * 1024)
    except OSError as exc:
        raise TimestampInvalid(f"CAPTURE_TSA_ROOTS names {path}, which cannot be read "
                               f"({exc.strerror or exc}).") from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise TimestampInvalid(f"CAPTURE_TSA_ROOTS names {path}, which holds no PEM "
                               f"certificate.")
    return text


# --- checking ----------------------------------------------------------------------------

def verify_timestamp(response: bytes, data: bytes, *, certificates_pem: str,
                     roots_pem: str | None) -> datetime:
    """The time (aware UTC) of the token in `response` if it is a granted token over
    SHA-256 (or SHA-384/512) of `data`, signed by a time-stamping certificate, the one kept
    with it in `certificates_pem`, whose chain ends in `roots_pem` (None: in the kept
    certificates themselves, see the module's docstring). TimestampInvalid otherwise."""
    _check_size(response)
    parsed = _parse(response)
    _verify(parsed, data, certificates_pem=certificates_pem, roots_pem=roots_pem)
    return parsed.tst_info.gen_time.astimezone(UTC)


def _check_size(response: bytes) -> None:
    if not response:
        raise TimestampInvalid("The answer is empty: it is no time-stamp response.")
    if len(response) > MAX_RESPONSE_BYTES:
        raise TimestampInvalid(f"The answer is larger than {MAX_RESPONSE_BYTES // 1024} KB: "
                               f"no time-stamp response is that large.")


def _parse(response: bytes) -> TimeStampResponse:
    """The TimeStampResp in `response`. rfc3161-client reads DER strictly, and some
    authorities (openssl ts among them) list the token's certificates in chain order rather
    than the sorted order DER wants; the certificates are outside what is signed, so they
    are put in DER order for reading. The stored bytes stay as the authority sent them."""
    try:
        return decode_timestamp_response(response)
    except ValueError as exc:
        first = exc
    try:
        canonical = der_sorted_certificates(response)
    except ValueError:
        canonical = None
    if canonical is not None and canonical != response:
        try:
            return decode_timestamp_response(canonical)
        except ValueError:
            pass
    raise TimestampInvalid(f"The answer is not an RFC 3161 time-stamp response "
                           f"({printable(str(first), 160)}).") from first


def _verify(response: TimeStampResponse, data: bytes, *, certificates_pem: str,
            roots_pem: str | None, nonce: int | None = None) -> None:
    _check_granted(response)
    kept = _load_certificates(certificates_pem, "the certificates kept with the token")
    if roots_pem is None:
        if not kept:
            raise TimestampInvalid("There are no certificates to check the token against "
                                   "(none kept with it, and CAPTURE_TSA_ROOTS is not set).")
        roots = kept
    else:
        roots = _load_certificates(roots_pem, "the trusted roots (CAPTURE_TSA_ROOTS)")
        if not roots:
            raise TimestampInvalid("The trusted roots (CAPTURE_TSA_ROOTS) hold no "
                                   "certificate.")
    if not response.signed_data.certificates:
        raise TimestampInvalid("The token carries no certificate (the authority ignored "
                               "the request for its certificate), so its signer is unknown.")
    signer = _signer_certificate(response)
    if kept and signer is not None and signer not in kept:
        raise TimestampInvalid(f"The token was signed by “{signer.subject.rfc4514_string()}”, "
                               f"which is not among the certificates kept with it.")
    builder = VerifierBuilder()
    for root in _unique(roots):
        builder = builder.add_root_certificate(root)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify_message(response, data)
    except VerificationError as exc:
        raise TimestampInvalid(_verification_words(str(exc), trusted_as_given=roots_pem is None)
                               ) from exc


def _check_granted(response: TimeStampResponse) -> None:
    try:
        status = PKIStatus(response.status)
    except ValueError:
        status = None
    if status != PKIStatus.GRANTED:
        words = _STATUS_WORDS.get(status, f"status {response.status}")
        said = printable("; ".join(response.status_string), 160)
        raise TimestampInvalid(f"The authority did not grant the timestamp ({words}"
                               + (f": “{said}”)." if said else ")."))


def _verification_words(message: str, *, trusted_as_given: bool) -> str:
    """What rfc3161-client's VerificationError means, in words."""
    if message == "Mismatch between messages":
        return ("The token was made over other data: the data's digest is not the one the "
                "token holds (a byte of it has changed since it was timestamped).")
    if message == "Nonce mismatch":
        return "The token answers another request (its nonce is not the one we sent)."
    if message.startswith("Unsupported hash algorithm"):
        return f"The token uses a digest we cannot check ({printable(message, 120)})."
    if "EKU" in message:
        return ("The certificate that signed the token is not a time-stamping certificate "
                f"({printable(message, 160)})")
    if "No leaf certificate" in message:
        return "The certificate that signed the token is not in it."
    if "Error while verifying certificates" in message:
        detail = re.search(r'Verify error: ([^"]+)"', message)
        if detail:
            where = ("the certificates kept with it" if trusted_as_given
                     else "a root the desk trusts (CAPTURE_TSA_ROOTS)")
            return (f"The authority's certificate does not lead to {where}: OpenSSL says "
                    f"“{printable(detail.group(1), 120)}”.")
        if "signature failure" in message or "digest failure" in message:
            return ("The token's signature does not match its contents: it has been "
                    "altered since the authority signed it.")
    return f"The token does not verify ({printable(message, 200)})."


def _load_certificates(pem: str, what: str) -> list[x509.Certificate]:
    if not pem or not pem.strip():
        return []
    try:
        return x509.load_pem_x509_certificates(pem.encode("ascii", "replace"))
    except ValueError as exc:
        raise TimestampInvalid(f"{what[0].upper()}{what[1:]} cannot be read as PEM "
                               f"certificates ({printable(str(exc), 120)}).") from exc


def _unique(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    seen: list[x509.Certificate] = []
    for certificate in certificates:
        if certificate not in seen:
            seen.append(certificate)
    return seen


def _token_certificates(response: TimeStampResponse) -> list[x509.Certificate]:
    certificates = []
    for der in response.signed_data.certificates:
        try:
            certificates.append(x509.load_der_x509_certificate(der))
        except ValueError as exc:
            raise TimestampInvalid(f"A certificate in the token cannot be read "
                                   f"({printable(str(exc), 120)}).") from exc
    return certificates


def _signer_certificate(response: TimeStampResponse) -> x509.Certificate | None:
    """The certificate the SignerInfo names (issuer and serial number), if the token
    carries it."""
    signer_infos = list(response.signed_data.signer_infos)
    if len(signer_infos) != 1:
        raise TimestampInvalid(f"The token has {len(signer_infos)} signers; a time-stamp "
                               f"token has exactly one.")
    info = signer_infos[0]
    for certificate in _token_certificates(response):
        if certificate.issuer == info.issuer and certificate.serial_number == info.serial_number:
            return certificate
    return None


def _token_certificates_pem(response: TimeStampResponse) -> str:
    """The token's certificates as PEM, the signer first, then each one's issuer: what is
    kept with the capture to check the token again later."""
    certificates = _token_certificates(response)
    ordered: list[x509.Certificate] = []
    current = _signer_certificate(response)
    while current is not None and current not in ordered:
        ordered.append(current)
        current = next((c for c in certificates
                        if c.subject == current.issuer and c not in ordered), None)
    ordered += [c for c in certificates if c not in ordered]
    return "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in ordered)


# --- DER ---------------------------------------------------------------------------------

def _tlv(buffer: bytes, position: int, end: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `position`."""
    if position + 2 > end:
        raise ValueError("truncated element")
    tag = buffer[position]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tag")
    first = buffer[position + 1]
    start = position + 2
    if first < 0x80:
        length = first
    elif first == 0x80 or first > 0x84:
        raise ValueError("indefinite or oversized length")
    else:
        count = first & 0x7F
        if start + count > end:
            raise ValueError("truncated length")
        length = int.from_bytes(buffer[start:start + count], "big")
        start += count
    if start + length > end:
        raise ValueError("element runs past its container")
    return tag, start, start + length


def _children(buffer: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element in a range."""
    elements, position = [], start
    while position < end:
        tag, content, stop = _tlv(buffer, position, end)
        elements.append((tag, position, content, stop))
        position = stop
    return elements


def _element(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def der_sorted_certificates(response: bytes) -> bytes:
    """`response` (a TimeStampResp) with the token's certificates SET in DER order
    (ascending by their encodings), everything else byte for byte. ValueError when the
    bytes do not have that shape."""
    _, start, end = _tlv(response, 0, len(response))
    parts = _children(response, start, end)  # status, timeStampToken
    if len(parts) < 2:
        return response
    status, token = parts[0], parts[1]
    info = _children(response, token[2], token[3])  # contentType, [0] content
    if len(info) != 2 or info[1][0] != 0xA0:
        raise ValueError("no signed content")
    signed_tag, signed_start, signed_end = _tlv(response, info[1][2], info[1][3])
    signed = b""
    for tag, element, content, stop in _children(response, signed_start, signed_end):
        if tag == 0xA0:  # certificates [0] IMPLICIT SET OF CertificateChoices
            members = sorted(response[e:s] for _, e, _, s in _children(response, content, stop))
            signed += _element(0xA0, b"".join(members))
        else:
            signed += response[element:stop]
    token_content = (response[info[0][1]:info[0][3]]
                     + _element(0xA0, _element(signed_tag, signed)))
    rest = b"".join(response[e:s] for _, e, _, s in parts[2:])
    return _element(0x30, response[status[1]:status[3]] + _element(token[0], token_content)
                    + rest)
