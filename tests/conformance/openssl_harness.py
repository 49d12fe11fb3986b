"""Ground truth from real OpenSSL: run a TLS client and server and record every message.

:func:`run_real` takes a TLS-only setup (contract §2.3) and plays it with two real OpenSSL
``SSL`` objects, a client and a server, on one thread; it returns both ends' transcripts in
the §2.3 result shape, for the conformance tests to compare with the model's ``openssl``
personality.

Which OpenSSL
    The *system* libssl, the very library Python's :mod:`ssl` module links
    (``ssl.OPENSSL_VERSION``; OpenSSL 3.0 on the project's machines), driven through
    :mod:`ctypes`.  Neither of the obvious bindings can do the whole job: the stdlib cannot
    renegotiate, and pyOpenSSL runs on the OpenSSL that the ``cryptography`` wheel bundles
    (a different major version from the system's, e.g. 4.0) and has no message callback.
    With :mod:`ctypes` every case — in-handshake requests, TLS 1.3 post-handshake auth,
    TLS 1.2 renegotiation either way — runs on one library, the one named in
    :func:`openssl_version`.  ``cryptography`` (which pyOpenSSL brings) makes the
    certificates.

How messages are captured
    ``SSL_set_msg_callback``, OpenSSL's own protocol-message hook, on each end.  It fires once
    per handshake message and alert the end writes or reads, and per ChangeCipherSpec it
    writes, *after* record protection: messages of a TLS 1.2 renegotiation (encrypted under
    the current keys) and of TLS 1.3 (encrypted from EncryptedExtensions on) are seen in the
    clear, exactly as that end built or parsed them, in that end's order.  OpenSSL 3 reports
    no message for a ChangeCipherSpec it *reads* (neither TLS 1.2's nor TLS 1.3's
    compatibility one), so ``R change_cipher_spec`` is taken from the record-header
    pseudo-message (content type 0x100) the same callback gives for every record read: a
    record of type 20.  A record is read only when the end needs its next message, so the
    order holds.  Other record headers, TLS 1.3 inner content types (0x101) and application
    data are skipped.  Names follow RFC 5246/8446 in snake_case; a ServerHello carrying the
    HelloRetryRequest random is named ``hello_retry_request``; alerts read
    ``alert LEVEL:NAME(CODE)``.  Bytes an end never gets to read (a flight behind the message
    that made it fail) leave no trace.

Transport and determinism
    Each end reads and writes memory BIOs.  A single-threaded scheduler resumes the client,
    carries whatever it wrote to the server over a real TCP connection on 127.0.0.1
    (ephemeral port, socket timeouts, waiting for exactly the bytes sent), resumes the server,
    carries its bytes back, and so on.  The interleaving is therefore fixed, and so is each
    end's transcript.  The whole run is bounded by ``timeout`` and by a round limit.

The application flow (HTTP-like, so late requests happen where http.sys makes them)
    client: handshake; [``SSL_renegotiate`` + handshake when ``initiate_renegotiation``];
    write a request; read the response; drain.
    server: handshake; read the request; [late certificate request: ``SSL_set_verify``, then
    ``post_handshake`` → ``SSL_verify_client_post_handshake`` + ``SSL_do_handshake`` (sends
    the CertificateRequest); ``renegotiation`` → ``SSL_renegotiate`` + ``SSL_do_handshake``
    (sends the HelloRequest); then drain; ``server.rounds`` times while neither fails]; write
    the response; drain.
    "drain" reads until the whole system is quiet (both ends wait for input and nothing is in
    flight), so post-handshake messages (NewSessionTicket, alerts, the client's answer to a
    late request) are read by each end before it moves on or stops.  No close_notify is sent.

Server settings: ``cert_request`` none → ``SSL_VERIFY_NONE``; optional → ``SSL_VERIFY_PEER``;
required → ``SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT``, set before the initial
handshake when ``request_at`` is ``handshake``.  A late request is decided late, as http.sys
does: the initial handshake runs with ``SSL_VERIFY_NONE``, and after the request has been read
the server sets the mode — plus ``SSL_VERIFY_POST_HANDSHAKE`` for ``post_handshake`` — and calls
the mechanism.  (Had ``SSL_VERIFY_POST_HANDSHAKE`` been set from the start, as Python's ``ssl``
does for ``post_handshake_auth`` servers, TLS 1.3 would give the same transcripts, but TLS 1.2
ignores the flag and would ask in the initial handshake.)  Either mechanism may be refused
locally: ``SSL_verify_client_post_handshake`` on TLS 1.2 (``WRONG_SSL_VERSION``) or when the
client did not offer ``post_handshake_auth`` (``EXTENSION_NOT_RECEIVED``); ``SSL_renegotiate``
on TLS 1.3 (``WRONG_SSL_VERSION``); nothing is sent then.
``resumption_on_renegotiation`` false → ``SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION``;
``allow_client_renegotiation`` → ``SSL_OP_ALLOW_CLIENT_RENEGOTIATION``.  A session id context
is set (as Python's ``ssl`` does), without which OpenSSL refuses to resume a session once
certificate verification is on (fatal ``internal_error``, ``SESSION_ID_CONTEXT_UNINITIALIZED``).

Client settings: ``certificate`` valid → a certificate from the CA the server trusts;
untrusted → one from another CA; none → no certificate.  ``post_handshake_auth`` →
``SSL_set_post_handshake_auth``; ``renegotiation`` refuse → ``SSL_OP_NO_RENEGOTIATION``
(OpenSSL has no way to *ignore* a HelloRequest, so ``ignore`` is rejected).  The client verifies
the server's certificate against the CA.  ``alpn``: the client offers the list; the server
picks the first protocol offered.

Results: ``error`` is the OpenSSL reason (e.g. ``PEER_DID_NOT_RETURN_A_CERTIFICATE``,
``SSLV3_ALERT_HANDSHAKE_FAILURE``) of the first failure an end met — a fatal I/O error, or a
local API call refused (``WRONG_SSL_VERSION`` for ``SSL_renegotiate`` on TLS 1.3; the end then
carries on).  ``cert_obtained`` is true when the server has no error and holds a client
certificate that verified.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import datetime
import functools
import ipaddress
import shutil
import socket
import ssl
import tempfile
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["HarnessUnavailable", "openssl_version", "run_real"]


class HarnessUnavailable(RuntimeError):
    """The system libssl (or ``cryptography``, for the certificates) cannot be used here."""


# --- constants (OpenSSL 3 headers) --------------------------------------------------------

_SSL_VERIFY_NONE: Final = 0x00
_SSL_VERIFY_PEER: Final = 0x01
_SSL_VERIFY_FAIL_IF_NO_PEER_CERT: Final = 0x02
_SSL_VERIFY_POST_HANDSHAKE: Final = 0x08

_SSL_ERROR_SSL: Final = 1
_SSL_ERROR_WANT_READ: Final = 2
_SSL_ERROR_SYSCALL: Final = 5
_SSL_ERROR_ZERO_RETURN: Final = 6

_SSL_OP_ALLOW_CLIENT_RENEGOTIATION: Final = 1 << 8
_SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: Final = 1 << 16
_SSL_OP_NO_RENEGOTIATION: Final = 1 << 30

_SSL_CTRL_SET_MIN_PROTO_VERSION: Final = 123
_SSL_CTRL_SET_MAX_PROTO_VERSION: Final = 124
_SSL_FILETYPE_PEM: Final = 1
_SSL_TLSEXT_ERR_OK: Final = 0
_SSL_TLSEXT_ERR_NOACK: Final = 3
_BIO_C_SET_BUF_MEM_EOF_RETURN: Final = 130
_X509_V_OK: Final = 0

_CT_CHANGE_CIPHER_SPEC: Final = 20
_CT_ALERT: Final = 21
_CT_HANDSHAKE: Final = 22
_CT_RECORD_HEADER: Final = 0x100  # SSL3_RT_HEADER: the msg callback's record-header pseudo type

_VERSION_WIRE: Final[Mapping[str, int]] = {"1.2": 0x0303, "1.3": 0x0304}
_VERSION_NAME: Final[Mapping[int, str]] = {
    0x0301: "1.0",
    0x0302: "1.1",
    0x0303: "1.2",
    0x0304: "1.3",
}

_HANDSHAKE_NAMES: Final[Mapping[int, str]] = {
    0: "hello_request",
    1: "client_hello",
    2: "server_hello",
    3: "hello_verify_request",
    4: "new_session_ticket",
    5: "end_of_early_data",
    8: "encrypted_extensions",
    11: "certificate",
    12: "server_key_exchange",
    13: "certificate_request",
    14: "server_hello_done",
    15: "certificate_verify",
    16: "client_key_exchange",
    20: "finished",
    21: "certificate_url",
    22: "certificate_status",
    23: "supplemental_data",
    24: "key_update",
    25: "compressed_certificate",
    254: "message_hash",
}

_ALERT_LEVELS: Final[Mapping[int, str]] = {1: "warning", 2: "fatal"}
_ALERT_NAMES: Final[Mapping[int, str]] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    21: "decryption_failed",
    22: "record_overflow",
    30: "decompression_failure",
    40: "handshake_failure",
    41: "no_certificate",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    60: "export_restriction",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    109: "missing_extension",
    110: "unsupported_extension",
    111: "certificate_unobtainable",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
}

#: SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3).
_HRR_RANDOM: Final = bytes.fromhex(
    "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
)

_REQUEST: Final = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
_RESPONSE: Final = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
_SESSION_ID_CONTEXT: Final = b"httpsys-sim-conformance"
_MAX_ROUNDS: Final = 1000
_CHUNK: Final = 16384


# --- the library ----------------------------------------------------------------------------

_VP = ctypes.c_void_p
_MSG_CALLBACK = ctypes.CFUNCTYPE(
    None, ctypes.c_int, ctypes.c_int, ctypes.c_int, _VP, ctypes.c_size_t, _VP, _VP
)
_ALPN_SELECT_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int,
    _VP,
    ctypes.POINTER(_VP),
    ctypes.POINTER(ctypes.c_ubyte),
    _VP,
    ctypes.c_uint,
    _VP,
)

_PROTOTYPES: Final[Mapping[str, tuple[Any, list[Any]]]] = {
    "OpenSSL_version": (ctypes.c_char_p, [ctypes.c_int]),
    "TLS_method": (_VP, []),
    "SSL_CTX_new": (_VP, [_VP]),
    "SSL_CTX_free": (None, [_VP]),
    "SSL_CTX_ctrl": (ctypes.c_long, [_VP, ctypes.c_int, ctypes.c_long, _VP]),
    "SSL_CTX_set_options": (ctypes.c_uint64, [_VP, ctypes.c_uint64]),
    "SSL_CTX_use_certificate_chain_file": (ctypes.c_int, [_VP, ctypes.c_char_p]),
    "SSL_CTX_use_PrivateKey_file": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_int]),
    "SSL_CTX_load_verify_locations": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_char_p]),
    "SSL_CTX_set_verify": (None, [_VP, ctypes.c_int, _VP]),
    "SSL_CTX_set_session_id_context": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_uint]),
    "SSL_CTX_set_alpn_select_cb": (None, [_VP, _ALPN_SELECT_CALLBACK, _VP]),
    "SSL_new": (_VP, [_VP]),
    "SSL_free": (None, [_VP]),
    "SSL_set_bio": (None, [_VP, _VP, _VP]),
    "SSL_set_connect_state": (None, [_VP]),
    "SSL_set_accept_state": (None, [_VP]),
    "SSL_set_msg_callback": (None, [_VP, _MSG_CALLBACK]),
    "SSL_set_options": (ctypes.c_uint64, [_VP, ctypes.c_uint64]),
    "SSL_set_verify": (None, [_VP, ctypes.c_int, _VP]),
    "SSL_set_post_handshake_auth": (None, [_VP, ctypes.c_int]),
    "SSL_set_alpn_protos": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_uint]),
    "SSL_do_handshake": (ctypes.c_int, [_VP]),
    "SSL_read": (ctypes.c_int, [_VP, _VP, ctypes.c_int]),
    "SSL_write": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_int]),
    "SSL_get_error": (ctypes.c_int, [_VP, ctypes.c_int]),
    "SSL_renegotiate": (ctypes.c_int, [_VP]),
    "SSL_verify_client_post_handshake": (ctypes.c_int, [_VP]),
    "SSL_version": (ctypes.c_int, [_VP]),
    "SSL_get1_peer_certificate": (_VP, [_VP]),
    "SSL_get_verify_result": (ctypes.c_long, [_VP]),
    "BIO_s_mem": (_VP, []),
    "BIO_new": (_VP, [_VP]),
    "BIO_ctrl": (ctypes.c_long, [_VP, ctypes.c_int, ctypes.c_long, _VP]),
    "BIO_read": (ctypes.c_int, [_VP, _VP, ctypes.c_int]),
    "BIO_write": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_int]),
    "ERR_get_error": (ctypes.c_ulong, []),
    "ERR_clear_error": (None, []),
    "ERR_reason_error_string": (ctypes.c_char_p, [ctypes.c_ulong]),
    "X509_free": (None, [_VP]),
}


def _libssl_path() -> str:
    """The file of the libssl that Python's ``_ssl`` extension loaded."""
    import _ssl  # noqa: F401  (maps the library into this process)

    maps = Path("/proc/self/maps")
    if maps.exists():
        for line in maps.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 6 and "/libssl." in fields[-1]:
                return fields[-1]
    found = ctypes.util.find_library("ssl")
    if found is None:
        raise HarnessUnavailable("no shared libssl to load with ctypes")
    return found


