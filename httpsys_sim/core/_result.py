"""The output of a simulation: typed outcomes, connections, cited steps
(docs/formats.md#result-json).

Every value is frozen.  :class:`Result` renders itself as the result JSON document, as text
(outcome first, then the story), Markdown and a Mermaid sequence diagram.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.catalogue._rules import Confidence, get_rule
from httpsys_sim.tls import CertRequestedHow, CertState, Role, WireEvent
from httpsys_sim.windows._hosts import APP_HOSTS, AppValue, host_wants_certificate
from httpsys_sim.windows._iis import CertPolicy, cert_policy

if TYPE_CHECKING:
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.windows._hosts import AppObservation

__all__ = [
    "Actor",
    "Alternative",
    "ConnectionRecord",
    "ConnectionReset",
    "Http2Error",
    "HttpResponse",
    "IisLogLine",
    "Layer",
    "NoCommonProtocol",
    "Outcome",
    "OutcomeKind",
    "Result",
    "Step",
    "StepRow",
    "StepText",
    "Timeout",
    "TlsAlert",
    "Trace",
    "WireSteps",
    "hresult_of",
    "typed_step",
]


class OutcomeKind(ReprStrEnum):
    """What the user ends up with (docs/formats.md#result-json, ``outcome.kind``)."""

    HTTP_RESPONSE = "http_response"
    CONNECTION_RESET = "connection_reset"
    TLS_ALERT = "tls_alert"
    HTTP2_ERROR = "http2_error"
    NO_COMMON_PROTOCOL = "no_common_protocol"
    TIMEOUT = "timeout"


def hresult_of(win32_status: int) -> str | None:
    """``0x%08X`` HRESULT of a logged win32 status: ``5`` → ``0x80070005``; ``0`` → None.

    Values that already are HRESULTs (≥ 0x80000000, e.g. 0x800B0109) are kept.
    """
    if win32_status == 0:
        return None
    value = win32_status if win32_status >= 0x80000000 else 0x80070000 | (win32_status & 0xFFFF)
    return f"0x{value:08X}"


#: The confidences below ``documented``, least certain first.
_LESS_CERTAIN = (Confidence.INFERRED, Confidence.REPORTED)
_DOCUMENTED = Confidence.DOCUMENTED  # bound once: docs/architecture.md#speed


def weakest(*levels: Confidence) -> Confidence:
    """The least certain of ``levels`` (documented < reported < inferred)."""
    for level in _LESS_CERTAIN:
        if level in levels:
            return level
    return _DOCUMENTED


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
        """The ``outcome.kind`` of docs/formats.md#result-json."""
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
        """The ``outcome`` object of docs/formats.md#result-json."""
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
        (403, 12): "mapper denied access",
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
        if sub and (self.status != 500 or self.module):  # a bare 500 is not IIS Web Core's
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


class _Label(ReprStrEnum):
    """A string enum that prints and formats as its value (``tls``, ``http.sys``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Layer(_Label):
    """Where a step happens."""

    CONFIG = "config"  #: the configuration the run starts from
    CLIENT = "client"  #: the client's own decisions (retries, offers)
    TCP = "tcp"  #: connections opened and reset
    TLS = "tls"  #: handshakes, messages, alerts
    HTTP = "http"  #: requests, stream resets, responses
    IIS = "iis"  #: IIS's access check and verdict
    APP = "app"  #: what the ASP.NET Core application observes


class Actor(_Label):
    """Who acts in a step."""

    CLIENT = "client"
    HTTP_SYS = "http.sys"
    IIS = "IIS"
    IIS_EXPRESS = "IIS Express"
    ANCM = "ASP.NET Core Module"
    HTTPSYS_SERVER = "HTTP.sys server"
    KESTREL = "Kestrel"
    WINDOWS = "Windows"
    APPLICATION = "application"


#: value → member, for the cheapest conversion of the strings the engine passes.
_LAYERS: Mapping[str, Layer] = MappingProxyType({m.value: m for m in Layer})
_ACTORS: Mapping[str, Actor] = MappingProxyType({m.value: m for m in Actor})


def _layer(value: str) -> Layer:
    return _LAYERS[value]


def _actor(value: str) -> Actor:
    return _ACTORS[value]


@attrs.frozen
class Step:
    """One thing that happened, with the rule that says so."""

    layer: Layer = attrs.field(converter=_layer)
    actor: Actor = attrs.field(converter=_actor)
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
        """A step object of docs/formats.md#result-json."""
        return {
            "layer": self.layer,
            "actor": self.actor,
            "event": self.event,
            "rule": self.rule,
            "sources": list(self.sources),
            "confidence": self.confidence.value,
            "connection": self.connection,
        }


#: A step's text as the engine records it: the text itself, or ``(write, args)`` — the
#: function that writes it and its arguments, called only when the step is first read
#: (docs/architecture.md#speed).  The arguments are frozen values, so the pair is too.
StepText = str | tuple[Callable[..., str], tuple[Any, ...]]

#: A step as the engine records it: ``(layer, actor, text, rule, connection, key)`` —
#: :class:`Step`'s first six arguments, the text perhaps still to be written.
StepRow = tuple[str, str, StepText, str, "int | None", bool]

_CLIENT = Role.CLIENT

#: What a TLS wire step adds to the message's label: ``(encrypted, delivered)`` → text.
_WIRE_NOTES: Mapping[tuple[bool, bool], str] = MappingProxyType(
    {
        (True, True): " (encrypted)",
        (False, True): " (in the clear)",
        (True, False): " (encrypted) (never read: the other end had gone)",
        (False, False): " (in the clear) (never read: the other end had gone)",
    }
)


class WireSteps:
    """The TLS messages of one part of an exchange, as the wire recorded them.

    :meth:`steps` types them as :class:`Step` values of a connection, once per connection
    index: an exchange a sweep reuses shares its typed steps between results (they are frozen).
    """

    __slots__ = ("_typed", "records")

    def __init__(self, records: tuple[WireEvent, ...]) -> None:
        self.records = records
        self._typed: dict[int | None, tuple[Step, ...]] = {}

    def steps(self, connection: int | None) -> tuple[Step, ...]:
        """The messages as steps of connection ``connection``."""
        typed = self._typed.get(connection)
        if typed is None:
            typed = tuple([_wire_step(record, connection) for record in self.records])
            self._typed[connection] = typed
        return typed


def _wire_step(record: WireEvent, connection: int | None) -> Step:
    sender, message, delivered, rule = record
    label = message.label()
    encrypted = message.encrypted
    # Positional: layer, actor, event, rule, connection, key, message, encrypted, delivered.
    return Step(
        "tls",
        "client" if sender is _CLIENT else "http.sys",
        label + _WIRE_NOTES[encrypted, delivered],
        rule,
        connection,
        False,
        label,
        encrypted,
        delivered,
    )


def typed_step(row: StepRow) -> Step:
    """The :class:`Step` a recorded row stands for (its text written now if it was put off)."""
    layer, actor, text, rule, connection, key = row
    if not isinstance(text, str):
        write, args = text
        text = write(*args)
    return Step(layer, actor, text, rule, connection, key)


class Trace:
    """A result's steps as the engine recorded them, typed on first read.

    An entry is a :data:`StepRow`, or ``(WireSteps, connection)`` for the messages of one
    part of a TLS exchange; the engine hands over the list it recorded them in, which no one
    else keeps.  ``step`` turns a row into its :class:`Step` (a sweep passes one
    that shares the step of each distinct row).  Traces compare, hash and pickle as their
    typed steps, however they were recorded.
    """

    __slots__ = ("_entries", "_step", "_steps")

    def __init__(
        self,
        entries: Sequence[StepRow | tuple[WireSteps, int | None]] = (),
        step: Callable[[StepRow], Step] = typed_step,
        *,
        steps: tuple[Step, ...] | None = None,
    ) -> None:
        self._entries = entries
        self._steps = steps
        self._step = step

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in order (built on first read, then kept)."""
        steps = self._steps
        if steps is None:
            out: list[Step] = []
            step = self._step
            for entry in self._entries:
                if len(entry) == 2:
                    wire, connection = entry
                    out += wire.steps(connection)
                else:
                    out.append(step(entry))
            steps = self._steps = tuple(out)
            self._entries = ()  # typed: the rows are no longer needed
        return steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return self.steps == other.steps

    def __hash__(self) -> int:
        return hash(self.steps)

    def __repr__(self) -> str:
        return f"Trace(steps={self.steps!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _typed_trace, (self.steps,)


def _typed_trace(steps: Trace | Sequence[Step]) -> Trace:
    """A trace of typed steps (what ``Result(steps=...)`` and ``attrs.evolve`` pass)."""
    return steps if isinstance(steps, Trace) else Trace(steps=tuple(steps))


@attrs.frozen(kw_only=True, slots=False)  # built by every simulate(): see Result
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
        """A connection object of docs/formats.md#result-json."""
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


@attrs.frozen(kw_only=True, slots=False)  # built by every simulate(): see Result
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


# Without slots, as the connection records and the log line above: a frozen attrs class with
# slots sets each field through ``object.__setattr__`` in its ``__init__``, one call a field;
# without them it writes the instance's ``__dict__``.  Every simulation builds one result, in
# about 60 % of the time that way (docs/architecture.md#speed).
@attrs.frozen(kw_only=True, repr=False, slots=False)
class Result:
    """Everything :func:`~httpsys_sim.simulate` found out about one scenario."""

    scenario: Scenario
    outcome: Outcome
    connections: tuple[ConnectionRecord, ...]
    #: ``steps=`` in the constructor: typed steps, or a :class:`Trace` as the engine recorded
    #: it; :attr:`steps` reads them.
    _trace: Trace = attrs.field(alias="steps", converter=_typed_trace)
    iis_log: IisLogLine | None
    certificate_reached_app: bool
    #: http.sys HTTPERR reason phrase, where the model knows one (R-IIS-6).
    httperr: str | None = None
    #: The client certificate IIS received and judged (None: none reached IIS).
    iis_certificate: CertState | None = None
    #: ASP.NET Core hosts: what the application observed when it asked for the certificate
    #: (None for IIS and IIS Express; docs/concepts.md#hosts).
    app_observed: AppObservation | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in order, each citing its rule (typed on first read, then kept)."""
        return self._trace.steps

    def __repr__(self) -> str:
        """Python that rebuilds this result (the engine is deterministic), and its outcome."""
        return f"simulate({self.scenario!r})  # → {self.outcome.short()}: {self.outcome.describe()}"

    def __str__(self) -> str:
        """The report: the outcome, the story step by step, the doubts."""
        from httpsys_sim.views._text import result_text

        return result_text(self)

    # --- explanations --------------------------------------------------------------
    def why(self) -> tuple[Step, ...]:
        """The causal chain: the key steps, in order."""
        return tuple(s for s in self.steps if s.key)

    def explain(self) -> str:
        """Why this outcome, in plain words, each link with its rule and sources."""
        lines = [f"Outcome: {self.outcome.describe()} [{self.outcome.rule}]"]
        if self.outcome.client_error:
            lines.append(f"The client shows: {self.outcome.client_error}")
        if self.app_observed is not None:
            lines.append(f"The application observes: {self.app_observed.describe()}")
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

    # --- JSON ----------------------------------------------------------------------
    def to_dict(self, *, fixes: Sequence[Fix] = ()) -> dict[str, Any]:
        """The result document (docs/formats.md#result).  A value never runs the engine, so
        the remedies come in: ``result.to_dict(fixes=hs.find_fixes(result))``."""
        from httpsys_sim.schemas import header

        return {
            **header("result"),
            "outcome": self.outcome.to_dict(),
            "certificate_reached_app": self.certificate_reached_app,
            "connections": [c.to_dict() for c in self.connections],
            "iis_log": None if self.iis_log is None else self.iis_log.to_dict(),
            "httperr": self.httperr,
            "iis_certificate": None if self.iis_certificate is None else self.iis_certificate.value,
            "app_observed": None if self.app_observed is None else self.app_observed.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "explanation": self.explain(),
            "fixes": [f.title for f in fixes],
            "fix_details": [f.to_dict() for f in fixes],
            "scenario": self.scenario.to_dict(),
        }

    def to_json(self, *, fixes: Sequence[Fix] = ()) -> str:
        """Deterministic JSON (byte-identical for identical input)."""
        return json.dumps(self.to_dict(fixes=fixes), indent=2, ensure_ascii=False) + "\n"

    # --- one-line hooks into views/ -----------------------------------------------
    def to_text(self, *, fixes: Sequence[Fix] = (), width: int | None = None) -> str:
        """The report (what ``print(result)`` shows), with the remedies passed in
        (``hs.find_fixes(result)``); lines wrap at ``width`` columns when given."""
        from httpsys_sim.views._text import result_text

        return result_text(self, fixes=fixes, width=width)

    def to_markdown(self, *, fixes: Sequence[Fix] = ()) -> str:
        """Markdown: outcome, facts, causal chain, steps with sources, the sequence diagram."""
        from httpsys_sim.views._markdown import result_markdown

        return result_markdown(self, fixes=fixes)

    def to_html(self, *, fixes: Sequence[Fix] = ()) -> str:
        """An HTML fragment (what a notebook shows), with the remedies passed in."""
        from httpsys_sim.views._html import result_html

        return result_html(self, fixes=fixes)

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import result_html

        return result_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import result_markdown

        return result_markdown(self)


class OutcomeCategory(ReprStrEnum):
    """What an outcome means for the user: the legend of every matrix and report."""

    #: 200: served (with the certificate when the client had one).
    OK = "ok"
    #: 200*: served, but the client's certificate never reached IIS or the application.
    NOCERT = "nocert"
    #: 403.x: IIS decided on the certificate (missing, untrusted, …).
    DENIED = "denied"
    #: 500.0 / 413: the certificate could not be fetched.
    ERROR = "error"
    #: Connection reset: no HTTP answer at all.
    RESET = "reset"
    #: TLS alert, HTTP/2 error, no common protocol, timeout.
    PROTOCOL = "protocol"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


#: The legend: each category's meaning, in display order.
CATEGORY_MEANINGS: Mapping[OutcomeCategory, str] = MappingProxyType(
    {
        OutcomeCategory.OK: "200: served (with the certificate when the client had one)",
        OutcomeCategory.NOCERT: (
            "200*: served, but the client's certificate never reached IIS or the application"
        ),
        OutcomeCategory.DENIED: "403.x: IIS decided on the certificate (missing, untrusted, …)",
        OutcomeCategory.ERROR: "500.0 / 413: the certificate could not be fetched",
        OutcomeCategory.RESET: "connection reset: no HTTP answer at all",
        OutcomeCategory.PROTOCOL: "TLS alert, HTTP/2 error, no common protocol, timeout",
    }
)


def is_failure(result: Result) -> bool:
    """Did the certificate exchange fail (as opposed to IIS deciding on a certificate)?

    A reset, an alert, an HTTP/2 error, a 500 or a 413 fail; so does any answer where the
    client held a certificate, the path wants one, and it never reached IIS (a 200 without
    it, or a 403.7 although the client had one).
    """
    outcome = result.outcome
    if outcome.status is None:
        return True
    if outcome.status in (500, 413):
        return True
    s = result.scenario
    if s.request.scheme == "http":
        return False
    has_cert = s.client.certificate is not CertState.NONE
    if s.server.host in APP_HOSTS:  # what counts is what the application observed
        return host_wants_certificate(s.server) and has_cert and not result.certificate_reached_app
    if outcome.status == 403 and result.iis_certificate is CertState.VALID:
        return True  # a valid certificate refused by a trust, revocation or mapping check
    wants = cert_policy(s.server.access_ssl_flags) is not CertPolicy.IGNORE
    return wants and has_cert and result.iis_certificate is None


def category(result: Result) -> OutcomeCategory:
    """The legend category of a result."""
    o = result.outcome
    if o.kind is OutcomeKind.CONNECTION_RESET:
        return OutcomeCategory.RESET
    if o.status is None:
        return OutcomeCategory.PROTOCOL
    if 200 <= o.status < 300:
        return OutcomeCategory.NOCERT if is_failure(result) else OutcomeCategory.OK
    if o.status == 403:
        return OutcomeCategory.DENIED
    return OutcomeCategory.ERROR


def cell_text(result: Result) -> str:
    """A short label: ``200``, ``200*`` (certificate never reached IIS), ``RESET``, ``500.0?``…"""
    star = "*" if category(result) is OutcomeCategory.NOCERT else ""
    return result.outcome.short() + star + ("?" if result.outcome.alternatives else "")


#: What an ASP.NET Core application observed, as a cell suffix (docs/concepts.md#hosts).
_APP_MARK: Mapping[AppValue, str] = MappingProxyType(
    {
        AppValue.CERTIFICATE: "cert",
        AppValue.NULL: "null",
        AppValue.EXCEPTION: "exc",
        AppValue.CONNECTION_GONE: "gone",
        AppValue.NOT_REACHED: "",
    }
)


def host_cell_text(result: Result) -> str:
    """:func:`cell_text`, then what the application observed: ``200 cert``, ``200 null``,
    ``500.0 exc``, ``RESET gone`` (the hosts matrix, docs/concepts.md#hosts)."""
    text = cell_text(result)
    observed = result.app_observed
    if observed is not None and _APP_MARK[observed.value]:
        text += " " + _APP_MARK[observed.value]
    return text
