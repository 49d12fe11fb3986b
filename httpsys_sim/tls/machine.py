"""Sans-IO TLS state machines, one per role, driven by transition tables kept as data.

The tables :data:`CLIENT_TABLE` and :data:`SERVER_TABLE` list every legal
``(state, event)`` pair.  Where an RFC or a stack makes a choice, a pair has several rows
with *guards* (named predicates), tried in order.  A row says what to write (``emits``,
each optionally conditional), what to remember (``effects``), where to go, and the rule
that makes it so.  Any received message without a row is illegal by construction: the
connection answers ``unexpected_message`` (RFC 5246 §7.2.2, RFC 8446 §6.2) and becomes
terminal.  The tables are what the diagrams and the exhaustive tests walk.

The machines know nothing about Windows: what differs between stacks lives in a
:class:`~httpsys_sim.tls.personality.Personality`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.tls.errors import (
    ConnectionClosedError,
    HandshakeRefused,
    LocalProtocolError,
    PeerAlert,
    RemoteProtocolError,
    TlsError,
)
from httpsys_sim.tls.messages import CertState, Kind, Message, alert
from httpsys_sim.tls.personality import OnRefusedRenegotiation, Personality
from httpsys_sim.tls.vocabulary import AlertDescription, AlertLevel, TlsVersion

__all__ = [
    "CLIENT_TABLE",
    "SERVER_TABLE",
    "CertRequest",
    "CertRequestedHow",
    "ClientConfig",
    "Cond",
    "Effect",
    "Emit",
    "Event",
    "Guard",
    "Out",
    "RenegotiationAnswer",
    "RequestAt",
    "Role",
    "ServerConfig",
    "State",
    "TlsConnection",
    "TraceEntry",
    "Transition",
    "table_for",
]


# --------------------------------------------------------------------------------------
# Configuration values
# --------------------------------------------------------------------------------------


class Role(ReprStrEnum):
    """Which end of the connection a machine plays."""

    CLIENT = "client"
    SERVER = "server"


class CertRequest(ReprStrEnum):
    """Whether the server asks for a client certificate and insists on one."""

    NONE = "none"
    OPTIONAL = "optional"  #: ask; carry on without one
    REQUIRED = "required"  #: ask; a stack with ``fail_on_missing_cert`` fails without one


class RequestAt(ReprStrEnum):
    """When the server asks (contract §2.3)."""

    HANDSHAKE = "handshake"  #: CertificateRequest in the initial handshake
    POST_HANDSHAKE = "post_handshake"  #: TLS 1.3 post-handshake authentication
    RENEGOTIATION = "renegotiation"  #: TLS 1.2 HelloRequest, then a new handshake


class CertRequestedHow(ReprStrEnum):
    """How a CertificateRequest reached the client (contract §2.2 ``cert_requested``)."""

    NONE = "none"
    HANDSHAKE = "handshake"
    RENEGOTIATION = "renegotiation"
    POST_HANDSHAKE = "post_handshake"


class RenegotiationAnswer(ReprStrEnum):
    """A client's answer to HelloRequest (R-TLS-1)."""

    ACCEPT = "accept"
    REFUSE = "refuse"  #: answer ``no_renegotiation`` (level per stack or profile)
    IGNORE = "ignore"  #: say nothing


def _versions(value: Sequence[TlsVersion]) -> tuple[TlsVersion, ...]:
    return tuple(sorted(set(value), key=lambda v: v.rank, reverse=True))


@attrs.frozen(kw_only=True)
class ServerConfig:
    """What a server end is set up to do."""

    personality: Personality
    versions: tuple[TlsVersion, ...] = attrs.field(
        default=(TlsVersion.TLS13, TlsVersion.TLS12), converter=_versions
    )
    alpn: tuple[str, ...] = ()  #: supported ALPN ids in server preference order
    cert_request: CertRequest = CertRequest.NONE
    request_at: RequestAt = RequestAt.HANDSHAKE
    #: ``None`` → the personality's default.
    resumption_on_renegotiation: bool | None = None
    #: ``None`` → the personality's default.
    allow_client_renegotiation: bool | None = None
    #: The server may start a renegotiation at all (Schannel ``DisableRenegoOnServer`` = 0).
    renegotiation_enabled: bool = True
    #: Renegotiate with peers that lack RFC 5746 (Schannel ``AllowInsecureRenegoClients``).
    allow_insecure_renegotiation: bool = False


@attrs.frozen(kw_only=True)
class ClientConfig:
    """What a client end is set up to do."""

    personality: Personality
    versions: tuple[TlsVersion, ...] = attrs.field(
        default=(TlsVersion.TLS13, TlsVersion.TLS12), converter=_versions
    )
    alpn: tuple[str, ...] = ()  #: offered ALPN ids in preference order
    certificate: CertState = CertState.NONE
    post_handshake_auth: bool = False  #: offer extension 49
    renegotiation: RenegotiationAnswer = RenegotiationAnswer.ACCEPT
    #: Answer when the connection negotiated h2 (``None`` → same as ``renegotiation``).
    renegotiation_h2: RenegotiationAnswer | None = None
    #: Level of ``no_renegotiation`` (``None`` → the personality's).
    refusal_level: AlertLevel | None = None
    secure_renegotiation: bool = True  #: offer RFC 5746
    #: Send a non-empty legacy_session_id in TLS 1.3 (``None`` → the personality's).
    middlebox_compat: bool | None = None


# --------------------------------------------------------------------------------------
# The vocabulary of the tables
# --------------------------------------------------------------------------------------


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


CONNECTED_STATES = frozenset({State.C12_CONNECTED, State.C13_CONNECTED})
CONNECTED_STATES |= {State.S12_CONNECTED, State.S13_CONNECTED}

# Members the inner loop compares against, bound once (an enum member lookup on the class
# costs far more than a module global).
_CLOSED = State.CLOSED
_CCS = Kind.CHANGE_CIPHER_SPEC
_TLS13 = TlsVersion.TLS13
_HELLOS = frozenset({Kind.CLIENT_HELLO, Kind.SERVER_HELLO})


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
        if message.kind is Kind.ALERT:
            if message.description is AlertDescription.CLOSE_NOTIFY:
                return cls.R_ALERT_CLOSE_NOTIFY
            if message.level is AlertLevel.FATAL:
                return cls.R_ALERT_FATAL
            if message.description is AlertDescription.NO_RENEGOTIATION:
                return cls.R_ALERT_NO_RENEGOTIATION
            return cls.R_ALERT_WARNING
        return _RECEIVED_BY_KIND[message.kind]


_RECEIVED_BY_KIND: Mapping[Kind, Event] = MappingProxyType(
    {kind: Event("R " + kind.value) for kind in Kind if kind is not Kind.ALERT}
)

COMMANDS = tuple(e for e in Event if e.is_command)
RECEIVED = tuple(e for e in Event if not e.is_command)


