"""``applicationHost.config`` reader: fixtures, inheritance, host detection, hostile XML."""

from __future__ import annotations

import codecs

import pytest

from httpsys_sim.readers._appconfig import (
    AccessSetting,
    parse_application_host_config,
    read_file,
)
from httpsys_sim.readers._text import MAX_INPUT_BYTES
from httpsys_sim.windows._iis import AccessSslFlag, Host, SiteBindingSslFlag

from ._helpers import FIXTURES, bounded, expect_input_error, fixture_bytes, fixture_text

SSL = AccessSslFlag.SSL
NEG = AccessSslFlag.SSL_NEGOTIATE_CERT
REQ = AccessSslFlag.SSL_REQUIRE_CERT
NONE = AccessSslFlag.NONE


def _config(body: str, sections: str = "") -> str:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}\n<configuration>{sections}\n{body}\n</configuration>\n"


# -- fixtures -------------------------------------------------------------------------------


def test_iis_express_seed_case() -> None:
    config = read_file(FIXTURES / "appconfig" / "iisexpress_applicationhost.config")
    assert config.host_hint is Host.IIS_EXPRESS
    assert "%iis_user_home%" in config.host_evidence
    assert config.access_override_mode_default == "Deny"
    assert [(s.name, s.id, s.line) for s in config.sites] == [
        ("WebSite1", 1, 112),
        ("WebApplication1", 2, 120),
    ]
    app = config.site("webapplication1")
    assert [(b.protocol, b.binding_information, b.ssl_flags, b.line) for b in app.bindings] == [
        ("http", "*:52731:localhost", SiteBindingSslFlag.NONE, 125),
        ("https", "*:44300:localhost", SiteBindingSslFlag.NONE, 126),
    ]
    (https,) = app.https_bindings
    assert https.port == 44300
    assert https.host_name == "localhost"
    assert https.http_sys_endpoint() == ("ipport", "0.0.0.0:44300")
    assert config.access_settings == (
        AccessSetting(site=None, path="/", flags=NONE, raw="None", line=182),
        AccessSetting(
            site="WebApplication1",
            path="/",
            flags=NEG,
            raw="SslNegotiateCert",
            line=258,
            location_path="WebApplication1",
            override_mode="Allow",
            location_line=255,
        ),
    )
    assert config.server_access() == (NONE, 182)
    assert config.effective_access_flags("WebApplication1", "/") == (NEG, 258)
    assert config.effective_access_flags("WebApplication1", "/Home/Index?x=1") == (NEG, 258)
    assert config.effective_access_flags("WebSite1") == (NONE, 182)
    assert config.paths_with_access_flags("WebApplication1") == (("/", NEG, 258),)


def test_full_iis() -> None:
    config = parse_application_host_config(
        fixture_bytes("appconfig", "iis_applicationhost.config"), filename="ahc"
    )
    assert config.filename == "ahc"
    assert config.host_hint is Host.IIS
    assert [s.name for s in config.sites] == ["Default Web Site", "Portal", "Intranet"]
    portal = config.site("Portal")
    assert portal.applications == ("/", "/admin")
    (https,) = portal.https_bindings
    assert https.binding_information == "*:443:portal.contoso.test"
    assert https.ssl_flags == SiteBindingSslFlag.SNI
    assert https.http_sys_endpoint() == ("hostnameport", "portal.contoso.test:443")
    (intranet,) = config.site("Intranet").bindings
    assert intranet.ssl_flags == SiteBindingSslFlag.DISABLE_TLS13
    assert intranet.http_sys_endpoint() == ("ipport", "10.0.0.5:443")

    assert config.paths_with_access_flags("Portal") == (
        ("/", SSL, 120),
        ("/admin", SSL | NEG | REQ, 127),
    )
    assert config.paths_with_access_flags("Intranet") == (("/", SSL | NEG, 137),)
    assert config.paths_with_access_flags("Default Web Site") == (("/", NONE, 99),)
    assert config.effective_access_flags("portal", "/ADMIN/users/") == (SSL | NEG | REQ, 127)
    assert config.effective_access_flags("Portal", "/administrator") == (SSL, 120)
    assert config.effective_access_flags("Portal", "//admin//x") == (SSL | NEG | REQ, 127)
    # <access /> without sslFlags inherits.
    assert config.effective_access_flags("Intranet", "/reports/archive") == (SSL | NEG, 137)
    admin = next(s for s in config.access_settings if s.path == "/admin")
    assert admin.override_mode == "Allow"
    assert admin.location_line == 124
    intranet_setting = next(s for s in config.access_settings if s.site == "Intranet")
    assert intranet_setting.override_mode is None


