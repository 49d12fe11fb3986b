"""A step-by-step driver for a client/server pair, and representative messages.

:class:`Pair` is :class:`httpsys_sim.tls.Wire` taken one message at a time: one FIFO for
both directions, a message for an end that already closed is dropped.  The exhaustive test
uses it to find, by breadth-first search over real message sequences, a path to every state
of every machine; the stateful test uses the real ``Wire``.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from httpsys_sim.tls import (
    OPENSSL,
    SCHANNEL,
    AlertDescription,
    AlertLevel,
    CertRequest,
    CertRequestedHow,
    CertState,
    ClientConfig,
    Event,
    Kind,
    LocalProtocolError,
    Message,
    Personality,
    RenegotiationAnswer,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsVersion,
)

__all__ = [
    "COMMANDS",
    "PHA_TO_ANYONE",
    "SETUPS",
    "TICKET_ON_RESUMPTION",
    "Action",
    "Pair",
    "Setup",
    "explore",
    "other",
    "representative_messages",
]

#: The local commands of each role (``TlsConnection`` method names).
COMMANDS: dict[Role, tuple[str, ...]] = {
    Role.CLIENT: ("start", "renegotiate", "close"),
    Role.SERVER: ("renegotiate", "request_certificate", "close"),
}

V10, V12, V13 = TlsVersion.TLS10, TlsVersion.TLS12, TlsVersion.TLS13

#: ``("deliver",)`` or ``("command", role, name)``.
Action = tuple[object, ...]
DELIVER: Action = ("deliver",)


def other(role: Role) -> Role:
    """The peer's role."""
    return Role.SERVER if role is Role.CLIENT else Role.CLIENT


@attrs.frozen
class Setup:
    """A named pair of configurations the search starts from."""

    name: str
    client: ClientConfig
    server: ServerConfig


class Pair:
    """Both ends and the messages in flight between them."""

    def __init__(self, setup: Setup, *, transcript: bool = True) -> None:
        self.setup = setup
        self.client = TlsConnection.client(setup.client, transcript=transcript)
        self.server = TlsConnection.server(setup.server, transcript=transcript)
        self.queue: deque[tuple[Role, Message]] = deque()

    def end(self, role: Role) -> TlsConnection:
        """The connection that plays ``role``."""
        return self.client if role is Role.CLIENT else self.server

    def act(self, action: Action) -> bool:
        """Apply one action; ``False`` when it does not apply (nothing in flight, refused)."""
        if action[0] == "deliver":
            if not self.queue:
                return False
            sender, message = self.queue.popleft()
            receiver = self.end(other(sender))
            if not receiver.closed:
                self.queue.extend((receiver.role, m) for m in receiver.receive(message))
            return True
        _, role, name = action
        assert isinstance(role, Role)
        assert isinstance(name, str)
        conn = self.end(role)
        if conn.closed:
            return False
        try:
            out: list[Message] = getattr(conn, name)()
        except LocalProtocolError:
            return False
        self.queue.extend((role, m) for m in out)
        return True

    def key(self) -> tuple[object, ...]:
        """What distinguishes two search nodes (states, data the guards read, the queue)."""
        return (
            self.client.state,
            self.server.state,
            tuple((r, m) for r, m in self.queue),
            min(self.client.handshakes, 2),
            min(self.server.handshakes, 2),
            self.client.renegotiating,
            self.server.renegotiating,
            min(self.server.pha_context, 2),
        )

    def clone(self) -> Pair:
        """An independent copy for the search (lists copied; every other field is immutable)."""
        twin = copy.copy(self)
        twin.client, twin.server = _copy_conn(self.client), _copy_conn(self.server)
        twin.queue = deque(self.queue)
        return twin

    @classmethod
    def replay(cls, setup: Setup, path: Sequence[Action]) -> Pair:
        """A fresh pair driven along ``path`` (every action must apply)."""
        pair = cls(setup)
        for action in path:
            applied = pair.act(action)
            assert applied, (setup.name, path, action)
        return pair


def _copy_conn(conn: TlsConnection) -> TlsConnection:
    twin = copy.copy(conn)
    for name in TlsConnection.__slots__:
        value = getattr(conn, name, None)  # a slot of the other role is unset
        if isinstance(value, list):
            setattr(twin, name, list(value))
    return twin


