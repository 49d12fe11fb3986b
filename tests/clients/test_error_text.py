"""The conformance runner's error-text comparison, without a network or a client program.

The runner compares a program's first error line with its profile's text after one
documented normalisation (tests/clients/runner.py ``normalise_error``,
docs/reference/clients.md#error-texts): exact equality with the profile's text or one of
the variants its fact records — never "contains" or "anything matches".
"""

from __future__ import annotations

import pytest

import httpsys_sim as hs
from tests.clients import runner

GO_RESET = (
    'Get "https://127.0.0.1:41365/": read tcp 127.0.0.1:44904->127.0.0.1:41365: read: '
    "connection reset by peer"
)


@pytest.mark.parametrize(
    ("real", "normal"),
    [
        (GO_RESET, 'Get "<url>": read tcp <addr>-><addr>: read: connection reset by peer'),
        (
            "curl: (35) OpenSSL SSL_connect: error:0A000410:SSL routines::sslv3 alert "
            "handshake failure, errno 0",
            "curl: (35) OpenSSL SSL_connect: error:<code>:SSL routines::sslv3 alert "
            "handshake failure, errno 0",
        ),
        ("dial tcp [::1]:8443: connect: refused", "dial tcp <addr>: connect: refused"),
        ("GET http://[::1]:80/x?y=1 failed", "GET <url> failed"),
        ("\n  \nfirst   line\t here\nsecond line", "first line here"),
        # Numbers that are not addresses stay: they are part of the client's wording.
        (
            "httpx.RemoteProtocolError: <StreamReset stream_id:1, error_code:13, "
            "remote_reset:True>",
            "httpx.RemoteProtocolError: <StreamReset stream_id:1, error_code:13, "
            "remote_reset:True>",
        ),
        ("ConnectionResetError(104, 'Connection reset by peer')", None),
        # OpenSSL 3's thread id before a queued error, as Node.js prints it.
        (
            "Error: write EPROTO 807CEA84F57F0000:error:0A00042E:SSL routines:ssl3_read_bytes:"
            "tlsv1 alert protocol version",
            "Error: write EPROTO <thread>:error:<code>:SSL routines:ssl3_read_bytes:"
            "tlsv1 alert protocol version",
        ),
        # urllib3's pool in a requests error names the host and a port that changes per run.
        (
            "requests.exceptions.SSLError: HTTPSConnectionPool(host='127.0.0.1', port=36653): "
            "Max retries exceeded with url: /",
            "requests.exceptions.SSLError: HTTPSConnectionPool(host='<host>', port=<port>): "
            "Max retries exceeded with url: /",
        ),
        ("", ""),
    ],
)
def test_normalise_replaces_only_the_variable_parts(real: str, normal: str | None) -> None:
    expected = real if normal is None else normal
    assert runner.normalise_error(real) == expected
    assert runner.normalise_error(expected) == expected  # idempotent: profile texts pass


def test_normalise_keeps_no_error_apart_from_an_empty_one() -> None:
    assert runner.normalise_error(None) is None
    assert runner.normalise_error("") == ""


def _prediction(client_error: str | None, *variants: str) -> runner.Prediction:
    return runner.Prediction(
        outcome="RESET",
        cert_reached=None,
        alpn=(),
        pha=None,
        connections=1,
        retry_alpn=None,
        renegotiation=None,
        client_error=client_error,
        error_texts=(client_error, *variants) if client_error is not None else (),
    )


def _observation(error: str | None) -> runner.Observation:
    return runner.Observation(
        outcome="RESET",
        cert_reached=None,
        alpn=(),
        pha=None,
        connections=1,
        retry_alpn=None,
        renegotiation=None,
        error=error,
    )


def test_same_text_after_normalisation_agrees() -> None:
    p = _prediction(hs.get_client("go").error_reset.value)
    assert runner.compare_error_text(p, _observation(GO_RESET)) == ("same", None)
    assert runner.compare(p, _observation(GO_RESET)) == []


