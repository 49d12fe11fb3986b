"""The http.sys SSL binding: what ``netsh http add|update|show sslcert`` manages (R-BIND-1).

One :class:`SslBinding` is one entry of http.sys's SSL configuration store, selected by
``ipport=IP:PORT``, ``hostnameport=NAME:PORT`` (SNI) or ``ccs=PORT`` (S5).  Its booleans are
the bits of ``HTTP_SERVICE_CONFIG_SSL_PARAM.DefaultFlags`` (:class:`HttpSysFlag`, S6) and its
revocation / usage options the bits of ``DefaultCertCheckMode`` (:class:`CertCheckMode`).
The one that matters most here is ``client_cert_negotiation`` (``NEGOTIATE_CLIENT_CERT``,
0x2): it makes http.sys ask for the client certificate in the initial handshake (R-REQ-1).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

from httpsys_sim._enum import ReprFlag
from httpsys_sim.errors import InputError

__all__ = [
    "IIS_APP_ID",
    "IIS_EXPRESS_APP_ID",
    "IIS_EXPRESS_PORTS",
    "NETSH_PARAMETERS",
    "NETSH_SELECTORS",
    "BindingKind",
    "CertCheckMode",
    "HttpSysFlag",
    "SslBinding",
    "iis_express_binding",
    "infer_kind",
]

BindingKind = Literal["ipport", "hostnameport", "ccs"]
"""How a binding is selected: ``ipport=``, ``hostnameport=`` (SNI) or ``ccs=`` (R-BIND-1, S5)."""


class HttpSysFlag(ReprFlag):
    """``HTTP_SERVICE_CONFIG_SSL_FLAG_*``: the bits of a binding's ``DefaultFlags`` (R-BIND-1, S6).

    Values from the Windows SDK metadata (``http.h``), as also published in the
    ``windows``/``windows-sys`` crates' ``HTTP_SERVICE_CONFIG_SSL_FLAG_*`` constants.
    """

    #: 0x0001 — map client certificates to Windows accounts (netsh ``dsmapperusage``).
    USE_DS_MAPPER = 0x1
    #: 0x0002 — request the client certificate in the initial handshake
    #: (netsh ``clientcertnegotiation``; R-REQ-1, the recommended fix).
    NEGOTIATE_CLIENT_CERT = 0x2
    #: 0x0004 — legacy raw-filter opt-out; no netsh parameter.
    NO_RAW_FILTER = 0x4
    #: 0x0008 — refuse every new connection to this binding (netsh ``reject``).
    REJECT = 0x8
    #: 0x0010 — no HTTP/2; ALPN offers only http/1.1 (netsh ``disablehttp2``).
    DISABLE_HTTP2 = 0x10
    #: 0x0020 — no HTTP/3 (netsh ``disablequic``).
    DISABLE_QUIC = 0x20
    #: 0x0040 — no TLS 1.3 over TCP on this binding (netsh ``disabletls13``).
    DISABLE_TLS13 = 0x40
    #: 0x0080 — no OCSP stapling (netsh ``disableocspstapling``).
    DISABLE_OCSP_STAPLING = 0x80
    #: 0x0100 — token binding (netsh ``enabletokenbinding``).
    ENABLE_TOKEN_BINDING = 0x100
    #: 0x0200 — extended http.sys events (netsh ``logextendedevents``).
    LOG_EXTENDED_EVENTS = 0x200
    #: 0x0400 — no SSL 3.0 / TLS 1.0 / TLS 1.1, strong suites only (netsh ``disablelegacytls``; S7).
    DISABLE_LEGACY_TLS = 0x400
    #: 0x0800 — TLS session tickets (netsh ``enablesessionticket``).
    ENABLE_SESSION_TICKET = 0x800
    #: 0x1000 — no TLS 1.2 on this binding (netsh ``disabletls12``).
    DISABLE_TLS12 = 0x1000
    #: 0x2000 — client correlation; no netsh parameter.
    ENABLE_CLIENT_CORRELATION = 0x2000
    #: 0x4000 — no session-ID resumption (netsh ``disablesessionid``).
    DISABLE_SESSION_ID = 0x4000
    #: 0x8000 — cache the ClientHello (newest builds); no netsh parameter.
    ENABLE_CACHE_CLIENT_HELLO = 0x8000


class CertCheckMode(ReprFlag):
    """Bits of ``DefaultCertCheckMode`` (R-BIND-1, S5 S6)."""

    #: 0x00001 — ``verifyclientcertrevocation=disable``.
    NO_REVOCATION_CHECK = 0x1
    #: 0x00002 — ``verifyrevocationwithcachedclientcertonly=enable``.
    CACHED_ONLY = 0x2
    #: 0x00004 — ``revocationfreshnesstime`` given (``DefaultRevocationFreshnessTime`` is used).
    FRESHNESS_TIME = 0x4
    #: 0x10000 — ``usagecheck=disable``.
    NO_USAGE_CHECK = 0x10000


_ALL_FLAGS: Final = sum(int(f) for f in HttpSysFlag)
_ALL_CHECK_MODES: Final = sum(int(f) for f in CertCheckMode)

#: ``DefaultFlags`` bit ↔ the :class:`SslBinding` boolean that holds it (R-BIND-1).
_FLAG_FIELDS: Final[tuple[tuple[HttpSysFlag, str], ...]] = (
    (HttpSysFlag.USE_DS_MAPPER, "ds_mapper_usage"),
    (HttpSysFlag.NEGOTIATE_CLIENT_CERT, "client_cert_negotiation"),
    (HttpSysFlag.NO_RAW_FILTER, "no_raw_filter"),
    (HttpSysFlag.REJECT, "reject"),
    (HttpSysFlag.DISABLE_HTTP2, "disable_http2"),
    (HttpSysFlag.DISABLE_QUIC, "disable_quic"),
    (HttpSysFlag.DISABLE_TLS13, "disable_tls13"),
    (HttpSysFlag.DISABLE_OCSP_STAPLING, "disable_ocsp_stapling"),
    (HttpSysFlag.ENABLE_TOKEN_BINDING, "enable_token_binding"),
    (HttpSysFlag.LOG_EXTENDED_EVENTS, "log_extended_events"),
    (HttpSysFlag.DISABLE_LEGACY_TLS, "disable_legacy_tls"),
    (HttpSysFlag.ENABLE_SESSION_TICKET, "enable_session_ticket"),
    (HttpSysFlag.DISABLE_TLS12, "disable_tls12"),
    (HttpSysFlag.ENABLE_CLIENT_CORRELATION, "enable_client_correlation"),
    (HttpSysFlag.DISABLE_SESSION_ID, "disable_session_id"),
    (HttpSysFlag.ENABLE_CACHE_CLIENT_HELLO, "enable_cache_client_hello"),
)
_FLAG_FIELD_NAMES: Final = frozenset(name for _, name in _FLAG_FIELDS)
#: The same pairs with plain ints (flag arithmetic on enum members is slow).
_FLAG_INTS: Final = tuple((int(flag), name) for flag, name in _FLAG_FIELDS)
_CHECK_MODE_FIELD_NAMES: Final = frozenset(
    {
        "verify_client_cert_revocation",
        "verify_revocation_with_cached_cert_only",
        "revocation_freshness_time",
        "usage_check",
    }
)

#: netsh ``add|update sslcert`` parameter → :class:`SslBinding` field: the parameters of
#: ``netsh-http.md`` (S5), in its order except ``certhash`` before ``appid`` (as Microsoft's
#: examples write them).  The selectors are in :data:`NETSH_SELECTORS`.
NETSH_PARAMETERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "certhash": "certificate_hash",
        "appid": "app_id",
        "certstorename": "cert_store",
        "verifyclientcertrevocation": "verify_client_cert_revocation",
        "verifyrevocationwithcachedclientcertonly": "verify_revocation_with_cached_cert_only",
        "usagecheck": "usage_check",
        "revocationfreshnesstime": "revocation_freshness_time",
        "urlretrievaltimeout": "url_retrieval_timeout",
        "sslctlidentifier": "ctl_identifier",
        "sslctlstorename": "ctl_store_name",
        "dsmapperusage": "ds_mapper_usage",
        "clientcertnegotiation": "client_cert_negotiation",
        "reject": "reject",
        "disablehttp2": "disable_http2",
        "disablequic": "disable_quic",
        "disablelegacytls": "disable_legacy_tls",
        "disabletls12": "disable_tls12",
        "disabletls13": "disable_tls13",
        "disableocspstapling": "disable_ocsp_stapling",
        "enabletokenbinding": "enable_token_binding",
        "logextendedevents": "log_extended_events",
        "enablesessionticket": "enable_session_ticket",
        "disablesessionid": "disable_session_id",
    }
)

#: netsh selector parameter → :data:`BindingKind` (R-BIND-1, S5).
NETSH_SELECTORS: Final[Mapping[str, BindingKind]] = MappingProxyType(
    {
        "ipport": "ipport",
        "hostnameport": "hostnameport",
        "ccs": "ccs",
    }
)

_FIELD_TO_NETSH: Final = MappingProxyType(
    {field: param for param, field in NETSH_PARAMETERS.items()}
)

#: AppID IIS Express registers its 44300–44399 bindings with (R-IIS-4, S32).
IIS_EXPRESS_APP_ID: Final = "{214124cd-d05b-4309-9af9-9caa44b2b74a}"
#: AppID full IIS registers its bindings with (R-IIS-4, S32).
IIS_APP_ID: Final = "{4dc3e181-e14b-4a21-b022-59fc669b0914}"
#: The ports IIS Express may serve SSL on without admin rights (R-IIS-4, S13).
IIS_EXPRESS_PORTS: Final = range(44300, 44400)

_GUID_RE: Final = re.compile(r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}")
_HEX_RE: Final = re.compile(r"(?:[0-9a-f]{2}){1,64}")
_HOSTNAME_RE: Final = re.compile(r"[^\s:/\\\[\]{}\"',;=]+")
_MAX_DWORD: Final = 0xFFFFFFFF


def _norm_hash(value: object) -> object:
    """Certificate thumbprints are compared case-insensitively; netsh prints lower case."""
    if isinstance(value, str):
        return value.strip().replace(" ", "").lower()
    return value


def _norm_guid(value: object) -> object:
    """AppIDs as netsh prints them: lower case, in braces."""
    if isinstance(value, str):
        value = value.strip().lower()
        if value and not value.startswith("{"):
            value = "{" + value + "}"
    return value


def _split_port(endpoint: str, *, field: str) -> tuple[str, int]:
    host, sep, port_text = endpoint.rpartition(":")
    if not sep or not port_text.isascii() or not port_text.isdigit() or len(port_text) > 5:
        raise InputError(
            f"{endpoint!r} is not HOST:PORT", field=field, hint="e.g. 0.0.0.0:443 or ccs:443"
        )
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise InputError(f"port {port} is out of range 1–65535", field=field)
    return host, port


def _is_ip(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def infer_kind(endpoint: str) -> BindingKind:
    """Guess the selector kind of an endpoint: ``ccs:PORT``, ``IP:PORT`` or ``NAME:PORT``."""
    if endpoint.lower().startswith("ccs:") or endpoint.isdigit():
        return "ccs"
    host = endpoint.rpartition(":")[0]
    return "ipport" if _is_ip(host) else "hostnameport"


def _check_endpoint(kind: str, endpoint: str) -> None:
    if kind not in NETSH_SELECTORS:
        raise InputError(
            f"unknown binding kind {kind!r}", field="kind", hint="ipport, hostnameport or ccs"
        )
    host, _port = _split_port(endpoint, field="endpoint")
    if kind == "ccs":
        if host != "ccs":
            raise InputError(
                f"a ccs binding's endpoint is 'ccs:PORT', not {endpoint!r}", field="endpoint"
            )
    elif kind == "ipport":
        if not _is_ip(host) or (":" in host and not host.startswith("[")):
            raise InputError(
                f"{host!r} is not an IP address",
                field="endpoint",
                hint="ipport is IPv4:PORT or [IPv6]:PORT; use kind hostnameport for names",
            )
    elif not _HOSTNAME_RE.fullmatch(host) or _is_ip(host):
        raise InputError(f"{host!r} is not a host name", field="endpoint")


def _check_optional_text(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value or "\n" in value or "\r" in value:
        raise InputError(f"expected a non-empty one-line string, got {value!r}", field=name)


def _check_optional_dword(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_DWORD:
        raise InputError(f"expected an integer 0–4294967295, got {value!r}", field=name)


@attrs.frozen(kw_only=True)
class SslBinding:
    """One http.sys SSL binding (R-BIND-1, S5 S6); defaults are netsh's defaults.

    Construct directly, from ``DefaultFlags`` (:meth:`from_flags`), from scenario JSON
    (:meth:`from_dict`) or from ``netsh http show sslcert`` output
    (:func:`httpsys_sim.readers._netsh.parse_netsh_sslcert`).
    """

    #: ``IP:PORT`` (``[v6]:PORT``), ``NAME:PORT`` or ``ccs:PORT``.
    endpoint: str = "0.0.0.0:443"
    #: Which netsh selector names the binding (R-BIND-1).
    kind: BindingKind = "ipport"
    #: SHA-1 thumbprint of the server certificate, lower-case hex (netsh ``certhash``).
    certificate_hash: str | None = attrs.field(default=None, converter=_norm_hash)
    #: Owning application's GUID in braces (netsh ``appid``; R-IIS-4 for IIS / IIS Express).
    app_id: str | None = attrs.field(default=None, converter=_norm_guid)
    #: Certificate store of the server certificate (netsh ``certstorename``, default ``MY``).
    cert_store: str | None = "MY"
    #: ``NEGOTIATE_CLIENT_CERT`` 0x2: ask for the client cert in the handshake (R-REQ-1).
    client_cert_negotiation: bool = False
    #: ``USE_DS_MAPPER`` 0x1.
    ds_mapper_usage: bool = False
    #: ``REJECT`` 0x8.
    reject: bool = False
    #: ``DISABLE_HTTP2`` 0x10.
    disable_http2: bool = False
    #: ``DISABLE_QUIC`` 0x20.
    disable_quic: bool = False
    #: ``DISABLE_TLS13`` 0x40 (R-BIND-1; the fallback workaround for the seed scenario).
    disable_tls13: bool = False
    #: ``DISABLE_TLS12`` 0x1000.
    disable_tls12: bool = False
    #: ``DISABLE_LEGACY_TLS`` 0x400 (S7).
    disable_legacy_tls: bool = False
    #: ``DISABLE_OCSP_STAPLING`` 0x80.
    disable_ocsp_stapling: bool = False
    #: ``ENABLE_TOKEN_BINDING`` 0x100.
    enable_token_binding: bool = False
    #: ``LOG_EXTENDED_EVENTS`` 0x200.
    log_extended_events: bool = False
    #: ``ENABLE_SESSION_TICKET`` 0x800.
    enable_session_ticket: bool = False
    #: ``DISABLE_SESSION_ID`` 0x4000.
    disable_session_id: bool = False
    #: ``ENABLE_CACHE_CLIENT_HELLO`` 0x8000 (no netsh parameter).
    enable_cache_client_hello: bool = False
    #: ``NO_RAW_FILTER`` 0x4 (no netsh parameter).
    no_raw_filter: bool = False
    #: ``ENABLE_CLIENT_CORRELATION`` 0x2000 (no netsh parameter).
    enable_client_correlation: bool = False
    #: Check revocation of client certificates (``CertCheckMode`` 0x1 when False).
    verify_client_cert_revocation: bool = True
    #: Revocation from cached data only (``CertCheckMode`` 0x2).
    verify_revocation_with_cached_cert_only: bool = False
    #: ``DefaultRevocationFreshnessTime`` in seconds; not None ⇔ ``CertCheckMode`` 0x4.
    revocation_freshness_time: int | None = None
    #: ``DefaultRevocationUrlRetrievalTimeout`` in milliseconds (None: not set, netsh shows 0).
    url_retrieval_timeout: int | None = None
    #: Check the client certificate's usage (``CertCheckMode`` 0x10000 when False).
    usage_check: bool = True
    #: Certificate trust list identifier (netsh ``sslctlidentifier``).
    ctl_identifier: str | None = None
    #: Store of the certificate trust list (netsh ``sslctlstorename``).
    ctl_store_name: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.endpoint, str):
            raise InputError(f"expected a string, got {self.endpoint!r}", field="endpoint")
        if not isinstance(self.kind, str):
            raise InputError(f"expected a string, got {self.kind!r}", field="kind")
        _check_endpoint(self.kind, self.endpoint)
        for name in (*_FLAG_FIELD_NAMES, "verify_client_cert_revocation", "usage_check"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"expected true or false, got {getattr(self, name)!r}", field=name)
        if not isinstance(self.verify_revocation_with_cached_cert_only, bool):
            raise InputError(
                f"expected true or false, got {self.verify_revocation_with_cached_cert_only!r}",
                field="verify_revocation_with_cached_cert_only",
            )
        if self.certificate_hash is not None and not (
            isinstance(self.certificate_hash, str) and _HEX_RE.fullmatch(self.certificate_hash)
        ):
            raise InputError(
                f"{self.certificate_hash!r} is not a hexadecimal thumbprint",
                field="certificate_hash",
                hint="40 hex digits, as certutil or netsh print it",
            )
        if self.app_id is not None and not (
            isinstance(self.app_id, str) and _GUID_RE.fullmatch(self.app_id)
        ):
            raise InputError(
                f"{self.app_id!r} is not a GUID",
                field="app_id",
                hint="e.g. {214124cd-d05b-4309-9af9-9caa44b2b74a}",
            )
        for name in ("cert_store", "ctl_identifier", "ctl_store_name"):
            _check_optional_text(name, getattr(self, name))
        for name in ("revocation_freshness_time", "url_retrieval_timeout"):
            _check_optional_dword(name, getattr(self, name))

    # -- flags ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port of the endpoint."""
        return int(self.endpoint.rpartition(":")[2])

    @property
    def default_flags(self) -> HttpSysFlag:
        """The binding's ``DefaultFlags`` value (R-BIND-1, S6)."""
        value = 0
        for flag, name in _FLAG_INTS:
            if getattr(self, name):
                value |= flag
        return HttpSysFlag(value)

    @property
    def cert_check_mode(self) -> CertCheckMode:
        """The binding's ``DefaultCertCheckMode`` value (R-BIND-1, S5)."""
        mode = CertCheckMode(0)
        if not self.verify_client_cert_revocation:
            mode |= CertCheckMode.NO_REVOCATION_CHECK
        if self.verify_revocation_with_cached_cert_only:
            mode |= CertCheckMode.CACHED_ONLY
        if self.revocation_freshness_time is not None:
            mode |= CertCheckMode.FRESHNESS_TIME
        if not self.usage_check:
            mode |= CertCheckMode.NO_USAGE_CHECK
        return mode

    @classmethod
    def from_flags(cls, flags: int, cert_check_mode: int = 0, **other: Any) -> SslBinding:
        """A binding from raw ``DefaultFlags`` / ``DefaultCertCheckMode`` integers (R-REQ-1, S38).

        Unknown bits are dropped (``from_flags(x).default_flags == x & all known bits``).
        ``other`` holds the remaining fields (``endpoint``, ``certificate_hash``, …); fields
        that the two integers already decide may not be repeated there.
        """
        for name, value in (("flags", flags), ("cert_check_mode", cert_check_mode)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= _MAX_DWORD
            ):
                raise InputError(f"expected an integer 0–4294967295, got {value!r}", field=name)
        decided = _FLAG_FIELD_NAMES | (_CHECK_MODE_FIELD_NAMES - {"revocation_freshness_time"})
        clash = sorted(decided & other.keys())
        if clash:
            raise InputError(
                f"{', '.join(clash)} given together with the flag integers",
                field=clash[0],
                hint="give either the integers or the individual settings",
            )
        kwargs: dict[str, Any] = {name: bool(flags & flag) for flag, name in _FLAG_FIELDS}
        mode = CertCheckMode(cert_check_mode & _ALL_CHECK_MODES)
        kwargs["verify_client_cert_revocation"] = not mode & CertCheckMode.NO_REVOCATION_CHECK
        kwargs["verify_revocation_with_cached_cert_only"] = bool(mode & CertCheckMode.CACHED_ONLY)
        kwargs["usage_check"] = not mode & CertCheckMode.NO_USAGE_CHECK
        freshness = other.pop("revocation_freshness_time", None)
        if mode & CertCheckMode.FRESHNESS_TIME:
            kwargs["revocation_freshness_time"] = 0 if freshness is None else freshness
        elif freshness is not None:
            raise InputError(
                "revocation_freshness_time given but cert_check_mode lacks FRESHNESS_TIME (0x4)",
                field="revocation_freshness_time",
            )
        kwargs.update(other)
        return cls(**kwargs)

    # -- netsh ------------------------------------------------------------------------

    def _selector(self) -> str:
        if self.kind == "ccs":
            return f"ccs={self.port}"
        return f"{self.kind}={self.endpoint}"

    def _netsh_value(self, field: str, *, force: bool = False) -> str | None:
        """The netsh rendering of ``field``; None when at netsh's default (unless forced)."""
        value = getattr(self, field)
        default = _FIELD_DEFAULTS[field]
        if isinstance(value, bool):
            if value == default and not force:
                return None
            return "enable" if value else "disable"
        if value is None or (value == default and not force):
            return None
        text = str(value)
        return f'"{text}"' if any(c.isspace() for c in text) else text

    def _netsh_params(self, force: frozenset[str] = frozenset()) -> list[str]:
        parts: list[str] = []
        for param, field in NETSH_PARAMETERS.items():
            # SNI bindings need certstorename spelled out (S5).
            sni_store = field == "cert_store" and self.kind == "hostnameport"
            value = self._netsh_value(field, force=field in force or sni_store)
            if value is not None:
                parts.append(f"{param}={value}")
        return parts

    def netsh_add_command(self) -> str:
        """``netsh http add sslcert …`` creating this binding (only non-default parameters; S5).

        ``no_raw_filter``, ``enable_client_correlation`` and ``enable_cache_client_hello``
        have no netsh parameter and cannot appear in the command.
        """
        return " ".join(["netsh http add sslcert", self._selector(), *self._netsh_params()])

    def netsh_update_command(self, **changes: Any) -> str:
        """``netsh http update sslcert …`` turning this binding into ``evolve(self, **changes)``.

        ``changes`` are field names with Python values (``client_cert_negotiation=True``) or
        netsh parameter names with netsh values (``clientcertnegotiation="enable"``).  The
        command repeats ``certhash``/``appid`` and every non-default setting, so it is right
        whether a build merges the update into the binding or replaces it (S1, S5).
        """
        fields: dict[str, Any] = {}
        for key, value in changes.items():
            field = NETSH_PARAMETERS.get(key.lower(), key)
            if field not in _FIELD_TO_NETSH:
                raise InputError(
                    f"{key!r} cannot be changed with netsh http update sslcert",
                    field=key,
                    hint="one of " + ", ".join(NETSH_PARAMETERS),
                )
            if isinstance(value, str) and isinstance(_FIELD_DEFAULTS[field], bool):
                lowered = value.lower()
                if lowered not in ("enable", "disable"):
                    raise InputError(f"expected enable or disable, got {value!r}", field=key)
                value = lowered == "enable"
            fields[field] = value
        new = attrs.evolve(self, **fields)
        force = frozenset(fields) | {"certificate_hash", "app_id"}
        return " ".join(["netsh http update sslcert", new._selector(), *new._netsh_params(force)])

    # -- JSON -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario JSON's ``binding`` object, every field spelled out."""
        return {f.name: getattr(self, f.name) for f in attrs.fields(SslBinding)}

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, file: str | None = None, prefix: str = "server.binding"
    ) -> SslBinding:
        """Read a scenario JSON ``binding`` object; every key optional (netsh defaults).

        ``flags`` (the integer ``DefaultFlags``) and ``cert_check_mode`` may replace the
        booleans.  ``kind`` is inferred from ``endpoint`` when missing.  Unknown keys and
        bad values raise :class:`InputError` with ``field="<prefix>.<key>"``.
        """
        if not isinstance(data, Mapping):
            raise InputError("expected an object", file=file, field=prefix)
        known = _FIELD_DEFAULTS.keys() | {"flags", "cert_check_mode"}
        for key in data:
            if key not in known:
                raise InputError(
                    f"unknown key {key!r}",
                    file=file,
                    field=f"{prefix}.{key}",
                    hint="one of " + ", ".join(sorted(known)),
                )
        kwargs = dict(data)
        endpoint = kwargs.get("endpoint")
        if "kind" not in kwargs and isinstance(endpoint, str):
            kwargs["kind"] = infer_kind(endpoint)
        if kwargs.get("kind") == "ccs" and isinstance(endpoint, str) and endpoint.isdigit():
            kwargs["endpoint"] = f"ccs:{endpoint}"
        try:
            if "flags" in kwargs or "cert_check_mode" in kwargs:
                flags = kwargs.pop("flags", None)
                mode = kwargs.pop("cert_check_mode", None)
                if flags is None:
                    flags = 0
                    for flag, name in _FLAG_FIELDS:
                        if _pop_bool(kwargs, name, default=False):
                            flags |= flag
                if mode is None:
                    mode = _mode_from_kwargs(kwargs)
                return cls.from_flags(flags, mode, **kwargs)
            return cls(**kwargs)
        except InputError as exc:
            field = exc.field if exc.field in known else None
            raise InputError(
                exc.message,
                file=file,
                field=f"{prefix}.{field}" if field else prefix,
                hint=exc.hint,
            ) from None