def _actions() -> Iterator[Action]:
    yield DELIVER
    for role, names in COMMANDS.items():
        for name in names:
            yield ("command", role, name)


def explore(
    setup: Setup, *, max_depth: int = 60
) -> dict[tuple[Role, State, object], tuple[Action, ...]]:
    """Breadth-first search from a fresh pair: the shortest path to each reachable state.

    The result maps ``(role, state, signature)`` to a path, where the signature is the data
    beside the state that changes which guarded row applies (handshakes done, renegotiating,
    negotiated version), so that a state reached in several ways is tested in each.
    """
    found: dict[tuple[Role, State, object], tuple[Action, ...]] = {}
    seen: set[tuple[object, ...]] = set()
    frontier: deque[tuple[tuple[Action, ...], Pair]] = deque([((), Pair(setup))])
    while frontier:
        path, pair = frontier.popleft()
        for role in Role:
            conn = pair.end(role)
            signature = (min(conn.handshakes, 1), conn.renegotiating, conn.version)
            found.setdefault((role, conn.state, signature), path)
        if len(path) >= max_depth:
            continue
        for action in _actions():
            child = pair.clone()
            if not child.act(action):
                continue
            key = child.key()
            if key in seen:
                continue
            seen.add(key)
            frontier.append(((*path, action), child))
    return found


#: OpenSSL, but re-issuing a TLS 1.2 ticket on resumption (reaches C12_RESUMED_WAIT_CCS).
TICKET_ON_RESUMPTION = attrs.evolve(
    OPENSSL, id="openssl-ticket-on-resumption", tls12_ticket_on_resumption=True
)
#: A non-conforming server that sends a post-handshake CertificateRequest to anyone.
PHA_TO_ANYONE = attrs.evolve(OPENSSL, id="openssl-pha-to-anyone", pha_requires_client_offer=False)


def _setup(
    name: str,
    *,
    stack: Personality = OPENSSL,
    versions: tuple[TlsVersion, ...] = (V13, V12),
    server_versions: tuple[TlsVersion, ...] | None = None,
    client: Mapping[str, Any] | None = None,
    server: Mapping[str, Any] | None = None,
) -> Setup:
    return Setup(
        name,
        ClientConfig(personality=stack, versions=versions, **(client or {})),
        ServerConfig(
            personality=stack,
            versions=versions if server_versions is None else server_versions,
            **(server or {}),
        ),
    )


_REQ = CertRequest.REQUIRED
_OPT = CertRequest.OPTIONAL
_RENEG = {"cert_request": _REQ, "request_at": CertRequestedHow.RENEGOTIATION}
_PHA = {"cert_request": _REQ, "request_at": CertRequestedHow.POST_HANDSHAKE}

#: The pairs the search starts from: between them, every row of both tables fires.
SETUPS: tuple[Setup, ...] = (
    _setup(
        "tls13-pha",
        client={"post_handshake_auth": True, "certificate": CertState.VALID},
        server=_PHA,
    ),
    _setup("tls13-pha-no-cert", client={"post_handshake_auth": True}, server=_PHA),
    _setup(
        "tls13-pha-optional-none",
        client={"post_handshake_auth": True},
        server={"cert_request": _OPT, "request_at": CertRequestedHow.POST_HANDSHAKE},
    ),
    _setup("tls13-pha-not-offered", client={"certificate": CertState.VALID}, server=_PHA),
    _setup("tls13-pha-to-anyone", stack=PHA_TO_ANYONE, server=_PHA),
    _setup(
        "tls13-handshake-required-valid",
        client={"certificate": CertState.VALID},
        server={"cert_request": _REQ},
    ),
    _setup("tls13-handshake-required-none", server={"cert_request": _REQ}),
    _setup(
        "tls13-handshake-optional-none-no-compat",
        client={"middlebox_compat": False},
        server={"cert_request": _OPT},
    ),
    _setup("tls13-schannel", stack=SCHANNEL, client={"post_handshake_auth": True}, server=_PHA),
    _setup(
        "tls12-handshake-optional-valid",
        versions=(V12,),
        client={"certificate": CertState.VALID},
        server={"cert_request": _OPT},
    ),
    _setup("tls12-renegotiation-resumed", versions=(V12,), server=_RENEG),
    _setup("tls12-renegotiation-tls13-capable-client", server_versions=(V12,), server=_RENEG),
    _setup(
        "tls12-renegotiation-full",
        versions=(V12,),
        client={"certificate": CertState.VALID},
        server={**_RENEG, "resumption_on_renegotiation": False},
    ),
    _setup(
        "tls12-renegotiation-ticket-on-resumption",
        stack=TICKET_ON_RESUMPTION,
        versions=(V12,),
        server=_RENEG,
    ),
    _setup(
        "tls12-renegotiation-refused-fatal",
        versions=(V12,),
        client={"renegotiation": RenegotiationAnswer.REFUSE, "refusal_level": AlertLevel.FATAL},
        server=_RENEG,
    ),
    _setup(
        "tls12-renegotiation-ignored",
        versions=(V12,),
        client={"renegotiation": RenegotiationAnswer.IGNORE},
        server=_RENEG,
    ),
    _setup(
        "tls12-schannel-renegotiation-refused",
        stack=SCHANNEL,
        versions=(V12,),
        client={"renegotiation": RenegotiationAnswer.REFUSE},
        server=_RENEG,
    ),
    _setup(
        "tls12-schannel-renegotiation-disabled",
        stack=SCHANNEL,
        versions=(V12,),
        server={**_RENEG, "renegotiation_enabled": False},
    ),
    _setup(
        "tls12-insecure-client",
        versions=(V12,),
        client={"secure_renegotiation": False},
        server=_RENEG,
    ),
    _setup(
        "tls12-client-renegotiation-allowed",
        versions=(V12,),
        server={"allow_client_renegotiation": True},
    ),
    _setup("no-common-version", versions=(V12,), server_versions=(V13,)),
)


