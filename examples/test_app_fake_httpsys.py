"""Unit-test an application's client-certificate handling against a fake HTTP.sys.

``handle_admin`` is the code under test: the ``/admin`` page of a service behind HTTP.sys that
reads the client certificate itself (``HttpReceiveClientCertificate``).  On Windows it would
get a ``ctypes.WinError``; in these tests :mod:`httpsys_sim.testing._fake` answers instead, the way
the simulation says each Windows release answers:

* Windows 11 23H2 / Server 2022 over TLS 1.3 — the connection is reset (``ConnectionResetError``);
* Windows 11 24H2 / Server 2025 over TLS 1.3 — ``ERROR_NOT_SUPPORTED`` (50);
* a binding with ``clientcertnegotiation=enable`` — the certificate, from the handshake.

Run it::

    python -m pytest examples/test_app_fake_httpsys.py
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from httpsys_sim import ConnectionReset, HttpResponse, Release
from httpsys_sim.testing._fake import (
    CERT_E_UNTRUSTEDROOT,
    ERROR_CONNECTION_ABORTED,
    ERROR_CONNECTION_INVALID,
    ERROR_NOT_FOUND,
    ERROR_NOT_SUPPORTED,
    ChromiumNetError,
    FakeHttpSysFactory,
    HttpSysApi,
    RequestsConnectionError,
)
from httpsys_sim.tls import CertRequestedHow

# ============================================================================================
# The application code under test
# ============================================================================================

#: A host name whose http.sys binding asks for the certificate in the handshake.
CERT_HOST = "certs.contoso.test"


@dataclass(frozen=True)
class Page:
    """What the app answers."""

    status: int
    body: str = ""
    location: str | None = None


@dataclass
class Metrics:
    """Counters the app exports."""

    resets: int = 0
    late_demand_unsupported: int = 0


def handle_admin(http_sys: HttpSysApi, metrics: Metrics, *, attempts: int = 2) -> Page | None:
    """GET /admin — only for callers with a valid client certificate.

    Returns None when there is nobody left to answer (the connection was reset).
    """
    for _ in range(attempts):
        try:
            cert = http_sys.receive_client_certificate()
        except ConnectionResetError:
            # http.sys already cut the connection: nothing to send, and retrying is pointless.
            metrics.resets += 1
            return None
        except OSError as exc:
            code = getattr(exc, "winerror", None)
            if code == ERROR_NOT_FOUND:
                return Page(403, "A client certificate is required for /admin.")
            if code == ERROR_NOT_SUPPORTED:
                # Windows 11 24H2+ / Server 2025 cannot ask late over TLS 1.3: send the user to
                # the host whose binding asks in the handshake instead of failing with 500.
                metrics.late_demand_unsupported += 1
                return Page(307, location=f"https://{CERT_HOST}/admin")
            continue  # anything else may be transient: try once more
        if not cert.valid:
            return Page(403, f"Certificate rejected (0x{cert.cert_flags:08X}).")
        return Page(200, "Welcome, administrator.")
    return Page(503, "Could not read the client certificate; please try again.")


# ============================================================================================
# Tests
# ============================================================================================


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


def test_23h2_resets_and_the_app_does_not_retry(httpsys_fake: FakeHttpSysFactory) -> None:
    fake = httpsys_fake(release="win11-23h2", client="edge")

    assert handle_admin(fake, metrics := Metrics()) is None
    assert metrics.resets == 1
    assert len(fake.calls) == 1  # no pointless retry on a dead connection
    assert fake.calls[0].rule == "R-REQ-2.tls13-reset"
    # What Edge's user sees:
    assert isinstance(fake.response(), ConnectionReset)
    error = fake.client_exception()
    assert isinstance(error, ChromiumNetError)
    assert (error.net_error, error.code) == ("ERR_CONNECTION_RESET", -101)


def test_23h2_curl_offers_pha_and_gets_no_certificate(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics
) -> None:
    """curl offers post_handshake_auth: no reset, but no certificate either (R-REQ-2.tls13-pha)."""
    fake = httpsys_fake(release="win11-23h2", client="curl")

    page = handle_admin(fake, metrics)

    assert page == Page(403, "A client certificate is required for /admin.")
    assert fake.calls[0].status == ERROR_NOT_FOUND


def test_24h2_falls_back_to_the_certificate_host(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics
) -> None:
    fake = httpsys_fake(release="win11-24h2", client="edge")

    page = handle_admin(fake, metrics)

    assert page == Page(307, location=f"https://{CERT_HOST}/admin")
    assert metrics.late_demand_unsupported == 1
    assert [c.status for c in fake.calls] == [ERROR_NOT_SUPPORTED]
    # Without the app's fallback, IIS itself would have answered 500.0 0x80070032:
    response = fake.response()
    assert isinstance(response, HttpResponse)
    assert (response.status, response.substatus, response.hresult) == (500, 0, "0x80070032")


def test_the_status_code_mode_mirrors_the_c_api(httpsys_fake: FakeHttpSysFactory) -> None:
    answer = httpsys_fake(release="server-2025").receive_client_certificate(raise_on_error=False)
    assert (answer.status, answer.certificate, answer.rule) == (
        ERROR_NOT_SUPPORTED,
        None,
        "R-REL-3",
    )


@pytest.mark.parametrize("release", ["win11-23h2", "win11-24h2", "server-2022", "server-2025"])
def test_handshake_negotiation_brings_the_certificate(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics, release: str
) -> None:
    fake = httpsys_fake(release=release, client="edge", client_cert_negotiation=True)

    assert handle_admin(fake, metrics) == Page(200, "Welcome, administrator.")
    cert = fake.calls[0].certificate
    assert cert is not None
    assert cert.negotiated is CertRequestedHow.HANDSHAKE


@pytest.mark.parametrize(
    ("certificate", "page"),
    [
        ("untrusted", Page(403, f"Certificate rejected (0x{CERT_E_UNTRUSTEDROOT:08X}).")),
        ("none", Page(403, "A client certificate is required for /admin.")),
    ],
)
def test_handshake_negotiation_with_a_bad_or_missing_certificate(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics, certificate: str, page: Page
) -> None:
    fake = httpsys_fake(
        release="server-2025",
        client="chrome",
        client_cert_negotiation=True,
        certificate=certificate,
    )
    assert handle_admin(fake, metrics) == page


def test_windows_10_renegotiates_over_tls_1_2(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics
) -> None:
    fake = httpsys_fake(release="win10-22h2", client="firefox")

    assert handle_admin(fake, metrics) == Page(200, "Welcome, administrator.")
    assert fake.connection.tls_version == "1.2"
    cert = fake.calls[0].certificate
    assert cert is not None
    assert cert.negotiated is CertRequestedHow.RENEGOTIATION


def test_http2_stream_reset_is_retried_then_given_up(
    httpsys_fake: FakeHttpSysFactory, metrics: Metrics
) -> None:
    """rustls does not retry on HTTP_1_1_REQUIRED: the app's stream is gone (R-REQ-2.h2)."""
    fake = httpsys_fake(release="win11-23h2", client="rustls")

    assert handle_admin(fake, metrics) == Page(
        503, "Could not read the client certificate; please try again."
    )
    assert [c.status for c in fake.calls] == [ERROR_CONNECTION_ABORTED, ERROR_CONNECTION_INVALID]
    assert fake.client_message() == "http2 error: stream error received: HTTP_1_1_REQUIRED"


