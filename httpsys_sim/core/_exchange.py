"""One connection's TLS exchange as a pure function of frozen inputs: :func:`run_exchange`.

The engine describes a connection by the two ends' configurations (``ServerConfig``,
``ClientConfig``: frozen, hashable) and whether the server will demand a certificate after
the handshake; it gets back an :class:`Exchange`: what both TLS machines put on the wire and
what they decided, after the handshake and after the late demand.  The engine and the hosts
(``core/_apphost.py``) reach the TLS machines only through this function, so a sweep can
compute each distinct exchange once (:class:`~httpsys_sim.core._sweep.Sweep`).
"""

from __future__ import annotations

from typing import NamedTuple

from httpsys_sim.core._result import WireSteps
from httpsys_sim.tls import (
    CertRequestedHow,
    CertState,
    ClientConfig,
    LocalProtocolError,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsError,
    TlsVersion,
    Wire,
    WireEvent,
)

__all__ = ["ASKED_USER_END", "Exchange", "Phase", "run_exchange"]

#: Protocols on which neither renegotiation nor post-handshake auth may happen (R-REQ-2.h2,
#: R-REQ-2.h3): the server cannot demand a certificate late.
_NO_LATE_ALPN = frozenset({"h2", "h3"})

# Enum members read on every run, bound to module names once: on CPython 3.11 reading a
# member through its class goes through the enum metaclass and costs about 80 ns, a
# module name about 3 ns (docs/architecture.md#speed).
_CLIENT, _SERVER = Role.CLIENT, Role.SERVER
_IN_HANDSHAKE, _TLS13 = CertRequestedHow.HANDSHAKE, TlsVersion.TLS13
_CLOSED = State.CLOSED

#: How a connection ends when the client closed it at a CertificateRequest to ask its user
#: which certificate to send (R-CLI-16).
ASKED_USER_END = "closed_by_client:choose_certificate"


class _PhaseFields(NamedTuple):
    """What the two machines had put on the wire and decided at one point of an exchange."""

    #: Every message on the wire so far, in order.
    events: tuple[WireEvent, ...]
    #: The messages of this phase alone (the handshake, or the late demand), for the trace.
    wire: WireSteps
    server_closed: bool
    client_closed: bool
    server_error: TlsError | None
    client_error: TlsError | None
    #: The negotiated version and ALPN protocol (``None``: none).
    version: TlsVersion | None
    alpn: str | None
    #: The client certificate the server holds (``None``: none).
    peer_certificate: CertState | None
    cert_requested: CertRequestedHow
    #: Handshakes the server completed (the initial one and renegotiations).
    handshakes: int
    server_state: State
    #: The client closed the connection at a CertificateRequest, unanswered, to ask its user
    #: (or a policy) which certificate to send (R-CLI-16).
    asked_user: bool
    #: The server's refusal of the late demand (nothing was sent), if it refused.
    refusal: LocalProtocolError | None = None


class Phase(_PhaseFields):
    """What the two machines had put on the wire and decided at one point of an exchange
    (fields: :class:`_PhaseFields`).

    A named tuple that compares and hashes as itself, not by its fields: a sweep keys the
    record of each connection by the phase it carried (core/_engine.py, ``Memo.record``),
    and a phase's messages need not be read to tell it apart.  It is built for every
    exchange, in about half the time a frozen attrs class of as many fields takes
    (docs/architecture.md#speed).
    """

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


class Exchange(NamedTuple):
    """One connection's exchange: after the handshake, and after the late demand if made."""

    handshake: Phase
    #: ``None`` unless the late demand was asked for and the connection could carry it: the
    #: handshake completed on HTTP/1.1 without asking for or bringing a certificate.
    late: Phase | None


def run_exchange(server: ServerConfig, client: ClientConfig, demand_late: bool) -> Exchange:
    """Run both TLS machines: the handshake, then — if ``demand_late`` and the connection
    allows it — the server's late certificate demand (TLS 1.3: a post-handshake
    CertificateRequest; TLS ≤ 1.2: a renegotiation), as http.sys, IIS or Kestrel make it."""
    # The wire logs every message; the machines' own transcripts would repeat it.
    s = TlsConnection(_SERVER, server, transcript=False)
    c = TlsConnection(_CLIENT, client, transcript=False)
    wire = Wire(c, s)
    wire.command(_CLIENT, "start")
    handshake = _phase(wire, c, s, 0)
    if (
        not demand_late
        or handshake.server_closed
        or handshake.client_closed
        or handshake.peer_certificate is not None
        or handshake.cert_requested is _IN_HANDSHAKE
        or handshake.alpn in _NO_LATE_ALPN
    ):
        return Exchange(handshake, None)
    start = len(wire.records)
    refusal = wire.command(_SERVER, "request_certificate" if s.version is _TLS13 else "renegotiate")
    return Exchange(handshake, _phase(wire, c, s, start, refusal))


def _phase(
    wire: Wire,
    client: TlsConnection,
    server: TlsConnection,
    start: int,
    refusal: LocalProtocolError | None = None,
) -> Phase:
    events = tuple(wire.records)
    error = client.error
    # The state read itself, not through the ``closed`` property: CPython 3.11 runs a property's
    # function in a frame of its own, about 600 machine instructions (40 ns) a read.
    client_closed = client.state is _CLOSED
    # The named tuple's __new__ called itself: calling the class with keywords packs them into a
    # dict and unpacks it again, about twice the time (docs/architecture.md#speed).
    return Phase.__new__(
        Phase,
        events=events,
        wire=WireSteps(events[start:]),
        server_closed=server.state is _CLOSED,
        client_closed=client_closed,
        server_error=server.error,
        client_error=error,
        version=server.version,
        alpn=server.alpn,
        peer_certificate=server.peer_certificate,
        cert_requested=server.cert_requested,
        handshakes=server.handshakes,
        server_state=server.state,
        asked_user=client_closed and error is not None and error.rule == "R-CLI-16",
        refusal=refusal,
    )
