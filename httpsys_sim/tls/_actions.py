"""What the names in the tables do: guards, conditions, effects and builders.

Each :class:`~httpsys_sim.tls._rows.Guard`, :class:`~httpsys_sim.tls._rows.Cond`,
:class:`~httpsys_sim.tls._rows.Effect` and :class:`~httpsys_sim.tls._rows.Out` member has
exactly one function, named after it in lower case, in :class:`Guards`, :class:`Conds`,
:class:`Effects` and :class:`Builders` (``Guard.NO_COMMON_VERSION`` →
``Guards.no_common_version``).  Only effects change the connection; guards, conditions and
builders read it.  A builder returns the messages it writes; which keys protect them is
decided by the state the row started in (:func:`encrypted`), and switching keys is the
effect ``NEW_WRITE_KEYS``.

:func:`compile_table` turns a table into the form the connection runs: per state, then per
event, its rows as :class:`CompiledRow` values holding the functions.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from httpsys_sim.tls._config import CertRequest, CertRequestedHow, RenegotiationAnswer
from httpsys_sim.tls._messages import CertState, Kind, Message, alert
from httpsys_sim.tls._personality import OnRefusedRenegotiation
from httpsys_sim.tls._rows import AFTER_WRITING, Cond, Effect, Event, Guard, Out, State, Transition
from httpsys_sim.tls._vocabulary import AlertDescription, AlertLevel, TlsVersion

if TYPE_CHECKING:
    from httpsys_sim.tls._connection import TlsConnection

__all__ = [
    "Builders",
    "CompiledRow",
    "Conds",
    "Effects",
    "Guards",
    "Negotiation",
    "compile_row",
    "compile_table",
    "encrypted",
    "read_client_hello",
]


# Enum members read for every message, bound to module names once: on CPython 3.11 reading a
# member through its class goes through the enum metaclass and costs about 80 ns, a module
# name about 3 ns (docs/architecture.md#speed).
_TLS13 = TlsVersion.TLS13
_CLIENT_HELLO, _SERVER_HELLO = Kind.CLIENT_HELLO, Kind.SERVER_HELLO
_CERTIFICATE, _CERTIFICATE_REQUEST = Kind.CERTIFICATE, Kind.CERTIFICATE_REQUEST
_CCS, _NEW_SESSION_TICKET = Kind.CHANGE_CIPHER_SPEC, Kind.NEW_SESSION_TICKET
_C13_CONNECTED, _S13_CONNECTED = State.C13_CONNECTED, State.S13_CONNECTED
_IN_HANDSHAKE, _ACCEPT = CertRequestedHow.HANDSHAKE, RenegotiationAnswer.ACCEPT
_BY_RENEGOTIATION, _POST_HANDSHAKE = CertRequestedHow.RENEGOTIATION, CertRequestedHow.POST_HANDSHAKE
_REQUIRED, _HELLO_REQUEST = CertRequest.REQUIRED, Kind.HELLO_REQUEST


#: Builds a :class:`Negotiation` from its fields in order, as ``Negotiation._make`` does,
#: without the named tuple's Python-level constructor (docs/architecture.md#speed).
_tuple_new = tuple.__new__


class Negotiation(NamedTuple):
    """What the server makes of one ClientHello: read once, then used by every guard of the
    rows it tries and by the ``NEGOTIATE`` effect of the row it takes."""

    version: TlsVersion | None  #: the highest version both ends enable (``None``: none)
    alpn: str | None  #: the server's first preference the client offered
    resume: bool  #: an abbreviated TLS ≤ 1.2 handshake (a renegotiation offering a session)
    cert_request: bool  #: the handshake being started carries a CertificateRequest


def read_client_hello(c: TlsConnection, hello: Message) -> Negotiation:
    """Server: what ``hello`` settles (R-PIPE-3, RFC 7301 §3.2, RFC 5246 §7.3).

    A renegotiation keeps the version in use: a ClientHello that does not offer it finds no
    common version (RFC 5246 §7.4.1.2, Appendix E.1).
    """
    cfg = c.server_config
    offered = hello.versions
    renegotiation = c.handshakes > 0
    version: TlsVersion | None = None
    if renegotiation and c.version is not None:
        if c.version in offered:
            version = c.version
    else:
        for v in cfg.versions:
            if v in offered:
                version = v
                break
    resume = (
        renegotiation
        and version is not None
        and version is not _TLS13
        and hello.session_offered
        and c.resumption_on_renegotiation
    )
    cert_request = c.cert_request_renegotiation if renegotiation else c.cert_request_initial
    alpn = _alpn(cfg.alpn, hello.alpn)
    return _tuple_new(Negotiation, (version, alpn, resume, cert_request))


def _alpn(supported: tuple[str, ...], offered: tuple[str, ...]) -> str | None:
    """The server's first preference the client offered (RFC 7301 §3.2)."""
    for protocol in supported:
        if protocol in offered:
            return protocol
    return None