class Guard(ReprStrEnum):
    """Named predicates that choose between rows of one ``(state, event)`` pair."""

    ALWAYS = "always"
    # server, on ClientHello
    NO_COMMON_VERSION = "no common version"
    TLS13_CERT_REQUEST = "TLS 1.3, certificate requested"
    TLS13 = "TLS 1.3"
    TLS12_RESUME = "TLS ≤1.2, session resumed"
    TLS12_CERT_REQUEST = "TLS ≤1.2, certificate requested"
    TLS12 = "TLS ≤1.2"
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
    SH_TLS13 = "TLS 1.3"
    SH_RESUMED = "TLS ≤1.2, resumed"
    SH_TLS12 = "TLS ≤1.2"
    # client, answering the server
    CERT_REQUESTED_WITH_CERT = "certificate requested, client has one"
    CERT_REQUESTED_NO_CERT = "certificate requested, client has none"
    PHA_OFFERED_WITH_CERT = "post_handshake_auth offered, client has a certificate"
    PHA_OFFERED_NO_CERT = "post_handshake_auth offered, client has none"
    RENEG_ACCEPT = "client accepts renegotiation"
    RENEG_REFUSE_FATAL = "client refuses (fatal)"
    RENEG_REFUSE_WARNING = "client refuses (warning)"


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
    CERT_REQUEST = "certificate requested"
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
    """What a row remembers: applied before its items are written (``HANDSHAKE_DONE`` after)."""

    NEGOTIATE = "negotiate"  #: server: pick version/ALPN from the ClientHello
    ACCEPT_SERVER_HELLO = "accept server_hello"  #: client: record version/ALPN
    BEGIN_RENEGOTIATION = "begin renegotiation"
    NOTE_CERT_REQUEST = "note certificate request"  #: client: the server asked
    RECORD_EMPTY_CERT = "record empty certificate"
    RECORD_PEER_CERT = "record certificate"  #: server: a certificate arrived
    CERT_VERIFIED = "certificate verified"  #: server: CertificateVerify checked
    HANDSHAKE_DONE = "handshake done"
    NEXT_PHA_CONTEXT = "new request context"
    CLOSE = "close"
    FAIL = "fail"  #: terminal with an error (kind by row)


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


# --------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------

_T = Transition
_E = Emit
S = State
EV = Event
G = Guard
O = Out  # noqa: E741 - reads as "Out" in the table
C = Cond
F = Effect

_SERVER_FLIGHT_13 = (
    _E(O.SERVER_HELLO),
    _E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS),
    _E(O.ENCRYPTED_EXTENSIONS),
)
_SERVER_FLIGHT_13_TAIL = (_E(O.SERVER_CERTIFICATE), _E(O.CERTIFICATE_VERIFY), _E(O.FINISHED))
_SERVER_FLIGHT_12 = (_E(O.SERVER_HELLO), _E(O.SERVER_CERTIFICATE), _E(O.SERVER_KEY_EXCHANGE))


def _client_hello_rows(state: State, *, renegotiation: bool) -> tuple[Transition, ...]:
    """The server's answers to a ClientHello (initial, or starting a renegotiation)."""
    effects: tuple[Effect, ...] = (F.NEGOTIATE,)
    if renegotiation:
        effects = (F.BEGIN_RENEGOTIATION, F.NEGOTIATE)
    rows = [
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.NO_COMMON_VERSION,
            emits=(_E(O.ALERT_PROTOCOL_VERSION),),
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="R-PIPE-3",
        ),
    ]
    if not renegotiation:
        rows += [
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS13_CERT_REQUEST,
                emits=(*_SERVER_FLIGHT_13, _E(O.CERTIFICATE_REQUEST), *_SERVER_FLIGHT_13_TAIL),
                effects=effects,
                next=S.S13_WAIT_CERT,
                rule="RFC8446-2",
            ),
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS13,
                emits=(*_SERVER_FLIGHT_13, *_SERVER_FLIGHT_13_TAIL),
                effects=effects,
                next=S.S13_WAIT_FINISHED,
                rule="RFC8446-2",
            ),
        ]
    if renegotiation:
        # Only a renegotiation can resume here: the initial handshake has no session yet.
        rows.append(
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS12_RESUME,
                emits=(
                    _E(O.SERVER_HELLO),
                    _E(O.TICKET_12, C.TICKET_12_RESUMED),
                    _E(O.CHANGE_CIPHER_SPEC),
                    _E(O.FINISHED),
                ),
                effects=effects,
                next=S.S12_ABBR_WAIT_CCS,
                rule="RFC5246-7.3-abbreviated",
            )
        )
    rows += [
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.TLS12_CERT_REQUEST,
            emits=(*_SERVER_FLIGHT_12, _E(O.CERTIFICATE_REQUEST), _E(O.SERVER_HELLO_DONE)),
            effects=effects,
            next=S.S12_WAIT_CERT,
            rule="RFC5246-7.4.4",
        ),
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.TLS12,
            emits=(*_SERVER_FLIGHT_12, _E(O.SERVER_HELLO_DONE)),
            effects=effects,
            next=S.S12_WAIT_CKE,
            rule="RFC5246-7.3",
        ),
    ]
    return tuple(rows)


def _server_certificate_rows(
    state: State, *, tls13: bool, on_empty: State, on_cert: State, pha: bool
) -> tuple[Transition, ...]:
    """The server receiving the client's Certificate (handshake, renegotiation or PHA)."""
    missing = O.ALERT_CERTIFICATE_REQUIRED if tls13 else O.ALERT_HANDSHAKE_FAILURE
    rule = "RFC8446-4.4.2.4" if tls13 else "RFC5246-7.4.6"
    return (
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_MISSING_FATAL,
            emits=(_E(missing),),
            effects=(F.RECORD_EMPTY_CERT, F.FAIL),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-8",
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_BAD_FATAL,
            emits=(_E(O.ALERT_BAD_CERTIFICATE),),
            effects=(F.RECORD_PEER_CERT, F.FAIL),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-6",
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_EMPTY,
            effects=(F.RECORD_EMPTY_CERT,),
            next=on_empty,
            rule="RFC8446-4.6.2" if pha else rule,
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            effects=(F.RECORD_PEER_CERT,),
            next=on_cert,
            rule="RFC8446-4.6.2" if pha else rule,
        ),
    )


def _ignore_ccs_13(state: State) -> Transition:
    return _T(state=state, event=EV.R_CHANGE_CIPHER_SPEC, next=state, rule="RFC8446-D.4")


def _refused_renegotiation_rows(
    state: State, back_to: State, *, only_renegotiating: bool = False
) -> tuple[Transition, ...]:
    """The renegotiation we asked for was refused with a warning (R-TLS-1)."""
    return (
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.REFUSED_FATAL,
            emits=(_E(O.ALERT_HANDSHAKE_FAILURE),),
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-4",
        ),
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.REFUSED_ABORT,
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="R-REQ-2.tls12-refused",
        ),
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.RENEGOTIATING if only_renegotiating else G.ALWAYS,
            next=back_to,
            rule="R-TLS-1",
        ),
    )


def _closing_rows(
    states: Sequence[State], *, renegotiation_waits: Sequence[State] = ()
) -> tuple[Transition, ...]:
    """Alerts and close() — legal in every live state.

    A stray ``no_renegotiation`` warning is handled as a refused renegotiation everywhere
    (OpenSSL does not check that it asked, P-OSSL-4); ``renegotiation_waits`` already
    have their own rows for it.
    """
    rows: list[Transition] = []
    for st in states:
        if st not in renegotiation_waits:
            rows += _refused_renegotiation_rows(st, st)
        rows += [
            _T(
                state=st,
                event=EV.R_ALERT_FATAL,
                effects=(F.FAIL,),
                next=S.CLOSED,
                error=PeerAlert,
                rule="RFC8446-6.2",
            ),
            _T(
                state=st,
                event=EV.R_ALERT_CLOSE_NOTIFY,
                effects=(F.CLOSE,),
                next=S.CLOSED,
                rule="RFC8446-6.1",
            ),
            _T(
                state=st,
                event=EV.CLOSE,
                emits=(_E(O.ALERT_CLOSE_NOTIFY),),
                effects=(F.CLOSE,),
                next=S.CLOSED,
                rule="RFC8446-6.1",
            ),
            _T(state=st, event=EV.R_ALERT_WARNING, next=st, rule="RFC5246-7.2.2"),
        ]
    return tuple(rows)


