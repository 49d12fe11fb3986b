"""``.reg`` export reader: fixtures, syntax variants, bad input."""

from __future__ import annotations

import codecs

import pytest

from httpsys_sim.errors import InputError
from httpsys_sim.readers._regfile import parse_schannel_reg, read_file
from httpsys_sim.readers._text import MAX_INPUT_BYTES
from httpsys_sim.windows._schannel import SchannelSettings

from ._helpers import FIXTURES, expect_input_error, fixture_bytes

_HEAD = "Windows Registry Editor Version 5.00\r\n\r\n"
_SCH = "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL]\r\n"
_HTTP = "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters]\r\n"


def _utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def test_schannel_hardened_fixture() -> None:
    export = read_file(FIXTURES / "reg" / "schannel_hardened.reg")
    assert export.settings == SchannelSettings(
        disable_reneg_on_server=True,
        disable_reneg_on_client=False,
        allow_insecure_reneg_clients=False,
        allow_insecure_reneg_servers=False,
        use_scsv_for_tls=True,
        server_protocols={"1.0": False, "1.1": False, "1.2": True, "1.3": False},
        client_protocols={"ssl2": False, "1.2": True},
    )
    assert export.settings.server_protocol_enabled("1.3") is False
    assert export.settings.server_protocol_enabled("1.0") is False
    assert export.http3_enabled is None
    assert dict(export.binding_flags) == {}
    assert export.value_lines["DisableRenegoOnServer"] == 7
    assert export.value_lines["Protocols\\TLS 1.3\\Server\\Enabled"] == 54


def test_http_parameters_fixture() -> None:
    export = parse_schannel_reg(fixture_bytes("reg", "http_parameters.reg"), filename="h.reg")
    assert export.filename == "h.reg"
    assert export.settings == SchannelSettings()
    assert export.http3_enabled is True
    assert dict(export.binding_flags) == {
        "0.0.0.0:443": 0x40,
        "0.0.0.0:44300": 0x2,
        "portal.contoso.test:443": 0x812,
        "ccs:8443": 0,
    }
    assert dict(export.binding_cert_check_modes) == {
        "0.0.0.0:443": 0,
        "0.0.0.0:44300": 0x10000,
        "ccs:8443": 0,
    }
    assert export.value_lines["SslBindingInfo\\0.0.0.0:44300\\DefaultFlags"] == 24
    assert export.value_lines["EnableHttp3"] == 4


def test_every_binding_store_gives_a_binding_of_its_kind() -> None:
    export = parse_schannel_reg(fixture_bytes("reg", "http_parameters.reg"), filename="h.reg")
    found = {(b.store, b.binding.kind, b.binding.endpoint): b for b in export.bindings}
    assert set(found) == {
        ("SslBindingInfo", "ipport", "0.0.0.0:443"),
        ("SslBindingInfo", "ipport", "0.0.0.0:44300"),
        ("SslSniBindingInfo", "hostnameport", "portal.contoso.test:443"),
        ("SslCcsBindingInfo", "ccs", "ccs:8443"),
    }
    iis = found[("SslBindingInfo", "ipport", "0.0.0.0:443")]
    # The hash and the AppId GUID (stored little-endian) read as netsh prints them.
    assert iis.binding.certificate_hash == "3f2e1d0c9b8a79685746352413021f0e0d0c0b0a"
    assert iis.binding.app_id == "{4dc3e181-e14b-4a21-b022-59fc669b0914}"
    assert iis.binding.disable_tls13
    assert not iis.binding.client_cert_negotiation
    assert iis.line == 9
    sni = found[("SslSniBindingInfo", "hostnameport", "portal.contoso.test:443")]
    assert sni.flags == 0x812
    assert sni.binding.client_cert_negotiation
    assert sni.binding.disable_http2
    assert sni.registry_path.endswith("\\SslSniBindingInfo\\portal.contoso.test:443")
    express = found[("SslBindingInfo", "ipport", "0.0.0.0:44300")]
    assert express.binding.certificate_hash == "4e3a0f6bb6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"
    assert not express.binding.usage_check


