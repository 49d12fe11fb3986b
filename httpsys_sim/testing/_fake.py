"""A fake HTTP.sys for unit tests of code that asks for client certificates.

:class:`FakeHttpSys` stands in for the one HTTP Server API call that matters here,
``HttpReceiveClientCertificate``, and answers it the way the simulation says Windows would
for a scenario: the certificate, ``ERROR_NOT_FOUND`` (1168), ``ERROR_NOT_SUPPORTED`` (50) or a
connection that is gone.  It also tells what the client finally receives
(:meth:`FakeHttpSys.response`) and what each client profile shows its user
(:meth:`FakeHttpSys.client_exception`), as exceptions built from the standard library only::

    from httpsys_sim.testing._fake import ERROR_NOT_SUPPORTED, HttpSysError, fake_http_sys

    http_sys = fake_http_sys(release="win11-24h2", client="edge")
    try:
        cert = http_sys.receive_client_certificate()
    except HttpSysError as exc:
        assert exc.winerror == ERROR_NOT_SUPPORTED      # R-REL-3: no late demand over TLS 1.3

Errors mirror what ``ctypes.WinError`` builds on Windows: an :class:`OSError` subclass with
``winerror`` (the Win32 code), ``errno`` (CPython's ``winerror_to_errno`` mapping) and
``strerror`` (the system message), and ``str()`` reading ``[WinError 50] The request is not
supported.``.  Pass ``raise_on_error=False`` to get the status code instead, as the C API
returns it.

Which rule drives which answer of ``receive_client_certificate()`` (each answer carries its
``rule`` and ``confidence``):

* :class:`ClientCertificate` — the certificate was asked for in the handshake (R-REQ-1) or
  renegotiated over TLS 1.2 (R-REQ-2.tls12-reneg) and the client had one; ``cert_flags``
  is set when it is untrusted, expired or revoked (R-IIS-5).
* ``ERROR_NOT_FOUND`` (1168) — the client had none and sent an empty Certificate (R-TLS-3),
  or TLS 1.3 before 24H2 with ``post_handshake_auth`` offered (R-REQ-2.tls13-pha).
* ``ERROR_NOT_SUPPORTED`` (50) — a late demand over TLS 1.3 on Windows 11 24H2 / 25H2 or
  Server 2025 (R-REL-3, R-REL-4); IIS then answers 500.0 0x80070032.
* :class:`HttpSysConnectionReset` (``WSAECONNRESET`` 10054) — a late demand over TLS 1.3
  before 24H2 (R-REQ-2.tls13-reset), or a TLS 1.2 renegotiation refused, ignored or blocked
  (R-REQ-2.tls12-*, R-CLI-2).  The reset is documented; the code the call returns is ours
  (``inferred``).
* :class:`HttpSysStreamReset` (``ERROR_CONNECTION_ABORTED`` 1236, ``inferred``) — a late
  demand on HTTP/2 and a client that does not retry on HTTP/1.1 (R-REQ-2.h2).
* :class:`RequestNotDelivered` — no code ran that could make the call: the handshake failed,
  the binding rejects connections, or IIS answered first (403.4 over plain HTTP, 413).

Calling ``HttpReceiveClientCertificate`` *is* the late demand (R-REQ-2, S15): when the
scenario's path does not ask for a certificate (``sslFlags`` without ``SslNegotiateCert``),
the fake simulates the scenario with ``SslNegotiateCert`` added, as though the code under
test made the call itself (as ASP.NET Core's HTTP.sys server does with
``ClientCertificateMethod.AllowRenegotation``, R-REQ-3).  :attr:`FakeHttpSys.scenario` is that
effective scenario; everything the fake says comes from one simulation of it.

Library code: no I/O, no clocks, no randomness; only the call log changes state.
"""

from __future__ import annotations

import errno as _errno
import http.client
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeAlias, overload

import attrs

from httpsys_sim.catalogue._rules import Confidence, get_rule
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._result import (
    ConnectionRecord,
    ConnectionReset,
    Http2Error,
    HttpResponse,
    NoCommonProtocol,
    Outcome,
    OutcomeKind,
    Result,
    Timeout,
    TlsAlert,
)
from httpsys_sim.errors import InputError
from httpsys_sim.tls import CertRequestedHow, CertState
from httpsys_sim.windows._hosts import APP_HOSTS, AppObservation, AppValue, ClientCertificateMethod
from httpsys_sim.windows._iis import AccessSslFlag, CertPolicy, Host, cert_policy

if TYPE_CHECKING:
    from httpsys_sim.core._scenario import Scenario

