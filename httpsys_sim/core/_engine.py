"""The Windows request pipeline: ``simulate(scenario) -> Result``.

TCP → ClientHello from the client profile → version and ALPN negotiation → the initial
handshake (with a CertificateRequest when the binding negotiates certificates) → the HTTP
request → IIS's access check → the late certificate demand (R-REQ-2) → certificate
validation (R-IIS-5) → outcome; with a retry on a new connection when HTTP/2 pushes the
client back to HTTP/1.1.  The TLS steps run through the TLS state machines (Schannel
personality for http.sys, the profile's capabilities for the client).

Per-release differences come from the :class:`~httpsys_sim.windows._releases.Release`
policy fields, never from build-number tests.  Every step cites a rule of the catalogue.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from httpsys_sim.catalogue._clients import (
    CLIENTS,
    PHA_NEEDS_CERTIFICATE,
    ClientProfile,
    Fact,
    H11RetryPolicy,
    get_client,
)
from httpsys_sim.catalogue._rules import RULES, Confidence
from httpsys_sim.core import _apphost, _checks
from httpsys_sim.core._exchange import (
    ASKED_USER_END,
    Exchange,
    Phase,
    run_exchange,
)
from httpsys_sim.core._result import (
    Alternative,
    ConnectionRecord,
    ConnectionReset,
    Http2Error,
    HttpResponse,
    IisLogLine,
    NoCommonProtocol,
    Outcome,
    OutcomeKind,
    Result,
    Step,
    StepRow,
    StepText,
    Timeout,
    TlsAlert,
    Trace,
    WireSteps,
    typed_step,
    weakest,
)
from httpsys_sim.core._scenario import (
    CLIENT_OVERRIDES,
    ClientSetup,
    Request,
    Scenario,
    ServerSetup,
    default_binding,
)
from httpsys_sim.tls import (
    OPENSSL,
    SCHANNEL,
    AlertLevel,
    CertRequest,
    CertRequestedHow,
    CertState,
    ClientConfig,
    HandshakeRefused,
    RenegotiationAnswer,
    ServerConfig,
    State,
    TlsVersion,
)
from httpsys_sim.windows._binding import SslBinding
from httpsys_sim.windows._hosts import ANCM_HOSTS, APP_HOSTS, AppObservation, AppValue, host_label
from httpsys_sim.windows._iis import (
    AccessSslFlag,
    CertPolicy,
    Host,
    access_flag_names,
    apply_site_binding_flags,
    cert_policy,
)
from httpsys_sim.windows._releases import LateDemandPolicy, Release

__all__ = [
    "DIRECT",
    "ClientCaps",
    "Memo",
    "ServerSide",
    "answer",
    "client_caps",
    "client_config",
    "confidence",
    "connection_record",
    "effective_binding",
    "effective_client",
    "exchange",
    "server_side",
    "server_versions",
    "simulate",
    "simulate_each",
    "simulate_with",
]

# Enum members read on every run, bound to module names once: on CPython 3.11 reading a
# member through its class goes through the enum metaclass and costs about 80 ns, a
# module name about 3 ns (docs/architecture.md#speed).
_KESTREL, _HTTPSYS = Host.KESTREL, Host.ASPNETCORE_HTTPSYS
_IGNORE, _REQUIRE, _REQUIRE_ONLY = CertPolicy.IGNORE, CertPolicy.REQUIRE, CertPolicy.REQUIRE_ONLY
_IN_HANDSHAKE, _BY_RENEGOTIATION = CertRequestedHow.HANDSHAKE, CertRequestedHow.RENEGOTIATION
_NO_CERT, _REVOKED = CertState.NONE, CertState.REVOKED
_CERT_OPTIONAL, _NO_CERT_REQUEST = CertRequest.OPTIONAL, CertRequest.NONE
_TLS13 = TlsVersion.TLS13

#: Hosts with no IIS between the TLS stack and the application (core/_apphost.py).
_DIRECT_HOSTS = frozenset({Host.ASPNETCORE_HTTPSYS, Host.KESTREL})

#: The neutral binding Kestrel "has": only its endpoint means anything.
_KESTREL_BINDING = default_binding(Host.KESTREL)

#: Profiles whose ``offers_pha`` fact is inferred, and the rule that says so.
_PHA_GUESSES: Mapping[str, str] = MappingProxyType({"dotnet-windows": "R-CLI-14"})

#: Connections a client opens at most for one request (first try + protocol fallbacks).
MAX_CONNECTIONS = 4

#: Layers whose steps belong to a connection.
_CONNECTION_LAYERS = frozenset({"tls", "http", "tcp"})
#: How a connection ends when http.sys resets its stream with HTTP_1_1_REQUIRED (R-REQ-2.h2).
_H11_REQUIRED_END = "http2_error:HTTP_1_1_REQUIRED"

_ALL_VERSIONS = (TlsVersion.TLS13, TlsVersion.TLS12, TlsVersion.TLS11, TlsVersion.TLS10)
#: The TLS versions by the names Schannel settings give them (``"1.3"``…).
_TLS_BY_NAME: Mapping[str, TlsVersion] = MappingProxyType({v.value: v for v in _ALL_VERSIONS})
#: A connection record's name of each version (``TlsVersion.value``, read without the enum's
#: slow property: docs/architecture.md#speed).
_VERSION_NAMES: Mapping[TlsVersion | None, str] = MappingProxyType({v: v.value for v in TlsVersion})


@attrs.frozen(kw_only=True, cache_hash=True)
class ClientCaps:
    """A client profile with the scenario's overrides applied; each value keeps its rule."""

    profile: ClientProfile
    versions: tuple[TlsVersion, ...]
    alpn: tuple[str, ...]
    http3: bool
    offers_pha: bool
    renegotiation_http11: RenegotiationAnswer
    renegotiation_h2: RenegotiationAnswer
    refusal_level: AlertLevel
    secure_renegotiation: bool
    on_http_1_1_required: H11RetryPolicy
    middlebox_compat: bool
    overridden: frozenset[str]
    retries_after_reset: bool = False
    asks_user_for_certificate: bool = False
    #: R-CLI-13: the profile offers post_handshake_auth only with a certificate and this
    #: set-up holds none, so ``offers_pha`` is off (the run notes it as a step).
    pha_dropped: bool = False


def _val(fact: Fact[Any], override: Any) -> Any:
    return fact.value if override is None else override


def effective_client(scenario: Scenario) -> ClientCaps:
    """The client's capabilities for ``scenario`` (profile + per-scenario overrides)."""
    return client_caps(scenario.client)


#: A client set-up's override fields, and their values when it overrides nothing.
_OVERRIDES = operator.attrgetter(*CLIENT_OVERRIDES)
_NO_OVERRIDES = (None,) * len(CLIENT_OVERRIDES)


def client_caps(c: ClientSetup) -> ClientCaps:
    """The capabilities of the client set-up ``c`` (profile + overrides, R-CLI-13)."""
    # Without overrides: the profile's own capabilities, worked out once per catalogue entry.
    overridden = _OVERRIDES(c) != _NO_OVERRIDES
    caps = _client_caps(c) if overridden else _PROFILE_CAPS[c.profile]
    if _pha_dropped(c, caps):
        caps = attrs.evolve(caps, offers_pha=False, pha_dropped=True)
    return caps


