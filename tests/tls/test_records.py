"""The machines' plain-tuple records, the values built from them, and the compiled rows.

Each end keeps ``records`` (what it wrote and read) and the wire keeps ``records`` (what
travelled); ``transcript``, ``log`` and ``events()`` are views built from them.  The rows run
from a compiled form of the tables (:mod:`httpsys_sim.tls._actions`).  These tests pin the
views to the records and the compiled rows to the tables, so the fast path cannot drift from
the data it came from; and they hold the actions to their contract: builders only read the
connection, a ClientHello is read once, only effects change state.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from httpsys_sim.tls import (
    CLIENT_TABLE,
    OPENSSL,
    SCHANNEL,
    SERVER_TABLE,
    CertRequest,
    CertRequestedHow,
    CertState,
    ClientConfig,
    Cond,
    Effect,
    Event,
    Guard,
    Kind,
    Message,
    Out,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsVersion,
    TraceEntry,
    Transition,
    Wire,
    WireEvent,
    _actions,
    _connection,
)
from tests.tls._driver import SETUPS, Pair, Setup
from tests.tls._driver import _actions as _driver_actions


def _renegotiated_wire() -> Wire:
    """TLS 1.2, then a server-initiated renegotiation asking for a certificate."""
    server = TlsConnection.server(
        ServerConfig(
            personality=SCHANNEL,
            versions=(TlsVersion.TLS12,),
            alpn=("http/1.1",),
            cert_request=CertRequest.OPTIONAL,
            request_at=CertRequestedHow.RENEGOTIATION,
        )
    )
    client = TlsConnection.client(
        ClientConfig(personality=OPENSSL, alpn=("http/1.1",), certificate=CertState.VALID)
    )
    wire = Wire(client, server)
    assert wire.command(Role.CLIENT, "start") is None
    assert wire.command(Role.SERVER, "renegotiate") is None
    return wire


def _pha_wire() -> Wire:
    """TLS 1.3 with two post-handshake certificate requests (contexts 1 then 2)."""
    server = TlsConnection.server(
        ServerConfig(
            personality=OPENSSL,
            cert_request=CertRequest.OPTIONAL,
            request_at=CertRequestedHow.POST_HANDSHAKE,
        )
    )
    client = TlsConnection.client(
        ClientConfig(personality=OPENSSL, certificate=CertState.VALID, post_handshake_auth=True)
    )
    wire = Wire(client, server)
    assert wire.command(Role.CLIENT, "start") is None
    assert wire.command(Role.SERVER, "request_certificate") is None
    assert wire.command(Role.SERVER, "request_certificate") is None
    return wire


@pytest.mark.parametrize("build", [_renegotiated_wire, _pha_wire])
def test_transcripts_are_the_records_as_values(build: object) -> None:
    wire = build()  # type: ignore[operator]
    for conn in (wire.client, wire.server):
        assert conn.records, conn.role
        assert conn.transcript == [
            TraceEntry(direction=d, message=m, rule=r, state_before=b, state_after=a)
            for d, m, r, b, a in conn.records
        ]


@pytest.mark.parametrize("build", [_renegotiated_wire, _pha_wire])
def test_wire_log_is_the_records_as_values(build: object) -> None:
    wire = build()  # type: ignore[operator]
    assert wire.log == list(wire.events())
    assert [(e.sender, e.message, e.delivered, e.rule) for e in wire.log] == wire.records
    for event in wire.records:  # each a WireEvent with its fields in their places
        assert type(event) is WireEvent
        assert isinstance(event.sender, Role)
        assert isinstance(event.message, Message)
        assert isinstance(event.delivered, bool)
        assert isinstance(event.rule, str)
        assert event == WireEvent(event.sender, event.message, event.delivered, event.rule)


@pytest.mark.parametrize("build", [_renegotiated_wire, _pha_wire])
def test_each_message_travels_with_the_rule_of_the_row_that_wrote_it(build: object) -> None:
    wire = build()  # type: ignore[operator]
    written = {
        role: [(e.message, e.rule) for e in conn.transcript if e.direction == "W"]
        for role, conn in ((Role.CLIENT, wire.client), (Role.SERVER, wire.server))
    }
    for role in (Role.CLIENT, Role.SERVER):
        assert [(e.message, e.rule) for e in wire.log if e.sender is role] == written[role]


def test_views_are_fresh_copies_that_cannot_change_the_machine() -> None:
    wire = _renegotiated_wire()
    before = list(wire.server.records)
    wire.server.transcript.clear()
    wire.log.clear()
    assert wire.server.records == before
    assert len(wire.log) == len(wire.records) > 0


def test_shared_messages_are_equal_to_freshly_built_ones() -> None:
    # Parameterless messages and alerts are shared values; each must equal the message the
    # old per-call construction gave: only kind, encryption and the alert fields set.
    wire = _pha_wire()
    fresh_fields = {"kind", "encrypted", "level", "description", "context"}
    for event in wire.log:
        m = event.message
        if m.kind in (Kind.CLIENT_HELLO, Kind.SERVER_HELLO, Kind.CERTIFICATE):
            continue
        set_fields = {
            f.name
            for f in attrs.fields(Message)
            if getattr(m, f.name) != f.default and f.default is not attrs.NOTHING
        }
        assert set_fields <= fresh_fields - {"kind"}, (m, set_fields)
        rebuilt = Message(
            kind=m.kind,
            encrypted=m.encrypted,
            level=m.level,
            description=m.description,
            context=m.context,
        )
        assert rebuilt == m


@pytest.mark.parametrize("alpn", ["h2", "spdy/3", None])
@pytest.mark.parametrize("version", [TlsVersion.TLS13, TlsVersion.TLS12])
def test_a_server_hello_says_what_the_server_settled(alpn: str | None, version: TlsVersion) -> None:
    # Shared values for the protocols the pipeline offers, built for any other ALPN id: the
    # same content either way, taken from what the server settled.
    offered = () if alpn is None else (alpn,)
    server = TlsConnection.server(
        ServerConfig(personality=SCHANNEL, versions=(version,), alpn=offered)
    )
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, alpn=offered))
    wire = Wire(client, server)
    assert wire.command(Role.CLIENT, "start") is None
    (hello,) = [e.message for e in wire.log if e.message.kind is Kind.SERVER_HELLO]
    assert hello == Message(
        kind=Kind.SERVER_HELLO,
        encrypted=False,
        version=version,
        selected_alpn=alpn,
        resumed=False,
        secure_renegotiation=True,
    )
    assert (server.version, server.alpn, client.alpn) == (version, alpn, alpn)
    shared = _actions._SERVER_HELLOS.get((False, version, alpn, False, True))
    assert (shared is not None) == (alpn != "spdy/3")
    assert shared is None or shared[0] is hello


def test_each_post_handshake_request_carries_its_own_context() -> None:
    # Only the in-handshake request has the empty context (0); PHA rounds count from 1.
    requests = [e.message for e in _pha_wire().log if e.message.kind is Kind.CERTIFICATE_REQUEST]
    assert [r.context for r in requests] == [1, 2]
    assert all(r.encrypted for r in requests)


@pytest.mark.parametrize(
    ("table", "compiled"),
    [(SERVER_TABLE, _connection._SERVER_ROWS), (CLIENT_TABLE, _connection._CLIENT_ROWS)],
)
def test_compiled_rows_are_the_table_rows(
    table: tuple[Transition, ...],
    compiled: Mapping[State, Mapping[Event, tuple[_actions.CompiledRow, ...]]],
) -> None:
    by_pair: dict[tuple[object, object], list[Transition]] = {}
    for row in table:
        by_pair.setdefault((row.state, row.event), []).append(row)
    assert set(compiled) == set(State)
    assert {(s, e) for s, by_event in compiled.items() for e in by_event} == set(by_pair)
    for key, rows in by_pair.items():
        state, event = key
        entries = compiled[state][event]
        assert [e.row for e in entries] == rows, key
        for e in entries:
            row = e.row
            assert (e.guard is None) == (row.guard is Guard.ALWAYS)
            if e.guard is not None:
                assert e.guard is getattr(_actions.Guards, row.guard.name.lower())
            before = [x for x in row.effects if x not in _actions.AFTER_WRITING]
            after = [x for x in row.effects if x in _actions.AFTER_WRITING]
            assert list(e.before) == [getattr(_actions.Effects, x.name.lower()) for x in before]
            assert list(e.after) == [getattr(_actions.Effects, x.name.lower()) for x in after]
            assert [b for _, b in e.writes] == [
                getattr(_actions.Builders, x.out.name.lower()) for x in row.emits
            ]
            assert [w for w, _ in e.writes] == [
                None if x.when is Cond.ALWAYS else getattr(_actions.Conds, x.when.name.lower())
                for x in row.emits
            ]
            assert (e.next, e.rule) == (row.next, row.rule)
            assert e.refuses_or_fails == (row.refuse is not None or row.error is not None)


@pytest.mark.parametrize(
    ("members", "namespace", "skip"),
    [
        (Guard, _actions.Guards, {"ALWAYS"}),
        (Cond, _actions.Conds, {"ALWAYS"}),
        (Effect, _actions.Effects, set()),
        (Out, _actions.Builders, set()),
    ],
)
def test_every_name_has_exactly_one_function(
    members: type[enum.Enum], namespace: type, skip: set[str]
) -> None:
    functions = {name for name in vars(namespace) if not name.startswith("_")}
    assert functions == {m.name.lower() for m in members if m.name not in skip}


def test_a_missing_or_stray_function_fails_at_import() -> None:
    class Short:
        @staticmethod
        def always() -> None: ...

    with pytest.raises(AssertionError, match="missing"):
        _actions._by_name(Cond, Short, frozenset())
    with pytest.raises(AssertionError, match="extra"):
        _actions._by_name(Cond, Short, frozenset({"ALWAYS", "COMPAT_CCS"}))


@pytest.mark.parametrize("table", [SERVER_TABLE, CLIENT_TABLE])
def test_rows_that_switch_keys_or_offer_say_so(table: tuple[Transition, ...]) -> None:
    # A ChangeCipherSpec switches this end's write keys after its row (RFC 5246 §7.1); the
    # TLS 1.3 server flights that carry one also start the handshake keys.  A ClientHello
    # row first chooses what to offer.
    for row in table:
        writes = {e.out for e in row.emits}
        assert (Out.CHANGE_CIPHER_SPEC in writes) == (Effect.NEW_WRITE_KEYS in row.effects), row
        assert (Out.CLIENT_HELLO in writes) == (Effect.OFFER in row.effects), row


def _snapshot(conn: TlsConnection) -> dict[str, Any]:
    """Every attribute set (a slot of the other role is not); lists copied (every other value
    a connection holds is immutable)."""
    values = {name: getattr(conn, name) for name in TlsConnection.__slots__ if hasattr(conn, name)}
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


@pytest.mark.parametrize("build", [_renegotiated_wire, _pha_wire])
def test_builders_only_read_the_connection(build: object) -> None:
    wire = build()  # type: ignore[operator]
    for conn in (wire.client, wire.server):
        for out in Out:
            builder = getattr(_actions.Builders, out.name.lower())
            before = _snapshot(conn)
            try:
                first = builder(conn)
            except AttributeError:  # a builder of the other role: this end has no such config
                continue
            assert _snapshot(conn) == before, out
            assert builder(conn) == first, out


def test_a_client_hello_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Message] = []
    real = _connection.read_client_hello

    def counting(conn: TlsConnection, hello: Message) -> _actions.Negotiation:
        seen.append(hello)
        return real(conn, hello)

    monkeypatch.setattr(_connection, "read_client_hello", counting)
    wire = _renegotiated_wire()
    hellos = [e.message for e in wire.log if e.message.kind is Kind.CLIENT_HELLO]
    assert len(hellos) == 2
    assert seen == hellos


def test_a_refused_command_changes_nothing() -> None:
    wire = _renegotiated_wire()
    server = wire.server
    before = _snapshot(server)
    refusal = wire.command(Role.SERVER, "request_certificate")  # TLS 1.2: no PHA (R-TLS-4)
    assert refusal is not None
    assert refusal.rule == "R-TLS-4"
    after = _snapshot(server)
    assert after.pop("refusals") == [*before.pop("refusals"), refusal]
    assert after == before


def test_a_message_sent_by_hand_keeps_the_writers_rule() -> None:
    # Wire.send is public: what a caller got from handle() goes out with its rules.
    server = TlsConnection.server(ServerConfig(personality=OPENSSL))
    client = TlsConnection.client(ClientConfig(personality=OPENSSL))
    wire = Wire(client, server)
    hello = client.handle(Event.START)
    assert [rule for _, rule in hello] == ["RFC8446-4.1.1"]
    wire.send(Role.CLIENT, hello)
    wire.pump()
    first = wire.log[0]
    assert isinstance(first, WireEvent)
    assert first.message.kind is Kind.CLIENT_HELLO
    assert first.rule == client.transcript[0].rule
    assert server.connected
    assert client.connected


# --- ends that keep no transcript --------------------------------------------------------------
_ACTIONS = tuple(_driver_actions())


@settings(max_examples=150)
@given(
    setup=st.sampled_from(SETUPS),
    path=st.lists(st.sampled_from(_ACTIONS), max_size=40),
)
def test_an_end_without_a_transcript_does_and_decides_the_same(
    setup: Setup, path: list[tuple[object, ...]]
) -> None:
    """``transcript=False`` only stops an end keeping its own transcript: driven alike, two
    pairs — one with transcripts, one without — accept the same actions, put the same
    messages on the wire and end in the same states with the same errors."""
    kept, bare = Pair(setup), Pair(setup, transcript=False)
    for action in path:
        assert kept.act(action) == bare.act(action)
        assert list(kept.queue) == list(bare.queue)
        for role in Role:
            one, two = kept.end(role), bare.end(role)
            assert (one.state, one.version, one.alpn, one.handshakes, one.peer_certificate) == (
                two.state,
                two.version,
                two.alpn,
                two.handshakes,
                two.peer_certificate,
            )
            assert repr(one.error) == repr(two.error)
    for role in Role:
        assert bare.end(role).records is None
        with pytest.raises(ValueError, match="transcript=False"):
            _ = bare.end(role).transcript
