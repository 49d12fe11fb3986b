"""The ASP.NET Core hosts' part of the pipeline: who asks for the certificate, and what the
application observes (``app_observed``).

The engine (:mod:`httpsys_sim.core._engine`) calls into this module from a few delimited
branches: the configuration steps, the handshake set-up, the request once it arrived, and the
result.  IIS-decided hosts (IIS, IIS Express) never come here; the ASP.NET Core Module hosts
only at the end, to say what the application got from IIS.  The host data (settings, the
SslStream personality, :class:`~httpsys_sim.windows._hosts.AppObservation`) lives in
:mod:`httpsys_sim.windows._hosts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from httpsys_sim.core._exchange import ASKED_USER_END
from httpsys_sim.core._result import (
    ConnectionReset,
    HttpResponse,
    IisLogLine,
    Outcome,
    OutcomeKind,
    Timeout,
    TlsAlert,
)
from httpsys_sim.tls import (
    SCHANNEL,
    CertRequest,
    CertRequestedHow,
    CertState,
    HandshakeRefused,
    Personality,
    State,
    TlsVersion,
)
from httpsys_sim.windows._hosts import (
    ANCM_HOSTS,
    SSLSTREAM,
    AppObservation,
    AppValue,
    ClientCertificateMethod,
    ClientCertificateMode,
)
from httpsys_sim.windows._iis import AccessSslFlag, CertPolicy, Host

if TYPE_CHECKING:
    from httpsys_sim.core._engine import _Notes, _Retry, _Run
    from httpsys_sim.core._exchange import Exchange, Phase
    from httpsys_sim.core._scenario import Request, ServerSetup

__all__ = [
    "DIRECT_HOSTS",
    "ancm_observation",
    "config_steps",
    "deliver",
    "demands_late",
    "handshake_setup",
    "kestrel_handshake_check",
    "request_arrived",
]

#: Hosts where no IIS stands between http.sys / SslStream and the application.
DIRECT_HOSTS = frozenset({Host.ASPNETCORE_HTTPSYS, Host.KESTREL})

_API = "HttpContext.Connection.GetClientCertificateAsync()"
_Answer = tuple[Outcome, IisLogLine | None, bool]


# --- configuration ------------------------------------------------------------------------
def config_steps(notes: _Notes, s: ServerSetup) -> None:
    """The host's own configuration step(s)."""
    if s.host is Host.ASPNETCORE_HTTPSYS:
        notes.step(
            "config",
            "HTTP.sys server",
            "ASP.NET Core's HTTP.sys server (no IIS): "
            f"ClientCertificateMethod={s.certificate_method.value}",
            "R-HTTPSYS-1",
        )
    elif s.host is Host.KESTREL:
        notes.step(
            "config",
            "Kestrel",
            "Kestrel on Windows: TLS by .NET's SslStream over Schannel, no http.sys binding "
            f"and no IIS; ClientCertificateMode={s.certificate_mode.value}",
            "R-KESTREL-1",
        )
    elif s.host is Host.ASPNETCORE_IIS_INPROCESS:
        notes.step(
            "config",
            "ASP.NET Core Module",
            "ASP.NET Core runs in-process in IIS: IIS's sslFlags decide, the app reads the "
            "certificate IIS received",
            "R-ANCM-1",
        )
    elif s.host is Host.ASPNETCORE_IIS_OUTOFPROCESS:
        notes.step(
            "config",
            "ASP.NET Core Module",
            "ASP.NET Core runs out-of-process behind IIS: IIS's sslFlags decide, ANCM forwards "
            "the certificate in MS-ASPNETCORE-CLIENTCERT",
            "R-ANCM-2",
        )


