"""The hosts beyond IIS: ASP.NET Core's HTTP.sys server, the ASP.NET Core Module (in- and
out-of-process) and Kestrel — what each asks, when, and what the application observes.

Example tests pin the documented cases (S27, S16, the aspnetcore source files); property
tests state what must hold on every host and release.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.analysis._hosts_matrix import host_matrix
from httpsys_sim.catalogue._rules import Confidence
from httpsys_sim.cli import main
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.errors import InputError
from httpsys_sim.testing.strategies import client_setups, host_setups, requests
from httpsys_sim.tls import CertState, Kind
from httpsys_sim.windows._hosts import AppValue
from httpsys_sim.windows._iis import AccessSslFlag, Host


def scenario(
    server: dict[str, Any], profile: str = "edge", certificate: str = "valid", **client: Any
) -> Scenario:
    return Scenario.from_dict(
        {"server": server, "client": {"profile": profile, "certificate": certificate, **client}}
    )


def run(
    server: dict[str, Any], profile: str = "edge", certificate: str = "valid", **client: Any
) -> hs.Result:
    return hs.simulate(scenario(server, profile, certificate, **client))


def observed(result: hs.Result) -> AppValue:
    assert result.app_observed is not None
    return result.app_observed.value


def wire_kinds(result: hs.Result, index: int) -> list[Kind]:
    return [e.message.kind for e in result.connections[index].wire]


# --- Kestrel ------------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["win10-22h2", "server-2022", "server-2025"])
def test_kestrel_require_certificate_valid_reaches_the_app(release: str) -> None:
    """RequireCertificate: CertificateRequest in the handshake, the valid certificate is
    the app's (R-KESTREL-1, R-KESTREL-2)."""
    r = run(
        {"release": release, "host": "kestrel", "client_certificate_mode": "RequireCertificate"}
    )
    assert r.outcome.status == 200
    assert observed(r) is AppValue.CERTIFICATE
    assert r.app_observed is not None
    assert r.app_observed.certificate is CertState.VALID
    assert r.certificate_reached_app
    assert r.connections[0].cert_requested.value == "handshake"
    assert r.iis_log is None  # no IIS in front of Kestrel


def test_kestrel_require_certificate_without_one_fails_the_handshake() -> None:
    """No certificate under RequireCertificate: the callback refuses; how the client sees it
    is inferred (alert, with a reset as the alternative)."""
    r = run(
        {
            "release": "server-2022",
            "host": "kestrel",
            "client_certificate_mode": "RequireCertificate",
        },
        certificate="none",
    )
    assert isinstance(r.outcome, hs.TlsAlert)
    assert r.outcome.alert == "fatal:certificate_required(116)"
    assert r.outcome.confidence is Confidence.INFERRED
    assert [a.kind for a in r.outcome.alternatives] == [hs.OutcomeKind.CONNECTION_RESET]
    assert observed(r) is AppValue.NOT_REACHED
    assert not r.certificate_reached_app


@pytest.mark.parametrize("certificate", ["valid", "untrusted", "none"])
def test_kestrel_no_certificate_never_asks(certificate: str) -> None:
    r = run({"release": "server-2025", "host": "kestrel"}, certificate=certificate)
    assert r.scenario.server.certificate_mode is hs.ClientCertificateMode.NO_CERTIFICATE
    assert (r.outcome.status, observed(r)) == (200, AppValue.NULL)
    assert all(c.cert_requested.value == "none" for c in r.connections)
    assert Kind.CERTIFICATE_REQUEST not in wire_kinds(r, 0)


@pytest.mark.parametrize(
    ("release", "how"), [("win10-22h2", "renegotiation"), ("server-2022", "post_handshake")]
)
def test_kestrel_delay_renegotiates_on_tls12_and_uses_pha_on_tls13(release: str, how: str) -> None:
    """DelayCertificate, HTTP/1.1, python-requests (offers PHA, renegotiates)."""
    r = run(
        {"release": release, "host": "kestrel", "client_certificate_mode": "DelayCertificate"},
        profile="python-requests",
    )
    assert observed(r) is AppValue.CERTIFICATE
    assert r.connections[-1].cert_requested.value == how
    assert r.app_observed is not None
    assert r.app_observed.property_value is AppValue.NULL