@functools.cache
def _lib() -> Any:
    """The system libssl (libcrypto's symbols resolve through it), with prototypes set."""
    try:
        lib = ctypes.CDLL(_libssl_path())
        for name, (restype, argtypes) in _PROTOTYPES.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
    except (OSError, AttributeError) as exc:
        raise HarnessUnavailable(f"cannot use the system libssl: {exc}") from exc
    version = lib.OpenSSL_version(0).decode()
    if version != ssl.OPENSSL_VERSION:
        raise HarnessUnavailable(
            f"loaded {version!r}, but Python's ssl links {ssl.OPENSSL_VERSION!r}"
        )
    if not version.startswith("OpenSSL 3."):
        raise HarnessUnavailable(f"needs OpenSSL 3, found {version!r}")
    return lib


def openssl_version() -> str:
    """The version text of the library :func:`run_real` drives (``"OpenSSL 3.0.19 …"``)."""
    return str(_lib().OpenSSL_version(0).decode())


def _reason(code: int) -> str:
    text = _lib().ERR_reason_error_string(code)
    if not text:
        return f"OPENSSL_ERROR_{code:#x}"
    return str(text.decode()).upper().replace(" ", "_")


def _take_error_queue() -> str | None:
    """The reason of the first error queued by the last call, and empty the queue."""
    lib = _lib()
    first: str | None = None
    for _ in range(64):
        code = int(lib.ERR_get_error())
        if code == 0:
            break
        if first is None:
            first = _reason(code)
    return first