def test_unknown_site_is_an_error() -> None:
    config = read_file(FIXTURES / "appconfig" / "iis_applicationhost.config")
    expect_input_error(
        lambda: config.effective_access_flags("Portl", "/"),
        file=str(FIXTURES / "appconfig" / "iis_applicationhost.config"),
        line=None,
        match="no site named",
    )


def test_location_without_site_element_still_resolves() -> None:
    config = parse_application_host_config(
        _config(
            '<location path="Ghost/x"><system.webServer><security>'
            '<access sslFlags="SslRequireCert" /></security></system.webServer></location>'
        )
    )
    assert config.effective_access_flags("Ghost", "/x") == (REQ, 3)
    assert config.effective_access_flags("Ghost", "/") == (NONE, None)
    assert config.server_access() == (NONE, None)


def test_server_level_location_path_variants() -> None:
    for path in ('path=""', 'path="."', ""):
        config = parse_application_host_config(
            _config(
                f'<location {path} overrideMode="Allow"><system.webServer><security>'
                '<access sslFlags="Ssl" /></security></system.webServer></location>'
                '<location path="S"><system.webServer><security><access sslFlags="None" />'
                "</security></system.webServer></location>"
            )
        )
        assert config.server_access() == (SSL, 3)
        assert config.effective_access_flags("S", "/") == (NONE, 3)


def test_allow_override_maps_to_override_mode() -> None:
    config = parse_application_host_config(
        _config(
            '<location path="S" allowOverride="false"><system.webServer><security>'
            '<access sslFlags="Ssl" /></security></system.webServer></location>'
        )
    )
    assert config.access_settings[0].override_mode == "Deny"


@pytest.mark.parametrize(
    ("raw", "flags"),
    [
        ("Ssl, SslNegotiateCert", SSL | NEG),
        ("ssl,sslnegotiatecert,sslrequirecert", SSL | NEG | REQ),
        ("SslRequireCert", REQ),
        ("None", NONE),
        ("Ssl128, SslMapCert", AccessSslFlag.SSL128 | AccessSslFlag.SSL_MAP_CERT),
        ("40", SSL | NEG),
    ],
)
def test_access_flag_spellings(raw: str, flags: AccessSslFlag) -> None:
    config = parse_application_host_config(
        _config(
            f'<system.webServer><security><access sslFlags="{raw}" /></security></system.webServer>'
        )
    )
    assert config.server_access() == (flags, 3)


def test_site_binding_flag_names_and_numbers() -> None:
    config = parse_application_host_config(
        _config(
            "<system.applicationHost><sites>"
            '<site name="A" id="7"><bindings>'
            '<binding protocol="https" bindingInformation="*:443:a.test" '
            'sslFlags="Sni, DisableTLS13" />'
            '<binding protocol="https" bindingInformation="*:443:b.test" sslFlags="131" />'
            '<binding protocol="https" bindingInformation="*:443:" sslFlags="2" />'
            '<binding protocol="net.tcp" bindingInformation="808:*" />'
            "</bindings></site></sites></system.applicationHost>"
        )
    )
    a, b, c, tcp = config.site("A").bindings
    assert a.ssl_flags == SiteBindingSslFlag.SNI | SiteBindingSslFlag.DISABLE_TLS13
    assert b.ssl_flags == (
        SiteBindingSslFlag.NEGOTIATE_CLIENT_CERT
        | SiteBindingSslFlag.SNI
        | SiteBindingSslFlag.CENTRAL_CERT_STORE
    )
    assert c.http_sys_endpoint() == ("ccs", "ccs:443")
    assert tcp.port is None


