"""Hypothesis strategies for httpsys-sim's values: releases, bindings, clients, scenarios.

Property-based tests of your own (and ours) draw whole scenarios, or pin the
parts a property is about and let Hypothesis vary the rest.  Every keyword accepts either a
plain value or a strategy; ``None`` means "anything sensible"::

    from hypothesis import given
    from httpsys_sim import simulate
    from httpsys_sim.testing.strategies import bindings, releases, scenarios, server_setups

    @given(scenarios(server=server_setups(release=releases(tls13=False))))
    def test_no_tls13_without_tls13(scenario):
        result = simulate(scenario)
        assert all(c.tls_version != "1.3" for c in result.connections)

    @given(scenarios(server=server_setups(binding=bindings(client_cert_negotiation=True))))
    def test_handshake_negotiation(scenario): ...

How values are drawn: each value starts from its default (netsh's binding defaults, the
Schannel registry defaults, the client profile without overrides, ``GET /``) and a short,
drawn list of *deviations* is applied to it — "turn ``disable_tls13`` on", "the client
refuses renegotiation on HTTP/1.1", "a 49153-byte body".  So shrinking removes deviations
one by one and lands on readable scenarios: the minimal example of :func:`scenarios` is
exactly :meth:`Scenario.seed() <httpsys_sim.core._scenario.Scenario.seed>` (Windows 11 24H2, IIS
Express, ``SslNegotiateCert``, the pre-registered 44300 binding, Edge with a valid
certificate, ``GET /``), and a failing example shrinks to the seed plus the few changes that
matter.  Few primitive draws also keep generation cheap.

This module needs Hypothesis (the ``test`` extra: ``pip install 'httpsys-sim[test]'``); the
rest of the package does not import it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, TypeVar

import attrs

from httpsys_sim.catalogue._clients import CLIENTS, ClientProfile, H11RetryPolicy
from httpsys_sim.catalogue._rules import RULES, Rule
from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup, default_binding
from httpsys_sim.tls import AlertLevel, CertState, RenegotiationAnswer, TlsVersion
from httpsys_sim.windows._binding import SslBinding, infer_kind
from httpsys_sim.windows._hosts import ClientCertificateMethod, ClientCertificateMode
from httpsys_sim.windows._iis import (
    UPLOAD_READ_AHEAD_DEFAULT,
    AccessSslFlag,
    Host,
    SiteBindingSslFlag,
)
from httpsys_sim.windows._releases import RELEASES, LateDemandPolicy, Release, get_release
from httpsys_sim.windows._schannel import SchannelSettings

#: This module's import is what loads Hypothesis.  Hypothesis then runs its entry points —
#: :func:`_hypothesis_setup_hook` among them — while this module is half-loaded, so the hook
#: leaves the registration to this module's last line.
_LOADS_HYPOTHESIS: Final = "hypothesis" not in sys.modules


def _hypothesis_setup_hook() -> None:
    """The ``hypothesis`` entry point (pyproject.toml): register the type strategies (when
    this module is still loading, its last line does it)."""
    if "register_type_strategies" in globals():
        register_type_strategies()


# Hypothesis only now, once the hook above exists (see _LOADS_HYPOTHESIS).
try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "httpsys_sim.testing.strategies needs Hypothesis: pip install 'httpsys-sim[test]'"
    ) from exc

__all__ = [
    "BINDING_SWITCHES",
    "RELEASE_ORDER",
    "access_flags",
    "bindings",
    "certificates",
    "client_profiles",
    "client_setups",
    "host_setups",
    "hosts",
    "register_type_strategies",
    "releases",
    "requests",
    "scenarios",
    "schannel_settings",
    "server_setups",
    "type_strategies",
]

T = TypeVar("T")

#: Catalogue releases in the order strategies try them: the seed's release first, then the
#: other releases of the seed story (23H2's reset, Server 2022 and 2025, Windows 10), then
#: the rest.
RELEASE_ORDER: Final[tuple[str, ...]] = (
    "win11-24h2",
    "win11-23h2",
    "server-2022",
    "server-2025",
    "win10-22h2",
    "win11-25h2",
    "win11-22h2",
    "win11-21h2",
    "server-2019",
    "server-2016",
)

#: The :class:`SslBinding` switches that change what the pipeline does (R-BIND-1), with
#: netsh's default (what shrinking goes back to).
BINDING_SWITCHES: Final[Mapping[str, bool]] = MappingProxyType(
    {
        "client_cert_negotiation": False,
        "disable_tls13": False,
        "disable_tls12": False,
        "disable_legacy_tls": False,
        "disable_http2": False,
        "disable_quic": False,
        "reject": False,
        "verify_client_cert_revocation": True,
    }
)

#: Relative weight of each switch among a binding's deviations; switches that end every
#: connection before anything interesting happens (``reject``, ``disable_tls12``) are rarer.
_SWITCH_WEIGHTS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "client_cert_negotiation": 6,
        "disable_tls13": 5,
        "disable_http2": 3,
        "disable_legacy_tls": 2,
        "verify_client_cert_revocation": 2,
        "disable_quic": 2,
        "disable_tls12": 1,
        "reject": 1,
    }
)

_CLIENT_ORDER: Final[tuple[str, ...]] = ("edge", *(c for c in CLIENTS if c != "edge"))

#: The access-flag combinations IIS Manager writes (R-IIS-1), the seed's first, then the
#: never-written ``SslRequireCert`` without ``SslNegotiateCert`` (R-IIS-2).
_ACCESS_COMBOS: Final[tuple[AccessSslFlag, ...]] = (
    AccessSslFlag.SSL_NEGOTIATE_CERT,
    AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT,
    AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT | AccessSslFlag.SSL_REQUIRE_CERT,
    AccessSslFlag.SSL_NEGOTIATE_CERT | AccessSslFlag.SSL_REQUIRE_CERT,
    AccessSslFlag.NONE,
    AccessSslFlag.SSL,
    AccessSslFlag.SSL_REQUIRE_CERT,
    AccessSslFlag.SSL | AccessSslFlag.SSL_REQUIRE_CERT,
)
_ACCESS_EXTRAS: Final[tuple[AccessSslFlag, ...]] = (
    AccessSslFlag.SSL_MAP_CERT,
    AccessSslFlag.SSL128,
    AccessSslFlag.SSL_MAP_CERT | AccessSslFlag.SSL128,
)

#: Site-binding ``sslFlags`` values (R-IIS-3): Negotiate Client Certificate (128) first.
_SITE_FLAG_VALUES: Final[tuple[int, ...]] = (128, 32, 4, 16, 64, 160, 129, 8, 1, 2, 255)

_CUSTOM_IDS: Final[tuple[str, ...]] = ("insider-27000", "patched-server", "lab-build")

#: Request deviations, most telling first: the body sizes around ``uploadReadAheadSize``
#: (R-REQ-2, 413), plain ``http`` (403.4), other methods and paths (also ones that need
#: escaping in JSON).
_REQUEST_CHANGES: Final[tuple[tuple[str, object], ...]] = (
    ("body_bytes", UPLOAD_READ_AHEAD_DEFAULT + 1),
    ("method", "POST"),
    ("scheme", "http"),
    ("path", "/admin"),
    ("body_bytes", UPLOAD_READ_AHEAD_DEFAULT),
    ("body_bytes", 1),
    ("body_bytes", 1 << 20),
    ("body_bytes", 2**53),
    ("method", "PUT"),
    ("method", "HEAD"),
    ("path", "/api/upload"),
    ("path", "/certs/login.aspx"),
    ("path", "/ünïcode/späce here"),
    ("path", '/q"uote\\back'),
)

#: Server deviations outside the binding and Schannel (R-REQ-2 HTTP/3 row, R-IIS-3, 413).
_SERVER_CHANGES: Final[tuple[tuple[str, object], ...]] = (
    ("http3", True),
    ("http3", True),
    *(("site_binding_ssl_flags", SiteBindingSslFlag(v)) for v in _SITE_FLAG_VALUES),
    ("upload_read_ahead_size", 0),
    ("upload_read_ahead_size", 1 << 20),
    ("upload_read_ahead_size", UPLOAD_READ_AHEAD_DEFAULT - 1),
    ("upload_read_ahead_size", 2**31 - 1),
)

#: Schannel deviations (R-TLS-2, S25); ``*_protocols`` entries add one explicit version.
_SCHANNEL_CHANGES: Final[tuple[tuple[str, object], ...]] = (
    ("disable_reneg_on_server", True),
    ("allow_insecure_reneg_clients", False),
    ("server_protocols", ("1.3", False)),
    ("disable_reneg_on_server", True),
    ("allow_insecure_reneg_clients", False),
    ("disable_reneg_on_client", True),
    ("allow_insecure_reneg_servers", False),
    ("use_scsv_for_tls", True),
    ("disable_reneg_on_client", True),
    ("allow_insecure_reneg_servers", False),
    ("use_scsv_for_tls", True),
    ("server_protocols", ("1.0", True)),
    ("server_protocols", ("1.3", True)),
    ("server_protocols", ("1.2", False)),
    ("server_protocols", ("1.1", True)),
    ("server_protocols", ("1.1", False)),
    ("server_protocols", ("1.0", False)),
    ("server_protocols", ("ssl3", True)),
    ("client_protocols", ("1.3", False)),
    ("client_protocols", ("1.0", True)),
)

_V = TlsVersion
_A = RenegotiationAnswer

#: Client capability overrides (:class:`ClientSetup` fields), the telling ones first.
_CLIENT_CHANGES: Final[tuple[tuple[str, object], ...]] = (
    ("offers_pha", True),
    ("renegotiation_http11", _A.REFUSE),
    ("alpn", ("http/1.1",)),
    ("max_tls", _V.TLS12),
    ("on_http_1_1_required", H11RetryPolicy.FAIL),
    ("renegotiation_http11", _A.IGNORE),
    ("offers_pha", False),
    ("renegotiation_http11", _A.ACCEPT),
    ("http3", True),
    ("secure_renegotiation", False),
    ("refusal_level", AlertLevel.FATAL),
    ("refusal_level", AlertLevel.WARNING),
    ("on_http_1_1_required", H11RetryPolicy.RETRY),
    ("on_http_1_1_required", H11RetryPolicy.NOT_APPLICABLE),
    ("alpn", ("h2", "http/1.1")),
    ("alpn", ()),
    ("alpn", ("h2",)),
    ("alpn", ("http/1.1", "h2")),
    ("renegotiation_h2", _A.ACCEPT),
    ("renegotiation_h2", _A.REFUSE),
    ("renegotiation_h2", _A.IGNORE),
    ("max_tls", _V.TLS13),
    ("max_tls", _V.TLS11),
    ("max_tls", _V.TLS10),
    ("min_tls", _V.TLS10),
    ("min_tls", _V.TLS12),
    ("min_tls", _V.TLS13),
    ("min_tls", _V.TLS11),
    ("http3", False),
    ("secure_renegotiation", True),
)


# --- helpers --------------------------------------------------------------------------------


def _pin(value: T | SearchStrategy[T] | None, default: SearchStrategy[T]) -> SearchStrategy[T]:
    """``value`` as a strategy: itself if it is one, ``just`` it, or ``default`` for None."""
    if value is None:
        return default
    if isinstance(value, SearchStrategy):
        return value
    return st.just(value)


def _changes(
    options: Sequence[tuple[str, object]], max_size: int = 3
) -> SearchStrategy[list[tuple[str, object]]]:
    """A short list of ``(field, value)`` deviations; shrinks to ``[]`` (no change)."""
    return st.lists(st.sampled_from(options), max_size=max_size)


def _evolve(pair: tuple[Any, list[tuple[str, object]]]) -> Any:
    value, changes = pair
    merged = dict(changes)
    low, high = merged.get("min_tls"), merged.get("max_tls")
    if isinstance(low, _V) and isinstance(high, _V) and low.rank > high.rank:
        del merged["min_tls"]  # the two clash (refused as input): the later-listed max wins
    return attrs.evolve(value, **merged) if merged else value


def _deviating(
    base: SearchStrategy[T], options: Sequence[tuple[str, object]], max_size: int = 3
) -> SearchStrategy[T]:
    """``base`` with a drawn list of ``options`` applied (later ones win)."""
    if not options:
        return base
    return st.tuples(base, _changes(options, max_size)).map(_evolve)


def _release_value(value: Release | str) -> Release:
    return value if isinstance(value, Release) else get_release(value)


# --- releases -----------------------------------------------------------------------------


def _policy_ok(tls13: bool, policy: LateDemandPolicy) -> bool:
    """A release's TLS 1.3 switch and late-demand policy fit together (R-REL-1, R-REL-3)."""
    return (policy is LateDemandPolicy.NOT_APPLICABLE) is (not tls13)


