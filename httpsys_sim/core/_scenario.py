"""The input of a simulation: a frozen :class:`Scenario` and its JSON form (docs/formats.md).

A scenario says which Windows release serves, how http.sys, IIS (or IIS Express) and
Schannel are set up, which client asks (a catalogue profile, with capability overrides), what
certificate it holds, and what it requests.  ``Scenario.from_json`` is strict: unknown keys,
wrong types and unknown ids are :class:`~httpsys_sim.errors.InputError` naming file, line
and field.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from httpsys_sim._jsonin import Fields, JsonSource, load_json, load_mapping
from httpsys_sim.catalogue._clients import CLIENTS, H11RetryPolicy, client_ids
from httpsys_sim.errors import InputError, quote
from httpsys_sim.tls import AlertLevel, CertState, RenegotiationAnswer, TlsVersion
from httpsys_sim.windows._binding import IIS_APP_ID, SslBinding, iis_express_binding
from httpsys_sim.windows._certchecks import (
    MappingSetup,
    RevocationSetup,
    TrustSetup,
    read_object,
)
from httpsys_sim.windows._hosts import (
    HOST_SETTINGS,
    ClientCertificateMethod,
    ClientCertificateMode,
    check_host_settings,
)
from httpsys_sim.windows._iis import (
    UPLOAD_READ_AHEAD_DEFAULT,
    AccessSslFlag,
    Host,
    SiteBindingSslFlag,
    access_flag_names,
    parse_access_ssl_flags,
)
from httpsys_sim.windows._releases import RELEASES, LateDemandPolicy, Release, get_release
from httpsys_sim.windows._schannel import SchannelSettings

__all__ = [
    "CLIENT_OVERRIDES",
    "ClientSetup",
    "Request",
    "Scenario",
    "ServerSetup",
    "default_binding",
]

_SEED_RELEASE = "win11-24h2"
_NO_SITE_FLAGS = SiteBindingSslFlag(0)


def default_binding(host: Host) -> SslBinding:
    """The binding a host serves from when none is given: IIS Express's pre-registered
    ``0.0.0.0:44300`` (R-IIS-4) or full IIS's ``0.0.0.0:443``."""
    if host is Host.IIS_EXPRESS:
        return iis_express_binding()
    if host in (Host.ASPNETCORE_HTTPSYS, Host.KESTREL):
        # The HTTP.sys server's binding carries the application's own AppID; Kestrel has
        # no http.sys binding at all and only borrows the endpoint.
        return SslBinding(endpoint="0.0.0.0:443", kind="ipport")
    return SslBinding(endpoint="0.0.0.0:443", kind="ipport", app_id=IIS_APP_ID)


#: Longest request path accepted (docs/formats.md#limits).
MAX_PATH = 4096
#: Longest HTTP method accepted.
MAX_METHOD = 32
#: Largest request body size accepted (2**53, the largest integer JSON keeps exactly).
MAX_BODY_BYTES = 2**53


def _upper(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"request.method must be str, not {type(value).__name__}")
    return value.upper()


def _tls_range_clash(min_tls: TlsVersion | None, max_tls: TlsVersion | None) -> str | None:
    """Why the ``min_tls`` and ``max_tls`` overrides cannot both hold, or None."""
    if min_tls is None or max_tls is None or min_tls.rank <= max_tls.rank:
        return None
    return f"min_tls {min_tls.value} is above max_tls {max_tls.value}"


def _opt_version(value: TlsVersion | str | None) -> TlsVersion | None:
    if value is None or isinstance(value, TlsVersion):
        return value
    return TlsVersion.parse(value)


