"""Example tests of the request pipeline: the seed cases (behaviour §7), every row of the
R-REQ-2 table (behaviour §4), certificate validation (R-IIS-5), the configuration corner
cases (R-IIS-2, R-IIS-3, the binding's ``reject``, no common TLS version) and the fixes.

The seed cases are checked twice: through the Python API and through
``httpsys-sim simulate --scenario FILE --format json`` (contract §2.2), from a hand-written
§2.1 document that must parse to the same scenario.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import httpsys_sim as hs
from httpsys_sim.catalogue._clients import H11RetryPolicy, get_client
from httpsys_sim.cli import main
from httpsys_sim.core._scenario import default_binding
from httpsys_sim.tls import Kind, RenegotiationAnswer

A = hs.AccessSslFlag
ACCEPT = A.SSL | A.SSL_NEGOTIATE_CERT
REQUIRE = A.SSL | A.SSL_NEGOTIATE_CERT | A.SSL_REQUIRE_CERT
H2_PUSHBACK = "http2_error:HTTP_1_1_REQUIRED"


# --- helpers ------------------------------------------------------------------------------


def scenario(
    release: str = "win11-24h2",
    *,
    host: hs.Host = hs.Host.IIS_EXPRESS,
    flags: hs.AccessSslFlag = A.SSL_NEGOTIATE_CERT,
    profile: str = "edge",
    certificate: hs.CertState = hs.CertState.VALID,
    binding: dict[str, Any] | None = None,
    schannel: hs.SchannelSettings | None = None,
    request: hs.Request | None = None,
    **server: Any,
) -> hs.Scenario:
    """A scenario built through the public constructors."""
    b = default_binding(host)
    if binding:
        b = attrs.evolve(b, **binding)
    return hs.Scenario(
        server=hs.ServerSetup(
            release=release,
            host=host,
            binding=b,
            access_ssl_flags=flags,
            schannel=schannel or hs.SchannelSettings(),
            **server,
        ),
        client=hs.ClientSetup(profile=profile, certificate=certificate),
        request=request or hs.Request(),
    )


def client(s: hs.Scenario, **overrides: Any) -> hs.Scenario:
    """``s`` with client capability overrides."""
    return attrs.evolve(s, client=attrs.evolve(s.client, **overrides))


#: How Edge (the seed's client: Chromium) ends a connection at its first CertificateRequest,
#: to ask which certificate to send before it repeats the request (R-CLI-16).
ASKED = "closed_by_client:choose_certificate"
ASKED_IN_HANDSHAKE = (None, None, "handshake", ASKED)
ASKED_IN_RENEGOTIATION = ("1.2", "http/1.1", "renegotiation", ASKED)


def conns(result: hs.Result) -> list[tuple[str | None, str | None, str, str]]:
    return [(c.tls_version, c.alpn, c.cert_requested.value, c.end) for c in result.connections]


def doc_conns(doc: dict[str, Any]) -> list[tuple[str | None, str | None, str, str]]:
    return [
        (c["tls_version"], c["alpn"], c["cert_requested"], c["end"]) for c in doc["connections"]
    ]


def log(result: hs.Result) -> tuple[int, int, int] | None:
    line = result.iis_log
    return None if line is None else (line.status, line.substatus, line.win32_status)


def doc_log(doc: dict[str, Any]) -> tuple[int, int, int] | None:
    line = doc["iis_log"]
    if line is None:
        return None
    return (line["sc-status"], line["sc-substatus"], line["sc-win32-status"])


def key_rules(result: hs.Result) -> list[str]:
    return [s.rule for s in result.why()]


def deciding_step(result: hs.Result, rule: str) -> hs.Step:
    """The last key step citing ``rule``."""
    steps = [s for s in result.steps if s.rule == rule and s.key]
    assert steps, f"no key step cites {rule}: {key_rules(result)}"
    return steps[-1]


def decided_on(result: hs.Result, rule: str) -> int | None:
    """The connection the last key step citing ``rule`` happened on (IIS and client steps
    carry no connection index: they belong to the connection of the step before them)."""
    deciding_step(result, rule)
    current: int | None = None
    found: int | None = None
    for step in result.steps:
        if step.connection is not None:
            current = step.connection
        if step.rule == rule and step.key:
            found = current
    return found


def wire(result: hs.Result, index: int) -> list[tuple[str, Kind]]:
    return [(e.sender.value, e.message.kind) for e in result.connections[index].wire]


def run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any) -> dict[str, Any]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    code = main(["simulate", "--scenario", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    parsed: dict[str, Any] = json.loads(out)
    return parsed


# --- behaviour §7: the seed --------------------------------------------------------------------

IIS_EXPRESS_DOC = {
    "host": "iis-express",
    "binding": {"client_cert_negotiation": False},
    "access_ssl_flags": "SslNegotiateCert",
}


def seed_doc(release: str, host: str = "iis-express", **binding: bool) -> dict[str, Any]:
    server: dict[str, Any] = {**IIS_EXPRESS_DOC, "release": release, "host": host}
    server["binding"] = {"client_cert_negotiation": False, **binding}
    return {
        "server": server,
        "client": {"profile": "edge", "certificate": "valid"},
        "request": {"method": "GET", "path": "/", "body_bytes": 0},
    }


def seed_api(release: str, host: str = "iis-express", **binding: bool) -> hs.Scenario:
    return scenario(release, host=hs.Host(host), binding=binding)


SEED_RESET = [("win11-23h2", "iis-express"), ("server-2022", "iis")]
SEED_500 = [("win11-24h2", "iis-express"), ("server-2025", "iis")]


def assert_same(result: hs.Result, doc: dict[str, Any]) -> None:
    """The API result and the CLI's JSON document say the same thing."""
    o = result.outcome
    d = doc["outcome"]
    assert (d["kind"], d["status"], d["substatus"], d["win32_status"], d["hresult"]) == (
        o.kind.value,
        o.status,
        o.substatus,
        o.win32_status,
        o.hresult,
    )
    assert d["client_error"] == o.client_error
    assert doc_conns(doc) == conns(result)
    assert doc_log(doc) == log(result)
    assert doc["certificate_reached_app"] is result.certificate_reached_app
    assert [s["rule"] for s in doc["steps"]] == [s.rule for s in result.steps]