def _pha_dropped(c: ClientSetup, caps: ClientCaps) -> bool:
    """R-CLI-13: a profile that offers PHA only with a certificate holds none."""
    return (
        caps.offers_pha
        and c.offers_pha is None
        and c.profile in PHA_NEEDS_CERTIFICATE
        and c.certificate is _NO_CERT
    )


def _client_caps(c: ClientSetup) -> ClientCaps:
    p = get_client(c.profile)
    max_tls = TlsVersion(_val(p.max_tls, c.max_tls))
    min_tls = TlsVersion(_val(p.min_tls, c.min_tls))
    versions = tuple(v for v in _ALL_VERSIONS if min_tls.rank <= v.rank <= max_tls.rank)
    overridden = frozenset(name for name in CLIENT_OVERRIDES if getattr(c, name) is not None)
    level = c.refusal_level
    if level is None:
        level = p.refusal_level.value
    return ClientCaps(
        profile=p,
        versions=versions,
        alpn=tuple(_val(p.alpn, c.alpn)),
        http3=bool(_val(p.http3, c.http3)),
        offers_pha=bool(_val(p.offers_pha, c.offers_pha)),
        renegotiation_http11=RenegotiationAnswer(
            _val(p.renegotiation_http11, c.renegotiation_http11).value
        ),
        renegotiation_h2=RenegotiationAnswer(_val(p.renegotiation_h2, c.renegotiation_h2).value),
        refusal_level=level,
        secure_renegotiation=bool(_val(p.secure_renegotiation, c.secure_renegotiation)),
        on_http_1_1_required=H11RetryPolicy(
            _val(p.on_http_1_1_required, c.on_http_1_1_required).value
        ),
        middlebox_compat=bool(p.middlebox_compat.value),
        overridden=overridden,
        retries_after_reset=bool(p.retries_after_reset.value),
        asks_user_for_certificate=bool(p.asks_user_for_certificate.value),
    )


#: Every catalogue profile's capabilities without overrides (profiles are constants).
_PROFILE_CAPS: Mapping[str, ClientCaps] = MappingProxyType(
    {profile_id: _client_caps(ClientSetup(profile=profile_id)) for profile_id in CLIENTS}
)


def effective_binding(scenario: Scenario) -> SslBinding:
    """The http.sys binding after IIS pushed the site binding's ``sslFlags`` (R-IIS-3)."""
    return _effective_binding(scenario.server)


def _effective_binding(s: ServerSetup) -> SslBinding:
    if s.host is _KESTREL:
        return _KESTREL_BINDING  # Kestrel has no http.sys binding (R-KESTREL-1)
    return apply_site_binding_flags(
        s.binding,
        s.site_binding_ssl_flags,
        host=s.host,
        supports_negotiate_flag=s.release.site_binding_negotiate_flag,
    )


def server_versions(scenario: Scenario, binding: SslBinding) -> tuple[TlsVersion, ...]:
    """TLS versions http.sys will negotiate: release defaults, Schannel registry, binding."""
    return _server_versions(scenario.server, binding)


def _server_versions(server: ServerSetup, binding: SslBinding) -> tuple[TlsVersion, ...]:
    release = server.release
    enabled = set(release.tls_versions)
    for name, on in server.schannel.server_protocols:  # explicit registry values, each once
        version = _TLS_BY_NAME.get(name)  # SSL 2.0 / 3.0 mean nothing here
        if version is None:
            continue
        if on and (version is not _TLS13 or release.tls13):
            enabled.add(version)
        elif not on:
            enabled.discard(version)
    if binding.disable_tls13:
        enabled.discard(_TLS13)
    if binding.disable_tls12:
        enabled.discard(TlsVersion.TLS12)
    if binding.disable_legacy_tls:
        enabled -= {TlsVersion.TLS10, TlsVersion.TLS11}
    return tuple([v for v in _ALL_VERSIONS if v in enabled])


class _Notes:
    """Steps and doubts noted before any connection: the configuration's, which depend on
    the server set-up and the request alone (worked out once per distinct pair)."""

    def __init__(self) -> None:
        self.rows: list[StepRow] = []
        self.doubts: list[Alternative] = []

    def step(
        self, layer: str, actor: str, event: StepText, rule: str, *, key: bool = False
    ) -> None:
        self.rows.append((layer, actor, event, rule, None, key))

    def doubt(self, kind: OutcomeKind, description: str, rule: str) -> None:
        self.doubts.append(Alternative(kind=kind, description=description, rule=rule))


class ServerSide(NamedTuple):
    """What the engine derives from a server set-up and the request before any client
    connects: the same for every client, so a sweep works it out once per distinct pair.

    A named tuple: built for every :func:`simulate`, in about 60 % of the time a frozen
    attrs class with as many fields takes (docs/architecture.md#speed)."""

    binding: SslBinding  #: the effective http.sys binding (R-IIS-3)
    policy: CertPolicy  #: the access flags' certificate policy (R-IIS-1, R-IIS-8)
    versions: tuple[TlsVersion, ...]  #: the TLS versions http.sys negotiates
    tcp: ServerConfig  #: the server end of a TCP connection
    #: The server end of a QUIC connection (TLS 1.3, h3); ``None``: the server has no QUIC.
    quic: ServerConfig | None
    negotiate: bool  #: the handshake asks for a certificate
    asked_rule: str  #: the rule that says whether the handshake asks
    #: IIS or the application demands a certificate late when the handshake brought none.
    demand_late: bool
    #: The configuration steps before and after the client's own (R-CLI-13), and the doubts.
    head: tuple[StepRow, ...]
    tail: tuple[StepRow, ...]
    doubts: tuple[Alternative, ...]


def server_side(scenario: Scenario) -> ServerSide:
    """Everything the engine needs from the scenario's server set-up and request before a
    client connects."""
    server, request = scenario.server, scenario.request
    r = server.release
    binding = _effective_binding(server)
    policy = cert_policy(server.access_ssl_flags)
    if server.native_negotiate_module and policy is _IGNORE:
        policy = CertPolicy.ACCEPT  # a native module asks itself (R-IIS-8)
    negotiate = binding.client_cert_negotiation
    personality = SCHANNEL
    cert_request = _CERT_OPTIONAL if negotiate or policy is not _IGNORE else _NO_CERT_REQUEST
    request_at = _IN_HANDSHAKE if negotiate else _BY_RENEGOTIATION
    asked_rule = "R-REQ-1" if negotiate else "R-PIPE-3"
    demand_late = policy not in (_IGNORE, _REQUIRE_ONLY)
    if server.host in _DIRECT_HOSTS:  # HTTP.sys server / Kestrel: core/_apphost.py
        personality, cert_request, request_at, negotiate, asked_rule = _apphost.handshake_setup(
            server, negotiate
        )
        demand_late = _apphost.demands_late(server, request)
    versions = _server_versions(server, binding)
    if binding.disable_http2 or not r.http2:
        alpn: tuple[str, ...] = ("http/1.1",)
    else:
        alpn = ("h2", "http/1.1")

    def end(versions: tuple[TlsVersion, ...], alpn: tuple[str, ...]) -> ServerConfig:
        return ServerConfig(
            personality=personality,
            versions=versions,
            alpn=alpn,
            cert_request=cert_request,
            request_at=request_at,
            renegotiation_enabled=not server.schannel.disable_reneg_on_server,
            allow_insecure_renegotiation=server.schannel.allow_insecure_reneg_clients,
        )

    quic = server.http3 and not binding.disable_quic and _TLS13 in versions
    head, tail = _Notes(), _Notes()
    _configuration_steps(head, tail, server, request, binding, policy)
    # The named tuple's __new__ called itself, as for a Phase (core/_exchange.py).
    return ServerSide.__new__(
        ServerSide,
        binding=binding,
        policy=policy,
        versions=versions,
        tcp=end(versions, alpn),
        quic=end((_TLS13,), ("h3",)) if quic else None,
        negotiate=negotiate,
        asked_rule=asked_rule,
        demand_late=demand_late,
        head=tuple(head.rows),
        tail=tuple(tail.rows),
        doubts=tuple(head.doubts + tail.doubts),
    )