__all__ = [
    "CERT_E_EXPIRED",
    "CERT_E_UNTRUSTEDROOT",
    "CHROMIUM_NET_ERRORS",
    "CRYPT_E_REVOKED",
    "ERROR_CONNECTION_ABORTED",
    "ERROR_CONNECTION_INVALID",
    "ERROR_NOT_FOUND",
    "ERROR_NOT_SUPPORTED",
    "NO_ERROR",
    "WIN32_MESSAGES",
    "WSAECONNRESET",
    "AppCertificateError",
    "BrowserError",
    "ChromiumNetError",
    "ClientCertificate",
    "ClientError",
    "CurlError",
    "FakeHttpSys",
    "FakeHttpSysFactory",
    "HttpSysApi",
    "HttpSysConnectionReset",
    "HttpSysError",
    "HttpSysStreamReset",
    "ReceiveResult",
    "RequestNotDelivered",
    "RequestsConnectionError",
    "RequestsError",
    "RequestsReadTimeout",
    "RequestsSSLError",
    "Urllib3ProtocolError",
    "fake_http_sys",
]

# --------------------------------------------------------------------------------------------
# Win32 codes
# --------------------------------------------------------------------------------------------

#: The call succeeded.
NO_ERROR: Final = 0
#: ``ERROR_NOT_SUPPORTED``: the late demand over TLS 1.3 on 24H2 / Server 2025 (R-REL-3).
ERROR_NOT_SUPPORTED: Final = 50
#: ``ERROR_NOT_FOUND``: no client certificate on the connection (S15's ClientCertLoader).
ERROR_NOT_FOUND: Final = 1168
#: ``ERROR_CONNECTION_INVALID``: the connection is already gone (``inferred``).
ERROR_CONNECTION_INVALID: Final = 1229
#: ``ERROR_CONNECTION_ABORTED``: http.sys reset the request's HTTP/2 stream (``inferred``).
ERROR_CONNECTION_ABORTED: Final = 1236
#: ``WSAECONNRESET``: http.sys cut the TCP connection (``inferred`` code, R-REQ-2.tls13-reset).
WSAECONNRESET: Final = 10054

#: ``HTTP_SSL_CLIENT_CERT_INFO.CertFlags`` for an untrusted root (403.16, R-IIS-5).
CERT_E_UNTRUSTEDROOT: Final = 0x800B0109
#: ``CertFlags`` for an expired certificate (403.17).
CERT_E_EXPIRED: Final = 0x800B0101
#: ``CertFlags`` for a revoked certificate (403.13).
CRYPT_E_REVOKED: Final = 0x80092010

#: The system message of each code (what ``FormatMessage`` / ``ctypes.WinError`` print).
WIN32_MESSAGES: Final = MappingProxyType(
    {
        NO_ERROR: "The operation completed successfully.",
        ERROR_NOT_SUPPORTED: "The request is not supported.",
        ERROR_NOT_FOUND: "Element not found.",
        ERROR_CONNECTION_INVALID: "An operation was attempted on a nonexistent network connection.",
        ERROR_CONNECTION_ABORTED: "The network connection was aborted by the local system.",
        WSAECONNRESET: "An existing connection was forcibly closed by the remote host.",
    }
)

_CERT_FLAGS: Final = MappingProxyType(
    {
        CertState.VALID: 0,
        CertState.UNTRUSTED: CERT_E_UNTRUSTEDROOT,
        CertState.EXPIRED: CERT_E_EXPIRED,
        CertState.REVOKED: CRYPT_E_REVOKED,
    }
)


def _errno_of(winerror: int) -> int:
    """``errno`` as CPython's ``winerror_to_errno`` (PC/errmap.h) sets it on Windows.

    Winsock codes pass through (``errno.ECONNRESET`` is 10054 on Windows); here the host's
    ``ECONNRESET`` is used so ``exc.errno == errno.ECONNRESET`` holds on every platform.  The
    HTTP Server API codes the fake raises are not in CPython's table: ``EINVAL``.
    """
    if winerror == WSAECONNRESET:
        return _errno.ECONNRESET
    return _errno.EINVAL


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ClientCertificate:
    """What ``HttpReceiveClientCertificate`` fills in (``HTTP_SSL_CLIENT_CERT_INFO``).

    The fake has no real certificate: :attr:`state` is the certificate the scenario's client
    holds; :attr:`cert_flags` is what Schannel's chain check reports to the caller (0 when it
    found no problem).
    """

    #: The client's certificate as the scenario describes it.
    state: CertState
    #: ``CertFlags``: 0, :data:`CERT_E_UNTRUSTEDROOT`, :data:`CERT_E_EXPIRED` or
    #: :data:`CRYPT_E_REVOKED` (0 for a revoked certificate when the binding does not check
    #: revocation, ``verifyclientcertrevocation=disable``).
    cert_flags: int
    #: How it reached http.sys: in the initial handshake or in a TLS 1.2 renegotiation.
    negotiated: CertRequestedHow
    #: TLS version of the connection (``"1.2"``, ``"1.3"``).
    tls_version: str | None
    #: ``CertDeniedByMapper``: always False (the DS mapper is not modelled).
    cert_denied_by_mapper: bool = False

    @property
    def valid(self) -> bool:
        """Schannel found nothing wrong with it (``cert_flags == 0``)."""
        return self.cert_flags == 0