# --------------------------------------------------------------------------------------
# Representative messages for each received event
# --------------------------------------------------------------------------------------


def _hello(*versions: TlsVersion, **fields: object) -> Message:
    return Message(kind=Kind.CLIENT_HELLO, versions=versions, **fields)  # type: ignore[arg-type]


def representative_messages(event: Event) -> tuple[Message, ...]:
    """Messages that are ``event`` when received, covering what the guards look at."""
    if event is Event.R_CLIENT_HELLO:
        return (
            _hello(
                V13,
                V12,
                post_handshake_auth=True,
                secure_renegotiation=True,
                compat_session_id=True,
            ),
            _hello(V13, V12, secure_renegotiation=True),
            _hello(V12, secure_renegotiation=True, session_offered=True, renegotiation=True),
            _hello(V12, secure_renegotiation=True),
            _hello(V12),
            _hello(V10),  # no setup enables TLS 1.0: never a common version
        )
    if event is Event.R_SERVER_HELLO:
        return (
            Message(kind=Kind.SERVER_HELLO, version=V13, secure_renegotiation=True),
            Message(kind=Kind.SERVER_HELLO, version=V12, secure_renegotiation=True),
            Message(kind=Kind.SERVER_HELLO, version=V12, secure_renegotiation=True, resumed=True),
            Message(kind=Kind.SERVER_HELLO, version=V12),
            Message(kind=Kind.SERVER_HELLO, version=V10),
        )
    if event is Event.R_CERTIFICATE:
        return tuple(
            Message(kind=Kind.CERTIFICATE, cert=c)
            for c in (CertState.VALID, CertState.NONE, CertState.UNTRUSTED, CertState.EXPIRED)
        )
    if event is Event.R_CERTIFICATE_REQUEST:
        return (
            Message(kind=Kind.CERTIFICATE_REQUEST),
            Message(kind=Kind.CERTIFICATE_REQUEST, context=7),
        )
    alerts = {
        Event.R_ALERT_FATAL: (AlertLevel.FATAL, AlertDescription.HANDSHAKE_FAILURE),
        Event.R_ALERT_CLOSE_NOTIFY: (AlertLevel.WARNING, AlertDescription.CLOSE_NOTIFY),
        Event.R_ALERT_NO_RENEGOTIATION: (AlertLevel.WARNING, AlertDescription.NO_RENEGOTIATION),
        Event.R_ALERT_WARNING: (AlertLevel.WARNING, AlertDescription.USER_CANCELED),
    }
    if event in alerts:
        level, description = alerts[event]
        return (Message(kind=Kind.ALERT, level=level, description=description),)
    assert not event.is_command, event
    return (Message(kind=Kind(event.value.removeprefix("R "))),)