def _configuration_steps(
    head: _Notes,
    tail: _Notes,
    s: ServerSetup,
    request: Request,
    binding: SslBinding,
    policy: CertPolicy,
) -> None:
    """The configuration steps: the release, the host, the site binding, the access flags and
    the http.sys binding (``head``: those before the client's own step, ``tail``: after)."""
    r = s.release
    head.step("config", "Windows", (_release_text, (r,)), "R-REL-1")
    if s.host in APP_HOSTS:
        _apphost.config_steps(head, s)
    if r.user_defined:
        tail.step(
            "config",
            "Windows",
            f"{r.product} is user-defined (based on {r.based_on}): its policy is the "
            "user's choice, not a documented release",
            "R-REL-5",
            key=True,
        )
    if int(s.site_binding_ssl_flags):
        if s.host is Host.IIS_EXPRESS:
            tail.step(
                "config",
                "IIS Express",
                f"site binding sslFlags={int(s.site_binding_ssl_flags)} "
                "not pushed into http.sys "
                "(IIS Express uses the pre-registered bindings)",
                "R-IIS-3",
            )
            tail.doubt(
                OutcomeKind.HTTP_RESPONSE,
                "IIS Express might honour site binding sslFlags ≥ 4 like full IIS",
                "R-IIS-3",
            )
        else:
            negotiate_bit = int(s.site_binding_ssl_flags) & 128
            note = ""
            if negotiate_bit and not r.site_binding_negotiate_flag:
                note = "; bit 128 (Negotiate Client Certificate) does not exist on this release"
            tail.step(
                "config",
                "IIS",
                f"site binding sslFlags={int(s.site_binding_ssl_flags)} pushed into the "
                f"http.sys binding{note}",
                "R-IIS-3",
                key=bool(negotiate_bit),
            )
    if s.host is _KESTREL:
        return  # no IIS flags, no http.sys binding (R-KESTREL-1)
    if s.host is not _HTTPSYS:
        tail.step(
            "config",
            host_label(s.host),
            (_access_text, (s.access_ssl_flags, request.path, policy)),
            "R-IIS-1",
        )
    if s.native_negotiate_module and s.host is not _HTTPSYS:
        tail.step(
            "config",
            "IIS",
            "a native module calls IHttpRequest::NegotiateClientCertificate for this path: "
            "a late demand whatever the access flags say",
            "R-IIS-8",
            key=True,
        )
    tail.step("config", "http.sys", (_binding_text, (binding,)), "R-BIND-1")


# The texts of the steps every run records, written only when someone reads the steps
# (core/_result.py: StepText).
def _release_text(r: Release) -> str:
    return (
        f"{r.product} (build {r.build}): TLS "
        + "/".join(r.tls_versions)  # str enums join as their values
        + " on by default; late certificate demand over TLS 1.3: "
        + r.late_demand_tls13.value
    )


def _access_text(flags: AccessSslFlag, path: str, policy: CertPolicy) -> str:
    names = ", ".join(access_flag_names(flags)) or "None"
    return f'<access sslFlags="{names}"> applies to {path} (client certificate: {policy.value})'


def _binding_text(binding: SslBinding) -> str:
    return (
        f"SSL binding {binding.endpoint}: DefaultFlags=0x{int(binding.default_flags):x}"
        + (" (clientcertnegotiation enabled)" if binding.client_cert_negotiation else "")
        + (" (TLS 1.3 disabled)" if binding.disable_tls13 else "")
        + (" (HTTP/2 disabled)" if binding.disable_http2 else "")
    )


def _opening_text(index: int, quic: bool, endpoint: str, offered: tuple[str, ...]) -> str:
    return (
        f"connection {index + 1}: opens a {'QUIC' if quic else 'TCP'} connection to "
        f"{endpoint} (ALPN offered: {', '.join(offered) or 'none'})"
    )


def _negotiated_text(
    version: TlsVersion, alpn: str | None, asked: bool, sent: CertState | None
) -> str:
    """``sent``: the certificate the client sent in the handshake (``None``: none asked)."""
    return (
        f"TLS {version.value} negotiated (highest version both ends enable), ALPN "
        f"{alpn or 'none'}"
        + (
            "; certificate requested in the handshake"
            + (f", client sent {sent.value}" if sent is not None else "")
            if asked
            else "; no certificate requested in the handshake"
        )
    )


def _request_text(method: str, path: str, protocol: str, body_bytes: int) -> str:
    return f"{method} {path} over {_HTTP_NAMES.get(protocol, 'HTTP/1.1')}" + (
        f" with a {body_bytes}-byte body" if body_bytes else ""
    )


#: How the HTTP step names the protocol ALPN chose.
_HTTP_NAMES: Mapping[str, str] = MappingProxyType({"h2": "HTTP/2", "h3": "HTTP/3"})


@attrs.frozen
class _Retry:
    """The client will try again on a new connection offering only these protocols."""

    alpn: tuple[str, ...]
    quic: bool = False


def client_config(
    caps: ClientCaps, alpn: tuple[str, ...], certificate: CertState, quic: bool, ask: bool
) -> ClientConfig:
    """The client end of one connection: the OpenSSL personality with the profile's
    capabilities, offering ``alpn`` and holding ``certificate`` (QUIC: TLS 1.3 only);
    ``ask``: it has yet to ask its user which certificate to send (R-CLI-16)."""
    return ClientConfig(
        personality=OPENSSL,
        versions=(_TLS13,) if quic else caps.versions,
        alpn=alpn,
        certificate=certificate,
        post_handshake_auth=caps.offers_pha,
        renegotiation=caps.renegotiation_http11,
        renegotiation_h2=caps.renegotiation_h2,
        refusal_level=caps.refusal_level,
        secure_renegotiation=caps.secure_renegotiation,
        middlebox_compat=caps.middlebox_compat,
        asks_user_for_certificate=ask,
    )