@st.composite
def _custom_releases(
    draw: st.DrawFn, tls13: bool | None, late_demand: LateDemandPolicy | None
) -> Release:
    """A user-defined release (:meth:`Release.custom`) with a consistent policy."""
    if late_demand is not None:
        has_tls13 = late_demand is not LateDemandPolicy.NOT_APPLICABLE
    elif tls13 is not None:
        has_tls13 = tls13
    else:
        has_tls13 = draw(st.sampled_from([True, False]))
    if late_demand is None:
        policies = (
            [LateDemandPolicy.NOT_SUPPORTED, LateDemandPolicy.RESET]
            if has_tls13
            else [LateDemandPolicy.NOT_APPLICABLE]
        )
        late_demand = draw(st.sampled_from(policies))
    bases = [r for r in RELEASE_ORDER if RELEASES[r].tls13 is has_tls13]
    return Release.custom(
        draw(st.sampled_from(_CUSTOM_IDS)),
        based_on=draw(st.sampled_from(bases)),
        build=draw(st.sampled_from([27000, 26300, 30000, 1, 10**6])),
        server=draw(st.booleans()),
        tls13=has_tls13,
        legacy_tls_default=draw(st.booleans()),
        http2=draw(st.sampled_from([True, True, True, False])),
        late_demand_tls13=late_demand,
        site_binding_negotiate_flag=draw(st.booleans()),
    )