def test_host_hint_from_ports_and_caller() -> None:
    body = (
        '<system.applicationHost><sites><site name="W" id="1"><bindings>'
        '<binding protocol="https" bindingInformation="*:44321:localhost" />'
        "</bindings></site></sites></system.applicationHost>"
    )
    assert parse_application_host_config(_config(body)).host_hint is Host.IIS_EXPRESS
    given = parse_application_host_config(_config(body), host=Host.IIS)
    assert (given.host_hint, given.host_evidence) == (Host.IIS, "given by the caller")
    plain = parse_application_host_config(_config(""))
    assert plain.host_hint is Host.IIS


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.replace("UTF-8", "UTF-16").encode("utf-16-le"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t,
    ],
)
def test_encodings(encode: object) -> None:
    text = fixture_text("appconfig", "iisexpress_applicationhost.config")
    config = parse_application_host_config(encode(text))  # type: ignore[operator]
    assert config.effective_access_flags("WebApplication1") == (NEG, 258)


def test_declared_single_byte_encoding() -> None:
    text = _config(
        '<system.applicationHost><sites><site name="Café" id="1" /></sites>'
        "</system.applicationHost>"
    ).replace("UTF-8", "windows-1252")
    config = parse_application_host_config(text.encode("cp1252"))
    assert config.sites[0].name == "Café"


# -- bad and hostile input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("hostile_billion_laughs.config", 2),
        ("hostile_xxe.config", 2),
        ("hostile_external_dtd.config", 2),
        ("hostile_parameter_entity.config", 2),
    ],
)
def test_hostile_xml_is_refused(name: str, line: int) -> None:
    expect_input_error(
        lambda: read_file(FIXTURES / "appconfig" / name),
        file=str(FIXTURES / "appconfig" / name),
        line=line,
        match="DTD",
    )


def test_inline_entity_reference_without_dtd() -> None:
    expect_input_error(
        lambda: parse_application_host_config(_config("<a x='&xxe;' />"), filename="c"),
        file="c",
        line=3,
        match="well-formed",
    )


def test_truncated_xml() -> None:
    expect_input_error(
        lambda: read_file(FIXTURES / "appconfig" / "truncated.config"),
        file=str(FIXTURES / "appconfig" / "truncated.config"),
        match="well-formed",
    )


def test_binary_file() -> None:
    expect_input_error(
        lambda: parse_application_host_config(fixture_bytes("binary.bin"), filename="b"),
        file="b",
        match="not",
    )


def test_wrong_root_and_empty() -> None:
    expect_input_error(
        lambda: parse_application_host_config("<?xml version='1.0'?>\n<web />", filename="w"),
        file="w",
        line=2,
        match="root element",
    )
    expect_input_error(lambda: parse_application_host_config("", filename="w"), file="w", line=1)


@pytest.mark.parametrize(
    ("body", "line", "match"),
    [
        (
            '<system.applicationHost><sites>\n<site id="1" /></sites></system.applicationHost>',
            4,
            "'name'",
        ),
        (
            '<system.applicationHost><sites>\n<site name="A" id="x" /></sites>'
            "</system.applicationHost>",
            4,
            "not a number",
        ),
        (
            '<system.applicationHost><sites><site name="A" id="1" />\n<site name="a" /></sites>'
            "</system.applicationHost>",
            4,
            "twice",
        ),
        (
            '<system.applicationHost><sites><site name="A"><bindings>\n'
            '<binding protocol="https" /></bindings></site></sites></system.applicationHost>',
            4,
            "bindingInformation",
        ),
        (
            '<system.applicationHost><sites><site name="A"><bindings>\n'
            '<binding protocol="https" bindingInformation="*:99999:" /></bindings></site></sites>'
            "</system.applicationHost>",
            4,
            "out of range",
        ),
        (
            '<system.applicationHost><sites><site name="A"><bindings>\n'
            '<binding protocol="https" bindingInformation="*:443:" sslFlags="1" /></bindings>'
            "</site></sites></system.applicationHost>",
            4,
            "host name",
        ),
        (
            '<system.applicationHost><sites><site name="A"><bindings>\n'
            '<binding protocol="https" bindingInformation="*:443:x" sslFlags="Fast" /></bindings>'
            "</site></sites></system.applicationHost>",
            4,
            "neither",
        ),
        (
            '<system.applicationHost><sites><site name="A"><bindings>\n'
            '<binding protocol="https" bindingInformation="*:443:x" sslFlags="4096" /></bindings>'
            "</site></sites></system.applicationHost>",
            4,
            "bits",
        ),
        (
            '<system.webServer><security>\n<access sslFlags="Ssl, Bogus" />'
            "</security></system.webServer>",
            4,
            "Bogus",
        ),
        (
            '<system.webServer><security>\n<access sslFlags="" /></security></system.webServer>',
            4,
            "sslFlags",
        ),
        (
            '<system.webServer><security><access sslFlags="Ssl" /></security></system.webServer>\n'
            '<location path=""><system.webServer><security><access sslFlags="None" />'
            "</security></system.webServer></location>",
            4,
            "second <access>",
        ),
    ],
)
def test_bad_config_values(body: str, line: int, match: str) -> None:
    expect_input_error(
        lambda: parse_application_host_config(_config(body), filename="bad.config"),
        file="bad.config",
        line=line,
        match=match,
    )