@attrs.frozen(kw_only=True)
class ReceiveResult:
    """One ``HttpReceiveClientCertificate`` call: the status it returns and what it filled in."""

    #: The Win32 status the call returns (:data:`NO_ERROR` on success).
    status: int
    #: The certificate, when :attr:`status` is :data:`NO_ERROR`.
    certificate: ClientCertificate | None
    #: The rule that decides this answer.
    rule: str
    #: How sure the model is of this answer (``inferred`` where the Win32 code is our choice).
    confidence: Confidence
    #: Index of the connection (into :attr:`Result.connections`) the call was made on.
    connection: int
    #: One line for people.
    detail: str

    @property
    def ok(self) -> bool:
        """The call returned a certificate."""
        return self.status == NO_ERROR

    @property
    def message(self) -> str:
        """The system message of :attr:`status`."""
        return WIN32_MESSAGES.get(self.status, f"Win32 error {self.status}")


# --------------------------------------------------------------------------------------------
# Server-side errors (what the code calling HTTP.sys sees)
# --------------------------------------------------------------------------------------------


class HttpSysError(OSError):
    """A failed ``HttpReceiveClientCertificate`` call, shaped like ``ctypes.WinError(code)``.

    ``winerror`` is the Win32 code, ``errno`` CPython's mapping of it, ``strerror`` the system
    message; ``rule``/``confidence`` say which rule of the model decided it and
    :meth:`explain` gives the simulator's causal chain.
    """

    winerror: int
    rule: str
    confidence: Confidence

    def __init__(
        self,
        winerror: int,
        *,
        rule: str,
        confidence: Confidence = Confidence.DOCUMENTED,
        detail: str = "",
        explanation: str = "",
    ) -> None:
        super().__init__(_errno_of(winerror), WIN32_MESSAGES.get(winerror, f"error {winerror}"))
        self.winerror = winerror
        self.rule = rule
        self.confidence = confidence
        self.detail = detail
        self.explanation = explanation

    def __str__(self) -> str:
        return f"[WinError {self.winerror}] {self.strerror}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(winerror={self.winerror}, rule={self.rule!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (type(self), self.winerror, self.rule, self.confidence, self.detail, self.explanation),
        )

    def explain(self) -> str:
        """Why: the detail line and the simulation's causal chain."""
        return f"{self.detail}\n{self.explanation}".strip()


def _rebuild(
    cls: type[HttpSysError],
    winerror: int,
    rule: str,
    confidence: Confidence,
    detail: str,
    explanation: str,
) -> HttpSysError:
    return cls(winerror, rule=rule, confidence=confidence, detail=detail, explanation=explanation)


class HttpSysConnectionReset(HttpSysError, ConnectionResetError):
    """http.sys cut the TCP connection (or the client closed it) during the late demand.

    A :class:`ConnectionResetError` too, with ``winerror`` :data:`WSAECONNRESET` (10054):
    the reset is ``documented`` (R-REQ-2.tls13-reset, S1); which code the API call returns is
    not, so that part is ``inferred`` (alternatives: ``ERROR_CONNECTION_ABORTED`` 1236,
    ``ERROR_NETNAME_DELETED`` 64).
    """


class HttpSysStreamReset(HttpSysError):
    """http.sys reset the request's HTTP/2 stream with ``HTTP_1_1_REQUIRED`` (R-REQ-2.h2).

    ``winerror`` :data:`ERROR_CONNECTION_ABORTED` (1236) is our choice (``inferred``): no
    source says what the call returns when the stream goes.
    """


class RequestNotDelivered(RuntimeError):
    """The request never reached code that could call ``HttpReceiveClientCertificate``.

    Not an API result but a test-setup problem: the handshake failed, the binding rejects
    connections, or IIS answered first (403.4 over plain HTTP, 413 for a large body).
    ``outcome`` is what the client got instead.
    """

    def __init__(self, outcome: Outcome, explanation: str) -> None:
        super().__init__(
            f"the request never reached the application: {outcome.describe()} "
            f"[{outcome.rule}]\n{explanation}"
        )
        self.outcome = outcome
        self.explanation = explanation


# --------------------------------------------------------------------------------------------
# Client-side errors (what the user of each client sees)
# --------------------------------------------------------------------------------------------

_QUALIFIED = re.compile(r"^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+):\s")


