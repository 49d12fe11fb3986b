"""Schannel's machine-wide settings that bear on client certificates (R-TLS-2, S25).

The renegotiation switches live under
``HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL`` (KB 977377, S25);
protocol enablement under its ``Protocols\\<TLS 1.x>\\Server|Client`` subkeys (S3 S4).
Absent values mean the release default; :mod:`httpsys_sim.readers._regfile` reads a ``.reg``
export into a :class:`SchannelSettings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from httpsys_sim._values import identity_first_eq
from httpsys_sim.errors import InputError

__all__ = ["PROTOCOL_VERSIONS", "SchannelSettings"]

#: Protocol names a settings object may carry, oldest first (registry key → name:
#: ``SSL 2.0`` → ``ssl2``, ``SSL 3.0`` → ``ssl3``, ``TLS 1.x`` → ``1.x``; S3).
PROTOCOL_VERSIONS: Final = ("ssl2", "ssl3", "1.0", "1.1", "1.2", "1.3")

_BOOL_FIELDS: Final = (
    "disable_reneg_on_server",
    "disable_reneg_on_client",
    "allow_insecure_reneg_clients",
    "allow_insecure_reneg_servers",
    "use_scsv_for_tls",
)


def _to_protocols(value: object) -> object:
    """Mapping or pairs → a sorted tuple of ``(version, enabled)`` pairs (hashable)."""
    if isinstance(value, Mapping):
        value = value.items()
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        try:
            pairs = [tuple(item) for item in value]
        except TypeError:
            return value
        order = {v: i for i, v in enumerate(PROTOCOL_VERSIONS)}
        return tuple(sorted(pairs, key=lambda p: (order.get(p[0], 99), str(p[0]))))
    return value


def _check_protocols(name: str, value: object) -> None:
    if not isinstance(value, tuple):
        raise InputError(f"expected an object of version → true/false, got {value!r}", field=name)
    seen: set[object] = set()
    for pair in value:
        if len(pair) != 2:
            raise InputError(f"expected (version, enabled) pairs, got {pair!r}", field=name)
        version, enabled = pair
        if version not in PROTOCOL_VERSIONS:
            raise InputError(
                f"unknown protocol {version!r}",
                field=f"{name}.{version}",
                hint="one of " + ", ".join(PROTOCOL_VERSIONS),
            )
        if not isinstance(enabled, bool):
            raise InputError(f"expected true or false, got {enabled!r}", field=f"{name}.{version}")
        if version in seen:
            raise InputError(f"protocol {version!r} given twice", field=f"{name}.{version}")
        seen.add(version)


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class SchannelSettings:
    """Schannel renegotiation switches and explicit protocol enablement (R-TLS-2, S25).

    Defaults are Windows' when the registry values are absent (KB 977377, S25).
    """

    #: ``DisableRenegoOnServer`` ≠ 0: the server never renegotiates, so a TLS 1.2 late
    #: certificate demand cannot start — the request fails (R-REQ-2, ``reported`` S25).
    disable_reneg_on_server: bool = False
    #: ``DisableRenegoOnClient`` ≠ 0: Schannel as a client refuses renegotiation (S25).
    disable_reneg_on_client: bool = False
    #: ``AllowInsecureRenegoClients`` (default 1, "compatible mode"): a server may renegotiate
    #: with clients lacking RFC 5746 support; 0 = strict (R-TLS-2, S25).
    allow_insecure_reneg_clients: bool = True
    #: ``AllowInsecureRenegoServers`` (default 1): a client may renegotiate with servers
    #: lacking RFC 5746 support; 0 = strict (R-TLS-2, S25).
    allow_insecure_reneg_servers: bool = True
    #: ``UseScsvForTls`` (default 0): a client signals RFC 5746 with the SCSV cipher suite
    #: instead of the ``renegotiation_info`` extension (S25; netsekure.org 2010-08 on KB 977377).
    use_scsv_for_tls: bool = False
    #: Explicit server-side protocol enablement, e.g. ``(("1.0", True), ("1.3", False))``;
    #: a version that is absent keeps the release default (R-REL-1, R-REL-2; S3 S4).
    server_protocols: tuple[tuple[str, bool], ...] = attrs.field(
        default=(), converter=_to_protocols
    )
    #: Explicit client-side protocol enablement (same form).
    client_protocols: tuple[tuple[str, bool], ...] = attrs.field(
        default=(), converter=_to_protocols
    )

    def __attrs_post_init__(self) -> None:
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise InputError(f"expected true or false, got {value!r}", field=name)
        _check_protocols("server_protocols", self.server_protocols)
        _check_protocols("client_protocols", self.client_protocols)

    def server_protocol_enabled(self, version: str) -> bool | None:
        """Explicit server enablement of ``version`` (``"1.3"``…), None when not configured."""
        return dict(self.server_protocols).get(version)

    def to_dict(self) -> dict[str, Any]:
        """The scenario JSON's ``schannel`` object (protocols as ``{"1.3": false}`` objects)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _BOOL_FIELDS}
        out["server_protocols"] = dict(self.server_protocols)
        out["client_protocols"] = dict(self.client_protocols)
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, file: str | None = None, prefix: str = "server.schannel"
    ) -> SchannelSettings:
        """Read a scenario JSON ``schannel`` object; every key optional, unknown keys refused."""
        if not isinstance(data, Mapping):
            raise InputError("expected an object", file=file, field=prefix)
        known = (*_BOOL_FIELDS, "server_protocols", "client_protocols")
        for key in data:
            if key not in known:
                raise InputError(
                    f"unknown key {key!r}",
                    file=file,
                    field=f"{prefix}.{key}",
                    hint="one of " + ", ".join(known),
                )
        for key in ("server_protocols", "client_protocols"):
            if key in data and not isinstance(data[key], Mapping):
                raise InputError(
                    f'expected an object such as {{"1.3": false}}, got {data[key]!r}',
                    file=file,
                    field=f"{prefix}.{key}",
                )
        try:
            return cls(**data)
        except InputError as exc:
            raise InputError(
                exc.message,
                file=file,
                field=f"{prefix}.{exc.field}" if exc.field else prefix,
                hint=exc.hint,
            ) from None