_SERVER_LIVE = (
    S.START,
    S.S12_RENEG_WAIT_CH,
    S.S12_WAIT_CERT,
    S.S12_WAIT_CKE,
    S.S12_WAIT_CKE_THEN_CV,
    S.S12_WAIT_CV,
    S.S12_WAIT_CCS,
    S.S12_WAIT_FINISHED,
    S.S12_ABBR_WAIT_CCS,
    S.S12_ABBR_WAIT_FINISHED,
    S.S12_CONNECTED,
    S.S13_WAIT_CERT,
    S.S13_WAIT_CV,
    S.S13_WAIT_FINISHED,
    S.S13_CONNECTED,
    S.S13_PHA_WAIT_CERT,
    S.S13_PHA_WAIT_CV,
    S.S13_PHA_WAIT_FINISHED,
)

#: Every legal (state, event) of the server, with guards in the order they are tried.
SERVER_TABLE: tuple[Transition, ...] = (
    *_client_hello_rows(S.START, renegotiation=False),
    # --- TLS ≤ 1.2 full handshake (RFC 5246 §7.3) -------------------------------------
    *_server_certificate_rows(
        S.S12_WAIT_CERT,
        tls13=False,
        on_empty=S.S12_WAIT_CKE,
        on_cert=S.S12_WAIT_CKE_THEN_CV,
        pha=False,
    ),
    _T(
        state=S.S12_WAIT_CKE,
        event=EV.R_CLIENT_KEY_EXCHANGE,
        next=S.S12_WAIT_CCS,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_CKE_THEN_CV,
        event=EV.R_CLIENT_KEY_EXCHANGE,
        next=S.S12_WAIT_CV,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S12_WAIT_CCS,
        rule="RFC5246-7.4.8",
    ),
    _T(
        state=S.S12_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.S12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKET_12, C.TICKET_12), _E(O.CHANGE_CIPHER_SPEC), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE,),
        next=S.S12_CONNECTED,
        rule="RFC5246-7.4.9",
    ),
    # --- TLS ≤ 1.2 abbreviated handshake (resumption) -------------------------------
    _T(
        state=S.S12_ABBR_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.S12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.S12_ABBR_WAIT_FINISHED,
        event=EV.R_FINISHED,
        effects=(F.HANDSHAKE_DONE,),
        next=S.S12_CONNECTED,
        rule="RFC5246-7.3-abbreviated",
    ),
    # --- TLS ≤ 1.2 connected: renegotiation (RFC 5246 §7.4.1.1, RFC 5746) ------------
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        guard=G.RENEGOTIATION_DISABLED,
        refuse="renegotiation is disabled on this server",
        next=S.S12_CONNECTED,
        rule="R-REQ-2.tls12-schannel-blocked",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        guard=G.PEER_NOT_SECURE_RENEGOTIATION,
        refuse="the client does not support secure renegotiation (RFC 5746)",
        next=S.S12_CONNECTED,
        rule="RFC5746-3",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        emits=(_E(O.HELLO_REQUEST),),
        effects=(F.BEGIN_RENEGOTIATION,),
        next=S.S12_RENEG_WAIT_CH,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.R_CLIENT_HELLO,
        guard=G.CLIENT_RENEGOTIATION_REFUSED,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        next=S.S12_CONNECTED,
        rule="P-OSSL-3",
    ),
    *_client_hello_rows(S.S12_CONNECTED, renegotiation=True),
    _T(
        state=S.S12_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        refuse="post-handshake authentication needs TLS 1.3",
        next=S.S12_CONNECTED,
        rule="R-TLS-4",
    ),
    *_client_hello_rows(S.S12_RENEG_WAIT_CH, renegotiation=True),
    *_refused_renegotiation_rows(S.S12_RENEG_WAIT_CH, S.S12_CONNECTED),
    # --- TLS 1.3 full handshake (RFC 8446 §2) ----------------------------------------
    _ignore_ccs_13(S.S13_WAIT_CERT),
    _ignore_ccs_13(S.S13_WAIT_FINISHED),
    *_server_certificate_rows(
        S.S13_WAIT_CERT, tls13=True, on_empty=S.S13_WAIT_FINISHED, on_cert=S.S13_WAIT_CV, pha=False
    ),
    _T(
        state=S.S13_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S13_WAIT_FINISHED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.S13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKETS_13),),
        effects=(F.HANDSHAKE_DONE,),
        next=S.S13_CONNECTED,
        rule="RFC8446-4.6.1",
    ),
    # --- TLS 1.3 connected: post-handshake authentication (RFC 8446 §4.6.2) ---------
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        guard=G.PHA_UNSUPPORTED,
        refuse="this stack does not send post-handshake CertificateRequests",
        next=S.S13_CONNECTED,
        rule="P-SCH-2",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        guard=G.PEER_DID_NOT_OFFER_PHA,
        refuse="the client did not offer post_handshake_auth",
        next=S.S13_CONNECTED,
        rule="P-OSSL-7",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        emits=(_E(O.CERTIFICATE_REQUEST),),
        effects=(F.NEXT_PHA_CONTEXT,),
        next=S.S13_PHA_WAIT_CERT,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.RENEGOTIATE,
        refuse="TLS 1.3 has no renegotiation",
        next=S.S13_CONNECTED,
        rule="R-TLS-4",
    ),
    _T(state=S.S13_CONNECTED, event=EV.R_KEY_UPDATE, next=S.S13_CONNECTED, rule="RFC8446-4.6.3"),
    *_server_certificate_rows(
        S.S13_PHA_WAIT_CERT,
        tls13=True,
        on_empty=S.S13_PHA_WAIT_FINISHED,
        on_cert=S.S13_PHA_WAIT_CV,
        pha=True,
    ),
    _T(
        state=S.S13_PHA_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S13_PHA_WAIT_FINISHED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.S13_PHA_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKETS_AFTER_PHA),),
        effects=(F.HANDSHAKE_DONE,),
        next=S.S13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    *_closing_rows(_SERVER_LIVE, renegotiation_waits=(S.S12_RENEG_WAIT_CH,)),
)

_CLIENT_LIVE = (
    S.C_WAIT_SH,
    S.C12_WAIT_CERT,
    S.C12_WAIT_SKE,
    S.C12_WAIT_CR_OR_SHD,
    S.C12_WAIT_SHD,
    S.C12_WAIT_NST_OR_CCS,
    S.C12_WAIT_CCS,
    S.C12_WAIT_FINISHED,
    S.C12_ABBR_WAIT_NST_OR_CCS,
    S.C12_ABBR_WAIT_CCS,
    S.C12_ABBR_WAIT_FINISHED,
    S.C12_CONNECTED,
    S.C13_WAIT_EE,
    S.C13_WAIT_CERT_CR,
    S.C13_WAIT_CERT,
    S.C13_WAIT_CV,
    S.C13_WAIT_FINISHED,
    S.C13_CONNECTED,
)

_CLIENT_FLIGHT_12_END = (_E(O.CHANGE_CIPHER_SPEC), _E(O.FINISHED))