def handshake_setup(
    s: ServerSetup, negotiate: bool
) -> tuple[Personality, CertRequest, CertRequestedHow, bool, str]:
    """For the direct hosts: the server personality, whether and when it asks, whether the
    handshake asks, and the rule saying so."""
    if s.host is Host.KESTREL:
        mode = s.certificate_mode
        if mode in (
            ClientCertificateMode.ALLOW_CERTIFICATE,
            ClientCertificateMode.REQUIRE_CERTIFICATE,
        ):
            return SSLSTREAM, CertRequest.OPTIONAL, CertRequestedHow.HANDSHAKE, True, "R-KESTREL-1"
        if mode is ClientCertificateMode.DELAY_CERTIFICATE:
            return (
                SSLSTREAM,
                CertRequest.OPTIONAL,
                CertRequestedHow.RENEGOTIATION,
                False,
                "R-KESTREL-4",
            )
        return SSLSTREAM, CertRequest.NONE, CertRequestedHow.HANDSHAKE, False, "R-KESTREL-1"
    late = s.certificate_method is ClientCertificateMethod.ALLOW_RENEGOTATION
    request = CertRequest.OPTIONAL if negotiate or late else CertRequest.NONE
    at = CertRequestedHow.HANDSHAKE if negotiate else CertRequestedHow.RENEGOTIATION
    return SCHANNEL, request, at, negotiate, "R-REQ-1" if negotiate else "R-PIPE-3"


def demands_late(s: ServerSetup, request: Request) -> bool:
    """For the direct hosts: whether the application's call asks for a certificate after
    the handshake when none came with it (AllowRenegotation; DelayCertificate with no body)."""
    if s.host is Host.KESTREL:
        return s.certificate_mode is ClientCertificateMode.DELAY_CERTIFICATE and not (
            request.body_bytes
        )
    return s.certificate_method is ClientCertificateMethod.ALLOW_RENEGOTATION


# --- what the app gets ------------------------------------------------------------------------
def _reached(cert: CertState | None) -> bool:
    return cert is not None and cert is not CertState.NONE


def deliver(run: _Run, cert: CertState | None, rule: str) -> _Answer:
    """The direct host hands the app ``cert`` (or null); the modelled app answers 200."""
    got = cert if _reached(cert) else None
    run.app_observed = AppObservation(
        api=_API,
        value=AppValue.CERTIFICATE if got is not None else AppValue.NULL,
        certificate=got,
        property_value=run.app_property,
        rule=rule,
    )
    text = (
        f"{_API} returns the {got.value} certificate" if got is not None else f"{_API} returns null"
    )
    run.step("app", "application", text, rule, key=True)
    if (
        got is not None
        and got is not CertState.VALID
        and run.scenario.server.host is Host.ASPNETCORE_HTTPSYS
    ):
        run.step(
            "app",
            "HTTP.sys server",
            f"the {got.value} certificate reaches the app unchecked: http.sys only flags its "
            "chain errors, the app must validate it",
            "R-HTTPSYS-6",
            key=True,
        )
    run.step("app", "application", "the application answers 200", "R-APP-1")
    return HttpResponse(rule=rule, status=200), None, got is not None


def _throws(run: _Run, exception: str, rule: str, how: CertRequestedHow) -> _Answer:
    """The app's call threw: unhandled, ASP.NET Core answers 500 and closes the connection."""
    run.app_observed = AppObservation(
        api=_API,
        value=AppValue.EXCEPTION,
        exception=exception,
        property_value=run.app_property,
        rule=rule,
    )
    run.step("app", "application", f"{_API} throws {exception}", rule, key=True, decisive=True)
    run.step(
        "app",
        "Kestrel",
        "the exception is unhandled: Kestrel answers 500 and closes the connection after it",
        "R-APP-1",
    )
    run.end_connection("response", how)
    return HttpResponse(rule=rule, status=500), None, False


def request_arrived(run: _Run, protocol: str, exchange: Exchange) -> _Answer | _Retry:
    """A direct host's request reached the app, which asks for the certificate."""
    if run.scenario.server.host is Host.KESTREL:
        return _kestrel(run, protocol, exchange)
    return _httpsys(run, protocol, exchange)


