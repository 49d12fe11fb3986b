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

from collections.abc import Callable, Hashable, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any

import attrs

from httpsys_sim.catalogue._clients import CLIENTS, ClientProfile, Fact, H11RetryPolicy, get_client
from httpsys_sim.catalogue._rules import Confidence, get_rule
from httpsys_sim.core._exchange import (
    ClientEnd,
    Exchange,
    ExchangeInputs,
    Phase,
    ServerEnd,
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
    TlsAlert,
    Trace,
    TraceEntry,
    weakest,
)
from httpsys_sim.core._scenario import CLIENT_OVERRIDES, ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.tls.errors import HandshakeRefused
from httpsys_sim.tls.machine import (
    CertRequest,
    CertRequestedHow,
    RenegotiationAnswer,
    RequestAt,
    State,
)
from httpsys_sim.tls.messages import CertState
from httpsys_sim.tls.vocabulary import AlertLevel, TlsVersion
from httpsys_sim.windows._binding import SslBinding
from httpsys_sim.windows._iis import (
    AccessSslFlag,
    CertPolicy,
    Host,
    access_flag_names,
    apply_site_binding_flags,
    cert_policy,
)
from httpsys_sim.windows._releases import LateDemandPolicy

__all__ = [
    "ClientCaps",
    "Memo",
    "ServerPlan",
    "effective_binding",
    "effective_client",
    "server_versions",
    "simulate",
]

#: Connections a client opens at most for one request (first try + protocol fallbacks).
MAX_CONNECTIONS = 4

#: Layers whose steps belong to a connection.
_CONNECTION_LAYERS = frozenset({"tls", "http", "tcp"})
_HTTP_NAMES: Mapping[str, str] = MappingProxyType({"h2": "HTTP/2", "h3": "HTTP/3"})

_ALL_VERSIONS = (TlsVersion.TLS13, TlsVersion.TLS12, TlsVersion.TLS11, TlsVersion.TLS10)


@attrs.frozen(kw_only=True)
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


def _val(fact: Fact[Any], override: Any) -> Any:
    return fact.value if override is None else override


def effective_client(scenario: Scenario) -> ClientCaps:
    """The client's capabilities for ``scenario`` (profile + per-scenario overrides)."""
    c = scenario.client
    if not any(getattr(c, name) is not None for name in CLIENT_OVERRIDES):
        # No overrides: the profile's own capabilities, worked out once per catalogue entry.
        return _PROFILE_CAPS[c.profile]
    return _client_caps(c)


def _client_caps(c: ClientSetup) -> ClientCaps:
    p = get_client(c.profile)
    max_tls = TlsVersion.parse(str(_val(p.max_tls, c.max_tls.value if c.max_tls else None)))
    min_tls = TlsVersion.parse(str(_val(p.min_tls, c.min_tls.value if c.min_tls else None)))
    versions = tuple(v for v in _ALL_VERSIONS if min_tls.rank <= v.rank <= max_tls.rank)
    overridden = frozenset(name for name in CLIENT_OVERRIDES if getattr(c, name) is not None)
    level = c.refusal_level
    if level is None:
        level = AlertLevel.FATAL if p.refusal_level.value.value == "fatal" else AlertLevel.WARNING
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
    )


#: Every catalogue profile's capabilities without overrides (profiles are constants).
_PROFILE_CAPS: Mapping[str, ClientCaps] = MappingProxyType(
    {profile_id: _client_caps(ClientSetup(profile=profile_id)) for profile_id in CLIENTS}
)


def effective_binding(scenario: Scenario) -> SslBinding:
    """The http.sys binding after IIS pushed the site binding's ``sslFlags`` (R-IIS-3)."""
    return _binding_of(scenario.server)


def _binding_of(s: ServerSetup) -> SslBinding:
    return apply_site_binding_flags(
        s.binding,
        s.site_binding_ssl_flags,
        host=s.host,
        supports_negotiate_flag=s.release.site_binding_negotiate_flag,
    )


def server_versions(scenario: Scenario, binding: SslBinding) -> tuple[TlsVersion, ...]:
    """TLS versions http.sys will negotiate: release defaults, Schannel registry, binding."""
    return _versions_of(scenario.server, binding)


