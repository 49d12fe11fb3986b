"""The machines' plain-tuple records and the values built from them.

Each end keeps ``records`` (what it wrote and read) and the wire keeps ``records`` (what
travelled); ``transcript``, ``log`` and ``events()`` are views built from them.  The rows run
from a pre-split form of the tables.  These tests pin the views to the records and the
pre-split rows to the tables, so the fast path cannot drift from the data it came from.
"""

from __future__ import annotations

import attrs
import pytest

from httpsys_sim.tls import (
    OPENSSL,
    SCHANNEL,
    ClientConfig,
    Kind,
    Role,
    ServerConfig,
    TlsConnection,
    TlsVersion,
    TraceEntry,
    Wire,
    WireEvent,
    machine,
)
from httpsys_sim.tls.machine import CertRequest, Guard, RequestAt
from httpsys_sim.tls.messages import CertState, Message


def _renegotiated_wire() -> Wire:
    """TLS 1.2, then a server-initiated renegotiation asking for a certificate."""
    server = TlsConnection.server(
        ServerConfig(
            personality=SCHANNEL,
            versions=(TlsVersion.TLS12,),
            alpn=("http/1.1",),
            cert_request=CertRequest.OPTIONAL,
            request_at=RequestAt.RENEGOTIATION,
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
            request_at=RequestAt.POST_HANDSHAKE,
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


def test_each_post_handshake_request_carries_its_own_context() -> None:
    # Only the in-handshake request has the empty context (0); PHA rounds count from 1.
    requests = [e.message for e in _pha_wire().log if e.message.kind is Kind.CERTIFICATE_REQUEST]
    assert [r.context for r in requests] == [1, 2]
    assert all(r.encrypted for r in requests)


@pytest.mark.parametrize(
    ("index", "compiled", "role"),
    [
        (machine._SERVER_INDEX, machine._SERVER_COMPILED, Role.SERVER),
        (machine._CLIENT_INDEX, machine._CLIENT_COMPILED, Role.CLIENT),
    ],
)
def test_pre_split_rows_are_the_table_rows(
    index: dict[object, tuple[machine.Transition, ...]],
    compiled: dict[object, tuple[machine._Compiled, ...]],
    role: Role,
) -> None:
    guards = machine._SERVER_GUARDS if role is Role.SERVER else machine._CLIENT_GUARDS
    assert set(compiled) == set(index)
    for key, rows in index.items():
        entries = compiled[key]
        assert [e[-1] for e in entries] == list(rows), key
        for guard, effects, emits, done, after, rule, special, row in entries:
            assert (guard is None) == (row.guard is Guard.ALWAYS)
            if guard is not None:
                assert guard is guards[row.guard]
            kept = [e for e in row.effects if e is not machine.Effect.HANDSHAKE_DONE]
            assert effects == tuple(machine._EFFECTS[e] for e in kept)
            assert done == (machine.Effect.HANDSHAKE_DONE in row.effects)
            assert [b for _, b in emits] == [machine._BUILDERS[e.out] for e in row.emits]
            assert (after, rule) == (row.next, row.rule)
            assert special == (row.refuse is not None or row.error is not None)


def test_a_message_sent_by_hand_keeps_the_writers_rule() -> None:
    # Wire.send is public: messages a caller got from a command go out with their rules.
    server = TlsConnection.server(ServerConfig(personality=OPENSSL))
    client = TlsConnection.client(ClientConfig(personality=OPENSSL))
    wire = Wire(client, server)
    hello = client.start()
    wire.send(Role.CLIENT, hello)
    wire.pump()
    first = wire.log[0]
    assert isinstance(first, WireEvent)
    assert first.message.kind is Kind.CLIENT_HELLO
    assert first.rule == client.transcript[0].rule
    assert server.connected
    assert client.connected
