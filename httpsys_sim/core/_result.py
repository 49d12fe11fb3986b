"""The output of a simulation: typed outcomes, connections, cited steps (contract §2.2).

Every value is frozen.  :class:`Result` renders itself as the §2.2 JSON document, as text
(outcome first, then the story), Markdown and a Mermaid sequence diagram.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Hashable, Mapping, MutableMapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim.catalogue._rules import Confidence, get_rule
from httpsys_sim.tls.machine import CertRequestedHow
from httpsys_sim.tls.messages import CertState, Message
from httpsys_sim.tls.wire import WireEvent

if TYPE_CHECKING:
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._scenario import Scenario

__all__ = [
    "Alternative",
    "ConnectionRecord",
    "ConnectionReset",
    "Http2Error",
    "HttpResponse",
    "IisLogLine",
    "NoCommonProtocol",
    "Outcome",
    "OutcomeKind",
    "Result",
    "Step",
    "Timeout",
    "TlsAlert",
    "Trace",
    "WireSteps",
    "hresult_of",
]


class OutcomeKind(str, enum.Enum):
    """What the user ends up with (contract §2.2 ``outcome.kind``)."""

    HTTP_RESPONSE = "http_response"
    CONNECTION_RESET = "connection_reset"
    TLS_ALERT = "tls_alert"
    HTTP2_ERROR = "http2_error"
    NO_COMMON_PROTOCOL = "no_common_protocol"
    TIMEOUT = "timeout"

    def __repr__(self) -> str:
        return f"OutcomeKind.{self.name}"


def hresult_of(win32_status: int) -> str | None:
    """``0x%08X`` HRESULT of a logged win32 status: ``5`` → ``0x80070005``; ``0`` → None.

    Values that already are HRESULTs (≥ 0x80000000, e.g. 0x800B0109) are kept.
    """
    if win32_status == 0:
        return None
    value = win32_status if win32_status >= 0x80000000 else 0x80070000 | (win32_status & 0xFFFF)
    return f"0x{value:08X}"


_ORDER = MappingProxyType(
    {Confidence.DOCUMENTED: 0, Confidence.REPORTED: 1, Confidence.INFERRED: 2}
)


def weakest(*levels: Confidence) -> Confidence:
    """The least certain of ``levels`` (documented < reported < inferred)."""
    return max(levels, key=_ORDER.__getitem__, default=Confidence.DOCUMENTED)


@attrs.frozen(kw_only=True)
class Alternative:
    """A plausible other outcome where a rule on the path is ``inferred``."""

    kind: OutcomeKind
    description: str
    rule: str
    status: int | None = None
    substatus: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind.value,
            "status": self.status,
            "substatus": self.substatus,
            "description": self.description,
            "rule": self.rule,
        }


@attrs.frozen(kw_only=True)
class Outcome:
    """What the client ends up with.  Subclasses add the kind's own fields."""

    #: The rule that decided the outcome.
    rule: str
    #: What the client shows its user (``ERR_CONNECTION_RESET``, curl's message, …).
    client_error: str | None = None
    #: The weakest confidence among the rules that decided the outcome.
    confidence: Confidence = Confidence.DOCUMENTED
    alternatives: tuple[Alternative, ...] = ()

    @property
    def kind(self) -> OutcomeKind:
        """The contract §2.2 kind."""
        raise NotImplementedError

    @property
    def status(self) -> int | None:
        """HTTP status, for responses."""
        return None

    @property
    def substatus(self) -> int | None:
        """IIS sub-status, for responses."""
        return None

    @property
    def win32_status(self) -> int | None:
        """The win32 status IIS logs, for responses."""
        return None

    @property
    def hresult(self) -> str | None:
        """The HRESULT IIS shows, for error responses."""
        return None

    def short(self) -> str:
        """A few characters for matrix cells: ``200``, ``500.0``, ``RESET``, …"""
        raise NotImplementedError

    def describe(self) -> str:
        """One line for people."""
        raise NotImplementedError

    @property
    def ok(self) -> bool:
        """IIS answered and did not fail the request (a 2xx response)."""
        return False

    def to_dict(self) -> dict[str, Any]:
        """The §2.2 ``outcome`` object."""
        return {
            "kind": self.kind.value,
            "status": self.status,
            "substatus": self.substatus,
            "win32_status": self.win32_status,
            "hresult": self.hresult,
            "client_error": self.client_error,
            "confidence": self.confidence.value,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "rule": self.rule,
            "summary": self.describe(),
        }


