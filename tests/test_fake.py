"""The fake HTTP.sys: each release path gives the right return or raise; each client's view."""

from __future__ import annotations

import errno
import http.client
import pickle
from typing import Any

import attrs
import pytest

from httpsys_sim import RELEASES, ConnectionReset, Http2Error, HttpResponse, NoCommonProtocol
from httpsys_sim.catalogue._rules import Confidence
from httpsys_sim.core._result import OutcomeKind
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.testing._fake import (
    CERT_E_EXPIRED,
    CERT_E_UNTRUSTEDROOT,
    CRYPT_E_REVOKED,
    ERROR_CONNECTION_ABORTED,
    ERROR_CONNECTION_INVALID,
    ERROR_NOT_FOUND,
    ERROR_NOT_SUPPORTED,
    NO_ERROR,
    WSAECONNRESET,
    BrowserError,
    ChromiumNetError,
    ClientCertificate,
    ClientError,
    CurlError,
    FakeHttpSys,
    HttpSysConnectionReset,
    HttpSysError,
    HttpSysStreamReset,
    ReceiveResult,
    RequestNotDelivered,
    RequestsConnectionError,
    RequestsSSLError,
    Urllib3ProtocolError,
    fake_http_sys,
)
from httpsys_sim.tls import CertRequestedHow, CertState, TlsVersion
from httpsys_sim.windows._iis import AccessSslFlag

# The seed configuration (SslNegotiateCert, no clientcertnegotiation) with Edge, per release:
# behaviour §1's last column and §7.
LATE_DEMAND = {
    "server-2016": "certificate",  # TLS 1.2 renegotiation
    "server-2019": "certificate",
    "win10-22h2": "certificate",
    "server-2022": "reset",
    "win11-21h2": "reset",
    "win11-22h2": "reset",
    "win11-23h2": "reset",
    "win11-24h2": "not_supported",
    "win11-25h2": "not_supported",
    "server-2025": "not_supported",
}


def test_the_table_covers_the_catalogue() -> None:
    assert set(LATE_DEMAND) == set(RELEASES)


# --------------------------------------------------------------------------------------------
# receive_client_certificate, per release
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("release", [r for r, v in LATE_DEMAND.items() if v == "reset"])
def test_pre_24h2_tls13_late_demand_raises_a_connection_reset(release: str) -> None:
    fake = fake_http_sys(release=release, client="edge")

    with pytest.raises(HttpSysConnectionReset) as caught:
        fake.receive_client_certificate()

    exc = caught.value
    assert isinstance(exc, ConnectionResetError)
    assert isinstance(exc, HttpSysError)
    assert exc.winerror == WSAECONNRESET
    assert exc.errno == errno.ECONNRESET
    assert str(exc) == (
        "[WinError 10054] An existing connection was forcibly closed by the remote host."
    )
    assert exc.rule == "R-REQ-2.tls13-reset"
    assert exc.confidence is Confidence.INFERRED  # the Win32 code is our choice
    assert "R-REQ-2.tls13-reset" in exc.explain()
    assert isinstance(fake.response(), ConnectionReset)


@pytest.mark.parametrize("release", [r for r, v in LATE_DEMAND.items() if v == "not_supported"])
def test_24h2_tls13_late_demand_fails_with_error_not_supported(release: str) -> None:
    fake = fake_http_sys(release=release, client="edge")

    with pytest.raises(HttpSysError) as caught:
        fake.receive_client_certificate()

    exc = caught.value
    assert type(exc) is HttpSysError
    assert not isinstance(exc, ConnectionError)
    assert (exc.winerror, exc.errno) == (ERROR_NOT_SUPPORTED, errno.EINVAL)
    assert str(exc) == "[WinError 50] The request is not supported."
    assert exc.rule == ("R-REL-4" if release == "win11-25h2" else "R-REL-3")
    response = fake.response()
    assert isinstance(response, HttpResponse)
    assert (response.status, response.substatus, response.hresult) == (500, 0, "0x80070032")


