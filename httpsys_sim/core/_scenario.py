"""The input of a simulation: a frozen :class:`Scenario` and its JSON form (contract §2.1).

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

from httpsys_sim._jsonin import Fields, JsonSource, load_json
from httpsys_sim.catalogue._clients import CLIENTS, H11RetryPolicy, client_ids
from httpsys_sim.errors import InputError
from httpsys_sim.tls.machine import RenegotiationAnswer
from httpsys_sim.tls.messages import CertState
from httpsys_sim.tls.vocabulary import AlertLevel, TlsVersion
from httpsys_sim.windows._binding import IIS_APP_ID, SslBinding, iis_express_binding
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
    return SslBinding(endpoint="0.0.0.0:443", kind="ipport", app_id=IIS_APP_ID)


def _upper(value: str) -> str:
    return value.upper()


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


def _flags(value: AccessSslFlag | int | str) -> AccessSslFlag:
    if isinstance(value, AccessSslFlag):
        return value
    return parse_access_ssl_flags(value)


@attrs.frozen(kw_only=True, cache_hash=True)
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
    schannel: SchannelSettings = attrs.field(factory=SchannelSettings)
    #: http.sys ``EnableHttp3`` registry switch (R-REQ-2 HTTP/3 row, S37).
    http3: bool = False
    #: IIS site binding ``sslFlags`` (R-IIS-3); IIS pushes them into the http.sys binding.
    site_binding_ssl_flags: SiteBindingSslFlag = attrs.field(
        default=_NO_SITE_FLAGS, converter=SiteBindingSslFlag
    )
    #: IIS ``serverRuntime/@uploadReadAheadSize`` (R-IIS-5: 413 when renegotiating).
    upload_read_ahead_size: int = UPLOAD_READ_AHEAD_DEFAULT


@attrs.frozen(kw_only=True, cache_hash=True)
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

    @profile.validator
    def _known(self, _: attrs.Attribute[str], value: str) -> None:
        if value not in CLIENTS:
            raise InputError(
                f"unknown client profile {value!r}",
                field="client.profile",
                hint="one of " + ", ".join(client_ids()),
            )


@attrs.frozen(kw_only=True, cache_hash=True)
class Request:
    """The HTTP request the client sends."""

    method: str = attrs.field(default="GET", converter=_upper)
    path: str = "/"
    body_bytes: int = 0
    #: ``https`` normally; ``http`` reaches the site over plain HTTP (403.4 when ``Ssl``).
    scheme: Literal["https", "http"] = "https"


@attrs.frozen(kw_only=True, cache_hash=True)
class Scenario:
    """Everything one simulation needs.  Frozen and hashable; derive variants with
    :func:`attrs.evolve` or :meth:`with_release` / :meth:`with_client`."""

    server: ServerSetup = attrs.field(factory=ServerSetup)
    client: ClientSetup = attrs.field(factory=ClientSetup)
    request: Request = attrs.field(factory=Request)

    # --- built-in scenarios ----------------------------------------------------------
    @classmethod
    def seed(cls, release: str | Release = _SEED_RELEASE) -> Scenario:
        """The seed case of behaviour §7: IIS Express, ``SslNegotiateCert``, the
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

    # --- JSON ------------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes, *, filename: str = "<scenario>") -> Scenario:
        """Parse a contract §2.1 document; bad input raises :class:`InputError`."""
        value, source = load_json(text, filename)
        return _read_scenario(value, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, filename: str = "<scenario>") -> Scenario:
        """Build from an already-parsed §2.1 document."""
        return _read_scenario(data, JsonSource(json.dumps(data, indent=1), filename))

    def to_dict(self) -> dict[str, Any]:
        """The canonical §2.1 document (every field written out)."""
        s, c, r = self.server, self.client, self.request
        release: Any = s.release.id
        if s.release.user_defined:
            release = _release_to_dict(s.release)
        client: dict[str, Any] = {"profile": c.profile, "certificate": c.certificate.value}
        for name in CLIENT_OVERRIDES:
            value = getattr(c, name)
            if value is not None:
                client[name] = _plain(value)
        return {
            "server": {
                "release": release,
                "host": s.host.value,
                "binding": s.binding.to_dict(),
                "access_ssl_flags": list(access_flag_names(s.access_ssl_flags)) or ["None"],
                "schannel": s.schannel.to_dict(),
                "http3": s.http3,
                "site_binding_ssl_flags": int(s.site_binding_ssl_flags),
                "upload_read_ahead_size": s.upload_read_ahead_size,
            },
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
        return (
            f"{where}{s.host.value} · binding {s.binding.endpoint} · sslFlags={flags}{extra} · "
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
        rel.error("based_on", f"unknown release {base!r}", "one of " + ", ".join(RELEASES))
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
    )


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
        f.error("profile", f"unknown client profile {profile!r}", "one of " + ", ".join(CLIENTS))
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
    setup = ClientSetup(
        profile=profile,
        certificate=certificate,
        max_tls=_version(f, "max_tls"),
        min_tls=_version(f, "min_tls"),
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
    if not method.isascii() or not method.isalpha():
        f.error("method", f"{method!r} is not an HTTP method", "e.g. GET or POST")
    path = f.string("path", "/")
    if not path.startswith("/"):
        f.error("path", f"{path!r} does not start with '/'", "e.g. /admin")
    body = f.integer("body_bytes", 0, maximum=2**53)
    scheme = f.string("scheme", "https")
    if scheme not in ("https", "http"):
        f.error("scheme", f"unknown scheme {scheme!r}", "https or http")
    f.done()
    return Request(method=method.upper(), path=path, body_bytes=body, scheme=scheme)  # type: ignore[arg-type]


def _read_scenario(value: object, source: JsonSource) -> Scenario:
    top = Fields(value, "", source)
    server = _read_server(top.obj("server"))
    client = _read_client(top.obj("client"))
    request = _read_request(top.obj("request"))
    top.done()
    return Scenario(server=server, client=client, request=request)