def releases(
    tls13: bool | None = None,
    late_demand: LateDemandPolicy | None = None,
    catalogue_only: bool = True,
) -> SearchStrategy[Release]:
    """Windows releases (docs/reference/releases.md), the seed's Windows 11 24H2 first.

    ``tls13`` keeps only releases with (True) or without (False) TLS 1.3 (R-REL-1);
    ``late_demand`` only those with that late-demand policy (R-REL-3).  With
    ``catalogue_only=False``, user-defined releases (:meth:`Release.custom`, e.g. an Insider
    build) with a consistent policy are drawn too, after the catalogue ones.  Asking for a
    combination no release can have (``tls13=False`` with ``RESET``) is an error.

    Examples::

        releases()                                            # the ten catalogue releases
        releases(tls13=False)                                 # server-2016/2019, win10-22h2
        releases(late_demand=LateDemandPolicy.NOT_SUPPORTED)  # 24H2, 25H2, Server 2025
        releases(late_demand=LateDemandPolicy.RESET, catalogue_only=False)
    """
    if tls13 is not None and late_demand is not None and not _policy_ok(tls13, late_demand):
        raise InvalidArgument(
            f"no release has tls13={tls13} and late_demand={late_demand.value!r} (R-REL-3)"
        )
    ids = [
        r
        for r in RELEASE_ORDER
        if (tls13 is None or RELEASES[r].tls13 is tls13)
        and (late_demand is None or RELEASES[r].late_demand_tls13 is late_demand)
    ]
    catalogue = st.sampled_from([RELEASES[r] for r in ids])
    if catalogue_only:
        return catalogue
    return catalogue | _custom_releases(tls13, late_demand)