def _httpsys(run: _Run, protocol: str, exchange: Exchange) -> _Answer | _Retry:
    method = run.scenario.server.certificate_method
    cert = run.cert_on_connection
    have = _reached(cert)
    run.app_property = (
        AppValue.CERTIFICATE
        if have and method is not ClientCertificateMethod.NO_CERTIFICATE
        else AppValue.NULL
    )
    if method is ClientCertificateMethod.NO_CERTIFICATE:
        run.step(
            "app",
            "HTTP.sys server",
            "NoCertificate: the server never populates the client certificate"
            + (" (the one from the handshake is dropped)" if have else ""),
            "R-HTTPSYS-2",
            key=True,
        )
        run.end_connection("response")
        return deliver(run, None, "R-HTTPSYS-2")
    if have or exchange.handshake.cert_requested is CertRequestedHow.HANDSHAKE:
        run.step(
            "app",
            "HTTP.sys server",
            "the request starts with what the handshake brought: "
            + (f"the client's {cert.value} certificate" if have and cert else "no certificate"),
            "R-HTTPSYS-3",
            key=True,
        )
        run.end_connection("response")
        return deliver(run, cert, "R-HTTPSYS-3")
    if method is ClientCertificateMethod.ALLOW_CERTIFICATE:
        run.step(
            "app",
            "HTTP.sys server",
            "AllowCertificate: no certificate came with the handshake and nothing asks later",
            "R-HTTPSYS-3",
            key=True,
        )
        run.end_connection("response")
        return deliver(run, None, "R-HTTPSYS-3")
    if protocol in ("h2", "h3"):
        run.step(
            "app",
            "HTTP.sys server",
            "AllowRenegotation on HTTP/2: GetClientCertificateAsync returns null without "
            "asking (no HTTP_1_1_REQUIRED)",
            "R-HTTPSYS-4",
            key=True,
        )
        run.end_connection("response")
        return deliver(run, None, "R-HTTPSYS-4")
    run.step(
        "app",
        "HTTP.sys server",
        "AllowRenegotation: GetClientCertificateAsync calls HttpReceiveClientCertificate, "
        "http.sys's late demand",
        "R-HTTPSYS-4",
        key=True,
    )
    run.app_called = True
    if run.scenario.request.body_bytes:
        run.step(
            "app",
            "HTTP.sys server",
            f"the {run.scenario.request.body_bytes}-byte body is not limited by IIS's "
            "uploadReadAheadSize here",
            "R-HTTPSYS-7",
            decisive=True,
        )
        run.doubt(
            OutcomeKind.TIMEOUT,
            "the renegotiation might stall while the unread body is pending",
            "R-HTTPSYS-7",
        )
    if exchange.handshake.version is TlsVersion.TLS13:
        return run._late_tls13(exchange)
    return run._late_tls12(exchange)


def httpsys_not_supported(run: _Run) -> _Answer:
    """24H2 path under the HTTP.sys server: ERROR_NOT_SUPPORTED is swallowed → null."""
    run.step(
        "app",
        "HTTP.sys server",
        "HttpReceiveClientCertificate fails with ERROR_NOT_SUPPORTED (50); the certificate "
        "loader keeps the error to itself",
        "R-HTTPSYS-5",
        key=True,
        decisive=True,
    )
    run.doubt(
        OutcomeKind.HTTP_RESPONSE,
        "the failure might reach the app as an HttpSysException (then a 500 if unhandled)",
        "R-HTTPSYS-5",
        status=500,
        substatus=0,
    )
    run.end_connection("response")
    return deliver(run, None, "R-HTTPSYS-5")