@pytest.mark.parametrize("encoding", [b"x-klingon", b"shift_jis", b"idna", b"unicode_escape"])
def test_unknown_or_unsupported_declared_encoding(encoding: bytes) -> None:
    data = b'<?xml version="1.0" encoding="' + encoding + b'"?><configuration/>'
    expect_input_error(
        lambda: parse_application_host_config(data, filename="k"),
        file="k",
        line=1,
        match="encoding",
    )


def test_invalid_utf8() -> None:
    data = _config('<a x="caf\xe9" />').encode("latin-1")
    expect_input_error(
        lambda: parse_application_host_config(data, filename="u"),
        file="u",
        line=3,
        match="UTF-8",
    )


def test_deep_nesting_is_bounded() -> None:
    text = "<configuration>" + "<a>" * 5000 + "</a>" * 5000 + "</configuration>"
    expect_input_error(
        lambda: parse_application_host_config(text, filename="deep"),
        file="deep",
        line=1,
        match="nested",
    )


def test_oversized() -> None:
    expect_input_error(
        lambda: parse_application_host_config(b" " * (MAX_INPUT_BYTES + 1), filename="o"),
        file="o",
        line=None,
        match="limit",
    )


def test_large_legitimate_file_is_quick() -> None:
    sites = "".join(
        f'<site name="S{i}" id="{i}"><bindings><binding protocol="https" '
        f'bindingInformation="*:443:s{i}.test" sslFlags="1" /></bindings></site>'
        for i in range(3000)
    )
    locations = "".join(
        f'<location path="S{i}/admin"><system.webServer><security>'
        '<access sslFlags="Ssl,SslNegotiateCert" /></security></system.webServer></location>'
        for i in range(3000)
    )
    text = _config(
        f"<system.applicationHost><sites>{sites}</sites></system.applicationHost>" + locations
    )
    with bounded(5.0):
        config = parse_application_host_config(text)
    assert len(config.sites) == 3000
    assert config.effective_access_flags("S2999", "/admin/x") == (SSL | NEG, 3)


# -- client-certificate mapping and native modules (R-IIS-7.mapping, R-IIS-8) ---------------

_SITE = (
    '<system.applicationHost><sites><site name="S" id="1"><bindings>'
    '<binding protocol="https" bindingInformation="*:443:" /></bindings></site></sites>'
    "</system.applicationHost>"
)


def _auth(inner: str) -> str:
    return (
        "<system.webServer><security><authentication>"
        f"{inner}</authentication></security></system.webServer>"
    )


def test_certificate_mapping_of_the_bundle_fixture() -> None:
    config = read_file(FIXTURES / "bundle" / "certchecks" / "applicationHost.config")
    partners = config.certificate_mapping("Partners")
    # The one-to-one mapping is disabled and the only many-to-one one denies: nothing can map.
    assert partners.iis_enabled
    assert partners.granting == 0
    assert partners.matches is False
    assert [(m.name, m.permission_mode, m.rules) for m in partners.many_to_one] == [
        ("Blocked partners", "Deny", 1)
    ]
    assert [(m.enabled, m.user_name) for m in partners.one_to_one] == [
        (False, "CONTOSO\\partner-svc")
    ]
    extranet = config.certificate_mapping("Extranet", "/public")
    # Inherited from the site's location; whether the client's certificate matches the rule is
    # not in the file.
    assert extranet.kind.value == "many-to-one"
    assert extranet.granting == 1
    assert extranet.matches is None
    staff = config.certificate_mapping("staff")  # site names compare case-insensitively
    assert (staff.kind.value, staff.iis_enabled, staff.ad_enabled) == (
        "active-directory",
        False,
        True,
    )
    # The server level turns both off; nothing maps where no location turns them on.
    assert config.certificate_mapping("Nowhere").kind.value == "none"