_REASONS = MappingProxyType(
    {
        200: "OK",
        403: "Forbidden",
        413: "Request Entity Too Large",
        500: "Internal Server Error",
    }
)

_SUB_TEXT = MappingProxyType(
    {
        (403, 4): "SSL required",
        (403, 7): "client certificate required",
        (403, 13): "client certificate revoked",
        (403, 16): "client certificate untrusted or invalid",
        (403, 17): "client certificate expired or not yet valid",
        (500, 0): "module IIS Web Core, ERROR_NOT_SUPPORTED",
    }
)


@attrs.frozen(kw_only=True)
class HttpResponse(Outcome):
    """IIS (or http.sys) answered with an HTTP status."""

    status: int
    substatus: int = 0
    win32_status: int = 0
    #: The IIS module named on the error page (``IIS Web Core``), if any.
    module: str | None = None

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.HTTP_RESPONSE

    @property
    def hresult(self) -> str | None:
        return hresult_of(self.win32_status)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def short(self) -> str:
        if self.status == 200:
            return "200"
        return f"{self.status}.{self.substatus}"

    def describe(self) -> str:
        text = f"HTTP {self.status}.{self.substatus} {_REASONS.get(self.status, '')}"
        sub = _SUB_TEXT.get((self.status, self.substatus))
        if sub:
            text += f" ({sub})"
        if self.hresult:
            text += f", {self.hresult}"
        return text.strip()


@attrs.frozen(kw_only=True)
class ConnectionReset(Outcome):
    """The TCP connection was cut (RST) before an HTTP answer."""

    by: str = "server"

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.CONNECTION_RESET

    def short(self) -> str:
        return "RESET"

    def describe(self) -> str:
        return f"connection reset by the {self.by}"


@attrs.frozen(kw_only=True)
class TlsAlert(Outcome):
    """The connection ended with a fatal TLS alert."""

    alert: str  #: e.g. ``fatal:no_renegotiation(100)``
    sent_by: str  #: ``client`` or ``server``

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.TLS_ALERT

    def short(self) -> str:
        return "ALERT"

    def describe(self) -> str:
        return f"TLS alert {self.alert} sent by the {self.sent_by}"


@attrs.frozen(kw_only=True)
class Http2Error(Outcome):
    """An HTTP/2 stream error the client did not recover from."""

    code: str = "HTTP_1_1_REQUIRED"
    error_code: int = 0xD

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.HTTP2_ERROR

    def short(self) -> str:
        return "H2ERR"

    def describe(self) -> str:
        return f"HTTP/2 stream reset with {self.code} (0x{self.error_code:x}), not retried"


@attrs.frozen(kw_only=True)
class NoCommonProtocol(Outcome):
    """Client and server share no TLS version: no handshake."""

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.NO_COMMON_PROTOCOL

    def short(self) -> str:
        return "NOPROTO"

    def describe(self) -> str:
        return "no TLS version in common: the handshake fails with protocol_version"


@attrs.frozen(kw_only=True)
class Timeout(Outcome):
    """Nothing happened until a timer fired."""

    seconds: int = 120

    @property
    def kind(self) -> OutcomeKind:
        return OutcomeKind.TIMEOUT

    def short(self) -> str:
        return "TIMEOUT"

    def describe(self) -> str:
        return f"no answer; timed out after {self.seconds} s"


@attrs.frozen
class Step:
    """One thing that happened, with the rule that says so."""

    layer: str  #: ``tcp``, ``tls``, ``http``, ``iis``, ``config``, ``client``
    actor: str  #: ``client``, ``http.sys``, ``IIS``, …
    event: str
    rule: str
    connection: int | None = None  #: index into :attr:`Result.connections`
    #: Part of the causal chain :meth:`Result.explain` tells.
    key: bool = False
    #: For TLS wire steps: the message label, whether it was encrypted, and whether the
    #: other end read it (drawn as arrows in sequence diagrams).
    message: str | None = None
    encrypted: bool = False
    delivered: bool = True

    @property
    def sources(self) -> tuple[str, ...]:
        """Source ids of :attr:`rule`."""
        return get_rule(self.rule).sources

    @property
    def confidence(self) -> Confidence:
        """Confidence of :attr:`rule`."""
        return get_rule(self.rule).confidence

    def to_dict(self) -> dict[str, Any]:
        """The §2.2 step object."""
        return {
            "layer": self.layer,
            "actor": self.actor,
            "event": self.event,
            "rule": self.rule,
            "sources": list(self.sources),
            "confidence": self.confidence.value,
            "connection": self.connection,
        }


