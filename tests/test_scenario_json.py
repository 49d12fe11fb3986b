"""Scenario JSON (contract §2.1, §6): what parses, and how bad input is refused.

Bad input must raise the library's :class:`~httpsys_sim.InputError` — never anything else —
naming the file, and the line and field where there is one.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim._jsonin import MAX_JSON_BYTES
from httpsys_sim.catalogue._clients import H11RetryPolicy
from httpsys_sim.core._scenario import default_binding
from httpsys_sim.testing.strategies import scenarios
from httpsys_sim.tls import AlertLevel, RenegotiationAnswer

FILE = "scenario.json"

#: The example document of contract §2.1, verbatim.
CONTRACT_EXAMPLE = """{
  "server": {
    "release": "win11-24h2",
    "host": "iis-express",
    "binding": {"client_cert_negotiation": false, "disable_tls13": false, "disable_tls12": false,
                "disable_legacy_tls": false, "disable_http2": false, "disable_quic": false},
    "access_ssl_flags": ["Ssl", "SslNegotiateCert"],
    "schannel": {"disable_reneg_on_server": false, "allow_insecure_reneg_clients": true}
  },
  "client": {"profile": "edge", "certificate": "valid"},
  "request": {"method": "GET", "path": "/", "body_bytes": 0}
}
"""


def parse(document: Any) -> hs.Scenario:
    text = document if isinstance(document, (str, bytes)) else json.dumps(document, indent=2)
    return hs.Scenario.from_json(text, filename=FILE)


def attempt(data: str | bytes) -> hs.Scenario | hs.InputError:
    """Parse, returning the InputError instead of raising it (anything else propagates)."""
    try:
        return hs.Scenario.from_json(data, filename=FILE)
    except hs.InputError as error:
        return error


def refuse(document: Any) -> hs.InputError:
    with pytest.raises(hs.InputError) as info:
        parse(document)
    error = info.value
    assert error.file == FILE
    text = str(error)
    assert "\n" not in text
    assert text.startswith(FILE)
    return error


# --- what parses ------------------------------------------------------------------------------


def test_contract_example_parses() -> None:
    s = parse(CONTRACT_EXAMPLE)
    assert s.server.release is hs.RELEASES["win11-24h2"]
    assert s.server.host is hs.Host.IIS_EXPRESS
    assert s.server.binding == default_binding(hs.Host.IIS_EXPRESS)
    assert s.server.access_ssl_flags == hs.AccessSslFlag.SSL | hs.AccessSslFlag.SSL_NEGOTIATE_CERT
    assert s.server.schannel == hs.SchannelSettings()
    assert (s.client.profile, s.client.certificate) == ("edge", hs.CertState.VALID)
    assert s.request == hs.Request()
    assert hs.simulate(s).outcome.status == 500


def test_empty_object_is_the_seed() -> None:
    assert parse("{}") == hs.Scenario.seed()
    assert parse({"server": None, "client": None, "request": None}) == hs.Scenario.seed()


def test_http3_and_site_binding_and_upload_fields() -> None:
    s = parse(
        {
            "server": {
                "host": "iis",
                "http3": True,
                "site_binding_ssl_flags": 160,
                "upload_read_ahead_size": 1024,
            }
        }
    )
    assert s.server.http3 is True
    assert s.server.site_binding_ssl_flags == hs.SiteBindingSslFlag(160)
    assert s.server.upload_read_ahead_size == 1024
    assert s.server.binding.endpoint == "0.0.0.0:443"  # full IIS's binding by default


@pytest.mark.parametrize(
    ("key", "release"),
    [
        ("win11-23h2", "win11-23h2"),
        ("Windows 11 23H2", "win11-23h2"),
        ("windows server 2022", "server-2022"),
        ("Windows Server 2025", "server-2025"),
        ("Windows 10 22H2", "win10-22h2"),
        (22631, "win11-23h2"),
        ("22631", "win11-23h2"),
        ("10.0.20348", "server-2022"),
        (26200, "win11-25h2"),
        (14393, "server-2016"),
    ],
)
def test_release_by_id_product_or_build(key: str | int, release: str) -> None:
    assert parse({"server": {"release": key}}).server.release is hs.RELEASES[release]


@pytest.mark.parametrize("build", [26100, "26100", "10.0.26100"])
def test_ambiguous_build_names_both_releases(build: str | int) -> None:
    error = refuse({"server": {"release": build}})
    assert error.field == "server.release"
    assert "ambiguous" in error.message
    assert "win11-24h2" in str(error)
    assert "server-2025" in str(error)
    assert error.line == 3


def test_custom_release_object() -> None:
    s = parse(
        {
            "server": {
                "release": {
                    "id": "insider-27000",
                    "based_on": "win11-23h2",
                    "build": 27000,
                    "late_demand_tls13": "not_supported",
                    "product": "Windows 11 Insider",
                }
            }
        }
    )
    r = s.server.release
    assert r.user_defined
    assert (r.id, r.build, r.product) == ("insider-27000", 27000, "Windows 11 Insider")
    assert r.late_demand_tls13 is hs.LateDemandPolicy.NOT_SUPPORTED
    assert r.tls13 is True  # from win11-23h2
    assert hs.simulate(s).outcome.status == 500  # its policy decides, not its build


def test_custom_release_with_reset_policy_and_no_tls13() -> None:
    reset = parse({"server": {"release": {"id": "x", "late_demand_tls13": "reset"}}})
    assert hs.simulate(reset).outcome.kind is hs.OutcomeKind.CONNECTION_RESET
    old = parse({"server": {"release": {"id": "y", "based_on": "win10-22h2", "tls13": False}}})
    # TLS 1.2 all along: HTTP/2 pushed back, then the seed's Edge renegotiates on HTTP/1.1,
    # the second time with its choice of certificate (R-CLI-16).
    assert [c.tls_version for c in hs.simulate(old).connections] == ["1.2", "1.2", "1.2"]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (0x2, {"client_cert_negotiation": True}),
        (0x40, {"disable_tls13": True}),
        (
            0x2 | 0x10 | 0x40,
            {"client_cert_negotiation": True, "disable_http2": True, "disable_tls13": True},
        ),
        (
            0x8 | 0x20 | 0x400 | 0x1000,
            {
                "reject": True,
                "disable_quic": True,
                "disable_legacy_tls": True,
                "disable_tls12": True,
            },
        ),
        (0, {}),
    ],
)
def test_binding_flags_integer(flags: int, expected: dict[str, bool]) -> None:
    s = parse({"server": {"binding": {"flags": flags}}})
    assert s.server.binding == attrs.evolve(default_binding(hs.Host.IIS_EXPRESS), **expected)
    assert int(s.server.binding.default_flags) == flags
    booleans = parse({"server": {"binding": expected}})
    assert booleans == s


def test_binding_flags_with_conflicting_boolean_is_refused() -> None:
    error = refuse({"server": {"binding": {"flags": 2, "client_cert_negotiation": False}}})
    assert error.field == "server.binding.client_cert_negotiation"


@pytest.mark.parametrize(
    "value",
    [
        ["Ssl", "SslNegotiateCert", "SslRequireCert"],
        "Ssl,SslNegotiateCert,SslRequireCert",
        "Ssl, SslNegotiateCert , SslRequireCert",
        "ssl,sslnegotiatecert,sslrequirecert",
        0x8 | 0x20 | 0x40,
        "104",
    ],
)
def test_access_flags_forms(value: object) -> None:
    s = parse({"server": {"access_ssl_flags": value}})
    assert s.server.access_ssl_flags == (
        hs.AccessSslFlag.SSL
        | hs.AccessSslFlag.SSL_NEGOTIATE_CERT
        | hs.AccessSslFlag.SSL_REQUIRE_CERT
    )


@pytest.mark.parametrize("value", [["None"], "None", 0])
def test_access_flags_none(value: object) -> None:
    assert (
        parse({"server": {"access_ssl_flags": value}}).server.access_ssl_flags
        == hs.AccessSslFlag.NONE
    )


def test_access_flags_none_round_trip() -> None:
    s = attrs.evolve(
        hs.Scenario.seed(),
        server=attrs.evolve(hs.Scenario.seed().server, access_ssl_flags=hs.AccessSslFlag.NONE),
    )
    assert hs.Scenario.from_json(s.to_json()) == s


def test_python_and_json_agree_on_the_full_iis_binding() -> None:
    assert parse({"server": {"host": "iis"}}) == hs.Scenario(
        server=hs.ServerSetup(host=hs.Host.IIS)
    )


def test_client_overrides() -> None:
    s = parse(
        {
            "client": {
                "profile": "curl",
                "certificate": "none",
                "max_tls": "1.2",
                "min_tls": "TLS1.0",
                "alpn": ["http/1.1"],
                "http3": False,
                "offers_pha": False,
                "renegotiation_http11": "ignore",
                "renegotiation_h2": "refuse",
                "refusal_level": "fatal",
                "secure_renegotiation": True,
                "on_http_1_1_required": "fail",
            }
        }
    )
    c = s.client
    assert (c.profile, c.certificate) == ("curl", hs.CertState.NONE)
    assert (c.max_tls, c.min_tls) == (hs.TlsVersion.TLS12, hs.TlsVersion.TLS10)
    assert c.alpn == ("http/1.1",)
    assert c.renegotiation_http11 is RenegotiationAnswer.IGNORE
    assert c.renegotiation_h2 is RenegotiationAnswer.REFUSE
    assert c.refusal_level is AlertLevel.FATAL
    assert c.on_http_1_1_required is H11RetryPolicy.FAIL
    assert parse(s.to_json()) == s


def test_utf8_bom_and_bytes_are_accepted() -> None:
    assert parse(b"\xef\xbb\xbf{}") == hs.Scenario.seed()
    assert parse("\ufeff{}") == hs.Scenario.seed()


@given(scenarios())
def test_to_json_is_canonical(s: hs.Scenario) -> None:
    """Writing, reading and writing again gives the same text (where reading works)."""
    back = hs.Scenario.from_json(s.to_json())
    assert back.to_json() == s.to_json()


# --- what is refused: wrong types -------------------------------------------------------------

#: (document, field, line) — the field at fault and the line it is on (indent=2 layout).
WRONG_TYPES: list[tuple[dict[str, Any], str, int]] = [
    ({"server": []}, "server", 2),
    ({"server": "win11-24h2"}, "server", 2),
    ({"client": "edge"}, "client", 2),
    ({"request": 1}, "request", 2),
    ({"server": {"release": True}}, "server.release", 3),
    ({"server": {"release": 1.5}}, "server.release", 3),
    ({"server": {"release": []}}, "server.release", 3),
    ({"server": {"host": 1}}, "server.host", 3),
    ({"server": {"binding": []}}, "server.binding", 3),
    ({"server": {"binding": {"disable_tls13": "yes"}}}, "server.binding.disable_tls13", 4),
    (
        {"server": {"binding": {"client_cert_negotiation": 1}}},
        "server.binding.client_cert_negotiation",
        4,
    ),
    ({"server": {"binding": {"flags": "2"}}}, "server.binding.flags", 4),
    ({"server": {"binding": {"flags": -1}}}, "server.binding.flags", 4),
    ({"server": {"binding": {"endpoint": 443}}}, "server.binding.endpoint", 4),
    ({"server": {"access_ssl_flags": True}}, "server.access_ssl_flags", 3),
    ({"server": {"access_ssl_flags": {"Ssl": True}}}, "server.access_ssl_flags", 3),
    ({"server": {"access_ssl_flags": [8]}}, "server.access_ssl_flags", 3),
    ({"server": {"access_ssl_flags": 4096}}, "server.access_ssl_flags", 3),
    ({"server": {"schannel": []}}, "server.schannel", 3),
    (
        {"server": {"schannel": {"disable_reneg_on_server": "1"}}},
        "server.schannel.disable_reneg_on_server",
        4,
    ),
    (
        {"server": {"schannel": {"server_protocols": ["1.3"]}}},
        "server.schannel.server_protocols",
        4,
    ),
    ({"server": {"http3": 1}}, "server.http3", 3),
    ({"server": {"site_binding_ssl_flags": "128"}}, "server.site_binding_ssl_flags", 3),
    ({"server": {"site_binding_ssl_flags": 256}}, "server.site_binding_ssl_flags", 3),
    ({"server": {"upload_read_ahead_size": -1}}, "server.upload_read_ahead_size", 3),
    ({"client": {"profile": 3}}, "client.profile", 3),
    ({"client": {"certificate": True}}, "client.certificate", 3),
    ({"client": {"alpn": "h2"}}, "client.alpn", 3),
    ({"client": {"alpn": ["h2", 2]}}, "client.alpn", 3),
    ({"client": {"max_tls": 1.3}}, "client.max_tls", 3),
    ({"client": {"max_tls": "1.4"}}, "client.max_tls", 3),
    ({"client": {"offers_pha": "yes"}}, "client.offers_pha", 3),
    ({"client": {"renegotiation_http11": "maybe"}}, "client.renegotiation_http11", 3),
    ({"client": {"refusal_level": "loud"}}, "client.refusal_level", 3),
    ({"client": {"on_http_1_1_required": "retry-twice"}}, "client.on_http_1_1_required", 3),
    ({"request": {"body_bytes": "10"}}, "request.body_bytes", 3),
    ({"request": {"body_bytes": 1.5}}, "request.body_bytes", 3),
    ({"request": {"body_bytes": -1}}, "request.body_bytes", 3),
    ({"request": {"body_bytes": True}}, "request.body_bytes", 3),
    ({"request": {"method": "G ET"}}, "request.method", 3),
    ({"request": {"method": 1}}, "request.method", 3),
    ({"request": {"path": "admin"}}, "request.path", 3),
    ({"request": {"scheme": "ftp"}}, "request.scheme", 3),
    ({"server": {"release": {"id": "x", "build": "27000"}}}, "server.release.build", 5),
    ({"server": {"release": {"id": "x", "tls13": "yes"}}}, "server.release.tls13", 5),
    (
        {"server": {"release": {"id": "x", "late_demand_tls13": "explode"}}},
        "server.release.late_demand_tls13",
        5,
    ),
    # A missing key: the line of the object that lacks it.
    ({"server": {"release": {"build": 27000}}}, "server.release.id", 3),
]


@pytest.mark.parametrize(("document", "field", "line"), WRONG_TYPES)
def test_wrong_types(document: dict[str, Any], field: str, line: int) -> None:
    error = refuse(document)
    assert error.field == field
    assert error.line == line
    assert f"{FILE}:{line}: {field}: " in str(error)


# --- what is refused: unknown keys and unknown ids ---------------------------------------------

UNKNOWN_KEYS: list[tuple[dict[str, Any], str]] = [
    ({"servers": {}}, "servers"),
    ({"server": {"relase": "win11-24h2"}}, "server.relase"),
    (
        {"server": {"binding": {"clientcertnegotiation": True}}},
        "server.binding.clientcertnegotiation",
    ),
    (
        {"server": {"schannel": {"DisableRenegoOnServer": 1}}},
        "server.schannel.DisableRenegoOnServer",
    ),
    ({"server": {"release": {"id": "x", "colour": "blue"}}}, "server.release.colour"),
    ({"client": {"name": "edge"}}, "client.name"),
    ({"client": {"profile": "edge", "pha": True}}, "client.pha"),
    ({"request": {"verb": "GET"}}, "request.verb"),
]


@pytest.mark.parametrize(("document", "field"), UNKNOWN_KEYS)
def test_unknown_keys_at_every_level(document: dict[str, Any], field: str) -> None:
    error = refuse(document)
    assert error.field == field
    assert error.line is not None
    assert "unknown key" in error.message


UNKNOWN_IDS: list[tuple[dict[str, Any], str, str]] = [
    ({"server": {"release": "win95"}}, "server.release", "win11-24h2"),
    ({"server": {"release": 99999}}, "server.release", "Release.custom"),
    (
        {"server": {"release": {"id": "x", "based_on": "win95"}}},
        "server.release.based_on",
        "win11-24h2",
    ),
    ({"server": {"host": "apache"}}, "server.host", "iis-express"),
    ({"client": {"profile": "netscape"}}, "client.profile", "edge"),
    ({"client": {"certificate": "stolen"}}, "client.certificate", "untrusted"),
    (
        {"server": {"access_ssl_flags": ["Ssl", "SslFoo"]}},
        "server.access_ssl_flags",
        "SslNegotiateCert",
    ),
    (
        {"server": {"schannel": {"server_protocols": {"1.4": True}}}},
        "server.schannel.server_protocols.1.4",
        "1.3",
    ),
]


@pytest.mark.parametrize(("document", "field", "hint"), UNKNOWN_IDS)
def test_unknown_ids_list_the_known_ones(document: dict[str, Any], field: str, hint: str) -> None:
    error = refuse(document)
    assert error.field == field
    assert error.hint is not None
    assert hint in error.hint


def test_line_numbers_point_at_the_key() -> None:
    text = """{
  "server": {
    "release": "win11-24h2",
    "host": "iis",
    "binding": {
      "client_cert_negotiation": true,
      "disable_tls13": "no"
    }
  },
  "client": {"profile": "edge"}
}"""
    error = refuse(text)
    assert (error.line, error.field) == (7, "server.binding.disable_tls13")
    error = refuse(text.replace('"edge"', '"mosaic"').replace('"no"', "false"))
    assert (error.line, error.field) == (10, "client.profile")


# --- what is refused: not JSON, or not a scenario at all ----------------------------------------

MALFORMED: list[tuple[str | bytes, str]] = [
    ("", "empty"),
    ("   \n\t", "empty"),
    (b"", "empty"),
    ('{"server": {"release": "win11-24h2"', "invalid JSON"),
    ('{"server": ', "invalid JSON"),
    ("{'server': {}}", "invalid JSON"),
    ('{"server": {},}', "invalid JSON"),
    ("server: {}", "invalid JSON"),
    (b"\x00\x01\x02\x03", "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
    (b'{"client": {"profile": "\xff"}}', "UTF-8"),
    ('{"a": 1}\x00', "binary"),
    ("[]", "expected an object"),
    ("[{}]", "expected an object"),
    ('"server"', "expected an object"),
    ("42", "expected an object"),
    ("null", "expected an object"),
    ("true", "expected an object"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"server": ' * 50_000 + "{}" + "}" * 50_000, "nested too deeply"),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_input(text: str | bytes, message: str) -> None:
    error = refuse(text)
    assert message in error.message


def test_truncated_input_names_the_line() -> None:
    text = json.dumps(hs.Scenario.seed().to_dict(), indent=2)
    cut = text[: len(text) // 2]
    with pytest.raises(json.JSONDecodeError) as decoding:
        json.loads(cut)
    error = refuse(cut)
    assert error.line == decoding.value.lineno
    assert error.line > 1
    assert "truncated" in (error.hint or "")


def test_deep_nesting_inside_a_field() -> None:
    error = refuse('{"server": {"binding": ' + "[" * 500 + "]" * 500 + "}}")
    assert error.field == "server.binding"


@pytest.mark.parametrize("kind", [str, bytes])
def test_oversized_input(kind: type) -> None:
    body = " " * (MAX_JSON_BYTES + 1)
    text: str | bytes = "{}" + body if kind is str else ("{}" + body).encode()
    error = refuse(text)
    assert "16 MiB" in error.message


def test_exactly_16_mib_of_whitespace_is_not_refused_for_size() -> None:
    text = "{}" + " " * (MAX_JSON_BYTES - 2)
    assert parse(text) == hs.Scenario.seed()


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_input_gives_a_scenario_or_an_input_error(data: bytes | str) -> None:
    """Contract §4 (12) for the scenario parser: only InputError, whatever the input."""
    outcome = attempt(data)
    if isinstance(outcome, hs.InputError):
        assert outcome.file == FILE
        assert "\n" not in str(outcome)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "server",
                        "client",
                        "request",
                        "release",
                        "binding",
                        "host",
                        "profile",
                        "flags",
                    ]
                )
                | st.text(max_size=5),
                inner,
                max_size=3,
            )
        ),
        max_leaves=12,
    )
)
def test_arbitrary_json_values(value: object) -> None:
    """Well-formed JSON of any shape: a scenario or an InputError naming the file."""
    try:
        text = json.dumps(value)
    except ValueError:  # pragma: no cover - NaN etc. are fine for json.dumps
        return
    outcome = attempt(text)
    if isinstance(outcome, hs.InputError):
        assert outcome.file == FILE


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "server": st.fixed_dictionaries(
                {},
                optional={
                    "release": st.sampled_from(["win11-23h2", "26100", "x", 17763, None]),
                    "host": st.sampled_from(["iis", "iis-express", "IIS", None]),
                    "binding": st.dictionaries(
                        st.sampled_from(
                            ["client_cert_negotiation", "disable_tls13", "flags", "bogus"]
                        ),
                        st.booleans() | st.integers(-1, 70000),
                        max_size=3,
                    ),
                    "access_ssl_flags": st.sampled_from(["Ssl", [], ["None"], 40, -1, "Foo", None]),
                },
            ),
            "client": st.fixed_dictionaries(
                {},
                optional={
                    "profile": st.sampled_from(["edge", "curl", "nope", None]),
                    "certificate": st.sampled_from(["valid", "none", "bad", None]),
                    "max_tls": st.sampled_from(["1.2", "1.3", "2", None]),
                },
            ),
        },
    )
)
def test_near_miss_documents(document: dict[str, Any]) -> None:
    """Documents close to valid ones: either a scenario that simulates, or an InputError."""
    outcome = attempt(json.dumps(document))
    if isinstance(outcome, hs.InputError):
        assert outcome.file == FILE
        assert outcome.field is not None
        return
    assert hs.simulate(outcome).outcome.kind in set(hs.OutcomeKind)