def test_a_recorded_variant_agrees_and_says_so() -> None:
    node = hs.get_client("node").error_reset
    p = _prediction(node.value, *node.variants)
    seen = _observation("Error: read ECONNRESET (code ECONNRESET)")
    assert runner.compare_error_text(p, seen) == ("variant", None)


@pytest.mark.parametrize(
    "real",
    [
        "curl: (56) Empty reply from server",  # another text of the same client
        "curl: (56) Recv failure: Connection reset by peer; and more",  # longer
        "curl: (56) Recv failure",  # a prefix
        "curl: (56) recv failure: connection reset by peer",  # case matters
        None,  # no error at all
    ],
)
def test_any_other_text_disagrees(real: str | None) -> None:
    p = _prediction("curl: (56) Recv failure: Connection reset by peer")
    status, difference = runner.compare_error_text(p, _observation(real))
    assert status == "DIFFERS"
    assert difference is not None
    assert difference.startswith("error text: model ")
    assert difference in runner.compare(p, _observation(real))


def test_an_error_where_the_model_has_none_disagrees() -> None:
    p = _prediction(None)
    assert runner.compare_error_text(p, _observation(None)) == ("—", None)
    status, _ = runner.compare_error_text(p, _observation("Error: boom"))
    assert status == "DIFFERS"


def test_error_texts_brings_the_variants_of_the_fact_the_text_came_from() -> None:
    node = hs.get_client("node")
    assert runner.error_texts(node, node.error_reset.value) == (
        node.error_reset.value,
        *node.error_reset.variants,
    )
    go = hs.get_client("go")
    shown = go.http2_error_text("HTTP_1_1_REQUIRED")
    assert runner.error_texts(go, shown) == (shown,)  # no variants recorded
    assert runner.error_texts(go, None) == ()


@pytest.mark.parametrize(
    ("program", "situation", "fact"),
    [
        # After curl's HTTP/2 downgrade its error buffer keeps the first attempt's message.
        ("curl", 0, "error_reset_after_downgrade"),
        ("curl-http11", 0, "error_reset"),
        ("python-requests", 0, "error_reset"),
        ("java", 1, "error_reset"),
        ("java-httpclient", 1, "error_reset"),
        ("python-httpx", 1, "error_reset"),
    ],
)
def test_error_situations_predict_the_profiles_texts(
    program: str, situation: int, fact: str
) -> None:
    found = next(p for p in runner.PROGRAM_LIST if p.id == program)
    p = runner.predict(runner.ERROR_SITUATIONS[situation], found.profile, found.overrides)
    assert p.outcome == "RESET"
    assert p.client_error == getattr(hs.get_client(found.profile), fact).value


def test_java_httpclient_repeats_as_http11_without_alpn() -> None:
    p = runner.predict(runner.ERROR_SITUATIONS[1], "java-httpclient")
    assert (p.connections, p.alpn, p.retry_alpn) == (2, ("h2", "http/1.1"), ())


def test_the_table_has_a_text_column() -> None:
    p = _prediction("curl: (56) Recv failure: Connection reset by peer")
    o = _observation("curl: (56) Empty reply from server")
    row = runner.Row("curl", "server-2019 late no-cert", p, o, tuple(runner.compare(p, o)))
    table = runner.table([row])
    head, _, line = table.splitlines()
    assert head.split()[:6] == ["client", "situation", "model", "real", "text", "agree"]
    assert "DIFFERS" in line
    assert "DISAGREE" in line
    assert "error text: model 'curl: (56) Recv failure" in line