class AppCertificateError(Exception):
    """``GetClientCertificateAsync`` threw (Kestrel's delayed negotiation, R-KESTREL-5 …):
    ``str()`` names the .NET exception type and why."""

    def __init__(self, text: str, *, rule: str) -> None:
        super().__init__(text)
        #: The rule that says so.
        self.rule = rule

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_app_error, (str(self), self.rule))


def _rebuild_app_error(text: str, rule: str) -> AppCertificateError:
    return AppCertificateError(text, rule=rule)


class ClientError(Exception):
    """What a client shows for a request that got no HTTP answer (R-CLI-5).

    ``str(exc)`` is the text the client profile shows (``ERR_CONNECTION_RESET``, curl's
    message, a Java exception line, …).  ``exception_type`` is the qualified exception
    class named at the start of that text, if any (``java.net.SocketException``).
    """

    def __init__(self, display: str, *, profile: str, kind: OutcomeKind, rule: str) -> None:
        super().__init__(display)
        #: The full text the client shows.
        self.display = display
        #: The client profile id.
        self.profile = profile
        #: The outcome kind behind it (``connection_reset``, ``tls_alert``, …).
        self.kind = kind
        #: The rule that decided the outcome.
        self.rule = rule
        match = _QUALIFIED.match(display)
        #: The qualified exception class the text starts with, if any.
        self.exception_type: str | None = match.group(1) if match else None

    def __str__(self) -> str:
        return self.display

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_client, (type(self), self.display, self.profile, self.kind, self.rule))


def _rebuild_client(
    cls: type[ClientError], display: str, profile: str, kind: OutcomeKind, rule: str
) -> ClientError:
    return cls(display, profile=profile, kind=kind, rule=rule)


class BrowserError(ClientError):
    """A browser's error page (Firefox, Safari; Chromium has :class:`ChromiumNetError`)."""


#: Chromium ``net::Error`` codes of the names the client profiles use
#: (``net/base/net_error_list.h``).
CHROMIUM_NET_ERRORS: Final = MappingProxyType(
    {
        "ERR_TIMED_OUT": -7,
        "ERR_CONNECTION_RESET": -101,
        "ERR_SSL_PROTOCOL_ERROR": -107,
        "ERR_SSL_VERSION_OR_CIPHER_MISMATCH": -113,
        "ERR_HTTP_1_1_REQUIRED": -365,
    }
)


class ChromiumNetError(BrowserError):
    """Chrome / Edge: a ``net::ERR_…`` error page; ``net_error`` and its numeric ``code``."""

    def __init__(self, display: str, *, profile: str, kind: OutcomeKind, rule: str) -> None:
        super().__init__(display, profile=profile, kind=kind, rule=rule)
        match = re.match(r"ERR_[A-Z0-9_]+", display)
        #: The ``ERR_…`` name.
        self.net_error: str | None = match.group(0) if match else None
        #: Its ``net::Error`` value (``-101`` for ``ERR_CONNECTION_RESET``), when known.
        self.code: int | None = CHROMIUM_NET_ERRORS.get(self.net_error or "")


class CurlError(ClientError):
    """curl's ``curl: (N) message`` line; ``exit_code`` is N (56: receive failure)."""

    def __init__(self, display: str, *, profile: str, kind: OutcomeKind, rule: str) -> None:
        super().__init__(display, profile=profile, kind=kind, rule=rule)
        match = re.match(r"curl: \((\d+)\)", display)
        #: curl's exit status.
        self.exit_code: int | None = int(match.group(1)) if match else None


class Urllib3ProtocolError(Exception):
    """Stands in for ``urllib3.exceptions.ProtocolError`` (same ``args`` and ``str()``)."""


class RequestsError(ClientError, OSError):
    """Stands in for ``requests.exceptions.RequestException`` (an :class:`OSError`).

    Built from the standard library only; ``str()`` is what ``str()`` of the real exception
    gives, :attr:`display` the ``requests.exceptions.Name: …`` line a traceback ends with.
    """

    #: The class it stands for.
    requests_name = "requests.exceptions.RequestException"

    def __init__(
        self,
        display: str,
        *,
        profile: str,
        kind: OutcomeKind,
        rule: str,
        arg: object = None,
    ) -> None:
        super().__init__(display, profile=profile, kind=kind, rule=rule)
        prefix = f"{self.requests_name}:"
        text = display[len(prefix) :].strip() if display.startswith(prefix) else ""
        self.args = (arg,) if arg is not None else ((text,) if text else ())

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RequestsConnectionError(RequestsError):
    """Stands in for ``requests.exceptions.ConnectionError``.

    For a reset its only argument is a :class:`Urllib3ProtocolError`
    ``('Connection aborted.', RemoteDisconnected('Remote end closed connection without
    response'))`` whose cause is that :class:`http.client.RemoteDisconnected` (a
    :class:`ConnectionResetError`) — as requests raises it when the server resets a TLS
    connection (CPython's ssl reads the reset as an end of file; docs/reference/clients.md).
    """

    requests_name = "requests.exceptions.ConnectionError"


