"""Contract §4, properties 3–10, over scenarios drawn with :mod:`httpsys_sim.testing.strategies`.

Each test states its property in its docstring, precisely enough to know what varies and
what is held fixed.  The strategies are the package's own public ones (we eat our own
cooking); their shrinking lands on the seed scenario plus the changes that matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import event, find, given, note
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.catalogue._clients import H11RetryPolicy
from httpsys_sim.catalogue._rules import RULES, SOURCES
from httpsys_sim.core._engine import effective_binding, effective_client, server_versions
from httpsys_sim.testing.strategies import (
    RELEASE_ORDER,
    access_flags,
    bindings,
    client_setups,
    releases,
    requests,
    scenarios,
    server_setups,
)
from httpsys_sim.tls import AlertLevel, Kind, RenegotiationAnswer, TlsVersion

A = hs.AccessSslFlag
NEGOTIATE_FLAGS = st.sampled_from(
    [
        A.SSL_NEGOTIATE_CERT,
        A.SSL | A.SSL_NEGOTIATE_CERT,
        A.SSL | A.SSL_NEGOTIATE_CERT | A.SSL_REQUIRE_CERT,
        A.SSL_NEGOTIATE_CERT | A.SSL_REQUIRE_CERT,
    ]
)
HTTPS = requests().filter(lambda r: r.scheme == "https")

OUTCOME_TYPES = (
    hs.HttpResponse,
    hs.ConnectionReset,
    hs.TlsAlert,
    hs.Http2Error,
    hs.NoCommonProtocol,
    hs.Timeout,
)


def late_demands_over_tls13(result: hs.Result) -> list[int]:
    """Connections on which IIS demanded the certificate late (R-REQ-2) over TLS 1.3 on a
    TCP HTTP/1.1 connection — the rows of R-REQ-2 that R-REL-3 splits."""
    found: list[int] = []
    current: int | None = None
    for step in result.steps:
        if step.connection is not None:
            current = step.connection
        if step.rule == "R-REQ-2" and current is not None:
            conn = result.connections[current]
            if conn.tls_version == "1.3" and conn.transport == "tcp" and conn.alpn == "http/1.1":
                found.append(current)
    return found


def outcome_key(result: hs.Result) -> tuple[object, ...]:
    o = result.outcome
    return (o.kind, o.status, o.substatus, o.win32_status, result.certificate_reached_app)


# --- the strategies themselves -------------------------------------------------------------


def test_minimal_scenario_is_the_seed() -> None:
    """Shrinking lands on readable scenarios: the simplest one is the seed itself."""
    assert find(scenarios(), lambda _: True) == hs.Scenario.seed()


def test_shrinks_to_a_readable_failure() -> None:
    """A reset shrinks to the seed on 23H2: one change from the seed."""
    minimal = find(
        scenarios(), lambda s: hs.simulate(s).outcome.kind is hs.OutcomeKind.CONNECTION_RESET
    )
    assert minimal == hs.Scenario.seed("win11-23h2")


@given(
    scenarios(
        release=releases(tls13=True),
        server=server_setups(binding=bindings(host=hs.Host.IIS, disable_tls13=True)),
        client=client_setups(profile="curl", certificate="none", overrides=False),
    )
)
def test_strategies_honour_pins(s: hs.Scenario) -> None:
    assert s.server.release.tls13
    assert s.server.binding.disable_tls13
    assert s.server.binding.endpoint == "0.0.0.0:443"
    assert (s.client.profile, s.client.certificate) == ("curl", hs.CertState.NONE)
    assert s.client.offers_pha is None


# --- property 3 ------------------------------------------------------------------------------


def assert_no_renegotiation_or_pha_on_h2_h3(result: hs.Result) -> None:
    for conn in result.connections:
        if conn.alpn not in ("h2", "h3"):
            continue
        event(f"p3: {conn.alpn} connection")
        assert conn.cert_requested.value not in ("renegotiation", "post_handshake")
        for e in conn.wire:
            m = e.message
            assert m.kind is not Kind.HELLO_REQUEST
            assert not (m.kind is Kind.CLIENT_HELLO and m.renegotiation)
            assert not (m.kind is Kind.CERTIFICATE_REQUEST and m.context != 0)


@given(scenarios())
def test_p3_no_renegotiation_or_pha_on_h2_or_h3(s: hs.Scenario) -> None:
    """(3) No HTTP/2 or HTTP/3 connection carries a renegotiation (HelloRequest or a
    renegotiating ClientHello) or post-handshake auth (a CertificateRequest after the
    handshake, i.e. with a non-empty context), and none records the certificate as asked
    for by renegotiation or PHA."""
    assert_no_renegotiation_or_pha_on_h2_h3(hs.simulate(s))


@given(
    scenarios(
        server=server_setups(http3=True),
        client=client_setups(profile=st.sampled_from(["firefox", "safari", "firefox-pha"])),
    )
)
def test_p3_on_http3(s: hs.Scenario) -> None:
    """(3) for HTTP/3: with ``EnableHttp3`` on and clients that use it."""
    result = hs.simulate(s)
    if any(c.transport == "quic" for c in result.connections):
        event("p3: QUIC connection")
    assert_no_renegotiation_or_pha_on_h2_h3(result)


# --- property 4 ------------------------------------------------------------------------------

#: The client's renegotiation / PHA abilities, from all-accepting to all-refusing.
ABILITIES = [
    {},
    {
        "offers_pha": True,
        "renegotiation_http11": RenegotiationAnswer.ACCEPT,
        "renegotiation_h2": RenegotiationAnswer.ACCEPT,
        "secure_renegotiation": True,
    },
    {
        "offers_pha": False,
        "renegotiation_http11": RenegotiationAnswer.REFUSE,
        "renegotiation_h2": RenegotiationAnswer.REFUSE,
        "refusal_level": AlertLevel.FATAL,
        "secure_renegotiation": False,
    },
    {
        "offers_pha": False,
        "renegotiation_http11": RenegotiationAnswer.IGNORE,
        "renegotiation_h2": RenegotiationAnswer.IGNORE,
    },
]


@given(
    scenarios(
        server=server_setups(binding=bindings(client_cert_negotiation=True, reject=False)),
        request=HTTPS,
    )
)
def test_p4_handshake_request_is_release_and_client_independent(s: hs.Scenario) -> None:
    """(4) With the binding asking for the certificate in the initial handshake
    (``client_cert_negotiation``), hold host, binding, access flags, Schannel, certificate,
    ALPN/TLS-version overrides and request fixed; vary the release over the whole catalogue
    and the client's renegotiation/PHA abilities over :data:`ABILITIES` (offers_pha,
    renegotiation on HTTP/1.1 and on h2, refusal level, RFC 5746).  Among the variants that
    complete a TLS handshake, the outcome kind, status, sub-status, logged win32 status and
    whether the certificate reached the application are all the same."""
    seen: dict[tuple[object, ...], tuple[str, int]] = {}
    for i, release in enumerate(RELEASE_ORDER):
        # Every release, each with one of the ability sets (ABILITIES[0] is the client as
        # drawn), rotating so that every pairing occurs across examples.
        for n in [(i + len(s.request.path) + int(s.server.http3)) % len(ABILITIES)]:
            variant = attrs.evolve(
                s.with_release(release), client=attrs.evolve(s.client, **ABILITIES[n])
            )
            result = hs.simulate(variant)
            if result.outcome.kind is hs.OutcomeKind.NO_COMMON_PROTOCOL:
                continue
            assert all(c.cert_requested.value == "handshake" for c in result.connections)
            seen.setdefault(outcome_key(result), (release, n))
    note(f"outcomes: {seen}")
    assert len(seen) <= 1


# --- property 5 ------------------------------------------------------------------------------

LATE = {
    "binding": bindings(client_cert_negotiation=False, disable_tls13=False, reject=False),
    "access_ssl_flags": NEGOTIATE_FLAGS,
}


@given(
    scenarios(
        server=server_setups(
            release=releases(late_demand=hs.LateDemandPolicy.NOT_SUPPORTED, catalogue_only=False),
            **LATE,
        ),
        request=HTTPS,
    )
)
def test_p5_24h2_policy_answers_500_never_reset(s: hs.Scenario) -> None:
    """(5a) On every release with the 24H2 policy (catalogue and user-defined), a late
    demand over TLS 1.3 yields 500.0 with 0x80070032 from IIS Web Core, never a reset —
    whatever the client (with or without post_handshake_auth)."""
    result = hs.simulate(s)
    if not late_demands_over_tls13(result):
        event("p5a: no late demand over TLS 1.3")
        return
    event("p5a: late demand over TLS 1.3")
    o = result.outcome
    assert o.kind is hs.OutcomeKind.HTTP_RESPONSE
    assert isinstance(o, hs.HttpResponse)
    assert (o.status, o.substatus, o.win32_status, o.hresult) == (500, 0, 50, "0x80070032")
    assert o.module == "IIS Web Core"
    assert result.connections[-1].end == "response"


@given(
    scenarios(
        server=server_setups(
            release=releases(late_demand=hs.LateDemandPolicy.RESET, catalogue_only=False),
            **LATE,
        ),
        request=HTTPS,
    )
)
def test_p5_pre_24h2_policy_resets_clients_without_pha(s: hs.Scenario) -> None:
    """(5b) On every release with the pre-24H2 policy, a late demand over TLS 1.3 from a
    client that did not offer post_handshake_auth ends in a TCP reset (no W3C line) and
    never in a 500; with PHA offered no certificate arrives (200 / 403.x, never 500).  No
    outcome on these releases is ever a 500."""
    result = hs.simulate(s)
    assert result.outcome.status != 500
    if not late_demands_over_tls13(result):
        event("p5b: no late demand over TLS 1.3")
        return
    pha = effective_client(s).offers_pha
    event(f"p5b: late demand over TLS 1.3, PHA={pha}")
    if pha:
        assert result.outcome.kind is hs.OutcomeKind.HTTP_RESPONSE
        assert result.certificate_reached_app is False
    else:
        assert result.outcome.kind is hs.OutcomeKind.CONNECTION_RESET
        assert result.outcome.rule == "R-REQ-2.tls13-reset"
        assert result.iis_log is None


# --- property 6 ------------------------------------------------------------------------------


@given(
    scenarios(
        server=server_setups(release=releases(tls13=True, catalogue_only=False), **LATE),
        request=HTTPS,
    )
)
def test_p6_disabling_tls13_turns_failures_into_tls12_renegotiation(s: hs.Scenario) -> None:
    """(6) Take a scenario whose late demand over TLS 1.3 failed (reset, 500, or — with
    PHA — no certificate) and turn on ``disable_tls13`` on the binding.  If the client
    renegotiates on HTTP/1.1 (accepts a HelloRequest there) and TLS 1.2 can still be
    negotiated (both ends enable it), with nothing on the server blocking a renegotiation
    (``DisableRenegoOnServer`` off; RFC 5746 offered or ``AllowInsecureRenegoClients`` on;
    the body fits ``uploadReadAheadSize``), the request is
    then served on a TLS 1.2 HTTP/1.1 connection after a renegotiation, and IIS judges the
    certificate exactly as if it had come in the handshake."""
    result = hs.simulate(s)
    if not late_demands_over_tls13(result):
        event("p6: no TLS 1.3 late demand")
        return
    fixed = s.with_binding(disable_tls13=True)
    caps = effective_client(fixed)
    schannel = s.server.schannel
    preconditions = {
        "renegotiates on HTTP/1.1": caps.renegotiation_http11 is RenegotiationAnswer.ACCEPT,
        "client has TLS 1.2": TlsVersion.TLS12 in caps.versions,
        "server has TLS 1.2": TlsVersion.TLS12 in server_versions(fixed, effective_binding(fixed)),
        "Schannel renegotiates": not schannel.disable_reneg_on_server,
        # RFC 5746, or a legacy client that Schannel lets renegotiate insecurely (R-TLS-2).
        "RFC 5746 or insecure allowed": caps.secure_renegotiation
        or schannel.allow_insecure_reneg_clients,
        "body fits": s.request.body_bytes <= s.server.upload_read_ahead_size,
    }
    if not all(preconditions.values()):
        event("p6: precondition not met: " + min(k for k, v in preconditions.items() if not v))
        return
    event("p6: checked")
    after = hs.simulate(fixed)
    last = after.connections[-1]
    assert (last.tls_version, last.alpn, last.cert_requested.value, last.end) == (
        "1.2",
        "http/1.1",
        "renegotiation",
        "response",
    )
    assert "R-REQ-2.tls12-reneg" in [step.rule for step in after.why()]
    assert all(c.tls_version == "1.2" for c in after.connections)
    handshake = hs.simulate(s.with_binding(client_cert_negotiation=True))
    assert outcome_key(after) == outcome_key(handshake)


# --- property 7 ------------------------------------------------------------------------------


@given(scenarios(server=server_setups(release=releases(tls13=False, catalogue_only=False))))
def test_p7_no_tls13_on_releases_without_it(s: hs.Scenario) -> None:
    """(7) A release without TLS 1.3 (Windows 10, Server 2019/2016, user-defined ones) never
    negotiates TLS 1.3 — not even with Schannel's registry switching "TLS 1.3" on, and not
    over QUIC."""
    result = hs.simulate(s)
    assert all(c.tls_version != "1.3" for c in result.connections)
    assert all(c.transport == "tcp" for c in result.connections)


# --- property 8 ------------------------------------------------------------------------------


@given(scenarios(server=server_setups(binding=bindings(reject=False)), request=HTTPS))
def test_p8_highest_common_version(s: hs.Scenario) -> None:
    """(8) Every TCP connection negotiates the highest TLS version enabled on both sides
    (``server_versions`` of the effective binding ∩ the effective client's versions); a
    QUIC connection uses TLS 1.3.  No common version: one connection, no handshake, outcome
    ``no_common_protocol``."""
    result = hs.simulate(s)
    common = set(server_versions(s, effective_binding(s))) & set(effective_client(s).versions)
    if not common:
        event("p8: no common version")
        assert result.outcome.kind is hs.OutcomeKind.NO_COMMON_PROTOCOL
        assert [(c.tls_version, c.end) for c in result.connections] == [
            (None, "no_common_protocol")
        ]
        assert result.connections[0].cert_requested.value == "none"
        return
    best = max(common, key=lambda v: v.rank)
    event(f"p8: TLS {best.value}")
    assert result.outcome.kind is not hs.OutcomeKind.NO_COMMON_PROTOCOL
    for conn in result.connections:
        if conn.tls_version is None:  # a reset after a completed handshake keeps a version
            continue
        expected = "1.3" if conn.transport == "quic" else best.value
        assert conn.tls_version == expected


# --- property 9 ------------------------------------------------------------------------------


def test_p9_every_rule_cites_an_existing_source() -> None:
    assert RULES
    for rule in RULES.values():
        assert rule.sources, rule.id
        for source in rule.sources:
            assert source in SOURCES, (rule.id, source)


@given(scenarios(server=server_setups(release=releases(catalogue_only=False))))
def test_p9_every_step_cites_an_existing_rule(s: hs.Scenario) -> None:
    """(9) Every step, the outcome and every alternative cite a rule of the catalogue, and
    every step's sources are that rule's (non-empty) sources.  The outcome's rule is the
    rule of a step of the causal chain (:meth:`Result.why`)."""
    result = hs.simulate(s)
    assert result.steps
    for step in result.steps:
        assert step.rule in RULES, step
        assert step.sources == RULES[step.rule].sources
        assert step.sources
    assert result.outcome.rule in RULES
    assert result.outcome.rule in [step.rule for step in result.why()]
    for alternative in result.outcome.alternatives:
        assert alternative.rule in RULES
    # Doubt is data (behaviour intro): an inferred outcome names its alternatives — on the
    # catalogue's releases (user-defined ones: test_custom_release_doubt_has_alternatives).
    if result.outcome.confidence is hs.Confidence.INFERRED and not s.server.release.user_defined:
        assert result.outcome.alternatives
    for entry in result.to_dict()["steps"]:
        assert entry["rule"] in RULES
        assert entry["sources"]
        assert all(src in SOURCES for src in entry["sources"])


# --- property 10 -----------------------------------------------------------------------------

CONTRACT_KEYS = {
    "outcome",
    "certificate_reached_app",
    "connections",
    "iis_log",
    "steps",
    "explanation",
    "fixes",
}


@given(scenarios(server=server_setups(release=releases(catalogue_only=False))))
def test_p10_total_and_deterministic(s: hs.Scenario) -> None:
    """(10) ``simulate`` is total (exactly one outcome of a contract §2.2 kind) and
    deterministic (equal results, byte-identical JSON)."""
    first = hs.simulate(s)
    second = hs.simulate(s)
    assert isinstance(first.outcome, OUTCOME_TYPES)
    assert first.outcome.kind in set(hs.OutcomeKind)
    assert first == second
    text = first.to_json()
    assert text == second.to_json()
    doc = json.loads(text)
    assert doc.keys() >= CONTRACT_KEYS
    o = doc["outcome"]
    if o["kind"] == "http_response":
        assert isinstance(o["status"], int)
    else:
        assert (o["status"], o["substatus"], o["win32_status"], o["hresult"]) == (None,) * 4
    assert all(
        c["cert_requested"] in ("none", "handshake", "renegotiation", "post_handshake")
        and c["tls_version"] in (None, "1.0", "1.1", "1.2", "1.3")
        for c in doc["connections"]
    )


ROUND_TRIP_SERVERS = server_setups(release=releases(catalogue_only=False))


@given(scenarios(server=ROUND_TRIP_SERVERS))
def test_p10_json_round_trip(s: hs.Scenario) -> None:
    """(10) ``Scenario.from_json(s.to_json()) == s``, user-defined releases included."""
    assert hs.Scenario.from_json(s.to_json()) == s
    assert hs.Scenario.from_dict(s.to_dict()) == s


def test_p10_json_round_trip_custom_release_example() -> None:
    """A user-defined release keeps what it was based on (its rules cite the base's)."""
    release = hs.Release.custom("insider", based_on="server-2025")
    s = hs.Scenario(server=hs.ServerSetup(release=release))
    back = hs.Scenario.from_json(s.to_json())
    assert back == s
    assert "R-IIS-3" in back.server.release.rules


def test_custom_release_doubt_has_alternatives() -> None:
    s = hs.Scenario(server=hs.ServerSetup(release=hs.Release.custom("insider-27000")))
    outcome = hs.simulate(s).outcome
    assert outcome.confidence is hs.Confidence.INFERRED
    assert outcome.alternatives


REPR_NAMESPACE = {name: getattr(hs, name) for name in hs.__all__}


@given(scenarios(server=server_setups(release=releases(catalogue_only=False))))
def test_p10_repr_round_trip(s: hs.Scenario) -> None:
    """(10) ``eval(repr(s))`` in the ``httpsys_sim`` namespace gives ``s`` back."""
    assert eval(repr(s), dict(REPR_NAMESPACE)) == s


@pytest.mark.parametrize(
    "value",
    [
        hs.Host.IIS,
        hs.AccessSslFlag.SSL | hs.AccessSslFlag.SSL_NEGOTIATE_CERT,
        hs.AccessSslFlag.NONE,
        hs.SiteBindingSslFlag(0),
        hs.SiteBindingSslFlag(160),
        RenegotiationAnswer.REFUSE,
        H11RetryPolicy.FAIL,
        AlertLevel.FATAL,
        hs.CertState.VALID,
        hs.TlsVersion.TLS12,
        hs.LateDemandPolicy.RESET,
        hs.Confidence.INFERRED,
        hs.SchannelSettings(server_protocols={"1.3": False}),
        hs.SslBinding(),
        hs.Request(),
        hs.RELEASES["server-2025"],
        hs.Release.custom("x", based_on="win10-22h2"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_repr_of_nested_values(value: object) -> None:
    """Every kind of value a scenario nests has a repr that ``eval`` turns back into it, in
    the ``httpsys_sim`` namespace."""
    assert eval(repr(value), dict(REPR_NAMESPACE)) == value


HASHSEED_SCRIPT = """
import json, sys
import httpsys_sim as hs
for line in sys.stdin:
    s = hs.Scenario.from_json(line)
    sys.stdout.write(hs.simulate(s).to_json())
"""


def _hashseed_corpus() -> list[hs.Scenario]:
    """A fixed, varied corpus: every release × a spread of clients and configurations."""
    corpus: list[hs.Scenario] = []
    variants = [
        {},
        {"client_cert_negotiation": True},
        {"disable_tls13": True},
        {"disable_http2": True, "disable_tls13": True},
    ]
    profiles = ["edge", "curl", "go", "rustls", "firefox"]
    for i, release in enumerate(RELEASE_ORDER):
        for j, binding in enumerate(variants):
            s = hs.Scenario.seed(release).with_binding(**binding)
            s = s.with_client(profiles[(i + j) % len(profiles)], ["valid", "none"][j % 2])
            corpus.append(s)
    corpus.append(
        attrs.evolve(
            hs.Scenario.seed("win11-23h2"),
            server=attrs.evolve(hs.Scenario.seed().server, http3=True),
        ).with_client("firefox")
    )
    return corpus


def test_p10_json_identical_across_hash_seeds(tmp_path: Path) -> None:
    """(10) Result JSON (fixes included) is byte-identical in processes with different
    ``PYTHONHASHSEED`` values, and equal to this process's."""
    corpus = _hashseed_corpus()
    stdin = "".join(json.dumps(s.to_dict()) + "\n" for s in corpus)
    expected = "".join(hs.simulate(s).to_json() for s in corpus)
    outputs = []
    for seed in ("0", "1234567"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", HASHSEED_SCRIPT],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
            cwd=tmp_path,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == expected


def test_access_flags_strategy_covers_iis_manager_choices() -> None:
    """The access-flag strategy reaches every IIS Manager choice (shrinking starts at the
    seed's SslNegotiateCert)."""
    assert find(access_flags(), lambda _: True) == A.SSL_NEGOTIATE_CERT
    for wanted in (A.NONE, A.SSL | A.SSL_NEGOTIATE_CERT | A.SSL_REQUIRE_CERT, A.SSL_REQUIRE_CERT):
        assert find(access_flags(), lambda f, w=wanted: f == w) == wanted


def test_client_setups_reach_every_override() -> None:
    """Every override field can be drawn, and each shrinks back to the plain profile."""
    for name in ("max_tls", "alpn", "offers_pha", "on_http_1_1_required", "refusal_level"):
        found = find(client_setups(), lambda c, n=name: getattr(c, n) is not None)
        others = [
            f.name
            for f in attrs.fields(hs.ClientSetup)
            if f.name not in ("profile", "certificate", name)
        ]
        assert all(getattr(found, o) is None for o in others), found
        assert (found.profile, found.certificate) == ("edge", hs.CertState.VALID)


def test_release_strategy_refuses_impossible_policies() -> None:
    from hypothesis.errors import InvalidArgument

    with pytest.raises(InvalidArgument):
        releases(tls13=False, late_demand=hs.LateDemandPolicy.RESET)


def test_retry_policy_used_by_p6_exists() -> None:
    """Sanity for (6): HTTP/2 clients that retry exist in the catalogue, so property 6 sees
    h2-first scenarios too."""
    assert any(
        p.on_http_1_1_required.value is H11RetryPolicy.RETRY and "h2" in p.alpn.value
        for p in hs.CLIENTS.values()
    )