def _versions_of(server: ServerSetup, binding: SslBinding) -> tuple[TlsVersion, ...]:
    release = server.release
    enabled = set(release.tls_versions)
    for version in _ALL_VERSIONS:
        explicit = server.schannel.server_protocol_enabled(version)
        if explicit is True and (version is not TlsVersion.TLS13 or release.tls13):
            enabled.add(version)
        elif explicit is False:
            enabled.discard(version)
    if binding.disable_tls13:
        enabled.discard(TlsVersion.TLS13)
    if binding.disable_tls12:
        enabled.discard(TlsVersion.TLS12)
    if binding.disable_legacy_tls:
        enabled -= {TlsVersion.TLS10, TlsVersion.TLS11}
    return tuple(v for v in _ALL_VERSIONS if v in enabled)


@attrs.frozen(kw_only=True)
class ServerPlan:
    """What a run derives from the server set-up alone (R-IIS-3, R-IIS-1, R-BIND-1)."""

    binding: SslBinding
    policy: CertPolicy
    versions: tuple[TlsVersion, ...]


def server_plan(server: ServerSetup) -> ServerPlan:
    """The effective binding, certificate policy and TLS versions of ``server``."""
    binding = _binding_of(server)
    return ServerPlan(
        binding=binding,
        policy=cert_policy(server.access_ssl_flags),
        versions=_versions_of(server, binding),
    )


def client_caps(client: ClientSetup) -> ClientCaps:
    """The capabilities of ``client`` (profile + overrides), as :func:`effective_client`."""
    if not any(getattr(client, name) is not None for name in CLIENT_OVERRIDES):
        return _PROFILE_CAPS[client.profile]
    return _client_caps(client)


@attrs.frozen(kw_only=True)
class ServerSide:
    """What a server set-up and a request give every run: the plan and the configuration
    steps, with their doubts and decisive rules."""

    plan: ServerPlan
    #: The server end of a TCP and of a QUIC connection.
    tcp_end: ServerEnd
    quic_end: ServerEnd
    steps: tuple[TraceEntry, ...]
    alternatives: tuple[Alternative, ...]
    decisive: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Memo:
    """Where a run gets the values it derives from parts of its scenario.

    :func:`simulate` computes each afresh (the defaults); a sweep
    (:class:`~httpsys_sim.core._sweep.Sweep`) passes bounded caches, so each distinct TLS
    exchange, server set-up, client set-up and configuration is worked out once.
    """

    exchange: Callable[[ExchangeInputs], Exchange] = run_exchange
    client: Callable[[ClientSetup], ClientCaps] = client_caps
    #: What each ``(server set-up, request)`` gives; None: nothing is kept.
    servers: MutableMapping[tuple[ServerSetup, Request], ServerSide] | None = None
    #: The client end of a connection by (identity of the capabilities, certificate,
    #: offered ALPN, QUIC), with the capabilities; None: nothing is kept.
    client_ends: MutableMapping[tuple[Any, ...], tuple[ClientCaps, ClientEnd]] | None = None
    #: The weakest confidence of each combination of deciding rules; None: not kept.
    confidences: MutableMapping[tuple[str, ...], Confidence] | None = None
    #: Typed steps by recorded row, shared by the traces of a sweep; None: not kept.
    steps: MutableMapping[Hashable, Step] | None = None


_DIRECT = Memo()


def _confidence(rules: tuple[str, ...]) -> Confidence:
    """The weakest confidence among ``rules``."""
    return weakest(*(get_rule(r).confidence for r in set(rules)))


@attrs.frozen
class _Retry:
    """The client will try again on a new connection offering only these protocols."""

    alpn: tuple[str, ...]
    quic: bool = False


