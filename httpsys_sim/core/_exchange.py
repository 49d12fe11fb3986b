"""One connection's TLS exchange as a pure function of frozen inputs: ``run_exchange``.

The engine describes a connection by an :class:`ExchangeInputs` value (what each end is set
up to do, and whether IIS will make a late certificate demand) and gets back an
:class:`Exchange`: what both TLS machines put on the wire and what they decided, after the
handshake and after the late demand.  This module is the engine's only way into the TLS
layer (``httpsys_sim.tls``), so a sweep can compute each distinct exchange once
(:class:`~httpsys_sim.core._sweep.Sweep`) and the engine never touches a live machine.
"""

from __future__ import annotations

from collections.abc import Hashable

import attrs

from httpsys_sim.core._result import ConnectionRecord, WireSteps
from httpsys_sim.tls.errors import LocalProtocolError, TlsError
from httpsys_sim.tls.machine import (
    CertRequest,
    CertRequestedHow,
    ClientConfig,
    RenegotiationAnswer,
    RequestAt,
    Role,
    ServerConfig,
    State,
    TlsConnection,
)
from httpsys_sim.tls.messages import CertState, Message
from httpsys_sim.tls.personality import OPENSSL, SCHANNEL
from httpsys_sim.tls.vocabulary import AlertLevel, TlsVersion
from httpsys_sim.tls.wire import Wire, WireEvent

__all__ = ["ClientEnd", "Exchange", "ExchangeInputs", "Phase", "ServerEnd", "run_exchange"]

_NO_LATE_ALPN = frozenset({"h2", "h3"})


@attrs.frozen(kw_only=True, cache_hash=True)
class ServerEnd:
    """How http.sys (over Schannel) is set up for one connection."""

    versions: tuple[TlsVersion, ...]
    alpn: tuple[str, ...]
    cert_request: CertRequest
    request_at: RequestAt
    renegotiation_enabled: bool
    allow_insecure_renegotiation: bool


@attrs.frozen(kw_only=True, cache_hash=True)
class ClientEnd:
    """How the client (the OpenSSL personality with its profile's capabilities) is set up."""

    versions: tuple[TlsVersion, ...]
    alpn: tuple[str, ...]
    certificate: CertState
    post_handshake_auth: bool
    renegotiation: RenegotiationAnswer
    renegotiation_h2: RenegotiationAnswer
    refusal_level: AlertLevel
    secure_renegotiation: bool
    middlebox_compat: bool


@attrs.frozen(kw_only=True, cache_hash=True)
class ExchangeInputs:
    """Everything that decides one connection's TLS exchange (frozen and hashable)."""

    server: ServerEnd
    client: ClientEnd
    #: After a completed handshake on an HTTP/1.1 connection that brought no certificate,
    #: let the server make its late demand (TLS 1.3: a post-handshake CertificateRequest;
    #: TLS 1.2: a renegotiation) — HTTP/2 and QUIC forbid both.
    late: bool = False


@attrs.frozen(kw_only=True, eq=False)
class Phase:
    """What the two machines had done and decided at one point of the exchange."""

    #: The wire steps written during this phase (the handshake, or the late demand).
    wire: WireSteps
    #: Every message on the wire so far, as recorded: ``(sender, message, delivered, rule)``.
    log: tuple[tuple[Role, Message, bool, str], ...]
    server_closed: bool
    client_closed: bool
    server_error: TlsError | None
    client_error: TlsError | None
    version: TlsVersion | None
    alpn: str | None
    #: The client certificate the server holds (None: none).
    peer_certificate: CertState | None
    cert_requested: CertRequestedHow
    #: Handshakes the server completed (initial + renegotiations).
    handshakes: int
    server_state: State
    #: The server's refusal of the late demand (nothing was sent), if it refused.
    refusal: LocalProtocolError | None = None
    #: The engine's connection records for this phase, by how the connection ended (the
    #: same for every run that reaches this phase).
    records: dict[Hashable, ConnectionRecord] = attrs.field(factory=dict, repr=False)
    _events: list[tuple[WireEvent, ...]] = attrs.field(factory=list, repr=False, init=False)

    @property
    def events(self) -> tuple[WireEvent, ...]:
        """Every message on the wire so far (typed on first use, then kept)."""
        if not self._events:
            self._events.append(tuple([WireEvent(s, m, d, r) for s, m, d, r in self.log]))
        return self._events[0]


@attrs.frozen(kw_only=True, eq=False)
class Exchange:
    """One connection's exchange: after the handshake, and after the late demand if made."""

    handshake: Phase
    #: None unless the inputs asked for the late demand and the connection could carry it.
    late: Phase | None


def _phase(
    wire: Wire,
    client: TlsConnection,
    server: TlsConnection,
    start: int,
    refusal: LocalProtocolError | None = None,
) -> Phase:
    log = tuple(wire.records)
    return Phase(
        wire=WireSteps(log[start:]),
        log=log,
        server_closed=server.closed,
        client_closed=client.closed,
        server_error=server.error,
        client_error=client.error,
        version=server.version,
        alpn=server.alpn,
        peer_certificate=server.peer_certificate,
        cert_requested=server.cert_requested,
        handshakes=server.handshakes,
        server_state=server.state,
        refusal=refusal,
    )


def run_exchange(inputs: ExchangeInputs) -> Exchange:
    """Run both TLS machines for ``inputs``: the handshake, then the late demand if asked."""
    s, c = inputs.server, inputs.client
    server = TlsConnection.server(
        ServerConfig(
            personality=SCHANNEL,
            versions=s.versions,
            alpn=s.alpn,
            cert_request=s.cert_request,
            request_at=s.request_at,
            renegotiation_enabled=s.renegotiation_enabled,
            allow_insecure_renegotiation=s.allow_insecure_renegotiation,
        )
    )
    client = TlsConnection.client(
        ClientConfig(
            personality=OPENSSL,
            versions=c.versions,
            alpn=c.alpn,
            certificate=c.certificate,
            post_handshake_auth=c.post_handshake_auth,
            renegotiation=c.renegotiation,
            renegotiation_h2=c.renegotiation_h2,
            refusal_level=c.refusal_level,
            secure_renegotiation=c.secure_renegotiation,
            middlebox_compat=c.middlebox_compat,
        )
    )
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    handshake = _phase(wire, client, server, 0)
    if (
        not inputs.late
        or server.closed
        or client.closed
        or server.peer_certificate is not None
        or server.cert_requested is CertRequestedHow.HANDSHAKE
        or server.alpn in _NO_LATE_ALPN
    ):
        return Exchange(handshake=handshake, late=None)
    before = len(wire.records)
    command = "request_certificate" if server.version is TlsVersion.TLS13 else "renegotiate"
    refusal = wire.command(Role.SERVER, command)
    return Exchange(handshake=handshake, late=_phase(wire, client, server, before, refusal))
