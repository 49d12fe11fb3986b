"""Fuzzing: whatever bytes or text the readers get, only InputError escapes (contract §4.12)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from httpsys_sim.errors import InputError
from httpsys_sim.readers._appconfig import parse_application_host_config
from httpsys_sim.readers._netsh import parse_netsh_sslcert
from httpsys_sim.readers._regfile import parse_schannel_reg
from httpsys_sim.readers._webconfig import parse_web_config

from ._helpers import bounded, fixture_bytes

Reader = Callable[..., object]


def _web_config(data: str | bytes, *, filename: str) -> object:
    return parse_web_config(data, filename=filename, site="S", directory="/app")


READERS: dict[str, Reader] = {
    "netsh": parse_netsh_sslcert,
    "appconfig": parse_application_host_config,
    "reg": parse_schannel_reg,
    "webconfig": _web_config,
}

FIXTURES: dict[str, list[bytes]] = {
    "netsh": [
        fixture_bytes("netsh", "server2016_old.txt"),
        fixture_bytes("netsh", "server2022_new.txt"),
        fixture_bytes("netsh", "iisexpress_dev_utf16.txt"),
        fixture_bytes("bundle", "certchecks", "netsh-sslcert.txt"),
    ],
    "appconfig": [
        fixture_bytes("appconfig", "iis_applicationhost.config"),
        fixture_bytes("appconfig", "iisexpress_applicationhost.config"),
        fixture_bytes("bundle", "certchecks", "applicationHost.config"),
    ],
    "webconfig": [
        fixture_bytes("bundle", "server2022", "webconfig", "Portal", "admin", "web.config"),
    ],
    "reg": [
        fixture_bytes("bundle", "server2022", "http.reg"),
        fixture_bytes("reg", "schannel_hardened.reg"),
        fixture_bytes("reg", "http_parameters.reg"),
        fixture_bytes("reg", "regedit4_ansi.reg"),
        fixture_bytes("bundle", "certchecks", "http.reg"),
        fixture_bytes("bundle", "certchecks", "schannel.reg"),
    ],
}


def _only_input_error(reader: Reader, data: str | bytes) -> None:
    error: InputError | None = None
    with bounded(5.0):
        try:
            reader(data, filename="fuzz")
        except InputError as exc:
            error = exc
    if error is not None:
        assert error.file == "fuzz"
        assert "\n" not in str(error)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """A fixture with a few random byte edits, deletions, insertions, line drops or a cut."""
    data = bytearray(draw(st.sampled_from(FIXTURES[name])))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "drop_line", "dup"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b":",
                        b" : ",
                        b"\r\n",
                        b"\n",
                        b"<",
                        b">",
                        b"&",
                        b'"',
                        b"[",
                        b"]",
                        b"\\",
                        b"\x00",
                        b"\xff\xfe",
                        b"Set",
                        b"=",
                        b"dword:",
                        b"<!DOCTYPE x>",
                        b"IP:port : 1.2.3.4:1\n",
                        b"<location path='a/b'>",
                        b"hex:",
                    ]
                )
            )
        elif op == "truncate":
            del data[at:]
        elif op == "drop_line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            del data[start : (end + 1 if end >= 0 else len(data))]
        else:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            line = bytes(data[start : (end + 1 if end >= 0 else len(data))])
            data[start:start] = line
    return bytes(data)


@given(data=st.binary(max_size=3000))
def test_netsh_arbitrary_bytes(data: bytes) -> None:
    _only_input_error(parse_netsh_sslcert, data)


@given(data=st.binary(max_size=3000))
def test_appconfig_arbitrary_bytes(data: bytes) -> None:
    _only_input_error(parse_application_host_config, data)


@given(data=st.binary(max_size=3000))
def test_reg_arbitrary_bytes(data: bytes) -> None:
    _only_input_error(parse_schannel_reg, data)


@given(text=st.text(max_size=2000))
def test_all_readers_arbitrary_text(text: str) -> None:
    for reader in READERS.values():
        _only_input_error(reader, text)


_netsh_alphabet = st.sampled_from(
    [
        "SSL Certificate bindings:\n",
        "----\n",
        "    IP:port : ",
        "0.0.0.0:443",
        "\n",
        "    Negotiate Client Certificate : ",
        "Enabled",
        "Set",
        " Extended Properties:\n",
        "    PropertyId : ",
        "1",
        "Hostname:port : ",
        "Central Certificate Store : ",
        "    Application ID : ",
        "{214124cd-d05b-4309-9af9-9caa44b2b74a}",
        "(null)",
        ":",
        " ",
    ]
)
_xml_alphabet = st.sampled_from(
    [
        "<configuration>",
        "</configuration>",
        "<location path='S/a'>",
        "</location>",
        "<system.webServer>",
        "</system.webServer>",
        "<security>",
        "</security>",
        "<access sslFlags='Ssl'/>",
        "<access sslFlags='Bogus'/>",
        "<site name='S' id='1'>",
        "</site>",
        "<bindings>",
        "</bindings>",
        "<binding protocol='https' bindingInformation='*:443:x' sslFlags='1'/>",
        "<system.applicationHost>",
        "</system.applicationHost>",
        "<sites>",
        "</sites>",
        "&amp;",
        "&x;",
        "<!DOCTYPE c>",
        "<![CDATA[x]]>",
        "<?pi x?>",
        "<!-- c -->",
        "\n",
        " ",
    ]
)
_reg_alphabet = st.sampled_from(
    [
        "Windows Registry Editor Version 5.00\r\n",
        "REGEDIT4\n",
        "\r\n",
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL]",
        "[-HKEY_LOCAL_MACHINE\\SYSTEM]",
        "\\Protocols\\TLS 1.3\\Server",
        '"Enabled"=',
        "dword:00000001",
        "hex:01,02",
        ",\\\r\n  ",
        "hex(4):",
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters",
        "\\SslBindingInfo\\",
        "\\SslSniBindingInfo\\",
        "\\SslCcsBindingInfo\\",
        "0.0.0.0:443",
        "portal.test:443",
        '"AppId"=',
        '"SslCertHash"=',
        '"DefaultFlags"=',
        '"SslCertStoreName"=',
        '"DefaultRevocationFreshnessTime"=',
        "hex:81,e1,c3,4d,4b,e1,21,4a,b0,22,59,fc,66,9b,09,14",
        '"x"=-',
        '@="v"',
        ";c",
        "]",
        '"',
    ]
)


@given(parts=st.lists(_netsh_alphabet, max_size=60))
def test_netsh_token_soup(parts: list[str]) -> None:
    _only_input_error(parse_netsh_sslcert, "".join(parts))


@given(parts=st.lists(_xml_alphabet, max_size=60))
def test_appconfig_token_soup(parts: list[str]) -> None:
    _only_input_error(parse_application_host_config, "".join(parts))


@given(parts=st.lists(_xml_alphabet, max_size=60))
def test_web_config_token_soup(parts: list[str]) -> None:
    _only_input_error(_web_config, "".join(parts))


@given(data=st.binary(max_size=3000))
def test_web_config_arbitrary_bytes(data: bytes) -> None:
    _only_input_error(_web_config, data)


@given(parts=st.lists(_reg_alphabet, max_size=60))
def test_reg_token_soup(parts: list[str]) -> None:
    _only_input_error(parse_schannel_reg, "".join(parts))


@given(data=mutated("netsh"))
def test_netsh_mutated_fixtures(data: bytes) -> None:
    _only_input_error(parse_netsh_sslcert, data)


@given(data=mutated("appconfig"))
def test_appconfig_mutated_fixtures(data: bytes) -> None:
    _only_input_error(parse_application_host_config, data)


@given(data=mutated("reg"))
def test_reg_mutated_fixtures(data: bytes) -> None:
    _only_input_error(parse_schannel_reg, data)


@settings(max_examples=50)
@given(
    data=st.sampled_from([b for files in FIXTURES.values() for b in files]),
    cut=st.integers(0, 20000),
)
def test_every_reader_on_every_truncated_fixture(data: bytes, cut: int) -> None:
    for reader in READERS.values():
        _only_input_error(reader, data[: cut % (len(data) + 1)])