class RequestsSSLError(RequestsConnectionError):
    """Stands in for ``requests.exceptions.SSLError`` (a ConnectionError in requests)."""

    requests_name = "requests.exceptions.SSLError"


class RequestsReadTimeout(RequestsError):
    """Stands in for ``requests.exceptions.ReadTimeout``."""

    requests_name = "requests.exceptions.ReadTimeout"


def _requests_error(display: str, kind: OutcomeKind, rule: str) -> RequestsError:
    profile = "python-requests"
    if kind is OutcomeKind.CONNECTION_RESET:
        reset = http.client.RemoteDisconnected("Remote end closed connection without response")
        inner = Urllib3ProtocolError("Connection aborted.", reset)
        inner.__cause__ = reset
        error: RequestsError = RequestsConnectionError(
            display, profile=profile, kind=kind, rule=rule, arg=inner
        )
        error.__cause__ = inner
        return error
    for cls in (RequestsSSLError, RequestsConnectionError, RequestsReadTimeout):
        if display.startswith(cls.requests_name):
            return cls(display, profile=profile, kind=kind, rule=rule)
    return RequestsError(display, profile=profile, kind=kind, rule=rule)


def _client_error(profile: str, outcome: Outcome) -> ClientError | None:
    from httpsys_sim.catalogue._clients import get_client

    if isinstance(outcome, HttpResponse):
        return None
    client = get_client(profile)
    display = outcome.client_error
    if display is None:  # every engine outcome carries one; keep a readable fallback
        display = {
            OutcomeKind.CONNECTION_RESET: client.error_reset.value,
            OutcomeKind.TIMEOUT: client.error_timeout.value,
        }.get(outcome.kind, outcome.describe())
    kind, rule = outcome.kind, outcome.rule
    if profile == "python-requests":
        return _requests_error(display, kind, rule)
    if profile == "curl":
        return CurlError(display, profile=profile, kind=kind, rule=rule)
    if client.stack == "boringssl":
        return ChromiumNetError(display, profile=profile, kind=kind, rule=rule)
    if client.stack in ("nss", "securetransport"):
        return BrowserError(display, profile=profile, kind=kind, rule=rule)
    return ClientError(display, profile=profile, kind=kind, rule=rule)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class HttpSysApi(Protocol):
    """What application code needs from HTTP.sys here; type your code against this."""

    def receive_client_certificate(self) -> ClientCertificate:
        """``HttpReceiveClientCertificate`` for the current request; raises on failure."""
        ...


_LATE_RESETS: Final = frozenset(
    {
        "R-REQ-2.tls13-reset",
        "R-REQ-2.tls12-refused",
        "R-REQ-2.tls12-ignored",
        "R-REQ-2.tls12-schannel-blocked",
        "R-CLI-2",
    }
)


def _calling_scenario(scenario: Scenario) -> Scenario:
    """The scenario in which somebody calls ``HttpReceiveClientCertificate``."""
    host = scenario.server.host
    if host is Host.KESTREL:
        return scenario  # no http.sys: receive_client_certificate() refuses
    if host is Host.ASPNETCORE_HTTPSYS:
        # The HTTP.sys server makes the call only with AllowRenegotation (R-HTTPSYS-4).
        server = attrs.evolve(
            scenario.server, client_certificate_method=ClientCertificateMethod.ALLOW_RENEGOTATION
        )
        return attrs.evolve(scenario, server=server)
    flags = scenario.server.access_ssl_flags
    if cert_policy(flags) in (CertPolicy.IGNORE, CertPolicy.REQUIRE_ONLY):
        flags |= AccessSslFlag.SSL_NEGOTIATE_CERT
        server = attrs.evolve(scenario.server, access_ssl_flags=flags)
        return attrs.evolve(scenario, server=server)
    return scenario


def _delivered(result: Result, index: int) -> bool:
    """Did the request itself travel on connection ``index`` (an HTTP step on it)?"""
    return any(s.layer == "http" and s.connection == index for s in result.steps)