def test_kestrel_delay_over_tls13_without_pha_throws_inferred() -> None:
    r = run(
        {
            "release": "server-2022",
            "host": "kestrel",
            "client_certificate_mode": "DelayCertificate",
        },
        profile="edge",
        alpn=["http/1.1"],
    )
    assert observed(r) is AppValue.EXCEPTION
    assert r.outcome.status == 500
    assert r.outcome.confidence is Confidence.INFERRED
    assert r.outcome.alternatives
    assert "ERROR_NOT_SUPPORTED" not in r.outcome.describe()  # Kestrel's 500, not IIS's


# --- ASP.NET Core's HTTP.sys server ---------------------------------------------------------


@pytest.mark.parametrize("negotiation", [False, True])
def test_httpsys_no_certificate_gives_null_even_after_the_handshake_asked(
    negotiation: bool,
) -> None:
    r = run(
        {
            "release": "server-2022",
            "host": "aspnetcore-httpsys",
            "client_certificate_method": "NoCertificate",
            "binding": {"client_cert_negotiation": negotiation},
        }
    )
    assert (r.outcome.status, observed(r)) == (200, AppValue.NULL)
    assert r.connections[0].cert_requested.value == ("handshake" if negotiation else "none")
    assert not r.certificate_reached_app


@pytest.mark.parametrize(
    ("negotiation", "expected"), [(False, AppValue.NULL), (True, AppValue.CERTIFICATE)]
)
def test_httpsys_allow_certificate_gives_only_the_handshake_certificate(
    negotiation: bool, expected: AppValue
) -> None:
    r = run(
        {
            "release": "win11-24h2",
            "host": "aspnetcore-httpsys",
            "binding": {"client_cert_negotiation": negotiation},
        },
        profile="python-requests",
    )
    assert r.scenario.server.certificate_method is hs.ClientCertificateMethod.ALLOW_CERTIFICATE
    assert observed(r) is expected
    assert r.outcome.status == 200
    # Nothing asks late: no renegotiation, no post-handshake request.
    assert [c.cert_requested.value for c in r.connections] == [
        "handshake" if negotiation else "none"
    ]


def test_httpsys_allow_renegotation_over_tls12_http11_renegotiates() -> None:
    """AllowRenegotation, TLS 1.2, HTTP/1.1: HelloRequest, then the certificate."""
    r = run(
        {
            "release": "win10-22h2",
            "host": "aspnetcore-httpsys",
            "client_certificate_method": "AllowRenegotation",
        },
        alpn=["http/1.1"],
    )
    assert observed(r) is AppValue.CERTIFICATE
    assert r.connections[-1].cert_requested.value == "renegotiation"
    assert Kind.HELLO_REQUEST in wire_kinds(r, len(r.connections) - 1)
    assert r.outcome.confidence is Confidence.REPORTED


def test_httpsys_allow_renegotation_on_h2_returns_null_without_asking() -> None:
    r = run(
        {
            "release": "win10-22h2",
            "host": "aspnetcore-httpsys",
            "client_certificate_method": "AllowRenegotation",
        }
    )
    assert [c.alpn for c in r.connections] == ["h2"]  # no HTTP_1_1_REQUIRED, no retry
    assert observed(r) is AppValue.NULL


def test_httpsys_24h2_tls13_late_demand_gives_null_not_500() -> None:
    r = run(
        {
            "release": "win11-24h2",
            "host": "aspnetcore-httpsys",
            "client_certificate_method": "AllowRenegotation",
        },
        alpn=["http/1.1"],
    )
    assert (r.outcome.status, observed(r)) == (200, AppValue.NULL)
    assert r.outcome.confidence is Confidence.INFERRED
    assert any(a.status == 500 for a in r.outcome.alternatives)


def test_httpsys_pre24h2_tls13_reset_leaves_the_app_with_a_dead_connection() -> None:
    r = run(
        {
            "release": "win11-23h2",
            "host": "aspnetcore-httpsys",
            "client_certificate_method": "AllowRenegotation",
        },
        alpn=["http/1.1"],
    )
    assert isinstance(r.outcome, hs.ConnectionReset)
    assert observed(r) is AppValue.CONNECTION_GONE


