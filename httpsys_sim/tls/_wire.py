"""An in-memory wire between a client and a server :class:`TlsConnection`.

Messages travel in the order they were written (one FIFO for both directions), so the
interleaving is deterministic.  A message that reaches an end which already closed is
dropped and logged as undelivered — the real peer would have stopped reading.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from httpsys_sim.tls._config import Role
from httpsys_sim.tls._connection import TlsConnection
from httpsys_sim.tls._errors import LocalProtocolError
from httpsys_sim.tls._messages import Kind, Message
from httpsys_sim.tls._rows import RECEIVED_BY_KIND, Event, State

__all__ = ["MAX_MESSAGES", "Wire", "WireEvent"]

#: Upper bound on messages one pump may carry (a guard against a table that loops).
MAX_MESSAGES = 500

_CLIENT, _SERVER, _CLOSED, _ALERT = Role.CLIENT, Role.SERVER, State.CLOSED, Kind.ALERT
_OF = Event.of
#: Builds a :class:`WireEvent` from its four fields in order, as ``WireEvent._make`` does: the
#: named tuple's own constructor is a Python function, about 1 600 machine instructions a
#: message more (docs/architecture.md#speed).
_tuple_new = tuple.__new__

#: The local commands by :class:`TlsConnection` method name.
_COMMANDS: Mapping[str, Event] = MappingProxyType(
    {
        "start": Event.START,
        "renegotiate": Event.RENEGOTIATE,
        "request_certificate": Event.REQUEST_CERTIFICATE,
        "close": Event.CLOSE,
    }
)


class WireEvent(NamedTuple):
    """One message on the wire: who sent it, and whether the other end read it.

    A named tuple: the wire logs each message as one, and a result's connections keep the
    very same values (:attr:`~httpsys_sim.ConnectionRecord.wire`)."""

    sender: Role
    message: Message
    delivered: bool
    #: The rule of the transition that wrote it.
    rule: str


class Wire:
    """Carries messages between two ends until neither has anything left to say."""

    def __init__(self, client: TlsConnection, server: TlsConnection) -> None:
        self.client = client
        self.server = server
        #: The log, appended as messages travel.
        self.records: list[WireEvent] = []
        #: What each end wrote and the other has yet to read: one entry per flight.
        self._queue: deque[tuple[Role, Sequence[tuple[Message, str]]]] = deque()

    @property
    def log(self) -> list[WireEvent]:
        """Every message that travelled, in order, and whether the other end read it."""
        return list(self.events())

    def events(self) -> tuple[WireEvent, ...]:
        """:attr:`log` as a tuple."""
        return tuple(self.records)

    def end(self, role: Role) -> TlsConnection:
        """The connection that plays ``role``."""
        return self.client if role is _CLIENT else self.server

    def send(self, sender: Role, written: Iterable[tuple[Message, str]]) -> None:
        """Put what ``sender`` wrote on the wire, in order: ``(message, rule)`` pairs as
        :meth:`TlsConnection.handle` returns them."""
        self._queue.append((sender, tuple(written)))

    def command(self, role: Role, name: str) -> LocalProtocolError | None:
        """Run a local command (``start``, ``renegotiate``, …) on ``role`` and pump.

        Returns the refusal when the stack declined the command (nothing was sent).
        """
        try:
            written = self.end(role).handle(_COMMANDS[name])
        except LocalProtocolError as refusal:
            # The refusal is kept as a value: without its traceback, which would tie it to
            # this frame (and the frame to it) until the garbage collector ran.
            return refusal.with_traceback(None)
        if written:
            self._queue.append((role, written))
        self.pump()
        return None

    def pump(self) -> None:
        """Deliver queued messages, and the answers they provoke, until the wire is quiet."""
        # One FIFO of flights; a flight's messages are read in order before the answers they
        # provoke, which join the end of the queue — the order of a FIFO of single messages.
        carried = 0
        queue = self._queue
        records = self.records
        while queue:
            sender, flight = queue.popleft()
            if sender is _CLIENT:
                receiver_role, receiver = _SERVER, self.server
            else:
                receiver_role, receiver = _CLIENT, self.client
            for message, rule in flight:
                carried += 1
                if carried > MAX_MESSAGES:  # pragma: no cover - would be a table bug
                    raise AssertionError("TLS wire did not go quiet")
                if receiver.state is _CLOSED:
                    records.append(_tuple_new(WireEvent, (sender, message, False, rule)))
                    continue
                records.append(_tuple_new(WireEvent, (sender, message, True, rule)))
                # Event.of(message), its one subscript written out: only an alert's event
                # depends on more than its kind (docs/architecture.md#speed).
                kind = message.kind
                event = RECEIVED_BY_KIND[kind] if kind is not _ALERT else _OF(message)
                answer = receiver.handle(event, message)
                if answer:
                    queue.append((receiver_role, answer))