#: What a TLS wire step adds to the message's label: ``(encrypted, delivered)`` → text.
_WIRE_NOTES: Mapping[tuple[bool, bool], str] = MappingProxyType(
    {
        (True, True): " (encrypted)",
        (False, True): " (in the clear)",
        (True, False): " (encrypted) (never read: the other end had gone)",
        (False, False): " (in the clear) (never read: the other end had gone)",
    }
)

#: One wire message as recorded: ``(sender, message, delivered, rule)``; the sender is the
#: ``client`` or ``server`` role.
WireRow = tuple[str, Message, bool, str]


class WireSteps:
    """The TLS wire steps of one exchange phase, recorded as plain rows.

    The typed :class:`Step` values are built once per connection index, on first use, and
    shared by every result that reuses the exchange (they are frozen).
    """

    __slots__ = ("_typed", "rows")

    def __init__(self, rows: tuple[WireRow, ...]) -> None:
        self.rows = rows
        self._typed: dict[int | None, tuple[Step, ...]] = {}

    def steps(self, connection: int | None) -> tuple[Step, ...]:
        """The rows as steps of connection ``connection``."""
        typed = self._typed.get(connection)
        if typed is None:
            typed = tuple(
                [
                    # Positional: layer, actor, event, rule, connection, key, message,
                    # encrypted, delivered.
                    Step(
                        "tls",
                        "client" if sender == "client" else "http.sys",
                        label + _WIRE_NOTES[encrypted, delivered],
                        rule,
                        connection,
                        False,
                        label,
                        encrypted,
                        delivered,
                    )
                    for sender, label, encrypted, delivered, rule in (
                        (s, m.label(), m.encrypted, d, r) for s, m, d, r in self.rows
                    )
                ]
            )
            self._typed[connection] = typed
        return typed


#: One recorded entry of a trace: a step as ``(layer, actor, event, rule, connection, key)``,
#: or a phase's wire steps on a connection as ``(WireSteps, connection)``.
TraceEntry = tuple[str, str, str, str, "int | None", bool] | tuple[WireSteps, "int | None"]


def _typed_trace(steps: tuple[Step, ...]) -> Trace:
    return Trace((), steps)


class Trace:
    """A result's steps as the engine recorded them; typed :class:`Step` values on demand.

    Equal when the steps are equal, however each trace was recorded.  ``shared`` (a sweep's
    bounded cache) lets traces of a sweep share the typed step of each distinct row.
    """

    __slots__ = ("_entries", "_shared", "_steps")

    def __init__(
        self,
        entries: tuple[TraceEntry, ...],
        steps: tuple[Step, ...] | None = None,
        shared: MutableMapping[Hashable, Step] | None = None,
    ):
        self._entries = entries
        self._steps = steps
        self._shared = shared

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in order (built on first access, then kept)."""
        steps = self._steps
        if steps is None:
            out: list[Step] = []
            shared = self._shared
            for entry in self._entries:
                if len(entry) == 2:
                    wire, connection = entry
                    out += wire.steps(connection)
                elif shared is None:
                    out.append(Step(*entry))
                else:
                    step = shared.get(entry)
                    if step is None:
                        step = shared[entry] = Step(*entry)
                    out.append(step)
            steps = self._steps = tuple(out)
            self._shared = None  # nothing more to share
        return steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return self.steps == other.steps

    def __hash__(self) -> int:
        return hash(self.steps)

    def __repr__(self) -> str:
        return f"Trace({self.steps!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _typed_trace, (self.steps,)


def _as_trace(value: Trace | tuple[Step, ...] | list[Step]) -> Trace:
    return value if isinstance(value, Trace) else Trace((), tuple(value))


@attrs.frozen(kw_only=True)
class ConnectionRecord:
    """One TCP (or QUIC) connection the client opened."""

    index: int
    transport: str  #: ``tcp`` or ``quic``
    tls_version: str | None  #: null when no handshake completed
    alpn: str | None
    cert_requested: CertRequestedHow
    #: How it ended: ``response``, ``reset``, ``http2_error:HTTP_1_1_REQUIRED``, …
    end: str
    wire: tuple[WireEvent, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The §2.2 connection object."""
        return {
            "tls_version": self.tls_version,
            "alpn": self.alpn,
            "cert_requested": self.cert_requested.value,
            "end": self.end,
            "transport": self.transport,
            "tls_messages": [
                ("C→S " if e.sender.value == "client" else "S→C ")
                + e.message.label()
                + (" (encrypted)" if e.message.encrypted else "")
                + ("" if e.delivered else " (not read)")
                for e in self.wire
            ],
        }