#: Every legal (state, event) of the client, with guards in the order they are tried.
CLIENT_TABLE: tuple[Transition, ...] = (
    _T(
        state=S.START,
        event=EV.START,
        guard=G.OFFERS_TLS13,
        emits=(_E(O.CLIENT_HELLO),),
        next=S.C_WAIT_SH,
        rule="RFC8446-4.1.1",
    ),
    _T(
        state=S.START,
        event=EV.START,
        emits=(_E(O.CLIENT_HELLO),),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.2",
    ),
    # --- ServerHello: which protocol did the server pick? -----------------------------
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.VERSION_NOT_OFFERED,
        emits=(_E(O.ALERT_PROTOCOL_VERSION),),
        effects=(F.FAIL,),
        next=S.CLOSED,
        error=RemoteProtocolError,
        rule="RFC8446-4.2.1",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.SH_TLS13,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C13_WAIT_EE,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.SH_RESUMED,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C12_ABBR_WAIT_NST_OR_CCS,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.SH_TLS12,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C12_WAIT_CERT,
        rule="RFC5246-7.3",
    ),
    # Back to the old connection only if there is one (a refused renegotiation).
    *_refused_renegotiation_rows(S.C_WAIT_SH, S.C12_CONNECTED, only_renegotiating=True),
    # --- TLS ≤ 1.2 full handshake ------------------------------------------------------
    _T(state=S.C12_WAIT_CERT, event=EV.R_CERTIFICATE, next=S.C12_WAIT_SKE, rule="RFC5246-7.3"),
    _T(
        state=S.C12_WAIT_SKE,
        event=EV.R_SERVER_KEY_EXCHANGE,
        next=S.C12_WAIT_CR_OR_SHD,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_CR_OR_SHD,
        event=EV.R_CERTIFICATE_REQUEST,
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C12_WAIT_SHD,
        rule="RFC5246-7.4.4",
    ),
    _T(
        state=S.C12_WAIT_CR_OR_SHD,
        event=EV.R_SERVER_HELLO_DONE,
        emits=(_E(O.CLIENT_KEY_EXCHANGE), *_CLIENT_FLIGHT_12_END),
        next=S.C12_WAIT_NST_OR_CCS,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_SHD,
        event=EV.R_SERVER_HELLO_DONE,
        emits=(
            _E(O.CLIENT_CERTIFICATE),
            _E(O.CLIENT_KEY_EXCHANGE),
            _E(O.CERTIFICATE_VERIFY, C.HAS_CERT),
            *_CLIENT_FLIGHT_12_END,
        ),
        next=S.C12_WAIT_NST_OR_CCS,
        rule="RFC5246-7.4.6",
    ),
    _T(
        state=S.C12_WAIT_NST_OR_CCS,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C12_WAIT_CCS,
        rule="RFC5077-3.3",
    ),
    _T(
        state=S.C12_WAIT_NST_OR_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_FINISHED,
        event=EV.R_FINISHED,
        effects=(F.HANDSHAKE_DONE,),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.9",
    ),
    # --- TLS ≤ 1.2 abbreviated handshake -------------------------------------------------
    _T(
        state=S.C12_ABBR_WAIT_NST_OR_CCS,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C12_ABBR_WAIT_CCS,
        rule="RFC5077-3.3",
    ),
    _T(
        state=S.C12_ABBR_WAIT_NST_OR_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C12_ABBR_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C12_ABBR_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=_CLIENT_FLIGHT_12_END,
        effects=(F.HANDSHAKE_DONE,),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.3-abbreviated",
    ),
    # --- TLS ≤ 1.2 connected: HelloRequest (R-TLS-1) -------------------------------------
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_ACCEPT,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.BEGIN_RENEGOTIATION,),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_REFUSE_FATAL,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        effects=(F.FAIL,),
        next=S.CLOSED,
        error=HandshakeRefused,
        rule="R-CLI-2",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_REFUSE_WARNING,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.RENEGOTIATE,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.BEGIN_RENEGOTIATION,),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.2",
    ),
    # --- TLS 1.3 handshake ------------------------------------------------------------
    _ignore_ccs_13(S.C13_WAIT_EE),
    _T(
        state=S.C13_WAIT_EE,
        event=EV.R_ENCRYPTED_EXTENSIONS,
        next=S.C13_WAIT_CERT_CR,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C13_WAIT_CERT_CR,
        event=EV.R_CERTIFICATE_REQUEST,
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_WAIT_CERT,
        rule="RFC8446-4.3.2",
    ),
    _T(state=S.C13_WAIT_CERT_CR, event=EV.R_CERTIFICATE, next=S.C13_WAIT_CV, rule="RFC8446-2"),
    _T(state=S.C13_WAIT_CERT, event=EV.R_CERTIFICATE, next=S.C13_WAIT_CV, rule="RFC8446-2"),
    _T(
        state=S.C13_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        next=S.C13_WAIT_FINISHED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        guard=G.CERT_REQUESTED_WITH_CERT,
        emits=(
            _E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS),
            _E(O.CLIENT_CERTIFICATE),
            _E(O.CERTIFICATE_VERIFY),
            _E(O.FINISHED),
        ),
        effects=(F.HANDSHAKE_DONE,),
        next=S.C13_CONNECTED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        guard=G.CERT_REQUESTED_NO_CERT,
        emits=(_E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS), _E(O.CLIENT_CERTIFICATE), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE,),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.4.2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE,),
        next=S.C13_CONNECTED,
        rule="RFC8446-2",
    ),
    # --- TLS 1.3 connected ------------------------------------------------------------
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.1",
    ),
    _T(state=S.C13_CONNECTED, event=EV.R_KEY_UPDATE, next=S.C13_CONNECTED, rule="RFC8446-4.6.3"),
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_CERTIFICATE_REQUEST,
        guard=G.PHA_OFFERED_WITH_CERT,
        emits=(_E(O.CLIENT_CERTIFICATE), _E(O.CERTIFICATE_VERIFY), _E(O.FINISHED)),
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_CERTIFICATE_REQUEST,
        guard=G.PHA_OFFERED_NO_CERT,
        emits=(_E(O.CLIENT_CERTIFICATE), _E(O.FINISHED)),
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.C13_CONNECTED,
        event=EV.RENEGOTIATE,
        refuse="TLS 1.3 has no renegotiation",
        next=S.C13_CONNECTED,
        rule="R-TLS-4",
    ),
    *_closing_rows(_CLIENT_LIVE, renegotiation_waits=(S.C_WAIT_SH,)),
)

_SERVER_INDEX: Mapping[tuple[State, Event], tuple[Transition, ...]]
_CLIENT_INDEX: Mapping[tuple[State, Event], tuple[Transition, ...]]


def _index(table: tuple[Transition, ...]) -> Mapping[tuple[State, Event], tuple[Transition, ...]]:
    rows: dict[tuple[State, Event], list[Transition]] = {}
    for row in table:
        rows.setdefault((row.state, row.event), []).append(row)
    return MappingProxyType({k: tuple(v) for k, v in rows.items()})


_SERVER_INDEX = _index(SERVER_TABLE)
_CLIENT_INDEX = _index(CLIENT_TABLE)


def table_for(role: Role) -> tuple[Transition, ...]:
    """The transition table of ``role``."""
    return SERVER_TABLE if role is Role.SERVER else CLIENT_TABLE


def states_for(role: Role) -> tuple[State, ...]:
    """Every state ``role``'s machine can be in (including START and CLOSED)."""
    seen: dict[State, None] = {S.START: None}
    for row in table_for(role):
        seen.setdefault(row.state, None)
        seen.setdefault(row.next, None)
    seen.setdefault(S.CLOSED, None)
    return tuple(seen)


# --------------------------------------------------------------------------------------
# The connection object
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TraceEntry:
    """One line of a side's transcript: a message written (``W``) or read (``R``)."""

    direction: str  #: "W" or "R"
    message: Message
    rule: str  #: the rule of the transition that wrote or consumed it
    state_before: State
    state_after: State

    def label(self) -> str:
        """``W client_hello`` — contract §2.3."""
        return f"{self.direction} {self.message.label()}"


_BAD = AlertDescription.BAD_CERTIFICATE
_VERIFY_ALERT = MappingProxyType(
    {
        CertState.UNTRUSTED: AlertDescription.UNKNOWN_CA,
        CertState.EXPIRED: AlertDescription.CERTIFICATE_EXPIRED,
    }
)


