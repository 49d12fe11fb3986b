"""One end of a TLS connection: a state machine that runs its role's table.

:meth:`TlsConnection.handle` is the whole engine: find the rows of ``(state, event)``, take
the first whose guard holds, apply its effects, write what it emits, move on.  What the
names in a row do is in :mod:`httpsys_sim.tls._actions`; the rows themselves are data in
:mod:`httpsys_sim.tls._tables`.  The machine knows nothing about Windows: what differs
between stacks lives in a :class:`~httpsys_sim.tls.Personality`.
"""

from __future__ import annotations

import attrs

from httpsys_sim.tls._actions import CompiledRow, compile_table, encrypted, read_client_hello
from httpsys_sim.tls._config import (
    CertRequest,
    CertRequestedHow,
    ClientConfig,
    RenegotiationAnswer,
    Role,
    ServerConfig,
)
from httpsys_sim.tls._errors import (
    ConnectionClosedError,
    HandshakeRefused,
    LocalProtocolError,
    PeerAlert,
    RemoteProtocolError,
    TlsError,
)
from httpsys_sim.tls._messages import CertState, Kind, Message, alert
from httpsys_sim.tls._rows import CONNECTED_STATES, Event, Guard, State, Transition
from httpsys_sim.tls._tables import CLIENT_TABLE, SERVER_TABLE
from httpsys_sim.tls._vocabulary import AlertDescription, AlertLevel, TlsVersion

__all__ = ["TlsConnection", "TraceEntry"]

_SERVER_ROWS = compile_table(SERVER_TABLE)
_CLIENT_ROWS = compile_table(CLIENT_TABLE)
# Enum members read for every message, bound to module names once: on CPython 3.11 reading a
# member through its class goes through the enum metaclass and costs about 80 ns, a module
# name about 3 ns (docs/architecture.md#speed).
_CLOSED, _START = State.CLOSED, State.START
_CLIENT, _SERVER = Role.CLIENT, Role.SERVER
_R_CLIENT_HELLO = Event.R_CLIENT_HELLO
_NOT_REQUESTED, _IN_HANDSHAKE = CertRequestedHow.NONE, CertRequestedHow.HANDSHAKE
_BY_RENEGOTIATION = CertRequestedHow.RENEGOTIATION
_NO_CERT, _NO_CERT_REQUEST = CertState.NONE, CertRequest.NONE
_NO_ROWS: tuple[CompiledRow, ...] = ()


@attrs.frozen(kw_only=True)
class TraceEntry:
    """One line of a side's transcript: a message written (``W``) or read (``R``)."""

    direction: str  #: "W" or "R"
    message: Message
    rule: str  #: the rule of the transition that wrote or consumed it
    state_before: State
    state_after: State

    def label(self) -> str:
        """``W client_hello`` (docs/formats.md#tls-json)."""
        return f"{self.direction} {self.message.label()}"