def _first_answer(result: Result) -> ReceiveResult | RequestNotDelivered:
    """What the first ``HttpReceiveClientCertificate`` call on the final connection returns."""
    o = result.outcome
    last = len(result.connections) - 1
    explanation = result.explain()
    if last < 0 or not _delivered(result, last) or isinstance(o, NoCommonProtocol):
        return RequestNotDelivered(o, explanation)
    conn = result.connections[last]
    scenario = result.scenario

    def answer(status: int, rule: str, confidence: Confidence, detail: str) -> ReceiveResult:
        return ReceiveResult(
            status=status,
            certificate=None,
            rule=rule,
            confidence=confidence,
            connection=last,
            detail=detail,
        )

    if isinstance(o, HttpResponse):
        if any(s.rule == "R-HTTPSYS-5" for s in result.steps):
            release = scenario.server.release
            return answer(
                ERROR_NOT_SUPPORTED,
                release.late_demand_rule,
                o.confidence,
                f"{release.product}: no late certificate demand over TLS 1.3 — the call fails "
                "with ERROR_NOT_SUPPORTED; the HTTP.sys server gives the app null (R-HTTPSYS-5)",
            )
        if (
            o.rule == "R-HTTPSYS-4"
            and conn.alpn in ("h2", "h3")
            and conn.cert_requested is (CertRequestedHow.NONE)
        ):
            return answer(
                ERROR_NOT_FOUND,
                "R-HTTPSYS-4",
                o.confidence,
                "HTTP/2: the HTTP.sys server does not ask; the app gets null",
            )
        if o.rule == "R-REQ-2.tls13-not-supported":
            release = scenario.server.release
            rule = release.late_demand_rule
            return answer(
                ERROR_NOT_SUPPORTED,
                rule,
                o.confidence,
                f"{release.product}: no late certificate demand over TLS 1.3 — the call fails "
                "with ERROR_NOT_SUPPORTED; IIS answers 500.0 0x80070032",
            )
        if o.rule == "R-REQ-2.tls12-body" or (o.status, o.substatus) == (403, 4):
            return RequestNotDelivered(o, explanation)
        if conn.tls_version is None:
            return answer(
                ERROR_NOT_FOUND,
                "R-PIPE-1",
                Confidence.INFERRED,
                "plain HTTP: no TLS, so no client certificate",
            )
        how = conn.cert_requested
        cert = scenario.client.certificate
        if how is not CertRequestedHow.NONE and cert is not CertState.NONE:
            flags = _CERT_FLAGS[cert]
            if (
                cert is CertState.REVOKED
                and not scenario.server.binding.verify_client_cert_revocation
            ):
                flags = 0
            rule = "R-REQ-1" if how is CertRequestedHow.HANDSHAKE else "R-REQ-2.tls12-reneg"
            where = (
                "in the initial handshake"
                if how is CertRequestedHow.HANDSHAKE
                else f"by {how.value}"
            )
            return ReceiveResult(
                status=NO_ERROR,
                certificate=ClientCertificate(
                    state=cert, cert_flags=flags, negotiated=how, tls_version=conn.tls_version
                ),
                rule=rule,
                confidence=o.confidence,
                connection=last,
                detail=f"the client's {cert.value} certificate came {where}",
            )
        pha = any(s.rule == "R-REQ-2.tls13-pha" for s in result.steps)
        if pha:
            return answer(
                ERROR_NOT_FOUND,
                "R-REQ-2.tls13-pha",
                o.confidence,
                "TLS 1.3 before 24H2, the client offered post_handshake_auth: no certificate "
                "reaches IIS",
            )
        return answer(
            ERROR_NOT_FOUND,
            "R-TLS-3",
            o.confidence,
            "the client had no certificate and sent an empty Certificate message",
        )
    if isinstance(o, Http2Error):
        return answer(
            ERROR_CONNECTION_ABORTED,
            "R-REQ-2.h2",
            Confidence.INFERRED,
            "HTTP/2: http.sys reset the stream with HTTP_1_1_REQUIRED and the client did not retry",
        )
    if isinstance(o, (ConnectionReset, Timeout, TlsAlert)):
        if isinstance(o, TlsAlert) and o.rule not in _LATE_RESETS:
            return RequestNotDelivered(o, explanation)
        return answer(
            WSAECONNRESET,
            o.rule,
            Confidence.INFERRED,
            f"the connection is gone ({o.describe()})",
        )
    return RequestNotDelivered(o, explanation)  # pragma: no cover - every kind handled above


def _earlier(result: Result) -> tuple[ReceiveResult, ...]:
    answers = []
    for conn in result.connections[:-1]:
        if conn.end.startswith("http2_error"):
            rule, what = "R-REQ-2.h2", "HTTP/2 stream reset with HTTP_1_1_REQUIRED"
        elif conn.end.startswith("h3_error"):
            rule, what = "R-REQ-2.h3", "HTTP/3 stream refused with H3_VERSION_FALLBACK"
        else:  # pragma: no cover - the engine retries only after these two
            continue
        answers.append(
            ReceiveResult(
                status=ERROR_CONNECTION_ABORTED,
                certificate=None,
                rule=rule,
                confidence=Confidence.INFERRED,
                connection=conn.index,
                detail=f"{what}; the client retried on a new connection",
            )
        )
    return tuple(answers)