class TlsConnection:
    """One end of a TLS connection: feed it events, it returns the messages to send.

    ``TlsConnection.client(config)`` / ``TlsConnection.server(config)`` build one; then
    :meth:`start`, :meth:`receive`, :meth:`renegotiate`, :meth:`request_certificate` and
    :meth:`close` drive it.  Nothing here does I/O: the caller carries messages across.
    """

    def __init__(self, role: Role, config: ClientConfig | ServerConfig) -> None:
        self.role = role
        self.config = config
        self.personality = config.personality
        self.state: State = State.START
        self.version: TlsVersion | None = None
        self.alpn: str | None = None
        self.handshakes = 0  #: completed handshakes (initial + renegotiations)
        self.renegotiating = False
        self.resumed = False
        self.peer_offered_pha = False
        self.peer_secure_renegotiation = False
        self.peer_compat_session_id = False
        self.cert_requested: CertRequestedHow = CertRequestedHow.NONE
        #: Server: the client certificate it ended up with (``None``: none).
        self.peer_certificate: CertState | None = None
        self._pending_cert: CertState | None = None
        self._pending_cert_request = False
        self._answering_hello_request = False
        self._offered_versions: tuple[TlsVersion, ...] = ()
        self.pha_context = 0
        self.write_protected = False
        self.error: TlsError | None = None
        self.refusals: list[LocalProtocolError] = []
        #: The transcript as plain tuples ``(direction, message, rule, state_before,
        #: state_after)``, appended as the connection runs; :attr:`transcript` builds
        #: :class:`TraceEntry` values from it.
        self.records: list[tuple[str, Message, str, State, State]] = []
        self._index = _SERVER_INDEX if role is Role.SERVER else _CLIENT_INDEX
        self._compiled = _SERVER_COMPILED if role is Role.SERVER else _CLIENT_COMPILED

    # --- construction -------------------------------------------------------------
    @classmethod
    def client(cls, config: ClientConfig) -> TlsConnection:
        """A client end."""
        return cls(Role.CLIENT, config)

    @classmethod
    def server(cls, config: ServerConfig) -> TlsConnection:
        """A server end."""
        return cls(Role.SERVER, config)

    @property
    def transcript(self) -> list[TraceEntry]:
        """This end's transcript: every message it wrote (``W``) or read (``R``), in order."""
        return [
            TraceEntry(direction=d, message=m, rule=r, state_before=b, state_after=a)
            for d, m, r, b, a in self.records
        ]

    @property
    def closed(self) -> bool:
        """The connection reached its terminal state."""
        return self.state is State.CLOSED

    @property
    def connected(self) -> bool:
        """A handshake completed and no other is running."""
        return self.state in CONNECTED_STATES

    @property
    def cert_obtained(self) -> bool:
        """Server: it holds a client certificate (contract §2.3 ``cert_obtained``)."""
        return self.peer_certificate is not None

    # --- commands -----------------------------------------------------------------
    def start(self) -> list[Message]:
        """Client: write the first ClientHello."""
        return self._handle(Event.START, None)

    def renegotiate(self) -> list[Message]:
        """Ask for a renegotiation (server: HelloRequest; client: a new ClientHello)."""
        return self._handle(Event.RENEGOTIATE, None)

    def request_certificate(self) -> list[Message]:
        """Server: a TLS 1.3 post-handshake CertificateRequest (RFC 8446 §4.6.2)."""
        return self._handle(Event.REQUEST_CERTIFICATE, None)

    def close(self) -> list[Message]:
        """Send close_notify and end the connection."""
        return self._handle(Event.CLOSE, None)

    def receive(self, message: Message) -> list[Message]:
        """Consume one message from the peer; return what to send back."""
        return self._handle(Event.of(message), message)

    # --- the engine ---------------------------------------------------------------
    def rows(self, event: Event) -> tuple[Transition, ...]:
        """The rows for ``event`` in the current state (empty when illegal)."""
        return self._index.get((self.state, event), ())

    def _handle(self, event: Event, message: Message | None) -> list[Message]:
        before = self.state
        if before is _CLOSED:
            raise ConnectionClosedError(
                f"{self.role.value}: {event.value} after the connection ended",
                rule="RFC8446-6.2",
                peer_observes="nothing",
            )
        for compiled in self._compiled.get((before, event), ()):
            guard = compiled[0]
            if guard is None or guard(self, message):
                break
        else:
            return self._illegal(event, message)
        _, effects, emits, done, after, rule, special, row = compiled
        if special and row.refuse is not None:
            refusal = LocalProtocolError(row.refuse, rule=rule, peer_observes="nothing")
            self.refusals.append(refusal)
            raise refusal
        records = self.records
        if message is not None:
            records.append(("R", message, rule, before, after))
        # Effects apply before the row writes, except HANDSHAKE_DONE: what a row writes
        # at the end of a handshake still belongs to that handshake.
        for effect in effects:
            effect(self, message)
        out: list[Message] = []
        for when, build in emits:
            if when is None or self._cond(when):
                out += build(self)
        if done:
            _e_handshake_done(self, message)
        self.state = after
        for m in out:
            records.append(("W", m, rule, before, after))
        if special and row.error is not None:
            self.error = self._make_error(row, out, message)
        return out

    def _illegal(self, event: Event, message: Message | None) -> list[Message]:
        if message is None:
            raise LocalProtocolError(
                f"{self.role.value} cannot {event.value} in state {self.state.value}",
                rule="RFC8446-6.2",
                peer_observes="nothing",
            )
        before = self.state
        rule = "R-TLS-4" if self._renegotiation_after_tls13(event) else "RFC8446-6.2"
        self.records.append(("R", message, rule, before, S.CLOSED))
        reply = alert(
            AlertLevel.FATAL, AlertDescription.UNEXPECTED_MESSAGE, encrypted=self._enc(Kind.ALERT)
        )
        self.state = State.CLOSED
        self.records.append(("W", reply, rule, before, S.CLOSED))
        self.error = RemoteProtocolError(
            f"{self.role.value} received {message.label()} in state {before.value}",
            rule=rule,
            peer_observes=reply.label(),
        )
        return [reply]

    def _renegotiation_after_tls13(self, event: Event) -> bool:
        return self.version is TlsVersion.TLS13 and event in (
            Event.R_HELLO_REQUEST,
            Event.R_CLIENT_HELLO,
        )

    def _make_error(self, row: Transition, out: list[Message], message: Message | None) -> TlsError:
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

    # --- guards, conditions, effects, outputs ---------------------------------------
    def _server(self) -> ServerConfig:
        assert isinstance(self.config, ServerConfig)
        return self.config

    def _client(self) -> ClientConfig:
        assert isinstance(self.config, ClientConfig)
        return self.config

    def _negotiated(self, hello: Message) -> TlsVersion | None:
        """Server: the highest version both ends enable (R-PIPE-3).

        A renegotiation keeps the version in use: a ClientHello that does not offer it
        finds no common version (RFC 5246 §7.4.1.2, Appendix E.1).
        """
        offered = set(hello.versions)
        if self.handshakes > 0 and self.version is not None:
            return self.version if self.version in offered else None
        for v in self._server().versions:
            if v in offered:
                return v
        return None

    def _cert_request_now(self) -> bool:
        """Server: does the handshake being started carry a CertificateRequest?"""
        cfg = self._server()
        if cfg.cert_request is CertRequest.NONE:
            return False
        if self.handshakes > 0:
            return cfg.request_at in (RequestAt.HANDSHAKE, RequestAt.RENEGOTIATION)
        return cfg.request_at is RequestAt.HANDSHAKE

    def _resumption_on_renegotiation(self) -> bool:
        allowed = self._server().resumption_on_renegotiation
        return self.personality.resumption_on_renegotiation if allowed is None else allowed

    def _resume_allowed(self, hello: Message) -> bool:
        return self.handshakes > 0 and hello.session_offered and self._resumption_on_renegotiation()

    def _renegotiation_answer(self) -> RenegotiationAnswer:
        cfg = self._client()
        answer = cfg.renegotiation
        if self.alpn == "h2" and cfg.renegotiation_h2 is not None:
            answer = cfg.renegotiation_h2
        if (
            answer is RenegotiationAnswer.ACCEPT
            and cfg.secure_renegotiation
            and not self.peer_secure_renegotiation
        ):
            # RFC 5746 §4.2: a client that speaks RFC 5746 refuses to renegotiate with a
            # server that does not.  A legacy client (no RFC 5746) renegotiates as it always
            # did; whether the server lets it is the server's choice (R-TLS-2).
            answer = RenegotiationAnswer.REFUSE
        return answer

    def _refusal_level(self) -> AlertLevel:
        if isinstance(self.config, ClientConfig) and self.config.refusal_level is not None:
            return self.config.refusal_level
        return self.personality.refusal_level

    def _cert_bad(self, cert: CertState | None) -> bool:
        return cert in _VERIFY_ALERT

    def _secure_reneg_ok(self) -> bool:
        cfg = self._server()
        return self.peer_secure_renegotiation or cfg.allow_insecure_renegotiation

    def _cert_was_requested(self) -> bool:
        return self._pending_cert_request

    def _has_cert(self) -> bool:
        return self._client().certificate is not CertState.NONE

    def _cond(self, cond: Cond) -> bool:
        if cond is Cond.ALWAYS:
            return True
        if cond is Cond.COMPAT_CCS:
            if self.role is Role.SERVER:
                return self.peer_compat_session_id
            compat = self._client().middlebox_compat
            return self.personality.middlebox_compat if compat is None else compat
        if cond is Cond.CERT_REQUEST:
            return self._cert_request_now()
        if cond is Cond.HAS_CERT:
            return self._has_cert()
        if cond is Cond.TICKET_12:
            # No ticket on a renegotiation the server will not resume (P-OSSL-5).
            renegotiation_ok = self.handshakes == 0 or self._resumption_on_renegotiation()
            return self.personality.tls12_ticket and renegotiation_ok
        if cond is Cond.TICKET_12_RESUMED:
            return self.personality.tls12_ticket_on_resumption
        raise AssertionError(cond)  # pragma: no cover

    def _enc(self, kind: Kind) -> bool:
        """Is a message of ``kind`` written now encrypted?"""
        if kind is _CCS:
            # TLS 1.3's compatibility CCS is never protected; TLS 1.2's is, under the old
            # keys, when it belongs to a renegotiation (RFC 5246 §7.4.1, R-TLS-7).
            return self.version is not _TLS13 and self.write_protected
        if self.version is _TLS13:
            return kind not in _HELLOS or self.write_protected
        return self.write_protected

    def _msg(self, kind: Kind, **fields: object) -> Message:
        return Message(kind=kind, encrypted=self._enc(kind), **fields)  # type: ignore[arg-type]

    def _plain(self, kind: Kind) -> Message:
        """A message of ``kind`` with no parameters (one shared value per kind and keys)."""
        return _PLAIN[kind][self._enc(kind)]

    def _alert(self, level: AlertLevel, description: AlertDescription) -> Message:
        return alert(level, description, encrypted=self._enc(Kind.ALERT))