# --- the server side ------------------------------------------------------------------------


def hosts() -> SearchStrategy[Host]:
    """``iis-express`` (the seed) or full ``iis`` (R-IIS-4)."""
    return st.sampled_from([Host.IIS_EXPRESS, Host.IIS])


def _binding_for(host: Host, fixed: dict[str, Any]) -> SearchStrategy[SslBinding]:
    base = default_binding(host)
    kwargs: dict[str, SearchStrategy[Any]] = {}
    endpoint = fixed.pop("endpoint", None)
    if endpoint is None:
        kwargs["endpoint"] = st.just(base.endpoint)
        kwargs["kind"] = st.just(base.kind)
        kwargs["app_id"] = st.just(base.app_id)
    else:
        kwargs["endpoint"] = _pin(endpoint, st.just(base.endpoint))
        if isinstance(endpoint, str):
            kwargs["kind"] = st.just(infer_kind(endpoint))
    for name, value in fixed.items():
        kwargs[name] = _pin(value, st.just(None))
    options = [
        (name, not BINDING_SWITCHES[name])
        for name, weight in _SWITCH_WEIGHTS.items()
        if name not in fixed
        for _ in range(weight)
    ]
    return _deviating(st.builds(SslBinding, **kwargs), options)


def bindings(
    *, host: Host | str | SearchStrategy[Host] | None = None, **fixed: Any
) -> SearchStrategy[SslBinding]:
    """http.sys SSL bindings (R-BIND-1) with the switches of :data:`BINDING_SWITCHES` varied.

    The endpoint is the one ``host`` serves from: IIS Express's pre-registered
    ``0.0.0.0:44300`` (the default, R-IIS-4) or full IIS's ``0.0.0.0:443``.  Any
    :class:`SslBinding` field may be pinned with a value or a strategy; unpinned switches
    start at netsh's defaults and a few are turned (``client_cert_negotiation`` and
    ``disable_tls13`` most often, ``reject`` rarely).

    Examples::

        bindings()                                    # IIS Express's 44300 binding, varied
        bindings(client_cert_negotiation=True)        # the recommended fix, rest varied
        bindings(host=Host.IIS, disable_tls13=st.booleans(), reject=False)
        bindings(endpoint="portal.contoso.test:443")  # an SNI binding (kind inferred)
    """
    names = {f.name for f in attrs.fields(SslBinding)}
    unknown = sorted(set(fixed) - names)
    if unknown:
        raise InvalidArgument(f"SslBinding has no field {unknown[0]!r}")
    if isinstance(host, SearchStrategy):
        return host.flatmap(lambda h: _binding_for(h, dict(fixed)))
    return _binding_for(Host(host) if host is not None else Host.IIS_EXPRESS, dict(fixed))