def test_a_bad_binding_value_names_the_key_line() -> None:
    text = (
        _HEAD + "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
        "SslBindingInfo\\0.0.0.0:443]\r\n"
        '"AppId"=hex:01,02\r\n'
    )
    with pytest.raises(InputError) as info:
        parse_schannel_reg(text, filename="x.reg")
    assert info.value.field == "AppId"
    assert info.value.line == 4


def test_regedit4_ansi_fixture() -> None:
    export = read_file(FIXTURES / "reg" / "regedit4_ansi.reg")
    # TLS 1.3's Enabled was deleted again ("Enabled"=-), TLS 1.1's key was deleted ([-…]).
    assert export.settings == SchannelSettings(server_protocols={"1.0": True})
    assert export.value_lines["AllowInsecureRenegoClients"] == 6


def test_defaults_when_values_are_absent() -> None:
    export = parse_schannel_reg(_HEAD + _SCH + '"EventLogging"=dword:00000001\r\n')
    assert export.settings == SchannelSettings()
    assert export.settings.allow_insecure_reneg_clients is True
    assert export.settings.use_scsv_for_tls is False


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ('"Enabled"=dword:00000000\r\n', False),
        ('"Enabled"=dword:ffffffff\r\n', True),
        ('"Enabled"=dword:00000001\r\n"DisabledByDefault"=dword:00000000\r\n', True),
        ('"Enabled"=dword:00000001\r\n"DisabledByDefault"=dword:00000001\r\n', False),
        ('"DisabledByDefault"=dword:00000001\r\n', False),
        ('"DisabledByDefault"=dword:00000000\r\n', None),
        ('"Enabled"=hex(4):01,00,00,00\r\n', True),
    ],
)
def test_protocol_enablement(values: str, expected: bool | None) -> None:
    key = _SCH[:-3] + "\\Protocols\\TLS 1.3\\Server]\r\n"
    export = parse_schannel_reg(_utf16(_HEAD + key + values))
    assert export.settings.server_protocol_enabled("1.3") is expected


def test_syntax_variants() -> None:
    text = (
        "REGEDIT4\n\n"
        "; a comment\n"
        "[hklm\\system\\ControlSet001\\control\\securityproviders\\schannel]\n"
        '"DisableRenegoOnServer"=dword:1\n'
        '@="default value"\n'
        '"Quoted \\"name\\" with \\\\ slash"="va\\"l"\n'
        '"Multi"=hex(7):41,00,\\\n'
        "    00,00\n"
        '"Empty"=hex:\n'
        '"Qword"=hex(b):01,00,00,00,00,00,00,00\n'
    )
    export = parse_schannel_reg(text)
    assert export.settings.disable_reneg_on_server is True


def test_deleted_key_then_recreated() -> None:
    text = (
        _HEAD
        + _HTTP
        + '"EnableHttp3"=dword:00000001\r\n'
        + "[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP]\r\n"
        + _HTTP
        + '"EnableHttp3"=dword:00000000\r\n'
    )
    assert parse_schannel_reg(text).http3_enabled is False
    text = _HEAD + _HTTP + '"EnableHttp3"=dword:00000001\r\n' + _HTTP + '"EnableHttp3"=-\r\n'
    assert parse_schannel_reg(text).http3_enabled is None


