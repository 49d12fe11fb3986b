"""Hypothesis drives a client/server pair at random and checks contract §4 as invariants.

:class:`TlsPairMachine` builds both ends from random configurations — OpenSSL, Schannel or a
non-conforming server that sends post-handshake CertificateRequests to anyone, any set of
versions, certificate states, ``post_handshake_auth`` offered or not, renegotiation answers,
ALPN — or from one of the exhaustive test's set-ups, and connects them with a
:class:`~httpsys_sim.tls.Wire`.  Its rules run the local commands (``start``,
``renegotiate``, ``request_certificate``, ``close``) on either end, legal or not; when both
ends are done, a new pair is connected, so one example covers several connections.
:class:`TlsPairWithInjectionsMachine` also hands arbitrary messages straight to one end.
After every step:

* item 1 — no TLS 1.3 end writes a HelloRequest or a second ClientHello, and one it reads is
  answered with ``unexpected_message`` and ends the connection;
* item 2 — a conforming server writes a post-handshake CertificateRequest only to a client
  that offered ``post_handshake_auth``; a client that did not offer it answers
  ``unexpected_message`` (the non-conforming personality makes this reachable);
* item 8 — every ServerHello carries the highest version both the ClientHello and the server
  enable, none in common is ``protocol_version`` and no handshake, and a client accepts only
  a version it offered; without injections, both ends agree on the highest version both
  configurations enable;
* item 11 — every message an end read either matched a row of its table (same state, next
  state and rule) or was answered with exactly ``unexpected_message`` and CLOSED;
* CLOSED is terminal: it never changes, the transcript never grows, every input raises
  :class:`ConnectionClosedError`.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from httpsys_sim.tls import (
    OPENSSL,
    REQUEST_AT_CHOICES,
    SCHANNEL,
    AlertDescription,
    AlertLevel,
    CertRequest,
    CertState,
    ClientConfig,
    ConnectionClosedError,
    Event,
    Kind,
    LocalProtocolError,
    Message,
    RemoteProtocolError,
    RenegotiationAnswer,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsVersion,
    TraceEntry,
    Transition,
    Wire,
    table_for,
)
from tests.tls._driver import PHA_TO_ANYONE, SETUPS

V11, V12, V13 = TlsVersion.TLS11, TlsVersion.TLS12, TlsVersion.TLS13
UNEXPECTED = "alert fatal:unexpected_message(10)"
PROTOCOL_VERSION = "alert fatal:protocol_version(70)"

personalities = st.sampled_from([OPENSSL, SCHANNEL, PHA_TO_ANYONE])
any_versions = st.lists(st.sampled_from(TlsVersion), min_size=1, max_size=4, unique=True).map(tuple)
#: Mostly the sets real deployments enable, sometimes any non-empty set.
versions = (
    st.sampled_from([(V12,), (V13, V12), (V12,), (V13, V12), (V13,), (V12, V11), (V13, V12, V11)])
    | any_versions
)
alpn = st.lists(st.sampled_from(["h2", "http/1.1"]), max_size=2, unique=True).map(tuple)
maybe_bool = st.sampled_from([None, True, False])


def mostly(value: object, *others: object) -> st.SearchStrategy[object]:
    """``value`` three times in four, else one of ``others`` (cooperative set-ups first, so
    that connections get far enough to renegotiate and to ask for certificates)."""
    return st.sampled_from([value, value, value, *others])


client_configs = st.builds(
    ClientConfig,
    personality=personalities,
    versions=versions,
    alpn=alpn,
    certificate=mostly(CertState.VALID, *CertState),
    post_handshake_auth=mostly(True, False),
    renegotiation=mostly(RenegotiationAnswer.ACCEPT, *RenegotiationAnswer),
    renegotiation_h2=st.none() | st.sampled_from(RenegotiationAnswer),
    refusal_level=st.none() | st.sampled_from(AlertLevel),
    secure_renegotiation=mostly(True, False),
    middlebox_compat=maybe_bool,
)
server_configs = st.builds(
    ServerConfig,
    personality=personalities,
    versions=versions,
    alpn=alpn,
    cert_request=mostly(CertRequest.REQUIRED, *CertRequest),
    request_at=st.sampled_from(REQUEST_AT_CHOICES),
    resumption_on_renegotiation=maybe_bool,
    allow_client_renegotiation=maybe_bool,
    renegotiation_enabled=mostly(True, False),
    allow_insecure_renegotiation=st.booleans(),
)

#: The exhaustive test's set-ups (between them every row can fire), or anything at all.
pair_configs = st.one_of(
    st.sampled_from(SETUPS).map(lambda s: (s.client, s.server)),
    st.tuples(client_configs, server_configs),
)

#: Any message an end could be handed, legal or not.
messages = st.builds(
    Message,
    kind=st.sampled_from(Kind),
    encrypted=st.booleans(),
    versions=versions,
    alpn=alpn,
    post_handshake_auth=st.booleans(),
    secure_renegotiation=st.booleans(),
    session_offered=st.booleans(),
    compat_session_id=st.booleans(),
    renegotiation=st.booleans(),
    version=st.none() | st.sampled_from(TlsVersion),
    resumed=st.booleans(),
    cert=st.none() | st.sampled_from(CertState),
    context=st.integers(0, 3),
).map(
    lambda m: (
        attrs.evolve(m, level=AlertLevel.FATAL, description=AlertDescription.HANDSHAKE_FAILURE)
        if m.kind is Kind.ALERT
        else m
    )
)
alerts = st.builds(
    Message,
    kind=st.just(Kind.ALERT),
    level=st.sampled_from(AlertLevel),
    description=st.sampled_from(AlertDescription),
)

#: Each table's rows by (state, event).
ROWS: dict[Role, dict[tuple[State, Event], list[Transition]]] = {role: {} for role in Role}
for _role in Role:
    for _row in table_for(_role):
        ROWS[_role].setdefault((_row.state, _row.event), []).append(_row)

#: Either end may be told anything; close() is rarer so that connections live a while.
COMMAND_NAMES = ("start", *("renegotiate", "request_certificate") * 3, "close")


def _highest(*sets: tuple[TlsVersion, ...]) -> TlsVersion | None:
    common = set(sets[0]).intersection(*sets[1:])
    return max(common, key=lambda v: v.rank) if common else None


class TlsPairMachine(RuleBasedStateMachine):
    """A client and a server over a wire, commanded and disturbed at random."""

    def __init__(self) -> None:
        super().__init__()
        self.client: TlsConnection
        self.server: TlsConnection
        self.wire: Wire
        self.injected = False
        #: Per role: the transcript length when CLOSED was first seen.
        self.closed_at: dict[Role, int] = {}

    @initialize(configs=pair_configs)
    def connect(self, configs: tuple[ClientConfig, ServerConfig]) -> None:
        client, server = configs
        self.client = TlsConnection.client(client)
        self.server = TlsConnection.server(server)
        self.wire = Wire(self.client, self.server)
        self.injected = False
        self.closed_at = {}

    @precondition(lambda self: self.client.closed and self.server.closed)
    @rule(configs=pair_configs)
    def reconnect(self, configs: tuple[ClientConfig, ServerConfig]) -> None:
        """Both ends are done: a new connection, with new configurations."""
        self.connect(configs)

    # --- rules -------------------------------------------------------------------------
    @precondition(lambda self: self.client.state is State.START)
    @rule()
    def start(self) -> None:
        """The client's first ClientHello, and everything it sets off."""
        assert self.wire.command(Role.CLIENT, "start") is None

    @rule(role=st.sampled_from(Role), name=st.sampled_from(COMMAND_NAMES))
    def command(self, role: Role, name: str) -> None:
        """A local command, whether or not the tables allow it."""
        conn = self.wire.end(role)
        state, transcript, log = conn.state, list(conn.transcript), list(self.wire.log)
        if conn.closed:
            with pytest.raises(ConnectionClosedError):
                getattr(conn, name)()
            return
        refusal = self.wire.command(role, name)
        if refusal is not None:
            assert isinstance(refusal, LocalProtocolError)
            assert refusal.peer_observes == "nothing"
            assert conn.state is state
            assert conn.transcript == transcript
            assert self.wire.log == log

    # --- invariants ----------------------------------------------------------------------
    def _ends(self) -> tuple[TlsConnection, TlsConnection]:
        return self.client, self.server

    @invariant()
    def item_1_no_renegotiation_in_tls13(self) -> None:
        for conn in self._ends():
            if conn.version is not V13:
                continue
            written = [e.message.kind for e in conn.transcript if e.direction == "W"]
            assert Kind.HELLO_REQUEST not in written
            assert written.count(Kind.CLIENT_HELLO) <= 1
            hellos = [
                i
                for i, e in enumerate(conn.transcript)
                if e.direction == "R" and e.message.kind in (Kind.HELLO_REQUEST, Kind.CLIENT_HELLO)
            ]
            if conn.role is Role.SERVER:
                hellos = hellos[1:]  # the ClientHello that started it all
            for i in hellos:
                _assert_answered_unexpected(conn, i)

    @invariant()
    def item_2_pha_only_when_offered(self) -> None:
        server, client = self.server, self.client
        for e in server.transcript:
            if (
                e.direction == "W"
                and e.message.kind is Kind.CERTIFICATE_REQUEST
                and e.state_before is State.S13_CONNECTED
                and server.personality.pha_requires_client_offer
            ):
                assert server.peer_offered_pha, "post-handshake CertificateRequest, not offered"
        offered = [
            e.message.post_handshake_auth
            for e in client.transcript
            if e.direction == "W" and e.message.kind is Kind.CLIENT_HELLO
        ]
        for i, e in enumerate(client.transcript):
            if (
                e.direction == "R"
                and e.message.kind is Kind.CERTIFICATE_REQUEST
                and e.state_before is State.C13_CONNECTED
                and not (offered and offered[0])
            ):
                _assert_answered_unexpected(client, i)

    @invariant()
    def item_8_highest_common_version(self) -> None:
        server, client = self.server, self.client
        for i, e in enumerate(server.transcript):
            if e.direction != "R" or e.message.kind is not Kind.CLIENT_HELLO:
                continue
            replies = _replies(server.transcript, i)
            best = _highest(e.message.versions, server.config.versions)
            if best is None:  # no handshake: never a ServerHello; from START, alert 70
                assert all(r.message.kind is not Kind.SERVER_HELLO for r in replies)
                if e.state_before is State.START:
                    assert [r.message.label() for r in replies] == [PROTOCOL_VERSION]
                    assert e.state_after is State.CLOSED
            for r in replies:
                if r.message.kind is Kind.SERVER_HELLO:
                    assert r.message.version is best
        offered: tuple[TlsVersion, ...] = ()
        for e in client.transcript:
            if e.direction == "W" and e.message.kind is Kind.CLIENT_HELLO:
                offered = e.message.versions
            if (
                e.direction == "R"
                and e.message.kind is Kind.SERVER_HELLO
                and e.state_after is not State.CLOSED
            ):
                assert e.message.version in offered
        if self.injected:
            return
        best = _highest(client.config.versions, server.config.versions)
        if best is None:
            assert not any(e.message.kind is Kind.SERVER_HELLO for e in self.wire.log)
            if client.state is not State.START:
                assert server.closed
                assert server.version is None
        else:
            for conn in self._ends():
                if conn.handshakes or conn.connected:
                    assert conn.version is best

    @invariant()
    def item_11_every_read_matched_a_row_or_was_fatal(self) -> None:
        for conn in self._ends():
            entries = conn.transcript
            for i, e in enumerate(entries):
                if e.direction != "R":
                    continue
                rows = ROWS[conn.role].get((e.state_before, Event.of(e.message)), [])
                if any(r.next is e.state_after and r.rule == e.rule for r in rows):
                    continue
                _assert_answered_unexpected(conn, i)

    @invariant()
    def closed_is_terminal(self) -> None:
        for conn in self._ends():
            if conn.role in self.closed_at:
                assert conn.closed
                assert len(conn.transcript) == self.closed_at[conn.role]
            elif conn.closed:
                self.closed_at[conn.role] = len(conn.transcript)
            if conn.closed:
                assert conn.error is not None or _ended_cleanly(conn)