def access_flags() -> SearchStrategy[AccessSslFlag]:
    """``<access sslFlags>`` values (R-IIS-1): the combinations IIS Manager writes first
    (``SslNegotiateCert`` — the seed —, Accept and Require with ``Ssl``, Ignore, …), then the
    never-written ``SslRequireCert`` alone (R-IIS-2), then the same with ``SslMapCert`` /
    ``Ssl128`` added (half of the draws).

    Example: ``scenarios(server=server_setups(access_ssl_flags=access_flags()))``.
    """
    mixed = [c | e for e in _ACCESS_EXTRAS for c in _ACCESS_COMBOS]
    return st.sampled_from([*_ACCESS_COMBOS, *_ACCESS_COMBOS, *_ACCESS_COMBOS, *mixed])


def _schannel_apply(changes: list[tuple[str, object]]) -> SchannelSettings:
    fields: dict[str, Any] = {}
    protocols: dict[str, dict[str, bool]] = {}
    for name, value in changes:
        if name.endswith("_protocols"):
            assert isinstance(value, tuple)
            protocols.setdefault(name, {})[value[0]] = value[1]
        else:
            fields[name] = value
    kwargs: dict[str, Any] = {**fields, **protocols}
    return SchannelSettings(**kwargs)


def schannel_settings() -> SearchStrategy[SchannelSettings]:
    """Schannel registry settings (R-TLS-2, S25): Windows' defaults with a few deviations —
    ``DisableRenegoOnServer``, strict ``AllowInsecureRenegoClients``, explicit per-version
    protocol enablement (``{"1.3": False}``…), the client-side switches.

    Example: ``server_setups(schannel=schannel_settings())`` (what it does by default).
    """
    return _changes(_SCHANNEL_CHANGES).map(_schannel_apply)