# --- Kestrel ------------------------------------------------------------------------------
def kestrel_handshake_check(run: _Run, hs: Phase) -> _Answer | None:
    """Kestrel's validation callback on the handshake's certificate (Allow/Require); a
    refusal fails the handshake (R-KESTREL-2, R-KESTREL-3)."""
    mode = run.scenario.server.certificate_mode
    if mode not in (
        ClientCertificateMode.ALLOW_CERTIFICATE,
        ClientCertificateMode.REQUIRE_CERTIFICATE,
    ):
        return None
    cert = hs.peer_certificate
    if not _reached(cert):
        if mode is ClientCertificateMode.ALLOW_CERTIFICATE:
            run.step(
                "tls",
                "Kestrel",
                "no client certificate: AllowCertificate accepts the connection",
                "R-KESTREL-2",
            )
            return None
        reason, alert = (
            "no client certificate and RequireCertificate",
            (
                "certificate_required(116)"
                if hs.version is TlsVersion.TLS13
                else "handshake_failure(40)"
            ),
        )
    elif cert is CertState.VALID and run.scenario.server.revocation.can_check:
        run.step("tls", "Kestrel", "the client certificate validates", "R-KESTREL-2")
        return None
    elif cert is CertState.VALID:
        reason, alert = (
            "its revocation status cannot be checked (RevocationStatusUnknown)",
            "bad_certificate(42)",
        )
    else:
        reason, alert = (
            f"the {cert.value if cert else ''} certificate has chain errors",
            ("bad_certificate(42)"),
        )
    run.step(
        "tls",
        "Kestrel",
        f"the validation callback refuses the connection ({reason}): the TLS handshake fails",
        "R-KESTREL-2",
        key=True,
        decisive=True,
    )
    run.step(
        "tls",
        "Kestrel",
        f"SslStream ends the connection with a fatal {alert} alert",
        "R-KESTREL-3",
        key=True,
        decisive=True,
    )
    run.doubt(
        OutcomeKind.CONNECTION_RESET,
        "the connection might close without an alert: the client sees a reset",
        "R-KESTREL-3",
    )
    run.app_observed = AppObservation(api=_API, value=AppValue.NOT_REACHED, rule="R-KESTREL-2")
    run.end_connection(f"tls_alert:{alert.partition('(')[0]}")
    return (
        TlsAlert(
            rule="R-KESTREL-3",
            alert=f"fatal:{alert}",
            sent_by="server",
            client_error=run.caps.profile.error_alert.value.format(alert=alert.partition("(")[0]),
        ),
        None,
        False,
    )


def _kestrel(run: _Run, protocol: str, exchange: Exchange) -> _Answer | _Retry:
    mode = run.scenario.server.certificate_mode
    cert = exchange.handshake.peer_certificate
    run.app_property = AppValue.CERTIFICATE if _reached(cert) else AppValue.NULL
    if mode is not ClientCertificateMode.DELAY_CERTIFICATE:
        run.end_connection("response")
        rule = "R-KESTREL-1" if mode is ClientCertificateMode.NO_CERTIFICATE else "R-KESTREL-2"
        return deliver(run, cert, rule)
    if protocol in ("h2", "h3"):
        run.step(
            "app",
            "Kestrel",
            "DelayCertificate on HTTP/2: GetClientCertificateAsync returns null without asking",
            "R-KESTREL-4",
            key=True,
        )
        run.end_connection("response")
        return deliver(run, None, "R-KESTREL-4")
    run.step(
        "app",
        "Kestrel",
        "DelayCertificate: GetClientCertificateAsync calls SslStream."
        "NegotiateClientCertificateAsync",
        "R-KESTREL-4",
        key=True,
    )
    run.app_called = True
    if run.scenario.request.body_bytes:
        run.doubt(
            OutcomeKind.HTTP_RESPONSE,
            "Kestrel might already have read the body: the negotiation then goes ahead",
            "R-KESTREL-6",
            status=200,
            substatus=0,
        )
        return _throws(
            run,
            "InvalidOperationException (the request body was not drained first)",
            "R-KESTREL-6",
            CertRequestedHow.NONE,
        )
    tls13 = exchange.handshake.version is TlsVersion.TLS13
    late = run.late_demand(exchange)  # SslStream.NegotiateClientCertificateAsync
    refusal = late.refusal
    how = CertRequestedHow.POST_HANDSHAKE if tls13 else CertRequestedHow.RENEGOTIATION
    if refusal is not None:
        run.doubt(
            OutcomeKind.HTTP_RESPONSE,
            "the call might complete without a certificate: the app sees null (200)",
            "R-KESTREL-5",
            status=200,
            substatus=0,
        )
        what = (
            "the client did not offer post_handshake_auth"
            if tls13
            else f"SslStream cannot renegotiate ({refusal.reason})"
        )
        run.step("tls", "Kestrel", what, "R-KESTREL-5", key=True, decisive=True)
        return _throws(
            run,
            "AuthenticationException (no certificate could be requested)",
            "R-KESTREL-5",
            CertRequestedHow.NONE,
        )
    if late.asked_user:
        run.end_connection(ASKED_USER_END, how)
        return run.ask_user()
    if late.server_state is State.S12_RENEG_WAIT_CH and not late.client_closed:
        run.step(
            "tls",
            "client",
            f"{run.caps.profile.name} ignores the HelloRequest; the call waits",
            "R-KESTREL-5",
            key=True,
            decisive=True,
        )
        run.doubt(
            OutcomeKind.CONNECTION_RESET,
            "a server-side timeout might drop the connection instead",
            "R-KESTREL-5",
        )
        run.app_observed = AppObservation(
            api=_API,
            value=AppValue.CONNECTION_GONE,
            property_value=run.app_property,
            rule="R-KESTREL-5",
        )
        run.end_connection("timeout", how)
        return (
            Timeout(rule="R-KESTREL-5", client_error=run.caps.profile.error_timeout.value),
            None,
            False,
        )
    if late.client_closed or late.server_closed:
        by_client = late.client_closed and isinstance(late.client_error, HandshakeRefused)
        run.step(
            "tls",
            "client",
            f"{run.caps.profile.name} refuses the "
            + ("post-handshake request" if tls13 else "renegotiation"),
            "R-KESTREL-5",
            key=True,
            decisive=True,
        )
        run.app_observed = AppObservation(
            api=_API,
            value=AppValue.EXCEPTION,
            exception="AuthenticationException (the client refused)",
            property_value=run.app_property,
            rule="R-KESTREL-5",
        )
        run.end_connection("reset", how)
        if by_client:
            return (
                TlsAlert(
                    rule="R-KESTREL-5",
                    alert="fatal:no_renegotiation(100)",
                    sent_by="client",
                    client_error=run.caps.profile.error_alert.value.format(
                        alert="no_renegotiation"
                    ),
                ),
                None,
                False,
            )
        return (
            ConnectionReset(rule="R-KESTREL-5", client_error=run.caps.profile.error_reset.value),
            None,
            False,
        )
    got = late.peer_certificate
    run.step(
        "tls",
        "client",
        "the client answers with "
        + (f"its {got.value} certificate" if _reached(got) and got else "an empty Certificate"),
        "R-KESTREL-4",
        key=True,
    )
    if _reached(got) and got is not CertState.VALID:
        return _throws(
            run,
            "AuthenticationException (the certificate failed validation)",
            "R-KESTREL-7",
            how,
        )
    run.end_connection("response", how)
    return deliver(run, got, "R-KESTREL-7" if not _reached(got) else "R-KESTREL-4")


