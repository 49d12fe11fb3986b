"""IIS and IIS Express configuration values (R-IIS-1 … R-IIS-4).

* :class:`AccessSslFlag` — ``<system.webServer><security><access sslFlags="…">``, the per-URL
  client-certificate policy (R-IIS-1, S8 S9), and :class:`CertPolicy`, the IIS Manager
  "SSL Settings" page that writes it (R-IIS-1, R-IIS-2).
* :class:`SiteBindingSslFlag` — the numeric ``sslFlags`` of a site's
  ``<binding protocol="https">`` (R-IIS-3, S11 S12), and :func:`apply_site_binding_flags`,
  what IIS pushes from it into the http.sys binding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from httpsys_sim._enum import ReprFlag, ReprStrEnum
from httpsys_sim.errors import InputError
from httpsys_sim.windows._binding import BindingKind, SslBinding

__all__ = [
    "ACCESS_FLAG_NAMES",
    "UPLOAD_READ_AHEAD_DEFAULT",
    "AccessSslFlag",
    "CertPolicy",
    "Host",
    "SiteBindingSslFlag",
    "access_flag_names",
    "apply_site_binding_flags",
    "cert_policy",
    "http_sys_endpoint",
    "parse_access_ssl_flags",
]


class AccessSslFlag(ReprFlag):
    """``access/@sslFlags`` bits (R-IIS-1; names S8, values ``HttpAccessSslFlags`` S9)."""

    #: ``None`` — no SSL requirement, no client certificate (the stock value, R-IIS-4).
    NONE = 0
    #: ``Ssl`` 0x8 — HTTPS required (plain HTTP gets 403.4, R-IIS-5).
    SSL = 0x8
    #: ``SslNegotiateCert`` 0x20 — ask for a client certificate ("Accept"; late demand R-REQ-2).
    SSL_NEGOTIATE_CERT = 0x20
    #: ``SslRequireCert`` 0x40 — a valid client certificate is required ("Require", 403.7).
    SSL_REQUIRE_CERT = 0x40
    #: ``SslMapCert`` 0x80 — map client certificates to accounts.
    SSL_MAP_CERT = 0x80
    #: ``Ssl128`` 0x100 — 128-bit encryption required.
    SSL128 = 0x100


#: IIS spelling of each flag name → value (R-IIS-1, S8); IIS reads them case-insensitively.
ACCESS_FLAG_NAMES: Final[Mapping[str, AccessSslFlag]] = MappingProxyType(
    {
        "None": AccessSslFlag.NONE,
        "Ssl": AccessSslFlag.SSL,
        "SslNegotiateCert": AccessSslFlag.SSL_NEGOTIATE_CERT,
        "SslRequireCert": AccessSslFlag.SSL_REQUIRE_CERT,
        "SslMapCert": AccessSslFlag.SSL_MAP_CERT,
        "Ssl128": AccessSslFlag.SSL128,
    }
)
_NAMES_FOLDED: Final = MappingProxyType(
    {name.casefold(): flag for name, flag in ACCESS_FLAG_NAMES.items()}
)
_ALL_ACCESS: Final = sum(int(f) for f in AccessSslFlag)

#: Default ``serverRuntime/@uploadReadAheadSize`` in bytes: a body larger than this cannot be
#: buffered for a renegotiation and gets 413 (R-IIS-5, R-REQ-2, S16).
UPLOAD_READ_AHEAD_DEFAULT: Final = 49152


def parse_access_ssl_flags(
    value: str | int | Sequence[str],
    *,
    file: str | None = None,
    line: int | None = None,
    field: str = "access_ssl_flags",
) -> AccessSslFlag:
    """Read ``sslFlags`` as IIS writes it (``"Ssl, SslNegotiateCert"``), a list of names, or an int.

    Names are case-insensitive; a decimal string is read as the number (IIS accepts both).
    Anything else raises :class:`InputError` naming ``file``, ``line`` and ``field``.
    """
    hint = "a comma list of None, Ssl, SslNegotiateCert, SslRequireCert, SslMapCert, Ssl128"
    if isinstance(value, bool):
        raise InputError(
            f"expected flag names or an integer, got {value!r}",
            file=file,
            line=line,
            field=field,
            hint=hint,
        )
    if isinstance(value, int):
        if value < 0 or value & ~_ALL_ACCESS:
            raise InputError(
                f"{value} is not a valid sslFlags value",
                file=file,
                line=line,
                field=field,
                hint=hint,
            )
        return AccessSslFlag(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return parse_access_ssl_flags(int(text), file=file, line=line, field=field)
        names: Sequence[object] = text.split(",")
    elif isinstance(value, Sequence):
        names = value
    else:
        raise InputError(
            f"expected flag names or an integer, got {value!r}",
            file=file,
            line=line,
            field=field,
            hint=hint,
        )
    flags = AccessSslFlag.NONE
    if not names:
        raise InputError(
            "empty list of flag names",
            file=file,
            line=line,
            field=field,
            hint='use ["None"] for no flags',
        )
    for name in names:
        if not isinstance(name, str) or name.strip().casefold() not in _NAMES_FOLDED:
            raise InputError(
                f"unknown sslFlags name {name!r}", file=file, line=line, field=field, hint=hint
            )
        flags |= _NAMES_FOLDED[name.strip().casefold()]
    return flags


_ACCESS_FLAG_INTS = tuple((name, int(flag)) for name, flag in ACCESS_FLAG_NAMES.items())
_NEGOTIATE = int(AccessSslFlag.SSL_NEGOTIATE_CERT)
_REQUIRE = int(AccessSslFlag.SSL_REQUIRE_CERT)


def access_flag_names(flags: AccessSslFlag) -> tuple[str, ...]:
    """The IIS names of ``flags`` in IIS's order (``()`` for ``None``)."""
    value = int(flags)
    return tuple(name for name, flag in _ACCESS_FLAG_INTS if flag and value & flag == flag)


