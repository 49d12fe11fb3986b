"""The endpoint acts out what the model decides, for the client that really connects.

Each test drives a real TLS client (CPython's ssl, OpenSSL underneath) against the endpoint
and checks both sides: what the client saw on the wire, and that it is what ``simulate``
predicts for a scenario whose client is what that ClientHello offered.
"""

from __future__ import annotations

import contextlib
import ssl
from pathlib import Path

import attrs
import pytest

pytest.importorskip("OpenSSL", reason="the serve extra is not installed: pip install '.[serve]'")
pytest.importorskip("h2", reason="the serve extra is not installed: pip install '.[serve]'")
pytest.importorskip("h11", reason="the serve extra is not installed: pip install '.[serve]'")

import httpsys_sim as hs
from httpsys_sim.errors import InputError
from tests.serve._helpers import (
    context,
    h2_get_twice,
    https_get,
    request_then_watch_tcp,
)

REQUIRE = "Ssl,SslNegotiateCert,SslRequireCert"


def _predict(scenario: hs.Scenario, **client: object) -> hs.Result:
    """The model's result for ``scenario`` with the client's capabilities overridden."""
    return hs.simulate(attrs.evolve(scenario, client=attrs.evolve(scenario.client, **client)))


def test_tls13_late_demand_before_24h2_resets_a_client_without_pha() -> None:
    scenario = hs.Scenario.seed("server-2022")
    predicted = _predict(scenario, alpn=("http/1.1",), offers_pha=False, max_tls="1.3")
    assert predicted.outcome.kind is hs.OutcomeKind.CONNECTION_RESET
    with hs.serve(scenario) as server:
        seen, data = request_then_watch_tcp(server.url, context(server.ready(), pha=False))
        answer = https_get(server.url, context(server.ready(), pha=False))
        record = server.connections()[-1]
        log = Path(server.ready()["log"]).read_text(encoding="utf-8").splitlines()
    assert (seen, data) == ("reset", b"")  # a TCP RST, and not one byte of HTTP before it
    assert answer.status is None  # http.client sees it as RemoteDisconnected
    assert record["offer"]["post_handshake_auth"] is False
    assert record["end"] == "reset"
    assert record["requests"][0]["outcome"] == "RESET"
    assert [line for line in log if not line.startswith("#")] == []  # no W3C line


def test_tls13_late_demand_before_24h2_follows_the_model_for_a_pha_client() -> None:
    scenario = hs.Scenario.seed("server-2022")
    predicted = _predict(scenario, alpn=("http/1.1",), offers_pha=True)
    with hs.serve(scenario) as server:
        answer = https_get(server.url, context(server.ready(), pha=True))
    assert predicted.outcome.short() == "200"
    assert answer.status == 200
    assert answer.subject is None  # no certificate reached the application


@pytest.mark.parametrize("release", ["server-2025", "win11-24h2"])
def test_tls13_late_demand_on_24h2_is_the_iis_500_page(release: str) -> None:
    with hs.serve(hs.Scenario.seed(release)) as server:
        answer = https_get(server.url, context(server.ready(), pha=False))
        log = Path(server.ready()["log"]).read_text(encoding="utf-8").splitlines()
    assert answer.status == 500
    assert "0x80070032" in answer.body
    assert "IIS Web Core" in answer.body
    assert "500.0" in answer.body
    assert ("Server", "Microsoft-IIS/10.0") in answer.headers
    assert log[3].startswith("#Fields: date time")
    assert log[-1].split()[-4:-1] == ["500", "0", "50"]


def test_the_netsh_fix_serves_200_and_the_app_sees_the_certificate() -> None:
    scenario = hs.Scenario.seed("server-2022").with_binding(client_cert_negotiation=True)
    with hs.serve(scenario) as server:
        answer = https_get(server.url, context(server.ready()))
        record = server.connections()[-1]
    assert answer.status == 200
    assert answer.subject is not None
    assert "CN=httpsys-sim client" in answer.subject
    assert record["model"]["cert_requested"] == "handshake"
    assert record["certificate"] == "valid"


