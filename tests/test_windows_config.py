"""The Windows configuration values: http.sys binding, IIS flags, Schannel settings."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim import RELEASES, Scenario
from httpsys_sim.core._engine import effective_binding, server_versions
from httpsys_sim.errors import InputError
from httpsys_sim.tls import TlsVersion
from httpsys_sim.windows._binding import (
    IIS_APP_ID,
    IIS_EXPRESS_APP_ID,
    NETSH_PARAMETERS,
    CertCheckMode,
    HttpSysFlag,
    SslBinding,
    iis_express_binding,
    infer_kind,
)
from httpsys_sim.windows._iis import (
    ACCESS_FLAG_NAMES,
    UPLOAD_READ_AHEAD_DEFAULT,
    AccessSslFlag,
    CertPolicy,
    Host,
    SiteBindingSslFlag,
    access_flag_names,
    apply_site_binding_flags,
    cert_policy,
    http_sys_endpoint,
    parse_access_ssl_flags,
)
from httpsys_sim.windows._schannel import SchannelSettings

ALL_FLAGS = sum(int(f) for f in HttpSysFlag)
ALL_MODES = sum(int(f) for f in CertCheckMode)

# -- HttpSysFlag / CertCheckMode -------------------------------------------------------------


def test_flag_values_match_the_sdk() -> None:
    assert {f.name: int(f) for f in HttpSysFlag} == {
        "USE_DS_MAPPER": 0x1,
        "NEGOTIATE_CLIENT_CERT": 0x2,
        "NO_RAW_FILTER": 0x4,
        "REJECT": 0x8,
        "DISABLE_HTTP2": 0x10,
        "DISABLE_QUIC": 0x20,
        "DISABLE_TLS13": 0x40,
        "DISABLE_OCSP_STAPLING": 0x80,
        "ENABLE_TOKEN_BINDING": 0x100,
        "LOG_EXTENDED_EVENTS": 0x200,
        "DISABLE_LEGACY_TLS": 0x400,
        "ENABLE_SESSION_TICKET": 0x800,
        "DISABLE_TLS12": 0x1000,
        "ENABLE_CLIENT_CORRELATION": 0x2000,
        "DISABLE_SESSION_ID": 0x4000,
        "ENABLE_CACHE_CLIENT_HELLO": 0x8000,
    }
    assert ALL_MODES == 0x10007


@given(flags=st.integers(0, 2**32 - 1), mode=st.integers(0, 2**32 - 1))
def test_from_flags_round_trips_masked(flags: int, mode: int) -> None:
    binding = SslBinding.from_flags(flags, mode)
    assert int(binding.default_flags) == flags & ALL_FLAGS
    assert int(binding.cert_check_mode) == mode & ALL_MODES
    assert (
        SslBinding.from_flags(int(binding.default_flags), int(binding.cert_check_mode)) == binding
    )


def test_from_flags_fields() -> None:
    binding = SslBinding.from_flags(
        0x42, 0x10005, endpoint="[::]:44300", revocation_freshness_time=60
    )
    assert binding.client_cert_negotiation is True
    assert binding.disable_tls13 is True
    assert binding.verify_client_cert_revocation is False
    assert binding.usage_check is False
    assert binding.revocation_freshness_time == 60
    assert binding.endpoint == "[::]:44300"
    with pytest.raises(InputError, match="together"):
        SslBinding.from_flags(2, client_cert_negotiation=True)
    with pytest.raises(InputError, match="FRESHNESS"):
        SslBinding.from_flags(0, 0, revocation_freshness_time=5)
    for bad in (-1, 2**32, True, "2"):
        with pytest.raises(InputError):
            SslBinding.from_flags(bad)  # type: ignore[arg-type]


# -- SslBinding values ------------------------------------------------------------------------

_guid = st.uuids().map(lambda u: "{" + str(u) + "}")
_word = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-",
    min_size=1,
    max_size=10,
).filter(lambda s: s.strip() == s)
_endpoint = st.one_of(
    st.tuples(st.just("ipport"), st.ip_addresses(v=4), st.integers(1, 65535)).map(
        lambda t: (t[0], f"{t[1]}:{t[2]}")
    ),
    st.tuples(st.just("ipport"), st.ip_addresses(v=6), st.integers(1, 65535)).map(
        lambda t: (t[0], f"[{t[1]}]:{t[2]}")
    ),
    st.tuples(
        st.just("hostnameport"),
        st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
        st.integers(1, 65535),
    ).map(lambda t: (t[0], f"{t[1]}:{t[2]}")),
    st.integers(1, 65535).map(lambda p: ("ccs", f"ccs:{p}")),
)
_BOOLS = [
    f.name
    for f in attrs.fields(SslBinding)
    if f.name not in {"endpoint", "kind"} and isinstance(f.default, bool)
]


@st.composite
def bindings(draw: st.DrawFn) -> SslBinding:
    kind, endpoint = draw(_endpoint)
    return SslBinding(
        endpoint=endpoint,
        kind=kind,
        certificate_hash=draw(st.none() | st.binary(min_size=20, max_size=20).map(bytes.hex)),
        app_id=draw(st.none() | _guid),
        cert_store=draw(st.none() | _word),
        revocation_freshness_time=draw(st.none() | st.integers(0, 2**32 - 1)),
        url_retrieval_timeout=draw(st.none() | st.integers(0, 2**32 - 1)),
        ctl_identifier=draw(st.none() | _word),
        ctl_store_name=draw(st.none() | _word),
        **{name: draw(st.booleans()) for name in _BOOLS},
    )


@given(binding=bindings())
def test_dict_round_trip(binding: SslBinding) -> None:
    assert SslBinding.from_dict(binding.to_dict()) == binding
    assert eval(repr(binding), {"SslBinding": SslBinding}) == binding
    assert hash(binding) == hash(attrs.evolve(binding))


@given(binding=bindings())
def test_flags_dict_form(binding: SslBinding) -> None:
    data = {
        k: v
        for k, v in binding.to_dict().items()
        if k not in {*_BOOLS, "revocation_freshness_time"}
    }
    data["flags"] = int(binding.default_flags)
    data["cert_check_mode"] = int(binding.cert_check_mode)
    if binding.revocation_freshness_time is not None:
        data["revocation_freshness_time"] = binding.revocation_freshness_time
    assert SslBinding.from_dict(data) == binding


def test_from_dict_contract_binding_object() -> None:
    binding = SslBinding.from_dict(
        {
            "client_cert_negotiation": False,
            "disable_tls13": True,
            "disable_tls12": False,
            "disable_legacy_tls": False,
            "disable_http2": True,
            "disable_quic": False,
        }
    )
    assert binding.default_flags == HttpSysFlag.DISABLE_TLS13 | HttpSysFlag.DISABLE_HTTP2
    assert binding.endpoint == "0.0.0.0:443"
    assert SslBinding.from_dict({}) == SslBinding()
    assert SslBinding.from_dict({"flags": 2}).client_cert_negotiation is True
    assert SslBinding.from_dict({"flags": 0x40, "usage_check": False}).usage_check is False
    assert SslBinding.from_dict({"endpoint": "portal.contoso.test:443"}).kind == "hostnameport"
    assert SslBinding.from_dict({"endpoint": "443", "kind": "ccs"}).endpoint == "ccs:443"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"clientcertnegotiation": True}, "server.binding.clientcertnegotiation"),
        ({"client_cert_negotiation": "yes"}, "server.binding.client_cert_negotiation"),
        ({"client_cert_negotiation": 1}, "server.binding.client_cert_negotiation"),
        ({"flags": "2"}, "server.binding.flags"),
        ({"flags": -1}, "server.binding.flags"),
        ({"flags": 2, "disable_tls13": True}, "server.binding.disable_tls13"),
        ({"flags": 2, "usage_check": "no"}, "server.binding.usage_check"),
        ({"endpoint": "0.0.0.0:0"}, "server.binding.endpoint"),
        ({"endpoint": "0.0.0.0"}, "server.binding.endpoint"),
        ({"endpoint": 443}, "server.binding.endpoint"),
        ({"endpoint": "x:443", "kind": "ipport"}, "server.binding.endpoint"),
        ({"endpoint": "1.2.3.4:443", "kind": "hostnameport"}, "server.binding.endpoint"),
        ({"kind": "sni"}, "server.binding.kind"),
        ({"certificate_hash": "zz"}, "server.binding.certificate_hash"),
        ({"app_id": "{1-2}"}, "server.binding.app_id"),
        ({"cert_store": ""}, "server.binding.cert_store"),
        ({"url_retrieval_timeout": 2**32}, "server.binding.url_retrieval_timeout"),
        ({"revocation_freshness_time": True}, "server.binding.revocation_freshness_time"),
    ],
)
def test_from_dict_errors(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        SslBinding.from_dict(data, file="scenario.json")
    assert info.value.field == field
    assert info.value.file == "scenario.json"
    assert "\n" not in str(info.value)


def test_from_dict_needs_an_object() -> None:
    with pytest.raises(InputError):
        SslBinding.from_dict([1, 2])  # type: ignore[arg-type]


def test_normalisation() -> None:
    binding = SslBinding(
        certificate_hash="4E 3A 0F 6B B6 C1 D2 E3 F4 A5 B6 C7 D8 E9 F0 A1 B2 C3 D4 E5",
        app_id="214124CD-D05B-4309-9AF9-9CAA44B2B74A",
    )
    assert binding.certificate_hash == "4e3a0f6bb6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"
    assert binding.app_id == IIS_EXPRESS_APP_ID
    assert binding.port == 443
    assert infer_kind("[::1]:443") == "ipport"
    assert infer_kind("localhost:443") == "hostnameport"
    assert infer_kind("ccs:443") == "ccs"


def test_iis_express_binding() -> None:
    binding = iis_express_binding()
    assert binding == SslBinding(endpoint="0.0.0.0:44300", app_id=IIS_EXPRESS_APP_ID)
    assert binding.client_cert_negotiation is False
    assert iis_express_binding(44399).endpoint == "0.0.0.0:44399"
    for port in (44299, 44400, 443, True):
        with pytest.raises(InputError, match="44300"):
            iis_express_binding(port)  # type: ignore[arg-type]
    assert IIS_APP_ID == "{4dc3e181-e14b-4a21-b022-59fc669b0914}"


# -- netsh rendering --------------------------------------------------------------------------


def test_netsh_parameter_names() -> None:
    assert set(NETSH_PARAMETERS) == {
        "appid", "certhash", "certstorename", "verifyclientcertrevocation",
        "verifyrevocationwithcachedclientcertonly", "usagecheck", "revocationfreshnesstime",
        "urlretrievaltimeout", "sslctlidentifier", "sslctlstorename", "dsmapperusage",
        "clientcertnegotiation", "reject", "disablehttp2", "disablequic", "disablelegacytls",
        "disabletls12", "disabletls13", "disableocspstapling", "enabletokenbinding",
        "logextendedevents", "enablesessionticket", "disablesessionid",
    }  # fmt: skip
    field_names = {f.name for f in attrs.fields(SslBinding)}
    assert set(NETSH_PARAMETERS.values()) <= field_names


def test_netsh_add_command() -> None:
    hash_ = "4e3a0f6bb6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"
    binding = attrs.evolve(iis_express_binding(), certificate_hash=hash_)
    assert binding.netsh_add_command() == (
        f"netsh http add sslcert ipport=0.0.0.0:44300 certhash={hash_} "
        "appid={214124cd-d05b-4309-9af9-9caa44b2b74a}"
    )
    full = SslBinding(
        endpoint="portal.contoso.test:443",
        kind="hostnameport",
        certificate_hash=hash_,
        app_id=IIS_APP_ID,
        cert_store="Web Hosting",
        client_cert_negotiation=True,
        disable_tls13=True,
        verify_client_cert_revocation=False,
        usage_check=False,
        revocation_freshness_time=60,
        ctl_store_name="ClientAuthIssuer",
    )
    assert full.netsh_add_command() == (
        "netsh http add sslcert hostnameport=portal.contoso.test:443 "
        f"certhash={hash_} appid={{4dc3e181-e14b-4a21-b022-59fc669b0914}} "
        'certstorename="Web Hosting" verifyclientcertrevocation=disable usagecheck=disable '
        "revocationfreshnesstime=60 sslctlstorename=ClientAuthIssuer "
        "clientcertnegotiation=enable disabletls13=enable"
    )
    sni_default_store = SslBinding(endpoint="a.test:443", kind="hostnameport")
    assert sni_default_store.netsh_add_command().endswith("certstorename=MY")
    assert SslBinding(endpoint="ccs:443", kind="ccs").netsh_add_command() == (
        "netsh http add sslcert ccs=443"
    )


def test_netsh_update_command() -> None:
    hash_ = "4e3a0f6bb6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"
    binding = attrs.evolve(iis_express_binding(), certificate_hash=hash_, disable_http2=True)
    expected = (
        f"netsh http update sslcert ipport=0.0.0.0:44300 certhash={hash_} "
        "appid={214124cd-d05b-4309-9af9-9caa44b2b74a} clientcertnegotiation=enable "
        "disablehttp2=enable"
    )
    assert binding.netsh_update_command(client_cert_negotiation=True) == expected
    assert binding.netsh_update_command(clientcertnegotiation="enable") == expected
    back = attrs.evolve(binding, client_cert_negotiation=True)
    assert "clientcertnegotiation=disable" in back.netsh_update_command(
        client_cert_negotiation=False
    )
    assert "disabletls13=enable" in binding.netsh_update_command(disabletls13="ENABLE")
    with pytest.raises(InputError, match="cannot be changed"):
        binding.netsh_update_command(no_raw_filter=True)
    with pytest.raises(InputError, match="cannot be changed"):
        binding.netsh_update_command(endpoint="0.0.0.0:1")
    with pytest.raises(InputError, match="enable or disable"):
        binding.netsh_update_command(clientcertnegotiation="on")


# -- IIS access flags ---------------------------------------------------------------------------


@given(flags=st.integers(0, 0x1FF).map(lambda v: v & 0x1E8))
def test_access_flags_names_round_trip(flags: int) -> None:
    value = AccessSslFlag(flags)
    names = access_flag_names(value)
    assert parse_access_ssl_flags(list(names) or ["None"]) == value
    assert parse_access_ssl_flags(", ".join(names) or "None") == value
    assert parse_access_ssl_flags(flags) == value
    assert parse_access_ssl_flags(str(flags)) == value


def test_access_flag_table() -> None:
    assert {k: int(v) for k, v in ACCESS_FLAG_NAMES.items()} == {
        "None": 0, "Ssl": 8, "SslNegotiateCert": 32, "SslRequireCert": 64, "SslMapCert": 128,
        "Ssl128": 256,
    }  # fmt: skip
    assert access_flag_names(AccessSslFlag.NONE) == ()
    assert access_flag_names(AccessSslFlag(0x68)) == ("Ssl", "SslNegotiateCert", "SslRequireCert")
    assert parse_access_ssl_flags(" ssl ,  SSLNEGOTIATECERT ") == AccessSslFlag(0x28)
    assert UPLOAD_READ_AHEAD_DEFAULT == 49152


@pytest.mark.parametrize("bad", ["", "Ssl,,", "Ssl, Bogus", 4, -8, 0x200, True, [3], [], 1.5])
def test_access_flag_errors(bad: Any) -> None:
    with pytest.raises(InputError) as info:
        parse_access_ssl_flags(bad, file="a.config", line=7)
    assert (info.value.file, info.value.line, info.value.field) == (
        "a.config",
        7,
        "access_ssl_flags",
    )


@pytest.mark.parametrize(
    ("names", "policy"),
    [
        ("None", CertPolicy.IGNORE),
        ("Ssl", CertPolicy.IGNORE),
        ("Ssl, SslNegotiateCert", CertPolicy.ACCEPT),
        ("Ssl, SslNegotiateCert, SslRequireCert", CertPolicy.REQUIRE),
        ("SslRequireCert", CertPolicy.REQUIRE_ONLY),
    ],
)
def test_cert_policy(names: str, policy: CertPolicy) -> None:
    assert cert_policy(parse_access_ssl_flags(names)) is policy


# -- site binding flags -------------------------------------------------------------------------


def test_site_binding_flag_values() -> None:
    assert [int(f) for f in SiteBindingSslFlag if f] == [1, 2, 4, 8, 16, 32, 64, 128]


@pytest.mark.parametrize(
    ("flags", "host", "supports", "expected"),
    [
        (0, Host.IIS, False, 0),
        (1 | 2, Host.IIS, True, 0),
        (4, Host.IIS, False, HttpSysFlag.DISABLE_HTTP2),
        (8, Host.IIS, False, HttpSysFlag.DISABLE_OCSP_STAPLING),
        (16, Host.IIS, False, HttpSysFlag.DISABLE_QUIC),
        (32, Host.IIS, False, HttpSysFlag.DISABLE_TLS13),
        (64, Host.IIS, False, HttpSysFlag.DISABLE_LEGACY_TLS),
        (128, Host.IIS, False, 0),
        (128, Host.IIS, True, HttpSysFlag.NEGOTIATE_CLIENT_CERT),
        (
            128 | 32 | 1,
            Host.IIS,
            True,
            HttpSysFlag.NEGOTIATE_CLIENT_CERT | HttpSysFlag.DISABLE_TLS13,
        ),
        (255, Host.IIS_EXPRESS, True, 0),
        (128, Host.IIS_EXPRESS, True, 0),
    ],
)
def test_apply_site_binding_flags(flags: int, host: Host, supports: bool, expected: int) -> None:
    base = iis_express_binding()
    after = apply_site_binding_flags(
        base, SiteBindingSslFlag(flags), host=host, supports_negotiate_flag=supports
    )
    assert int(after.default_flags) == int(expected)
    assert (after.endpoint, after.app_id) == (base.endpoint, base.app_id)


def test_apply_site_binding_flags_keeps_existing_and_validates() -> None:
    base = SslBinding(disable_http2=True)
    after = apply_site_binding_flags(base, 32, host=Host.IIS, supports_negotiate_flag=False)
    assert after.default_flags == HttpSysFlag.DISABLE_HTTP2 | HttpSysFlag.DISABLE_TLS13
    with pytest.raises(InputError):
        apply_site_binding_flags(base, 256, host=Host.IIS, supports_negotiate_flag=True)


@pytest.mark.parametrize(
    ("info", "flags", "expected"),
    [
        ("*:443:portal.contoso.test", 1, ("hostnameport", "portal.contoso.test:443")),
        ("*:443:portal.contoso.test", 0, ("ipport", "0.0.0.0:443")),
        ("10.0.0.5:443:", 0, ("ipport", "10.0.0.5:443")),
        ("[::1]:8443:", 0, ("ipport", "[::1]:8443")),
        (":44300:localhost", 0, ("ipport", "0.0.0.0:44300")),
        ("*:443:", 2, ("ccs", "ccs:443")),
        ("*:443:a.test", 3, ("ccs", "ccs:443")),
    ],
)
def test_http_sys_endpoint(info: str, flags: int, expected: tuple[str, str]) -> None:
    assert http_sys_endpoint(info, flags) == expected


@pytest.mark.parametrize(
    ("info", "flags"), [("*:443", 0), ("*:x:h", 0), ("*:0:", 0), ("*:443:", 1)]
)
def test_http_sys_endpoint_errors(info: str, flags: int) -> None:
    with pytest.raises(InputError):
        http_sys_endpoint(info, flags)


# -- Schannel settings --------------------------------------------------------------------------


def test_schannel_defaults_and_dict() -> None:
    settings = SchannelSettings()
    assert settings.to_dict() == {
        "disable_reneg_on_server": False,
        "disable_reneg_on_client": False,
        "allow_insecure_reneg_clients": True,
        "allow_insecure_reneg_servers": True,
        "use_scsv_for_tls": False,
        "server_protocols": {},
        "client_protocols": {},
    }
    assert SchannelSettings.from_dict(
        {"disable_reneg_on_server": True, "allow_insecure_reneg_clients": False}
    ) == SchannelSettings(disable_reneg_on_server=True, allow_insecure_reneg_clients=False)


@given(
    flags=st.fixed_dictionaries(
        {
            k: st.booleans()
            for k in (
                "disable_reneg_on_server",
                "disable_reneg_on_client",
                "allow_insecure_reneg_clients",
                "allow_insecure_reneg_servers",
                "use_scsv_for_tls",
            )
        }
    ),
    server=st.dictionaries(
        st.sampled_from(["ssl2", "ssl3", "1.0", "1.1", "1.2", "1.3"]), st.booleans()
    ),
    client=st.dictionaries(st.sampled_from(["ssl3", "1.0", "1.2", "1.3"]), st.booleans()),
)
def test_schannel_round_trip(
    flags: dict[str, bool], server: dict[str, bool], client: dict[str, bool]
) -> None:
    settings = SchannelSettings(**flags, server_protocols=server, client_protocols=client)
    assert SchannelSettings.from_dict(settings.to_dict()) == settings
    assert hash(settings) == hash(SchannelSettings.from_dict(settings.to_dict()))
    assert eval(repr(settings), {"SchannelSettings": SchannelSettings}) == settings
    for version, enabled in server.items():
        assert settings.server_protocol_enabled(version) is enabled


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"disable_renego_on_server": True}, "server.schannel.disable_renego_on_server"),
        ({"disable_reneg_on_server": 1}, "server.schannel.disable_reneg_on_server"),
        ({"server_protocols": {"1.4": True}}, "server.schannel.server_protocols.1.4"),
        ({"server_protocols": {"1.3": "off"}}, "server.schannel.server_protocols.1.3"),
        ({"server_protocols": ["1.3"]}, "server.schannel.server_protocols"),
        ({"client_protocols": "1.3"}, "server.schannel.client_protocols"),
    ],
)
def test_schannel_errors(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        SchannelSettings.from_dict(data, file="s.json")
    assert (info.value.file, info.value.field) == ("s.json", field)


@given(
    release=st.sampled_from(sorted(RELEASES)),
    server=st.dictionaries(
        st.sampled_from(["ssl2", "ssl3", "1.0", "1.1", "1.2", "1.3"]), st.booleans()
    ),
)
def test_the_server_enables_what_the_registry_says_over_the_release(
    release: str, server: dict[str, bool]
) -> None:
    """R-REL-1, R-REL-2: a TLS version with an explicit server value is on or off as the
    value says (TLS 1.3 only where the release has it); one without keeps the release's
    default; SSL 2.0 / 3.0 values change nothing."""
    scenario = Scenario.seed(release)
    scenario = attrs.evolve(
        scenario,
        server=attrs.evolve(scenario.server, schannel=SchannelSettings(server_protocols=server)),
    )
    r = RELEASES[release]
    enabled = set(server_versions(scenario, effective_binding(scenario)))
    for version in TlsVersion:
        explicit = server.get(version.value)
        if explicit is None:
            assert (version in enabled) is (version in r.tls_versions)
        else:
            assert (version in enabled) is (
                explicit and (version is not TlsVersion.TLS13 or r.tls13)
            )
