"""The TLS vocabulary: versions, content types, handshake types, alerts and extensions.

Every code point carries the RFC (and section) that defines it, in :data:`REFERENCES`, so
a trace, a diagram or a notebook can say where a name comes from.  Values are the IANA
code points from the TLS registries.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from httpsys_sim._enum import ReprIntEnum, ReprStrEnum

__all__ = [
    "REFERENCES",
    "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    "TLS_FALLBACK_SCSV",
    "AlertDescription",
    "AlertLevel",
    "ContentType",
    "ExtensionType",
    "HandshakeType",
    "TlsVersion",
    "reference",
]


class TlsVersion(ReprStrEnum):
    """A protocol version, by the name users write (``"1.2"``) with its wire value."""

    TLS10 = "1.0"  #: RFC 2246
    TLS11 = "1.1"  #: RFC 4346
    TLS12 = "1.2"  #: RFC 5246
    TLS13 = "1.3"  #: RFC 8446

    @property
    def wire(self) -> int:
        """The two-byte ``ProtocolVersion`` value (0x0301 … 0x0304)."""
        return _VERSION_WIRE[self]

    @property
    def rank(self) -> int:
        """Order for "highest common version" comparisons (1.0 → 0 … 1.3 → 3)."""
        return _VERSION_RANK[self]

    @classmethod
    def parse(cls, text: str) -> TlsVersion:
        """``"1.2"``, ``"TLS1.2"``, ``"tls 1.2"`` → :attr:`TLS12`; raises ``ValueError``."""
        cleaned = text.strip().lower().replace("tls", "").replace("v", "").strip()
        for member in cls:
            if member.value == cleaned:
                return member
        raise ValueError(f"unknown TLS version {text!r}")


_VERSION_ORDER = (TlsVersion.TLS10, TlsVersion.TLS11, TlsVersion.TLS12, TlsVersion.TLS13)
_VERSION_RANK = MappingProxyType({v: i for i, v in enumerate(_VERSION_ORDER)})
_VERSION_WIRE = MappingProxyType(
    {
        TlsVersion.TLS10: 0x0301,
        TlsVersion.TLS11: 0x0302,
        TlsVersion.TLS12: 0x0303,
        TlsVersion.TLS13: 0x0304,
    }
)


class ContentType(ReprIntEnum):
    """Record-layer content types (RFC 5246 §6.2.1, RFC 8446 §5.1)."""

    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23


class HandshakeType(ReprIntEnum):
    """Handshake message types (RFC 5246 §7.4, RFC 8446 §4)."""

    HELLO_REQUEST = 0  #: TLS ≤ 1.2 only; not part of the transcript hash (RFC 5246 §7.4.1.1)
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    NEW_SESSION_TICKET = 4  #: RFC 5077 §3.3 (TLS 1.2), RFC 8446 §4.6.1 (TLS 1.3)
    END_OF_EARLY_DATA = 5
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE = 12
    CERTIFICATE_REQUEST = 13
    SERVER_HELLO_DONE = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE = 16
    FINISHED = 20
    KEY_UPDATE = 24
    MESSAGE_HASH = 254


class AlertLevel(ReprIntEnum):
    """Alert levels (RFC 5246 §7.2).  TLS 1.3 treats every error alert as fatal."""

    WARNING = 1
    FATAL = 2

    @property
    def label(self) -> str:
        """``warning`` or ``fatal``, as the JSON documents and alerts write it."""
        return self.name.lower()


class AlertDescription(ReprIntEnum):
    """Alert descriptions (RFC 5246 §7.2, RFC 8446 §6, RFC 7301 §3.2)."""

    CLOSE_NOTIFY = 0
    UNEXPECTED_MESSAGE = 10
    BAD_RECORD_MAC = 20
    RECORD_OVERFLOW = 22
    HANDSHAKE_FAILURE = 40
    BAD_CERTIFICATE = 42
    UNSUPPORTED_CERTIFICATE = 43
    CERTIFICATE_REVOKED = 44
    CERTIFICATE_EXPIRED = 45
    CERTIFICATE_UNKNOWN = 46
    ILLEGAL_PARAMETER = 47
    UNKNOWN_CA = 48
    ACCESS_DENIED = 49
    DECODE_ERROR = 50
    DECRYPT_ERROR = 51
    PROTOCOL_VERSION = 70
    INSUFFICIENT_SECURITY = 71
    INTERNAL_ERROR = 80
    INAPPROPRIATE_FALLBACK = 86
    USER_CANCELED = 90
    NO_RENEGOTIATION = 100  #: warning in RFC 5246 §7.2.2; BoringSSL sends it fatal
    MISSING_EXTENSION = 109
    UNSUPPORTED_EXTENSION = 110
    UNRECOGNIZED_NAME = 112
    BAD_CERTIFICATE_STATUS_RESPONSE = 113
    UNKNOWN_PSK_IDENTITY = 115
    CERTIFICATE_REQUIRED = 116  #: TLS 1.3 only (RFC 8446 §4.4.2.4)
    NO_APPLICATION_PROTOCOL = 120


class ExtensionType(ReprIntEnum):
    """The extensions the model speaks of (IANA "TLS ExtensionType Values")."""

    SERVER_NAME = 0
    STATUS_REQUEST = 5
    SUPPORTED_GROUPS = 10
    SIGNATURE_ALGORITHMS = 13
    APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16  #: ALPN
    SESSION_TICKET = 35
    PRE_SHARED_KEY = 41
    EARLY_DATA = 42
    SUPPORTED_VERSIONS = 43
    COOKIE = 44
    PSK_KEY_EXCHANGE_MODES = 45
    CERTIFICATE_AUTHORITIES = 47
    OID_FILTERS = 48
    POST_HANDSHAKE_AUTH = 49  #: the client is willing to answer a post-handshake CertificateRequest
    SIGNATURE_ALGORITHMS_CERT = 50
    KEY_SHARE = 51
    RENEGOTIATION_INFO = 0xFF01  #: RFC 5746 secure renegotiation


#: Cipher-suite value signalling secure renegotiation without the extension (RFC 5746 §3.3).
TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF
#: Cipher-suite value signalling a version fallback (RFC 7507).
TLS_FALLBACK_SCSV = 0x5600

_REF: dict[enum.Enum, str] = {
    TlsVersion.TLS10: "RFC 2246",
    TlsVersion.TLS11: "RFC 4346",
    TlsVersion.TLS12: "RFC 5246",
    TlsVersion.TLS13: "RFC 8446",
    ContentType.CHANGE_CIPHER_SPEC: "RFC 5246 §7.1; RFC 8446 §5 and Appendix D.4",
    ContentType.ALERT: "RFC 5246 §7.2; RFC 8446 §6",
    ContentType.HANDSHAKE: "RFC 5246 §7.4; RFC 8446 §4",
    ContentType.APPLICATION_DATA: "RFC 5246 §10; RFC 8446 §5.1",
    HandshakeType.HELLO_REQUEST: "RFC 5246 §7.4.1.1",
    HandshakeType.CLIENT_HELLO: "RFC 5246 §7.4.1.2; RFC 8446 §4.1.2",
    HandshakeType.SERVER_HELLO: "RFC 5246 §7.4.1.3; RFC 8446 §4.1.3",
    HandshakeType.NEW_SESSION_TICKET: "RFC 5077 §3.3; RFC 8446 §4.6.1",
    HandshakeType.END_OF_EARLY_DATA: "RFC 8446 §4.5",
    HandshakeType.ENCRYPTED_EXTENSIONS: "RFC 8446 §4.3.1",
    HandshakeType.CERTIFICATE: "RFC 5246 §7.4.2, §7.4.6; RFC 8446 §4.4.2",
    HandshakeType.SERVER_KEY_EXCHANGE: "RFC 5246 §7.4.3",
    HandshakeType.CERTIFICATE_REQUEST: "RFC 5246 §7.4.4; RFC 8446 §4.3.2",
    HandshakeType.SERVER_HELLO_DONE: "RFC 5246 §7.4.5",
    HandshakeType.CERTIFICATE_VERIFY: "RFC 5246 §7.4.8; RFC 8446 §4.4.3",
    HandshakeType.CLIENT_KEY_EXCHANGE: "RFC 5246 §7.4.7",
    HandshakeType.FINISHED: "RFC 5246 §7.4.9; RFC 8446 §4.4.4",
    HandshakeType.KEY_UPDATE: "RFC 8446 §4.6.3",
    HandshakeType.MESSAGE_HASH: "RFC 8446 §4.4.1",
    AlertLevel.WARNING: "RFC 5246 §7.2",
    AlertLevel.FATAL: "RFC 5246 §7.2",
    AlertDescription.CERTIFICATE_REQUIRED: "RFC 8446 §6.2",
    AlertDescription.NO_RENEGOTIATION: "RFC 5246 §7.2.2",
    AlertDescription.NO_APPLICATION_PROTOCOL: "RFC 7301 §3.2",
    AlertDescription.MISSING_EXTENSION: "RFC 8446 §6.2",
    AlertDescription.UNSUPPORTED_EXTENSION: "RFC 8446 §6.2",
    AlertDescription.UNRECOGNIZED_NAME: "RFC 6066 §3; RFC 8446 §6.2",
    AlertDescription.BAD_CERTIFICATE_STATUS_RESPONSE: "RFC 6066 §8; RFC 8446 §6.2",
    AlertDescription.UNKNOWN_PSK_IDENTITY: "RFC 4279 §2; RFC 8446 §6.2",
    AlertDescription.INAPPROPRIATE_FALLBACK: "RFC 7507 §2",
    ExtensionType.SERVER_NAME: "RFC 6066 §3",
    ExtensionType.STATUS_REQUEST: "RFC 6066 §8",
    ExtensionType.SUPPORTED_GROUPS: "RFC 8422 §5.1; RFC 8446 §4.2.7",
    ExtensionType.SIGNATURE_ALGORITHMS: "RFC 5246 §7.4.1.4.1; RFC 8446 §4.2.3",
    ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: "RFC 7301 §3.1",
    ExtensionType.SESSION_TICKET: "RFC 5077 §3.2",
    ExtensionType.PRE_SHARED_KEY: "RFC 8446 §4.2.11",
    ExtensionType.EARLY_DATA: "RFC 8446 §4.2.10",
    ExtensionType.SUPPORTED_VERSIONS: "RFC 8446 §4.2.1",
    ExtensionType.COOKIE: "RFC 8446 §4.2.2",
    ExtensionType.PSK_KEY_EXCHANGE_MODES: "RFC 8446 §4.2.9",
    ExtensionType.CERTIFICATE_AUTHORITIES: "RFC 8446 §4.2.4",
    ExtensionType.OID_FILTERS: "RFC 8446 §4.2.5",
    ExtensionType.POST_HANDSHAKE_AUTH: "RFC 8446 §4.2.6",
    ExtensionType.SIGNATURE_ALGORITHMS_CERT: "RFC 8446 §4.2.3",
    ExtensionType.KEY_SHARE: "RFC 8446 §4.2.8",
    ExtensionType.RENEGOTIATION_INFO: "RFC 5746 §3.2",
}
for _desc in AlertDescription:
    _REF.setdefault(_desc, "RFC 5246 §7.2.2; RFC 8446 §6.2")

#: RFC number and section of every code point above.
REFERENCES: Mapping[enum.Enum, str] = MappingProxyType(dict(_REF))
del _REF, _desc  # the read-only copy above is the only one left


def reference(member: enum.Enum) -> str:
    """The RFC (and section) that defines ``member``."""
    return REFERENCES[member]
