"""Diagrams drawn from the transition tables themselves (never by hand).

:func:`state_machine_diagram` renders a TLS state machine as a Mermaid
``stateDiagram-v2`` or Graphviz DOT, edges labelled ``event [guard] / output``.  The rows
every live state shares (alerts, ``close()``) are folded into one note so the picture stays
readable; :data:`~httpsys_sim.tls.CLIENT_TABLE` and ``SERVER_TABLE`` hold them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from httpsys_sim.errors import InputError
from httpsys_sim.tls import (
    CLIENT_TABLE,
    SERVER_TABLE,
    Event,
    State,
    Transition,
)

__all__ = ["MACHINES", "machine_rows", "state_machine_diagram"]

_GENERIC = frozenset(
    {Event.R_ALERT_FATAL, Event.R_ALERT_CLOSE_NOTIFY, Event.CLOSE, Event.R_ALERT_WARNING}
)
_RENEG_WAITS = frozenset({State.S12_RENEG_WAIT_CH, State.C_WAIT_SH})

#: Diagram names → (table, state-name prefixes kept).
MACHINES: Mapping[str, tuple[tuple[Transition, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "tls12-client": (CLIENT_TABLE, ("START", "C_WAIT", "C12", "CLOSED")),
        "tls12-server": (SERVER_TABLE, ("START", "S12", "CLOSED")),
        "tls13-client": (CLIENT_TABLE, ("START", "C_WAIT", "C13", "CLOSED")),
        "tls13-server": (SERVER_TABLE, ("START", "S13", "CLOSED")),
        "client": (CLIENT_TABLE, ("",)),
        "server": (SERVER_TABLE, ("",)),
    }
)
_ALIASES: Mapping[str, str] = MappingProxyType({"tls12": "tls12-server", "tls13": "tls13-server"})


def _generic(row: Transition) -> bool:
    if row.event in _GENERIC:
        return True
    return row.event is Event.R_ALERT_NO_RENEGOTIATION and row.state not in _RENEG_WAITS


def machine_rows(name: str) -> tuple[Transition, ...]:
    """The rows drawn for the diagram ``name`` (see :data:`MACHINES`)."""
    key = _ALIASES.get(name, name)
    if key not in MACHINES:
        raise InputError(
            f"unknown state machine {name!r}",
            field="--state-machine",
            hint="one of " + ", ".join(MACHINES),
        )
    table, prefixes = MACHINES[key]

    def keep(state: State) -> bool:
        return state.name.startswith(prefixes) or state.value.startswith(prefixes)

    return tuple(r for r in table if not _generic(r) and keep(r.state) and keep(r.next))


def _label(row: Transition) -> str:
    text = row.label()
    for bad, good in ((":", " "), (";", ","), ("#", ""), ('"', "'")):
        text = text.replace(bad, good)
    return f"{text} ({row.rule})"


def _states(rows: Iterable[Transition]) -> list[State]:
    seen: dict[State, None] = {}
    for r in rows:
        seen.setdefault(r.state, None)
        seen.setdefault(r.next, None)
    return list(seen)


def state_machine_diagram(name: str, *, fmt: str = "mermaid") -> str:
    """The diagram of machine ``name`` as ``mermaid`` (stateDiagram-v2) or ``dot``."""
    rows = machine_rows(name)
    if fmt == "mermaid":
        lines = ["stateDiagram-v2", "    direction LR", "    [*] --> START"]
        for r in rows:
            lines.append(f"    {r.state.name} --> {r.next.name} : {_label(r)}")
        lines.append("    CLOSED --> [*]")
        lines.append(
            "    note right of CLOSED\n        from every live state: R alert fatal, "
            "R close_notify, close() lead here\n    end note"
        )
        return "\n".join(lines) + "\n"
    if fmt == "dot":
        title = _ALIASES.get(name, name)
        lines = [
            f'digraph "{title}" {{',
            "  rankdir=LR;",
            '  node [shape=box, style=rounded, fontname="Helvetica"];',
        ]
        for state in _states(rows):
            shape = ", shape=doublecircle" if state is State.CLOSED else ""
            lines.append(f'  "{state.name}" [label="{state.value}"{shape}];')
        for r in rows:
            lines.append(
                f'  "{r.state.name}" -> "{r.next.name}" [label="{_label(r)}", fontsize=9];'
            )
        lines.append(
            '  note [shape=note, label="from every live state: '
            'R alert fatal, R close_notify, close() → CLOSED"];'
        )
        lines.append("}")
        return "\n".join(lines) + "\n"
    raise InputError(f"unknown format {fmt!r}", field="--format", hint="mermaid or dot")
