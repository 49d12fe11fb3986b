"""``netsh http show sslcert`` reader: fixtures, every R-BIND-2 variant, bad input."""

from __future__ import annotations

import codecs

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim.readers._netsh import NetshBinding, parse_netsh_sslcert, read_file
from httpsys_sim.readers._text import MAX_INPUT_BYTES
from httpsys_sim.windows._binding import (
    IIS_APP_ID,
    IIS_EXPRESS_APP_ID,
    HttpSysFlag,
    SslBinding,
)

from ._helpers import FIXTURES, expect_input_error, fixture_bytes, fixture_text

# -- fixtures -----------------------------------------------------------------------------


def test_server2016_old_build() -> None:
    result = read_file(FIXTURES / "netsh" / "server2016_old.txt")
    assert [b.line for b in result] == [5, 19, 33]
    assert [b.binding for b in result] == [
        SslBinding(
            endpoint="0.0.0.0:443",
            certificate_hash="6c5c5d8e2b9f3f1a0e7d4c3b2a1908f7e6d5c4b3",
            app_id=IIS_APP_ID,
            cert_store="My",
        ),
        SslBinding(
            endpoint="0.0.0.0:8172",
            certificate_hash="0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
            app_id="{00000000-0000-0000-0000-000000000000}",
            verify_client_cert_revocation=False,
            ds_mapper_usage=True,
            client_cert_negotiation=True,
        ),
        SslBinding(
            endpoint="10.0.0.5:443",
            certificate_hash="a1b2c3d4e5f60718293a4b5c6d7e8f9001122334",
            app_id=IIS_APP_ID,
            cert_store="WebHosting",
            verify_revocation_with_cached_cert_only=True,
            usage_check=False,
            revocation_freshness_time=3600,
            url_retrieval_timeout=15000,
            ctl_identifier="ContosoClientCAs",
            ctl_store_name="ClientAuthIssuer",
        ),
    ]
    assert [int(b.binding.default_flags) for b in result] == [0, 0x3, 0]
    assert [int(b.binding.cert_check_mode) for b in result] == [0, 0x1, 0x10006]
    assert result[0].raw["Negotiate Client Certificate"] == "Disabled"
    assert result[0].extended_properties == ()
    assert result[1].field_lines["client_cert_negotiation"] == 31


def test_server2022_new_build() -> None:
    first, sni, ccs = parse_netsh_sslcert(
        fixture_bytes("netsh", "server2022_new.txt"), filename="new.txt"
    )
    assert first.binding == SslBinding(
        endpoint="0.0.0.0:443",
        certificate_hash="3f2e1d0c9b8a79685746352413021f0e0d0c0b0a",
        app_id=IIS_APP_ID,
        cert_store="My",
        disable_tls13=True,
        disable_legacy_tls=True,
    )
    assert first.binding.default_flags == HttpSysFlag.DISABLE_TLS13 | HttpSysFlag.DISABLE_LEGACY_TLS
    assert first.raw["Disable TLS1.3 over TCP"] == "Set"
    assert [(p.property_id, p.line) for p in first.extended_properties] == [(0, 30), (1, 33)]
    assert first.extended_properties[0].receive_window == 1048576
    assert first.extended_properties[1].max_settings_per_frame == 2796202
    assert first.extended_properties[1].max_settings_per_minute == 4294967295
    assert first.extended_properties[0].max_settings_per_frame is None

    assert sni.line == 38
    assert sni.binding.kind == "hostnameport"
    assert sni.binding.endpoint == "portal.contoso.test:443"
    assert sni.binding.client_cert_negotiation is True
    assert int(sni.binding.default_flags) == 0x812
    assert sni.binding.cert_store == "WebHosting"

    assert ccs.line == 71
    assert ccs.binding.kind == "ccs"
    assert ccs.binding.endpoint == "ccs:443"
    assert ccs.binding.certificate_hash is None
    assert ccs.binding.cert_store is None
    assert int(ccs.binding.default_flags) == 0xC2A0