@st.composite
def _server_setups(
    draw: st.DrawFn,
    release: SearchStrategy[Release],
    host: SearchStrategy[Host],
    binding: SslBinding | SearchStrategy[SslBinding] | None,
    access_ssl_flags: SearchStrategy[AccessSslFlag],
    schannel: SearchStrategy[SchannelSettings],
    extras: SearchStrategy[dict[str, Any]],
) -> ServerSetup:
    chosen_host = draw(host)
    return ServerSetup(
        release=draw(release),
        host=chosen_host,
        binding=draw(_pin(binding, bindings(host=chosen_host))),
        access_ssl_flags=draw(access_ssl_flags),
        schannel=draw(schannel),
        **draw(extras),
    )


def server_setups(
    *,
    release: Release | str | SearchStrategy[Release] | None = None,
    host: Host | str | SearchStrategy[Host] | None = None,
    binding: SslBinding | SearchStrategy[SslBinding] | None = None,
    access_ssl_flags: AccessSslFlag | int | SearchStrategy[AccessSslFlag] | None = None,
    schannel: SchannelSettings | SearchStrategy[SchannelSettings] | None = None,
    http3: bool | SearchStrategy[bool] | None = None,
    site_binding_ssl_flags: SiteBindingSslFlag
    | int
    | SearchStrategy[SiteBindingSslFlag]
    | None = None,
    upload_read_ahead_size: int | SearchStrategy[int] | None = None,
) -> SearchStrategy[ServerSetup]:
    """The Windows side (:class:`ServerSetup`): release, host, binding, access flags, Schannel,
    the ``EnableHttp3`` switch, site-binding ``sslFlags`` and ``uploadReadAheadSize``.

    Unpinned, the binding is drawn with :func:`bindings` for the drawn host, and ``http3``,
    the site-binding flags and ``uploadReadAheadSize`` keep their defaults unless a drawn
    deviation changes them.

    Examples::

        server_setups(release="server-2022", host=Host.IIS)
        server_setups(release=releases(tls13=True), binding=bindings(disable_tls13=True))
        server_setups(access_ssl_flags=AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT)
    """
    rel: SearchStrategy[Release] = (
        st.just(_release_value(release))
        if isinstance(release, (Release, str))
        else _pin(release, releases())
    )
    hst: SearchStrategy[Host] = (
        st.just(Host(host)) if isinstance(host, str) else _pin(host, hosts())
    )
    flags: SearchStrategy[AccessSslFlag] = (
        st.just(AccessSslFlag(access_ssl_flags))
        if isinstance(access_ssl_flags, int)
        else _pin(access_ssl_flags, access_flags())
    )
    site: SearchStrategy[SiteBindingSslFlag] | None = (
        st.just(SiteBindingSslFlag(site_binding_ssl_flags))
        if isinstance(site_binding_ssl_flags, int)
        else site_binding_ssl_flags
    )
    pinned: dict[str, SearchStrategy[Any]] = {
        name: _pin(value, st.nothing())
        for name, value in (
            ("http3", http3),
            ("site_binding_ssl_flags", site),
            ("upload_read_ahead_size", upload_read_ahead_size),
        )
        if value is not None
    }
    options = [(name, value) for name, value in _SERVER_CHANGES if name not in pinned]
    extras = st.tuples(st.fixed_dictionaries(pinned), _changes(options)).map(
        lambda pair: {**pair[0], **dict(pair[1])}
    )
    return _server_setups(rel, hst, binding, flags, _pin(schannel, schannel_settings()), extras)


def _host_settings(
    setup: ServerSetup,
    method: SearchStrategy[ClientCertificateMethod],
    mode: SearchStrategy[ClientCertificateMode],
) -> SearchStrategy[ServerSetup]:
    """Make ``setup`` a valid one for its host: its own setting drawn, others' settings gone."""
    # The IIS-only fields go back to their defaults (the JSON form leaves them out).
    defaults = ServerSetup()
    plain = attrs.evolve(
        setup,
        access_ssl_flags=defaults.access_ssl_flags,
        site_binding_ssl_flags=defaults.site_binding_ssl_flags,
        upload_read_ahead_size=defaults.upload_read_ahead_size,
    )
    if setup.host is Host.ASPNETCORE_HTTPSYS:
        return method.map(lambda m: attrs.evolve(plain, client_certificate_method=m))
    if setup.host is Host.KESTREL:
        base = attrs.evolve(plain, binding=default_binding(Host.KESTREL), http3=False)
        return mode.map(lambda m: attrs.evolve(base, client_certificate_mode=m))
    return st.just(setup)