@pytest.mark.parametrize("release", [r for r, v in LATE_DEMAND.items() if v == "certificate"])
def test_tls12_releases_renegotiate_and_return_the_certificate(release: str) -> None:
    fake = fake_http_sys(release=release, client="edge")

    cert = fake.receive_client_certificate()

    assert cert == ClientCertificate(
        state=CertState.VALID,
        cert_flags=0,
        negotiated=CertRequestedHow.RENEGOTIATION,
        tls_version="1.2",
    )
    assert cert.valid
    assert fake.calls[0].rule == "R-REQ-2.tls12-reneg"
    assert fake.response() == fake.result.outcome
    assert fake.client_exception() is None


@pytest.mark.parametrize("release", list(LATE_DEMAND))
def test_handshake_negotiation_returns_the_certificate_on_every_release(release: str) -> None:
    fake = fake_http_sys(release=release, client="chrome", client_cert_negotiation=True)

    answer = fake.receive_client_certificate(raise_on_error=False)

    assert answer.ok
    assert answer.rule == "R-REQ-1"
    assert answer.certificate is not None
    assert answer.certificate.negotiated is CertRequestedHow.HANDSHAKE


def test_status_code_mode_returns_the_win32_status() -> None:
    for release, status in (
        ("win11-23h2", WSAECONNRESET),
        ("win11-24h2", ERROR_NOT_SUPPORTED),
        ("win10-22h2", NO_ERROR),
    ):
        answer = fake_http_sys(release=release).receive_client_certificate(raise_on_error=False)
        assert isinstance(answer, ReceiveResult)
        assert answer.status == status, release
        assert (answer.certificate is not None) is (status == NO_ERROR)


# --------------------------------------------------------------------------------------------
# No certificate, bad certificates
# --------------------------------------------------------------------------------------------


def test_accept_without_a_certificate_is_error_not_found() -> None:
    fake = fake_http_sys(release="win10-22h2", client="edge", certificate="none")

    with pytest.raises(HttpSysError) as caught:
        fake.receive_client_certificate()

    assert caught.value.winerror == ERROR_NOT_FOUND
    assert str(caught.value) == "[WinError 1168] Element not found."
    assert caught.value.rule == "R-TLS-3"
    assert fake.response() == HttpResponse(rule="R-IIS-5", status=200)  # Accept serves it


def test_handshake_negotiation_without_a_certificate_is_error_not_found() -> None:
    fake = fake_http_sys(release="server-2025", client_cert_negotiation=True, certificate="none")
    answer = fake.receive_client_certificate(raise_on_error=False)
    assert answer.status == ERROR_NOT_FOUND


def test_tls13_with_pha_before_24h2_brings_no_certificate() -> None:
    """curl offers post_handshake_auth: no reset, no certificate (R-REQ-2.tls13-pha, S26)."""
    fake = fake_http_sys(release="server-2022", client="curl")
    answer = fake.receive_client_certificate(raise_on_error=False)
    assert (answer.status, answer.rule) == (ERROR_NOT_FOUND, "R-REQ-2.tls13-pha")
    # The row is reported (S26), and so, since evidence pass 3 (S42), is P-SCH-2: http.sys's
    # late demand does not use post-handshake auth although Schannel could.
    assert answer.confidence is Confidence.REPORTED


@pytest.mark.parametrize(
    ("certificate", "flags"),
    [
        ("untrusted", CERT_E_UNTRUSTEDROOT),
        ("expired", CERT_E_EXPIRED),
        ("revoked", CRYPT_E_REVOKED),
    ],
)
def test_invalid_certificates_come_back_with_cert_flags(certificate: str, flags: int) -> None:
    fake = fake_http_sys(
        release="server-2022", client_cert_negotiation=True, certificate=certificate
    )

    cert = fake.receive_client_certificate()

    assert cert.state is CertState(certificate)
    assert cert.cert_flags == flags
    assert not cert.valid
    response = fake.response()
    assert (response.status, response.substatus) == (
        403,
        {"untrusted": 16, "expired": 17, "revoked": 13}[certificate],
    )


def test_revoked_passes_when_the_binding_does_not_check_revocation() -> None:
    fake = fake_http_sys(
        client_cert_negotiation=True,
        certificate="revoked",
        verify_client_cert_revocation=False,
    )
    cert = fake.receive_client_certificate()
    assert (cert.state, cert.cert_flags, cert.valid) == (CertState.REVOKED, 0, True)
    assert fake.result.certificate_reached_app