def test_httpsys_hands_over_untrusted_certificates() -> None:
    r = run(
        {
            "release": "server-2022",
            "host": "aspnetcore-httpsys",
            "binding": {"client_cert_negotiation": True},
        },
        certificate="untrusted",
    )
    assert r.outcome.status == 200
    assert r.app_observed is not None
    assert r.app_observed.certificate is CertState.UNTRUSTED
    assert any(s.rule == "R-HTTPSYS-6" for s in r.steps)


# --- the ASP.NET Core Module -----------------------------------------------------------------


@pytest.mark.parametrize("host", ["aspnetcore-iis-inprocess", "aspnetcore-iis-outofprocess"])
def test_ancm_iis_decides_first(host: str) -> None:
    """IIS's 403.16 comes before the app; the seed's reset stays a reset."""
    untrusted = run(
        {
            "release": "server-2022",
            "host": host,
            "access_ssl_flags": ["Ssl", "SslNegotiateCert"],
            "binding": {"client_cert_negotiation": True},
        },
        certificate="untrusted",
    )
    assert (untrusted.outcome.status, untrusted.outcome.substatus) == (403, 16)
    assert observed(untrusted) is AppValue.NOT_REACHED
    late = run({"release": "server-2022", "host": host, "access_ssl_flags": ["SslNegotiateCert"]})
    assert isinstance(late.outcome, hs.ConnectionReset)


def test_ancm_out_of_process_forwards_only_with_ssl_negotiate_cert() -> None:
    server = {
        "release": "server-2025",
        "host": "aspnetcore-iis-outofprocess",
        "binding": {"client_cert_negotiation": True},
    }
    with_flag = run({**server, "access_ssl_flags": ["Ssl", "SslNegotiateCert"]})
    without = run({**server, "access_ssl_flags": ["Ssl"]})
    inproc = run({**server, "host": "aspnetcore-iis-inprocess", "access_ssl_flags": ["Ssl"]})
    assert observed(with_flag) is AppValue.CERTIFICATE
    assert with_flag.certificate_reached_app
    assert observed(without) is AppValue.NULL
    assert not without.certificate_reached_app
    assert observed(inproc) is AppValue.CERTIFICATE  # inferred: the request's SSL info
    assert inproc.outcome.confidence is Confidence.INFERRED
    assert inproc.outcome.alternatives


def test_iis_results_carry_no_app_observation() -> None:
    r = hs.simulate(Scenario.seed())
    assert r.app_observed is None
    assert r.to_dict()["app_observed"] is None


# --- input, JSON, CLI ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "key", "value"),
    [
        ("iis", "client_certificate_mode", "RequireCertificate"),
        ("iis-express", "client_certificate_method", "AllowCertificate"),
        ("kestrel", "client_certificate_method", "AllowCertificate"),
        ("kestrel", "access_ssl_flags", ["Ssl"]),
        ("kestrel", "binding", {"disable_tls13": True}),
        ("aspnetcore-httpsys", "client_certificate_mode", "DelayCertificate"),
        ("aspnetcore-httpsys", "access_ssl_flags", ["Ssl"]),
    ],
)
def test_a_setting_the_host_lacks_is_refused(host: str, key: str, value: object) -> None:
    text = json.dumps({"server": {"host": host, key: value}}, indent=1)
    with pytest.raises(InputError) as info:
        Scenario.from_json(text, filename="s.json")
    err = info.value
    assert err.field == f"server.{key}"
    assert err.line == 4
    assert err.hint is not None
    assert err.hint.startswith(f"{host} settings: release, host")


def test_python_values_refuse_a_setting_of_another_host() -> None:
    with pytest.raises(InputError) as info:
        hs.ServerSetup(host=Host.IIS, client_certificate_mode="DelayCertificate")
    assert info.value.field == "server.client_certificate_mode"


def test_unknown_method_lists_the_api_spelling() -> None:
    with pytest.raises(InputError) as info:
        scenario({"host": "aspnetcore-httpsys", "client_certificate_method": "AllowRenegotiation"})
    assert info.value.hint is not None
    assert "AllowRenegotation" in info.value.hint


@given(host_setups())
def test_host_scenarios_round_trip_through_json(server: hs.ServerSetup) -> None:
    s = Scenario(server=server)
    assert Scenario.from_json(s.to_json()) == s