#: Parameterless messages, one shared value per kind and encryption (messages are frozen).
_PLAIN: Mapping[tuple[Kind, bool], tuple[Message]] = MappingProxyType(
    {(k, enc): (Message(kind=k, encrypted=enc),) for k in Kind for enc in (False, True)}
)
_SERVER_CERTIFICATE: Mapping[bool, tuple[Message]] = MappingProxyType(
    {
        enc: (Message(kind=Kind.CERTIFICATE, cert=CertState.VALID, encrypted=enc),)
        for enc in (False, True)
    }
)
#: A client's Certificate in a handshake (empty context), one shared value per certificate
#: and encryption; a post-handshake one carries its request's context and is built each time.
_CLIENT_CERTIFICATE: Mapping[tuple[CertState, bool], tuple[Message]] = MappingProxyType(
    {
        (cert, enc): (Message(kind=Kind.CERTIFICATE, cert=cert, encrypted=enc),)
        for cert in CertState
        for enc in (False, True)
    }
)
#: The alert a server sends for a certificate it cannot verify (P-OSSL-6).
_VERIFY_ALERT: Mapping[CertState | None, AlertDescription] = MappingProxyType(
    {
        CertState.UNTRUSTED: AlertDescription.UNKNOWN_CA,
        CertState.EXPIRED: AlertDescription.CERTIFICATE_EXPIRED,
    }
)
#: What a ServerHello says: encrypted, version, ALPN, resumed, secure renegotiation.
_HelloKey = tuple[bool, "TlsVersion | None", "str | None", bool, bool]


def _server_hello(key: _HelloKey) -> tuple[Message]:
    enc, version, alpn, resumed, secure = key
    return (
        Message(
            kind=Kind.SERVER_HELLO,
            encrypted=enc,
            version=version,
            selected_alpn=alpn,
            resumed=resumed,
            secure_renegotiation=secure,
        ),
    )


#: Every ServerHello that selects a protocol the pipeline offers (or none), one shared value
#: per content; :meth:`Builders.server_hello` builds any other ALPN id's.
_SERVER_HELLOS: Mapping[_HelloKey, tuple[Message]] = MappingProxyType(
    {
        key: _server_hello(key)
        for key in itertools.product(
            (False, True), TlsVersion, (None, "h2", "http/1.1", "h3"), (False, True), (False, True)
        )
    }
)
_HELLOS = frozenset({Kind.CLIENT_HELLO, Kind.SERVER_HELLO})
_FINISHED = _PLAIN[Kind.FINISHED, True]


def encrypted(c: TlsConnection, kind: Kind) -> bool:
    """Does a message of ``kind`` written now travel encrypted (R-TLS-7)?

    TLS 1.3 protects everything after the hellos except the compatibility ChangeCipherSpec;
    TLS ≤ 1.2 protects what follows this end's first ChangeCipherSpec, so a renegotiation
    travels under the old keys (RFC 5246 §7.4.1).
    """
    if c.version is _TLS13:
        return kind is not _CCS and (kind not in _HELLOS or c.write_protected)
    return c.write_protected