@pytest.mark.parametrize("name", ["iisexpress_dev.txt", "iisexpress_dev_utf16.txt"])
def test_iis_express_dev_machine(name: str) -> None:
    result = read_file(FIXTURES / "netsh" / name)
    assert [b.binding.endpoint for b in result] == [
        "0.0.0.0:44300",
        "0.0.0.0:44301",
        "0.0.0.0:44302",
        "0.0.0.0:44387",
        "0.0.0.0:44399",
    ]
    assert {b.binding.app_id for b in result} == {IIS_EXPRESS_APP_ID}
    assert [int(b.binding.default_flags) for b in result] == [0, 0x2, 0x40, 0, 0]
    assert [b.line for b in result] == [5, 36, 67, 98, 129]
    assert all(len(b.extended_properties) == 2 for b in result)


def test_empty_listing() -> None:
    assert parse_netsh_sslcert(fixture_bytes("netsh", "empty_listing.txt")) == ()
    assert parse_netsh_sslcert("SSL Certificate bindings:\n-------------------------\n") == ()


def test_results_are_hashable_values() -> None:
    result = read_file(FIXTURES / "netsh" / "server2022_new.txt")
    assert hash(result) == hash(read_file(FIXTURES / "netsh" / "server2022_new.txt"))
    assert isinstance(result[0], NetshBinding)


# -- R-BIND-2 variants ----------------------------------------------------------------------

_CLASSIC = [
    ("Certificate Hash", "4e3a0f6bb6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5"),
    ("Application ID", "{214124cd-d05b-4309-9af9-9caa44b2b74a}"),
    ("Certificate Store Name", "MY"),
    ("Verify Client Certificate Revocation", "Enabled"),
    ("Verify Revocation Using Cached Client Certificate Only", "Disabled"),
    ("Usage Check", "Enabled"),
    ("Revocation Freshness Time", "0"),
    ("URL Retrieval Timeout", "0"),
    ("Ctl Identifier", "(null)"),
    ("Ctl Store Name", "(null)"),
    ("DS Mapper Usage", "Disabled"),
    ("Negotiate Client Certificate", "Disabled"),
]


def _listing(blocks: list[list[tuple[str, str]]], *, pad: int = 30, newline: str = "\n") -> str:
    lines = ["", "SSL Certificate bindings:", "-------------------------", ""]
    for block in blocks:
        for label, value in block:
            if label == "Extended Properties:":
                lines.append(" Extended Properties:")
            else:
                lines.append(f"    {label.ljust(pad)} : {value}")
        lines.append("")
    return newline.join([*lines, ""])


def _one(start: tuple[str, str], *extra: tuple[str, str]) -> SslBinding:
    (result,) = parse_netsh_sslcert(_listing([[start, *_CLASSIC, *extra]]))
    return result.binding


@pytest.mark.parametrize("pad", [0, 1, 12, 29, 55, 80])
def test_any_padding(pad: int) -> None:
    text = _listing([[("IP:port", "0.0.0.0:44300"), *_CLASSIC]], pad=pad)
    (result,) = parse_netsh_sslcert(text)
    assert result.binding.endpoint == "0.0.0.0:44300"
    assert result.binding.app_id == IIS_EXPRESS_APP_ID


def test_tab_and_ragged_padding() -> None:
    text = "SSL Certificate bindings:\n\n\tIP:port\t: 0.0.0.0:443\n" + "".join(
        f"  {label}{' ' * (i % 7 + 1)}:   {value}   \n" for i, (label, value) in enumerate(_CLASSIC)
    )
    (result,) = parse_netsh_sslcert(text)
    assert result.binding.endpoint == "0.0.0.0:443"


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Reject Connections", "reject"),
        ("Disable HTTP2", "disable_http2"),
        ("Disable QUIC", "disable_quic"),
        ("Disable TLS1.2", "disable_tls12"),
        ("Disable TLS1.3", "disable_tls13"),
        ("Disable TLS1.3 over TCP", "disable_tls13"),
        ("Disable TLS 1.3", "disable_tls13"),
        ("Disable OCSP Stapling", "disable_ocsp_stapling"),
        ("Enable Token Binding", "enable_token_binding"),
        ("Log Extended Events", "log_extended_events"),
        ("Disable Legacy TLS Versions", "disable_legacy_tls"),
        ("Enable Session Ticket", "enable_session_ticket"),
        ("Disable Session ID", "disable_session_id"),
        ("Enable Caching Client Hello", "enable_cache_client_hello"),
    ],
)
@pytest.mark.parametrize(("on", "off"), [("Set", "Not Set"), ("Enabled", "Disabled")])
def test_newer_flags_both_vocabularies(label: str, field: str, on: str, off: str) -> None:
    start = ("IP:port", "0.0.0.0:443")
    assert getattr(_one(start, (label, on)), field) is True
    assert getattr(_one(start, (label, off)), field) is False