class CertPolicy(ReprStrEnum):
    """The client-certificate choice on IIS Manager's "SSL Settings" page (R-IIS-1, R-IIS-2)."""

    #: "Ignore": neither SslNegotiateCert nor SslRequireCert.
    IGNORE = "ignore"
    #: "Accept": SslNegotiateCert — ask, serve without a certificate (R-IIS-2, S10).
    ACCEPT = "accept"
    #: "Require": SslNegotiateCert + SslRequireCert — fail without a valid certificate.
    REQUIRE = "require"
    #: SslRequireCert alone (IIS Manager never writes it): no late demand, 403.7 without a
    #: handshake certificate (R-IIS-2, ``inferred``).
    REQUIRE_ONLY = "require_without_negotiate"


def cert_policy(flags: AccessSslFlag) -> CertPolicy:
    """Which :class:`CertPolicy` ``flags`` amount to (R-IIS-1, R-IIS-2)."""
    value = int(flags)
    return _POLICY_OF[bool(value & _NEGOTIATE), bool(value & _REQUIRE)]


#: The policy of each (SslNegotiateCert set, SslRequireCert set) pair.
_POLICY_OF: Final = MappingProxyType(
    {
        (True, True): CertPolicy.REQUIRE,
        (True, False): CertPolicy.ACCEPT,
        (False, True): CertPolicy.REQUIRE_ONLY,
        (False, False): CertPolicy.IGNORE,
    }
)


class SiteBindingSslFlag(ReprFlag):
    """Numeric ``sslFlags`` of a site's https ``<binding>`` (R-IIS-3; S11, names S12)."""

    #: 0 — an ``IP:port`` binding.
    NONE = 0
    #: 1 — SNI: an http.sys ``hostnameport`` binding (IIS 8+, S11).
    SNI = 1
    #: 2 — Central Certificate Store: an http.sys ``ccs`` binding (IIS 8+, S11).
    CENTRAL_CERT_STORE = 2
    #: 4 — ``DisableHTTP2`` (Server 2016+, S12).
    DISABLE_HTTP2 = 4
    #: 8 — ``DisableOCSPStp`` (Server 2016+, S12).
    DISABLE_OCSP_STAPLING = 8
    #: 16 — ``DisableQUIC`` (Server 2019+, S12).
    DISABLE_QUIC = 16
    #: 32 — ``DisableTLS13``, "Disable TLS 1.3 over TCP" (Server 2019+ schema, S12).
    DISABLE_TLS13 = 32
    #: 64 — ``DisableLegacyTLS`` (S12).
    DISABLE_LEGACY_TLS = 64
    #: 128 — ``NegotiateClientCert``, Windows Server 2025 only (S12, win-acme #2831).
    NEGOTIATE_CLIENT_CERT = 128


#: Site-binding bit → the :class:`SslBinding` field IIS sets from it (R-IIS-3).
_SITE_FLAG_FIELDS: Final[tuple[tuple[SiteBindingSslFlag, str], ...]] = (
    (SiteBindingSslFlag.DISABLE_HTTP2, "disable_http2"),
    (SiteBindingSslFlag.DISABLE_OCSP_STAPLING, "disable_ocsp_stapling"),
    (SiteBindingSslFlag.DISABLE_QUIC, "disable_quic"),
    (SiteBindingSslFlag.DISABLE_TLS13, "disable_tls13"),
    (SiteBindingSslFlag.DISABLE_LEGACY_TLS, "disable_legacy_tls"),
    (SiteBindingSslFlag.NEGOTIATE_CLIENT_CERT, "client_cert_negotiation"),
)