class TlsConnection:
    """One end of a TLS connection: feed it events, it returns the messages to send.

    ``TlsConnection.client(config)`` / ``TlsConnection.server(config)`` build one; then
    :meth:`start`, :meth:`receive`, :meth:`renegotiate`, :meth:`request_certificate` and
    :meth:`close` drive it, each returning the messages to send.  :meth:`handle` is what
    they all call: it also says which rule wrote each message.  Nothing here does I/O: the
    caller carries messages across (:class:`~httpsys_sim.tls.Wire` does it in memory).
    """

    # Fixed attributes (a slot of the other role stays unset): no instance dict to build for
    # each of the two ends of every exchange.
    __slots__ = (
        "_rows",
        "allow_client_renegotiation",
        "alpn",
        "answering_hello_request",
        "cert_request_initial",
        "cert_request_pending",
        "cert_request_renegotiation",
        "cert_requested",
        "client_config",
        "config",
        "error",
        "handshakes",
        "has_certificate",
        "is_server",
        "middlebox_compat",
        "offered_versions",
        "peer_certificate",
        "peer_compat_session_id",
        "peer_offered_pha",
        "peer_secure_renegotiation",
        "pending_cert",
        "personality",
        "pha_context",
        "records",
        "refusal_level",
        "refusals",
        "renegotiating",
        "renegotiation_answer",
        "resumed",
        "resumption_on_renegotiation",
        "role",
        "server_config",
        "state",
        "version",
        "write_protected",
    )

    def __init__(
        self, role: Role, config: ClientConfig | ServerConfig, *, transcript: bool = True
    ) -> None:
        self.role = role
        self.is_server = role is _SERVER
        self.config = config
        personality = self.personality = config.personality
        self.state: State = _START
        self.version: TlsVersion | None = None
        self.alpn: str | None = None
        self.handshakes = 0  #: completed handshakes (initial + renegotiations)
        self.renegotiating = False
        self.resumed = False
        self.peer_offered_pha = False
        self.peer_secure_renegotiation = False
        self.peer_compat_session_id = False
        self.cert_requested: CertRequestedHow = _NOT_REQUESTED
        #: Server: the client certificate it ended up with (``None``: none).
        self.peer_certificate: CertState | None = None
        #: Server: the certificate received, until its CertificateVerify arrives.
        self.pending_cert: CertState | None = None
        #: Client: the server asked for a certificate in the handshake under way.
        self.cert_request_pending = False
        #: Client: the renegotiation under way answers a HelloRequest.
        self.answering_hello_request = False
        #: Client: the versions its last ClientHello offered.
        self.offered_versions: tuple[TlsVersion, ...] = ()
        self.pha_context = 0  #: the last post-handshake certificate_request_context
        self.write_protected = False  #: this end writes under negotiated keys
        self.error: TlsError | None = None
        self.refusals: list[LocalProtocolError] = []
        #: The transcript as plain tuples ``(direction, message, rule, state_before,
        #: state_after)``, appended as the connection runs; :attr:`transcript` builds
        #: :class:`TraceEntry` values from it.  ``None``: built with ``transcript=False``,
        #: it keeps none (what it sends and decides is the same).
        self.records: list[tuple[str, Message, str, State, State]] | None = (
            [] if transcript else None
        )
        # The configuration resolved against the personality once, for the guards.
        self.refusal_level: AlertLevel = personality.refusal_level
        if isinstance(config, ClientConfig):
            #: The configuration of a client end (a server end has no such attribute).
            self.client_config = config
            self._rows = _CLIENT_ROWS
            if config.refusal_level is not None:
                self.refusal_level = config.refusal_level
            self.has_certificate = config.certificate is not _NO_CERT
            compat = config.middlebox_compat
            self.middlebox_compat = personality.middlebox_compat if compat is None else compat
            #: How it answers a HelloRequest, settled by each ServerHello (R-TLS-1).
            self.renegotiation_answer: RenegotiationAnswer = config.renegotiation
        else:
            #: The configuration of a server end (a client end has no such attribute).
            self.server_config = config
            self._rows = _SERVER_ROWS
            allowed = config.allow_client_renegotiation
            self.allow_client_renegotiation = (
                personality.allow_client_renegotiation if allowed is None else allowed
            )
            resume = config.resumption_on_renegotiation
            self.resumption_on_renegotiation = (
                personality.resumption_on_renegotiation if resume is None else resume
            )
            #: Whether the initial handshake, and a renegotiation, carry a CertificateRequest.
            asks = config.cert_request is not _NO_CERT_REQUEST
            self.cert_request_initial = asks and config.request_at is _IN_HANDSHAKE
            self.cert_request_renegotiation = asks and config.request_at in (
                _IN_HANDSHAKE,
                _BY_RENEGOTIATION,
            )

    # --- construction -------------------------------------------------------------
    @classmethod
    def client(cls, config: ClientConfig, *, transcript: bool = True) -> TlsConnection:
        """A client end; ``transcript=False``: it keeps no transcript of its own (a caller
        that logs the wire, as the engine does, needs none)."""
        return cls(_CLIENT, config, transcript=transcript)

    @classmethod
    def server(cls, config: ServerConfig, *, transcript: bool = True) -> TlsConnection:
        """A server end; ``transcript=False`` as for :meth:`client`."""
        return cls(_SERVER, config, transcript=transcript)

    # --- what it knows --------------------------------------------------------------
    @property
    def secure_renegotiation_ok(self) -> bool:
        """Server: it may renegotiate with this peer (RFC 5746, or insecure allowed)."""
        return self.peer_secure_renegotiation or self.server_config.allow_insecure_renegotiation

    @property
    def transcript(self) -> list[TraceEntry]:
        """This end's transcript: every message it wrote (``W``) or read (``R``), in order.

        Raises :class:`ValueError` for an end built with ``transcript=False``."""
        if self.records is None:
            raise ValueError(f"this {self.role.value} end was built with transcript=False")
        return [
            TraceEntry(direction=d, message=m, rule=r, state_before=b, state_after=a)
            for d, m, r, b, a in self.records
        ]

    @property
    def closed(self) -> bool:
        """The connection reached its terminal state."""
        return self.state is _CLOSED

    @property
    def connected(self) -> bool:
        """A handshake completed and no other is running."""
        return self.state in CONNECTED_STATES

    @property
    def cert_obtained(self) -> bool:
        """Server: it holds a client certificate (the TLS transcript's ``cert_obtained``)."""
        return self.peer_certificate is not None

    # --- commands -----------------------------------------------------------------
    def start(self) -> list[Message]:
        """Client: write the first ClientHello."""
        return [m for m, _ in self.handle(Event.START)]

    def renegotiate(self) -> list[Message]:
        """Ask for a renegotiation (server: HelloRequest; client: a new ClientHello)."""
        return [m for m, _ in self.handle(Event.RENEGOTIATE)]

    def request_certificate(self) -> list[Message]:
        """Server: a TLS 1.3 post-handshake CertificateRequest (RFC 8446 §4.6.2)."""
        return [m for m, _ in self.handle(Event.REQUEST_CERTIFICATE)]

    def close(self) -> list[Message]:
        """Send close_notify and end the connection."""
        return [m for m, _ in self.handle(Event.CLOSE)]

    def receive(self, message: Message) -> list[Message]:
        """Consume one message from the peer; return what to send back."""
        return [m for m, _ in self.handle(Event.of(message), message)]

    # --- the engine ---------------------------------------------------------------
    def handle(self, event: Event, message: Message | None = None) -> list[tuple[Message, str]]:
        """Run ``event`` (a command, or ``Event.of(message)`` with the message received).

        Returns what to send, each message with the rule of the row that wrote it.  Raises
        :class:`LocalProtocolError` for a command the stack declines (nothing sent) and
        :class:`ConnectionClosedError` for any input after the connection ended.
        """
        before = self.state
        if before is _CLOSED:
            raise ConnectionClosedError(
                f"{self.role.value}: {event.value} after the connection ended",
                rule="RFC8446-6.2",
                peer_observes="nothing",
            )
        # Subscripting the read-only table is about half the time of its get() method.
        try:
            rows = self._rows[before][event]
        except KeyError:
            rows = _NO_ROWS  # no row for this input in this state: illegal (below)
        # A ClientHello is read once, whichever of its rows the guards then pick.
        hello = None
        if event is _R_CLIENT_HELLO and rows and message is not None:
            hello = read_client_hello(self, message)
        for row in rows:
            guard = row.guard
            if guard is None or guard(self, message, hello):
                break
        else:
            return self._illegal(event, message)
        rule, after = row.rule, row.next
        if row.refuses_or_fails and row.row.refuse is not None:
            refusal = LocalProtocolError(row.row.refuse, rule=rule, peer_observes="nothing")
            self.refusals.append(refusal)
            raise refusal
        records = self.records
        if message is not None and records is not None:
            records.append(("R", message, rule, before, after))
        # Each part of a row is looped over only when it has something: a loop builds an
        # iterator even over an empty tuple, and most rows have nothing after writing, many
        # nothing before it or nothing to write (docs/architecture.md#speed).
        if row.before:
            for effect in row.before:
                effect(self, message, hello)
        written: list[tuple[Message, str]] = []
        if row.writes:
            for when, build in row.writes:
                if when is None or when(self):
                    for m in build(self):
                        if records is not None:
                            records.append(("W", m, rule, before, after))
                        written.append((m, rule))
        if row.after:
            for effect in row.after:
                effect(self, message, hello)
        self.state = after
        if row.refuses_or_fails:
            self.error = self._error(row.row, [m for m, _ in written], message)
        return written

    def _illegal(self, event: Event, message: Message | None) -> list[tuple[Message, str]]:
        if message is None:
            raise LocalProtocolError(
                f"{self.role.value} cannot {event.value} in state {self.state.value}",
                rule="RFC8446-6.2",
                peer_observes="nothing",
            )
        before = self.state
        rule = "R-TLS-4" if self._renegotiation_after_tls13(event) else "RFC8446-6.2"
        records = self.records
        reply = alert(
            AlertLevel.FATAL,
            AlertDescription.UNEXPECTED_MESSAGE,
            encrypted=encrypted(self, Kind.ALERT),
        )
        self.state = _CLOSED
        if records is not None:
            records += (("R", message, rule, before, _CLOSED), ("W", reply, rule, before, _CLOSED))
        self.error = RemoteProtocolError(
            f"{self.role.value} received {message.label()} in state {before.value}",
            rule=rule,
            peer_observes=reply.label(),
        )
        return [(reply, rule)]

    def _renegotiation_after_tls13(self, event: Event) -> bool:
        return self.version is TlsVersion.TLS13 and event in (
            Event.R_HELLO_REQUEST,
            Event.R_CLIENT_HELLO,
        )

    def _error(self, row: Transition, out: list[Message], message: Message | None) -> TlsError:
        assert row.error is not None
        observes = out[-1].label() if out else "tcp_reset"
        if row.error is PeerAlert:
            observes = "nothing"
        what = message.label() if message is not None else row.event.value
        reason = {
            HandshakeRefused: f"{self.role.value} refused the handshake on {what}",
            PeerAlert: f"{self.role.value} received {what}",
            RemoteProtocolError: f"{self.role.value} received an illegal {what}",
        }.get(row.error, what)
        if row.guard is not Guard.ALWAYS:
            reason += f" ({row.guard.value})"
        return row.error(reason, rule=row.rule, peer_observes=observes)