def host_setups(
    *,
    host: Host | str | SearchStrategy[Host] | None = None,
    release: Release | str | SearchStrategy[Release] | None = None,
    client_certificate_method: ClientCertificateMethod
    | str
    | SearchStrategy[ClientCertificateMethod]
    | None = None,
    client_certificate_mode: ClientCertificateMode
    | str
    | SearchStrategy[ClientCertificateMode]
    | None = None,
) -> SearchStrategy[ServerSetup]:
    """Server setups for every host (docs/concepts.md#hosts): IIS and IIS Express, the
    ASP.NET Core HTTP.sys server with a ``ClientCertificateMethod``, ASP.NET Core behind the
    ASP.NET Core Module (in- and out-of-process) and Kestrel with a ``ClientCertificateMode``.
    The rest is drawn as :func:`server_setups` draws it.

    Examples::

        host_setups()                                       # any host
        host_setups(host="kestrel", client_certificate_mode="DelayCertificate")
        host_setups(host=st.sampled_from([Host.ASPNETCORE_HTTPSYS, Host.KESTREL]))
    """
    hst: SearchStrategy[Host] = (
        st.just(Host(host)) if isinstance(host, str) else _pin(host, st.sampled_from(list(Host)))
    )
    method: SearchStrategy[ClientCertificateMethod] = (
        st.just(ClientCertificateMethod(client_certificate_method))
        if isinstance(client_certificate_method, str)
        else _pin(client_certificate_method, st.sampled_from(list(ClientCertificateMethod)))
    )
    mode: SearchStrategy[ClientCertificateMode] = (
        st.just(ClientCertificateMode(client_certificate_mode))
        if isinstance(client_certificate_mode, str)
        else _pin(client_certificate_mode, st.sampled_from(list(ClientCertificateMode)))
    )
    return hst.flatmap(
        lambda h: server_setups(host=h, release=release).flatmap(
            lambda setup: _host_settings(setup, method, mode)
        )
    )


# --- the client side ------------------------------------------------------------------------


def client_profiles() -> SearchStrategy[str]:
    """Client catalogue ids (docs/reference/clients.md), Edge (the seed's browser) first."""
    return st.sampled_from(_CLIENT_ORDER)


def certificates() -> SearchStrategy[CertState]:
    """The client's certificate: ``valid`` first, then ``none``, ``untrusted``, ``expired``,
    ``revoked`` (R-IIS-5)."""
    return st.sampled_from(list(CertState))


def client_setups(
    *,
    profile: str | SearchStrategy[str] | None = None,
    certificate: CertState | str | SearchStrategy[CertState] | None = None,
    overrides: bool = True,
) -> SearchStrategy[ClientSetup]:
    """Clients (:class:`ClientSetup`): a catalogue profile, its certificate and — with
    ``overrides`` — arbitrary capability mixes through the override fields: maximum and
    minimum TLS version, ALPN list, HTTP/3, ``post_handshake_auth``, the answers to a
    HelloRequest on HTTP/1.1 and on h2, the refusal level, RFC 5746, the reaction to
    ``HTTP_1_1_REQUIRED``.  A few overrides are drawn; each shrinks away (back to the
    profile's own value).

    Examples::

        client_setups()                                          # any client, any mix
        client_setups(profile="curl", certificate="none", overrides=False)
        client_setups(profile=st.sampled_from(["go", "rustls"]))
    """
    cert: SearchStrategy[CertState] = (
        st.just(CertState(certificate))
        if isinstance(certificate, str)
        else _pin(certificate, certificates())
    )
    base = st.builds(ClientSetup, profile=_pin(profile, client_profiles()), certificate=cert)
    return _deviating(base, _CLIENT_CHANGES if overrides else ())


# --- the request and the whole scenario -------------------------------------------------------


def requests() -> SearchStrategy[Request]:
    """HTTP requests: ``GET /`` over HTTPS, with a few deviations — bodies around
    ``uploadReadAheadSize`` (49152 bytes, R-REQ-2's 413), plain ``http`` (403.4, R-IIS-5),
    other methods and paths.

    Example: ``scenarios(request=requests())`` (the default).
    """
    return _deviating(st.just(Request()), _REQUEST_CHANGES)