# --------------------------------------------------------------------------------------
# Guards, one small function each, looked up per role (the same name can mean different
# things to each end: ``TLS 1.3`` is the negotiated version for the server and the
# ServerHello's version for the client).
# --------------------------------------------------------------------------------------

_GuardCheck = Callable[[TlsConnection, "Message | None"], bool]


def _msg_of(m: Message | None) -> Message:
    assert m is not None
    return m


def _g_no_common_version(c: TlsConnection, m: Message | None) -> bool:
    return m is not None and c._negotiated(m) is None


def _g_tls13(c: TlsConnection, m: Message | None) -> bool:
    return c._negotiated(_msg_of(m)) is TlsVersion.TLS13


def _g_tls13_cert_request(c: TlsConnection, m: Message | None) -> bool:
    return _g_tls13(c, m) and c._cert_request_now()


def _g_tls12(c: TlsConnection, m: Message | None) -> bool:
    return c._negotiated(_msg_of(m)) not in (None, TlsVersion.TLS13)


def _g_tls12_resume(c: TlsConnection, m: Message | None) -> bool:
    return _g_tls12(c, m) and c._resume_allowed(_msg_of(m))


def _g_tls12_cert_request(c: TlsConnection, m: Message | None) -> bool:
    return _g_tls12(c, m) and c._cert_request_now()


def _g_client_renegotiation_refused(c: TlsConnection, m: Message | None) -> bool:
    allowed = c._server().allow_client_renegotiation
    if allowed is None:
        allowed = c.personality.allow_client_renegotiation
    return not allowed or not c._secure_reneg_ok()


def _g_cert_missing_fatal(c: TlsConnection, m: Message | None) -> bool:
    return (
        _msg_of(m).empty_certificate
        and c._server().cert_request is CertRequest.REQUIRED
        and c.personality.fail_on_missing_cert
    )


def _g_cert_bad_fatal(c: TlsConnection, m: Message | None) -> bool:
    return c._cert_bad(_msg_of(m).cert) and c.personality.verify_alerts


def _g_cert_empty(c: TlsConnection, m: Message | None) -> bool:
    return _msg_of(m).empty_certificate


def _g_renegotiation_disabled(c: TlsConnection, m: Message | None) -> bool:
    return not c._server().renegotiation_enabled


def _g_peer_not_secure_renegotiation(c: TlsConnection, m: Message | None) -> bool:
    return not c._secure_reneg_ok()


def _g_pha_unsupported(c: TlsConnection, m: Message | None) -> bool:
    return not c.personality.pha_server


def _g_peer_did_not_offer_pha(c: TlsConnection, m: Message | None) -> bool:
    return not c.peer_offered_pha and c.personality.pha_requires_client_offer


def _g_offers_tls13(c: TlsConnection, m: Message | None) -> bool:
    return TlsVersion.TLS13 in c._client().versions


def _g_version_not_offered(c: TlsConnection, m: Message | None) -> bool:
    # Checked against the ClientHello just sent: a renegotiation offers only the version
    # in use (RFC 5246 §7.4.1.2, E.1).
    return m is not None and m.version not in c._offered_versions


def _g_sh_tls13(c: TlsConnection, m: Message | None) -> bool:
    return m is not None and m.version is TlsVersion.TLS13


def _g_sh_resumed(c: TlsConnection, m: Message | None) -> bool:
    return m is not None and m.resumed


def _g_true(c: TlsConnection, m: Message | None) -> bool:
    return True


def _g_cert_requested_with_cert(c: TlsConnection, m: Message | None) -> bool:
    return c._cert_was_requested() and c._has_cert()


def _g_cert_requested_no_cert(c: TlsConnection, m: Message | None) -> bool:
    return c._cert_was_requested() and not c._has_cert()


def _g_pha_offered_with_cert(c: TlsConnection, m: Message | None) -> bool:
    return c._client().post_handshake_auth and c._has_cert()


def _g_pha_offered_no_cert(c: TlsConnection, m: Message | None) -> bool:
    return c._client().post_handshake_auth and not c._has_cert()


def _g_reneg_accept(c: TlsConnection, m: Message | None) -> bool:
    return c._renegotiation_answer() is RenegotiationAnswer.ACCEPT