@pytest.mark.parametrize(("release", "host"), SEED_RESET)
def test_seed_pre_24h2_resets(
    release: str, host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§7: Windows 11 23H2 / Server 2022 with full IIS: TLS 1.3, late demand, TCP reset."""
    s = seed_api(release, host)
    assert hs.Scenario.from_json(json.dumps(seed_doc(release, host))) == s
    result = hs.simulate(s)
    assert isinstance(result.outcome, hs.ConnectionReset)
    assert result.outcome.client_error == "ERR_CONNECTION_RESET"
    assert result.outcome.rule == "R-REQ-2.tls13-reset"
    assert conns(result) == [
        ("1.3", "h2", "none", H2_PUSHBACK),
        ("1.3", "http/1.1", "none", "reset"),
    ]
    assert result.iis_log is None
    assert result.certificate_reached_app is False
    assert decided_on(result, "R-REQ-2.tls13-reset") == 1

    doc = run_cli(tmp_path, capsys, seed_doc(release, host))
    assert_same(result, doc)
    assert doc["outcome"]["kind"] == "connection_reset"
    assert doc["outcome"]["client_error"] == "ERR_CONNECTION_RESET"
    assert doc["outcome"]["status"] is None
    assert doc["iis_log"] is None


@pytest.mark.parametrize(("release", "host"), SEED_500)
def test_seed_24h2_answers_500(
    release: str, host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§7: Windows 11 24H2 / Server 2025 with full IIS: 500.0, 0x80070032, IIS Web Core."""
    s = seed_api(release, host)
    assert hs.Scenario.from_json(json.dumps(seed_doc(release, host))) == s
    result = hs.simulate(s)
    o = result.outcome
    assert isinstance(o, hs.HttpResponse)
    assert (o.status, o.substatus, o.win32_status, o.hresult) == (500, 0, 50, "0x80070032")
    assert o.module == "IIS Web Core"
    assert o.rule == "R-REQ-2.tls13-not-supported"
    assert log(result) == (500, 0, 50)
    assert result.certificate_reached_app is False
    # The connection survives: the HTTP/1.1 connection ends with the response.
    assert conns(result) == [
        ("1.3", "h2", "none", H2_PUSHBACK),
        ("1.3", "http/1.1", "none", "response"),
    ]
    assert decided_on(result, "R-REQ-2.tls13-not-supported") == 1

    doc = run_cli(tmp_path, capsys, seed_doc(release, host))
    assert_same(result, doc)
    assert doc["outcome"]["hresult"] == "0x80070032"
    assert "IIS Web Core" in doc["outcome"]["summary"]
    assert doc["iis_log"] == {"sc-status": 500, "sc-substatus": 0, "sc-win32-status": 50}


@pytest.mark.parametrize(("release", "host"), SEED_RESET + SEED_500)
def test_seed_fix_clientcertnegotiation(
    release: str, host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§7: either release with clientcertnegotiation=enable: asked in the handshake → 200."""
    s = seed_api(release, host, client_cert_negotiation=True)
    document = seed_doc(release, host, client_cert_negotiation=True)
    assert hs.Scenario.from_json(json.dumps(document)) == s
    result = hs.simulate(s)
    assert isinstance(result.outcome, hs.HttpResponse)
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True
    assert conns(result) == [ASKED_IN_HANDSHAKE, ("1.3", "h2", "handshake", "response")]
    assert log(result) == (200, 0, 0)
    assert "R-REQ-1" in key_rules(result)
    assert hs.find_fixes(result) == ()

    doc = run_cli(tmp_path, capsys, document)
    assert_same(result, doc)
    assert doc["certificate_reached_app"] is True
    assert doc["fixes"] == []


@pytest.mark.parametrize(("release", "host"), SEED_RESET + SEED_500)
def test_seed_workaround_disable_tls13(
    release: str, host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """§7: TLS 1.3 disabled on the binding: TLS 1.2, h2 pushed back, renegotiation → 200."""
    s = seed_api(release, host, disable_tls13=True)
    document = seed_doc(release, host, disable_tls13=True)
    assert hs.Scenario.from_json(json.dumps(document)) == s
    result = hs.simulate(s)
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True
    assert conns(result) == [
        ("1.2", "h2", "none", H2_PUSHBACK),
        ASKED_IN_RENEGOTIATION,
        ("1.2", "http/1.1", "renegotiation", "response"),
    ]
    assert decided_on(result, "R-REQ-2.h2") == 0
    assert decided_on(result, "R-REQ-2.tls12-reneg") == 2  # the renegotiation Edge completes

    doc = run_cli(tmp_path, capsys, document)
    assert_same(result, doc)


def test_seed_windows_10(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """§7: Windows 10: TLS 1.2 → renegotiation → 200 (why it "appeared" with Windows 11)."""
    s = seed_api("win10-22h2")
    assert hs.Scenario.from_json(json.dumps(seed_doc("win10-22h2"))) == s
    result = hs.simulate(s)
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True
    assert conns(result) == [
        ("1.2", "h2", "none", H2_PUSHBACK),
        ASKED_IN_RENEGOTIATION,
        ("1.2", "http/1.1", "renegotiation", "response"),
    ]
    assert log(result) == (200, 0, 0)
    assert hs.find_fixes(result) == ()

    doc = run_cli(tmp_path, capsys, seed_doc("win10-22h2"))
    assert_same(result, doc)


# --- behaviour §4, R-REQ-2: one example per row ----------------------------------------------


@pytest.mark.parametrize("release", ["win10-22h2", "win11-24h2"])
def test_h2_stream_reset_then_http11_retry(release: str) -> None:
    """HTTP/2 (any TLS version): RST_STREAM HTTP_1_1_REQUIRED; Edge retries on HTTP/1.1."""
    result = hs.simulate(scenario(release))
    version = "1.2" if release == "win10-22h2" else "1.3"
    first, second, *rest = result.connections
    assert (first.tls_version, first.alpn, first.cert_requested.value, first.end) == (
        version,
        "h2",
        "none",
        H2_PUSHBACK,
    )
    assert decided_on(result, "R-REQ-2.h2") == 0
    assert decided_on(result, "R-CLI-4") == 0
    # The retry is a fresh connection offering only http/1.1, which goes through the table
    # again.
    hellos = [e.message for e in second.wire if e.message.kind is Kind.CLIENT_HELLO]
    assert hellos[0].alpn == ("http/1.1",)
    assert second.alpn == "http/1.1"
    # The last late demand: on the retry (24H2), or on Edge's repeat with its choice (TLS 1.2).
    assert decided_on(result, "R-REQ-2") == (2 if version == "1.2" else 1)
    # Nothing about renegotiation or PHA happened on the h2 connection.
    assert Kind.HELLO_REQUEST not in [k for _, k in wire(result, 0)]
    # The HTTP/1.1 retry decides: renegotiation on TLS 1.2, the 24H2 500.0 on TLS 1.3.
    if version == "1.2":
        # Edge ends the renegotiation at its CertificateRequest to ask which certificate to
        # send, and renegotiates with the choice on a third connection (R-CLI-16).
        assert conns(result)[1:] == [
            ASKED_IN_RENEGOTIATION,
            ("1.2", "http/1.1", "renegotiation", "response"),
        ]
        assert (log(result), result.certificate_reached_app) == ((200, 0, 0), True)
    else:
        assert rest == []
        assert (log(result), result.certificate_reached_app) == ((500, 0, 50), False)


@pytest.mark.parametrize(
    ("profile", "alpn"),
    [
        ("chrome", None),
        ("edge", None),
        ("firefox", None),
        ("safari", None),
        ("curl", None),
        # .NET HttpClient asks for HTTP/1.1 by default; with h2 its default version policy
        # (RequestVersionOrLower) lets it retry.
        ("dotnet-windows", ("h2", "http/1.1")),
        ("dotnet-linux", ("h2", "http/1.1")),
    ],
)
def test_h2_clients_that_retry(profile: str, alpn: tuple[str, ...] | None) -> None:
    """R-REQ-2 HTTP/2 row: Chromium, Firefox, curl (and, inferred, Safari) and .NET
    retry on a new HTTP/1.1 connection."""
    s = scenario("win11-24h2", profile=profile)
    if alpn is not None:
        s = client(s, alpn=alpn)
    result = hs.simulate(s)
    assert [(c.alpn, c.end) for c in result.connections] == [
        ("h2", H2_PUSHBACK),
        ("http/1.1", "response"),
    ]
    assert decided_on(result, "R-CLI-4") == 0
    assert result.outcome.status == 500


@pytest.mark.parametrize(
    ("profile", "overrides", "client_error"),
    [
        ("edge", {"on_http_1_1_required": H11RetryPolicy.FAIL}, "ERR_HTTP_1_1_REQUIRED"),
        ("rustls", {}, "http2 error: stream error received: HTTP_1_1_REQUIRED"),
    ],
)
def test_h2_client_without_retry_gets_http2_error(
    profile: str, overrides: dict[str, Any], client_error: str
) -> None:
    """HTTP/2, a client that does not retry: the stream error is the outcome."""
    result = hs.simulate(client(scenario("win11-23h2", profile=profile), **overrides))
    assert isinstance(result.outcome, hs.Http2Error)
    assert result.outcome.kind is hs.OutcomeKind.HTTP2_ERROR
    assert result.outcome.rule == "R-REQ-2.h2"
    assert result.outcome.client_error == client_error
    assert result.outcome.status is None
    assert conns(result) == [("1.3", "h2", "none", H2_PUSHBACK)]
    # Model: no W3C line for a request whose stream was reset before IIS answered.
    assert result.iis_log is None
    assert result.certificate_reached_app is False
    assert result.to_dict()["outcome"]["kind"] == "http2_error"


def test_h3_fallback_when_http3_enabled() -> None:
    """HTTP/3 (``EnableHttp3`` on): no renegotiation or PHA in QUIC → H3_VERSION_FALLBACK,
    then TCP; Windows' exact behaviour is inferred, so the outcome says so."""
    result = hs.simulate(scenario("win11-24h2", profile="firefox", http3=True))
    quic = result.connections[0]
    assert (quic.transport, quic.tls_version, quic.alpn, quic.cert_requested.value) == (
        "quic",
        "1.3",
        "h3",
        "none",
    )
    assert quic.end == "h3_error:H3_VERSION_FALLBACK"
    assert decided_on(result, "R-REQ-2.h3") == 0
    assert all(c.transport == "tcp" for c in result.connections[1:])
    assert conns(result)[1:] == [
        ("1.3", "h2", "none", H2_PUSHBACK),
        ("1.3", "http/1.1", "none", "response"),
    ]
    assert result.outcome.status == 500
    assert log(result) == (500, 0, 50)
    assert result.certificate_reached_app is False
    assert result.outcome.confidence is hs.Confidence.INFERRED
    assert "R-REQ-2.h3" in [a.rule for a in result.outcome.alternatives]


@pytest.mark.parametrize(
    ("release", "http3", "binding"),
    [
        ("win11-24h2", False, {}),  # EnableHttp3 is off by default (S37)
        ("win11-24h2", True, {"disable_quic": True}),
        ("win10-22h2", True, {}),  # QUIC needs TLS 1.3
    ],
)
def test_no_quic_without_http3(release: str, http3: bool, binding: dict[str, bool]) -> None:
    result = hs.simulate(scenario(release, profile="firefox", http3=http3, binding=binding))
    assert all(c.transport == "tcp" for c in result.connections)
    assert "R-REQ-2.h3" not in [s.rule for s in result.steps]


def test_h3_with_handshake_negotiation_needs_no_fallback() -> None:
    result = hs.simulate(
        scenario(
            "win11-24h2", profile="firefox", http3=True, binding={"client_cert_negotiation": True}
        )
    )
    assert [(c.transport, c.alpn, c.cert_requested.value) for c in result.connections] == [
        ("quic", "h3", "handshake")
    ]
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True


@pytest.mark.parametrize(
    ("flags", "certificate", "expected", "reached"),
    [
        (ACCEPT, hs.CertState.VALID, (200, 0, 0), True),
        (ACCEPT, hs.CertState.NONE, (200, 0, 0), False),
        (REQUIRE, hs.CertState.NONE, (403, 7, 5), False),
        (REQUIRE, hs.CertState.UNTRUSTED, (403, 16, 0x800B0109), False),
    ],
)
def test_tls12_renegotiation(
    flags: hs.AccessSslFlag,
    certificate: hs.CertState,
    expected: tuple[int, int, int],
    reached: bool,
) -> None:
    """TLS 1.2, HTTP/1.1, small body: HelloRequest, a full handshake with CertificateRequest
    inside the encrypted connection, then IIS decides 200 / 403.x."""
    s = scenario("win10-22h2", flags=flags, profile="python-requests", certificate=certificate)
    result = hs.simulate(s)
    assert conns(result) == [("1.2", "http/1.1", "renegotiation", "response")]
    o = result.outcome
    assert (o.status, o.substatus, o.win32_status) == expected
    assert log(result) == expected
    assert result.certificate_reached_app is reached
    assert decided_on(result, "R-REQ-2.tls12-reneg") == 0
    messages = [e.message for e in result.connections[0].wire]
    hello_request = next(i for i, m in enumerate(messages) if m.kind is Kind.HELLO_REQUEST)
    after = messages[hello_request:]
    assert all(m.encrypted for m in after), "a renegotiation travels encrypted (R-TLS-7)"
    assert any(m.kind is Kind.CLIENT_HELLO and m.renegotiation for m in after)
    assert any(m.kind is Kind.CERTIFICATE_REQUEST for m in after)


@pytest.mark.parametrize(("body", "status"), [(49152, 200), (49153, 413)])
def test_tls12_body_over_upload_read_ahead(body: int, status: int) -> None:
    """TLS 1.2 renegotiation with a body over uploadReadAheadSize (49152 by default) → 413."""
    s = scenario(
        "win10-22h2",
        profile="python-requests",
        request=hs.Request(method="POST", body_bytes=body),
    )
    result = hs.simulate(s)
    assert result.outcome.status == status
    if status == 413:
        assert result.outcome.rule == "R-REQ-2.tls12-body"
        assert log(result) == (413, 0, 0)
        assert conns(result) == [("1.2", "http/1.1", "none", "response")]
        assert result.certificate_reached_app is False
        assert Kind.HELLO_REQUEST not in [k for _, k in wire(result, 0)]
        assert decided_on(result, "R-REQ-2.tls12-body") == 0
    else:
        assert conns(result) == [("1.2", "http/1.1", "renegotiation", "response")]


@pytest.mark.parametrize("profile", ["go", "python-httpx", "java-httpclient"])
def test_h2_clients_that_do_not_retry(profile: str) -> None:
    """Observed (tests/clients/): Go's default Transport, httpx and Java's HttpClient surface
    the HTTP_1_1_REQUIRED stream error and do not retry over HTTP/1.1."""
    result = hs.simulate(scenario("win11-24h2", profile=profile))
    assert isinstance(result.outcome, hs.Http2Error)
    assert conns(result) == [("1.3", "h2", "none", H2_PUSHBACK)]
    assert result.iis_log is None


def test_tls12_client_refuses_renegotiation() -> None:
    """TLS 1.2, the client answers HelloRequest with no_renegotiation → http.sys resets.
    (Go, told to retry over HTTP/1.1, which its default Transport does not do by itself.)"""
    result = hs.simulate(client(scenario("win10-22h2", profile="go"), on_http_1_1_required="retry"))
    assert isinstance(result.outcome, hs.ConnectionReset)
    assert result.outcome.rule == "R-REQ-2.tls12-refused"
    # Go reports its own refusal (observed, tests/clients/), not the reset that follows.
    assert result.outcome.client_error == 'Get "<url>": local error: tls: no renegotiation'
    assert conns(result) == [
        ("1.2", "h2", "none", H2_PUSHBACK),
        ("1.2", "http/1.1", "renegotiation", "reset"),
    ]
    assert result.iis_log is None
    assert result.certificate_reached_app is False
    assert decided_on(result, "R-REQ-2.tls12-refused") == 1
    client_alerts = [
        e.message.label()
        for e in result.connections[1].wire
        if e.sender.value == "client" and e.message.kind is Kind.ALERT
    ]
    assert client_alerts == ["alert warning:no_renegotiation(100)"]


def test_tls12_client_refuses_with_a_fatal_alert() -> None:
    """A BoringSSL-style fatal no_renegotiation (R-TLS-1, R-CLI-2): the client tears the
    connection down itself, so the user sees its alert error rather than a server reset."""
    s = client(
        scenario("win10-22h2"),
        renegotiation_http11=RenegotiationAnswer.REFUSE,
        refusal_level=hs.AlertLevel.FATAL,
    )
    result = hs.simulate(s)
    assert isinstance(result.outcome, hs.TlsAlert)
    assert result.outcome.alert == "fatal:no_renegotiation(100)"
    assert result.outcome.sent_by == "client"
    assert "no_renegotiation" in (result.outcome.client_error or "")
    assert conns(result)[-1] == ("1.2", "http/1.1", "renegotiation", "tls_alert:no_renegotiation")
    assert result.iis_log is None
    assert "clientcertnegotiation" in [f.id for f in hs.find_fixes(result)]


def test_tls12_client_ignores_hello_request() -> None:
    """TLS 1.2, the client ignores HelloRequest: the connection hangs until http.sys's
    renegotiation timer ends it (HTTPERR Timer_SslRenegotiation); a reset is the alternative
    (evidence pass 3 corrected the old reset reading)."""
    s = client(scenario("win10-22h2"), renegotiation_http11=RenegotiationAnswer.IGNORE)
    result = hs.simulate(s)
    assert isinstance(result.outcome, hs.Timeout)
    assert result.outcome.rule == "R-REQ-2.tls12-ignored"
    assert result.outcome.client_error == get_client("edge").error_timeout.value
    assert [a.kind for a in result.outcome.alternatives] == [hs.OutcomeKind.CONNECTION_RESET]
    assert result.httperr == "Timer_SslRenegotiation"
    assert conns(result)[-1] == ("1.2", "http/1.1", "renegotiation", "timeout")
    assert result.iis_log is None
    assert decided_on(result, "R-REQ-2.tls12-ignored") == 1
    # The client never answered: nothing from it after the HelloRequest.
    kinds = wire(result, 1)
    after = kinds[[k for _, k in kinds].index(Kind.HELLO_REQUEST) :]
    assert [who for who, _ in after] == ["server"]


def test_tls12_schannel_disable_reneg_on_server() -> None:
    """TLS 1.2 with Schannel DisableRenegoOnServer=1: no renegotiation can start → reset."""
    s = scenario(
        "win10-22h2",
        profile="python-requests",
        schannel=hs.SchannelSettings(disable_reneg_on_server=True),
    )
    result = hs.simulate(s)
    assert isinstance(result.outcome, hs.ConnectionReset)
    assert result.outcome.rule == "R-REQ-2.tls12-schannel-blocked"
    assert conns(result) == [("1.2", "http/1.1", "none", "reset")]
    assert result.iis_log is None
    assert Kind.HELLO_REQUEST not in [k for _, k in wire(result, 0)]
    assert decided_on(result, "R-REQ-2.tls12-schannel-blocked") == 0
    assert "schannel-reneg" in [f.id for f in hs.find_fixes(result)]


def test_rfc5746_strict_reset_cites_the_rfc5746_rule() -> None:
    """R-TLS-2: AllowInsecureRenegoClients=0 and a client without RFC 5746: Schannel will not
    renegotiate; the reset cites RFC 5746, not DisableRenegoOnServer (which is off)."""
    s = client(
        scenario(
            "win10-22h2",
            profile="python-requests",
            schannel=hs.SchannelSettings(allow_insecure_reneg_clients=False),
        ),
        secure_renegotiation=False,
    )
    result = hs.simulate(s)
    assert result.outcome.kind is hs.OutcomeKind.CONNECTION_RESET
    assert "RFC5746-3" in key_rules(result)
    assert result.outcome.rule in key_rules(result)
    assert result.outcome.rule != "R-REQ-2.tls12-schannel-blocked"
    assert conns(result) == [("1.2", "http/1.1", "none", "reset")]
    assert result.iis_log is None


def test_legacy_client_renegotiates_when_schannel_allows_it() -> None:
    """R-TLS-2: AllowInsecureRenegoClients=1 (the default) lets a legacy client (no RFC 5746)
    that accepts HelloRequest renegotiate."""
    s = client(scenario("win10-22h2", profile="python-requests"), secure_renegotiation=False)
    assert s.server.schannel.allow_insecure_reneg_clients is True
    result = hs.simulate(s)
    assert conns(result) == [("1.2", "http/1.1", "renegotiation", "response")]
    assert result.outcome.status == 200


PRE_24H2_TLS13 = ["server-2022", "win11-21h2", "win11-22h2", "win11-23h2"]


@pytest.mark.parametrize("release", PRE_24H2_TLS13)
@pytest.mark.parametrize(
    ("profile", "client_error"),
    [
        ("chrome", "ERR_CONNECTION_RESET"),
        ("node", "Error: socket hang up (code ECONNRESET)"),
        ("java", "java.net.SocketException: Connection reset"),
    ],
)
def test_tls13_pre_24h2_without_pha_resets(release: str, profile: str, client_error: str) -> None:
    """TLS 1.3 before 24H2, no post_handshake_auth: TCP reset, no response, no W3C line."""
    result = hs.simulate(scenario(release, profile=profile))
    assert isinstance(result.outcome, hs.ConnectionReset)
    assert result.outcome.rule == "R-REQ-2.tls13-reset"
    assert result.outcome.client_error == client_error
    last = result.connections[-1]
    assert (last.tls_version, last.alpn, last.cert_requested.value, last.end) == (
        "1.3",
        "http/1.1",
        "none",
        "reset",
    )
    assert result.iis_log is None
    assert result.to_dict()["iis_log"] is None
    assert decided_on(result, "R-REQ-2.tls13-reset") == len(result.connections) - 1
    assert Kind.CERTIFICATE_REQUEST not in [k for _, k in wire(result, -1)]


@pytest.mark.parametrize("release", PRE_24H2_TLS13)
@pytest.mark.parametrize(("flags", "expected"), [(ACCEPT, (200, 0, 0)), (REQUIRE, (403, 7, 5))])
def test_tls13_pre_24h2_with_pha_curl(
    release: str, flags: hs.AccessSslFlag, expected: tuple[int, int, int]
) -> None:
    """TLS 1.3 before 24H2, client offered post_handshake_auth (curl): no certificate
    reaches IIS — Accept → 200 without it, Require → 403.7; a reset is the alternative."""
    result = hs.simulate(scenario(release, flags=flags, profile="curl"))
    o = result.outcome
    assert isinstance(o, hs.HttpResponse)
    assert (o.status, o.substatus, o.win32_status) == expected
    assert log(result) == expected
    assert result.certificate_reached_app is False
    assert conns(result) == [
        ("1.3", "h2", "none", H2_PUSHBACK),
        ("1.3", "http/1.1", "none", "response"),
    ]
    assert decided_on(result, "R-REQ-2.tls13-pha") == 1
    # The row is `reported` (S26); the outcome is no surer than its weakest deciding rule.
    assert hs.get_rule("R-REQ-2.tls13-pha").confidence is hs.Confidence.REPORTED
    assert o.confidence in (hs.Confidence.REPORTED, hs.Confidence.INFERRED)
    assert (hs.OutcomeKind.CONNECTION_RESET, "R-REQ-2.tls13-pha") in [
        (a.kind, a.rule) for a in o.alternatives
    ]
    hello = next(
        e.message for e in result.connections[1].wire if e.message.kind is Kind.CLIENT_HELLO
    )
    assert hello.post_handshake_auth is True


NOT_SUPPORTED = ["win11-24h2", "win11-25h2", "server-2025"]


@pytest.mark.parametrize("release", NOT_SUPPORTED)
@pytest.mark.parametrize(
    "profile", ["edge", "curl", "python-requests", "go-custom-transport", "firefox-pha"]
)
def test_tls13_24h2_and_later_answer_500(release: str, profile: str) -> None:
    """TLS 1.3 on 24H2 / 25H2 / Server 2025, any client: ERROR_NOT_SUPPORTED → 500.0
    0x80070032 from IIS Web Core; the connection survives."""
    result = hs.simulate(scenario(release, profile=profile))
    o = result.outcome
    assert isinstance(o, hs.HttpResponse)
    assert (o.status, o.substatus, o.win32_status, o.hresult, o.module) == (
        500,
        0,
        50,
        "0x80070032",
        "IIS Web Core",
    )
    assert o.rule == "R-REQ-2.tls13-not-supported"
    assert log(result) == (500, 0, 50)
    assert result.certificate_reached_app is False
    last = result.connections[-1]
    assert (last.tls_version, last.alpn, last.cert_requested.value, last.end) == (
        "1.3",
        "http/1.1",
        "none",
        "response",
    )
    assert decided_on(result, "R-REQ-2.tls13-not-supported") == (len(result.connections) - 1)
    if release == "win11-25h2":  # R-REL-4: reported equal to 24H2 (S46), never tested
        assert o.confidence is hs.Confidence.REPORTED
        assert hs.OutcomeKind.CONNECTION_RESET in [a.kind for a in o.alternatives]


# --- R-IIS-5: certificate validation, asked for in the handshake -------------------------------

CERT_TABLE = [
    (ACCEPT, hs.CertState.VALID, (200, 0, 0), True),
    (ACCEPT, hs.CertState.NONE, (200, 0, 0), False),
    (ACCEPT, hs.CertState.UNTRUSTED, (403, 16, 2148204809), False),
    (ACCEPT, hs.CertState.EXPIRED, (403, 17, 0x800B0101), False),
    (ACCEPT, hs.CertState.REVOKED, (403, 13, 0x80092010), False),
    (REQUIRE, hs.CertState.VALID, (200, 0, 0), True),
    (REQUIRE, hs.CertState.NONE, (403, 7, 5), False),
    (REQUIRE, hs.CertState.UNTRUSTED, (403, 16, 2148204809), False),
    (REQUIRE, hs.CertState.EXPIRED, (403, 17, 0x800B0101), False),
    (REQUIRE, hs.CertState.REVOKED, (403, 13, 0x80092010), False),
]


@pytest.mark.parametrize(("flags", "certificate", "expected", "reached"), CERT_TABLE)
@pytest.mark.parametrize("release", ["win11-24h2", "win10-22h2"])
def test_certificate_validation(
    release: str,
    flags: hs.AccessSslFlag,
    certificate: hs.CertState,
    expected: tuple[int, int, int],
    reached: bool,
) -> None:
    """R-IIS-5 / R-IIS-6: status, sub-status and the logged win32 status per certificate;
    an invalid certificate is refused under Accept too (S34)."""
    s = scenario(
        release, flags=flags, certificate=certificate, binding={"client_cert_negotiation": True}
    )
    result = hs.simulate(s)
    o = result.outcome
    assert isinstance(o, hs.HttpResponse)
    assert (o.status, o.substatus, o.win32_status) == expected
    assert log(result) == expected
    assert result.certificate_reached_app is reached
    assert [(c.cert_requested.value, c.end) for c in result.connections] == [
        ("handshake", ASKED),
        ("handshake", "response"),
    ]
    if expected == (403, 16, 2148204809):
        assert o.hresult == "0x800B0109"
    if flags == ACCEPT and certificate is hs.CertState.UNTRUSTED:
        assert o.rule == "R-IIS-5.accept-invalid"  # reported (S34)
    if flags == ACCEPT and certificate in (hs.CertState.EXPIRED, hs.CertState.REVOKED):
        # Our reading by analogy: inferred, with "served as if absent" as the alternative.
        assert o.rule == "R-IIS-5.accept-expired-revoked"
        assert o.confidence is hs.Confidence.INFERRED
        assert [a.status for a in o.alternatives] == [200]
    assert hs.find_fixes(result) == ()


def test_revoked_certificate_passes_without_revocation_check() -> None:
    s = scenario(
        flags=REQUIRE,
        certificate=hs.CertState.REVOKED,
        binding={"client_cert_negotiation": True, "verify_client_cert_revocation": False},
    )
    result = hs.simulate(s)
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True


@pytest.mark.parametrize(
    ("flags", "expected", "rule"),
    [(ACCEPT, (403, 4), "R-IIS-5"), (A.SSL_NEGOTIATE_CERT, (200, 0), "R-IIS-1")],
)
def test_plain_http(flags: hs.AccessSslFlag, expected: tuple[int, int], rule: str) -> None:
    """Plain HTTP: 403.4 when the Ssl flag is set, served otherwise; no TLS at all."""
    result = hs.simulate(scenario(flags=flags, request=hs.Request(scheme="http")))
    o = result.outcome
    assert (o.status, o.substatus) == expected
    assert o.rule == rule
    assert result.iis_log is not None
    assert (result.iis_log.status, result.iis_log.substatus) == expected
    assert conns(result) == [(None, None, "none", "response")]
    assert result.connections[0].wire == ()
    assert result.certificate_reached_app is False


@pytest.mark.parametrize("release", ["win10-22h2", "win11-23h2", "win11-24h2"])
def test_require_without_negotiate(release: str) -> None:
    """R-IIS-2: SslRequireCert alone: no late demand (not even a TLS 1.2 renegotiation), 403.7
    without a handshake certificate — inferred, with the late demand as the alternative."""
    result = hs.simulate(scenario(release, flags=A.SSL_REQUIRE_CERT))
    o = result.outcome
    assert (o.status, o.substatus, o.win32_status) == (403, 7, 5)
    assert "R-IIS-2.require-only" in key_rules(result)
    assert "R-REQ-2" not in [s.rule for s in result.steps]
    assert all(c.cert_requested.value == "none" for c in result.connections)
    assert o.confidence is hs.Confidence.INFERRED
    assert "R-IIS-2.require-only" in [a.rule for a in o.alternatives]

    negotiated = hs.simulate(
        scenario(release, flags=A.SSL_REQUIRE_CERT, binding={"client_cert_negotiation": True})
    )
    assert negotiated.outcome.status == 200
    assert negotiated.certificate_reached_app is True


def test_binding_reject() -> None:
    result = hs.simulate(scenario(binding={"reject": True, "client_cert_negotiation": True}))
    assert isinstance(result.outcome, hs.ConnectionReset)
    assert result.outcome.rule == "R-PIPE-5"
    assert conns(result) == [(None, None, "none", "reset")]
    assert result.iis_log is None
    assert result.connections[0].wire == ()


@pytest.mark.parametrize(
    ("release", "binding", "overrides"),
    [
        # TLS 1.3 disabled on the binding, TLS 1.2 too, legacy TLS off by default (R-REL-2).
        ("win11-24h2", {"disable_tls13": True, "disable_tls12": True}, {}),
        # The client stops at TLS 1.2, the binding has no TLS 1.2.
        ("win11-24h2", {"disable_tls12": True}, {"max_tls": hs.TlsVersion.TLS12}),
        # No TLS 1.3 on Windows 10; TLS 1.2 disabled; Edge's minimum is TLS 1.2.
        ("win10-22h2", {"disable_tls12": True}, {}),
        ("server-2019", {"disable_tls12": True, "disable_legacy_tls": True}, {}),
    ],
)
def test_no_common_protocol(
    release: str, binding: dict[str, bool], overrides: dict[str, Any]
) -> None:
    result = hs.simulate(client(scenario(release, binding=binding), **overrides))
    assert isinstance(result.outcome, hs.NoCommonProtocol)
    assert result.outcome.rule == "R-PIPE-3"
    assert result.outcome.status is None
    # What Chromium (the seed's Edge) was seen to show (docs/reference/clients.md#error-texts).
    assert result.outcome.client_error == "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
    assert result.outcome.client_error == hs.get_client("edge").no_common_version_text()
    assert conns(result) == [(None, None, "none", "no_common_protocol")]
    assert result.iis_log is None
    doc = result.to_dict()
    assert doc["connections"][0]["tls_version"] is None


def test_legacy_tls_depends_on_the_release() -> None:
    """R-REL-2: a client that needs TLS 1.1 works on Windows 10 (legacy on), not on 24H2."""
    old = {"max_tls": hs.TlsVersion.TLS11, "min_tls": hs.TlsVersion.TLS10}
    win10 = hs.simulate(
        client(scenario("win10-22h2", binding={"client_cert_negotiation": True}), **old)
    )
    assert [(c.tls_version, c.end) for c in win10.connections] == [
        (None, ASKED),
        ("1.1", "response"),
    ]
    assert win10.outcome.status == 200
    win11 = hs.simulate(client(scenario("win11-24h2"), **old))
    assert win11.outcome.kind is hs.OutcomeKind.NO_COMMON_PROTOCOL


# --- R-IIS-3: the site binding's sslFlags ------------------------------------------------------


def test_site_binding_flag_128_works_on_server_2025() -> None:
    s = scenario("server-2025", host=hs.Host.IIS, site_binding_ssl_flags=hs.SiteBindingSslFlag(128))
    assert s.server.binding.client_cert_negotiation is False
    result = hs.simulate(s)
    assert result.outcome.status == 200
    assert result.certificate_reached_app is True
    assert conns(result) == [ASKED_IN_HANDSHAKE, ("1.3", "h2", "handshake", "response")]
    assert "R-IIS-3" in key_rules(result)


def test_site_binding_flag_128_is_ignored_on_server_2022() -> None:
    s = scenario("server-2022", host=hs.Host.IIS, site_binding_ssl_flags=hs.SiteBindingSslFlag(128))
    result = hs.simulate(s)
    assert result.outcome.kind is hs.OutcomeKind.CONNECTION_RESET
    assert result.outcome.rule == "R-REQ-2.tls13-reset"
    assert all(c.cert_requested.value == "none" for c in result.connections)
    assert any("128" in s.event and s.rule == "R-IIS-3" for s in result.steps)
    assert "site-binding-128" not in [f.id for f in hs.find_fixes(result)]


def test_site_binding_flag_32_disables_tls13_on_full_iis() -> None:
    s = scenario("server-2022", host=hs.Host.IIS, site_binding_ssl_flags=hs.SiteBindingSslFlag(32))
    result = hs.simulate(s)
    # HTTP/2 pushed back, then HTTP/1.1 renegotiation, which Edge repeats with its choice.
    assert [c.tls_version for c in result.connections] == ["1.2", "1.2", "1.2"]
    assert result.outcome.status == 200


def test_iis_express_ignores_site_binding_flags() -> None:
    """R-IIS-3 (inferred): IIS Express uses its pre-registered bindings; an alternative says
    it might honour them."""
    s = scenario("server-2025", site_binding_ssl_flags=hs.SiteBindingSslFlag(128))
    result = hs.simulate(s)
    assert result.outcome.status == 500
    assert "R-IIS-3" in [a.rule for a in result.outcome.alternatives]


# --- fixes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("release", "host"), SEED_RESET + SEED_500 + [("win11-23h2", "iis")])
def test_seed_fixes_recommend_clientcertnegotiation_first(release: str, host: str) -> None:
    result = hs.simulate(seed_api(release, host))
    fixes = hs.find_fixes(result)
    assert fixes
    assert fixes[0].id == "clientcertnegotiation"
    assert fixes[0].rule == "R-REQ-1"
    assert any("clientcertnegotiation=enable" in c for c in fixes[0].commands)
    assert "disabletls13" in [f.id for f in fixes]
    for fix in fixes:
        assert fix.verified is True
        after = hs.simulate(fix.scenario)
        assert after.outcome.ok, (fix.id, after.outcome.describe())
        assert after.certificate_reached_app is True, fix.id
        assert fix.outcome == after.outcome.describe()
    ids = [f.id for f in fixes]
    assert ("site-binding-128" in ids) is (release == "server-2025" and host == "iis")
    doc = result.to_dict(fixes=fixes)
    assert doc["fixes"] == [f.title for f in fixes]
    assert all(d["verified"] for d in doc["fix_details"])


@pytest.mark.parametrize(
    "s",
    [
        seed_api("win11-24h2", client_cert_negotiation=True),
        seed_api("win10-22h2"),
        seed_api("win11-23h2", disable_tls13=True),
        scenario(flags=A.NONE),
        scenario(flags=REQUIRE, binding={"client_cert_negotiation": True}),
    ],
    ids=["negotiated", "win10", "tls12", "ignore", "require-negotiated"],
)
def test_no_fix_for_a_200(s: hs.Scenario) -> None:
    result = hs.simulate(s)
    assert result.outcome.status == 200
    assert hs.find_fixes(result) == ()
    assert result.to_dict()["fixes"] == []


@pytest.mark.parametrize(
    "s",
    [
        scenario("win11-23h2", flags=REQUIRE, profile="curl"),
        scenario("win11-24h2", flags=A.SSL_REQUIRE_CERT),
    ],
    ids=["tls13-pha-require", "require-only"],
)
def test_403_7_with_a_valid_certificate_offers_a_fix(s: hs.Scenario) -> None:
    """A 403.7 although the client held a valid certificate is a failed exchange, not IIS's
    verdict: the fix that gets the certificate to IIS is offered, first."""
    result = hs.simulate(s)
    assert (result.outcome.status, result.outcome.substatus) == (403, 7)
    assert s.client.certificate is hs.CertState.VALID
    fixed = hs.simulate(s.with_binding(client_cert_negotiation=True))
    assert fixed.outcome.status == 200
    fixes = hs.find_fixes(result)
    assert [f.id for f in fixes][:1] == ["clientcertnegotiation"]
    assert all(f.verified and hs.simulate(f.scenario).certificate_reached_app for f in fixes)