# --- ASP.NET Core Module ---------------------------------------------------------------------
def ancm_observation(run: _Run, outcome: Outcome) -> tuple[AppObservation, bool]:
    """What the app behind the ASP.NET Core Module got, once IIS has decided."""
    s = run.scenario.server
    assert s.host in ANCM_HOSTS
    if not outcome.ok:
        return AppObservation(api=_API, value=AppValue.NOT_REACHED, rule="R-ANCM-1"), False
    cert = run.iis_certificate
    if s.host is Host.ASPNETCORE_IIS_INPROCESS:
        rule = "R-ANCM-1"
        if cert is None and run.policy is CertPolicy.IGNORE and _reached(run.cert_on_connection):
            cert, rule = run.cert_on_connection, "R-ANCM-1.handshake-only"
            run.step(
                "app",
                "application",
                "sslFlags ignore certificates, yet the handshake's certificate is in the "
                "request's SSL info",
                rule,
                decisive=True,
            )
            run.doubt(
                OutcomeKind.HTTP_RESPONSE,
                "the in-process app might see null here",
                rule,
                status=200,
                substatus=0,
            )
    else:
        rule = "R-ANCM-2"
        if not s.access_ssl_flags & AccessSslFlag.SSL_NEGOTIATE_CERT:
            cert = None
    got = cert if _reached(cert) else None
    observed = AppObservation(
        api=_API,
        value=AppValue.CERTIFICATE if got is not None else AppValue.NULL,
        certificate=got,
        property_value=AppValue.CERTIFICATE if got is not None else AppValue.NULL,
        rule=rule,
    )
    text = (
        "MS-ASPNETCORE-CLIENTCERT carries the certificate; " if rule == "R-ANCM-2" and got else ""
    ) + observed.describe()
    run.step("app", "application", text, rule, key=True)
    return observed, got is not None
