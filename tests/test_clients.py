"""The client profile catalogue: ids, evidence and the behaviours the scenarios rely on."""

from __future__ import annotations

import attrs
import pytest

from httpsys_sim.catalogue._clients import (
    CLIENTS,
    HTTP2_ERROR_CODES,
    ClientProfile,
    Fact,
    H11RetryPolicy,
    RenegotiationAnswer,
    client_ids,
    get_client,
)
from httpsys_sim.catalogue._rules import SOURCES, Confidence
from httpsys_sim.errors import InputError
from httpsys_sim.tls import AlertLevel, TlsVersion

EXPECTED_IDS = (
    "chrome",
    "edge",
    "firefox",
    "firefox-pha",
    "safari",
    "curl",
    "python-requests",
    "go",
    "java",
    "dotnet-windows",
    "dotnet-linux",
    "rustls",
)
#: Profiles added from the real-client conformance suite (tests/clients/).
OBSERVED_IDS = (
    "python-httpx",
    "python-urllib",
    "go-custom-transport",
    "java-httpclient",
    "node",
    "node-fetch",
)

ALL_FACTS = [
    (profile.id, name, fact)
    for profile in CLIENTS.values()
    for name, fact in profile.facts().items()
]


def test_catalogue_holds_the_contract_ids_in_order() -> None:
    assert client_ids() == EXPECTED_IDS + OBSERVED_IDS
    assert tuple(CLIENTS) == EXPECTED_IDS + OBSERVED_IDS
    assert all(CLIENTS[i].id == i for i in EXPECTED_IDS + OBSERVED_IDS)


def test_every_profile_field_but_identity_is_a_fact() -> None:
    plain = {"id", "name", "stack", "notes"}
    for profile in CLIENTS.values():
        names = {f.name for f in attrs.fields(ClientProfile)} - plain
        assert set(profile.facts()) == names


@pytest.mark.parametrize(("profile_id", "field", "fact"), ALL_FACTS)
def test_every_fact_cites_known_sources(profile_id: str, field: str, fact: Fact[object]) -> None:
    assert fact.sources, f"{profile_id}.{field}"
    assert [s for s in fact.sources if s not in SOURCES] == []


@pytest.mark.parametrize(("profile_id", "field", "fact"), ALL_FACTS)
def test_inferred_facts_carry_a_note(profile_id: str, field: str, fact: Fact[object]) -> None:
    if fact.confidence is Confidence.INFERRED:
        assert fact.note, f"{profile_id}.{field}"


def test_chromium_refuses_on_h2_and_accepts_on_http11() -> None:
    for profile_id in ("chrome", "edge"):
        profile = get_client(profile_id)
        assert profile.renegotiation_http11.value is RenegotiationAnswer.ACCEPT
        assert profile.renegotiation_h2.value is RenegotiationAnswer.REFUSE
        assert profile.refusal_level.value is AlertLevel.FATAL
        assert profile.offers_pha.value is False
        assert profile.stack == "boringssl"


def test_edge_is_chrome_under_another_name() -> None:
    chrome, edge = get_client("chrome"), get_client("edge")
    assert edge.name != chrome.name
    assert edge.facts() == chrome.facts()


def test_curl_and_python_offer_pha() -> None:
    assert get_client("curl").offers_pha.value is True
    assert get_client("python-requests").offers_pha.value is True


def test_firefox_offers_pha_only_with_the_pref() -> None:
    assert get_client("firefox").offers_pha.value is False
    assert get_client("firefox-pha").offers_pha.value is True


def test_go_and_rustls_do_not_renegotiate() -> None:
    for profile_id in ("go", "rustls"):
        profile = get_client(profile_id)
        assert profile.renegotiation_http11.value is not RenegotiationAnswer.ACCEPT
        assert profile.renegotiation_h2.value is not RenegotiationAnswer.ACCEPT
        assert profile.offers_pha.value is False


def test_go_refuses_with_a_warning() -> None:
    go = get_client("go")
    assert go.renegotiation_http11.value is RenegotiationAnswer.REFUSE
    assert go.refusal_level.value is AlertLevel.WARNING


def test_http11_only_clients_never_retry_on_http_1_1_required() -> None:
    for profile in CLIENTS.values():
        offers_h2 = "h2" in profile.alpn.value
        not_applicable = profile.on_http_1_1_required.value is H11RetryPolicy.NOT_APPLICABLE
        if profile.id in ("python-requests", "java"):
            assert not offers_h2
            assert not_applicable
        if offers_h2:
            assert not not_applicable, profile.id


def test_tls_version_range_is_sane() -> None:
    for profile in CLIENTS.values():
        assert profile.max_tls.value in ("1.2", "1.3")
        assert profile.min_tls.value in ("1.0", "1.1", "1.2", "1.3")
        assert profile.min_tls.value <= profile.max_tls.value


#: HTTP/2 texts that name HTTP_1_1_REQUIRED in the client's own words (observed).
_OWN_WORDS_H2 = {"java-httpclient": "Use HTTP/1.1 for request"}


