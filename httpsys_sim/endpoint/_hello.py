"""Read what a client offers from the ClientHello it sent (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).

http.sys decides from the ClientHello on the wire, not from what a client is said to do: the
endpoint peeks at the first TLS records before OpenSSL reads them and hands these facts to the
model.  Pure functions over bytes; malformed input is :class:`HelloError`.
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from httpsys_sim.tls import TlsVersion

__all__ = ["ClientHelloOffer", "HelloError", "hello_length", "parse_client_hello"]

#: Largest ClientHello read (several records); real ones are below 2 KiB, with post-quantum
#: key shares below 4 KiB.
MAX_HELLO_BYTES = 64 * 1024

_HANDSHAKE = 22
_CLIENT_HELLO = 1
_EXT_ALPN = 16
_EXT_SUPPORTED_VERSIONS = 43
_EXT_POST_HANDSHAKE_AUTH = 49
_EXT_RENEGOTIATION_INFO = 0xFF01
_SCSV_RENEGOTIATION = 0x00FF

_VERSIONS = MappingProxyType(
    {
        0x0301: TlsVersion.TLS10,
        0x0302: TlsVersion.TLS11,
        0x0303: TlsVersion.TLS12,
        0x0304: TlsVersion.TLS13,
    }
)


class HelloError(ValueError):
    """The bytes are not (the start of) a TLS ClientHello."""


@attrs.frozen(kw_only=True)
class ClientHelloOffer:
    """What one ClientHello offers."""

    #: TLS versions offered, highest first (GREASE values left out).
    versions: tuple[TlsVersion, ...]
    #: ALPN protocol ids in the client's order; ``()`` when the extension is absent.
    alpn: tuple[str, ...]
    #: The ``post_handshake_auth`` extension is present.
    post_handshake_auth: bool
    #: ``renegotiation_info`` or the renegotiation SCSV is present (RFC 5746).
    secure_renegotiation: bool
    #: The ``server_name`` the client asked for, if any.
    server_name: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON form, for logs and the conformance suite."""
        return {
            "versions": [v.value for v in self.versions],
            "alpn": list(self.alpn),
            "post_handshake_auth": self.post_handshake_auth,
            "secure_renegotiation": self.secure_renegotiation,
            "server_name": self.server_name,
        }


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise HelloError(f"truncated {self.what}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec(self, length_bytes: int) -> bytes:
        n = int.from_bytes(self.take(length_bytes), "big")
        return self.take(n)

    def done(self) -> bool:
        return self.pos >= len(self.data)


def _handshake_bytes(data: bytes) -> tuple[bytes, int]:
    """The concatenated handshake-record payloads at the start of ``data`` and the bytes of
    records consumed.  Raises :class:`HelloError` when the first record is not a handshake."""
    out = bytearray()
    pos = 0
    while pos + 5 <= len(data):
        ctype = data[pos]
        if ctype != _HANDSHAKE:
            if pos == 0:
                raise HelloError(f"first record is of type {ctype}, not a handshake")
            break
        if data[pos + 1] != 3:
            raise HelloError("not a TLS record (bad version byte)")
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if length == 0 or length > 16384 + 2048:
            raise HelloError(f"bad record length {length}")
        if pos + 5 + length > len(data):
            break
        out += data[pos + 5 : pos + 5 + length]
        pos += 5 + length
        if len(out) >= 4 and len(out) >= 4 + int.from_bytes(out[1:4], "big"):
            break
    return bytes(out), pos


def hello_length(data: bytes) -> int | None:
    """How many bytes of records the whole ClientHello takes, or None while more are needed.

    Raises :class:`HelloError` when the bytes cannot start a ClientHello.
    """
    if len(data) >= 1 and data[0] != _HANDSHAKE:
        raise HelloError(f"first record is of type {data[0]}, not a handshake")
    payload, consumed = _handshake_bytes(data)
    if len(payload) >= 1 and payload[0] != _CLIENT_HELLO:
        raise HelloError(f"first handshake message is of type {payload[0]}, not ClientHello")
    if len(payload) < 4:
        return None
    body_length = int.from_bytes(payload[1:4], "big")
    if body_length + 4 > MAX_HELLO_BYTES:
        raise HelloError("ClientHello larger than 64 KiB")
    if len(payload) < 4 + body_length:
        return None
    return consumed


def parse_client_hello(data: bytes) -> ClientHelloOffer:
    """The offer in the ClientHello at the start of ``data`` (whole records)."""
    payload, _ = _handshake_bytes(data)
    outer = _Reader(payload, "handshake message")
    if outer.u8() != _CLIENT_HELLO:
        raise HelloError("not a ClientHello")
    body = _Reader(outer.take(outer.u24()), "ClientHello")
    legacy_version = body.u16()
    body.take(32)  # random
    body.vec(1)  # legacy_session_id
    suites_raw = body.vec(2)
    suites = {int.from_bytes(suites_raw[i : i + 2], "big") for i in range(0, len(suites_raw), 2)}
    body.vec(1)  # compression methods
    versions: tuple[TlsVersion, ...] | None = None
    alpn: tuple[str, ...] = ()
    pha = False
    reneg_info = False
    server_name: str | None = None
    if not body.done():
        exts = _Reader(body.vec(2), "extensions")
        while not exts.done():
            ext_type = exts.u16()
            ext = _Reader(exts.vec(2), f"extension {ext_type}")
            if ext_type == _EXT_SUPPORTED_VERSIONS:
                listed = ext.vec(1)
                found = [
                    _VERSIONS[int.from_bytes(listed[i : i + 2], "big")]
                    for i in range(0, len(listed) - 1, 2)
                    if int.from_bytes(listed[i : i + 2], "big") in _VERSIONS
                ]
                versions = tuple(sorted(set(found), key=lambda v: v.rank, reverse=True))
            elif ext_type == _EXT_ALPN:
                names = _Reader(ext.vec(2), "ALPN list")
                ids: list[str] = []
                while not names.done():
                    ids.append(names.vec(1).decode("ascii", "replace"))
                alpn = tuple(ids)
            elif ext_type == _EXT_POST_HANDSHAKE_AUTH:
                pha = True
            elif ext_type == _EXT_RENEGOTIATION_INFO:
                reneg_info = True
            elif ext_type == 0:  # server_name
                names = _Reader(ext.vec(2), "server_name list")
                while not names.done():
                    kind = names.u8()
                    value = names.vec(2)
                    if kind == 0:
                        server_name = value.decode("ascii", "replace")
    if versions is None:
        top = _VERSIONS.get(legacy_version)
        if top is None:
            raise HelloError(f"unknown legacy_version 0x{legacy_version:04x}")
        versions = tuple(v for v in _VERSIONS.values() if v.rank <= top.rank)[::-1]
    if not versions:
        raise HelloError("no known TLS version offered")
    return ClientHelloOffer(
        versions=versions,
        alpn=alpn,
        post_handshake_auth=pha,
        secure_renegotiation=reneg_info or _SCSV_RENEGOTIATION in suites,
        server_name=server_name,
    )