def exchange(
    server: ServerConfig,
    caps: ClientCaps,
    alpn: tuple[str, ...],
    certificate: CertState,
    quic: bool,
    ask: bool,
    demand_late: bool,
    *,
    ends: Callable[[ServerConfig, ClientConfig, bool], Exchange] = run_exchange,
) -> Exchange:
    """One connection's TLS exchange between ``server`` and the client end
    :func:`client_config` builds, worked out by ``ends`` (a sweep passes its cache of
    :func:`~httpsys_sim.core._exchange.run_exchange`)."""
    return ends(server, client_config(caps, alpn, certificate, quic, ask), demand_late)


def connection_record(
    index: int,
    transport: str,
    version: TlsVersion | None,
    alpn: str | None,
    how: CertRequestedHow,
    end: str,
    phase: Phase | None,
) -> ConnectionRecord:
    """How one connection went, with the messages of ``phase`` (``None``: no TLS at all)."""
    return ConnectionRecord(
        index=index,
        transport=transport,
        tls_version=_VERSION_NAMES.get(version),  # None: none negotiated
        alpn=alpn,
        cert_requested=how,
        end=end,
        wire=() if phase is None else phase.events,
    )


def confidence(rules: tuple[str, ...]) -> Confidence:
    """The weakest confidence among ``rules`` (an outcome's deciding rules, every one in the
    catalogue: tests/test_pipeline_properties.py checks every rule a step cites)."""
    return weakest(*[RULES[r].confidence for r in rules])


def finish(
    outcome: Outcome, confidence: Confidence, alternatives: tuple[Alternative, ...]
) -> Outcome:
    """``outcome`` with the confidence and the doubts of the run that reached it."""
    return attrs.evolve(outcome, confidence=confidence, alternatives=alternatives)


def answer(
    status: int, substatus: int, win32: int, rule: str, reached: bool, module: str | None
) -> tuple[HttpResponse, IisLogLine, bool]:
    """An HTTP answer: the response, its W3C log line (R-IIS-6), and whether the
    application saw a certificate (frozen values, so a sweep shares each distinct one)."""
    return (
        HttpResponse(
            rule=rule, status=status, substatus=substatus, win32_status=win32, module=module
        ),
        IisLogLine(status=status, substatus=substatus, win32_status=win32),
        reached,
    )


class Memo(NamedTuple):
    """The pure sub-results a run is made of.  :func:`simulate` calls the functions
    themselves (:data:`DIRECT`); a :class:`~httpsys_sim.core._sweep.Sweep` passes the same
    functions behind bounded caches of its own, so each distinct input is worked out once."""

    #: A client set-up's capabilities (:func:`client_caps`).
    client: Callable[[ClientSetup], ClientCaps]
    #: What a scenario's server set-up and request settle before a client connects
    #: (:func:`server_side`).
    server: Callable[[Scenario], ServerSide]
    #: One connection's TLS exchange, the client end built from its capabilities
    #: (:func:`exchange`).
    exchange: Callable[
        [ServerConfig, ClientCaps, tuple[str, ...], CertState, bool, bool, bool], Exchange
    ]
    #: How one connection went (:func:`connection_record`; a phase is itself: a sweep shares
    #: the record of each distinct connection of each exchange).
    record: Callable[
        [int, str, TlsVersion | None, str | None, CertRequestedHow, str, Phase | None],
        ConnectionRecord,
    ]
    #: The confidence of an outcome from the rules that decided it (:func:`confidence`).
    confidence: Callable[[tuple[str, ...]], Confidence]
    #: An outcome with its run's confidence and doubts (:func:`finish`).
    finish: Callable[[Outcome, Confidence, tuple[Alternative, ...]], Outcome]
    #: A recorded step's typed value, on first read of a result's steps.
    step: Callable[[StepRow], Step]
    #: An HTTP answer with its log line (:func:`answer`).
    answer: Callable[[int, int, int, str, bool, str | None], tuple[HttpResponse, IisLogLine, bool]]
    #: Every exchange makes the late demand wherever the connection allows it, whether or not
    #: the server demands late (a sweep: scenarios that differ only in that share the
    #: exchange; a run that demands nothing late never reads it, :meth:`_Run.late_demand`).
    late_always: bool = False


#: ``object.__new__``: an instance of an attrs class before its ``__init__`` ran.
_new_instance = object.__new__

#: Every sub-result computed afresh: what :func:`simulate` uses.
DIRECT = Memo(
    client=client_caps,
    server=server_side,
    exchange=exchange,
    record=connection_record,
    confidence=confidence,
    finish=finish,
    step=typed_step,
    answer=answer,
)


