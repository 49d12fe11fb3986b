"""The web servers that can sit on top of Windows' TLS stack, and what each gives the app.

* IIS and IIS Express decide from ``<access sslFlags>`` (R-IIS-1); so do the two ASP.NET Core
  Module hosts, which then hand the certificate IIS received to the application (R-ANCM-1,
  R-ANCM-2).
* ASP.NET Core's HTTP.sys server decides from ``HttpSysOptions.ClientCertificateMethod``
  (:class:`ClientCertificateMethod`, R-HTTPSYS-1 …).
* Kestrel terminates TLS itself with ``SslStream`` over Schannel and decides from
  ``HttpsConnectionAdapterOptions.ClientCertificateMode`` (:class:`ClientCertificateMode`,
  R-KESTREL-1 …); it does not use http.sys bindings at all.

What matters for the application hosts is what the application observes
(:class:`AppObservation`): the certificate, ``null``, an exception, or a connection that is
gone before the response could be sent.  Everything here is data; the pipeline that plays it
lives in :mod:`httpsys_sim.core._apphost`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.errors import InputError
from httpsys_sim.tls import SCHANNEL, CertState, Personality
from httpsys_sim.windows._iis import Host

__all__ = [
    "ANCM_HOSTS",
    "APP_HOSTS",
    "HOST_SETTINGS",
    "IIS_HOSTS",
    "SSLSTREAM",
    "AppObservation",
    "AppValue",
    "ClientCertificateMethod",
    "ClientCertificateMode",
    "check_host_settings",
    "host_label",
    "host_wants_certificate",
]


class ClientCertificateMethod(ReprStrEnum):
    """``HttpSysOptions.ClientCertificateMethod`` of ASP.NET Core's HTTP.sys server (S27).

    The members are spelled as the API spells them, ``AllowRenegotation`` included.
    """

    #: 0 — "A client certificate will not be populated on the request" (S27).
    NO_CERTIFICATE = "NoCertificate"
    #: 1 (the default since ASP.NET Core 5.0) — only a certificate already present at the
    #: start of the request, i.e. from the handshake (S27, R-HTTPSYS-2).
    ALLOW_CERTIFICATE = "AllowCertificate"
    #: 2 — the TLS session may be renegotiated to request one (S27, R-HTTPSYS-3).
    ALLOW_RENEGOTATION = "AllowRenegotation"


class ClientCertificateMode(ReprStrEnum):
    """Kestrel's ``HttpsConnectionAdapterOptions.ClientCertificateMode`` (S27)."""

    #: No CertificateRequest; the application never sees a certificate.
    NO_CERTIFICATE = "NoCertificate"
    #: CertificateRequest in the handshake; a connection without a certificate is accepted.
    ALLOW_CERTIFICATE = "AllowCertificate"
    #: CertificateRequest in the handshake; a connection without a certificate is refused.
    REQUIRE_CERTIFICATE = "RequireCertificate"
    #: No CertificateRequest in the handshake; ``GetClientCertificateAsync`` asks later
    #: (renegotiation on TLS 1.2, post-handshake auth on TLS 1.3, never on HTTP/2).
    DELAY_CERTIFICATE = "DelayCertificate"


#: Hosts where IIS decides from ``<access sslFlags>`` (R-IIS-1) and answers 403.x itself.
IIS_HOSTS: Final = frozenset(
    {Host.IIS, Host.IIS_EXPRESS, Host.ASPNETCORE_IIS_INPROCESS, Host.ASPNETCORE_IIS_OUTOFPROCESS}
)
#: ASP.NET Core behind the ASP.NET Core Module (IIS decides, the app then reads the result).
ANCM_HOSTS: Final = frozenset({Host.ASPNETCORE_IIS_INPROCESS, Host.ASPNETCORE_IIS_OUTOFPROCESS})
#: Hosts whose application reads the certificate through ASP.NET Core's API.
APP_HOSTS: Final = frozenset({*ANCM_HOSTS, Host.ASPNETCORE_HTTPSYS, Host.KESTREL})

_COMMON = ("release", "host", "schannel")
_HTTPSYS = (*_COMMON, "binding", "http3", "revocation", "trust", "mapping")
_IIS = (
    *_HTTPSYS,
    "access_ssl_flags",
    "site_binding_ssl_flags",
    "upload_read_ahead_size",
    "native_negotiate_module",
)