def _opt_tuple(value: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _opt_answer(value: RenegotiationAnswer | str | None) -> RenegotiationAnswer | None:
    return None if value is None else RenegotiationAnswer(value)


def _opt_level(value: AlertLevel | str | int | None) -> AlertLevel | None:
    if value is None or isinstance(value, AlertLevel):
        return value
    if isinstance(value, str):
        return AlertLevel[value.upper()]
    return AlertLevel(value)


def _opt_retry(value: H11RetryPolicy | str | None) -> H11RetryPolicy | None:
    return None if value is None else H11RetryPolicy(value)


def _release(value: Release | str) -> Release:
    return value if isinstance(value, Release) else get_release(value)


def _opt_method(value: ClientCertificateMethod | str | None) -> ClientCertificateMethod | None:
    return None if value is None else ClientCertificateMethod(value)


def _opt_mode(value: ClientCertificateMode | str | None) -> ClientCertificateMode | None:
    return None if value is None else ClientCertificateMode(value)


def _flags(value: AccessSslFlag | int | str) -> AccessSslFlag:
    if isinstance(value, AccessSslFlag):
        return value
    return parse_access_ssl_flags(value)


#: The defaults of a server set-up's parts: frozen values, so every set-up can share them.
_DEFAULT_SCHANNEL = SchannelSettings()
_DEFAULT_REVOCATION = RevocationSetup()
_DEFAULT_TRUST = TrustSetup()
_DEFAULT_MAPPING = MappingSetup()


@attrs.frozen(kw_only=True)
class ServerSetup:
    """The Windows side: release, host, http.sys binding, IIS access flags, Schannel."""

    #: The Windows release (a catalogue id, product name or build is accepted and resolved).
    release: Release = attrs.field(factory=lambda: get_release(_SEED_RELEASE), converter=_release)
    host: Host = attrs.field(default=Host.IIS_EXPRESS, converter=Host)
    #: The http.sys SSL binding that serves the site (R-BIND-1); by default the one the
    #: host uses (:func:`default_binding`).
    binding: SslBinding = attrs.field(
        default=attrs.Factory(lambda self: default_binding(self.host), takes_self=True)
    )
    #: ``<access sslFlags>`` in effect for the requested path (R-IIS-1).
    access_ssl_flags: AccessSslFlag = attrs.field(
        default=AccessSslFlag.SSL_NEGOTIATE_CERT, converter=_flags
    )
    schannel: SchannelSettings = attrs.field(default=_DEFAULT_SCHANNEL)
    #: http.sys ``EnableHttp3`` registry switch (R-REQ-2 HTTP/3 row, S37).
    http3: bool = False
    #: IIS site binding ``sslFlags`` (R-IIS-3); IIS pushes them into the http.sys binding.
    site_binding_ssl_flags: SiteBindingSslFlag = attrs.field(
        default=_NO_SITE_FLAGS, converter=SiteBindingSslFlag
    )
    #: IIS ``serverRuntime/@uploadReadAheadSize`` (R-IIS-5: 413 when renegotiating).
    upload_read_ahead_size: int = UPLOAD_READ_AHEAD_DEFAULT
    #: ``aspnetcore-httpsys`` only: ``HttpSysOptions.ClientCertificateMethod``; ``None`` is
    #: the default, ``AllowCertificate`` (R-HTTPSYS-1).
    client_certificate_method: ClientCertificateMethod | None = attrs.field(
        default=None, converter=_opt_method
    )
    #: ``kestrel`` only: ``ClientCertificateMode``; ``None`` is the default, ``NoCertificate``
    #: (R-KESTREL-1).
    client_certificate_mode: ClientCertificateMode | None = attrs.field(
        default=None, converter=_opt_mode
    )
    #: Whether the client certificate's CRL / OCSP endpoints answer (R-IIS-7.revocation-offline).
    revocation: RevocationSetup = attrs.field(default=_DEFAULT_REVOCATION)
    #: Trust lists and Schannel's trust settings (R-IIS-7.trust-root, R-IIS-7.trust-list).
    trust: TrustSetup = attrs.field(default=_DEFAULT_TRUST)
    #: IIS client-certificate mapping (R-IIS-7.mapping).
    mapping: MappingSetup = attrs.field(default=_DEFAULT_MAPPING)
    #: A native IIS module calls ``IHttpRequest::NegotiateClientCertificate`` for the path,
    #: whatever the access flags say (R-IIS-8, S54).
    native_negotiate_module: bool = False

    def __attrs_post_init__(self) -> None:
        given = set()
        if self.client_certificate_method is not None:
            given.add("client_certificate_method")
        if self.client_certificate_mode is not None:
            given.add("client_certificate_mode")
        if given:
            check_host_settings(self.host, given, prefix="server")

    @property
    def certificate_method(self) -> ClientCertificateMethod:
        """The HTTP.sys server's method in effect (its default when unset)."""
        return self.client_certificate_method or ClientCertificateMethod.ALLOW_CERTIFICATE

    @property
    def certificate_mode(self) -> ClientCertificateMode:
        """Kestrel's mode in effect (its default when unset)."""
        return self.client_certificate_mode or ClientCertificateMode.NO_CERTIFICATE


@attrs.frozen(kw_only=True)
class ClientSetup:
    """The client: a catalogue profile, its certificate, and optional capability overrides.

    Every override left at ``None`` keeps the profile's value (and its sources).
    """

    profile: str = attrs.field(default="edge")
    certificate: CertState = attrs.field(default=CertState.VALID, converter=CertState)
    max_tls: TlsVersion | None = attrs.field(default=None, converter=_opt_version)
    min_tls: TlsVersion | None = attrs.field(default=None, converter=_opt_version)
    alpn: tuple[str, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    http3: bool | None = None
    offers_pha: bool | None = None
    renegotiation_http11: RenegotiationAnswer | None = attrs.field(
        default=None, converter=_opt_answer
    )
    renegotiation_h2: RenegotiationAnswer | None = attrs.field(default=None, converter=_opt_answer)
    refusal_level: AlertLevel | None = attrs.field(default=None, converter=_opt_level)
    secure_renegotiation: bool | None = None
    on_http_1_1_required: H11RetryPolicy | None = attrs.field(default=None, converter=_opt_retry)

    def __attrs_post_init__(self) -> None:
        clash = _tls_range_clash(self.min_tls, self.max_tls)
        if clash is not None:
            raise InputError(
                clash,
                field="client.min_tls",
                hint="no TLS version is left to offer; lower min_tls or raise max_tls",
            )

    @profile.validator
    def _known(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"client.profile must be str, not {type(value).__name__}")
        if value not in CLIENTS:
            raise InputError(
                f"unknown client profile {quote(value)}",
                field="client.profile",
                hint="one of " + ", ".join(client_ids()),
            )


@attrs.frozen(kw_only=True)
class Request:
    """The HTTP request the client sends."""

    method: str = attrs.field(default="GET", converter=_upper)
    path: str = attrs.field(default="/")
    body_bytes: int = attrs.field(default=0)
    #: ``https`` normally; ``http`` reaches the site over plain HTTP (403.4 when ``Ssl``).
    scheme: Literal["https", "http"] = "https"

    @method.validator
    def _check_method(self, _: attrs.Attribute[str], value: str) -> None:
        if len(value) > MAX_METHOD or not (value.isascii() and value.isalpha()):
            raise InputError(
                f"{quote(value)} is not an HTTP method", field="request.method", hint="e.g. GET"
            )

    @path.validator
    def _check_path(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"request.path must be str, not {type(value).__name__}")
        if len(value) > MAX_PATH:
            raise InputError(
                f"a path of {len(value)} characters is too long: {quote(value)}",
                field="request.path",
                hint=f"at most {MAX_PATH} characters (docs/formats.md#limits)",
            )

    @body_bytes.validator
    def _check_body(self, _: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"request.body_bytes must be int, not {type(value).__name__}")
        if not 0 <= value <= MAX_BODY_BYTES:
            raise InputError(
                f"{value} is out of range",
                field="request.body_bytes",
                hint=f"between 0 and {MAX_BODY_BYTES}",
            )


def _changes(mine: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``mine`` whose values differ from ``base``'s, nested objects compared
    key by key (a scenario document's missing keys take the seed's values)."""
    out: dict[str, Any] = {}
    for key, value in mine.items():
        theirs = base.get(key)
        if isinstance(value, dict) and isinstance(theirs, dict) and key != "release":
            inner = _changes(value, theirs)
            if inner:
                out[key] = inner
        elif value != theirs:
            out[key] = value
    return out


@attrs.frozen(kw_only=True, repr=False, cache_hash=True)
class Scenario:
    """Everything one simulation needs.  Frozen and hashable; derive variants with
    :func:`attrs.evolve` or :meth:`with_release` / :meth:`with_client`."""

    server: ServerSetup = attrs.field(
        factory=ServerSetup, validator=attrs.validators.instance_of(ServerSetup)
    )
    client: ClientSetup = attrs.field(
        factory=ClientSetup, validator=attrs.validators.instance_of(ClientSetup)
    )
    request: Request = attrs.field(factory=Request, validator=attrs.validators.instance_of(Request))

    # --- built-in scenarios ----------------------------------------------------------
    @classmethod
    def seed(cls, release: str | Release = _SEED_RELEASE) -> Scenario:
        """The seed case (docs/tutorial.md): IIS Express, ``SslNegotiateCert``, the
        pre-registered 44300 binding without ``clientcertnegotiation``, Edge with a valid
        certificate — on Windows 11 24H2 unless another release is named."""
        return cls(server=ServerSetup(release=_release(release)))

    def with_release(self, release: str | Release) -> Scenario:
        """This scenario on another release."""
        return attrs.evolve(self, server=attrs.evolve(self.server, release=_release(release)))

    def with_client(self, profile: str, certificate: CertState | str | None = None) -> Scenario:
        """This scenario with another client profile (overrides kept) and certificate."""
        cert = self.client.certificate if certificate is None else CertState(certificate)
        return attrs.evolve(
            self, client=attrs.evolve(self.client, profile=profile, certificate=cert)
        )

    def with_binding(self, **changes: Any) -> Scenario:
        """This scenario with http.sys binding fields changed (e.g. ``disable_tls13=True``)."""
        binding = attrs.evolve(self.server.binding, **changes)
        return attrs.evolve(self, server=attrs.evolve(self.server, binding=binding))

    def __repr__(self) -> str:
        """What differs from the seed, as Python that rebuilds this scenario."""
        seed = Scenario.seed()
        if self == seed:
            return "Scenario.seed()"
        if self == Scenario.seed(self.server.release) and self.server.release.id in RELEASES:
            return f"Scenario.seed({self.server.release.id!r})"
        return f"Scenario.from_dict({_changes(self.to_dict(), seed.to_dict())!r})"

    # --- JSON ------------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes, *, filename: str = "<scenario>") -> Scenario:
        """Parse a scenario document; bad input raises :class:`InputError`."""
        value, source = load_json(text, filename)
        return _read_scenario(value, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, filename: str = "<scenario>") -> Scenario:
        """Build from an already-parsed scenario document."""
        value, source = load_mapping(data, filename)
        return _read_scenario(value, source)

    def to_dict(self) -> dict[str, Any]:
        """The canonical scenario document (every field written out)."""
        s, c, r = self.server, self.client, self.request
        release: Any = s.release.id
        if s.release.user_defined:
            release = _release_to_dict(s.release)
        client: dict[str, Any] = {"profile": c.profile, "certificate": c.certificate.value}
        for name in CLIENT_OVERRIDES:
            value = getattr(c, name)
            if value is not None:
                client[name] = _plain(value)
        server: dict[str, Any] = {
            "release": release,
            "host": s.host.value,
            "binding": s.binding.to_dict(),
            "access_ssl_flags": list(access_flag_names(s.access_ssl_flags)) or ["None"],
            "schannel": s.schannel.to_dict(),
            "http3": s.http3,
            "site_binding_ssl_flags": int(s.site_binding_ssl_flags),
            "upload_read_ahead_size": s.upload_read_ahead_size,
            "client_certificate_method": s.certificate_method.value,
            "client_certificate_mode": s.certificate_mode.value,
        }
        # The certificate checks are written only when set (older documents stay as they were).
        for name in ("revocation", "trust", "mapping"):
            value = getattr(s, name).to_dict()
            if value:
                server[name] = value
        if s.native_negotiate_module:
            server["native_negotiate_module"] = True
        valid = HOST_SETTINGS[s.host]
        return {
            "server": {key: value for key, value in server.items() if key in valid},
            "client": client,
            "request": {
                "method": r.method,
                "path": r.path,
                "body_bytes": r.body_bytes,
                "scheme": r.scheme,
            },
        }

    def to_json(self) -> str:
        """Deterministic JSON of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def describe(self, *, release: bool = True, client: bool = True) -> str:
        """One line: release, host, flags, binding switches, client (each part optional)."""
        s, c = self.server, self.client
        flags = ",".join(access_flag_names(s.access_ssl_flags)) or "None"
        switches = [
            name
            for name in (
                "client_cert_negotiation",
                "disable_tls13",
                "disable_http2",
                "disable_tls12",
            )
            if getattr(s.binding, name)
        ]
        extra = f" [{' '.join(switches)}]" if switches else ""
        where = f"{s.release.product} · " if release else ""
        who = f"{c.profile} with" if client else "clients with"
        setup = f"binding {s.binding.endpoint} · sslFlags={flags}{extra}"
        if s.host is Host.ASPNETCORE_HTTPSYS:
            setup = (
                f"binding {s.binding.endpoint}{extra} · "
                f"ClientCertificateMethod={s.certificate_method.value}"
            )
        elif s.host is Host.KESTREL:
            setup = f"ClientCertificateMode={s.certificate_mode.value}"
        return (
            f"{where}{s.host.value} · {setup} · "
            f"{who} {c.certificate.value} certificate · {self.request.method} "
            f"{self.request.path}"
        )


#: The :class:`ClientSetup` fields that override a profile's capabilities.
CLIENT_OVERRIDES = (
    "max_tls",
    "min_tls",
    "alpn",
    "http3",
    "offers_pha",
    "renegotiation_http11",
    "renegotiation_h2",
    "refusal_level",
    "secure_renegotiation",
    "on_http_1_1_required",
)


def _plain(value: object) -> object:
    if isinstance(value, AlertLevel):
        return value.name.lower()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _release_to_dict(release: Release) -> dict[str, Any]:
    return {
        "id": release.id,
        "based_on": release.based_on,
        "product": release.product,
        "build": release.build,
        "server": release.server,
        "tls13": release.tls13,
        "legacy_tls_default": release.legacy_tls_default,
        "http2": release.http2,
        "late_demand_tls13": release.late_demand_tls13.value,
        "site_binding_negotiate_flag": release.site_binding_negotiate_flag,
    }


def _located(source: JsonSource, exc: InputError) -> InputError:
    """Point an error raised by a value class at its place in the file."""
    field = exc.field or ""
    return InputError(
        exc.message,
        file=source.filename,
        line=source.line_of(field) if field else None,
        field=exc.field,
        hint=exc.hint,
    )


def _read_release(f: Fields) -> Release:
    raw = f.raw("release")
    if raw is None:
        return get_release(_SEED_RELEASE)
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        try:
            return get_release(raw)
        except InputError as exc:
            f.error("release", exc.message, exc.hint)
    rel = Fields(raw, f"{f.path}.release", f.source)
    rid = rel.string("id")
    base = rel.string("based_on", "win11-24h2")
    if base not in RELEASES:
        rel.error("based_on", f"unknown release {quote(base)}", "one of " + ", ".join(RELEASES))
    policy: dict[str, Any] = {}
    if rel.has("product"):
        policy["product"] = rel.string("product")
    if rel.has("build"):
        policy["build"] = rel.integer("build", 0, minimum=1, maximum=10**6)
    for name in ("server", "tls13", "legacy_tls_default", "http2", "site_binding_negotiate_flag"):
        value = rel.opt_boolean(name)
        if value is not None:
            policy[name] = value
    if rel.has("late_demand_tls13"):
        policy["late_demand_tls13"] = rel.choice(
            "late_demand_tls13",
            LateDemandPolicy,
            [p.value for p in LateDemandPolicy],
            LateDemandPolicy.NOT_SUPPORTED,
        )
    rel.done()
    return Release.custom(rid, based_on=base, **policy)


def _read_server(f: Fields) -> ServerSetup:
    source = f.source
    release = _read_release(f)
    host = f.choice("host", Host, [h.value for h in Host], Host.IIS_EXPRESS)
    present = {key for key in f.data if key in _ALL_SERVER_KEYS and f.data[key] is not None}
    try:
        check_host_settings(host, present, prefix=f.path)
    except InputError as exc:
        raise _located(source, exc) from None
    binding_raw = f.raw("binding")
    try:
        binding = (
            default_binding(host)
            if binding_raw is None
            else SslBinding.from_dict(binding_raw, file=source.filename, prefix=f"{f.path}.binding")
        )
    except InputError as exc:
        raise _located(source, exc) from None
    if binding_raw is not None and isinstance(binding_raw, dict) and "endpoint" not in binding_raw:
        default = default_binding(host)
        binding = attrs.evolve(
            binding, endpoint=default.endpoint, app_id=binding.app_id or default.app_id
        )
    flags_raw = f.raw("access_ssl_flags")
    try:
        flags = (
            AccessSslFlag.SSL_NEGOTIATE_CERT
            if flags_raw is None
            else parse_access_ssl_flags(flags_raw, field=f"{f.path}.access_ssl_flags")
        )
    except InputError as exc:
        raise _located(source, exc) from None
    schannel_raw = f.raw("schannel")
    try:
        schannel = (
            SchannelSettings()
            if schannel_raw is None
            else SchannelSettings.from_dict(
                schannel_raw, file=source.filename, prefix=f"{f.path}.schannel"
            )
        )
    except InputError as exc:
        raise _located(source, exc) from None
    http3 = f.boolean("http3", False)
    site_flags = f.integer("site_binding_ssl_flags", 0, minimum=0, maximum=255)
    upload = f.integer("upload_read_ahead_size", UPLOAD_READ_AHEAD_DEFAULT, maximum=2**31 - 1)
    checks: dict[str, Any] = {}
    for key, cls in (
        ("revocation", RevocationSetup),
        ("trust", TrustSetup),
        ("mapping", MappingSetup),
    ):
        raw = f.raw(key)
        if key == "revocation" and isinstance(raw, dict) and "check" in raw:
            raw = dict(raw)
            check = raw.pop("check")
            if not isinstance(check, bool):
                f.error("revocation", f"check: expected true or false, got {check!r}")
            explicit = isinstance(binding_raw, dict) and (
                "verify_client_cert_revocation" in binding_raw or "cert_check_mode" in binding_raw
            )
            if explicit and binding.verify_client_cert_revocation is not check:
                f.error(
                    "revocation",
                    "check contradicts the binding's verify_client_cert_revocation",
                    "give it in one place",
                )
            binding = attrs.evolve(binding, verify_client_cert_revocation=check)
        if raw is not None:
            try:
                checks[key] = read_object(cls, raw, prefix=f"{f.path}.{key}", file=source.filename)
            except InputError as exc:
                raise _located(source, exc) from None
    native = f.boolean("native_negotiate_module", False)
    method = f.choice(
        "client_certificate_method",
        ClientCertificateMethod,
        [m.value for m in ClientCertificateMethod],
        None,
    )
    mode = f.choice(
        "client_certificate_mode",
        ClientCertificateMode,
        [m.value for m in ClientCertificateMode],
        None,
    )
    f.done()
    return ServerSetup(
        release=release,
        host=host,
        binding=binding,
        access_ssl_flags=flags,
        schannel=schannel,
        http3=http3,
        site_binding_ssl_flags=SiteBindingSslFlag(site_flags),
        upload_read_ahead_size=upload,
        client_certificate_method=method,
        client_certificate_mode=mode,
        native_negotiate_module=native,
        **checks,
    )


#: Every key a ``server`` object may have for some host (the rest are unknown keys).
_ALL_SERVER_KEYS = frozenset(key for keys in HOST_SETTINGS.values() for key in keys)


def _answer(f: Fields, key: str) -> RenegotiationAnswer | None:
    if not f.has(key):
        f.raw(key)
        return None
    return f.choice(
        key, RenegotiationAnswer, [a.value for a in RenegotiationAnswer], RenegotiationAnswer.ACCEPT
    )


def _version(f: Fields, key: str) -> TlsVersion | None:
    if not f.has(key):
        f.raw(key)
        return None
    return f.choice(key, TlsVersion.parse, [v.value for v in TlsVersion], TlsVersion.TLS13)


def _read_client(f: Fields) -> ClientSetup:
    profile = f.string("profile", "edge")
    if profile not in CLIENTS:
        f.error(
            "profile", f"unknown client profile {quote(profile)}", "one of " + ", ".join(CLIENTS)
        )
    certificate = f.choice("certificate", CertState, [c.value for c in CertState], CertState.VALID)
    alpn_raw = f.raw("alpn")
    alpn: tuple[str, ...] | None = None
    if alpn_raw is not None:
        if not isinstance(alpn_raw, list) or not all(isinstance(p, str) for p in alpn_raw):
            f.error("alpn", "expected a list of protocol ids", 'e.g. ["h2", "http/1.1"]')
        alpn = tuple(alpn_raw)
    level: AlertLevel | None = None
    if f.has("refusal_level"):
        level = f.choice(
            "refusal_level", lambda v: AlertLevel[v.upper()], ["warning", "fatal"], AlertLevel.FATAL
        )
    else:
        f.raw("refusal_level")
    retry: H11RetryPolicy | None = None
    if f.has("on_http_1_1_required"):
        retry = f.choice(
            "on_http_1_1_required",
            H11RetryPolicy,
            [p.value for p in H11RetryPolicy],
            H11RetryPolicy.RETRY,
        )
    else:
        f.raw("on_http_1_1_required")
    max_tls = _version(f, "max_tls")
    min_tls = _version(f, "min_tls")
    clash = _tls_range_clash(min_tls, max_tls)
    if clash is not None:
        f.error(
            "min_tls",
            clash,
            "no TLS version is left to offer; lower min_tls or raise max_tls",
        )
    if alpn is not None:
        for index, proto in enumerate(alpn):
            if not 0 < len(proto.encode("utf-8", "surrogatepass")) <= 255:
                f.error(f"alpn[{index}]", "an ALPN protocol id is 1 to 255 bytes")
        if len(set(alpn)) != len(alpn):
            twice = next(p for p in alpn if alpn.count(p) > 1)
            f.error("alpn", f"{quote(twice)} is listed twice", "list each protocol once")
    setup = ClientSetup(
        profile=profile,
        certificate=certificate,
        max_tls=max_tls,
        min_tls=min_tls,
        alpn=alpn,
        http3=f.opt_boolean("http3"),
        offers_pha=f.opt_boolean("offers_pha"),
        renegotiation_http11=_answer(f, "renegotiation_http11"),
        renegotiation_h2=_answer(f, "renegotiation_h2"),
        refusal_level=level,
        secure_renegotiation=f.opt_boolean("secure_renegotiation"),
        on_http_1_1_required=retry,
    )
    f.done()
    return setup


def _read_request(f: Fields) -> Request:
    method = f.string("method", "GET")
    if len(method) > MAX_METHOD or not method.isascii() or not method.isalpha():
        f.error("method", f"{quote(method)} is not an HTTP method", "e.g. GET or POST")
    path = f.string("path", "/")
    if not path.startswith("/"):
        f.error("path", f"{quote(path)} does not start with '/'", "e.g. /admin")
    if len(path) > MAX_PATH:
        f.error(
            "path",
            f"a path of {len(path)} characters is too long: {quote(path)}",
            f"at most {MAX_PATH} characters (docs/formats.md#limits)",
        )
    body = f.integer("body_bytes", 0, maximum=MAX_BODY_BYTES)
    scheme = f.string("scheme", "https")
    if scheme not in ("https", "http"):
        f.error("scheme", f"unknown scheme {quote(scheme)}", "https or http")
    f.done()
    return Request(method=method.upper(), path=path, body_bytes=body, scheme=scheme)  # type: ignore[arg-type]


def _read_scenario(value: object, source: JsonSource) -> Scenario:
    top = Fields(value, "", source)
    server = _read_server(top.obj("server"))
    client = _read_client(top.obj("client"))
    request = _read_request(top.obj("request"))
    top.done()
    return Scenario(server=server, client=client, request=request)
