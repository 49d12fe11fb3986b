"""Every state × every input of both TLS machines (h2's ``test_state_machines`` style).

How a connection is put into a state: :func:`tests.tls._driver.explore` searches, breadth
first, over what a real client/server pair can do — deliver the oldest message in flight,
or run a local command on either end — from each of the ``_driver.SETUPS``.  It keeps the
shortest path to every ``(role, state, signature)``, where the signature is the data beside
the state that guards read (a handshake done, a renegotiation running, the version).  Each
probe replays that path on a *fresh* pair, so every state is reached through a real message
sequence, never by assigning ``.state``; then it feeds one input to the end under test:

* a received message (a representative of the event, several where guards look inside the
  message: offered versions, the certificate, …) → either a listed row applied (the state is
  the row's ``next``, the messages written are exactly the row's emits under the conditions
  the configuration implies, the rule and the error kind are the row's), or — only where no
  row of the pair is unconditional — the connection is CLOSED with a
  :class:`RemoteProtocolError` after writing exactly ``alert fatal:unexpected_message(10)``
  (contract §4 item 11);
* a command → a listed row applied, or a refusal row raised :class:`LocalProtocolError` with
  nothing sent, or there is no row and :class:`LocalProtocolError` leaves everything as it was.

CLOSED is one of the states, so every input is also fed to every connection the search
closed (by an error, an alert or close()): each raises :class:`ConnectionClosedError` and
changes nothing (the connection is poisoned); a probe that ends in CLOSED checks the same.
Where guards read the personality alone (what to do with a refused renegotiation), the
``no_renegotiation`` probes are repeated under every policy.  Then the probes' rows are
counted: every row of both tables fires (a dead row would be a diagram edge that lies).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import attrs
import pytest

from httpsys_sim.catalogue._rules import RULES
from httpsys_sim.tls import (
    CLIENT_TABLE,
    OPENSSL,
    SCHANNEL,
    SERVER_TABLE,
    CertState,
    ClientConfig,
    Cond,
    ConnectionClosedError,
    Event,
    LocalProtocolError,
    Message,
    OnRefusedRenegotiation,
    Out,
    RemoteProtocolError,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    Transition,
    states_for,
    table_for,
)
from tests.tls._driver import (
    COMMANDS,
    SETUPS,
    Action,
    Pair,
    Setup,
    explore,
    representative_messages,
)

UNEXPECTED = "alert fatal:unexpected_message(10)"

Recipe = tuple[Setup, tuple[Action, ...]]


@functools.cache
def recipes() -> dict[tuple[Role, State], tuple[Recipe, ...]]:
    """Every (role, state) → the paths that reach it, from every setup."""
    found: dict[tuple[Role, State], list[Recipe]] = {}
    for setup in SETUPS:
        for (role, state, _signature), path in explore(setup).items():
            found.setdefault((role, state), []).append((setup, path))
    return {k: tuple(v) for k, v in found.items()}


def _rows(role: Role, state: State, event: Event) -> tuple[Transition, ...]:
    return tuple(r for r in table_for(role) if r.state is state and r.event is event)


def _unconditional(rows: Iterable[Transition]) -> bool:
    """Some row of the pair applies whatever the guards say."""
    return any(r.guard.value == "always" and r.refuse is None for r in rows)


# --------------------------------------------------------------------------------------
# What a row writes, from the configuration alone (an oracle independent of the engine)
# --------------------------------------------------------------------------------------

_FIXED = {
    Out.HELLO_REQUEST: "hello_request",
    Out.CLIENT_HELLO: "client_hello",
    Out.SERVER_HELLO: "server_hello",
    Out.ENCRYPTED_EXTENSIONS: "encrypted_extensions",
    Out.SERVER_CERTIFICATE: "certificate",
    Out.CLIENT_CERTIFICATE: "certificate",
    Out.SERVER_KEY_EXCHANGE: "server_key_exchange",
    Out.CERTIFICATE_REQUEST: "certificate_request",
    Out.SERVER_HELLO_DONE: "server_hello_done",
    Out.CERTIFICATE_VERIFY: "certificate_verify",
    Out.CLIENT_KEY_EXCHANGE: "client_key_exchange",
    Out.FINISHED: "finished",
    Out.CHANGE_CIPHER_SPEC: "change_cipher_spec",
    Out.TICKET_12: "new_session_ticket",
    Out.ALERT_PROTOCOL_VERSION: "alert fatal:protocol_version(70)",
    Out.ALERT_HANDSHAKE_FAILURE: "alert fatal:handshake_failure(40)",
    Out.ALERT_CERTIFICATE_REQUIRED: "alert fatal:certificate_required(116)",
    Out.ALERT_CLOSE_NOTIFY: "alert warning:close_notify(0)",
}
_VERIFY_FAILURE = {
    CertState.UNTRUSTED: "alert fatal:unknown_ca(48)",
    CertState.EXPIRED: "alert fatal:certificate_expired(45)",
}


def _condition(cond: Cond, conn: TlsConnection, handshakes: int, message: Message | None) -> bool:
    cfg = conn.config
    p = conn.personality
    if cond is Cond.ALWAYS:
        return True
    if cond is Cond.COMPAT_CCS:
        if isinstance(cfg, ServerConfig):  # echo the client's non-empty legacy_session_id
            return message is not None and message.compat_session_id
        return p.middlebox_compat if cfg.middlebox_compat is None else cfg.middlebox_compat
    if cond is Cond.HAS_CERT:
        assert isinstance(cfg, ClientConfig)
        return cfg.certificate is not CertState.NONE
    if cond is Cond.TICKET_12:
        assert isinstance(cfg, ServerConfig)
        resume = cfg.resumption_on_renegotiation
        resume = p.resumption_on_renegotiation if resume is None else resume
        return p.tls12_ticket and (handshakes == 0 or resume)
    if cond is Cond.TICKET_12_RESUMED:
        return p.tls12_ticket_on_resumption
    raise AssertionError(f"no oracle for condition {cond}")


def _expected(
    row: Transition, conn: TlsConnection, handshakes: int, msg: Message | None
) -> list[str]:
    """The labels ``row`` writes for this end, given its configuration and the input."""
    out: list[str] = []
    for emit in row.emits:
        if not _condition(emit.when, conn, handshakes, msg):
            continue
        if emit.out in _FIXED:
            out.append(_FIXED[emit.out])
        elif emit.out is Out.TICKETS_13:
            out += ["new_session_ticket"] * conn.personality.tls13_tickets
        elif emit.out is Out.TICKETS_AFTER_PHA:
            out += ["new_session_ticket"] * conn.personality.tickets_after_pha
        elif emit.out is Out.ALERT_BAD_CERTIFICATE:
            assert msg is not None
            out.append(_VERIFY_FAILURE.get(msg.cert, "alert fatal:bad_certificate(42)"))  # type: ignore[arg-type]
        elif emit.out is Out.ALERT_NO_RENEGOTIATION:
            level = getattr(conn.config, "refusal_level", None) or conn.personality.refusal_level
            out.append(f"alert {level.name.lower()}:no_renegotiation(100)")
        else:
            raise AssertionError(f"no oracle for {emit.out}")
    return out


# --------------------------------------------------------------------------------------
# One probe
# --------------------------------------------------------------------------------------


def _assert_poisoned(conn: TlsConnection, event: Event, message: Message | None) -> None:
    """An input after CLOSED raises ConnectionClosedError and changes nothing."""
    assert conn.closed
    length, error = len(conn.transcript), conn.error
    with pytest.raises(ConnectionClosedError):
        _feed(conn, event, message)
    assert conn.state is State.CLOSED
    assert len(conn.transcript) == length
    assert conn.error is error


_METHOD = {
    Event.START: "start",
    Event.RENEGOTIATE: "renegotiate",
    Event.REQUEST_CERTIFICATE: "request_certificate",
    Event.CLOSE: "close",
}


def _feed(conn: TlsConnection, event: Event, message: Message | None) -> list[Message]:
    """Run the command ``event``, or receive ``message``."""
    if message is not None:
        return conn.receive(message)
    out: list[Message] = getattr(conn, _METHOD[event])()
    return out


def _try(
    conn: TlsConnection, event: Event, message: Message | None
) -> list[Message] | LocalProtocolError:
    try:
        return _feed(conn, event, message)
    except LocalProtocolError as refusal:
        return refusal


def probe(recipe: Recipe, role: Role, event: Event, message: Message | None) -> Transition | None:
    """Feed one input to ``role`` in the state ``recipe`` reaches; check it; the row applied."""
    setup, path = recipe
    conn = Pair.replay(setup, path).end(role)
    state, handshakes = conn.state, conn.handshakes
    before = list(conn.transcript)
    rows = _rows(role, state, event)
    where = f"{setup.name}: {role.value} in {state.value} on {event.value}"
    if state is State.CLOSED:
        _assert_poisoned(conn, event, message)
        return None
    assert conn.error is None, where

    out = _try(conn, event, message)
    if isinstance(out, LocalProtocolError):
        assert message is None, f"{where}: receiving raised {out!r}"
        assert conn.state is state, where
        assert conn.transcript == before, f"{where}: a refused command wrote something"
        assert out.peer_observes == "nothing", where
        refused = [r for r in rows if r.refuse is not None and r.refuse == out.reason]
        if refused:
            assert out.rule == refused[0].rule, where
            return refused[0]
        assert not _unconditional(rows), f"{where}: refused although a row always applies"
        return None

    new = conn.transcript[len(before) :]
    assert conn.transcript[: len(before)] == before, where
    labels = [m.label() for m in out]
    assert [f"W {label}" for label in labels] == [e.label() for e in new if e.direction == "W"], (
        f"{where}: returned messages differ from the transcript"
    )
    if message is not None:
        assert new[0].direction == "R", where
        assert new[0].message == message, where
        assert new[0].state_before is state, where
    rule = new[0].rule if new else None

    applied = [
        r
        for r in rows
        if r.refuse is None
        and r.next is conn.state
        and (rule is None or r.rule == rule)
        and _expected(r, conn, handshakes, message) == labels
    ]
    if applied:
        row = applied[0]
        if row.error is not None:
            assert isinstance(conn.error, row.error), f"{where}: {conn.error!r}"
            assert conn.closed, where
        else:
            assert conn.error is None, f"{where}: {conn.error!r}"
        if row.next is State.CLOSED:
            _assert_poisoned(conn, Event.CLOSE, None)
        return row

    # No listed row: only a received message may get here, and only where every row is guarded.
    assert message is not None, f"{where}: a command did something no row lists: {labels}"
    assert not _unconditional(rows), f"{where}: wrote {labels}, which matches none of {rows}"
    assert conn.state is State.CLOSED, f"{where}: {conn.state}"
    assert isinstance(conn.error, RemoteProtocolError), f"{where}: {conn.error!r}"
    assert labels == [UNEXPECTED], f"{where}: {labels}"
    assert conn.error.peer_observes == UNEXPECTED
    _assert_poisoned(conn, event, message)
    return None


def _inputs(event: Event) -> tuple[Message | None, ...]:
    return (None,) if event.is_command else representative_messages(event)


def _with_policy(setup: Setup, policy: OnRefusedRenegotiation) -> Setup:
    def evolve(config: ClientConfig | ServerConfig) -> ClientConfig | ServerConfig:
        personality = attrs.evolve(config.personality, on_refused_renegotiation=policy)
        return attrs.evolve(config, personality=personality)

    return Setup(f"{setup.name}+{policy.value}", evolve(setup.client), evolve(setup.server))  # type: ignore[arg-type]


def _variants(recipe: Recipe, role: Role, event: Event) -> list[Recipe]:
    """The recipe, and for ``no_renegotiation`` the same path under each refusal policy (for
    a client's CertificateRequest, with a client that asks its user first).

    What an end does with a refused renegotiation depends on its personality alone (the
    REFUSED_* guards), so the alert is also tried under the policies no built-in stack has,
    wherever the same path still leads to the same state.
    """
    out = [recipe]
    setup, path = recipe
    if event is Event.R_CERTIFICATE_REQUEST and role is Role.CLIENT:
        # A client that asks its user first closes instead (R-CLI-16): the same path with
        # that client, wherever it still leads to the same state.
        state = Pair.replay(setup, path).end(role).state
        client = attrs.evolve(setup.client, asks_user_for_certificate=True)
        asking = Setup(f"{setup.name}+asks-user", client, setup.server)
        pair = Pair(asking)
        if all(pair.act(a) for a in path) and pair.end(role).state is state:
            out.append((asking, path))
        return out
    if event is not Event.R_ALERT_NO_RENEGOTIATION:
        return out
    state = Pair.replay(setup, path).end(role).state
    for policy in OnRefusedRenegotiation:
        variant = _with_policy(setup, policy)
        pair = Pair(variant)
        if all(pair.act(a) for a in path) and pair.end(role).state is state:
            out.append((variant, path))
    return out


_PROBED: dict[tuple[object, ...], Transition | None] = {}


def probed(recipe: Recipe, role: Role, event: Event, message: Message | None) -> Transition | None:
    """:func:`probe`, once per input (the row-coverage test reuses the results)."""
    key = (recipe[0].name, recipe[1], role, event, message)
    if key not in _PROBED:
        _PROBED[key] = probe(recipe, role, event, message)
    return _PROBED[key]


# --------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------

_CASES = [
    pytest.param(role, state, event, id=f"{role.value}-{state.name}-{event.name}")
    for role in Role
    for state in states_for(role)
    for event in Event
]


@pytest.mark.parametrize(("role", "state", "event"), _CASES)
def test_state_x_input(role: Role, state: State, event: Event) -> None:
    """One (state, input) of one machine, from every way the search reached the state."""
    reached = recipes().get((role, state), ())
    assert reached, f"{role.value}: no real message sequence reaches {state.value}"
    for recipe in reached:
        for variant in _variants(recipe, role, event):
            for message in _inputs(event):
                probed(variant, role, event, message)


@functools.cache
def dead_rows() -> tuple[str, ...]:
    """The rows no probe applied, as ``state --label--> next``."""
    fired: set[int] = set()
    for (role, _state), reached in recipes().items():
        for recipe in reached:
            for event in Event:
                for variant in _variants(recipe, role, event):
                    for message in _inputs(event):
                        row = probed(variant, role, event, message)
                        if row is not None:
                            fired.add(id(row))
    return tuple(
        f"{r.state.value} --{r.label()}--> {r.next.value}"
        for r in SERVER_TABLE + CLIENT_TABLE
        if id(r) not in fired
    )


def test_every_row_fires() -> None:
    """Between them, the probes apply every row of both tables: no row is dead."""
    assert dead_rows() == ()


def test_commands_of_the_driver_cover_every_command() -> None:
    """The search tries every command the tables know, on the role that has it."""
    for role in Role:
        in_table = {r.event for r in table_for(role) if r.event.is_command}
        assert in_table == {e for e in Event if e.is_command and _METHOD[e] in COMMANDS[role]}


# --- table sanity ---------------------------------------------------------------------------


def test_every_cited_rule_exists() -> None:
    """Contract §4 item 9 for the TLS layer: every row cites a catalogued rule."""
    missing = {r.rule for r in SERVER_TABLE + CLIENT_TABLE} - set(RULES)
    assert missing == set()
    for personality in (OPENSSL, SCHANNEL):
        assert set(personality.rules.values()) - set(RULES) == set()


@pytest.mark.parametrize("role", list(Role))
def test_every_state_reachable_from_start(role: Role) -> None:
    """Following the rows (whatever the guards), START reaches every state of the table."""
    table = table_for(role)
    reached = {State.START}
    frontier = [State.START]
    while frontier:
        state = frontier.pop()
        for row in table:
            if row.state is state and row.next not in reached:
                reached.add(row.next)
                frontier.append(row.next)
    assert set(states_for(role)) - reached == set()


@pytest.mark.parametrize("role", list(Role))
def test_every_state_reached_by_real_sequences(role: Role) -> None:
    """Stronger: a real pair reaches every state of both machines from the setups above."""
    assert {s for r, s in recipes() if r is role} == set(states_for(role))


@pytest.mark.parametrize("role", list(Role))
def test_every_live_state_can_end(role: Role) -> None:
    """close(), a fatal alert and close_notify are legal in every state of a live connection.

    CLOSED has no row at all; a client in START has no connection yet: it can only start().
    """
    table = table_for(role)
    for state in states_for(role):
        events = {r.event for r in table if r.state is state}
        if state is State.CLOSED:
            assert events == set()
        elif role is Role.CLIENT and state is State.START:
            assert events == {Event.START}
        else:
            assert {Event.CLOSE, Event.R_ALERT_FATAL, Event.R_ALERT_CLOSE_NOTIFY} <= events, state