@pytest.mark.parametrize(
    ("label", "field", "default"),
    [
        ("Verify Client Certificate Revocation", "verify_client_cert_revocation", True),
        ("Usage Check", "usage_check", True),
        ("DS Mapper Usage", "ds_mapper_usage", False),
        ("Negotiate Client Certificate", "client_cert_negotiation", False),
    ],
)
@pytest.mark.parametrize("word", ["Enabled", "Disabled", "Set", "Not Set", "ENABLED", "not  set"])
def test_classic_booleans_any_vocabulary(label: str, field: str, default: bool, word: str) -> None:
    lines = [(lbl, word if lbl == label else val) for lbl, val in _CLASSIC]
    (result,) = parse_netsh_sslcert(_listing([[("IP:port", "0.0.0.0:443"), *lines]]))
    expected = " ".join(word.split()).casefold() in ("enabled", "set")
    assert getattr(result.binding, field) is expected


@pytest.mark.parametrize(
    ("start", "kind", "endpoint"),
    [
        (("IP:port", "0.0.0.0:443"), "ipport", "0.0.0.0:443"),
        (("IP:port", "[::]:443"), "ipport", "[::]:443"),
        (("IP:port", "[fe80::1]:8443"), "ipport", "[fe80::1]:8443"),
        (("Hostname:port", "www.contoso.test:443"), "hostnameport", "www.contoso.test:443"),
        (("Central Certificate Store", "443"), "ccs", "ccs:443"),
    ],
)
def test_block_kinds(start: tuple[str, str], kind: str, endpoint: str) -> None:
    binding = _one(start)
    assert (binding.kind, binding.endpoint) == (kind, endpoint)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "str"]
)
def test_encodings_and_newlines(newline: str, encoding: str) -> None:
    text = _listing([[("IP:port", "0.0.0.0:44300"), *_CLASSIC]], newline=newline)
    data: str | bytes
    if encoding == "str":
        data = text
    elif encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    else:
        data = text.encode(encoding)
    (result,) = parse_netsh_sslcert(data)
    assert result.binding.endpoint == "0.0.0.0:44300"
    assert result.line == 5


def test_preamble_and_two_listings() -> None:
    text = (
        "PS C:\\Windows\\system32> netsh http show sslcert\n"
        + _listing([[("IP:port", "0.0.0.0:443"), *_CLASSIC]])
        + "PS C:\\Windows\\system32> netsh http show sslcert ipport=0.0.0.0:44300\n"
        + _listing([[("IP:port", "0.0.0.0:44300"), *_CLASSIC]])
    )
    result = parse_netsh_sslcert(text)
    assert [b.binding.endpoint for b in result] == ["0.0.0.0:443", "0.0.0.0:44300"]


def test_block_pasted_without_header() -> None:
    text = "\n".join(
        f"    {label.ljust(30)} : {value}"
        for label, value in [("IP:port", "0.0.0.0:44300"), *_CLASSIC]
    )
    (result,) = parse_netsh_sslcert("C:\\> netsh http show sslcert ipport=0.0.0.0:44300\n\n" + text)
    assert result.binding.endpoint == "0.0.0.0:44300"
    assert result.line == 3
    expect_input_error(
        lambda: parse_netsh_sslcert("    Certificate Hash : ab\n" + text, filename="h"),
        file="h",
        line=1,
    )


def test_unknown_english_label_is_kept() -> None:
    (result,) = parse_netsh_sslcert(
        _listing([[("IP:port", "0.0.0.0:443"), *_CLASSIC, ("Enable Client Correlation", "Set")]])
    )
    assert result.raw["Enable Client Correlation"] == "Set"
    assert result.binding.enable_client_correlation is False


def test_values_with_colons_and_spaces() -> None:
    lines = [
        (lbl, "Web Hosting" if lbl == "Certificate Store Name" else val) for lbl, val in _CLASSIC
    ]
    (result,) = parse_netsh_sslcert(_listing([[("IP:port", "[::1]:443"), *lines]]))
    assert result.binding.cert_store == "Web Hosting"
    assert result.binding.endpoint == "[::1]:443"