@attrs.frozen(kw_only=True)
class IisLogLine:
    """The W3C log fields IIS writes for the request (R-IIS-6)."""

    status: int
    substatus: int
    win32_status: int

    def to_dict(self) -> dict[str, int]:
        """``sc-status``, ``sc-substatus``, ``sc-win32-status``."""
        return {
            "sc-status": self.status,
            "sc-substatus": self.substatus,
            "sc-win32-status": self.win32_status,
        }


@attrs.frozen(kw_only=True, repr=False)
class Result:
    """Everything :func:`~httpsys_sim.simulate` found out about one scenario."""

    scenario: Scenario
    outcome: Outcome
    connections: tuple[ConnectionRecord, ...]
    #: The trace as recorded (``steps=`` in the constructor: typed steps or a :class:`Trace`);
    #: :attr:`steps` types it on first access.
    _trace: Trace = attrs.field(alias="steps", converter=_as_trace)
    iis_log: IisLogLine | None
    certificate_reached_app: bool
    #: http.sys HTTPERR reason phrase, where the model knows one (R-IIS-6).
    httperr: str | None = None
    #: The client certificate IIS received and judged (None: none reached IIS).
    iis_certificate: CertState | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in order (typed on first access, then kept)."""
        return self._trace.steps

    def __repr__(self) -> str:
        # Every field under its constructor name, the trace as its typed steps.
        fields = ", ".join(
            f"{f.alias}={self.steps if f.name == '_trace' else getattr(self, f.name)!r}"
            for f in attrs.fields(Result)
            if f.repr
        )
        return f"Result({fields})"

    # --- explanations --------------------------------------------------------------
    def why(self) -> tuple[Step, ...]:
        """The causal chain: the key steps, in order."""
        return tuple(s for s in self.steps if s.key)

    def explain(self) -> str:
        """Why this outcome, in plain words, each link with its rule and sources."""
        lines = [f"Outcome: {self.outcome.describe()} [{self.outcome.rule}]"]
        if self.outcome.client_error:
            lines.append(f"The client shows: {self.outcome.client_error}")
        lines.append("Because:")
        for n, step in enumerate(self.why(), 1):
            rule = get_rule(step.rule)
            lines.append(
                f"  {n}. {step.event} — {rule.id} ({rule.confidence.value}; "
                f"{', '.join(rule.sources)})"
            )
        if self.outcome.alternatives:
            lines.append(f"Confidence: {self.outcome.confidence.value}. Alternatives:")
            lines += [f"  - {a.description} [{a.rule}]" for a in self.outcome.alternatives]
        return "\n".join(lines)

    def fixes(self) -> tuple[Fix, ...]:
        """Remedies that, re-simulated, turn a failing outcome into success (best first)."""
        from httpsys_sim.core._fixes import find_fixes

        return find_fixes(self)

    # --- JSON ----------------------------------------------------------------------
    def to_dict(self, *, with_fixes: bool = True) -> dict[str, Any]:
        """The §2.2 document (``fixes`` re-simulates; pass ``with_fixes=False`` to skip)."""
        return {
            "outcome": self.outcome.to_dict(),
            "certificate_reached_app": self.certificate_reached_app,
            "connections": [c.to_dict() for c in self.connections],
            "iis_log": None if self.iis_log is None else self.iis_log.to_dict(),
            "httperr": self.httperr,
            "iis_certificate": None if self.iis_certificate is None else self.iis_certificate.value,
            "steps": [s.to_dict() for s in self.steps],
            "explanation": self.explain(),
            "fixes": [f.title for f in self.fixes()] if with_fixes else [],
            "fix_details": [f.to_dict() for f in self.fixes()] if with_fixes else [],
            "scenario": self.scenario.to_dict(),
        }

    def to_json(self, *, with_fixes: bool = True) -> str:
        """Deterministic JSON (byte-identical for identical input)."""
        return json.dumps(self.to_dict(with_fixes=with_fixes), indent=2, ensure_ascii=False) + "\n"

    # --- notebooks (httpsys_sim.views._display, imported lazily) ---------------------------------
    def _repr_html_(self) -> str:
        from httpsys_sim.views._display import result_html

        return result_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._display import result_markdown

        return result_markdown(self)