def test_error_templates_format() -> None:
    for profile in CLIENTS.values():
        alert = profile.error_alert.value.format(alert="handshake_failure")
        assert "handshake_failure" in alert
        http2 = profile.http2_error_text("HTTP_1_1_REQUIRED")
        named = _OWN_WORDS_H2.get(profile.id)
        if named is not None:
            assert named in http2, profile.id
        else:
            assert "HTTP_1_1_REQUIRED" in http2 or "error_code:13" in http2, profile.id
        assert "{" not in http2
        assert profile.error_reset.value.strip()
        assert profile.error_timeout.value.strip()


def test_http2_number_placeholder_is_the_code_value() -> None:
    httpx = get_client("python-httpx")
    assert "{number}" in httpx.error_http2.value
    assert httpx.http2_error_text("HTTP_1_1_REQUIRED") == (
        "httpx.RemoteProtocolError: <StreamReset stream_id:1, error_code:13, remote_reset:True>"
    )
    assert HTTP2_ERROR_CODES["HTTP_1_1_REQUIRED"] == 0xD


def test_error_variants_are_only_on_error_facts_and_differ_from_the_value() -> None:
    for profile in CLIENTS.values():
        for name, fact in profile.facts().items():
            if fact.variants:
                assert name.startswith("error_"), f"{profile.id}.{name}"
                assert fact.value not in fact.variants, f"{profile.id}.{name}"
                assert fact.note, f"{profile.id}.{name}: a variant needs its explanation"


def test_observed_error_texts_name_their_program() -> None:
    """Error facts the conformance suite observed say which program and where."""
    for profile in CLIENTS.values():
        for name, fact in profile.facts().items():
            if name.startswith("error_") and (fact.note or "").startswith("observed"):
                assert "OBS-LOOPBACK" in fact.sources, f"{profile.id}.{name}"
                assert "tests/clients/" in (fact.note or ""), f"{profile.id}.{name}"


def test_behaviour_md_error_texts() -> None:
    assert get_client("edge").error_reset.value == "ERR_CONNECTION_RESET"
    chrome_h2 = get_client("chrome").error_http2.value.format(code="HTTP_1_1_REQUIRED")
    assert chrome_h2 == "ERR_HTTP_1_1_REQUIRED"
    assert "Connection reset by peer" in get_client("curl").error_reset.value
    assert get_client("curl").error_reset.value.startswith("curl: (56)")
    # behaviour.md gives Go's Windows wording; the profile's value is what Go 1.19 showed on
    # Linux in the conformance suite, the Windows wording its recorded variant.
    go_reset = get_client("go").error_reset
    assert go_reset.value.endswith("read: connection reset by peer")
    assert any(
        v.endswith("wsarecv: An existing connection was forcibly closed by the remote host.")
        for v in go_reset.variants
    )
    assert get_client("java").error_reset.value == "java.net.SocketException: Connection reset"
    assert "Connection reset by peer" in get_client("rustls").error_reset.value


def test_unknown_profile_is_an_input_error_naming_field_and_ids() -> None:
    with pytest.raises(InputError) as caught:
        get_client("netscape")
    error = caught.value
    assert error.field == "client.profile"
    assert error.hint is not None
    for profile_id in EXPECTED_IDS:
        assert profile_id in error.hint
    assert "netscape" in str(error)
    assert "\n" not in str(error)


def test_profiles_are_frozen_hashable_and_repr_round_trips() -> None:
    namespace = {
        "ClientProfile": ClientProfile,
        "Fact": Fact,
        "Confidence": Confidence,
        "RenegotiationAnswer": RenegotiationAnswer,
        "AlertLevel": AlertLevel,
        "H11RetryPolicy": H11RetryPolicy,
        "TlsVersion": TlsVersion,
    }
    for profile in CLIENTS.values():
        assert eval(repr(profile), namespace) == profile
        assert hash(profile) == hash(attrs.evolve(profile))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        get_client("go").name = "changed"  # type: ignore[misc]


def test_a_scenario_can_override_one_fact() -> None:
    base = get_client("dotnet-linux")
    override = Fact(value=False, sources=("MODEL",), confidence=Confidence.INFERRED, note="none")
    derived = attrs.evolve(base, offers_pha=override)
    assert derived.offers_pha.value is False
    assert base.offers_pha.value is True


def test_a_client_that_repeats_after_a_reset_meets_the_same_reset() -> None:
    """R-CLI-15 (observed with Java's HttpsURLConnection): one more connection, same end."""
    import httpsys_sim as hs

    java = hs.simulate(hs.Scenario.seed("server-2022").with_client("java"))
    assert java.outcome.short() == "RESET"
    assert [c.end for c in java.connections] == ["reset", "reset"]
    assert [s.rule for s in java.steps].count("R-CLI-15") == 1
    node = hs.simulate(hs.Scenario.seed("server-2022").with_client("node"))
    assert [c.end for c in node.connections] == ["reset"]
    assert "R-CLI-15" not in [s.rule for s in node.steps]
    # A retried connection that is served does not repeat.
    served = hs.simulate(hs.Scenario.seed("server-2025").with_client("java"))
    assert len(served.connections) == 1