def _g_reneg_refuse(fatal: bool) -> _GuardCheck:
    def check(c: TlsConnection, m: Message | None) -> bool:
        if c._renegotiation_answer() is not RenegotiationAnswer.REFUSE:
            return False
        return (c._refusal_level() is AlertLevel.FATAL) == fatal

    return check


def _g_renegotiating(c: TlsConnection, m: Message | None) -> bool:
    return c.renegotiating


def _g_refused_fatal(c: TlsConnection, m: Message | None) -> bool:
    return c.personality.on_refused_renegotiation is OnRefusedRenegotiation.FATAL_ALERT


def _g_refused_abort(c: TlsConnection, m: Message | None) -> bool:
    return c.personality.on_refused_renegotiation is OnRefusedRenegotiation.ABORT


_COMMON_GUARDS: Mapping[Guard, _GuardCheck] = MappingProxyType(
    {
        Guard.RENEGOTIATING: _g_renegotiating,
        Guard.REFUSED_FATAL: _g_refused_fatal,
        Guard.REFUSED_ABORT: _g_refused_abort,
    }
)
_SERVER_GUARDS: Mapping[Guard, _GuardCheck] = MappingProxyType(
    {
        **_COMMON_GUARDS,
        Guard.NO_COMMON_VERSION: _g_no_common_version,
        Guard.TLS13_CERT_REQUEST: _g_tls13_cert_request,
        Guard.TLS13: _g_tls13,
        Guard.TLS12_RESUME: _g_tls12_resume,
        Guard.TLS12_CERT_REQUEST: _g_tls12_cert_request,
        Guard.TLS12: _g_tls12,
        Guard.CLIENT_RENEGOTIATION_REFUSED: _g_client_renegotiation_refused,
        Guard.CERT_MISSING_FATAL: _g_cert_missing_fatal,
        Guard.CERT_BAD_FATAL: _g_cert_bad_fatal,
        Guard.CERT_EMPTY: _g_cert_empty,
        Guard.RENEGOTIATION_DISABLED: _g_renegotiation_disabled,
        Guard.PEER_NOT_SECURE_RENEGOTIATION: _g_peer_not_secure_renegotiation,
        Guard.PHA_UNSUPPORTED: _g_pha_unsupported,
        Guard.PEER_DID_NOT_OFFER_PHA: _g_peer_did_not_offer_pha,
    }
)
_CLIENT_GUARDS: Mapping[Guard, _GuardCheck] = MappingProxyType(
    {
        **_COMMON_GUARDS,
        Guard.OFFERS_TLS13: _g_offers_tls13,
        Guard.VERSION_NOT_OFFERED: _g_version_not_offered,
        Guard.SH_TLS13: _g_sh_tls13,
        Guard.SH_RESUMED: _g_sh_resumed,
        Guard.SH_TLS12: _g_true,
        Guard.CERT_REQUESTED_WITH_CERT: _g_cert_requested_with_cert,
        Guard.CERT_REQUESTED_NO_CERT: _g_cert_requested_no_cert,
        Guard.PHA_OFFERED_WITH_CERT: _g_pha_offered_with_cert,
        Guard.PHA_OFFERED_NO_CERT: _g_pha_offered_no_cert,
        Guard.RENEG_ACCEPT: _g_reneg_accept,
        Guard.RENEG_REFUSE_FATAL: _g_reneg_refuse(fatal=True),
        Guard.RENEG_REFUSE_WARNING: _g_reneg_refuse(fatal=False),
    }
)


# --------------------------------------------------------------------------------------
# Effects, one small function each
# --------------------------------------------------------------------------------------

_EffectFn = Callable[[TlsConnection, "Message | None"], None]


def _e_negotiate(c: TlsConnection, m: Message | None) -> None:
    m = _msg_of(m)
    c.version = c._negotiated(m)
    c.peer_offered_pha = m.post_handshake_auth
    c.peer_secure_renegotiation = m.secure_renegotiation
    c.peer_compat_session_id = m.compat_session_id
    c.alpn = next((p for p in c._server().alpn if p in m.alpn), None)
    c.resumed = c._resume_allowed(m) and c.version is not TlsVersion.TLS13
    if c._cert_request_now() and not c.resumed:
        how = CertRequestedHow.RENEGOTIATION if c.handshakes > 0 else CertRequestedHow.HANDSHAKE
        c.cert_requested = how


def _e_accept_server_hello(c: TlsConnection, m: Message | None) -> None:
    m = _msg_of(m)
    c.version = m.version
    c.alpn = m.selected_alpn
    c.resumed = m.resumed
    c.peer_secure_renegotiation = m.secure_renegotiation
    c._pending_cert_request = False
    if m.version is TlsVersion.TLS13:
        c.write_protected = True


def _e_begin_renegotiation(c: TlsConnection, m: Message | None) -> None:
    c.renegotiating = True
    c._answering_hello_request = m is not None and m.kind is Kind.HELLO_REQUEST


def _e_note_cert_request(c: TlsConnection, m: Message | None) -> None:
    c._pending_cert_request = True
    if c.state is State.C13_CONNECTED:
        # The reply echoes the request's certificate_request_context (RFC 8446 §4.4.2).
        c.pha_context = m.context if m is not None else 0
        how = CertRequestedHow.POST_HANDSHAKE
    elif c.renegotiating:
        how = CertRequestedHow.RENEGOTIATION
    else:
        how = CertRequestedHow.HANDSHAKE
    c.cert_requested = how


def _e_record_empty_cert(c: TlsConnection, m: Message | None) -> None:
    c._pending_cert = None


def _e_record_peer_cert(c: TlsConnection, m: Message | None) -> None:
    c._pending_cert = _msg_of(m).cert


def _e_cert_verified(c: TlsConnection, m: Message | None) -> None:
    c.peer_certificate = c._pending_cert


def _e_handshake_done(c: TlsConnection, m: Message | None) -> None:
    c.handshakes += 1
    c.renegotiating = False
    c._pending_cert_request = False


def _e_next_pha_context(c: TlsConnection, m: Message | None) -> None:
    c.pha_context += 1
    c.cert_requested = CertRequestedHow.POST_HANDSHAKE


def _e_nothing(c: TlsConnection, m: Message | None) -> None:
    """``close`` and ``fail``: the row's next state and error say it all."""


_EFFECTS: Mapping[Effect, _EffectFn] = MappingProxyType(
    {
        Effect.NEGOTIATE: _e_negotiate,
        Effect.ACCEPT_SERVER_HELLO: _e_accept_server_hello,
        Effect.BEGIN_RENEGOTIATION: _e_begin_renegotiation,
        Effect.NOTE_CERT_REQUEST: _e_note_cert_request,
        Effect.RECORD_EMPTY_CERT: _e_record_empty_cert,
        Effect.RECORD_PEER_CERT: _e_record_peer_cert,
        Effect.CERT_VERIFIED: _e_cert_verified,
        Effect.HANDSHAKE_DONE: _e_handshake_done,
        Effect.NEXT_PHA_CONTEXT: _e_next_pha_context,
        Effect.CLOSE: _e_nothing,
        Effect.FAIL: _e_nothing,
    }
)
assert set(_EFFECTS) == set(Effect), "every Effect has a function"


# --------------------------------------------------------------------------------------
# What each ``Out`` writes
# --------------------------------------------------------------------------------------

#: Parameterless messages, one value per kind and encryption (messages are frozen values).
_PLAIN: Mapping[Kind, tuple[Message, Message]] = MappingProxyType(
    {k: (Message(kind=k), Message(kind=k, encrypted=True)) for k in Kind}
)
_SERVER_CERT = (
    Message(kind=Kind.CERTIFICATE, cert=CertState.VALID),
    Message(kind=Kind.CERTIFICATE, cert=CertState.VALID, encrypted=True),
)