@st.composite
def _scenarios(
    draw: st.DrawFn,
    release: SearchStrategy[Release] | None,
    server: SearchStrategy[ServerSetup],
    client: SearchStrategy[ClientSetup],
    request: SearchStrategy[Request],
) -> Scenario:
    setup = draw(server)
    if release is not None:
        setup = attrs.evolve(setup, release=draw(release))
    return Scenario(server=setup, client=draw(client), request=draw(request))


def scenarios(
    *,
    release: Release | str | SearchStrategy[Release] | None = None,
    server: ServerSetup | SearchStrategy[ServerSetup] | None = None,
    client: ClientSetup | SearchStrategy[ClientSetup] | None = None,
    request: Request | SearchStrategy[Request] | None = None,
) -> SearchStrategy[Scenario]:
    """Whole scenarios (docs/formats.md); the minimal one is :meth:`Scenario.seed`.

    ``release`` pins the release (also on top of a given ``server``); ``server``,
    ``client`` and ``request`` take a value or a strategy (:func:`server_setups`,
    :func:`client_setups`, :func:`requests`).

    Examples::

        scenarios()
        scenarios(server=server_setups(release=releases(tls13=True)))
        scenarios(release="win11-23h2", client=client_setups(profile="curl"))
        scenarios(request=Request(method="POST", body_bytes=65536))

    >>> from hypothesis import find
    >>> find(scenarios(), lambda s: True) == Scenario.seed()
    True
    """
    rel: SearchStrategy[Release] | None = (
        st.just(_release_value(release)) if isinstance(release, (Release, str)) else release
    )
    srv = _pin(server, server_setups(release=rel))
    return _scenarios(
        rel if server is not None else None,
        srv,
        _pin(client, client_setups()),
        _pin(request, requests()),
    )


# --- st.from_type ---------------------------------------------------------------------------


def type_strategies() -> dict[type, SearchStrategy[Any]]:
    """The strategy :func:`register_type_strategies` gives each public value type.

    Values, releases and profiles come from the catalogues (no made-up build numbers or
    unknown client ids): ``Release`` draws catalogue releases, ``ClientProfile`` catalogue
    profiles, ``Rule`` catalogue rules; the setups and the scenario are the strategies of
    this module with nothing pinned.
    """
    return {
        Scenario: scenarios(),
        ServerSetup: server_setups(),
        ClientSetup: client_setups(),
        Request: requests(),
        Release: releases(),
        SslBinding: bindings(),
        SchannelSettings: schannel_settings(),
        AccessSslFlag: access_flags(),
        SiteBindingSslFlag: st.sampled_from([SiteBindingSslFlag(v) for v in _SITE_FLAG_VALUES]),
        Host: hosts(),
        CertState: certificates(),
        ClientProfile: st.sampled_from([CLIENTS[c] for c in _CLIENT_ORDER]),
        Rule: st.sampled_from(list(RULES.values())),
    }


def register_type_strategies() -> None:
    """Make ``st.from_type(T)`` (and ``st.builds`` of classes with such fields) draw valid
    values of httpsys-sim's public value types — see :func:`type_strategies`.

    Installed with the package, this runs by itself when Hypothesis is first imported (a
    ``hypothesis`` entry point), so ``st.from_type(hs.Scenario)`` just works; call it again to
    restore these strategies after registering others.  ``HYPOTHESIS_NO_PLUGINS=1`` turns
    the entry point off.

    >>> import httpsys_sim as hs
    >>> from hypothesis import find, strategies as st
    >>> register_type_strategies()
    >>> find(st.from_type(hs.Scenario), lambda s: True) == hs.Scenario.seed()
    True
    """
    for cls, strategy in type_strategies().items():
        st.register_type_strategy(cls, strategy)


if _LOADS_HYPOTHESIS and not os.environ.get("HYPOTHESIS_NO_PLUGINS"):
    register_type_strategies()  # what the entry point could not do (see _LOADS_HYPOTHESIS)