class _Run:
    """One simulation in progress: collects steps, connections and doubts."""

    def __init__(self, scenario: Scenario, memo: Memo = _DIRECT) -> None:
        self.scenario = scenario
        self.memo = memo
        self.caps = memo.client(scenario.client)
        servers = memo.servers
        #: What an earlier run of the sweep found for this server set-up and request.
        self.side = None if servers is None else servers.get((scenario.server, scenario.request))
        plan = server_plan(scenario.server) if self.side is None else self.side.plan
        self.binding = plan.binding
        self.policy = plan.policy
        self.versions = plan.versions
        #: The trace as recorded: rows and wire-step references (see :class:`Trace`).
        self.steps: list[TraceEntry] = []
        self.connections: list[ConnectionRecord] = []
        self.decisive: list[str] = []
        self.alternatives: list[Alternative] = []
        self.cert_on_connection: CertState | None = None
        self.httperr: str | None = None
        #: The client certificate IIS received (None: none reached it).
        self.iis_certificate: CertState | None = None

    # --- bookkeeping ------------------------------------------------------------------
    def step(
        self,
        layer: str,
        actor: str,
        event: str,
        rule: str,
        *,
        key: bool = False,
        decisive: bool = False,
    ) -> None:
        connection = len(self.connections) if layer in _CONNECTION_LAYERS else None
        self.steps.append((layer, actor, event, rule, connection, key))
        if decisive:
            self.decisive.append(rule)

    def doubt(self, kind: OutcomeKind, description: str, rule: str, **fields: Any) -> None:
        self.alternatives.append(
            Alternative(kind=kind, description=description, rule=rule, **fields)
        )

    def _finish(self, outcome: Outcome) -> Outcome:
        cache = self.memo.confidences
        if cache is None:
            confidence = _confidence((outcome.rule, *self.decisive))
        else:
            key = (outcome.rule, *self.decisive)
            known = cache.get(key)
            if known is None:
                known = cache[key] = _confidence(key)
            confidence = known
        if confidence is outcome.confidence and not self.alternatives:
            return outcome  # already right: no copy
        return attrs.evolve(outcome, confidence=confidence, alternatives=tuple(self.alternatives))

    # --- the pipeline -------------------------------------------------------------------
    def run(self) -> Result:
        outcome, log, reached = self._pipeline()
        outcome = self._finish(outcome)
        return Result(
            scenario=self.scenario,
            outcome=outcome,
            connections=tuple(self.connections),
            steps=Trace(tuple(self.steps), shared=self.memo.steps),
            iis_log=log,
            certificate_reached_app=reached,
            iis_certificate=self.iis_certificate,
            httperr=self.httperr,
        )

    def _pipeline(self) -> tuple[Outcome, IisLogLine | None, bool]:
        s = self.scenario
        self._configure()
        if s.request.scheme == "http":
            return self._plain_http()
        alpn = self.caps.alpn
        quic = self._uses_quic()
        for _ in range(MAX_CONNECTIONS):
            answer = self._connection(alpn, quic=quic)
            if not isinstance(answer, _Retry):
                return answer
            alpn, quic = answer.alpn, answer.quic
        raise AssertionError("client kept retrying")  # pragma: no cover

    def _configure(self) -> None:
        """The configuration steps, worked out once per server set-up and request in a sweep.

        They read the server set-up, the request and what the run derived from them only.
        """
        known = self.side
        if known is not None:
            self.steps += known.steps
            self.alternatives += known.alternatives
            self.decisive += known.decisive
            return
        cache = self.memo.servers
        if cache is None:
            self._configuration_steps()
            return
        steps, alternatives, decisive = len(self.steps), len(self.alternatives), len(self.decisive)
        self._configuration_steps()
        self.side = cache[self.scenario.server, self.scenario.request] = ServerSide(
            plan=ServerPlan(binding=self.binding, policy=self.policy, versions=self.versions),
            tcp_end=self._server_end(False),
            quic_end=self._server_end(True),
            steps=tuple(self.steps[steps:]),
            alternatives=tuple(self.alternatives[alternatives:]),
            decisive=tuple(self.decisive[decisive:]),
        )

    def _configuration_steps(self) -> None:
        s = self.scenario.server
        r = s.release
        self.step(
            "config",
            "Windows",
            f"{r.product} (build {r.build}): TLS "
            + "/".join(r.tls_versions)  # str enums join as their values
            + " on by default; late certificate demand over TLS 1.3: "
            + r.late_demand_tls13.value,
            "R-REL-1",
        )
        if r.user_defined:
            self.step(
                "config",
                "Windows",
                f"{r.product} is user-defined (based on {r.based_on}): its policy is the "
                "user's choice, not a documented release",
                "R-REL-5",
                key=True,
            )
        if int(s.site_binding_ssl_flags):
            if s.host is Host.IIS_EXPRESS:
                self.step(
                    "config",
                    "IIS Express",
                    f"site binding sslFlags={int(s.site_binding_ssl_flags)} "
                    "not pushed into http.sys "
                    "(IIS Express uses the pre-registered bindings)",
                    "R-IIS-3",
                )
                self.doubt(
                    OutcomeKind.HTTP_RESPONSE,
                    "IIS Express might honour site binding sslFlags ≥ 4 like full IIS",
                    "R-IIS-3",
                )
            else:
                negotiate_bit = int(s.site_binding_ssl_flags) & 128
                note = ""
                if negotiate_bit and not r.site_binding_negotiate_flag:
                    note = "; bit 128 (Negotiate Client Certificate) does not exist on this release"
                self.step(
                    "config",
                    "IIS",
                    f"site binding sslFlags={int(s.site_binding_ssl_flags)} pushed into the "
                    f"http.sys binding{note}",
                    "R-IIS-3",
                    key=bool(negotiate_bit),
                )
        flags = ", ".join(access_flag_names(s.access_ssl_flags)) or "None"
        self.step(
            "config",
            "IIS" if s.host is Host.IIS else "IIS Express",
            f'<access sslFlags="{flags}"> applies to {self.scenario.request.path} '
            f"(client certificate: {self.policy.value})",
            "R-IIS-1",
        )
        b = self.binding
        self.step(
            "config",
            "http.sys",
            f"SSL binding {b.endpoint}: DefaultFlags=0x{int(b.default_flags):x}"
            + (" (clientcertnegotiation enabled)" if b.client_cert_negotiation else "")
            + (" (TLS 1.3 disabled)" if b.disable_tls13 else "")
            + (" (HTTP/2 disabled)" if b.disable_http2 else ""),
            "R-BIND-1",
        )

    def _uses_quic(self) -> bool:
        s = self.scenario.server
        return bool(
            s.http3
            and self.caps.http3
            and not self.binding.disable_quic
            and TlsVersion.TLS13 in self.versions
            and TlsVersion.TLS13 in self.caps.versions
        )

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
    def _server_alpn(self, quic: bool) -> tuple[str, ...]:
        if quic:
            return ("h3",)
        if self.binding.disable_http2 or not self.scenario.server.release.http2:
            return ("http/1.1",)
        return ("h2", "http/1.1")

    def _connection(
        self, alpn: tuple[str, ...], *, quic: bool
    ) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        s = self.scenario
        index = len(self.connections)
        transport = "quic" if quic else "tcp"
        offered = ("h3",) if quic else alpn
        self.step(
            "tcp",
            "client",
            f"connection {index + 1}: opens a {'QUIC' if quic else 'TCP'} connection to "
            f"{self.binding.endpoint} (ALPN offered: {', '.join(offered) or 'none'})",
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
            self._record(index, transport, None, None, CertRequestedHow.NONE, "reset", ())
            return self._reset("R-PIPE-5"), None, False
        negotiate = self.binding.client_cert_negotiation
        self._exchange = self._tls(offered, quic)
        server = self._exchange.handshake
        self._wire_steps(server)
        if server.server_closed or server.client_closed:
            return self._handshake_failed(index, transport, server)
        version = server.version
        assert version is not None
        self.cert_on_connection = server.peer_certificate
        how = server.cert_requested
        self.step(
            "tls",
            "http.sys",
            f"TLS {version.value} negotiated (highest version both ends enable), ALPN "
            f"{server.alpn or 'none'}"
            + (
                "; certificate requested in the handshake"
                + (
                    f", client sent {s.client.certificate.value}"
                    if how is CertRequestedHow.HANDSHAKE
                    else ""
                )
                if negotiate
                else "; no certificate requested in the handshake"
            ),
            "R-REQ-1" if negotiate else "R-PIPE-3",
            key=True,
        )
        protocol = server.alpn or "http/1.1"
        return self._http(index, transport, protocol, server)

    def _tls(self, offered: tuple[str, ...], quic: bool) -> Exchange:
        """This connection's TLS exchange: run, or found in the sweep's cache."""
        inputs = ExchangeInputs(
            server=self._server_end(quic),
            client=self._client_end(offered, quic),
            # IIS may demand a certificate after the request (R-REQ-2): let the exchange
            # carry on into it when the connection allows one.
            late=self.policy is not CertPolicy.IGNORE
            and self.policy is not CertPolicy.REQUIRE_ONLY,
        )
        self._inputs = inputs
        return self.memo.exchange(inputs)

    def _server_end(self, quic: bool) -> ServerEnd:
        side = self.side
        if side is not None:
            return side.quic_end if quic else side.tcp_end
        negotiate = self.binding.client_cert_negotiation
        schannel = self.scenario.server.schannel
        return ServerEnd(
            versions=tuple(v for v in self.versions if v is TlsVersion.TLS13)
            if quic
            else self.versions,
            alpn=self._server_alpn(quic),
            cert_request=CertRequest.OPTIONAL
            if negotiate or self.policy is not CertPolicy.IGNORE
            else CertRequest.NONE,
            request_at=RequestAt.HANDSHAKE if negotiate else RequestAt.RENEGOTIATION,
            renegotiation_enabled=not schannel.disable_reneg_on_server,
            allow_insecure_renegotiation=schannel.allow_insecure_reneg_clients,
        )

    def _client_end(self, offered: tuple[str, ...], quic: bool) -> ClientEnd:
        caps = self.caps
        certificate = self.scenario.client.certificate
        cache = self.memo.client_ends
        if cache is not None:
            # The capabilities are the sweep's own value: its identity stands for all it
            # holds (each entry keeps it alive, so the identity stays its own).
            key = (id(caps), certificate, offered, quic)
            known = cache.get(key)
            if known is not None:
                return known[1]
        end = ClientEnd(
            versions=(TlsVersion.TLS13,) if quic else caps.versions,
            alpn=offered,
            certificate=certificate,
            post_handshake_auth=caps.offers_pha,
            renegotiation=caps.renegotiation_http11,
            renegotiation_h2=caps.renegotiation_h2,
            refusal_level=caps.refusal_level,
            secure_renegotiation=caps.secure_renegotiation,
            middlebox_compat=caps.middlebox_compat,
        )
        if cache is not None:
            cache[key] = (caps, end)
        return end

    def _wire_steps(self, phase: Phase) -> None:
        """The phase's wire messages as steps of the current connection (typed on demand)."""
        if phase.wire.rows:
            self.steps.append((phase.wire, len(self.connections)))

    def _late_phase(self) -> Phase:
        """The current connection after the server's late certificate demand."""
        late = self._exchange.late
        if late is None:  # the inputs did not foresee it: ask for it
            late = self.memo.exchange(attrs.evolve(self._inputs, late=True)).late
        assert late is not None
        return late

    def _record(
        self,
        index: int,
        transport: str,
        version: TlsVersion | None,
        alpn: str | None,
        how: CertRequestedHow,
        end: str,
        wire: tuple[Any, ...],
    ) -> None:
        self.connections.append(
            ConnectionRecord(
                index=index,
                transport=transport,
                tls_version=None if version is None else version.value,
                alpn=alpn,
                cert_requested=how,
                end=end,
                wire=wire,
            )
        )

    def _handshake_failed(
        self, index: int, transport: str, server: Phase
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        err = server.server_error or server.client_error
        if isinstance(server.server_error, HandshakeRefused) and server.version is None:
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
                server.events,
            )
            return (
                NoCommonProtocol(
                    rule="R-PIPE-3",
                    client_error=self.caps.profile.error_alert.value.format(
                        alert="protocol_version"
                    ),
                ),
                None,
                False,
            )
        rule = err.rule if err is not None else "RFC8446-6.2"
        self.step("tls", "http.sys", f"handshake failed: {err}", rule, key=True, decisive=True)
        self._record(
            index, transport, None, None, server.cert_requested, "tls_alert", server.events
        )
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
        self,
        index: int,
        transport: str,
        protocol: str,
        server: Phase,
    ) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        req = self.scenario.request
        http_name = _HTTP_NAMES.get(protocol, "HTTP/1.1")
        self.step(
            "http",
            "client",
            f"{req.method} {req.path} over {http_name}"
            + (f" with a {req.body_bytes}-byte body" if req.body_bytes else ""),
            "R-PIPE-1",
        )
        version = server.version
        assert version is not None

        def record(end: str, how: CertRequestedHow | None = None, now: Phase = server) -> None:
            how = now.cert_requested if how is None else how
            # The record depends on the phase and these alone: runs sharing the phase (a
            # sweep's cached exchange) share it.
            key = (index, transport, end, how)
            known = now.records.get(key)
            if known is None:
                self._record(
                    index,
                    transport,
                    version if end != "reset" or now.handshakes else None,
                    protocol,
                    how,
                    end,
                    now.events,
                )
                now.records[key] = self.connections[-1]
            else:
                self.connections.append(known)

        if self.policy is CertPolicy.IGNORE:
            self.step(
                "iis", "IIS", "no client certificate needed for this path", "R-IIS-1", key=True
            )
            record("response")
            return self._validate(None, need=False)
        if (
            self.cert_on_connection is not None
            or server.cert_requested is CertRequestedHow.HANDSHAKE
        ):
            self.step(
                "iis",
                "IIS",
                "HttpReceiveClientCertificate returns what the handshake already brought; "
                "no new exchange",
                "R-REQ-2.cert-present",
                key=True,
            )
            record("response")
            return self._validate(self.cert_on_connection)
        if self.policy is CertPolicy.REQUIRE_ONLY:
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
            record("response")
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
            return self._late_h2(record)
        if protocol == "h3":
            return self._late_h3(record)
        if version is TlsVersion.TLS13:
            return self._late_tls13(record)
        return self._late_tls12(record)

    def _late_h2(self, record: Any) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
        self.step(
            "http",
            "http.sys",
            "renegotiation and post-handshake auth are forbidden on HTTP/2: RST_STREAM with "
            "HTTP_1_1_REQUIRED (0xd) on this stream; the connection stays open",
            "R-REQ-2.h2",
            key=True,
        )
        record("http2_error:HTTP_1_1_REQUIRED", CertRequestedHow.NONE)
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
                client_error=self.caps.profile.error_http2.value.format(code="HTTP_1_1_REQUIRED"),
            ),
            None,
            False,
        )

    def _late_h3(self, record: Any) -> tuple[Outcome, IisLogLine | None, bool] | _Retry:
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
        record("h3_error:H3_VERSION_FALLBACK", CertRequestedHow.NONE)
        return _Retry(alpn=self.caps.alpn, quic=False)

    def _late_tls13(self, record: Any) -> tuple[Outcome, IisLogLine | None, bool]:
        release = self.scenario.server.release
        late = self._late_phase()  # the server's post-handshake CertificateRequest
        refusal = late.refusal
        self._wire_steps(late)
        if refusal is not None:
            self.step(
                "tls",
                "http.sys",
                f"TLS 1.3 has no renegotiation, and Schannel sends no post-handshake "
                f"CertificateRequest ({refusal.reason})",
                refusal.rule,
                key=True,
                decisive=self.caps.offers_pha,
            )
            if self.caps.offers_pha:
                self.doubt(
                    OutcomeKind.HTTP_RESPONSE,
                    "Schannel might answer this client's post_handshake_auth with a "
                    "post-handshake CertificateRequest: the certificate would then reach IIS",
                    refusal.rule,
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
            record("response", now=late)
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
            record("response", now=late)
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
        record("reset", now=late)
        self.httperr = "Connection_Dropped"
        return self._reset("R-REQ-2.tls13-reset"), None, False

    def _late_tls12(self, record: Any) -> tuple[Outcome, IisLogLine | None, bool]:
        s = self.scenario
        body = s.request.body_bytes
        limit = s.server.upload_read_ahead_size
        if body > limit:
            self.step(
                "iis",
                "IIS",
                f"the {body}-byte body exceeds uploadReadAheadSize ({limit}): IIS cannot "
                "buffer it for the renegotiation and answers 413",
                "R-REQ-2.tls12-body",
                key=True,
                decisive=True,
            )
            record("response", CertRequestedHow.NONE)
            return self._answer(413, 0, 0, "R-REQ-2.tls12-body")
        self.step(
            "tls",
            "http.sys",
            "asks Schannel to renegotiate: a HelloRequest inside the encrypted connection, "
            "then a full handshake with a CertificateRequest",
            "R-REQ-2.tls12-reneg",
            key=True,
        )
        late = self._late_phase()  # the server's renegotiation
        refusal = late.refusal
        self._wire_steps(late)
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
            record("reset", CertRequestedHow.NONE, now=late)
            rule = "R-REQ-2.tls12-schannel-blocked" if blocked else "RFC5746-3"
            return self._reset(rule), None, False
        if late.server_state is State.S12_RENEG_WAIT_CH and not late.client_closed:
            self.step(
                "tls",
                "client",
                f"{self.caps.profile.name} ignores the HelloRequest; http.sys waits, then drops "
                "the connection",
                "R-REQ-2.tls12-ignored",
                key=True,
                decisive=True,
            )
            self.doubt(
                OutcomeKind.TIMEOUT,
                "the renegotiation timer (two minutes) ends it: HTTPERR Timer_SslRenegotiation",
                "R-REQ-2.tls12-ignored",
            )
            record("reset", CertRequestedHow.RENEGOTIATION, now=late)
            self.httperr = "Timer_SslRenegotiation"
            return self._reset("R-REQ-2.tls12-ignored"), None, False
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
            record("tls_alert:no_renegotiation", CertRequestedHow.RENEGOTIATION, now=late)
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
            record("reset", CertRequestedHow.RENEGOTIATION, now=late)
            return self._reset("R-REQ-2.tls12-refused"), None, False
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
        record("response", CertRequestedHow.RENEGOTIATION, now=late)
        return self._validate(cert)

    # --- outcomes -------------------------------------------------------------------------
    def _reset(self, rule: str) -> ConnectionReset:
        if self.httperr is None:
            self.httperr = "Connection_Dropped"
        return ConnectionReset(rule=rule, client_error=self.caps.profile.error_reset.value)

    def _validate(
        self, cert: CertState | None, *, need: bool = True
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        """IIS's verdict on the certificate it received (R-IIS-5), or on none."""
        if not need:
            self.step("iis", "IIS", "serves the request: 200", "R-IIS-1", key=True)
            return self._answer(200, 0, 0, "R-IIS-1")
        if cert is None or cert is CertState.NONE:
            if self.policy in (CertPolicy.REQUIRE, CertPolicy.REQUIRE_ONLY):
                text = "no client certificate and SslRequireCert: 403.7"
                self.step("iis", "IIS", text, "R-IIS-5", key=True, decisive=True)
                return self._answer(403, 7, 5, "R-IIS-5")
            text = "no client certificate; SslNegotiateCert only accepts one: 200"
            self.step("iis", "IIS", text, "R-IIS-5", key=True)
            return self._answer(200, 0, 0, "R-IIS-5")
        self.iis_certificate = cert
        if cert is CertState.REVOKED and not self.binding.verify_client_cert_revocation:
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
        self.step("iis", "IIS", text, rule, key=True, decisive=status != 200)
        return self._answer(status, substatus, win32, rule, reached=status == 200)

    @staticmethod
    def _answer(
        status: int,
        substatus: int,
        win32: int,
        rule: str,
        *,
        reached: bool = False,
        module: str | None = None,
    ) -> tuple[Outcome, IisLogLine | None, bool]:
        """An IIS response, its W3C log line (R-IIS-6), and whether the app saw a cert."""
        return (
            HttpResponse(
                rule=rule, status=status, substatus=substatus, win32_status=win32, module=module
            ),
            IisLogLine(status=status, substatus=substatus, win32_status=win32),
            reached,
        )


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
        CertState.REVOKED: (403, 13, 0x80092010, "the certificate is revoked: 403.13"),
    }
)


def simulate(scenario: Scenario) -> Result:
    """Play ``scenario`` through the model and return the :class:`~httpsys_sim.core._result.Result`.

    Total and deterministic: every well-formed scenario gives exactly one outcome, the
    same every time.
    """
    return _Run(scenario).run()


def simulate_with(scenario: Scenario, memo: Memo) -> Result:
    """:func:`simulate`, deriving values through ``memo`` (a sweep's caches)."""
    return _Run(scenario, memo).run()