_Builder = Callable[[TlsConnection], list[Message]]


def _b_client_hello(c: TlsConnection) -> list[Message]:
    cfg = c._client()
    versions = cfg.versions
    if c.renegotiating and c.version is not None:
        versions = (c.version,)
    compat = cfg.middlebox_compat
    if compat is None:
        compat = c.personality.middlebox_compat
    c._offered_versions = versions
    return [
        c._msg(
            Kind.CLIENT_HELLO,
            versions=versions,
            alpn=cfg.alpn,
            post_handshake_auth=cfg.post_handshake_auth and TlsVersion.TLS13 in versions,
            secure_renegotiation=cfg.secure_renegotiation,
            session_offered=c._answering_hello_request
            and c.personality.client_offers_session_on_renegotiation,
            compat_session_id=compat and TlsVersion.TLS13 in versions,
            renegotiation=c.renegotiating,
        )
    ]


def _b_server_hello(c: TlsConnection) -> list[Message]:
    msg = c._msg(
        Kind.SERVER_HELLO,
        version=c.version,
        selected_alpn=c.alpn,
        resumed=c.resumed,
        secure_renegotiation=c.peer_secure_renegotiation,
    )
    if c.version is TlsVersion.TLS13:
        c.write_protected = True
    return [msg]


def _b_change_cipher_spec(c: TlsConnection) -> list[Message]:
    msg = c._plain(Kind.CHANGE_CIPHER_SPEC)
    c.write_protected = True
    return [msg]


def _b_server_certificate(c: TlsConnection) -> list[Message]:
    return [_SERVER_CERT[c._enc(Kind.CERTIFICATE)]]


def _b_client_certificate(c: TlsConnection) -> list[Message]:
    cert = c._client().certificate
    context = c.pha_context if c.state is State.C13_CONNECTED else 0
    return [c._msg(Kind.CERTIFICATE, cert=cert, context=context)]


def _b_certificate_request(c: TlsConnection) -> list[Message]:
    if c.state is State.S13_CONNECTED and c.pha_context:
        return [c._msg(Kind.CERTIFICATE_REQUEST, context=c.pha_context)]
    return [c._plain(Kind.CERTIFICATE_REQUEST)]


def _b_tickets_13(c: TlsConnection) -> list[Message]:
    return [c._plain(Kind.NEW_SESSION_TICKET)] * c.personality.tls13_tickets


def _b_tickets_after_pha(c: TlsConnection) -> list[Message]:
    return [c._plain(Kind.NEW_SESSION_TICKET)] * c.personality.tickets_after_pha


def _b_alert(level: AlertLevel, description: AlertDescription) -> _Builder:
    def build(c: TlsConnection) -> list[Message]:
        return [c._alert(level, description)]

    return build


def _b_bad_certificate(c: TlsConnection) -> list[Message]:
    bad = c._pending_cert
    desc = _VERIFY_ALERT.get(bad, _BAD) if bad is not None else _BAD
    return [c._alert(AlertLevel.FATAL, desc)]


def _b_no_renegotiation(c: TlsConnection) -> list[Message]:
    return [c._alert(c._refusal_level(), AlertDescription.NO_RENEGOTIATION)]


def _b_plain(kind: Kind) -> _Builder:
    def build(c: TlsConnection) -> list[Message]:
        return [c._plain(kind)]

    return build


_BUILDERS: Mapping[Out, _Builder] = MappingProxyType(
    {
        Out.CLIENT_HELLO: _b_client_hello,
        Out.SERVER_HELLO: _b_server_hello,
        Out.CHANGE_CIPHER_SPEC: _b_change_cipher_spec,
        Out.SERVER_CERTIFICATE: _b_server_certificate,
        Out.CLIENT_CERTIFICATE: _b_client_certificate,
        Out.CERTIFICATE_REQUEST: _b_certificate_request,
        Out.TICKETS_13: _b_tickets_13,
        Out.TICKETS_AFTER_PHA: _b_tickets_after_pha,
        Out.TICKET_12: _b_plain(Kind.NEW_SESSION_TICKET),
        Out.ALERT_UNEXPECTED_MESSAGE: _b_alert(
            AlertLevel.FATAL, AlertDescription.UNEXPECTED_MESSAGE
        ),
        Out.ALERT_PROTOCOL_VERSION: _b_alert(AlertLevel.FATAL, AlertDescription.PROTOCOL_VERSION),
        Out.ALERT_HANDSHAKE_FAILURE: _b_alert(AlertLevel.FATAL, AlertDescription.HANDSHAKE_FAILURE),
        Out.ALERT_CERTIFICATE_REQUIRED: _b_alert(
            AlertLevel.FATAL, AlertDescription.CERTIFICATE_REQUIRED
        ),
        Out.ALERT_BAD_CERTIFICATE: _b_bad_certificate,
        Out.ALERT_NO_RENEGOTIATION: _b_no_renegotiation,
        Out.ALERT_CLOSE_NOTIFY: _b_alert(AlertLevel.WARNING, AlertDescription.CLOSE_NOTIFY),
        Out.HELLO_REQUEST: _b_plain(Kind.HELLO_REQUEST),
        Out.ENCRYPTED_EXTENSIONS: _b_plain(Kind.ENCRYPTED_EXTENSIONS),
        Out.SERVER_KEY_EXCHANGE: _b_plain(Kind.SERVER_KEY_EXCHANGE),
        Out.SERVER_HELLO_DONE: _b_plain(Kind.SERVER_HELLO_DONE),
        Out.CERTIFICATE_VERIFY: _b_plain(Kind.CERTIFICATE_VERIFY),
        Out.CLIENT_KEY_EXCHANGE: _b_plain(Kind.CLIENT_KEY_EXCHANGE),
        Out.FINISHED: _b_plain(Kind.FINISHED),
    }
)
assert set(_BUILDERS) == set(Out), "every Out has a builder"


# --------------------------------------------------------------------------------------
# The tables, pre-split for the engine's inner loop
# --------------------------------------------------------------------------------------

#: The same rows in another shape: the guard check (``None``: always), the effects applied
#: before the row writes, what it writes as ``(condition or None, builder)``, whether it ends
#: a handshake, the next state, the rule, whether it refuses or fails, and the row itself.
_Compiled = tuple[
    "_GuardCheck | None",
    tuple["_EffectFn", ...],
    tuple[tuple["Cond | None", "_Builder"], ...],
    bool,
    State,
    str,
    bool,
    Transition,
]


def _compile(
    index: Mapping[tuple[State, Event], tuple[Transition, ...]],
    guards: Mapping[Guard, _GuardCheck],
) -> Mapping[tuple[State, Event], tuple[_Compiled, ...]]:
    def one(row: Transition) -> _Compiled:
        return (
            None if row.guard is Guard.ALWAYS else guards[row.guard],
            tuple(_EFFECTS[e] for e in row.effects if e is not Effect.HANDSHAKE_DONE),
            tuple((None if e.when is Cond.ALWAYS else e.when, _BUILDERS[e.out]) for e in row.emits),
            Effect.HANDSHAKE_DONE in row.effects,
            row.next,
            row.rule,
            row.refuse is not None or row.error is not None,
            row,
        )

    missing = {r.guard for rows in index.values() for r in rows} - {Guard.ALWAYS, *guards}
    assert not missing, f"guards without a check for this role: {missing}"
    return MappingProxyType({key: tuple(one(r) for r in rows) for key, rows in index.items()})


_SERVER_COMPILED = _compile(_SERVER_INDEX, _SERVER_GUARDS)
_CLIENT_COMPILED = _compile(_CLIENT_INDEX, _CLIENT_GUARDS)