class Host(ReprStrEnum):
    """Which web server reads the configuration (R-IIS-4)."""

    #: Full IIS (W3SVC / WAS): manages its http.sys bindings itself.
    IIS = "iis"
    #: IIS Express: per-user, pre-registered http.sys bindings on 44300–44399 (R-IIS-4, S13).
    IIS_EXPRESS = "iis-express"
    #: ASP.NET Core's own HTTP.sys server (``UseHttpSys``): no IIS; the application reads the
    #: certificate as ``HttpSysOptions.ClientCertificateMethod`` allows (R-HTTPSYS-1).
    ASPNETCORE_HTTPSYS = "aspnetcore-httpsys"
    #: ASP.NET Core in the IIS worker process (ASP.NET Core Module, in-process): IIS decides,
    #: the app reads the certificate IIS received (R-ANCM-1).
    ASPNETCORE_IIS_INPROCESS = "aspnetcore-iis-inprocess"
    #: ASP.NET Core behind the ASP.NET Core Module out-of-process: IIS decides and forwards the
    #: certificate in ``MS-ASPNETCORE-CLIENTCERT`` (R-ANCM-2).
    ASPNETCORE_IIS_OUTOFPROCESS = "aspnetcore-iis-outofprocess"
    #: Kestrel on Windows: TLS by .NET's SslStream over Schannel, no http.sys (R-KESTREL-1).
    KESTREL = "kestrel"


_IIS_EXPRESS = Host.IIS_EXPRESS  # bound once: docs/architecture.md#speed


def apply_site_binding_flags(
    binding: SslBinding,
    flags: SiteBindingSslFlag | int,
    *,
    host: Host,
    supports_negotiate_flag: bool,
) -> SslBinding:
    """The http.sys binding after IIS pushed a site binding's ``sslFlags`` into it (R-IIS-3).

    Bits 4–64 set the matching binding flag (bit 32 = ``disabletls13``…); bit 128 sets
    ``clientcertnegotiation`` only when ``supports_negotiate_flag`` (Server 2025, S12) and
    is ignored elsewhere.  IIS Express ignores every bit ≥ 4 (``inferred``: its bindings are
    the pre-registered ones).  Bits that are clear leave the binding unchanged
    (``inferred``).  Bits 1 and 2 choose the binding's kind (see :func:`http_sys_endpoint`)
    and change nothing here.
    """
    value = int(flags)
    if isinstance(flags, bool) or value < 0 or value > 0xFF:
        raise InputError(
            f"{flags!r} is not a site binding sslFlags value",
            field="sslFlags",
            hint="a sum of 1, 2, 4, 8, 16, 32, 64, 128",
        )
    if host is _IIS_EXPRESS:
        return binding
    changes: dict[str, Any] = {}
    for flag, name in _SITE_FLAG_FIELDS:
        if value & flag:
            if flag is SiteBindingSslFlag.NEGOTIATE_CLIENT_CERT and not supports_negotiate_flag:
                continue
            changes[name] = True
    return attrs.evolve(binding, **changes) if changes else binding


def http_sys_endpoint(
    binding_information: str, ssl_flags: SiteBindingSslFlag | int = 0
) -> tuple[BindingKind, str]:
    """The http.sys binding IIS uses for an https site binding (R-IIS-3, S11).

    ``bindingInformation`` is ``IP:PORT:HOST`` (``*`` = all addresses).  With the SNI bit the
    binding is ``hostnameport`` ``HOST:PORT``; with the CCS bit it is ``ccs`` ``ccs:PORT``;
    otherwise ``ipport`` ``IP:PORT`` (``*`` → ``0.0.0.0``).
    """
    parts = binding_information.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit():
        raise InputError(
            f"{binding_information!r} is not IP:PORT:HOST",
            field="bindingInformation",
            hint="e.g. *:443:portal.contoso.test",
        )
    address, port_text, hostname = parts
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise InputError(f"port {port} is out of range 1–65535", field="bindingInformation")
    value = int(ssl_flags)
    if value & SiteBindingSslFlag.CENTRAL_CERT_STORE:
        return "ccs", f"ccs:{port}"
    if value & SiteBindingSslFlag.SNI:
        if not hostname:
            raise InputError(
                "an SNI binding needs a host name",
                field="bindingInformation",
                hint='bindingInformation="*:443:host.example" with sslFlags=1',
            )
        return "hostnameport", f"{hostname}:{port}"
    ip = "0.0.0.0" if address in ("*", "") else address
    return "ipport", f"{ip}:{port}"