# --------------------------------------------------------------------------------------------
# Repeated calls, the call log, earlier attempts
# --------------------------------------------------------------------------------------------


def test_a_second_call_after_a_reset_finds_no_connection() -> None:
    fake = fake_http_sys(release="win11-23h2")
    first = fake.receive_client_certificate(raise_on_error=False)
    with pytest.raises(HttpSysError) as caught:
        fake.receive_client_certificate()
    assert type(caught.value) is HttpSysError
    assert caught.value.winerror == ERROR_CONNECTION_INVALID
    assert [c.status for c in fake.calls] == [first.status, ERROR_CONNECTION_INVALID]


def test_a_second_call_returns_the_certificate_already_present() -> None:
    fake = fake_http_sys(release="win10-22h2")
    assert fake.receive_client_certificate() == fake.receive_client_certificate()
    assert [c.rule for c in fake.calls] == ["R-REQ-2.tls12-reneg", "R-REQ-2.cert-present"]


def test_a_second_call_on_24h2_fails_the_same_way() -> None:
    fake = fake_http_sys(release="win11-24h2")
    statuses = [fake.receive_client_certificate(raise_on_error=False).status for _ in range(3)]
    assert statuses == [ERROR_NOT_SUPPORTED] * 3


def test_expected_peeks_without_calling() -> None:
    fake = fake_http_sys(release="win11-24h2")
    assert fake.expected.status == ERROR_NOT_SUPPORTED
    assert fake.calls == ()


def test_h2_attempt_before_the_http11_retry_is_reported() -> None:
    fake = fake_http_sys(release="win11-23h2", client="edge")
    (earlier,) = fake.earlier_attempts
    assert (earlier.status, earlier.rule, earlier.connection) == (
        ERROR_CONNECTION_ABORTED,
        "R-REQ-2.h2",
        0,
    )
    assert fake.connection.alpn == "http/1.1"
    assert fake.expected.connection == 1


def test_client_without_http11_retry_leaves_a_stream_reset() -> None:
    fake = fake_http_sys(release="win11-23h2", client="rustls")
    with pytest.raises(HttpSysStreamReset) as caught:
        fake.receive_client_certificate()
    assert (caught.value.winerror, caught.value.rule) == (ERROR_CONNECTION_ABORTED, "R-REQ-2.h2")
    assert isinstance(fake.response(), Http2Error)
    assert fake.earlier_attempts == ()


def test_client_refusing_the_renegotiation_leaves_no_connection() -> None:
    fake = fake_http_sys(
        release="win10-22h2", client="go", client_overrides={"alpn": ("http/1.1",)}
    )
    with pytest.raises(HttpSysConnectionReset) as caught:
        fake.receive_client_certificate()
    assert caught.value.rule == "R-REQ-2.tls12-refused"


# --------------------------------------------------------------------------------------------
# What the fake simulates; requests that never arrive
# --------------------------------------------------------------------------------------------


def test_a_path_without_negotiate_gets_it_added() -> None:
    """Calling the API is the late demand: the fake answers as for SslNegotiateCert."""
    seed = Scenario.seed("win11-24h2")
    configured = attrs.evolve(seed, server=attrs.evolve(seed.server, access_ssl_flags="Ssl"))
    fake = FakeHttpSys(configured)
    assert fake.configured == configured
    assert fake.scenario.server.access_ssl_flags == (
        AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT
    )
    assert fake.expected.status == ERROR_NOT_SUPPORTED


def test_require_only_gets_negotiate_added_too() -> None:
    fake = fake_http_sys(access_ssl_flags="Ssl,SslRequireCert", release="win11-23h2")
    assert fake.scenario.server.access_ssl_flags & AccessSslFlag.SSL_NEGOTIATE_CERT
    assert fake.expected.status == WSAECONNRESET