# --- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Credentials:
    ca_cert: bytes
    server_cert: bytes
    server_key: bytes
    client_cert: bytes
    client_key: bytes
    untrusted_cert: bytes
    untrusted_key: bytes


@functools.cache
def _credentials() -> _Credentials:
    """Generate (once per process) a trusted CA, a server, a valid and an untrusted client."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:  # pragma: no cover - cryptography comes with pyOpenSSL
        raise HarnessUnavailable("the 'cryptography' package is needed") from exc

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def issue(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: x509.Name | None,
        issuer_key: ec.EllipticCurvePrivateKey | None,
        usage: x509.ObjectIdentifier | None,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(issuer if issuer is not None else name(subject))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
        )
        if usage is None:  # a CA
            builder = builder.add_extension(
                x509.BasicConstraints(ca=True, path_length=None), critical=True
            ).add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.BasicConstraints(ca=False, path_length=None), critical=True
            ).add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            if usage == ExtendedKeyUsageOID.SERVER_AUTH:
                builder = builder.add_extension(
                    x509.SubjectAlternativeName(
                        [
                            x509.DNSName("localhost"),
                            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                        ]
                    ),
                    critical=False,
                )
        return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())

    def pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def pem_cert(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(5)]
    ca_key, server_key, client_key, rogue_ca_key, untrusted_key = keys
    ca = issue("httpsys-sim conformance CA", ca_key, None, None, None)
    rogue_ca = issue("httpsys-sim untrusted CA", rogue_ca_key, None, None, None)
    server = issue("localhost", server_key, ca.subject, ca_key, ExtendedKeyUsageOID.SERVER_AUTH)
    client = issue("client", client_key, ca.subject, ca_key, ExtendedKeyUsageOID.CLIENT_AUTH)
    untrusted = issue(
        "untrusted client",
        untrusted_key,
        rogue_ca.subject,
        rogue_ca_key,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    return _Credentials(
        ca_cert=pem_cert(ca),
        server_cert=pem_cert(server),
        server_key=pem_key(server_key),
        client_cert=pem_cert(client),
        client_key=pem_key(client_key),
        untrusted_cert=pem_cert(untrusted),
        untrusted_key=pem_key(untrusted_key),
    )


@functools.cache
def _credential_files() -> Mapping[str, bytes]:
    """The credentials as PEM files in a private temporary directory (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="httpsys-sim-conformance-"))
    atexit.register(shutil.rmtree, folder, True)
    files: dict[str, bytes] = {}
    for field, data in vars(_credentials()).items():
        path = folder / f"{field}.pem"
        path.write_bytes(data)
        files[field] = str(path).encode()
    return files