def _plain(c: TlsConnection, kind: Kind) -> tuple[Message]:
    return _PLAIN[kind, encrypted(c, kind)]


def _plain_of(kind: Kind) -> Callable[[TlsConnection], tuple[Message, ...]]:
    """The builder of a parameterless message of ``kind``: its shared value, encrypted or not
    as the connection writes it now (both values looked up once, here)."""
    plain, protected = _PLAIN[kind, False], _PLAIN[kind, True]

    def build(c: TlsConnection) -> tuple[Message, ...]:
        return protected if encrypted(c, kind) else plain

    build.__name__ = build.__qualname__ = kind.name.lower()
    return build


def _alert(c: TlsConnection, level: AlertLevel, description: AlertDescription) -> tuple[Message]:
    return (alert(level, description, encrypted=encrypted(c, Kind.ALERT)),)


#: Why a row's guard or effect may take the received message (or the server's reading of a
#: ClientHello) as given: the table reaches it only by one.  Written as ``assert`` where it
#: is read, which narrows the type without a call.
_ONLY_RECEIVED = "this row is only reached by a received message"
_ONLY_HELLO = "this row is only reached by a ClientHello"


def _settled(m: Message | None, n: Negotiation | None) -> TlsVersion | None:
    """The version a hello settles: the server's reading of a ClientHello, or the version
    of the ServerHello a client received ."""
    if n is not None:
        return n.version
    assert m is not None, _ONLY_RECEIVED
    return m.version


# --------------------------------------------------------------------------------------
# Guards: which row of a (state, event) pair applies
# --------------------------------------------------------------------------------------