@pytest.mark.parametrize(
    "program", [p for p in runner.PROGRAM_LIST if p.max_tls12 is not None], ids=lambda p: p.id
)
def test_no_common_version_predicts_the_observed_text(program: runner.Program) -> None:
    """The situation with no TLS version on both ends: the model answers protocol_version
    (NOPROTO) on one connection, with the text the program was seen to show."""
    situation = next(s for s in runner.ERROR_SITUATIONS if s.no_common_version)
    scenario = situation.scenario(program.profile)
    assert scenario.server.binding.disable_tls12
    assert scenario.server.binding.disable_legacy_tls
    assert scenario.client.max_tls is hs.TlsVersion.TLS12
    p = runner.predict(situation, program.profile, program.overrides)
    assert (p.outcome, p.connections) == ("NOPROTO", 1)
    fact = hs.get_client(program.profile).error_no_common_version
    assert fact.value is not None
    assert "OBS-LOOPBACK" in fact.sources
    assert p.client_error == fact.value


def test_a_profile_without_the_observation_falls_back_to_the_alert_template() -> None:
    safari = hs.get_client("safari")  # no Safari runs here
    assert safari.error_no_common_version.value is None
    assert safari.no_common_version_text() == safari.error_alert.value.format(
        alert="protocol_version"
    )


def test_the_program_is_capped_at_tls12_only_in_that_situation() -> None:
    curl = next(p for p in runner.PROGRAM_LIST if p.id == "curl")
    assert curl.max_tls12 is not None
    cmd, env = curl.max_tls12(["curl", "-sS", "URL"], {})
    assert cmd == ["curl", "-sS", "--tls-max", "1.2", "URL"]
    assert env == {}


def test_a_browsers_refused_handshakes_count_as_one_attempt() -> None:
    """Chromium tries a handshake refused for its TLS version four times, Firefox twice; no
    request follows, yet each is an attempt, and a run of identical ones counts once."""
    refused = {"offer": {"alpn": ["h2", "http/1.1"]}, "end": "no_common_protocol", "requests": []}
    spare = {"offer": {"alpn": ["h2", "http/1.1"]}, "end": "closed", "requests": []}
    records = [{"number": n, **refused} for n in (1, 2, 3, 4)] + [{"number": 5, **spare}]
    seen = runner.observe({"status": None, "body": "", "error": "ERR_X"}, records, True)
    assert (seen.outcome, seen.connections) == ("NOPROTO", 1)
    assert runner.observe({"status": None, "body": "", "error": "x"}, records).connections == 5


def test_chromiums_handshakes_closed_at_a_certificate_request_count_once() -> None:
    """clientcertnegotiation=enable: Chromium closes one or two connections in the handshake
    (R-CLI-16; its spare meets the same), then one carries the request — two attempts."""
    offer = {"alpn": ["h2", "http/1.1"], "versions": ["1.3", "1.2"]}
    closed = {"offer": offer, "end": "handshake failed: _Closed", "requests": []}
    served = {
        "offer": offer,
        "alpn": "h2",
        "end": "closed by the client",
        "requests": [{"outcome": "200"}],
    }
    records = [{"number": 1, **closed}, {"number": 2, **closed}, {"number": 3, **served}]
    seen = runner.observe({"status": 200, "body": "ok", "error": None}, records, True, True)
    assert (seen.outcome, seen.connections, seen.retry_alpn) == ("200", 2, ("h2", "http/1.1"))
    # Firefox, which answers at once, sometimes closes a speculative connection in its
    # handshake too: that one is not an attempt of the model's.
    firefox = runner.observe({"status": 200, "body": "ok", "error": None}, records, True)
    assert (firefox.connections, firefox.retry_alpn) == (1, None)
    predicted = runner.predict(runner.Situation("server-2022", True, False), "chrome")
    assert (predicted.outcome, predicted.connections) == ("200", 2)
    assert runner.compare(predicted, seen) == []


def test_the_last_renegotiation_answer_is_the_one_observed() -> None:
    """Chromium's first renegotiation ends at its CertificateRequest (the endpoint records a
    refusal: it cannot tell); the one that decides is the last."""
    records = [
        {"number": 1, "offer": {}, "end": "reset", "renegotiation": "refuse", "requests": [1]},
        {"number": 2, "offer": {}, "end": "closed", "renegotiation": "accept", "requests": [1]},
    ]
    seen = runner.observe({"status": 200, "body": "", "error": None}, records)
    assert seen.renegotiation == "accept"