@pytest.mark.parametrize(
    ("certificate", "status"),
    [(None, "403.7"), ("untrusted", "403.16"), ("expired", "403.17"), ("revoked", "403.13")],
)
def test_verdict_pages(certificate: str | None, status: str) -> None:
    scenario = hs.Scenario.seed("server-2025").with_binding(
        client_cert_negotiation=True, verify_client_cert_revocation=True
    )
    scenario = attrs.evolve(
        scenario, server=attrs.evolve(scenario.server, access_ssl_flags=REQUIRE)
    )
    state = certificate or "none"
    predicted = hs.simulate(scenario.with_client(scenario.client.profile, state))
    assert predicted.outcome.short() == status
    with hs.serve(scenario) as server:
        answer = https_get(server.url, context(server.ready(), certificate=certificate))
        record = server.connections()[-1]
    assert f"{answer.status}.{status.split('.')[1]}" == status
    assert f"HTTP Error {status}" in answer.body
    assert record["certificate"] == state


def test_http2_late_demand_resets_the_stream_and_keeps_the_connection() -> None:
    with hs.serve(hs.Scenario.seed("server-2022")) as server:
        seen = h2_get_twice(server.url, context(server.ready(), alpn=("h2", "http/1.1")))
    assert seen == ["reset:13", "reset:13"]  # HTTP_1_1_REQUIRED, twice on one connection


def test_tls12_late_demand_is_a_real_renegotiation() -> None:
    # Server 2019 has no TLS 1.3: the late demand renegotiates.
    with hs.serve(hs.Scenario.seed("server-2019")) as server:
        with_cert = https_get(server.url, context(server.ready()))
        without = https_get(server.url, context(server.ready(), certificate=None))
        records = server.connections()
    assert with_cert.status == 200
    assert with_cert.subject is not None
    assert without.status == 200  # SslNegotiateCert accepts none
    assert without.subject is None
    assert [r["renegotiation"] for r in records] == ["accept", "accept"]
    assert [r["tls_version"] for r in records] == ["TLSv1.2", "TLSv1.2"]


def test_tls12_refused_renegotiation_is_acted_as_the_model_says() -> None:
    scenario = hs.Scenario.seed("server-2019")
    predicted = _predict(scenario, alpn=("http/1.1",), renegotiation_http11="refuse")
    with hs.serve(scenario) as server:
        answer = https_get(server.url, context(server.ready(), refuse_renegotiation=True))
        record = server.connections()[-1]
    assert record["renegotiation"] == "refuse"
    assert predicted.outcome.kind is not hs.OutcomeKind.HTTP_RESPONSE
    assert answer.status is None
    assert answer.error is not None


def test_tls_version_is_the_models_choice() -> None:
    with hs.serve(hs.Scenario.seed("server-2019")) as server:
        ctx = context(server.ready())
        https_get(server.url, ctx)
        record = server.connections()[-1]
    assert record["offer"]["versions"][0] == "1.3"  # the client offered 1.3 ...
    assert record["tls_version"] == "TLSv1.2"  # ... Server 2019 has none


def test_http3_scenario_is_refused() -> None:
    scenario = attrs.evolve(
        hs.Scenario.seed(), server=attrs.evolve(hs.Scenario.seed().server, http3=True)
    )
    with pytest.raises(InputError, match="HTTP/3"), hs.serve(scenario):
        pass  # pragma: no cover


def test_not_tls_is_reset_and_the_endpoint_lives_on() -> None:
    import socket

    with hs.serve(hs.Scenario.seed("server-2025")) as server:
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            with contextlib.suppress(ConnectionResetError):
                assert raw.recv(100) == b""
        answer = https_get(server.url, context(server.ready()))
        records = server.connections()
    assert records[0]["end"].startswith("not a ClientHello")
    assert answer.status == 500


def test_fixture(httpsys_server: object) -> None:
    server = httpsys_server(release="server-2025", client_cert_negotiation=True)  # type: ignore[operator]
    answer = https_get(server.url, context(server.ready()))
    assert answer.status == 200
    assert server.ready()["release"] == "server-2025"


def test_max_tls_12_client_on_24h2_renegotiates() -> None:
    with hs.serve(hs.Scenario.seed("server-2025")) as server:
        answer = https_get(server.url, context(server.ready(), max_version=ssl.TLSVersion.TLSv1_2))
        record = server.connections()[-1]
    assert record["renegotiation"] == "accept"
    assert answer.status == 200
    assert answer.subject is not None