class _Run:
    """One simulation in progress: collects steps, connections and doubts."""

    __slots__ = (
        "alternatives",
        "app_called",
        "app_observed",
        "app_property",
        "asked_user",
        "binding",
        "caps",
        "cert_on_connection",
        "connections",
        "current",
        "decisive",
        "httperr",
        "iis_certificate",
        "memo",
        "offered",
        "phase",
        "policy",
        "rows",
        "scenario",
        "side",
        "trust_noted",
    )

    #: The connection the request went over, set once its handshake completed: its index,
    #: transport, TLS version and HTTP protocol (:meth:`end_connection` records how it ended).
    current: tuple[int, str, TlsVersion, str]

    def __init__(self, scenario: Scenario, memo: Memo) -> None:
        self.scenario = scenario
        self.memo = memo
        self.side = side = memo.server(scenario)
        self.caps = memo.client(scenario.client)
        self.binding = side.binding
        self.policy = side.policy
        self.trust_noted = False
        #: The trace as recorded: step rows, and ``(WireSteps, connection)`` per exchange part.
        self.rows: list[StepRow | tuple[WireSteps, int | None]] = []
        self.connections: list[ConnectionRecord] = []
        self.decisive: list[str] = []
        self.alternatives: list[Alternative] = []
        self.cert_on_connection: CertState | None = None
        #: The current connection's exchange so far: its handshake, then its late demand.
        self.phase: Phase | None = None
        self.httperr: str | None = None
        #: The client certificate IIS received (None: none reached it).
        self.iis_certificate: CertState | None = None
        #: ASP.NET Core hosts (core/_apphost.py): what the app observed, what the
        #: synchronous property gives, and whether the app's call started a late demand.
        self.app_observed: AppObservation | None = None
        self.app_property: AppValue | None = None
        self.app_called = False
        #: The client asked its user which certificate to send (R-CLI-16): it answers now.
        self.asked_user = False
        #: The ALPN ids the current connection offered.
        self.offered: tuple[str, ...] = ()

    # --- bookkeeping ------------------------------------------------------------------
    def step(
        self,
        layer: str,
        actor: str,
        event: StepText,
        rule: str,
        *,
        key: bool = False,
        decisive: bool = False,
    ) -> None:
        connection = len(self.connections) if layer in _CONNECTION_LAYERS else None
        self.rows.append((layer, actor, event, rule, connection, key))
        if decisive:
            self.decisive.append(rule)

    def doubt(self, kind: OutcomeKind, description: str, rule: str, **fields: Any) -> None:
        self.alternatives.append(
            Alternative(kind=kind, description=description, rule=rule, **fields)
        )

    def _finish(self, outcome: Outcome) -> Outcome:
        confidence = self.memo.confidence((outcome.rule, *self.decisive))
        if confidence is outcome.confidence and not self.alternatives:
            return outcome  # already right: no copy
        alternatives = tuple(dict.fromkeys(self.alternatives))  # a repeated connection repeats
        return self.memo.finish(outcome, confidence, alternatives)

    # --- the pipeline -------------------------------------------------------------------
    def run(self) -> Result:
        outcome, log, reached = self._pipeline()
        host = self.scenario.server.host
        if host in APP_HOSTS:  # ASP.NET Core hosts: what the application observed
            if host in ANCM_HOSTS:
                self.app_observed, reached = _apphost.ancm_observation(self, outcome)
            elif self.app_observed is None:
                value = AppValue.CONNECTION_GONE if self.app_called else AppValue.NOT_REACHED
                self.app_observed = AppObservation(
                    api="HttpContext.Connection.GetClientCertificateAsync()",
                    value=value,
                    property_value=self.app_property,
                    rule=outcome.rule,
                )
        outcome = self._finish(outcome)
        # Result's own __init__ on a fresh instance: what calling the class does, without
        # packing the keywords into a dict on the way (docs/architecture.md#speed).
        result = _new_instance(Result)
        Result.__init__(
            result,
            scenario=self.scenario,
            outcome=outcome,
            connections=tuple(self.connections),
            steps=Trace(self.rows, self.memo.step),  # positional: no keyword dict on the way
            iis_log=log,
            certificate_reached_app=reached,
            iis_certificate=self.iis_certificate,
            httperr=self.httperr,
            app_observed=self.app_observed,
        )
        return result

    def _pipeline(self) -> tuple[Outcome, IisLogLine | None, bool]:
        s = self.scenario
        side = self.side
        self.rows += side.head
        if self.caps.pha_dropped:
            self.step(
                "config",
                "client",
                f"{self.caps.profile.name} holds no certificate, so it offers no "
                "post_handshake_auth",
                "R-CLI-13",
            )
        self.rows += side.tail
        self.alternatives += side.doubts
        if s.request.scheme == "http":
            return self._plain_http()
        alpn = self.caps.alpn
        # QUIC where both ends have it (the client only with TLS 1.3).
        quic = side.quic is not None and self.caps.http3 and _TLS13 in self.caps.versions
        retried_reset = False
        for _ in range(MAX_CONNECTIONS):
            answer = self._connection(alpn, quic=quic)
            if not isinstance(answer, _Retry):
                if (
                    self.caps.retries_after_reset
                    and not retried_reset
                    and isinstance(answer[0], ConnectionReset)
                    and self.connections
                    and self.connections[-1].end == "reset"
                ):
                    retried_reset = True
                    again = "repeats the request once on a new connection"
                    if self.connections[-1].alpn == "http/1.1" and "h2" in alpn:
                        # The first connection settled on HTTP/1.1: the repeat is an
                        # HTTP/1.1 exchange, offered without ALPN (R-CLI-15).
                        alpn = ()
                        again += " as HTTP/1.1, without ALPN"
                    self.step(
                        "client",
                        "client",
                        f"{self.caps.profile.name} {again}",
                        "R-CLI-15",
                        key=True,
                    )
                    continue
                return answer
            alpn, quic = answer.alpn, answer.quic
        raise AssertionError("client kept retrying")  # pragma: no cover

    # --- plain HTTP ------------------------------------------------------------------
    def _plain_http(self) -> tuple[Outcome, IisLogLine | None, bool]:
        self.step("tcp", "client", "opens a TCP connection over plain HTTP", "R-PIPE-1")
        self.step(
            "http",
            "client",
            f"{self.scenario.request.method} {self.scenario.request.path} over HTTP/1.1",
            "R-PIPE-1",
        )
        ssl_flag = bool(self.scenario.server.access_ssl_flags & AccessSslFlag.SSL)
        self.connections.append(
            ConnectionRecord(
                index=0,
                transport="tcp",
                tls_version=None,
                alpn=None,
                cert_requested=CertRequestedHow.NONE,
                end="response",
            )
        )
        if ssl_flag:
            self.step(
                "iis",
                "IIS",
                "the Ssl flag requires HTTPS: 403.4",
                "R-IIS-5",
                key=True,
                decisive=True,
            )
            return self._answer(403, 4, 5, "R-IIS-5")
        self.step("iis", "IIS", "no Ssl flag: served over plain HTTP", "R-IIS-1", key=True)
        return self._answer(200, 0, 0, "R-IIS-1")

    # --- one connection -----------------------------------------------------------------
    def _connection(
        self, alpn: tuple[str, ...], *, quic: bool
    ) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        s = self.scenario
        side = self.side
        index = len(self.connections)
        transport = "quic" if quic else "tcp"
        offered = self.offered = ("h3",) if quic else alpn
        self.step(
            "tcp",
            "client",
            (_opening_text, (index, quic, self.binding.endpoint, offered)),
            "R-PIPE-4" if quic else "R-PIPE-1",
        )
        if self.binding.reject:
            self.step(
                "tcp",
                "http.sys",
                "the binding rejects every connection: reset",
                "R-PIPE-5",
                key=True,
            )
            self._record(index, transport, None, None, CertRequestedHow.NONE, "reset", None)
            return self._reset("R-PIPE-5"), None, False
        memo = self.memo
        certificate = _checks.offered_certificate(self, s)
        ask = self.caps.asks_user_for_certificate and not self.asked_user
        server = side.quic if quic else side.tcp
        assert server is not None, "QUIC only where the server has it"
        demand_late = side.demand_late or memo.late_always
        exchange = memo.exchange(server, self.caps, offered, certificate, quic, ask, demand_late)
        hs = self.phase = exchange.handshake
        self.rows.append((hs.wire, index))  # the handshake's messages, steps of this connection
        if hs.asked_user:
            self._record(index, transport, None, None, hs.cert_requested, ASKED_USER_END, hs)
            return self.ask_user(quic=quic)
        if hs.server_closed or hs.client_closed:
            return self._handshake_failed(index, transport, hs)
        version = hs.version
        assert version is not None
        self.cert_on_connection = hs.peer_certificate
        how = hs.cert_requested
        sent = s.client.certificate if how is _IN_HANDSHAKE else None
        self.step(
            "tls",
            "http.sys",
            (_negotiated_text, (version, hs.alpn, side.negotiate, sent)),
            side.asked_rule,
            key=True,
        )
        protocol = hs.alpn or "http/1.1"
        self.current = (index, transport, version, protocol)
        if s.server.host is _KESTREL:  # Kestrel's validation callback (R-KESTREL-2)
            refused = _apphost.kestrel_handshake_check(self, hs)
            if refused is not None:
                return refused
        return self._http(protocol, exchange)

    def ask_user(self, *, quic: bool = False) -> _Retry:
        """R-CLI-16: the client closed the connection at the CertificateRequest to ask its
        user (or a policy) which certificate to send; it repeats the request with that choice,
        offering what the closed connection offered."""
        self.asked_user = True
        choice = self.scenario.client.certificate
        self.step(
            "client",
            "client",
            f"{self.caps.profile.name} closes the connection at the CertificateRequest to ask "
            "its user (or policy) which certificate to send, then repeats the request on a new "
            "connection with its choice: "
            + ("its certificate" if choice is not _NO_CERT else "none"),
            "R-CLI-16",
            key=True,
        )
        return _Retry(alpn=self.offered, quic=quic)

    def late_demand(self, exchange: Exchange) -> Phase:
        """The server's late certificate demand on this connection (the exchange made it).

        Only a run whose server side demands late (:attr:`ServerSide.demand_late`) reads it:
        a sweep hands every run the exchange with the late demand made whenever the
        connection allows it (:attr:`Memo.late_always`)."""
        late = exchange.late
        assert late is not None, "the exchange was run without the late demand"
        self.phase = late
        if late.wire.records:  # its messages, steps of this connection (a refusal sent none)
            self.rows.append((late.wire, len(self.connections)))
        return late

    def _record(
        self,
        index: int,
        transport: str,
        version: TlsVersion | None,
        alpn: str | None,
        how: CertRequestedHow,
        end: str,
        phase: Phase | None,
    ) -> None:
        """Record how connection ``index`` went; ``phase``: the exchange part whose messages it
        carried (``None``: no TLS at all)."""
        self.connections.append(self.memo.record(index, transport, version, alpn, how, end, phase))

    def end_connection(self, end: str, how: CertRequestedHow | None = None) -> None:
        """Record how the connection the request went over (:attr:`current`) ended: ``end``,
        the certificate asked for as ``how`` (``None``: as its exchange so far says).  A
        reset before any handshake completed carries no TLS version."""
        index, transport, version, protocol = self.current
        phase = self.phase  # the handshake, or the late demand once it was made
        assert phase is not None
        self._record(
            index,
            transport,
            version if end != "reset" or phase.handshakes else None,
            protocol,
            phase.cert_requested if how is None else how,
            end,
            phase,
        )

    def _handshake_failed(
        self, index: int, transport: str, hs: Phase
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        err = hs.server_error or hs.client_error
        if isinstance(hs.server_error, HandshakeRefused) and hs.version is None:
            self.step(
                "tls",
                "http.sys",
                "no TLS version both ends enable: protocol_version alert",
                "R-PIPE-3",
                key=True,
                decisive=True,
            )
            self._record(
                index,
                transport,
                None,
                None,
                CertRequestedHow.NONE,
                "no_common_protocol",
                hs,
            )
            return (
                NoCommonProtocol(
                    rule="R-PIPE-3", client_error=self.caps.profile.no_common_version_text()
                ),
                None,
                False,
            )
        rule = err.rule if err is not None else "RFC8446-6.2"
        self.step("tls", "http.sys", f"handshake failed: {err}", rule, key=True, decisive=True)
        self._record(index, transport, None, None, hs.cert_requested, "tls_alert", hs)
        alert = err.peer_observes if err is not None else "alert"
        return (
            TlsAlert(
                rule=rule,
                alert=alert.removeprefix("alert "),
                sent_by="server",
                client_error=self.caps.profile.error_alert.value.format(alert=alert),
            ),
            None,
            False,
        )

    # --- HTTP and IIS -------------------------------------------------------------------
    def _http(
        self, protocol: str, exchange: Exchange
    ) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        req = self.scenario.request
        self.step(
            "http",
            "client",
            (_request_text, (req.method, req.path, protocol, req.body_bytes)),
            "R-PIPE-1",
        )
        version = exchange.handshake.version
        assert version is not None

        if self.scenario.server.host in _DIRECT_HOSTS:  # no IIS: core/_apphost.py
            return _apphost.request_arrived(self, protocol, exchange)
        if self.policy is _IGNORE:
            self.step(
                "iis", "IIS", "no client certificate needed for this path", "R-IIS-1", key=True
            )
            self.end_connection("response")
            return self._validate(None, need=False)
        if (
            self.cert_on_connection is not None
            or exchange.handshake.cert_requested is _IN_HANDSHAKE
        ):
            self.step(
                "iis",
                "IIS",
                "HttpReceiveClientCertificate returns what the handshake already brought; "
                "no new exchange",
                "R-REQ-2.cert-present",
                key=True,
            )
            self.end_connection("response")
            return self._validate(self.cert_on_connection)
        if self.policy is _REQUIRE_ONLY:
            self.step(
                "iis",
                "IIS",
                "SslRequireCert without SslNegotiateCert: IIS does not ask for a certificate late",
                "R-IIS-2.require-only",
                key=True,
                decisive=True,
            )
            self.doubt(
                OutcomeKind.HTTP_RESPONSE,
                "IIS might demand the certificate late as for SslNegotiateCert + SslRequireCert",
                "R-IIS-2.require-only",
            )
            self.end_connection("response")
            return self._validate(None)
        self.step(
            "iis",
            "IIS",
            "the path needs a client certificate and none is on the connection: IIS calls "
            "HttpReceiveClientCertificate after the request arrived (a late demand)",
            "R-REQ-2",
            key=True,
        )
        if protocol == "h2":
            return self._late_h2()
        if protocol == "h3":
            return self._late_h3()
        if version is _TLS13:
            return self._late_tls13(exchange)
        return self._late_tls12(exchange)

    def _late_h2(self) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        self.step(
            "http",
            "http.sys",
            "renegotiation and post-handshake auth are forbidden on HTTP/2: RST_STREAM with "
            "HTTP_1_1_REQUIRED (0xd) on this stream; the connection stays open",
            "R-REQ-2.h2",
            key=True,
        )
        self.end_connection(_H11_REQUIRED_END, CertRequestedHow.NONE)
        policy = self.caps.on_http_1_1_required
        if policy is H11RetryPolicy.RETRY:
            self.step(
                "client",
                "client",
                f"{self.caps.profile.name} retries on a new connection offering only http/1.1",
                "R-CLI-4",
                key=True,
            )
            return _Retry(alpn=("http/1.1",))
        self.step(
            "client",
            "client",
            f"{self.caps.profile.name} does not retry over HTTP/1.1",
            "R-CLI-4",
            key=True,
            decisive=True,
        )
        return (
            Http2Error(
                rule="R-REQ-2.h2",
                client_error=self.caps.profile.http2_error_text("HTTP_1_1_REQUIRED"),
            ),
            None,
            False,
        )

    def _late_h3(self) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        self.step(
            "http",
            "http.sys",
            "QUIC forbids renegotiation and post-handshake CertificateRequest: the stream is "
            "refused with H3_VERSION_FALLBACK (0x0110); the client falls back to TCP",
            "R-REQ-2.h3",
            key=True,
            decisive=True,
        )
        self.doubt(
            OutcomeKind.CONNECTION_RESET,
            "Windows might apply its TLS 1.3 late-demand policy on HTTP/3 instead "
            "(reset before 24H2, 500.0 0x80070032 after)",
            "R-REQ-2.h3",
        )
        self.end_connection("h3_error:H3_VERSION_FALLBACK", CertRequestedHow.NONE)
        return _Retry(alpn=self.caps.alpn, quic=False)

    def _late_tls13(self, exchange: Exchange) -> tuple[Outcome, IisLogLine | None, bool]:
        release = self.scenario.server.release
        refusal = self.late_demand(exchange).refusal
        if refusal is not None:
            self.step(
                "tls",
                "http.sys",
                f"TLS 1.3 has no renegotiation, and http.sys's late demand sends no "
                f"post-handshake CertificateRequest ({refusal.reason})",
                refusal.rule,
                key=True,
                decisive=self.caps.offers_pha,
            )
        if release.user_defined:
            other = (
                "a reset (as Windows 11 before 24H2)"
                if release.late_demand_tls13 is LateDemandPolicy.NOT_SUPPORTED
                else "500.0 with 0x80070032 (as Windows 11 24H2)"
            )
            self.doubt(
                OutcomeKind.HTTP_RESPONSE
                if release.late_demand_tls13 is not LateDemandPolicy.NOT_SUPPORTED
                else OutcomeKind.CONNECTION_RESET,
                f"{release.product} is user-defined: a real build might answer with {other}",
                "R-REL-5",
            )
            self.decisive.append("R-REL-5")
        rule = release.late_demand_rule
        if (
            release.late_demand_tls13 is LateDemandPolicy.NOT_SUPPORTED
            and self.scenario.server.host is _HTTPSYS
        ):
            self.step(
                "iis",
                "http.sys",
                f"{release.product}: HttpReceiveClientCertificate fails with "
                "ERROR_NOT_SUPPORTED (50)",
                rule,
                key=True,
                decisive=True,
            )
            return _apphost.httpsys_not_supported(self)
        if release.late_demand_tls13 is LateDemandPolicy.NOT_SUPPORTED:
            self.step(
                "iis",
                "http.sys",
                f"{release.product}: HttpReceiveClientCertificate fails with "
                "ERROR_NOT_SUPPORTED (50)",
                rule,
                key=True,
                decisive=True,
            )
            if self.caps.offers_pha:  # "any client" is the inferred part of the row
                self.doubt(
                    OutcomeKind.HTTP_RESPONSE,
                    "http.sys might ask this post_handshake_auth client with a post-handshake "
                    "CertificateRequest instead of failing: the certificate would reach IIS",
                    "R-REQ-2.tls13-not-supported",
                )
            self.step(
                "iis",
                "IIS",
                "IIS Web Core answers 500.0 with 0x80070032; the connection stays open "
                "(inferred: http.sys might close it after the 500)",
                "R-REQ-2.tls13-not-supported",
                key=True,
                decisive=True,
            )
            if rule == "R-REL-4":
                self.doubt(
                    OutcomeKind.CONNECTION_RESET,
                    f"{release.product} might reset the connection as Windows 11 23H2 does",
                    "R-REL-4",
                )
            self.httperr = None
            self.end_connection("response")
            return self._answer(500, 0, 50, "R-REQ-2.tls13-not-supported", module="IIS Web Core")
        if self.caps.offers_pha:
            self.step(
                "tls",
                "http.sys",
                f"{release.product}: the client offered post_handshake_auth, yet no certificate "
                "reaches IIS; the request goes on without one",
                "R-REQ-2.tls13-pha",
                key=True,
                decisive=True,
            )
            self.doubt(
                OutcomeKind.CONNECTION_RESET,
                "the connection might be reset as for clients without post_handshake_auth",
                "R-REQ-2.tls13-pha",
            )
            self.end_connection("response")
            return self._validate(None)
        self.step(
            "tcp",
            "http.sys",
            f"{release.product}: http.sys cannot get the certificate over TLS 1.3 and resets "
            "the TCP connection; no HTTP response, no W3C log line",
            "R-REQ-2.tls13-reset",
            key=True,
            decisive=True,
        )
        guess = _PHA_GUESSES.get(self.caps.profile.id)
        if guess is not None and self.scenario.client.offers_pha is None:
            # The client's PHA offer is itself inferred: the other reading changes the row.
            self.step(
                "client",
                "client",
                f"whether {self.caps.profile.name} offers post_handshake_auth is inferred",
                guess,
                decisive=True,
            )
            self.doubt(
                OutcomeKind.HTTP_RESPONSE,
                f"if {self.caps.profile.name} offers post_handshake_auth, the connection "
                "survives and the request goes on without a certificate "
                "(R-REQ-2.tls13-pha: 200 under Accept, 403.7 under Require)",
                guess,
            )
        self.end_connection("reset")
        self.httperr = "Connection_Dropped"
        return self._reset("R-REQ-2.tls13-reset"), None, False

    def _late_tls12(self, exchange: Exchange) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        s = self.scenario
        body = s.request.body_bytes
        limit = s.server.upload_read_ahead_size
        if body > limit and s.server.host not in _DIRECT_HOSTS:
            self.step(
                "iis",
                "IIS",
                f"the {body}-byte body exceeds uploadReadAheadSize ({limit}): IIS cannot "
                "buffer it for the renegotiation and answers 413",
                "R-REQ-2.tls12-body",
                key=True,
                decisive=True,
            )
            self.end_connection("response", CertRequestedHow.NONE)
            return self._answer(413, 0, 0, "R-REQ-2.tls12-body")
        self.step(
            "tls",
            "http.sys",
            "asks Schannel to renegotiate: a HelloRequest inside the encrypted connection, "
            "then a full handshake with a CertificateRequest",
            "R-REQ-2.tls12-reneg",
            key=True,
        )
        late = self.late_demand(exchange)
        refusal = late.refusal
        if refusal is not None:
            blocked = refusal.rule == "R-REQ-2.tls12-schannel-blocked"
            self.step(
                "tls",
                "http.sys",
                "Schannel cannot start the renegotiation ("
                + ("DisableRenegoOnServer=1" if blocked else refusal.reason)
                + "): the request fails and the connection is reset",
                "R-REQ-2.tls12-schannel-blocked" if blocked else "RFC5746-3",
                key=True,
                decisive=True,
            )
            self.end_connection("reset", CertRequestedHow.NONE)
            rule = "R-REQ-2.tls12-schannel-blocked" if blocked else "RFC5746-3"
            return self._reset(rule), None, False
        if late.asked_user:
            self.end_connection(ASKED_USER_END, _BY_RENEGOTIATION)
            return self.ask_user()
        if late.server_state is State.S12_RENEG_WAIT_CH and not late.client_closed:
            self.step(
                "tls",
                "client",
                f"{self.caps.profile.name} ignores the HelloRequest; http.sys waits without an "
                "HTTP response until its two-minute renegotiation timer ends the connection "
                "(HTTPERR Timer_SslRenegotiation)",
                "R-REQ-2.tls12-ignored",
                key=True,
                decisive=True,
            )
            self.doubt(
                OutcomeKind.CONNECTION_RESET,
                "http.sys might reset the connection instead of waiting for the timer",
                "R-REQ-2.tls12-ignored",
            )
            self.end_connection("timeout", _BY_RENEGOTIATION)
            self.httperr = "Timer_SslRenegotiation"
            return (
                Timeout(
                    rule="R-REQ-2.tls12-ignored",
                    client_error=self.caps.profile.error_timeout.value,
                ),
                None,
                False,
            )
        if late.client_closed and isinstance(late.client_error, HandshakeRefused):
            self.step(
                "tls",
                "client",
                f"{self.caps.profile.name} refuses the renegotiation with a fatal "
                "no_renegotiation alert and closes the connection",
                "R-CLI-2",
                key=True,
                decisive=True,
            )
            self.end_connection("tls_alert:no_renegotiation", _BY_RENEGOTIATION)
            return (
                TlsAlert(
                    rule="R-CLI-2",
                    alert="fatal:no_renegotiation(100)",
                    sent_by="client",
                    client_error=self.caps.profile.error_alert.value.format(
                        alert="no_renegotiation"
                    ),
                ),
                None,
                False,
            )
        if late.server_closed:
            self.step(
                "tcp",
                "http.sys",
                "the client refused the renegotiation (no_renegotiation): http.sys resets the "
                "connection",
                "R-REQ-2.tls12-refused",
                key=True,
                decisive=True,
            )
            self.end_connection("reset", _BY_RENEGOTIATION)
            reset = self._reset("R-REQ-2.tls12-refused")
            refused_text = self.caps.profile.error_renegotiation_refused.value
            if refused_text is not None:  # the client reports its own refusal first
                reset = attrs.evolve(reset, client_error=refused_text)
            return reset, None, False
        cert = late.peer_certificate
        self.cert_on_connection = cert
        got = "its certificate" if cert is not None else "an empty Certificate"
        self.step(
            "tls",
            "client",
            f"renegotiation completes; the client sent {got} (encrypted under the old keys)",
            "R-TLS-7",
            key=True,
        )
        self.end_connection("response", _BY_RENEGOTIATION)
        return self._validate(cert)

    # --- outcomes -------------------------------------------------------------------------
    def _reset(self, rule: str) -> ConnectionReset:
        if self.httperr is None:
            self.httperr = "Connection_Dropped"
        if self.httperr == "Connection_Dropped":
            self.step(
                "http",
                "http.sys",
                "HTTPERR logs the connection as Connection_Dropped",
                "R-IIS-6.dropped",
            )
        profile = self.caps.profile
        text = profile.error_reset.value
        after = profile.error_reset_after_downgrade.value
        if after is not None and any(c.end == _H11_REQUIRED_END for c in self.connections):
            text = after  # the client keeps the first attempt's message (R-CLI-5)
        return ConnectionReset(rule=rule, client_error=text)

    def _validate(
        self, cert: CertState | None, *, need: bool = True
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        """IIS's verdict on the certificate it received (R-IIS-5), or on none."""
        if self.scenario.server.host in _DIRECT_HOSTS:  # no IIS verdict: core/_apphost.py
            return _apphost.deliver(self, cert, "R-HTTPSYS-4")
        if not need:
            self.step("iis", "IIS", "serves the request: 200", "R-IIS-1", key=True)
            return self._answer(200, 0, 0, "R-IIS-1")
        if cert is None or cert is _NO_CERT:
            if self.policy in (_REQUIRE, _REQUIRE_ONLY):
                text = "no client certificate and SslRequireCert: 403.7"
                self.step("iis", "IIS", text, "R-IIS-5", key=True, decisive=True)
                return self._answer(403, 7, 5, "R-IIS-5")
            text = "no client certificate; SslNegotiateCert only accepts one: 200"
            self.step("iis", "IIS", text, "R-IIS-5", key=True)
            return self._answer(200, 0, 0, "R-IIS-5")
        self.iis_certificate = cert
        verdict = _checks.check_chain(self, cert)  # trust and revocation (core/_checks.py)
        if verdict is not None:
            status, substatus, win32, rule, text = verdict
            self.step("iis", "IIS", text, rule, key=True, decisive=True)
            return self._answer(status, substatus, win32, rule)
        if cert is _REVOKED and not self.binding.verify_client_cert_revocation:
            text = "revocation checking is off on the binding: the revoked certificate passes (200)"
            self.step("iis", "http.sys", text, "R-BIND-1", key=True, decisive=True)
            return self._answer(200, 0, 0, "R-BIND-1", reached=True)
        status, substatus, win32, text = _VERDICTS[cert]
        rule = "R-IIS-5"
        if status != 200 and self.policy is CertPolicy.ACCEPT:
            rule = "R-IIS-5.accept-invalid"  # Accept does not serve a bad certificate
            if cert is not CertState.UNTRUSTED:
                # Reported for untrusted certificates only; revoked/expired are our reading.
                rule = "R-IIS-5.accept-expired-revoked"
                self.doubt(
                    OutcomeKind.HTTP_RESPONSE,
                    f"under Accept, IIS might serve the request as if the {cert.value} "
                    "certificate were absent (200)",
                    rule,
                    status=200,
                    substatus=0,
                )
        if status == 200:
            mapped = _checks.check_mapping(self)  # client-certificate mapping (core/_checks.py)
            if mapped is not None:
                status, substatus, win32, rule, text = mapped
        self.step("iis", "IIS", text, rule, key=True, decisive=status != 200)
        return self._answer(status, substatus, win32, rule, reached=status == 200)

    def _answer(
        self,
        status: int,
        substatus: int,
        win32: int,
        rule: str,
        *,
        reached: bool = False,
        module: str | None = None,
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        """An IIS response, its W3C log line (R-IIS-6), and whether the app saw a cert."""
        return self.memo.answer(status, substatus, win32, rule, reached, module)


#: R-IIS-5 / R-IIS-6: IIS's answer to a certificate it received — status, sub-status, the
#: win32 status it logs (the HRESULT for certificate errors), and the story line.
_VERDICTS: Mapping[CertState, tuple[int, int, int, str]] = MappingProxyType(
    {
        CertState.VALID: (
            200,
            0,
            0,
            "the client certificate is valid: 200, the application sees it",
        ),
        CertState.UNTRUSTED: (
            403,
            16,
            0x800B0109,  # CERT_E_UNTRUSTEDROOT
            "the certificate chains to an untrusted root: 403.16",
        ),
        CertState.EXPIRED: (403, 17, 0x800B0101, "the certificate has expired: 403.17"),
        _REVOKED: (403, 13, 0x80092010, "the certificate is revoked: 403.13"),
    }
)


def simulate_with(scenario: Scenario, memo: Memo) -> Result:
    """:func:`simulate`, taking the sub-results from ``memo`` (a sweep's caches)."""
    return _Run(scenario, memo).run()


def simulate_each(scenarios: Iterable[Scenario], memo: Memo) -> Iterator[Result]:
    """:func:`simulate_with` for each of ``scenarios`` in turn (a sweep's loop)."""
    for scenario in scenarios:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"simulate_many() takes Scenarios, not {type(scenario).__name__}")
        yield _Run(scenario, memo).run()


def simulate(scenario: Scenario) -> Result:
    """Play ``scenario`` through the model and return the :class:`~httpsys_sim.core._result.Result`.

    Total and deterministic: every well-formed scenario gives exactly one outcome, the
    same every time.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"simulate() takes a Scenario, not {type(scenario).__name__}")
    return _Run(scenario, DIRECT).run()
