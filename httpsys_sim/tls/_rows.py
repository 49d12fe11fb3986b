"""The vocabulary of the transition tables: states, events, guards, outputs, effects, rows.

A :class:`Transition` is one row of a table (:mod:`httpsys_sim.tls._tables`): in ``state``,
on ``event``, when ``guard`` holds, write ``emits``, remember ``effects``, go to ``next`` —
because of ``rule``.  Everything here is a name; what each name does is in
:mod:`httpsys_sim.tls._actions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.tls._errors import TlsError
from httpsys_sim.tls._messages import Kind, Message
from httpsys_sim.tls._vocabulary import AlertDescription, AlertLevel

__all__ = [
    "AFTER_WRITING",
    "CONNECTED_STATES",
    "RECEIVED_BY_KIND",
    "Cond",
    "Effect",
    "Emit",
    "Event",
    "Guard",
    "Out",
    "State",
    "Transition",
]


class State(ReprStrEnum):
    """Every state of both machines.  ``C*``: client only; ``S*``: server only."""

    START = "START"
    # client
    C_WAIT_SH = "C_WAIT_SERVER_HELLO"
    C12_WAIT_CERT = "C12_WAIT_CERTIFICATE"
    C12_WAIT_SKE = "C12_WAIT_SERVER_KEY_EXCHANGE"
    C12_WAIT_CR_OR_SHD = "C12_WAIT_CERT_REQUEST_OR_DONE"
    C12_WAIT_SHD = "C12_WAIT_SERVER_HELLO_DONE"
    C12_WAIT_NST_OR_CCS = "C12_WAIT_TICKET_OR_CCS"
    C12_WAIT_CCS = "C12_WAIT_CCS"
    C12_WAIT_FINISHED = "C12_WAIT_FINISHED"
    C12_ABBR_WAIT_NST_OR_CCS = "C12_RESUMED_WAIT_TICKET_OR_CCS"
    C12_ABBR_WAIT_CCS = "C12_RESUMED_WAIT_CCS"
    C12_ABBR_WAIT_FINISHED = "C12_RESUMED_WAIT_FINISHED"
    C12_CONNECTED = "C12_CONNECTED"
    C13_WAIT_EE = "C13_WAIT_ENCRYPTED_EXTENSIONS"
    C13_WAIT_CERT_CR = "C13_WAIT_CERT_OR_CERT_REQUEST"
    C13_WAIT_CERT = "C13_WAIT_CERTIFICATE"
    C13_WAIT_CV = "C13_WAIT_CERTIFICATE_VERIFY"
    C13_WAIT_FINISHED = "C13_WAIT_FINISHED"
    C13_CONNECTED = "C13_CONNECTED"
    # server
    S12_WAIT_CERT = "S12_WAIT_CERTIFICATE"
    S12_WAIT_CKE = "S12_WAIT_CLIENT_KEY_EXCHANGE"
    S12_WAIT_CKE_THEN_CV = "S12_WAIT_CLIENT_KEY_EXCHANGE_THEN_VERIFY"
    S12_WAIT_CV = "S12_WAIT_CERTIFICATE_VERIFY"
    S12_WAIT_CCS = "S12_WAIT_CCS"
    S12_WAIT_FINISHED = "S12_WAIT_FINISHED"
    S12_ABBR_WAIT_CCS = "S12_RESUMED_WAIT_CCS"
    S12_ABBR_WAIT_FINISHED = "S12_RESUMED_WAIT_FINISHED"
    S12_CONNECTED = "S12_CONNECTED"
    S12_RENEG_WAIT_CH = "S12_RENEGOTIATION_WAIT_CLIENT_HELLO"
    S13_WAIT_CERT = "S13_WAIT_CERTIFICATE"
    S13_WAIT_CV = "S13_WAIT_CERTIFICATE_VERIFY"
    S13_WAIT_FINISHED = "S13_WAIT_FINISHED"
    S13_CONNECTED = "S13_CONNECTED"
    S13_PHA_WAIT_CERT = "S13_PHA_WAIT_CERTIFICATE"
    S13_PHA_WAIT_CV = "S13_PHA_WAIT_CERTIFICATE_VERIFY"
    S13_PHA_WAIT_FINISHED = "S13_PHA_WAIT_FINISHED"
    # both
    CLOSED = "CLOSED"  #: terminal: after an error, an alert or close_notify


#: The states in which a handshake has completed and no other is running.
CONNECTED_STATES = frozenset(
    {State.C12_CONNECTED, State.C13_CONNECTED, State.S12_CONNECTED, State.S13_CONNECTED}
)


class Event(ReprStrEnum):
    """An input: a local command (``name()``) or a received message (``R name``)."""

    START = "start()"  #: client: send the first ClientHello
    RENEGOTIATE = "renegotiate()"  #: server: HelloRequest; client: a new ClientHello
    REQUEST_CERTIFICATE = "request_certificate()"  #: server: TLS 1.3 post-handshake auth
    CLOSE = "close()"  #: send close_notify
    R_HELLO_REQUEST = "R hello_request"
    R_CLIENT_HELLO = "R client_hello"
    R_SERVER_HELLO = "R server_hello"
    R_NEW_SESSION_TICKET = "R new_session_ticket"
    R_END_OF_EARLY_DATA = "R end_of_early_data"
    R_ENCRYPTED_EXTENSIONS = "R encrypted_extensions"
    R_CERTIFICATE = "R certificate"
    R_SERVER_KEY_EXCHANGE = "R server_key_exchange"
    R_CERTIFICATE_REQUEST = "R certificate_request"
    R_SERVER_HELLO_DONE = "R server_hello_done"
    R_CERTIFICATE_VERIFY = "R certificate_verify"
    R_CLIENT_KEY_EXCHANGE = "R client_key_exchange"
    R_FINISHED = "R finished"
    R_KEY_UPDATE = "R key_update"
    R_CHANGE_CIPHER_SPEC = "R change_cipher_spec"
    R_ALERT_FATAL = "R alert fatal"
    R_ALERT_CLOSE_NOTIFY = "R alert close_notify"
    R_ALERT_NO_RENEGOTIATION = "R alert warning:no_renegotiation"
    R_ALERT_WARNING = "R alert warning"

    @property
    def is_command(self) -> bool:
        """A local command rather than a received message."""
        return not self.value.startswith("R ")

    @classmethod
    def of(cls, message: Message) -> Event:
        """The event that receiving ``message`` is."""
        kind = message.kind
        if kind is not _ALERT:
            return RECEIVED_BY_KIND[kind]
        if message.description is AlertDescription.CLOSE_NOTIFY:
            return cls.R_ALERT_CLOSE_NOTIFY
        if message.level is AlertLevel.FATAL:
            return cls.R_ALERT_FATAL
        if message.description is AlertDescription.NO_RENEGOTIATION:
            return cls.R_ALERT_NO_RENEGOTIATION
        return cls.R_ALERT_WARNING


_ALERT = Kind.ALERT
#: The event of receiving a message of each kind but an alert (:meth:`Event.of`).
RECEIVED_BY_KIND: Mapping[Kind, Event] = MappingProxyType(
    {kind: Event("R " + kind.value) for kind in Kind if kind is not Kind.ALERT}
)


class Guard(ReprStrEnum):
    """Named predicates that choose between rows of one ``(state, event)`` pair."""

    ALWAYS = "always"
    # the version a hello settles: the server's reading of the ClientHello, or the
    # version of the ServerHello the client received
    TLS13 = "TLS 1.3"
    TLS12 = "TLS ≤1.2"
    # server, on ClientHello
    NO_COMMON_VERSION = "no common version"
    TLS13_CERT_REQUEST = "TLS 1.3, certificate requested"
    TLS12_RESUME = "TLS ≤1.2, session resumed"
    TLS12_CERT_REQUEST = "TLS ≤1.2, certificate requested"
    CLIENT_RENEGOTIATION_REFUSED = "client renegotiation not allowed"
    # server, on Certificate
    CERT_MISSING_FATAL = "empty, certificate required"
    CERT_BAD_FATAL = "certificate fails verification"
    CERT_EMPTY = "empty certificate"
    # server, local commands
    RENEGOTIATION_DISABLED = "renegotiation disabled"
    PEER_NOT_SECURE_RENEGOTIATION = "peer lacks RFC 5746"
    PHA_UNSUPPORTED = "stack has no post-handshake auth"
    PEER_DID_NOT_OFFER_PHA = "client did not offer post_handshake_auth"
    # both, on a refused renegotiation
    REFUSED_FATAL = "refusal is fatal for this stack"
    REFUSED_ABORT = "refusal aborts the connection"
    RENEGOTIATING = "a renegotiation is under way"
    # client, starting
    OFFERS_TLS13 = "TLS 1.3 offered"
    # client, on ServerHello
    VERSION_NOT_OFFERED = "version not offered"
    SH_RESUMED = "TLS ≤1.2, resumed"
    # client, answering the server
    CERT_REQUESTED_WITH_CERT = "certificate requested, client has one"
    CERT_REQUESTED_NO_CERT = "certificate requested, client has none"
    PHA_OFFERED_WITH_CERT = "post_handshake_auth offered, client has a certificate"
    PHA_OFFERED_NO_CERT = "post_handshake_auth offered, client has none"
    RENEG_ACCEPT = "client accepts renegotiation"
    RENEG_REFUSE_FATAL = "client refuses (fatal)"
    RENEG_REFUSE_WARNING = "client refuses (warning)"
    ASKS_USER_FOR_CERTIFICATE = "client asks its user which certificate first"


class Out(ReprStrEnum):
    """What a row writes.  Most are one message; a few expand per configuration."""

    HELLO_REQUEST = "hello_request"
    CLIENT_HELLO = "client_hello"
    SERVER_HELLO = "server_hello"
    ENCRYPTED_EXTENSIONS = "encrypted_extensions"
    SERVER_CERTIFICATE = "certificate"
    CLIENT_CERTIFICATE = "certificate (client's own, or empty)"
    SERVER_KEY_EXCHANGE = "server_key_exchange"
    CERTIFICATE_REQUEST = "certificate_request"
    SERVER_HELLO_DONE = "server_hello_done"
    CERTIFICATE_VERIFY = "certificate_verify"
    CLIENT_KEY_EXCHANGE = "client_key_exchange"
    FINISHED = "finished"
    CHANGE_CIPHER_SPEC = "change_cipher_spec"
    TICKETS_13 = "new_session_ticket ×n"
    TICKETS_AFTER_PHA = "new_session_ticket ×n (after PHA)"
    TICKET_12 = "new_session_ticket"
    ALERT_UNEXPECTED_MESSAGE = "alert fatal:unexpected_message(10)"
    ALERT_PROTOCOL_VERSION = "alert fatal:protocol_version(70)"
    ALERT_HANDSHAKE_FAILURE = "alert fatal:handshake_failure(40)"
    ALERT_CERTIFICATE_REQUIRED = "alert fatal:certificate_required(116)"
    ALERT_BAD_CERTIFICATE = "alert fatal:<verification failure>"
    ALERT_NO_RENEGOTIATION = "alert <level>:no_renegotiation(100)"
    ALERT_CLOSE_NOTIFY = "alert warning:close_notify(0)"


class Cond(ReprStrEnum):
    """Conditions on a single emitted item."""

    ALWAYS = "always"
    COMPAT_CCS = "middlebox compatibility"
    HAS_CERT = "client has a certificate"
    TICKET_12 = "stack issues TLS 1.2 tickets"
    TICKET_12_RESUMED = "stack re-issues tickets on resumption"


@attrs.frozen
class Emit:
    """One item a row writes, and when."""

    out: Out
    when: Cond = Cond.ALWAYS

    def label(self) -> str:
        """``out`` or ``[out]`` when conditional."""
        return self.out.value if self.when is Cond.ALWAYS else f"[{self.out.value}]"


class Effect(ReprStrEnum):
    """What a row remembers.  Applied before the row writes, except :data:`AFTER_WRITING`."""

    OFFER = "choose what the ClientHello offers"  #: client: versions (RFC 5246 E.1)
    NEGOTIATE = "negotiate"  #: server: take the version, ALPN, … the ClientHello settles
    ACCEPT_SERVER_HELLO = "accept server_hello"  #: client: record version/ALPN
    BEGIN_RENEGOTIATION = "begin renegotiation"
    NOTE_CERT_REQUEST = "note certificate request"  #: client: the server asked
    RECORD_EMPTY_CERT = "record empty certificate"
    RECORD_PEER_CERT = "record certificate"  #: server: a certificate arrived
    CERT_VERIFIED = "certificate verified"  #: server: CertificateVerify checked
    HANDSHAKE_DONE = "handshake done"
    #: Later writes travel under new keys: after this end's ChangeCipherSpec (TLS ≤ 1.2;
    #: RFC 5246 §7.1), or a TLS 1.3 server's ServerHello (RFC 8446 §2).
    NEW_WRITE_KEYS = "new write keys"
    NEXT_PHA_CONTEXT = "new request context"
    CLOSE = "close"
    FAIL = "fail"  #: terminal with an error (kind by row)


#: Effects applied after the row writes: what a row writes at the end of a handshake still
#: belongs to that handshake, and goes out under the keys in force when it began.
AFTER_WRITING = frozenset({Effect.HANDSHAKE_DONE, Effect.NEW_WRITE_KEYS})


@attrs.frozen(kw_only=True)
class Transition:
    """One row: in ``state``, on ``event`` (when ``guard`` holds), write ``emits``, go ``next``."""

    state: State
    event: Event
    next: State
    rule: str
    guard: Guard = Guard.ALWAYS
    emits: tuple[Emit, ...] = ()
    effects: tuple[Effect, ...] = ()
    #: A local command the stack declines: nothing sent, state unchanged, caller told why.
    refuse: str | None = None
    #: For rows that end the connection with an error: what kind of error it is.
    error: type[TlsError] | None = None

    def label(self) -> str:
        """``event [guard] / emits`` — the edge label of diagrams."""
        guard = "" if self.guard is Guard.ALWAYS else f" [{self.guard.value}]"
        out = ", ".join(e.label() for e in self.emits)
        if self.refuse:
            out = f"refused: {self.refuse}"
        return f"{self.event.value}{guard}" + (f" / {out}" if out else "")
