"""Run a client/server pair over the in-memory wire (`httpsys-sim tls`, docs/formats.md#tls-json).

:class:`TlsScenario` is the input document, :func:`run_tls` drives the two machines through
the initial handshake and the certificate request the scenario asks for, and
:class:`TlsTranscript` holds what each side wrote and read, in JSON, text and Mermaid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim.tls._config import (
    REQUEST_AT_CHOICES,
    CertRequest,
    CertRequestedHow,
    ClientConfig,
    RenegotiationAnswer,
    Role,
    ServerConfig,
    check_request_at,
    parse_request_at,
)
from httpsys_sim.tls._connection import TlsConnection
from httpsys_sim.tls._errors import TlsError
from httpsys_sim.tls._messages import CertState
from httpsys_sim.tls._personality import PERSONALITIES, Personality, get_personality
from httpsys_sim.tls._vocabulary import TlsVersion
from httpsys_sim.tls._wire import Wire, WireEvent

if TYPE_CHECKING:
    from httpsys_sim._jsonin import JsonSource

__all__ = ["SideTranscript", "TlsScenario", "TlsTranscript", "run_tls"]

_TLS_CERTS = (CertState.VALID, CertState.NONE, CertState.UNTRUSTED, CertState.EXPIRED)

#: Most times a server may ask on one connection (``server.rounds``).
MAX_ROUNDS = 16


def _rounds(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROUNDS:
        raise ValueError(f"rounds must be an integer from 1 to {MAX_ROUNDS}, not {value!r}")


@attrs.frozen(kw_only=True)
class TlsScenario:
    """The TLS-only setup (docs/formats.md#tls-json)."""

    stack: str = "openssl"  #: personality of both ends
    version: TlsVersion = TlsVersion.TLS13  #: the one version both ends enable
    alpn: tuple[str, ...] | None = None
    cert_request: CertRequest = CertRequest.NONE
    request_at: CertRequestedHow = attrs.field(
        default=CertRequestedHow.HANDSHAKE, validator=check_request_at
    )
    resumption_on_renegotiation: bool | None = None  #: ``None`` → the stack's default
    allow_client_renegotiation: bool | None = None  #: ``None`` → the stack's default
    certificate: CertState = CertState.VALID  #: the client's certificate
    post_handshake_auth: bool = False
    renegotiation: RenegotiationAnswer = RenegotiationAnswer.ACCEPT
    initiate_renegotiation: bool = False
    #: How many times the server asks later (post-handshake auth rounds, or renegotiations)
    #: on the same connection; more than one needs ``request_at`` other than ``handshake``.
    rounds: int = attrs.field(default=1, validator=_rounds)

    def __attrs_post_init__(self) -> None:
        if self.rounds > 1 and self.request_at is CertRequestedHow.HANDSHAKE:
            raise ValueError("rounds > 1 needs request_at post_handshake or renegotiation")

    @property
    def personality(self) -> Personality:
        """The personality named by :attr:`stack`."""
        return get_personality(self.stack)

    @classmethod
    def example(cls) -> TlsScenario:
        """The built-in example: TLS 1.3 post-handshake auth with a required certificate."""
        return cls(
            cert_request=CertRequest.REQUIRED,
            request_at=CertRequestedHow.POST_HANDSHAKE,
            post_handshake_auth=True,
        )

    # --- JSON --------------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes, *, filename: str = "<tls scenario>") -> TlsScenario:
        """Parse the document (docs/formats.md#tls-json); bad input raises ``InputError``."""
        from httpsys_sim._jsonin import load_json

        value, source = load_json(text, filename)
        return cls._read(value, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, filename: str = "<tls scenario>") -> TlsScenario:
        """Build from an already-parsed document (docs/formats.md#tls-json)."""
        from httpsys_sim._jsonin import load_mapping

        value, source = load_mapping(data, filename)
        return cls._read(value, source)

    @classmethod
    def _read(cls, value: object, source: JsonSource) -> TlsScenario:
        from httpsys_sim._jsonin import Fields

        top = Fields(value, "", source)
        stack = top.string("stack", "openssl")
        if stack not in PERSONALITIES:
            top.error("stack", f"unknown TLS stack {stack!r}", "one of " + ", ".join(PERSONALITIES))
        version = top.choice(
            "version", TlsVersion.parse, [v.value for v in TlsVersion], TlsVersion.TLS13
        )
        alpn_raw = top.raw("alpn")
        alpn: tuple[str, ...] | None = None
        if alpn_raw is not None:
            if not isinstance(alpn_raw, list) or not all(isinstance(p, str) for p in alpn_raw):
                top.error(
                    "alpn", "expected null or a list of protocol ids", 'e.g. ["h2", "http/1.1"]'
                )
            alpn = tuple(alpn_raw)
        server = top.obj("server")
        cert_request = server.choice(
            "cert_request", CertRequest, [c.value for c in CertRequest], CertRequest.NONE
        )
        request_at = server.choice(
            "request_at",
            parse_request_at,
            [r.value for r in REQUEST_AT_CHOICES],
            CertRequestedHow.HANDSHAKE,
        )
        resumption = server.opt_boolean("resumption_on_renegotiation")
        allow_client = server.opt_boolean("allow_client_renegotiation")
        rounds = server.integer("rounds", 1, minimum=1, maximum=MAX_ROUNDS)
        if rounds > 1 and request_at is CertRequestedHow.HANDSHAKE:
            server.error(
                "rounds",
                "a request in the handshake happens once",
                'set request_at to "post_handshake" or "renegotiation", or rounds to 1',
            )
        server.done()
        client = top.obj("client")
        certificate = client.choice(
            "certificate", CertState, [c.value for c in _TLS_CERTS], CertState.VALID
        )
        if certificate not in _TLS_CERTS:
            client.error(
                "certificate",
                f"{certificate.value!r} is not a TLS-layer certificate state",
                "one of " + ", ".join(c.value for c in _TLS_CERTS),
            )
        pha = client.boolean("post_handshake_auth", False)
        renegotiation = client.choice(
            "renegotiation",
            RenegotiationAnswer,
            [r.value for r in RenegotiationAnswer],
            RenegotiationAnswer.ACCEPT,
        )
        initiate = client.boolean("initiate_renegotiation", False)
        client.done()
        top.done()
        return cls(
            stack=stack,
            version=version,
            alpn=alpn,
            cert_request=cert_request,
            request_at=request_at,
            resumption_on_renegotiation=resumption,
            allow_client_renegotiation=allow_client,
            certificate=certificate,
            post_handshake_auth=pha,
            renegotiation=renegotiation,
            initiate_renegotiation=initiate,
            rounds=rounds,
        )

    def to_dict(self) -> dict[str, Any]:
        """The scenario document (docs/formats.md#tls-json)."""
        return {
            "stack": self.stack,
            "version": self.version.value,
            "alpn": None if self.alpn is None else list(self.alpn),
            "server": {
                "cert_request": self.cert_request.value,
                "request_at": self.request_at.value,
                "resumption_on_renegotiation": self.resumption_on_renegotiation,
                "allow_client_renegotiation": self.allow_client_renegotiation,
                "rounds": self.rounds,
            },
            "client": {
                "certificate": self.certificate.value,
                "post_handshake_auth": self.post_handshake_auth,
                "renegotiation": self.renegotiation.value,
                "initiate_renegotiation": self.initiate_renegotiation,
            },
        }

    def configs(self) -> tuple[ClientConfig, ServerConfig]:
        """The two ends' configurations."""
        personality = self.personality
        alpn = self.alpn or ()
        client = ClientConfig(
            personality=personality,
            versions=(self.version,),
            alpn=alpn,
            certificate=self.certificate,
            post_handshake_auth=self.post_handshake_auth,
            renegotiation=self.renegotiation,
        )
        server = ServerConfig(
            personality=personality,
            versions=(self.version,),
            alpn=alpn,
            cert_request=self.cert_request,
            request_at=self.request_at,
            resumption_on_renegotiation=self.resumption_on_renegotiation,
            allow_client_renegotiation=self.allow_client_renegotiation,
        )
        return client, server


@attrs.frozen(kw_only=True)
class SideTranscript:
    """What one end wrote and read, and how it ended."""

    role: Role
    messages: tuple[str, ...]  #: ``W client_hello`` … (docs/formats.md#tls-json)
    rules: tuple[str, ...]  #: the rule behind each message, index for index
    error: str | None
    cert_obtained: bool  #: server: holds a client certificate; client: always False

    def to_dict(self) -> dict[str, Any]:
        """The per-side object of the output document."""
        d: dict[str, Any] = {"messages": list(self.messages)}
        if self.role is Role.SERVER:
            d["cert_obtained"] = self.cert_obtained
        d["error"] = self.error
        return d


@attrs.frozen(kw_only=True)
class TlsTranscript:
    """Both ends' transcripts and the wire in between."""

    scenario: TlsScenario
    version: TlsVersion | None
    client: SideTranscript
    server: SideTranscript
    wire: tuple[WireEvent, ...]

    def to_dict(self) -> dict[str, Any]:
        """The output document (docs/formats.md#tls-json)."""
        return {
            **_header("tls-transcript"),
            "version": None if self.version is None else self.version.value,
            "server": self.server.to_dict(),
            "client": self.client.to_dict(),
        }

    def to_json(self) -> str:
        """Deterministic JSON of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def to_text(self) -> str:
        """A readable account: the wire in order, then how each side ended."""
        s = self.scenario
        lines = [
            f"TLS {self.version.value if self.version else '(none)'} · stack {s.stack} · "
            f"server cert_request={s.cert_request.value} at {s.request_at.value} · "
            f"client certificate={s.certificate.value}"
            + (f" · {s.rounds} rounds" if s.rounds > 1 else ""),
            "",
        ]
        width = max((len(e.message.label()) for e in self.wire), default=10)
        for event in self.wire:
            arrow = "client → server" if event.sender is Role.CLIENT else "client ← server"
            lock = "encrypted" if event.message.encrypted else "clear"
            note = "" if event.delivered else "   (not read: the other end had closed)"
            lines.append(
                f"  {arrow}  {event.message.label():<{width}}  {lock:<9}  [{event.rule}]{note}"
            )
        lines.append("")
        for side in (self.client, self.server):
            extra = f", cert_obtained={side.cert_obtained}" if side.role is Role.SERVER else ""
            lines.append(f"{side.role.value}: error={side.error or 'none'}{extra}")
        return "\n".join(lines) + "\n"

    def to_mermaid(self) -> str:
        """A Mermaid ``sequenceDiagram`` of the wire."""
        lines = ["sequenceDiagram", "    participant C as Client", "    participant S as Server"]
        for event in self.wire:
            src, dst = ("C", "S") if event.sender is Role.CLIENT else ("S", "C")
            arrow = "->>" if event.delivered else "-x"
            lock = " 🔒" if event.message.encrypted else ""
            lines.append(f"    {src}{arrow}{dst}: {event.message.label()}{lock}")
        for side, who in ((self.client, "C"), (self.server, "S")):
            if side.error:
                text = side.error.replace(";", ",").replace("#", "")
                lines.append(f"    Note over {who}: {text}")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import transcript_html

        return transcript_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import transcript_markdown

        return transcript_markdown(self)


def _error_text(conn: TlsConnection) -> str | None:
    err: TlsError | None = conn.error
    if err is None and conn.refusals:
        err = conn.refusals[-1]
    if err is None:
        return None
    return f"{err.code}: {err.reason} [{err.rule}]"


def _side(conn: TlsConnection) -> SideTranscript:
    return SideTranscript(
        role=conn.role,
        messages=tuple(e.label() for e in conn.transcript),
        rules=tuple(e.rule for e in conn.transcript),
        error=_error_text(conn),
        cert_obtained=conn.cert_obtained,
    )


#: The server's command for a request made after the handshake.
_LATER: Mapping[CertRequestedHow, str] = MappingProxyType(
    {
        CertRequestedHow.RENEGOTIATION: "renegotiate",
        CertRequestedHow.POST_HANDSHAKE: "request_certificate",
    }
)


def run_tls(scenario: TlsScenario) -> TlsTranscript:
    """Drive both ends through the scenario and return their transcripts.

    Order: the initial handshake; then, if the server asks later, its HelloRequest
    (TLS ≤ 1.2) or post-handshake CertificateRequest (TLS 1.3), ``rounds`` times while the
    connection lasts; then a client-initiated renegotiation if asked for.  A command a stack
    declines is reported as that side's error and nothing is sent (and it asks no more).
    """
    client_cfg, server_cfg = scenario.configs()
    client = TlsConnection.client(client_cfg)
    server = TlsConnection.server(server_cfg)
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    ask = _LATER.get(scenario.request_at)
    if ask is not None and scenario.cert_request is not CertRequest.NONE:
        for _ in range(scenario.rounds):
            if server.closed or wire.command(Role.SERVER, ask) is not None:
                break
    if scenario.initiate_renegotiation and not client.closed:
        wire.command(Role.CLIENT, "renegotiate")
    # The version the ServerHello settled, whether or not the handshake then completed.
    version = client.version or server.version
    return TlsTranscript(
        scenario=scenario,
        version=version,
        client=_side(client),
        server=_side(server),
        wire=tuple(wire.log),
    )


def _header(kind: str) -> dict[str, object]:
    """The document's ``format`` header (loaded on use: the TLS layer imports nothing else)."""
    from httpsys_sim.schemas import header

    return header(kind)