def test_ccs_and_ipv6_binding_keys() -> None:
    base = "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
    text = (
        _HEAD
        + base
        + 'SslCcsBindingInfo\\0.0.0.0:443]\r\n"DefaultFlags"=dword:00000002\r\n'
        + base
        + 'SslBindingInfo\\[::]:443]\r\n"DefaultFlags"=dword:00000040\r\n'
    )
    assert dict(parse_schannel_reg(text).binding_flags) == {"ccs:443": 2, "[::]:443": 0x40}


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "match"),
    [
        ('"DisableRenegoOnServer"=dword:00000001\r\n', 3, "outside any"),
        (_SCH + '"DisableRenegoOnServer"="1"\r\n', 4, "DWORD"),
        (_SCH + '"DisableRenegoOnServer"=dword:123456789\r\n', 4, "dword"),
        (_SCH + '"DisableRenegoOnServer"=dword:xyz\r\n', 4, "dword"),
        (_SCH + '"DisableRenegoOnServer"\r\n', 4, "'='"),
        (_SCH + '"Unterminated=dword:1\r\n', 4, "unterminated"),
        (_SCH + '"Bin"=hex:0g,01\r\n', 4, "hex byte"),
        (_SCH + '"Bin"=hex:01,02,\\\r\n  03,zz\r\n', 4, "hex byte"),
        (_SCH + "DisableRenegoOnServer=dword:1\r\n", 4, "cannot read"),
        (_SCH + '"X"=qword:1\r\n', 4, "cannot read the data"),
        (_SCH + '"X"="a" trailing\r\n', 4, "after the string"),
        ("[HKEY_LOCAL_MACHINE\\SYSTEM\r\n", 3, "']'"),
        ("[HKEY_LOCAL_MACHINE\\\\SYSTEM]\r\n", 3, "malformed key"),
        (_SCH + '"Bin"=hex:01,02,\\\r\n', 4, "past the end"),
        (_HTTP + '"EnableHttp3"=hex:01\r\n', 4, "DWORD"),
    ],
)
def test_malformed_lines(body: str, line: int, match: str) -> None:
    for data in (_HEAD + body, _utf16(_HEAD + body)):
        expect_input_error(
            lambda d=data: parse_schannel_reg(d, filename="bad.reg"),  # type: ignore[misc]
            file="bad.reg",
            line=line,
            match=match,
        )


def test_missing_header() -> None:
    expect_input_error(
        lambda: parse_schannel_reg("\r\n" + _SCH, filename="r"),
        file="r",
        line=2,
        match="header|first line",
    )
    expect_input_error(lambda: parse_schannel_reg("", filename="r"), file="r", line=1)
    expect_input_error(lambda: parse_schannel_reg(b"", filename="r"), file="r", line=1)


def test_binary_oversized_and_encoding() -> None:
    expect_input_error(
        lambda: parse_schannel_reg(fixture_bytes("binary.bin"), filename="b"), file="b"
    )
    expect_input_error(
        lambda: parse_schannel_reg(b"x" * (MAX_INPUT_BYTES + 1), filename="big"),
        file="big",
        line=None,
        match="limit",
    )
    # Not UTF-8 and not cp1252 either (0x81 is undefined in cp1252).
    data = (_HEAD + _SCH).encode() + b'"X"="\x81"\r\n'
    expect_input_error(lambda: parse_schannel_reg(data, filename="e"), file="e", line=4)
    truncated = fixture_bytes("reg", "http_parameters.reg")[:-1]
    expect_input_error(lambda: parse_schannel_reg(truncated, filename="t"), file="t", match="odd")


# -- the certificate checks of a binding and Schannel's trust settings ------------------------

_BINDING_KEY = (
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
    "SslBindingInfo\\0.0.0.0:443]\r\n"
)


def test_binding_certificate_checks_as_http_sys_writes_them() -> None:
    text = (
        _HEAD
        + _BINDING_KEY
        + '"SslCertHash"=hex:3f,2e,1d,0c,9b,8a,79,68,57,46,35,24,13,02,1f,0e,0d,0c,0b,0a\r\n'
        + '"DefaultSslCertCheckMode"=dword:00010006\r\n'
        + '"DefaultSslRevocationFreshnessTime"=dword:00000e10\r\n'
        + '"DefaultSslRevocationUrlRetrievalTimeout"=dword:00001388\r\n'
        + '"DefaultSslCtlIdentifier"="ClientCAs"\r\n'
        + '"DefaultSslCtlStoreName"="CA"\r\n'
        + '"DefaultFlags"=dword:00000000\r\n'
    )
    export = parse_schannel_reg(_utf16(text), filename="http.reg")
    (found,) = export.bindings
    b = found.binding
    assert b.verify_client_cert_revocation  # 0x1 not set
    assert b.verify_revocation_with_cached_cert_only  # 0x2
    assert b.revocation_freshness_time == 3600  # 0x4 and the value
    assert b.url_retrieval_timeout == 5000
    assert not b.usage_check  # 0x10000
    assert (b.ctl_identifier, b.ctl_store_name) == ("ClientCAs", "CA")
    assert int(b.cert_check_mode) == 0x10006
    assert dict(export.binding_cert_check_modes) == {"0.0.0.0:443": 0x10006}
    assert found.value_lines["DefaultSslRevocationFreshnessTime"] == 6