class Guards:
    """One predicate per :class:`Guard` member (but ``ALWAYS``), named after it."""

    # --- server, on ClientHello ----------------------------------------------------
    @staticmethod
    def no_common_version(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert n is not None, _ONLY_HELLO
        return n.version is None

    @staticmethod
    def tls13_cert_request(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert n is not None, _ONLY_HELLO
        return n.version is _TLS13 and n.cert_request

    @staticmethod
    def tls13(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return _settled(m, n) is _TLS13

    @staticmethod
    def tls12_resume(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert n is not None, _ONLY_HELLO
        return n.resume

    @staticmethod
    def tls12_cert_request(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert n is not None, _ONLY_HELLO
        return n.version is not None and n.version is not _TLS13 and n.cert_request

    @staticmethod
    def tls12(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        version = _settled(m, n)
        return version is not None and version is not _TLS13

    @staticmethod
    def client_renegotiation_refused(
        c: TlsConnection, m: Message | None, n: Negotiation | None
    ) -> bool:
        return not c.allow_client_renegotiation or not c.secure_renegotiation_ok

    # --- server, on Certificate ----------------------------------------------------
    @staticmethod
    def cert_missing_fatal(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert m is not None, _ONLY_RECEIVED
        return (
            m.empty_certificate
            and c.server_config.cert_request is _REQUIRED
            and c.personality.fail_on_missing_cert
        )

    @staticmethod
    def cert_bad_fatal(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert m is not None, _ONLY_RECEIVED
        return m.cert in _VERIFY_ALERT and c.personality.verify_alerts

    @staticmethod
    def cert_empty(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert m is not None, _ONLY_RECEIVED
        return m.empty_certificate

    # --- server, local commands ----------------------------------------------------
    @staticmethod
    def renegotiation_disabled(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return not c.server_config.renegotiation_enabled

    @staticmethod
    def peer_not_secure_renegotiation(
        c: TlsConnection, m: Message | None, n: Negotiation | None
    ) -> bool:
        return not c.secure_renegotiation_ok

    @staticmethod
    def pha_unsupported(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return not c.personality.pha_server

    @staticmethod
    def peer_did_not_offer_pha(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return not c.peer_offered_pha and c.personality.pha_requires_client_offer

    # --- both, on a refused renegotiation ------------------------------------------
    @staticmethod
    def refused_fatal(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.personality.on_refused_renegotiation is OnRefusedRenegotiation.FATAL_ALERT

    @staticmethod
    def refused_abort(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.personality.on_refused_renegotiation is OnRefusedRenegotiation.ABORT

    @staticmethod
    def renegotiating(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.renegotiating

    # --- client ----------------------------------------------------------------------
    @staticmethod
    def offers_tls13(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return _TLS13 in c.client_config.versions

    @staticmethod
    def version_not_offered(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        # Against the ClientHello just sent: a renegotiation offers only the version in use.
        assert m is not None, _ONLY_RECEIVED
        return m.version not in c.offered_versions

    @staticmethod
    def sh_resumed(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        assert m is not None, _ONLY_RECEIVED
        return m.resumed

    @staticmethod
    def cert_requested_with_cert(
        c: TlsConnection, m: Message | None, n: Negotiation | None
    ) -> bool:
        return c.cert_request_pending and c.has_certificate

    @staticmethod
    def cert_requested_no_cert(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.cert_request_pending and not c.has_certificate

    @staticmethod
    def asks_user_for_certificate(
        c: TlsConnection, m: Message | None, n: Negotiation | None
    ) -> bool:
        return c.client_config.asks_user_for_certificate

    @staticmethod
    def pha_offered_with_cert(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.client_config.post_handshake_auth and c.has_certificate

    @staticmethod
    def pha_offered_no_cert(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.client_config.post_handshake_auth and not c.has_certificate

    @staticmethod
    def reneg_accept(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return c.renegotiation_answer is _ACCEPT

    @staticmethod
    def reneg_refuse_fatal(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return (
            c.renegotiation_answer is RenegotiationAnswer.REFUSE
            and c.refusal_level is AlertLevel.FATAL
        )

    @staticmethod
    def reneg_refuse_warning(c: TlsConnection, m: Message | None, n: Negotiation | None) -> bool:
        return (
            c.renegotiation_answer is RenegotiationAnswer.REFUSE
            and c.refusal_level is not AlertLevel.FATAL
        )


# --------------------------------------------------------------------------------------
# Conditions: whether one conditional item of a row is written
# --------------------------------------------------------------------------------------


class Conds:
    """One predicate per :class:`Cond` member (but ``ALWAYS``), named after it."""

    @staticmethod
    def compat_ccs(c: TlsConnection) -> bool:
        # The server echoes a client that sent a non-empty legacy_session_id (RFC 8446 D.4).
        return c.peer_compat_session_id if c.is_server else c.middlebox_compat

    @staticmethod
    def has_cert(c: TlsConnection) -> bool:
        return c.has_certificate

    @staticmethod
    def ticket_12(c: TlsConnection) -> bool:
        # No ticket on a renegotiation the server will not resume (P-OSSL-5).
        renegotiation_ok = c.handshakes == 0 or c.resumption_on_renegotiation
        return c.personality.tls12_ticket and renegotiation_ok

    @staticmethod
    def ticket_12_resumed(c: TlsConnection) -> bool:
        return c.personality.tls12_ticket_on_resumption


# --------------------------------------------------------------------------------------
# Effects: the only functions that change the connection
# --------------------------------------------------------------------------------------


class Effects:
    """One procedure per :class:`Effect` member, named after it."""

    @staticmethod
    def offer(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        # A renegotiation offers only the version in use (RFC 5246 §7.4.1.2, E.1).
        if c.renegotiating and c.version is not None:
            c.offered_versions = (c.version,)
        else:
            c.offered_versions = c.client_config.versions

    @staticmethod
    def negotiate(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        assert m is not None, _ONLY_HELLO
        assert n is not None, _ONLY_HELLO
        c.version = n.version
        c.alpn = n.alpn
        c.resumed = n.resume
        c.peer_offered_pha = m.post_handshake_auth
        c.peer_secure_renegotiation = m.secure_renegotiation
        c.peer_compat_session_id = m.compat_session_id
        if n.cert_request and not n.resume:
            renegotiation = c.handshakes > 0
            c.cert_requested = _BY_RENEGOTIATION if renegotiation else _IN_HANDSHAKE

    @staticmethod
    def accept_server_hello(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        hello = m
        assert hello is not None, _ONLY_RECEIVED
        c.version = hello.version
        c.alpn = hello.selected_alpn
        c.resumed = hello.resumed
        c.peer_secure_renegotiation = hello.secure_renegotiation
        c.cert_request_pending = False
        if hello.version is _TLS13:
            c.write_protected = True
        c.renegotiation_answer = _answer_to_hello_request(c)

    @staticmethod
    def begin_renegotiation(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.renegotiating = True
        c.answering_hello_request = m is not None and m.kind is _HELLO_REQUEST

    @staticmethod
    def note_cert_request(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.cert_request_pending = True
        if c.state is _C13_CONNECTED:
            # The reply echoes the request's certificate_request_context (RFC 8446 §4.4.2).
            assert m is not None, _ONLY_RECEIVED
            c.pha_context = m.context
            c.cert_requested = _POST_HANDSHAKE
        elif c.renegotiating:
            c.cert_requested = _BY_RENEGOTIATION
        else:
            c.cert_requested = _IN_HANDSHAKE

    @staticmethod
    def record_empty_cert(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.pending_cert = None

    @staticmethod
    def record_peer_cert(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        assert m is not None, _ONLY_RECEIVED
        c.pending_cert = m.cert

    @staticmethod
    def cert_verified(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.peer_certificate = c.pending_cert

    @staticmethod
    def handshake_done(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.handshakes += 1
        c.renegotiating = False
        c.cert_request_pending = False

    @staticmethod
    def new_write_keys(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.write_protected = True

    @staticmethod
    def next_pha_context(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        c.pha_context += 1
        c.cert_requested = _POST_HANDSHAKE

    @staticmethod
    def close(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        """The row's next state (``CLOSED``) says it all."""

    @staticmethod
    def fail(c: TlsConnection, m: Message | None, n: Negotiation | None) -> None:
        """The row's next state and error say it all."""


def _answer_to_hello_request(c: TlsConnection) -> RenegotiationAnswer:
    """Client: how it will answer a HelloRequest on the connection just settled (R-TLS-1)."""
    cfg = c.client_config
    answer = cfg.renegotiation
    if c.alpn == "h2" and cfg.renegotiation_h2 is not None:
        answer = cfg.renegotiation_h2
    if answer is _ACCEPT and cfg.secure_renegotiation and not c.peer_secure_renegotiation:
        # RFC 5746 §4.2: a client that speaks RFC 5746 refuses to renegotiate with a server
        # that does not.  A legacy client (no RFC 5746) renegotiates as it always did;
        # whether the server lets it is the server's choice (R-TLS-2).
        answer = RenegotiationAnswer.REFUSE
    return answer


# --------------------------------------------------------------------------------------
# Builders: what each Out writes (pure: they only read the connection)
# --------------------------------------------------------------------------------------


class Builders:
    """One function per :class:`Out` member, named after it: the messages it writes."""

    @staticmethod
    def client_hello(c: TlsConnection) -> tuple[Message, ...]:
        cfg = c.client_config
        versions = c.offered_versions
        tls13 = _TLS13 in versions
        return (
            Message(
                kind=_CLIENT_HELLO,
                encrypted=encrypted(c, _CLIENT_HELLO),
                versions=versions,
                alpn=cfg.alpn,
                post_handshake_auth=cfg.post_handshake_auth and tls13,
                secure_renegotiation=cfg.secure_renegotiation,
                session_offered=c.answering_hello_request
                and c.personality.client_offers_session_on_renegotiation,
                compat_session_id=c.middlebox_compat and tls13,
                renegotiation=c.renegotiating,
            ),
        )

    @staticmethod
    def server_hello(c: TlsConnection) -> tuple[Message, ...]:
        key = (
            encrypted(c, _SERVER_HELLO),
            c.version,
            c.alpn,
            c.resumed,
            c.peer_secure_renegotiation,
        )
        shared = _SERVER_HELLOS.get(key)
        return shared if shared is not None else _server_hello(key)

    @staticmethod
    def server_certificate(c: TlsConnection) -> tuple[Message, ...]:
        return _SERVER_CERTIFICATE[encrypted(c, _CERTIFICATE)]

    @staticmethod
    def client_certificate(c: TlsConnection) -> tuple[Message, ...]:
        cert = c.client_config.certificate
        enc = encrypted(c, _CERTIFICATE)
        if c.state is not _C13_CONNECTED or not c.pha_context:
            return _CLIENT_CERTIFICATE[cert, enc]
        return (Message(kind=_CERTIFICATE, encrypted=enc, cert=cert, context=c.pha_context),)

    @staticmethod
    def certificate_request(c: TlsConnection) -> tuple[Message, ...]:
        if c.state is _S13_CONNECTED and c.pha_context:
            enc = encrypted(c, _CERTIFICATE_REQUEST)
            return (Message(kind=_CERTIFICATE_REQUEST, encrypted=enc, context=c.pha_context),)
        return _plain(c, _CERTIFICATE_REQUEST)

    # Parameterless messages: the shared value of their kind (R-TLS-7 decides encryption).
    certificate_verify = staticmethod(_plain_of(Kind.CERTIFICATE_VERIFY))
    change_cipher_spec = staticmethod(_plain_of(Kind.CHANGE_CIPHER_SPEC))
    client_key_exchange = staticmethod(_plain_of(Kind.CLIENT_KEY_EXCHANGE))
    encrypted_extensions = staticmethod(_plain_of(Kind.ENCRYPTED_EXTENSIONS))
    hello_request = staticmethod(_plain_of(Kind.HELLO_REQUEST))
    server_hello_done = staticmethod(_plain_of(Kind.SERVER_HELLO_DONE))
    server_key_exchange = staticmethod(_plain_of(Kind.SERVER_KEY_EXCHANGE))
    ticket_12 = staticmethod(_plain_of(Kind.NEW_SESSION_TICKET))

    @staticmethod
    def finished(c: TlsConnection) -> tuple[Message, ...]:
        # Always protected: it follows this end's ChangeCipherSpec in the same flight
        # (RFC 5246 §7.4.9) or travels under TLS 1.3 handshake keys (RFC 8446 §4.4.4).
        return _FINISHED

    @staticmethod
    def tickets_13(c: TlsConnection) -> tuple[Message, ...]:
        return _plain(c, _NEW_SESSION_TICKET) * c.personality.tls13_tickets

    @staticmethod
    def tickets_after_pha(c: TlsConnection) -> tuple[Message, ...]:
        return _plain(c, _NEW_SESSION_TICKET) * c.personality.tickets_after_pha

    @staticmethod
    def alert_unexpected_message(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, AlertLevel.FATAL, AlertDescription.UNEXPECTED_MESSAGE)

    @staticmethod
    def alert_protocol_version(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, AlertLevel.FATAL, AlertDescription.PROTOCOL_VERSION)

    @staticmethod
    def alert_handshake_failure(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, AlertLevel.FATAL, AlertDescription.HANDSHAKE_FAILURE)

    @staticmethod
    def alert_certificate_required(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, AlertLevel.FATAL, AlertDescription.CERTIFICATE_REQUIRED)

    @staticmethod
    def alert_bad_certificate(c: TlsConnection) -> tuple[Message, ...]:
        description = _VERIFY_ALERT.get(c.pending_cert, AlertDescription.BAD_CERTIFICATE)
        return _alert(c, AlertLevel.FATAL, description)

    @staticmethod
    def alert_no_renegotiation(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, c.refusal_level, AlertDescription.NO_RENEGOTIATION)

    @staticmethod
    def alert_close_notify(c: TlsConnection) -> tuple[Message, ...]:
        return _alert(c, AlertLevel.WARNING, AlertDescription.CLOSE_NOTIFY)


# --------------------------------------------------------------------------------------
# The tables in the form the connection runs
# --------------------------------------------------------------------------------------

Check = Callable[["TlsConnection", "Message | None", "Negotiation | None"], bool]
When = Callable[["TlsConnection"], bool]
Apply = Callable[["TlsConnection", "Message | None", "Negotiation | None"], None]
Build = Callable[["TlsConnection"], tuple[Message, ...]]


def _by_name(members: type[enum.Enum], namespace: type, skip: frozenset[str]) -> dict[Any, Any]:
    """``member`` → the function of ``namespace`` named ``member.name.lower()``.

    Fails at import when a member has no function or a function no member, so the tables
    and the actions cannot drift apart.
    """
    wanted = {m.name.lower(): m for m in members if m.name not in skip}
    found = {name for name in vars(namespace) if not name.startswith("_")}
    if found != set(wanted):
        raise AssertionError(
            f"{namespace.__name__} and {members.__name__} disagree: "
            f"missing {sorted(set(wanted) - found)}, extra {sorted(found - set(wanted))}"
        )
    return {wanted[name]: getattr(namespace, name) for name in wanted}


_GUARDS: Mapping[Guard, Check] = MappingProxyType(_by_name(Guard, Guards, frozenset({"ALWAYS"})))
_CONDS: Mapping[Cond, When] = MappingProxyType(_by_name(Cond, Conds, frozenset({"ALWAYS"})))
_EFFECTS: Mapping[Effect, Apply] = MappingProxyType(_by_name(Effect, Effects, frozenset()))
_BUILDERS: Mapping[Out, Build] = MappingProxyType(_by_name(Out, Builders, frozenset()))


@attrs.frozen(kw_only=True)
class CompiledRow:
    """One table row with its names replaced by the functions they stand for (slotted: the
    engine reads several of its fields for every message)."""

    row: Transition
    guard: Check | None  #: ``None``: the row always applies
    before: tuple[Apply, ...]  #: effects applied before writing
    writes: tuple[tuple[When | None, Build], ...]  #: (condition or ``None``, builder)
    after: tuple[Apply, ...]  #: effects applied after writing (:data:`AFTER_WRITING`)
    next: State
    rule: str
    #: The row refuses a command or ends the connection with an error.
    refuses_or_fails: bool


def compile_row(row: Transition) -> CompiledRow:
    """``row`` with its guard, conditions, effects and outputs looked up."""
    return CompiledRow(
        row=row,
        guard=None if row.guard is Guard.ALWAYS else _GUARDS[row.guard],
        before=tuple(_EFFECTS[e] for e in row.effects if e not in AFTER_WRITING),
        writes=tuple(
            (None if e.when is Cond.ALWAYS else _CONDS[e.when], _BUILDERS[e.out]) for e in row.emits
        ),
        after=tuple(_EFFECTS[e] for e in row.effects if e in AFTER_WRITING),
        next=row.next,
        rule=row.rule,
        refuses_or_fails=row.refuse is not None or row.error is not None,
    )


def compile_table(
    table: tuple[Transition, ...],
) -> Mapping[State, Mapping[Event, tuple[CompiledRow, ...]]]:
    """Per state, then per event: its rows, compiled, in the order they are tried.

    Keyed by state, then by event: two look-ups of an enum member each cost less than one
    of a ``(state, event)`` tuple built for it (docs/architecture.md#speed)."""
    rows: dict[State, dict[Event, list[CompiledRow]]] = {state: {} for state in State}
    for row in table:
        rows[row.state].setdefault(row.event, []).append(compile_row(row))
    return MappingProxyType(
        {
            state: MappingProxyType({event: tuple(value) for event, value in by_event.items()})
            for state, by_event in rows.items()
        }
    )