@pytest.mark.parametrize(
    ("keywords", "outcome_kind"),
    [
        ({"reject": True}, OutcomeKind.CONNECTION_RESET),
        ({"disable_tls13": True, "disable_tls12": True}, OutcomeKind.NO_COMMON_PROTOCOL),
        ({"scheme": "http", "access_ssl_flags": "Ssl,SslNegotiateCert"}, None),
        ({"release": "win10-22h2", "body_bytes": 100_000}, None),
    ],
    ids=["reject-binding", "no-common-tls-version", "403.4-plain-http", "413-large-body"],
)
def test_requests_that_never_reach_the_app(
    keywords: dict[str, Any], outcome_kind: OutcomeKind | None
) -> None:
    fake = fake_http_sys(**keywords)
    for mode in (True, False):
        with pytest.raises(RequestNotDelivered) as caught:
            fake.receive_client_certificate(raise_on_error=mode)
        assert "never reached the application" in str(caught.value)
        if outcome_kind is not None:
            assert caught.value.outcome.kind is outcome_kind
    with pytest.raises(RequestNotDelivered):
        _ = fake.expected


def test_plain_http_without_ssl_flag_has_no_certificate() -> None:
    fake = fake_http_sys(scheme="http", access_ssl_flags="SslNegotiateCert")
    answer = fake.receive_client_certificate(raise_on_error=False)
    assert (answer.status, answer.confidence) == (ERROR_NOT_FOUND, Confidence.INFERRED)


# --------------------------------------------------------------------------------------------
# Exceptions behave like OSError / are picklable
# --------------------------------------------------------------------------------------------


def test_errors_pickle_round_trip() -> None:
    error = HttpSysConnectionReset(WSAECONNRESET, rule="R-REQ-2.tls13-reset", detail="d")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is HttpSysConnectionReset
    assert (again.winerror, again.rule, again.detail, str(again)) == (
        error.winerror,
        error.rule,
        "d",
        str(error),
    )
    client = ChromiumNetError(
        "ERR_CONNECTION_RESET", profile="edge", kind=OutcomeKind.CONNECTION_RESET, rule="r"
    )
    assert pickle.loads(pickle.dumps(client)).code == -101
    assert repr(error) == "HttpSysConnectionReset(winerror=10054, rule='R-REQ-2.tls13-reset')"


# --------------------------------------------------------------------------------------------
# The client's view
# --------------------------------------------------------------------------------------------

# A reset every profile sees: 23H2, HTTP/1.1 only, no post_handshake_auth offered.
_RESET: dict[str, Any] = {
    "release": "win11-23h2",
    "client_overrides": {"offers_pha": False, "alpn": ("http/1.1",)},
}

CLIENT_VIEWS = [
    ("chrome", ChromiumNetError, "ERR_CONNECTION_RESET"),
    ("edge", ChromiumNetError, "ERR_CONNECTION_RESET"),
    ("firefox", BrowserError, "Secure Connection Failed (PR_CONNECT_RESET_ERROR)"),
    (
        "safari",
        BrowserError,
        "Safari Can't Open the Page: the server unexpectedly dropped the connection",
    ),
    ("curl", CurlError, "curl: (56) Recv failure: Connection reset by peer"),
    (
        "python-requests",
        RequestsConnectionError,
        "('Connection aborted.', RemoteDisconnected('Remote end closed connection without "
        "response'))",
    ),
    ("go", ClientError, 'Get "<url>": read tcp <addr>-><addr>: read: connection reset by peer'),
    ("java", ClientError, "java.net.SocketException: Connection reset"),
    ("rustls", ClientError, "Connection reset by peer"),
]


@pytest.mark.parametrize(("profile", "cls", "text"), CLIENT_VIEWS, ids=[v[0] for v in CLIENT_VIEWS])
def test_each_profile_surfaces_its_own_reset(
    profile: str, cls: type[ClientError], text: str
) -> None:
    fake = fake_http_sys(client=profile, **_RESET)

    error = fake.client_exception()

    assert type(error) is cls
    assert isinstance(error, ClientError)
    assert str(error) == text
    assert error.kind is OutcomeKind.CONNECTION_RESET
    assert error.rule == "R-REQ-2.tls13-reset"
    assert error.profile == profile
    with pytest.raises(cls):
        fake.raise_client_error()


