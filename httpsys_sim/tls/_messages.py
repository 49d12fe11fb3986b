"""TLS messages as frozen values, at the granularity the model needs.

A :class:`Message` is one handshake message, a ChangeCipherSpec or an alert, with the few
parameters that change what the peer does (offered versions, ALPN, ``post_handshake_auth``,
whether a Certificate is empty, …).  No bytes, no cryptography: the model is about who sends
what, when, and whether it travels encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.tls._vocabulary import AlertDescription, AlertLevel, TlsVersion

__all__ = ["CertState", "Kind", "Message", "alert"]


class Kind(ReprStrEnum):
    """What a message is; the value is its transcript name (docs/formats.md#tls-json)."""

    HELLO_REQUEST = "hello_request"
    CLIENT_HELLO = "client_hello"
    SERVER_HELLO = "server_hello"
    NEW_SESSION_TICKET = "new_session_ticket"
    END_OF_EARLY_DATA = "end_of_early_data"
    ENCRYPTED_EXTENSIONS = "encrypted_extensions"
    CERTIFICATE = "certificate"
    SERVER_KEY_EXCHANGE = "server_key_exchange"
    CERTIFICATE_REQUEST = "certificate_request"
    SERVER_HELLO_DONE = "server_hello_done"
    CERTIFICATE_VERIFY = "certificate_verify"
    CLIENT_KEY_EXCHANGE = "client_key_exchange"
    FINISHED = "finished"
    KEY_UPDATE = "key_update"
    CHANGE_CIPHER_SPEC = "change_cipher_spec"
    ALERT = "alert"


class CertState(ReprStrEnum):
    """The certificate an end holds (and would send when asked)."""

    VALID = "valid"  #: chains to a CA the server trusts, in date, not revoked
    NONE = "none"  #: the client has no suitable certificate: it sends an empty Certificate
    UNTRUSTED = "untrusted"  #: chains to a CA the server does not trust
    EXPIRED = "expired"  #: outside its validity period
    REVOKED = "revoked"  #: on the issuer's revocation list


@attrs.frozen(kw_only=True)
class Message:
    """One message on the wire.

    Only the fields that matter for its kind are set; the others keep their defaults.
    """

    kind: Kind
    #: Sent under the connection's current keys (R-TLS-7: renegotiation and all TLS 1.3
    #: messages after ServerHello travel encrypted; a TLS 1.2 initial handshake does not).
    encrypted: bool = False
    # --- client_hello ---------------------------------------------------------------
    versions: tuple[TlsVersion, ...] = ()  #: supported_versions, highest first
    alpn: tuple[str, ...] = ()  #: offered ALPN protocol ids (RFC 7301)
    post_handshake_auth: bool = False  #: extension 49 offered (RFC 8446 §4.2.6)
    secure_renegotiation: bool = False  #: renegotiation_info / SCSV offered (RFC 5746)
    session_offered: bool = False  #: a session (id or ticket) offered for resumption
    compat_session_id: bool = False  #: non-empty legacy_session_id (RFC 8446 Appendix D.4)
    renegotiation: bool = False  #: this ClientHello starts a renegotiation
    # --- server_hello -----------------------------------------------------------------
    version: TlsVersion | None = None  #: the negotiated version
    selected_alpn: str | None = None
    resumed: bool = False  #: abbreviated handshake (RFC 5246 §7.3, figure 2)
    # --- certificate ------------------------------------------------------------------
    cert: CertState | None = None  #: ``None`` or ``CertState.NONE`` = an empty Certificate
    # --- certificate_request ----------------------------------------------------------
    context: int = 0  #: certificate_request_context; 0 = empty (handshake), n = PHA round n
    # --- alert ------------------------------------------------------------------------
    level: AlertLevel | None = None
    description: AlertDescription | None = None

    @property
    def empty_certificate(self) -> bool:
        """A Certificate message that carries no certificate."""
        return self.kind is _CERTIFICATE and self.cert in (None, _NO_CERT)

    def label(self) -> str:
        """The transcript name: ``client_hello`` or ``alert fatal:unexpected_message(10)``."""
        if self.kind is _ALERT:
            assert self.level is not None
            assert self.description is not None
            return (
                f"alert {self.level.name.lower()}:{self.description.name.lower()}"
                f"({int(self.description)})"
            )
        return _LABELS[self.kind]


# Members read for every message, bound once (reading one through its enum class is slow on
# CPython 3.11: docs/architecture.md#speed).
_ALERT, _CERTIFICATE, _NO_CERT = Kind.ALERT, Kind.CERTIFICATE, CertState.NONE

#: Transcript names of the non-alert kinds (``Kind.value``, looked up without the enum).
_LABELS: Mapping[Kind, str] = MappingProxyType({k: str(k.value) for k in Kind})

#: Every alert, once per level, description and encryption (messages are frozen values).
_ALERTS: Mapping[tuple[AlertLevel, AlertDescription, bool], Message] = MappingProxyType(
    {
        (level, description, encrypted): Message(
            kind=Kind.ALERT, level=level, description=description, encrypted=encrypted
        )
        for level in AlertLevel
        for description in AlertDescription
        for encrypted in (False, True)
    }
)


def alert(level: AlertLevel, description: AlertDescription, *, encrypted: bool = False) -> Message:
    """An alert message."""
    return _ALERTS[level, description, bool(encrypted)]