#: The ``server.*`` keys of the scenario format each host has (docs/formats.md#scenario).
HOST_SETTINGS: Final[Mapping[Host, tuple[str, ...]]] = MappingProxyType(
    {
        Host.IIS: _IIS,
        Host.IIS_EXPRESS: _IIS,
        Host.ASPNETCORE_IIS_INPROCESS: _IIS,
        Host.ASPNETCORE_IIS_OUTOFPROCESS: _IIS,
        Host.ASPNETCORE_HTTPSYS: (*_HTTPSYS, "client_certificate_method"),
        Host.KESTREL: (*_COMMON, "revocation", "client_certificate_mode"),
    }
)

_LABELS: Final[Mapping[Host, str]] = MappingProxyType(
    {
        Host.IIS: "IIS",
        Host.IIS_EXPRESS: "IIS Express",
        Host.ASPNETCORE_IIS_INPROCESS: "IIS",
        Host.ASPNETCORE_IIS_OUTOFPROCESS: "IIS",
        Host.ASPNETCORE_HTTPSYS: "HTTP.sys server",
        Host.KESTREL: "Kestrel",
    }
)


def host_label(host: Host) -> str:
    """The actor name traces use for the host's own decisions (``IIS``, ``Kestrel``, …)."""
    return _LABELS[host]


def check_host_settings(host: Host, keys: set[str] | frozenset[str], *, prefix: str) -> None:
    """Refuse a ``server`` key the chosen host does not have (e.g. ``client_certificate_mode``
    with ``iis``), naming the field and listing the host's own settings as the hint."""
    valid = HOST_SETTINGS[host]
    for key in sorted(keys):
        if key not in valid:
            raise InputError(
                f"host {host.value!r} has no setting {key!r}",
                field=f"{prefix}.{key}",
                hint=f"{host.value} settings: " + ", ".join(valid),
            )


def host_wants_certificate(server: Any) -> bool:
    """Does the host's configuration ask for a client certificate at all?  (IIS hosts: the
    access flags; the HTTP.sys server: its method; Kestrel: its mode.)"""
    if server.host is Host.ASPNETCORE_HTTPSYS:
        return bool(server.certificate_method is not ClientCertificateMethod.NO_CERTIFICATE)
    if server.host is Host.KESTREL:
        return bool(server.certificate_mode is not ClientCertificateMode.NO_CERTIFICATE)
    return bool(int(server.access_ssl_flags) & 0x60)  # SslNegotiateCert | SslRequireCert


#: Windows Schannel as .NET's SslStream drives it for Kestrel: the same stack as http.sys
#: uses, but SslStream can ask for a certificate after a TLS 1.3 handshake (P-SCH-7, S42).
SSLSTREAM: Final[Personality] = attrs.evolve(
    SCHANNEL,
    id="schannel-sslstream",
    name="Windows Schannel (as used by .NET SslStream)",
    pha_server=True,
    rules=MappingProxyType({**SCHANNEL.rules, "pha_server": "P-SCH-7"}),
)


class AppValue(ReprStrEnum):
    """What the application's certificate API gave it."""

    #: A certificate object (whatever its validity: the app may still have to check it).
    CERTIFICATE = "certificate"
    #: ``null``: no certificate.
    NULL = "null"
    #: The call threw.
    EXCEPTION = "exception"
    #: The call may return, but the connection is gone: the response never reaches the client.
    CONNECTION_GONE = "connection_gone"
    #: The request never reached the application (a reset, an alert, or IIS answered first).
    NOT_REACHED = "not_reached"


@attrs.frozen(kw_only=True)
class AppObservation:
    """What an ASP.NET Core application observes when it asks for the client certificate."""

    #: The API the model has the application call.
    api: str
    value: AppValue
    #: The certificate it got (its state as the client held it), when ``value`` is certificate.
    certificate: CertState | None = None
    #: The exception type and message, when ``value`` is exception.
    exception: str | None = None
    #: What the synchronous ``HttpContext.Connection.ClientCertificate`` property gives
    #: (``certificate`` / ``null``), where it differs from the call or matters.
    property_value: AppValue | None = None
    #: The rule behind the observation.
    rule: str

    def describe(self) -> str:
        """One line: ``GetClientCertificateAsync() → certificate (valid)``."""
        text = f"{self.api} → {self.value.value}"
        if self.certificate is not None:
            text += f" ({self.certificate.value} certificate)"
        if self.exception:
            text += f": {self.exception}"
        if self.property_value is not None:
            text += f"; Connection.ClientCertificate → {self.property_value.value}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The result JSON's ``app_observed`` object (docs/formats.md#result)."""
        return {
            "api": self.api,
            "value": self.value.value,
            "certificate": None if self.certificate is None else self.certificate.value,
            "exception": self.exception,
            "client_certificate_property": None
            if self.property_value is None
            else self.property_value.value,
            "rule": self.rule,
        }