def _pop_bool(kwargs: dict[str, Any], name: str, *, default: bool) -> bool:
    value = kwargs.pop(name, default)
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", field=name)
    return value


def _mode_from_kwargs(kwargs: dict[str, Any]) -> int:
    """``cert_check_mode`` from the individual settings, removing them from ``kwargs``."""
    mode = CertCheckMode(0)
    if not _pop_bool(kwargs, "verify_client_cert_revocation", default=True):
        mode |= CertCheckMode.NO_REVOCATION_CHECK
    if _pop_bool(kwargs, "verify_revocation_with_cached_cert_only", default=False):
        mode |= CertCheckMode.CACHED_ONLY
    if kwargs.get("revocation_freshness_time") is not None:
        mode |= CertCheckMode.FRESHNESS_TIME
    if not _pop_bool(kwargs, "usage_check", default=True):
        mode |= CertCheckMode.NO_USAGE_CHECK
    return int(mode)


_FIELD_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {f.name: f.default for f in attrs.fields(SslBinding)}
)


def iis_express_binding(port: int = 44300) -> SslBinding:
    """The binding IIS Express's installer registers on ``0.0.0.0:PORT`` (R-IIS-4, S13 S32).

    Only ports 44300–44399 exist; ``clientcertnegotiation`` is disabled (the seed case).
    The IIS Express Development Certificate's thumbprint differs per machine, so
    ``certificate_hash`` is None.
    """
    if isinstance(port, bool) or not isinstance(port, int) or port not in IIS_EXPRESS_PORTS:
        raise InputError(
            f"IIS Express has no pre-registered SSL binding on port {port!r}",
            field="port",
            hint="IIS Express serves SSL on 44300–44399 only (R-IIS-4)",
        )
    return SslBinding(endpoint=f"0.0.0.0:{port}", kind="ipport", app_id=IIS_EXPRESS_APP_ID)