# --- the setup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    version: str
    alpn: tuple[str, ...] | None
    cert_request: str
    request_at: str
    resumption_on_renegotiation: bool
    allow_client_renegotiation: bool
    certificate: str
    post_handshake_auth: bool
    renegotiation: str
    initiate_renegotiation: bool
    rounds: int


def _section(setup: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = setup.get(key, {})
    if not isinstance(value, Mapping):
        raise ValueError(f"setup.{key} must be an object")
    return value


def _choice(section: Mapping[str, object], where: str, key: str, allowed: tuple[str, ...]) -> str:
    value = section.get(key, allowed[0])
    if value not in allowed:
        raise ValueError(f"{where}.{key} must be one of {allowed}, not {value!r}")
    return str(value)


def _flag(section: Mapping[str, object], where: str, key: str) -> bool:
    value = section.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}.{key} must be true or false, not {value!r}")
    return value


def _count(section: Mapping[str, object], where: str, key: str) -> int:
    value = section.get(key, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 16:
        raise ValueError(f"{where}.{key} must be an integer from 1 to 16, not {value!r}")
    return value


def _parse(setup: Mapping[str, object]) -> _Setup:
    version = setup.get("version")
    if version not in _VERSION_WIRE:
        raise ValueError(f"setup.version must be one of {tuple(_VERSION_WIRE)}, not {version!r}")
    alpn = setup.get("alpn")
    if alpn is not None and (
        not isinstance(alpn, list) or not alpn or not all(isinstance(p, str) and p for p in alpn)
    ):
        raise ValueError(f"setup.alpn must be null or a list of protocol names, not {alpn!r}")
    server, client = _section(setup, "server"), _section(setup, "client")
    parsed = _Setup(
        version=str(version),
        alpn=None if alpn is None else tuple(str(p) for p in alpn),
        cert_request=_choice(server, "server", "cert_request", ("none", "optional", "required")),
        request_at=_choice(
            server, "server", "request_at", ("handshake", "post_handshake", "renegotiation")
        ),
        resumption_on_renegotiation=_flag(server, "server", "resumption_on_renegotiation"),
        allow_client_renegotiation=_flag(server, "server", "allow_client_renegotiation"),
        certificate=_choice(client, "client", "certificate", ("none", "valid", "untrusted")),
        post_handshake_auth=_flag(client, "client", "post_handshake_auth"),
        renegotiation=_choice(client, "client", "renegotiation", ("accept", "refuse", "ignore")),
        initiate_renegotiation=_flag(client, "client", "initiate_renegotiation"),
        rounds=_count(server, "server", "rounds"),
    )
    if parsed.renegotiation == "ignore":
        raise ValueError("OpenSSL cannot ignore a HelloRequest: client.renegotiation 'ignore'")
    return parsed


def _verify_mode(cert_request: str) -> int:
    return {
        "none": _SSL_VERIFY_NONE,
        "optional": _SSL_VERIFY_PEER,
        "required": _SSL_VERIFY_PEER | _SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
    }[cert_request]


# --- one end -----------------------------------------------------------------------------------

_NEED: Final = "need"  # blocked: cannot go on without input from the peer
_DRAIN: Final = "drain"  # blocked, and content to stop once the whole system is quiet

#: An end's programme: yields what it is blocked on, is resumed with "the system is quiet".
Programme = Generator[str, bool, None]


class _Stopped(Exception):
    """The end met a fatal error; its programme ends."""


def _describe(write: bool, content_type: int, data: bytes) -> str | None:
    """One message as §2.3 names it, or None for what the transcript leaves out."""
    direction = "W" if write else "R"
    if content_type == _CT_HANDSHAKE and data:
        name = _HANDSHAKE_NAMES.get(data[0], f"handshake_{data[0]}")
        if data[0] == 2 and data[6:38] == _HRR_RANDOM:
            name = "hello_retry_request"
        return f"{direction} {name}"
    if content_type == _CT_CHANGE_CIPHER_SPEC and write:
        return "W change_cipher_spec"
    if content_type == _CT_RECORD_HEADER and not write and data[:1] == b"\x14":
        # OpenSSL 3 reports no message for a ChangeCipherSpec it reads (TLS 1.2's or
        # TLS 1.3's compatibility one); the header of the record carrying it tells.
        return "R change_cipher_spec"
    if content_type == _CT_ALERT and len(data) >= 2:
        level = _ALERT_LEVELS.get(data[0], f"level{data[0]}")
        alert = _ALERT_NAMES.get(data[1], f"unknown_{data[1]}")
        return f"{direction} alert {level}:{alert}({data[1]})"
    return None


class _End:
    """One real OpenSSL ``SSL`` object on memory BIOs, with its transcript."""

    def __init__(self, ctx: int, *, server: bool) -> None:
        lib = _lib()
        self.lib = lib
        self.server = server
        self.messages: list[str] = []
        self.error: str | None = None
        self.callback_failure: BaseException | None = None
        self.unexpected_data = bytearray()
        self.ssl: int = lib.SSL_new(ctx)
        if not self.ssl:
            raise RuntimeError(f"SSL_new failed: {_take_error_queue()}")
        self.rbio: int = lib.BIO_new(lib.BIO_s_mem())
        self.wbio: int = lib.BIO_new(lib.BIO_s_mem())
        for bio in (self.rbio, self.wbio):
            lib.BIO_ctrl(bio, _BIO_C_SET_BUF_MEM_EOF_RETURN, -1, None)  # empty ≠ EOF
        lib.SSL_set_bio(self.ssl, self.rbio, self.wbio)  # the SSL owns the BIOs now
        self._callback = _MSG_CALLBACK(self._on_message)  # kept alive as long as the SSL
        lib.SSL_set_msg_callback(self.ssl, self._callback)
        if server:
            lib.SSL_set_accept_state(self.ssl)
        else:
            lib.SSL_set_connect_state(self.ssl)

    def free(self) -> None:
        if self.ssl:
            self.lib.SSL_free(self.ssl)
            self.ssl = 0

    def _on_message(
        self,
        write_p: int,
        _version: int,
        content_type: int,
        buf: int | None,
        length: int,
        _ssl: int | None,
        _arg: int | None,
    ) -> None:
        try:
            data = ctypes.string_at(buf, length) if buf and length else b""
            text = _describe(bool(write_p), content_type, data)
            if text is not None:
                self.messages.append(text)
        except BaseException as exc:  # never let an exception unwind through C
            self.callback_failure = exc

    # transport

    def take_output(self) -> bytes:
        buffer = ctypes.create_string_buffer(_CHUNK)
        out = bytearray()
        while True:
            count = self.lib.BIO_read(self.wbio, buffer, _CHUNK)
            if count <= 0:
                return bytes(out)
            out += buffer.raw[:count]

    def give_input(self, data: bytes) -> None:
        if self.lib.BIO_write(self.rbio, data, len(data)) != len(data):
            raise RuntimeError("BIO_write failed")

    # errors

    def _fail(self, ret: int) -> int:
        """SSL_get_error for ``ret``; on a hard failure record it and stop the programme."""
        code = int(self.lib.SSL_get_error(self.ssl, ret))
        reason = _take_error_queue()
        if code == _SSL_ERROR_WANT_READ:
            return code
        if code == _SSL_ERROR_ZERO_RETURN:
            reason = reason or "CLOSE_NOTIFY_RECEIVED"
        elif code == _SSL_ERROR_SYSCALL:
            reason = reason or "UNEXPECTED_EOF"
        elif code != _SSL_ERROR_SSL:
            reason = reason or f"SSL_ERROR_{code}"
        self.error = self.error or reason or "SSL_ERROR_SSL"
        raise _Stopped

    def api(self, function: str) -> bool:
        """Call a local API (``SSL_renegotiate`` …); a refusal is recorded, not fatal."""
        self.lib.ERR_clear_error()
        if getattr(self.lib, function)(self.ssl) == 1:
            return True
        self.error = self.error or _take_error_queue() or f"{function.upper()}_FAILED"
        return False

    # operations (generators: they yield while blocked)

    def handshake(self) -> Programme:
        while True:
            self.lib.ERR_clear_error()
            ret = self.lib.SSL_do_handshake(self.ssl)
            if ret == 1:
                return
            self._fail(ret)
            yield _NEED

    def write(self, data: bytes) -> None:
        self.lib.ERR_clear_error()
        ret = self.lib.SSL_write(self.ssl, data, len(data))
        if ret != len(data):
            self._fail(ret)
            raise RuntimeError("SSL_write would block on a memory BIO")

    def read(self, count: int) -> Generator[str, bool, bytes]:
        buffer = ctypes.create_string_buffer(_CHUNK)
        got = bytearray()
        while len(got) < count:
            self.lib.ERR_clear_error()
            ret = self.lib.SSL_read(self.ssl, buffer, _CHUNK)
            if ret > 0:
                got += buffer.raw[:ret]
                continue
            self._fail(ret)
            yield _NEED
        return bytes(got)

    def drain(self) -> Programme:
        buffer = ctypes.create_string_buffer(_CHUNK)
        while True:
            self.lib.ERR_clear_error()
            ret = self.lib.SSL_read(self.ssl, buffer, _CHUNK)
            if ret > 0:
                self.unexpected_data += buffer.raw[:ret]
                continue
            self._fail(ret)
            if (yield _DRAIN):
                return


# --- the two programmes ------------------------------------------------------------------------


def _client_programme(end: _End, setup: _Setup) -> Programme:
    yield from end.handshake()
    if setup.initiate_renegotiation and end.api("SSL_renegotiate"):
        yield from end.handshake()
    end.write(_REQUEST)
    response = yield from end.read(len(_RESPONSE))
    if response != _RESPONSE:
        raise RuntimeError(f"client read {response!r}")
    yield from end.drain()


def _server_programme(end: _End, setup: _Setup) -> Programme:
    yield from end.handshake()
    request = yield from end.read(len(_REQUEST))
    if request != _REQUEST:
        raise RuntimeError(f"server read {request!r}")
    late_mode = _verify_mode(setup.cert_request)
    for _ in range(setup.rounds):  # each round asks again, on the same connection
        if setup.cert_request == "none" or setup.request_at == "handshake":
            break
        if setup.request_at == "post_handshake":
            end.lib.SSL_set_verify(end.ssl, late_mode | _SSL_VERIFY_POST_HANDSHAKE, None)
            if not end.api("SSL_verify_client_post_handshake"):
                break
            yield from end.handshake()  # sends the CertificateRequest
            yield from end.drain()  # reads the client's answer
        else:
            end.lib.SSL_set_verify(end.ssl, late_mode, None)
            if not end.api("SSL_renegotiate"):
                break
            yield from end.handshake()  # sends the HelloRequest
            yield from end.drain()  # runs the new handshake, driven by the client
        if end.error is not None:
            break
    end.write(_RESPONSE)
    yield from end.drain()


# --- transport and scheduler ---------------------------------------------------------------------


class _Wire:
    """A TCP connection on 127.0.0.1 carrying each end's ciphertext to the other."""

    def __init__(self, client: _End, server: _End, timeout: float) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.settimeout(timeout)
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            client_socket = socket.create_connection(listener.getsockname(), timeout=timeout)
            try:
                server_socket, _ = listener.accept()
            except BaseException:
                client_socket.close()
                raise
        server_socket.settimeout(timeout)
        for sock in (client_socket, server_socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._route = {
            id(client): (client_socket, server_socket, server),
            id(server): (server_socket, client_socket, client),
        }
        self._sockets = (client_socket, server_socket)

    def carry(self, source: _End) -> int:
        """Move what ``source`` wrote to its peer; the number of bytes moved."""
        data = source.take_output()
        sender, receiver, peer = self._route[id(source)]
        for start in range(0, len(data), _CHUNK):
            chunk = data[start : start + _CHUNK]
            sender.sendall(chunk)
            received = bytearray()
            while len(received) < len(chunk):
                part = receiver.recv(len(chunk) - len(received))
                if not part:
                    raise ConnectionError("loopback connection closed")
                received += part
            peer.give_input(bytes(received))
        return len(data)

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


def _schedule(
    ends: tuple[_End, _End], programmes: tuple[Programme, Programme], wire: _Wire, deadline: float
) -> None:
    """Run both programmes to their end (or to a deadlock), carrying bytes between them."""
    active = dict(enumerate(programmes))
    blocked_on: dict[int, str] = {}
    wake = [False, False]
    try:
        for _ in range(_MAX_ROUNDS):
            if time.monotonic() > deadline:
                raise TimeoutError("the TLS exchange did not settle in time")
            moved = 0
            for index, end in enumerate(ends):
                programme = active.get(index)
                if programme is not None:
                    try:
                        # The first send starts the programme; it must be None.
                        resume = wake[index] if index in blocked_on else None
                        blocked_on[index] = programme.send(resume)  # type: ignore[arg-type]
                    except (StopIteration, _Stopped):
                        del active[index]
                        blocked_on.pop(index, None)
                    wake[index] = False
                moved += wire.carry(end)
            if moved:
                continue
            quiet = [index for index in active if blocked_on.get(index) == _DRAIN]
            if not quiet:
                return  # finished, or everybody waits for input that will not come
            for index in quiet:
                wake[index] = True
        raise RuntimeError("the TLS exchange did not settle within the round limit")
    finally:
        for programme in active.values():
            programme.close()


# --- the entry point -----------------------------------------------------------------------------


def _context(setup: _Setup, *, server: bool) -> int:
    lib = _lib()
    files = _credential_files()
    ctx: int = lib.SSL_CTX_new(lib.TLS_method())
    if not ctx:
        raise RuntimeError(f"SSL_CTX_new failed: {_take_error_queue()}")
    wire_version = _VERSION_WIRE[setup.version]
    ok = lib.SSL_CTX_ctrl(ctx, _SSL_CTRL_SET_MIN_PROTO_VERSION, wire_version, None) == 1
    ok &= lib.SSL_CTX_ctrl(ctx, _SSL_CTRL_SET_MAX_PROTO_VERSION, wire_version, None) == 1
    ok &= lib.SSL_CTX_load_verify_locations(ctx, files["ca_cert"], None) == 1
    if server:
        ok &= lib.SSL_CTX_use_certificate_chain_file(ctx, files["server_cert"]) == 1
        ok &= lib.SSL_CTX_use_PrivateKey_file(ctx, files["server_key"], _SSL_FILETYPE_PEM) == 1
        context_id = _SESSION_ID_CONTEXT
        ok &= lib.SSL_CTX_set_session_id_context(ctx, context_id, len(context_id)) == 1
    elif setup.certificate != "none":
        cert, key = (
            ("client_cert", "client_key")
            if setup.certificate == "valid"
            else ("untrusted_cert", "untrusted_key")
        )
        ok &= lib.SSL_CTX_use_certificate_chain_file(ctx, files[cert]) == 1
        ok &= lib.SSL_CTX_use_PrivateKey_file(ctx, files[key], _SSL_FILETYPE_PEM) == 1
    if not ok:
        reason = _take_error_queue()
        lib.SSL_CTX_free(ctx)
        raise RuntimeError(f"cannot configure the {'server' if server else 'client'}: {reason}")
    return ctx


def _select_first_offered(
    _ssl: int | None,
    out: Any,
    outlen: Any,
    offered: int | None,
    offered_len: int,
    _arg: int | None,
) -> int:
    """ALPN on the server: pick the first protocol the client offers."""
    if not offered or offered_len < 2:
        return _SSL_TLSEXT_ERR_NOACK
    first = ctypes.string_at(offered, 1)[0]
    if first == 0 or first + 1 > offered_len:
        return _SSL_TLSEXT_ERR_NOACK
    out[0] = offered + 1
    outlen[0] = first
    return _SSL_TLSEXT_ERR_OK


_ALPN_SELECT = _ALPN_SELECT_CALLBACK(_select_first_offered)


def _configure(client: _End, server: _End, setup: _Setup) -> None:
    lib = _lib()
    # A late request is decided late: the initial handshake asks for nothing.
    late = setup.request_at != "handshake"
    mode = _SSL_VERIFY_NONE if late else _verify_mode(setup.cert_request)
    lib.SSL_set_verify(server.ssl, mode, None)
    server_options = 0
    if not setup.resumption_on_renegotiation:
        server_options |= _SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION
    if setup.allow_client_renegotiation:
        server_options |= _SSL_OP_ALLOW_CLIENT_RENEGOTIATION
    lib.SSL_set_options(server.ssl, server_options)

    lib.SSL_set_verify(client.ssl, _SSL_VERIFY_PEER, None)
    if setup.post_handshake_auth:
        lib.SSL_set_post_handshake_auth(client.ssl, 1)
    if setup.renegotiation == "refuse":
        lib.SSL_set_options(client.ssl, _SSL_OP_NO_RENEGOTIATION)
    if setup.alpn is not None:
        wire = b"".join(bytes([len(p.encode())]) + p.encode() for p in setup.alpn)
        if lib.SSL_set_alpn_protos(client.ssl, wire, len(wire)) != 0:  # 0 means success
            raise RuntimeError("SSL_set_alpn_protos failed")


def run_real(setup: dict[str, object], timeout: float = 10.0) -> dict[str, object]:
    """Play a §2.3 setup with a real OpenSSL client and server; both transcripts, §2.3 shape.

    ``setup["stack"]`` is ignored: both ends are always the real library.  Raises
    ``ValueError`` for a setup OpenSSL cannot play, :class:`HarnessUnavailable` when the
    library cannot be used, ``TimeoutError`` when the exchange does not settle in ``timeout``
    seconds.
    """
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    parsed = _parse(setup)
    deadline = time.monotonic() + timeout
    lib = _lib()
    contexts = [_context(parsed, server=False), _context(parsed, server=True)]
    ends: list[_End] = []
    try:
        if parsed.alpn is not None:
            lib.SSL_CTX_set_alpn_select_cb(contexts[1], _ALPN_SELECT, None)
        client = _End(contexts[0], server=False)
        ends.append(client)
        server = _End(contexts[1], server=True)
        ends.append(server)
        _configure(client, server, parsed)
        wire = _Wire(client, server, timeout)
        try:
            _schedule(
                (client, server),
                (_client_programme(client, parsed), _server_programme(server, parsed)),
                wire,
                deadline,
            )
        finally:
            wire.close()
        for end in ends:
            if end.callback_failure is not None:
                raise RuntimeError("message callback failed") from end.callback_failure
            if end.unexpected_data:
                raise RuntimeError(f"unexpected application data {bytes(end.unexpected_data)!r}")
        return {
            "version": _VERSION_NAME.get(int(lib.SSL_version(client.ssl))),
            "server": {
                "messages": list(server.messages),
                "cert_obtained": server.error is None and _verified_peer(server),
                "error": server.error,
            },
            "client": {"messages": list(client.messages), "error": client.error},
        }
    finally:
        for end in ends:
            end.free()
        for ctx in contexts:
            lib.SSL_CTX_free(ctx)


def _verified_peer(end: _End) -> bool:
    lib = _lib()
    cert = lib.SSL_get1_peer_certificate(end.ssl)
    if not cert:
        return False
    lib.X509_free(cert)
    return int(lib.SSL_get_verify_result(end.ssl)) == _X509_V_OK