def test_python_requests_error_is_shaped_like_requests() -> None:
    error = fake_http_sys(client="python-requests", **_RESET).client_exception()
    assert isinstance(error, RequestsConnectionError)
    assert isinstance(error, OSError)  # requests' RequestException is an IOError
    assert error.display == (
        "requests.exceptions.ConnectionError: ('Connection aborted.', "
        "RemoteDisconnected('Remote end closed connection without response'))"
    )
    (inner,) = error.args
    assert isinstance(inner, Urllib3ProtocolError)
    assert error.__cause__ is inner
    message, reset = inner.args
    assert message == "Connection aborted."
    assert isinstance(reset, ConnectionResetError)
    assert isinstance(reset, http.client.RemoteDisconnected)
    assert str(reset) == "Remote end closed connection without response"
    assert inner.__cause__ is reset


def test_chromium_and_curl_carry_their_codes() -> None:
    chrome = fake_http_sys(client="chrome", **_RESET).client_exception()
    assert isinstance(chrome, ChromiumNetError)
    assert (chrome.net_error, chrome.code) == ("ERR_CONNECTION_RESET", -101)
    curl = fake_http_sys(client="curl", **_RESET).client_exception()
    assert isinstance(curl, CurlError)
    assert curl.exit_code == 56


def test_java_and_dotnet_name_their_exception_types() -> None:
    java = fake_http_sys(client="java", **_RESET).client_exception()
    assert java is not None
    assert java.exception_type == "java.net.SocketException"
    dotnet = fake_http_sys(client="dotnet-windows", **_RESET).client_exception()
    assert dotnet is not None
    assert dotnet.exception_type == "System.Net.Http.HttpRequestException"
    assert "forcibly closed by the remote host" in str(dotnet)
    go = fake_http_sys(client="go", **_RESET).client_exception()
    assert go is not None
    assert go.exception_type is None


def test_http2_error_views() -> None:
    rustls = fake_http_sys(release="win11-23h2", client="rustls")
    assert rustls.client_message() == "http2 error: stream error received: HTTP_1_1_REQUIRED"
    chrome = fake_http_sys(
        release="win11-23h2", client="chrome", client_overrides={"on_http_1_1_required": "fail"}
    )
    error = chrome.client_exception()
    assert isinstance(error, ChromiumNetError)
    assert (error.net_error, error.code, error.kind) == (
        "ERR_HTTP_1_1_REQUIRED",
        -365,
        OutcomeKind.HTTP2_ERROR,
    )


def test_tls_failures_views() -> None:
    no_version: dict[str, Any] = {
        "release": "win11-24h2",
        "disable_tls13": True,
        "disable_tls12": True,
    }
    requests_fake = fake_http_sys(client="python-requests", **no_version)
    assert isinstance(requests_fake.response(), NoCommonProtocol)
    error = requests_fake.client_exception()
    assert isinstance(error, RequestsSSLError)
    assert isinstance(error, RequestsConnectionError)  # as in requests
    # What requests was seen to show (docs/reference/clients.md#error-texts), its class
    # name as the exception's type rather than in its message.
    assert str(error) == (
        "HTTPSConnectionPool(host='<host>', port=<port>): Max retries exceeded with url: / "
        "(Caused by SSLError(SSLError(1, '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert "
        "protocol version (_ssl.c:1006)')))"
    )
    chrome = fake_http_sys(client="chrome", **no_version).client_exception()
    assert isinstance(chrome, ChromiumNetError)
    assert chrome.net_error == "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"  # as Chromium showed it
    assert chrome.code == -113


def test_an_http_answer_is_no_client_exception() -> None:
    fake = fake_http_sys(release="win11-24h2")
    assert fake.client_exception() is None
    fake.raise_client_error()  # no-op
    assert fake.client_message() == fake.response().describe()
    assert "500.0" in fake.client_message()


def test_fake_explains_itself() -> None:
    fake = fake_http_sys(release="win11-24h2")
    assert "R-REL-3" in fake.explain()
    assert "Windows 11 24H2" in repr(fake)
    assert fake.result.scenario.server.release.tls13
    assert TlsVersion.TLS13.value == fake.connection.tls_version