# -- round trip: any binding rendered as netsh would print it parses back ------------------

_LABELS_OUT = [
    ("Certificate Hash", "certificate_hash"),
    ("Application ID", "app_id"),
    ("Certificate Store Name", "cert_store"),
    ("Verify Client Certificate Revocation", "verify_client_cert_revocation"),
    (
        "Verify Revocation Using Cached Client Certificate Only",
        "verify_revocation_with_cached_cert_only",
    ),
    ("Usage Check", "usage_check"),
    ("Revocation Freshness Time", "revocation_freshness_time"),
    ("URL Retrieval Timeout", "url_retrieval_timeout"),
    ("Ctl Identifier", "ctl_identifier"),
    ("Ctl Store Name", "ctl_store_name"),
    ("DS Mapper Usage", "ds_mapper_usage"),
    ("Negotiate Client Certificate", "client_cert_negotiation"),
    ("Reject Connections", "reject"),
    ("Disable HTTP2", "disable_http2"),
    ("Disable QUIC", "disable_quic"),
    ("Disable TLS1.2", "disable_tls12"),
    ("Disable TLS1.3", "disable_tls13"),
    ("Disable OCSP Stapling", "disable_ocsp_stapling"),
    ("Enable Token Binding", "enable_token_binding"),
    ("Log Extended Events", "log_extended_events"),
    ("Disable Legacy TLS Versions", "disable_legacy_tls"),
    ("Enable Session Ticket", "enable_session_ticket"),
    ("Disable Session ID", "disable_session_id"),
    ("Enable Caching Client Hello", "enable_cache_client_hello"),
]

_hex40 = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
_guid = st.uuids().map(lambda u: "{" + str(u) + "}")
_name = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=1,
    max_size=12,
)
_endpoints = st.one_of(
    st.tuples(st.just("ipport"), st.ip_addresses(v=4).map(str), st.integers(1, 65535)).map(
        lambda t: (t[0], f"{t[1]}:{t[2]}")
    ),
    st.tuples(st.just("ipport"), st.ip_addresses(v=6).map(str), st.integers(1, 65535)).map(
        lambda t: (t[0], f"[{t[1]}]:{t[2]}")
    ),
    st.tuples(st.just("hostnameport"), _name, st.integers(1, 65535)).map(
        lambda t: (t[0], f"{t[1]}.contoso.test:{t[2]}")
    ),
    st.integers(1, 65535).map(lambda p: ("ccs", f"ccs:{p}")),
)


@st.composite
def printable_bindings(draw: st.DrawFn) -> SslBinding:
    kind, endpoint = draw(_endpoints)
    values = {
        field: draw(st.booleans())
        for _, field in _LABELS_OUT
        if field
        not in (
            "certificate_hash",
            "app_id",
            "cert_store",
            "revocation_freshness_time",
            "url_retrieval_timeout",
            "ctl_identifier",
            "ctl_store_name",
        )
    }
    return SslBinding(
        endpoint=endpoint,
        kind=kind,  # type: ignore[arg-type]
        certificate_hash=draw(st.none() | _hex40),
        app_id=draw(st.none() | _guid),
        cert_store=draw(st.none() | st.sampled_from(["MY", "My", "WebHosting", "Web Hosting"])),
        revocation_freshness_time=draw(st.none() | st.integers(1, 2**32 - 1)),
        url_retrieval_timeout=draw(st.none() | st.integers(1, 2**32 - 1)),
        ctl_identifier=draw(st.none() | _name),
        ctl_store_name=draw(st.none() | _name),
        **values,
    )


def _render(binding: SslBinding, pad: int, words: tuple[str, str], tls13: str) -> list[str]:
    start = {
        "ipport": ("IP:port", binding.endpoint),
        "hostnameport": ("Hostname:port", binding.endpoint),
        "ccs": ("Central Certificate Store", str(binding.port)),
    }[binding.kind]
    out = [f"    {start[0].ljust(pad)} : {start[1]}"]
    for label, field in _LABELS_OUT:
        value = getattr(binding, field)
        if label == "Disable TLS1.3":
            label = tls13
        if isinstance(value, bool):
            text = words[0] if value else words[1]
        elif value is None:
            text = "0" if field.endswith(("time", "timeout")) else "(null)"
        else:
            text = str(value)
        out.append(f"    {label.ljust(pad)} : {text}")
    return out