class FakeHttpSys:
    """HTTP.sys for one request of one scenario, as the simulation says it behaves.

    Build it from a :class:`~httpsys_sim.core._scenario.Scenario` (or with :func:`fake_http_sys`).
    It is a test double: it records every :meth:`receive_client_certificate` call in
    :attr:`calls`; nothing else changes.
    """

    def __init__(self, scenario: Scenario) -> None:
        #: The scenario as given.
        self.configured = scenario
        #: The scenario the fake answers for (``SslNegotiateCert`` added when the path lacks
        #: it, see the module docstring).
        self.scenario = _calling_scenario(scenario)
        #: The simulation everything here comes from.
        self.result = simulate(self.scenario)
        self._first = _first_answer(self.result)
        self._calls: list[ReceiveResult] = []
        #: ASP.NET Core hosts: the simulation of the scenario as configured, which the
        #: application-level :meth:`get_client_certificate` answers from.
        self.app_result = simulate(scenario) if scenario.server.host in APP_HOSTS else self.result

    def __repr__(self) -> str:
        return f"FakeHttpSys({self.scenario.describe()!r})"

    # --- HttpReceiveClientCertificate ---------------------------------------------------
    @property
    def calls(self) -> tuple[ReceiveResult, ...]:
        """Every :meth:`receive_client_certificate` call so far, in order."""
        return tuple(self._calls)

    @property
    def expected(self) -> ReceiveResult:
        """What the first call returns, without making it (raises :class:`RequestNotDelivered`
        when no call can be made)."""
        if isinstance(self._first, RequestNotDelivered):
            raise self._first
        return self._first

    @property
    def earlier_attempts(self) -> tuple[ReceiveResult, ...]:
        """Calls made for the same request on earlier connections the client gave up
        (HTTP/2 → HTTP/1.1 retries, R-REQ-2.h2; HTTP/3 → TCP, R-REQ-2.h3)."""
        return _earlier(self.result)

    def _next(self) -> ReceiveResult:
        first = self.expected
        if not self._calls:
            return first
        previous = self._calls[-1]
        if previous.status in (WSAECONNRESET, ERROR_CONNECTION_ABORTED, ERROR_CONNECTION_INVALID):
            return attrs.evolve(
                previous,
                status=ERROR_CONNECTION_INVALID,
                confidence=Confidence.INFERRED,
                detail="called again after " + first.detail,
            )
        if previous.ok:
            return attrs.evolve(
                previous,
                rule="R-REQ-2.cert-present",
                confidence=get_rule("R-REQ-2.cert-present").confidence,
                detail="the certificate is already on the connection: returned at once",
            )
        return previous

    @overload
    def receive_client_certificate(
        self, *, raise_on_error: Literal[True] = True
    ) -> ClientCertificate: ...

    @overload
    def receive_client_certificate(self, *, raise_on_error: Literal[False]) -> ReceiveResult: ...

    @overload
    def receive_client_certificate(
        self, *, raise_on_error: bool
    ) -> ClientCertificate | ReceiveResult: ...

    def receive_client_certificate(
        self, *, raise_on_error: bool = True
    ) -> ClientCertificate | ReceiveResult:
        """``HttpReceiveClientCertificate`` for this request (see the module's table).

        Returns the :class:`ClientCertificate`, or raises :class:`HttpSysError` —
        :class:`HttpSysConnectionReset` / :class:`HttpSysStreamReset` when the connection
        or stream is gone.  With ``raise_on_error=False`` returns the :class:`ReceiveResult`
        (``.status`` is the Win32 code, ``.certificate`` the certificate on success).

        Later calls: the same certificate again (R-REQ-2.cert-present), the same error again,
        or ``ERROR_CONNECTION_INVALID`` (1229, ``inferred``) once the connection is gone.
        :class:`RequestNotDelivered` is raised in both modes when no call can be made.
        """
        if self.scenario.server.host is Host.KESTREL:
            raise InputError(
                "Kestrel has no http.sys: nothing calls HttpReceiveClientCertificate",
                field="host",
                hint="use get_client_certificate() for what the Kestrel app observes",
            )
        answer = self._next()
        self._calls.append(answer)
        if not raise_on_error:
            return answer
        if answer.certificate is not None:
            return answer.certificate
        raise self._error(answer)

    def _error(self, answer: ReceiveResult) -> HttpSysError:
        cls: type[HttpSysError] = HttpSysError
        if answer.status == WSAECONNRESET:
            cls = HttpSysConnectionReset
        elif answer.status == ERROR_CONNECTION_ABORTED:
            cls = HttpSysStreamReset
        return cls(
            answer.status,
            rule=answer.rule,
            confidence=answer.confidence,
            detail=answer.detail,
            explanation=self.result.explain(),
        )

    # --- what an ASP.NET Core application gets ---------------------------------------------
    @property
    def app_observed(self) -> AppObservation | None:
        """What the ASP.NET Core application observes (None for IIS and IIS Express)."""
        return self.app_result.app_observed

    def get_client_certificate(self) -> ClientCertificate | None:
        """``HttpContext.Connection.GetClientCertificateAsync()`` as the host answers it
        (docs/concepts.md#hosts): the certificate, ``None``, or the exception —
        :class:`AppCertificateError` when the call throws, :class:`HttpSysConnectionReset`
        when the connection died under it, :class:`RequestNotDelivered` when the request never
        reached the application.  IIS and IIS Express have no such API: ``InputError``."""
        observed = self.app_observed
        if observed is None:
            raise InputError(
                f"host {self.configured.server.host.value!r} runs no ASP.NET Core application",
                field="host",
                hint="aspnetcore-httpsys, aspnetcore-iis-inprocess, "
                "aspnetcore-iis-outofprocess or kestrel",
            )
        result = self.app_result
        if observed.value is AppValue.CERTIFICATE and observed.certificate is not None:
            conn = result.connections[-1]
            return ClientCertificate(
                state=observed.certificate,
                cert_flags=_CERT_FLAGS.get(observed.certificate, 0),
                negotiated=conn.cert_requested,
                tls_version=conn.tls_version,
            )
        if observed.value is AppValue.NULL:
            return None
        if observed.value is AppValue.EXCEPTION:
            raise AppCertificateError(observed.exception or "", rule=observed.rule)
        if observed.value is AppValue.CONNECTION_GONE:
            raise HttpSysConnectionReset(
                WSAECONNRESET,
                rule=observed.rule,
                confidence=result.outcome.confidence,
                detail="the connection died while the app waited for the certificate",
                explanation=result.explain(),
            )
        raise RequestNotDelivered(result.outcome, result.explain())

    # --- what the client gets -------------------------------------------------------------
    def response(self) -> Outcome:
        """What the client finally receives when IIS makes the call and answers: an
        :class:`~httpsys_sim.core._result.HttpResponse` (200, 403.x, 500.0 …) or the failure
        (:class:`~httpsys_sim.core._result.ConnectionReset`, …).  Decided by
        ``response().rule``; the causal chain is :meth:`explain`."""
        return self.result.outcome

    @property
    def connection(self) -> ConnectionRecord:
        """The final connection: TLS version, ALPN, how the certificate was asked for."""
        return self.result.connections[-1]

    def client_exception(self) -> ClientError | None:
        """What the client profile surfaces when no HTTP answer came (None when one did).

        Built from the outcome's ``client_error`` (the profile's ``error_reset``,
        ``error_alert``, ``error_http2`` or ``error_timeout`` text, R-CLI-5):
        python-requests → :class:`RequestsConnectionError` wrapping
        ``RemoteDisconnected('Remote end closed connection without response')`` (or
        :class:`RequestsSSLError`, :class:`RequestsReadTimeout`); Chrome / Edge →
        :class:`ChromiumNetError` (``ERR_CONNECTION_RESET``, ``code`` -101); curl →
        :class:`CurlError` (``exit_code`` 56 on a reset); Firefox / Safari →
        :class:`BrowserError`; Go, Java, .NET, rustls → :class:`ClientError` with the
        stack's text (``exception_type`` such as ``java.net.SocketException``).
        """
        return _client_error(self.scenario.client.profile, self.result.outcome)

    def raise_client_error(self) -> None:
        """Raise :meth:`client_exception`, if there is one."""
        error = self.client_exception()
        if error is not None:
            raise error

    def client_message(self) -> str:
        """One line: what the client shows (the error text, or the HTTP status line)."""
        error = self.client_exception()
        return str(error.display) if error is not None else self.result.outcome.describe()

    def explain(self) -> str:
        """The simulation's causal chain (rule ids and sources)."""
        return self.result.explain()


#: A callable that builds a scenario from keywords and wraps it in a :class:`FakeHttpSys`
#: (:func:`fake_http_sys`; the ``httpsys_fake`` fixture).
FakeHttpSysFactory: TypeAlias = Callable[..., FakeHttpSys]


def fake_http_sys(
    base: Scenario | Mapping[str, Any] | str | None = None, /, **keywords: Any
) -> FakeHttpSys:
    """A :class:`FakeHttpSys` for a scenario built by
    :func:`httpsys_sim.testing._assertions.build_scenario` (same keywords: ``release``, ``client``,
    ``certificate``, ``access_ssl_flags``, ``client_cert_negotiation``, binding switches, …)."""
    from httpsys_sim.testing._assertions import build_scenario

    return FakeHttpSys(build_scenario(base, **keywords))
