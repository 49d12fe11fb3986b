"""What each end is set up to do: the configuration values of the TLS layer.

Plain frozen values and the small enums they use.  A ``None`` field means "the
personality's default"; :class:`~httpsys_sim.tls.TlsConnection` resolves those once, when
it is built.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.tls._messages import CertState
from httpsys_sim.tls._personality import Personality
from httpsys_sim.tls._vocabulary import AlertLevel, TlsVersion

__all__ = [
    "REQUEST_AT_CHOICES",
    "CertRequest",
    "CertRequestedHow",
    "ClientConfig",
    "RenegotiationAnswer",
    "Role",
    "ServerConfig",
    "check_request_at",
    "parse_request_at",
]


class Role(ReprStrEnum):
    """Which end of the connection a machine plays."""

    CLIENT = "client"
    SERVER = "server"


class CertRequest(ReprStrEnum):
    """Whether the server asks for a client certificate and insists on one."""

    NONE = "none"
    OPTIONAL = "optional"  #: ask; carry on without one
    REQUIRED = "required"  #: ask; a stack with ``fail_on_missing_cert`` fails without one


class CertRequestedHow(ReprStrEnum):
    """When a server asks for the client's certificate, and how the request reached the client.

    One vocabulary for both sides: a server's plan (``server.request_at``,
    docs/formats.md#tls-json — any member but :attr:`NONE`) and a result's ``cert_requested``
    (what actually happened, :attr:`NONE` when no CertificateRequest was sent).
    """

    NONE = "none"  #: no CertificateRequest was sent
    HANDSHAKE = "handshake"  #: CertificateRequest in the initial handshake
    RENEGOTIATION = "renegotiation"  #: TLS 1.2 HelloRequest, then a new handshake
    POST_HANDSHAKE = "post_handshake"  #: TLS 1.3 post-handshake authentication


_NOT_REQUESTED = CertRequestedHow.NONE  # bound once: docs/architecture.md#speed

#: The values a server's ``request_at`` may take: every way of asking, not "none".
REQUEST_AT_CHOICES: tuple[CertRequestedHow, ...] = (
    CertRequestedHow.HANDSHAKE,
    CertRequestedHow.POST_HANDSHAKE,
    CertRequestedHow.RENEGOTIATION,
)


def check_request_at(_instance: object, _attribute: object, value: CertRequestedHow) -> None:
    if value is _NOT_REQUESTED:
        raise ValueError("request_at names when to ask: handshake, post_handshake or renegotiation")


def parse_request_at(text: str) -> CertRequestedHow:
    """A ``request_at`` value from its JSON spelling; ``"none"`` is not one."""
    value = CertRequestedHow(text)
    if value not in REQUEST_AT_CHOICES:
        raise ValueError(text)
    return value


class RenegotiationAnswer(ReprStrEnum):
    """A client's answer to HelloRequest (R-TLS-1)."""

    ACCEPT = "accept"
    REFUSE = "refuse"  #: answer ``no_renegotiation`` (level per stack or profile)
    IGNORE = "ignore"  #: say nothing


#: Every version, highest first: the order a configuration keeps its versions in.
_HIGHEST_FIRST = tuple(sorted(TlsVersion, key=lambda v: v.rank, reverse=True))
#: Every tuple of versions already highest first with each version once (2⁴ of them), each
#: mapped to itself: what the converter gives back for it.
_IN_ORDER: Mapping[tuple[TlsVersion, ...], tuple[TlsVersion, ...]] = MappingProxyType(
    {
        chosen: chosen
        for size in range(len(_HIGHEST_FIRST) + 1)
        for chosen in itertools.combinations(_HIGHEST_FIRST, size)  # keeps the order
    }
)


def _versions(value: Sequence[TlsVersion]) -> tuple[TlsVersion, ...]:
    """``value`` highest first, each version once."""
    if type(value) is tuple:
        known = _IN_ORDER.get(value)
        if known is not None:  # already in order: the members themselves
            return known
    chosen = set(value)
    unknown = chosen.difference(_HIGHEST_FIRST)
    if unknown:
        raise ValueError(f"not TLS versions: {', '.join(sorted(map(repr, unknown)))}")
    return tuple([v for v in _HIGHEST_FIRST if v in chosen])


@attrs.frozen(kw_only=True, cache_hash=True)
class ServerConfig:
    """What a server end is set up to do."""

    personality: Personality
    versions: tuple[TlsVersion, ...] = attrs.field(
        default=(TlsVersion.TLS13, TlsVersion.TLS12), converter=_versions
    )
    alpn: tuple[str, ...] = ()  #: supported ALPN ids in server preference order
    cert_request: CertRequest = CertRequest.NONE
    request_at: CertRequestedHow = attrs.field(
        default=CertRequestedHow.HANDSHAKE, validator=check_request_at
    )
    #: ``None`` → the personality's default.
    resumption_on_renegotiation: bool | None = None
    #: ``None`` → the personality's default.
    allow_client_renegotiation: bool | None = None
    #: The server may start a renegotiation at all (Schannel ``DisableRenegoOnServer`` = 0).
    renegotiation_enabled: bool = True
    #: Renegotiate with peers that lack RFC 5746 (Schannel ``AllowInsecureRenegoClients``).
    allow_insecure_renegotiation: bool = False


@attrs.frozen(kw_only=True, cache_hash=True)
class ClientConfig:
    """What a client end is set up to do."""

    personality: Personality
    versions: tuple[TlsVersion, ...] = attrs.field(
        default=(TlsVersion.TLS13, TlsVersion.TLS12), converter=_versions
    )
    alpn: tuple[str, ...] = ()  #: offered ALPN ids in preference order
    certificate: CertState = CertState.NONE
    post_handshake_auth: bool = False  #: offer extension 49
    renegotiation: RenegotiationAnswer = RenegotiationAnswer.ACCEPT
    #: Answer when the connection negotiated h2 (``None`` → same as ``renegotiation``).
    renegotiation_h2: RenegotiationAnswer | None = None
    #: Level of ``no_renegotiation`` (``None`` → the personality's).
    refusal_level: AlertLevel | None = None
    secure_renegotiation: bool = True  #: offer RFC 5746
    #: Send a non-empty legacy_session_id in TLS 1.3 (``None`` → the personality's).
    middlebox_compat: bool | None = None
    #: End the connection at a CertificateRequest, without answering, to ask the user (or a
    #: policy) which certificate to send; the caller repeats on a new connection (R-CLI-16).
    asks_user_for_certificate: bool = False