def test_native_modules_run_where_modules_adds_them() -> None:
    config = read_file(FIXTURES / "bundle" / "certchecks" / "applicationHost.config")
    gate = next(m for m in config.global_modules if m.name == "ContosoCertGate")
    assert not gate.ships_with_iis
    assert gate.line > 0
    assert all(m.ships_with_iis for m in config.global_modules if m is not gate)
    assert gate in config.native_modules("Extranet", "/public")
    assert gate in config.native_modules("Extranet", "/public/docs")
    assert gate not in config.native_modules("Extranet", "/")
    assert gate not in config.native_modules("Partners")


def test_mapping_inheritance_clear_and_remove() -> None:
    server = _auth(
        '<iisClientCertificateMappingAuthentication enabled="true"><manyToOneMappings>'
        '<add name="All" /><add name="Old" />'
        "</manyToOneMappings></iisClientCertificateMappingAuthentication>"
    )
    body = (
        _SITE
        + server
        + '<location path="S/a">'
        + _auth(
            "<iisClientCertificateMappingAuthentication><manyToOneMappings>"
            '<remove name="old" /></manyToOneMappings></iisClientCertificateMappingAuthentication>'
        )
        + '</location><location path="S/b">'
        + _auth(
            "<iisClientCertificateMappingAuthentication "
            'manyToOneCertificateMappingsEnabled="false">'
            "</iisClientCertificateMappingAuthentication>"
        )
        + '</location><location path="S/c">'
        + _auth(
            "<iisClientCertificateMappingAuthentication><manyToOneMappings><clear />"
            '<add name="Nobody" permissionMode="Deny" /></manyToOneMappings>'
            "</iisClientCertificateMappingAuthentication>"
            '<clientCertificateMappingAuthentication enabled="true" />'
        )
        + '</location><location path="S/d">'
        + _auth('<iisClientCertificateMappingAuthentication enabled="false" />')
        + "</location>"
    )
    config = parse_application_host_config(_config(body))
    assert [m.name for m in config.certificate_mapping("S", "/").many_to_one] == ["All", "Old"]
    assert [m.name for m in config.certificate_mapping("S", "/a/x").many_to_one] == ["All"]
    assert config.certificate_mapping("S", "/a").matches is None
    assert config.certificate_mapping("S", "/b").matches is False  # many-to-one switched off
    c = config.certificate_mapping("S", "/c")
    assert [m.name for m in c.many_to_one] == ["Nobody"]
    assert c.matches is False
    assert "Active Directory mapping is enabled too" in c.describe()
    assert config.certificate_mapping("S", "/d").kind.value == "none"


@pytest.mark.parametrize(
    ("inner", "field", "match"),
    [
        (
            '<iisClientCertificateMappingAuthentication enabled="yes" />',
            "iisClientCertificateMappingAuthentication/@enabled",
            "not a boolean",
        ),
        (
            "<iisClientCertificateMappingAuthentication><manyToOneMappings>"
            '<add name="x" permissionMode="Maybe" /></manyToOneMappings>'
            "</iisClientCertificateMappingAuthentication>",
            "add/@permissionMode",
            "neither Allow nor Deny",
        ),
        (
            "<iisClientCertificateMappingAuthentication><oneToOneMappings>"
            '<add userName="u" /></oneToOneMappings></iisClientCertificateMappingAuthentication>',
            "add/@certificate",
            "required",
        ),
        (
            '<clientCertificateMappingAuthentication enabled="true" />'
            '<clientCertificateMappingAuthentication enabled="false" />',
            "clientCertificateMappingAuthentication",
            "second",
        ),
    ],
)
def test_bad_mapping_sections(inner: str, field: str, match: str) -> None:
    error = expect_input_error(
        lambda: parse_application_host_config(_config(_SITE + _auth(inner)), filename="a.config"),
        file="a.config",
        line=3,
        match=match,
        field=field,
    )
    assert error.field == field


def test_global_module_without_image_is_refused() -> None:
    body = '<system.webServer><globalModules><add name="X" /></globalModules></system.webServer>'
    expect_input_error(
        lambda: parse_application_host_config(_config(body), filename="g.config"),
        file="g.config",
        line=3,
        field="add/@image",
    )