def _replies(entries: list[TraceEntry], i: int) -> list[TraceEntry]:
    """What the end wrote in answer to the entry at ``i`` (same transition: same states)."""
    same = ("W", entries[i].state_before, entries[i].state_after)
    out = []
    for e in entries[i + 1 :]:
        if (e.direction, e.state_before, e.state_after) != same:
            break
        out.append(e)
    return out


def _assert_answered_unexpected(conn: TlsConnection, i: int) -> None:
    entry = conn.transcript[i]
    assert entry.state_after is State.CLOSED, entry
    assert [r.message.label() for r in _replies(conn.transcript, i)] == [UNEXPECTED], entry
    if i == len(conn.transcript) - 2:  # the last thing this end did: it is why it closed
        assert isinstance(conn.error, RemoteProtocolError)


def _ended_cleanly(conn: TlsConnection) -> bool:
    """close() or close_notify: CLOSED without an error."""
    last = conn.transcript[-1].message if conn.transcript else None
    return last is not None and last.description is AlertDescription.CLOSE_NOTIFY


class TlsPairWithInjectionsMachine(TlsPairMachine):
    """The same pair, plus arbitrary messages handed straight to either end."""

    @rule(role=st.sampled_from(Role), message=messages | alerts)
    def inject(self, role: Role, message: Message) -> None:
        """A message delivered straight to one end, as a broken or hostile peer would."""
        conn = self.wire.end(role)
        if conn.closed:
            with pytest.raises(ConnectionClosedError):
                conn.receive(message)
            return
        self.injected = True
        self.wire.send(role, conn.handle(Event.of(message), message))
        self.wire.pump()


TestTlsPair = TlsPairMachine.TestCase
TestTlsPair.settings = settings(stateful_step_count=30)
TestTlsPairWithInjections = TlsPairWithInjectionsMachine.TestCase
TestTlsPairWithInjections.settings = settings(stateful_step_count=30)