def test_revocation_off_and_the_struct_member_names_are_read_too() -> None:
    text = (
        _HEAD
        + _BINDING_KEY
        + '"DefaultCertCheckMode"=dword:00000001\r\n'
        + '"DefaultRevocationUrlRetrievalTimeout"=dword:00000000\r\n'
        + '"SslCtlIdentifier"=""\r\n'
    )
    (found,) = parse_schannel_reg(text).bindings
    assert not found.binding.verify_client_cert_revocation
    assert found.binding.url_retrieval_timeout is None  # 0 = not set, as netsh shows it
    assert found.binding.ctl_identifier is None
    # A freshness time without the 0x4 bit is not used by http.sys, nor by the model.
    text = _HEAD + _BINDING_KEY + '"DefaultSslRevocationFreshnessTime"=dword:00000010\r\n'
    assert parse_schannel_reg(text).bindings[0].binding.revocation_freshness_time is None


def test_schannel_trust_settings() -> None:
    text = (
        _HEAD + _SCH + '"SendTrustedIssuerList"=dword:00000001\r\n"ClientAuthTrustMode"=dword:2\r\n'
    )
    export = parse_schannel_reg(_utf16(text), filename="schannel.reg")
    assert export.send_trusted_issuer_list is True
    assert export.client_auth_trust_mode == 2
    assert export.value_lines["ClientAuthTrustMode"] == 5
    # Absent: None (Windows' defaults, not a value read from the file).
    empty = parse_schannel_reg(_HEAD + _SCH)
    assert (empty.send_trusted_issuer_list, empty.client_auth_trust_mode) == (None, None)
    off = parse_schannel_reg(_HEAD + _SCH + '"SendTrustedIssuerList"=dword:00000000\r\n')
    assert off.send_trusted_issuer_list is False


@pytest.mark.parametrize(
    ("body", "line", "field", "match"),
    [
        (
            _BINDING_KEY + '"DefaultSslCertCheckMode"=dword:00000008\r\n',
            4,
            "DefaultSslCertCheckMode",
            "bits no Windows release defines",
        ),
        (
            _BINDING_KEY + '"DefaultSslRevocationFreshnessTime"="one hour"\r\n',
            4,
            "DefaultSslRevocationFreshnessTime",
            "DWORD",
        ),
        (
            _BINDING_KEY + '"DefaultSslRevocationUrlRetrievalTimeout"=hex:01,02\r\n',
            4,
            "DefaultSslRevocationUrlRetrievalTimeout",
            "DWORD",
        ),
        (
            _BINDING_KEY + '"DefaultSslCtlIdentifier"=dword:00000001\r\n',
            4,
            "DefaultSslCtlIdentifier",
            "string",
        ),
        (
            _BINDING_KEY
            + '"DefaultSslCertCheckMode"=dword:00000000\r\n"DefaultCertCheckMode"=dword:1\r\n',
            5,
            "DefaultCertCheckMode",
            "both set",
        ),
        (_SCH + '"ClientAuthTrustMode"=dword:00000003\r\n', 4, "ClientAuthTrustMode", "trust mode"),
        (_SCH + '"SendTrustedIssuerList"="yes"\r\n', 4, "SendTrustedIssuerList", "DWORD"),
    ],
)
def test_bad_certificate_check_values(body: str, line: int, field: str, match: str) -> None:
    error = expect_input_error(
        lambda: parse_schannel_reg(_utf16(_HEAD + body), filename="bad.reg"),
        file="bad.reg",
        line=line,
        match=match,
        field=field,
    )
    assert error.hint