def test_json_cli_shows_app_observed(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "k.json"
    path.write_text(
        json.dumps(
            {
                "server": {
                    "release": "server-2022",
                    "host": "kestrel",
                    "client_certificate_mode": "RequireCertificate",
                },
                "client": {"profile": "curl"},
            }
        )
    )
    assert main(["simulate", "--scenario", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["app_observed"]["value"] == "certificate"
    assert doc["app_observed"]["certificate"] == "valid"
    assert doc["certificate_reached_app"] is True
    assert doc["scenario"]["server"]["client_certificate_mode"] == "RequireCertificate"
    assert "binding" not in doc["scenario"]["server"]


def test_cli_refuses_mode_with_iis_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--host", "iis", "--client-certificate-mode", "DelayCertificate"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "--client-certificate-mode" in err
    assert "iis settings" in err


def test_matrix_hosts_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "matrix",
            "--hosts",
            "iis,aspnetcore-httpsys:AllowRenegotation,kestrel:RequireCertificate",
            "--releases",
            "win10-22h2",
            "--clients",
            "python-requests",
            "--format",
            "json",
        ]
    )
    assert code == 0
    cells = {c["host"]: c for c in json.loads(capsys.readouterr().out)["cells"]}
    assert cells["iis"]["app_observed"] is None
    assert cells["aspnetcore-httpsys:AllowRenegotation"]["short"] == "200 cert"
    assert cells["kestrel:RequireCertificate"]["app_observed"]["value"] == "certificate"


def test_matrix_hosts_refuses_a_setting_the_host_lacks() -> None:
    with pytest.raises(InputError) as info:
        host_matrix(hosts=["iis:DelayCertificate"])
    assert info.value.field == "hosts"


# --- properties ------------------------------------------------------------------------------

HTTPS = requests().filter(lambda r: r.scheme == "https")


def _app_reads_handshake_certificate(server: hs.ServerSetup) -> bool:
    """Whether the host hands the app a certificate that the handshake brought."""
    flags = server.access_ssl_flags
    if server.host is Host.ASPNETCORE_HTTPSYS:
        return server.certificate_method is not hs.ClientCertificateMethod.NO_CERTIFICATE
    if server.host is Host.KESTREL:
        return server.certificate_mode is not hs.ClientCertificateMode.NO_CERTIFICATE
    if server.host is Host.ASPNETCORE_IIS_OUTOFPROCESS:
        return bool(flags & AccessSslFlag.SSL_NEGOTIATE_CERT)
    return bool(flags & (AccessSslFlag.SSL_NEGOTIATE_CERT | AccessSslFlag.SSL_REQUIRE_CERT))


@given(
    server=host_setups(),
    client=client_setups(certificate=CertState.VALID),
    request=HTTPS,
)
def test_a_certificate_asked_for_in_the_handshake_reaches_the_app(
    server: hs.ServerSetup, client: hs.ClientSetup, request: hs.Request
) -> None:
    """On every host and release: when the handshake asked and the client sent a valid
    certificate, and the host gives the app the handshake's certificate at all, the app has
    it — whatever the TLS and HTTP version."""
    result = hs.simulate(Scenario(server=server, client=client, request=request))
    asked = [c for c in result.connections if c.cert_requested.value == "handshake"]
    if not asked or not _app_reads_handshake_certificate(server):
        return
    assert result.certificate_reached_app, result.explain()
    if result.app_observed is not None:
        assert result.app_observed.value is AppValue.CERTIFICATE


@given(
    server=st.one_of(
        host_setups(host="aspnetcore-httpsys", client_certificate_method="NoCertificate"),
        host_setups(host="kestrel", client_certificate_mode="NoCertificate"),
    ),
    client=client_setups(),
    request=requests(),
)
def test_no_certificate_never_delivers_one(
    server: hs.ServerSetup, client: hs.ClientSetup, request: hs.Request
) -> None:
    result = hs.simulate(Scenario(server=server, client=client, request=request))
    assert not result.certificate_reached_app
    assert result.app_observed is not None
    assert result.app_observed.value is not AppValue.CERTIFICATE


@given(
    server=st.one_of(
        host_setups(host="aspnetcore-httpsys", client_certificate_method="AllowRenegotation"),
        host_setups(host="kestrel", client_certificate_mode="DelayCertificate"),
    ),
    client=client_setups(),
    request=requests(),
)
def test_delayed_requests_never_succeed_on_http2(
    server: hs.ServerSetup, client: hs.ClientSetup, request: hs.Request
) -> None:
    """Renegotiation (HTTP.sys AllowRenegotation) and DelayCertificate never ask on an h2
    connection: no HelloRequest, no post-handshake CertificateRequest there, and a request
    answered on h2 without a handshake certificate gives the app null."""
    result = hs.simulate(Scenario(server=server, client=client, request=request))
    for c in result.connections:
        if c.alpn == "h2":
            assert c.cert_requested.value in ("none", "handshake")
            kinds = [e.message.kind for e in c.wire]
            assert Kind.HELLO_REQUEST not in kinds
            assert kinds.count(Kind.CERTIFICATE_REQUEST) <= 1
    last = result.connections[-1] if result.connections else None
    if last is not None and last.alpn == "h2" and last.cert_requested.value == "none":
        assert result.app_observed is not None
        assert result.app_observed.value in (AppValue.NULL, AppValue.NOT_REACHED)


@given(server=host_setups(), client=client_setups(), request=requests())
def test_every_host_outcome_is_total_cited_and_doubt_carries_alternatives(
    server: hs.ServerSetup, client: hs.ClientSetup, request: hs.Request
) -> None:
    s = Scenario(server=server, client=client, request=request)
    result = hs.simulate(s)
    assert hs.simulate(s) == result
    assert result.to_json() == hs.simulate(s).to_json()
    if result.outcome.confidence is Confidence.INFERRED:
        assert result.outcome.alternatives, result.explain()
    for step in result.steps:
        assert hs.get_rule(step.rule).sources
    if server.host in (Host.IIS, Host.IIS_EXPRESS):
        assert result.app_observed is None
    else:
        assert result.app_observed is not None
        assert attrs.evolve(result.app_observed) == result.app_observed


# --- the fake HTTP.sys and the pytest plugin ---------------------------------------------------


def test_fake_answers_what_the_asp_net_core_app_observes() -> None:
    from httpsys_sim.testing import AppCertificateError, fake_http_sys

    fake = fake_http_sys(
        release="server-2022",
        host="kestrel",
        client_certificate_mode="DelayCertificate",
        client_overrides={"alpn": ["http/1.1"]},
    )
    with pytest.raises(AppCertificateError) as info:
        fake.get_client_certificate()
    assert info.value.rule == "R-KESTREL-5"
    with pytest.raises(InputError):
        fake.receive_client_certificate()  # Kestrel has no http.sys
    required = fake_http_sys(host="kestrel", client_certificate_mode="RequireCertificate")
    cert = required.get_client_certificate()
    assert cert is not None
    assert cert.state is CertState.VALID
    with pytest.raises(InputError):
        fake_http_sys().get_client_certificate()  # IIS Express runs no ASP.NET Core app


def test_fake_http_sys_server_raw_call_on_24h2_is_not_supported_but_the_app_sees_null() -> None:
    from httpsys_sim.testing import ERROR_NOT_SUPPORTED, fake_http_sys

    fake = fake_http_sys(
        release="win11-24h2",
        host="aspnetcore-httpsys",
        client_certificate_method="AllowRenegotation",
        client_overrides={"alpn": ["http/1.1"]},
    )
    assert fake.receive_client_certificate(raise_on_error=False).status == ERROR_NOT_SUPPORTED
    assert fake.get_client_certificate() is None


@pytest.mark.httpsys_hosts("aspnetcore-httpsys:NoCertificate", "kestrel:NoCertificate")
@pytest.mark.httpsys_releases("win10-22h2", "server-2025")
def test_plugin_parametrizes_hosts(
    httpsys_host: str, httpsys_release: hs.Release, httpsys_simulate: Any
) -> None:
    result = httpsys_simulate(client_cert_negotiation=True)
    assert result.scenario.server.host.value == httpsys_host.partition(":")[0]
    assert result.scenario.server.release == httpsys_release
    assert not result.certificate_reached_app


@given(host_setups())
def test_host_scenarios_repr_round_trip(server: hs.ServerSetup) -> None:
    """``eval(repr(s))`` in the ``httpsys_sim`` namespace gives the host scenario back."""
    namespace = {name: getattr(hs, name) for name in hs.__all__}
    s = Scenario(server=server)
    assert eval(repr(s), namespace) == s