def test_python_requests_sees_a_connection_error(httpsys_fake: FakeHttpSysFactory) -> None:
    """Schannel's DisableRenegoOnServer=1 on Windows 10: the renegotiation cannot start."""
    fake = httpsys_fake(
        release="win10-22h2",
        client="python-requests",
        schannel={"disable_reneg_on_server": True},
    )

    with pytest.raises(RequestsConnectionError, match="Connection aborted") as caught:
        fake.raise_client_error()

    assert isinstance(caught.value, OSError)  # as requests' ConnectionError is
    protocol_error = caught.value.__cause__
    assert protocol_error is not None
    reset = protocol_error.__cause__
    # requests over TLS reports the reset as the server closing without a response
    # (http.client.RemoteDisconnected, a ConnectionResetError), as the real one does.
    assert isinstance(reset, ConnectionResetError)
    assert reset.args == ("Remote end closed connection without response",)


@pytest.mark.httpsys_releases
@pytest.mark.httpsys_clients
def test_with_handshake_negotiation_every_valid_client_gets_in(
    httpsys_release: Release,
    httpsys_client: str,
    httpsys_fake: FakeHttpSysFactory,
    metrics: Metrics,
) -> None:
    fake = httpsys_fake(client_cert_negotiation=True)  # release and client: the current ones

    assert fake.scenario.server.release == httpsys_release
    assert handle_admin(fake, metrics) == Page(200, "Welcome, administrator.")