@given(
    bindings=st.lists(
        printable_bindings(),
        min_size=1,
        max_size=3,
        unique_by=lambda b: b.endpoint.casefold(),  # a repeated endpoint is refused
    ),
    pad=st.integers(0, 60),
    words=st.sampled_from([("Enabled", "Disabled"), ("Set", "Not Set")]),
    tls13=st.sampled_from(["Disable TLS1.3", "Disable TLS1.3 over TCP"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_round_trip_any_printable_binding(
    bindings: list[SslBinding],
    pad: int,
    words: tuple[str, str],
    tls13: str,
    newline: str,
    encoding: str,
) -> None:
    lines = ["", "SSL Certificate bindings:", "-" * 25, ""]
    for binding in bindings:
        lines += [*_render(binding, pad, words, tls13), ""]
    data = newline.join(lines).encode(encoding)
    result = parse_netsh_sslcert(data)
    assert [r.binding for r in result] == bindings


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["localized_de_cp850.txt", "localized_de_utf16.txt"])
def test_localized_output_is_refused(name: str) -> None:
    error = expect_input_error(
        lambda: parse_netsh_sslcert(fixture_bytes("netsh", name), filename=name),
        file=name,
        line=1,
        match="localized",
    )
    assert error.hint is not None
    assert "en-US" in error.hint
    assert "chcp" in error.hint


def test_localized_text_input_is_refused() -> None:
    text = fixture_bytes("netsh", "localized_de_utf16.txt").decode("utf-16")
    expect_input_error(
        lambda: parse_netsh_sslcert(text, filename="de.txt"), file="de.txt", match="localized"
    )


def test_not_netsh_output() -> None:
    expect_input_error(
        lambda: parse_netsh_sslcert("The system cannot find the file specified.\n", filename="x"),
        file="x",
        line=1,
        match="not the output",
    )
    expect_input_error(lambda: parse_netsh_sslcert("", filename="x"), file="x", line=1)


def test_json_output_is_refused() -> None:
    expect_input_error(
        lambda: parse_netsh_sslcert('{"SslCertificateBindings": []}', filename="j"),
        file="j",
        line=1,
        match="JSON",
    )


def _replace(label: str, value: str) -> str:
    lines = [(lbl, value if lbl == label else val) for lbl, val in _CLASSIC]
    return _listing([[("IP:port", "0.0.0.0:443"), *lines]])


@pytest.mark.parametrize(
    ("label", "value", "line", "match"),
    [
        ("Negotiate Client Certificate", "Maybe", 17, "Enabled, Disabled"),
        ("Usage Check", "1", 11, "Enabled, Disabled"),
        ("Revocation Freshness Time", "ten", 12, "whole number"),
        ("URL Retrieval Timeout", "99999999999", 13, "whole number"),
        ("Certificate Hash", "not-a-hash", 6, "thumbprint"),
        ("Application ID", "{1234}", 7, "GUID"),
    ],
)
def test_bad_values(label: str, value: str, line: int, match: str) -> None:
    expect_input_error(
        lambda: parse_netsh_sslcert(_replace(label, value), filename="bad.txt"),
        file="bad.txt",
        line=line,
        match=match,
    )


def test_bad_endpoint() -> None:
    text = _listing([[("IP:port", "0.0.0.0:99999"), *_CLASSIC]])
    expect_input_error(
        lambda: parse_netsh_sslcert(text, filename="e"), file="e", line=5, field="endpoint"
    )
    text = _listing([[("IP:port", "portal.contoso.test:443"), *_CLASSIC]])
    expect_input_error(lambda: parse_netsh_sslcert(text, filename="e"), file="e", line=5)


def test_truncated_mid_line() -> None:
    full = fixture_text("netsh", "server2016_old.txt")
    cut = full[: full.index("Negotiate Client Certificate") + 12]
    expect_input_error(
        lambda: parse_netsh_sslcert(cut, filename="t"), file="t", line=17, match="cannot read"
    )


def test_truncated_at_line_boundary_missing_classic_label() -> None:
    full = fixture_text("netsh", "server2016_old.txt")
    cut = full[: full.index("    DS Mapper Usage")]
    expect_input_error(
        lambda: parse_netsh_sslcert(cut, filename="t"), file="t", line=5, match="lacks"
    )


def test_truncated_last_block_missing_newer_label() -> None:
    full = fixture_text("netsh", "server2022_new.txt")
    cut = full[: full.rindex("    Disable Legacy TLS Versions")]
    expect_input_error(
        lambda: parse_netsh_sslcert(cut, filename="t"), file="t", line=71, match="cut short"
    )


def test_duplicate_label() -> None:
    text = _listing(
        [[("IP:port", "0.0.0.0:443"), *_CLASSIC, ("Negotiate Client Certificate", "Enabled")]]
    )
    expect_input_error(
        lambda: parse_netsh_sslcert(text, filename="d"), file="d", line=18, match="twice"
    )
    text = _listing(
        [
            [
                ("IP:port", "0.0.0.0:443"),
                *_CLASSIC,
                ("Disable TLS1.3", "Set"),
                ("Disable TLS1.3 over TCP", "Not Set"),
            ]
        ]
    )
    expect_input_error(
        lambda: parse_netsh_sslcert(text, filename="d"), file="d", line=19, match="repeats"
    )


def test_label_before_first_block_and_stray_lines() -> None:
    text = "SSL Certificate bindings:\n----\n    Certificate Hash : ab\n"
    expect_input_error(lambda: parse_netsh_sslcert(text, filename="s"), file="s", line=3)
    text = "SSL Certificate bindings:\n----\n Extended Properties:\n"
    expect_input_error(lambda: parse_netsh_sslcert(text, filename="s"), file="s", line=3)
    text = _listing([[("IP:port", "0.0.0.0:443"), *_CLASSIC]]) + "garbage without separator\n"
    expect_input_error(lambda: parse_netsh_sslcert(text, filename="s"), file="s", line=19)


def test_bad_extended_properties() -> None:
    base = [("IP:port", "0.0.0.0:443"), *_CLASSIC, ("Extended Properties:", "")]
    text = _listing([[*base, ("Receive Window", "1048576")]])
    expect_input_error(
        lambda: parse_netsh_sslcert(text, filename="x"), file="x", line=18, match="PropertyId"
    )
    text = _listing([[*base, ("PropertyId", "zero")]])
    expect_input_error(lambda: parse_netsh_sslcert(text, filename="x"), file="x", line=19)


def test_binary_and_encoding_errors() -> None:
    expect_input_error(
        lambda: parse_netsh_sslcert(fixture_bytes("binary.bin"), filename="b.bin"),
        file="b.bin",
        match="not",
    )
    good = _listing([[("IP:port", "0.0.0.0:443"), *_CLASSIC]]).encode()
    bad = good.replace(b"(null)", b"(n\xffll)", 1)
    expect_input_error(
        lambda: parse_netsh_sslcert(bad, filename="enc"), file="enc", line=14, match="UTF-8"
    )
    odd = codecs.BOM_UTF16_LE + good.decode().encode("utf-16-le") + b"\x00"
    expect_input_error(lambda: parse_netsh_sslcert(odd, filename="o"), file="o", match="odd")


def test_oversized_input_is_refused_before_decoding() -> None:
    big = b"A" * (MAX_INPUT_BYTES + 1)
    expect_input_error(
        lambda: parse_netsh_sslcert(big, filename="big"), file="big", line=None, match="limit"
    )
    expect_input_error(
        lambda: parse_netsh_sslcert("A" * (MAX_INPUT_BYTES + 1), filename="big"),
        file="big",
        line=None,
        match="limit",
    )


def test_read_file_missing(tmp_path: object) -> None:
    expect_input_error(
        lambda: read_file("/nonexistent/sslcert.txt"),
        file="/nonexistent/sslcert.txt",
        line=None,
        match="cannot read",
    )


def test_binding_values_are_evolvable() -> None:
    (first, *_rest) = read_file(FIXTURES / "netsh" / "iisexpress_dev.txt")
    fixed = attrs.evolve(first.binding, client_cert_negotiation=True)
    assert fixed.default_flags == HttpSysFlag.NEGOTIATE_CLIENT_CERT
