"""The pytest plugin (markers, parametrization, options, fixtures) and the assertions."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import httpsys_sim as hs
from httpsys_sim.testing._assertions import ANY, assert_outcome, build_scenario, failure_report

pytest_plugins = ["pytester"]

ALL_RELEASES = list(hs.RELEASES)
ALL_CLIENTS = list(hs.CLIENTS)


def _collected(result: pytest.RunResult) -> list[str]:
    """Node ids printed by ``--collect-only -q``."""
    return [line for line in result.outlines if "::" in line]


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return pytester.runpytest_inprocess("--strict-markers", "-p", "no:cacheprovider", *args)


# --------------------------------------------------------------------------------------------
# Markers and parametrization
# --------------------------------------------------------------------------------------------


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.httpsys_releases(*releases):*", "@pytest.mark.httpsys_clients(*clients):*"]
    )


def test_marker_with_ids_parametrizes_with_release_and_client_ids(
    pytester: pytest.Pytester,
) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.httpsys_releases("server-2022", "Windows Server 2025", 17763)
        @pytest.mark.httpsys_clients("edge", "curl")
        def test_x(httpsys_release, httpsys_client):
            assert httpsys_release.id in ("server-2022", "server-2025", "server-2019")
            assert isinstance(httpsys_client, str)
        """,
        "--collect-only",
        "-q",
    )
    assert _collected(result) == [
        f"test_user.py::test_x[{release}-{client}]"
        for release in ("server-2022", "server-2025", "server-2019")
        for client in ("edge", "curl")
    ]


def test_bare_marker_and_bare_fixture_mean_every_value(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.httpsys_releases
        def test_marked(httpsys_release):
            pass

        def test_unmarked(httpsys_client):
            pass
        """,
        "--collect-only",
        "-q",
    )
    assert _collected(result) == [
        *(f"test_user.py::test_marked[{r}]" for r in ALL_RELEASES),
        *(f"test_user.py::test_unmarked[{c}]" for c in ALL_CLIENTS),
    ]


def test_class_marker_applies_to_methods(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.httpsys_clients("java")
        class TestSite:
            def test_a(self, httpsys_client):
                assert httpsys_client == "java"

            def test_b(self):
                pass
        """,
        "-q",
    )
    result.assert_outcomes(passed=2)


def test_tests_run_and_get_the_parametrized_values(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest
        from httpsys_sim import Release

        @pytest.mark.httpsys_releases("win11-23h2", "win11-24h2")
        @pytest.mark.httpsys_clients("edge")
        def test_x(httpsys_release, httpsys_client, httpsys_scenario, httpsys_simulate):
            assert isinstance(httpsys_release, Release)
            scenario = httpsys_scenario()
            assert scenario.server.release == httpsys_release
            assert scenario.client.profile == httpsys_client
            # explicit keywords win over the parameters
            assert httpsys_scenario(release="win10-22h2").server.release.id == "win10-22h2"
            result = httpsys_simulate()
            assert result.outcome.short() == {"win11-23h2": "RESET", "win11-24h2": "500.0"}[
                httpsys_release.id
            ]
        """,
        "-q",
    )
    result.assert_outcomes(passed=2)


def test_builders_without_parameters_use_the_seed(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        from httpsys_sim import Scenario

        def test_x(httpsys_scenario, httpsys_simulate, httpsys_fake):
            assert httpsys_scenario() == Scenario.seed()
            assert httpsys_simulate().outcome.short() == "500.0"
            assert httpsys_fake(client_cert_negotiation=True).receive_client_certificate().valid
            assert "defaults={}" in repr(httpsys_simulate)
        """,
        "-q",
    )
    result.assert_outcomes(passed=1)


# --------------------------------------------------------------------------------------------
# The command-line options
# --------------------------------------------------------------------------------------------

_MATRIX = """
import pytest

@pytest.mark.httpsys_releases("server-2022", "server-2025", "win10-22h2")
@pytest.mark.httpsys_clients("edge", "curl", "go")
def test_x(httpsys_release, httpsys_client):
    pass
"""


def test_release_option_restricts_the_parametrization(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        _MATRIX,
        "--collect-only",
        "-q",
        "--httpsys-releases=server-2025, Windows 10 22H2, 20348, win11-23h2",
        "--httpsys-clients=go,edge",
    )
    assert _collected(result) == [
        f"test_user.py::test_x[{release}-{client}]"
        for release in ("server-2022", "server-2025", "win10-22h2")
        for client in ("edge", "go")  # the marker's order, not the option's
    ]


def test_option_leaving_nothing_skips_with_a_reason(pytester: pytest.Pytester) -> None:
    result = _run(pytester, _MATRIX, "-rs", "--httpsys-releases=win11-24h2")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(
        [
            "*--httpsys-releases=win11-24h2 leaves none of this test's httpsys_release values "
            "(server-2022, server-2025, win10-22h2)*"
        ]
    )


def test_option_shows_in_the_report_header(pytester: pytest.Pytester) -> None:
    result = _run(pytester, _MATRIX, "--httpsys-releases=server-2022", "--httpsys-clients=curl")
    result.stdout.fnmatch_lines(
        ["httpsys-sim releases: server-2022", "httpsys-sim clients: curl", "*1 passed*"]
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--httpsys-releases=win95", "*--httpsys-releases: unknown release 'win95'*"),
        ("--httpsys-releases=26100", "*--httpsys-releases: build 26100 is ambiguous*"),
        ("--httpsys-clients=netscape", "*--httpsys-clients: unknown client profile 'netscape'*"),
    ],
)
def test_bad_option_values_are_usage_errors(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    result = _run(pytester, _MATRIX, option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


# --------------------------------------------------------------------------------------------
# Misuse of the markers
# --------------------------------------------------------------------------------------------


def test_unknown_ids_in_a_marker_are_collection_errors(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.httpsys_clients("lynx")
        def test_x(httpsys_client):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.httpsys_clients on test_x: unknown client profile 'lynx'*"]
    )


def test_marker_without_the_fixture_is_a_collection_error(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.httpsys_releases("server-2022")
        def test_x(httpsys_simulate):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.httpsys_releases on test_x needs the test to take the 'httpsys_release'*"]
    )


# --------------------------------------------------------------------------------------------
# assert_outcome's failure message, as pytest shows it
# --------------------------------------------------------------------------------------------


def test_assert_outcome_failure_shows_the_explanation(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest
        from httpsys_sim.testing._assertions import assert_outcome

        @pytest.mark.httpsys_releases("server-2022")
        def test_seed(httpsys_release, httpsys_simulate):
            result = httpsys_simulate(host="iis", client="edge")
            assert_outcome(result, status=200, certificate_reached_app=True)
        """,
    )
    result.assert_outcomes(failed=1)
    # fnmatch patterns: "[[]" is a literal "[" (a bare "[...]" is a character class)
    result.stdout.fnmatch_lines(
        [
            "*assert_outcome(result, status=200, certificate_reached_app=True)",
            "E * AssertionError: httpsys-sim: the simulated outcome is not what the test expects.",
            "E *  expected: HTTP 200, the client certificate reaching the application",
            "E *  got:      connection reset by the server [[]R-REQ-2.tls13-reset]",
            "E *    - status: expected 200, got None",
            "E *    - certificate_reached_app: expected True, got False",
            "E *  client shows: ERR_CONNECTION_RESET",
            "E * Why (the causal chain; rule id, confidence, sources):",
            "E *    Because:",
            "E *      *R-REQ-2.tls13-reset (documented; S1)",
            "E * What happened, step by step (* = part of the causal chain):",
            "E *  * *. [[]R-REQ-2.tls13-reset] http.sys: Windows Server 2022: *",
            "E * Fixes (each re-simulated with the change applied):",
            "E *  1. Ask for the client certificate in the initial handshake*",
            "E *     netsh http update sslcert ipport=0.0.0.0:443 *clientcertnegotiation=enable *",
        ]
    )
    # the helper's own frame is hidden: the traceback ends in the user's test
    assert "def assert_outcome(" not in result.stdout.str()


# --------------------------------------------------------------------------------------------
# httpsys_sim.testing._assertions, directly
# --------------------------------------------------------------------------------------------


def test_assert_outcome_passes_and_returns_the_result() -> None:
    result = hs.simulate(build_scenario(release="server-2025", client_cert_negotiation=True))
    assert assert_outcome(result, certificate_reached_app=True) is result
    assert_outcome(result, status=200, substatus=0, win32_status=0, rule="R-IIS-5")


def test_assert_outcome_kinds() -> None:
    reset = hs.simulate(hs.Scenario.seed("server-2022"))
    assert_outcome(reset, kind=hs.ConnectionReset)  # status not checked for non-responses
    assert_outcome(reset, kind="connection_reset", client_error="CONNECTION_RESET")
    assert_outcome(reset, kind=hs.OutcomeKind.CONNECTION_RESET, status=None)
    with pytest.raises(AssertionError, match=r"kind: expected 'http_response'"):
        assert_outcome(reset, kind=hs.HttpResponse)
    with pytest.raises(TypeError):
        assert_outcome(reset, kind=int)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bogus"):
        assert_outcome(reset, kind="bogus")


def test_assert_outcome_status_any_and_default() -> None:
    error = hs.simulate(hs.Scenario.seed())  # 500.0
    assert_outcome(error, status=ANY, certificate_reached_app=False)
    with pytest.raises(AssertionError, match=r"status: expected 200, got 500"):
        assert_outcome(error)
    with pytest.raises(AssertionError, match=r"client_error: expected text containing 'x'"):
        assert_outcome(error, status=500, client_error="x")


def test_failure_report_without_fixes_says_so() -> None:
    result = hs.simulate(
        build_scenario(
            client_cert_negotiation=True,
            certificate="none",
            access_ssl_flags="Ssl,SslNegotiateCert,SslRequireCert",
        )
    )
    with pytest.raises(AssertionError) as caught:
        assert_outcome(result)
    text = str(caught.value)
    assert "403.7" in text
    assert "Fixes: none proposed" in text
    short = failure_report(result, steps=False, fixes=False)
    assert "What happened" not in short
    assert "Fixes" not in short
    assert "Because:" in short


def test_build_scenario_keywords() -> None:
    s = build_scenario(
        release=20348,
        host="iis",
        client="curl",
        certificate="untrusted",
        access_ssl_flags=["Ssl", "SslNegotiateCert"],
        disable_http2=True,
        path="/admin",
        method="post",
        body_bytes=10,
        schannel={"disable_reneg_on_server": True},
        site_binding_ssl_flags=32,
        http3=True,
    )
    assert s.server.release.id == "server-2022"
    assert s.server.binding.endpoint == "0.0.0.0:443"  # moved with the host
    assert s.server.binding.disable_http2
    assert s.server.schannel.disable_reneg_on_server
    assert int(s.server.site_binding_ssl_flags) == 32
    assert s.server.http3
    assert (s.client.profile, s.client.certificate.value) == ("curl", "untrusted")
    assert (s.request.path, s.request.method, s.request.body_bytes) == ("/admin", "POST", 10)


def test_build_scenario_bases() -> None:
    seed = hs.Scenario.seed("win11-23h2")
    assert build_scenario(seed) == seed
    assert build_scenario(seed.to_json()) == seed
    assert build_scenario(seed.to_dict(), client="go").client.profile == "go"
    keep = build_scenario(seed, binding={"endpoint": "a.test:443"}, host="iis")
    assert keep.server.binding.endpoint == "a.test:443"
    with pytest.raises(TypeError, match="unexpected keyword argument 'disable_tls14'"):
        build_scenario(disable_tls14=True)
    with pytest.raises(TypeError, match="base must be"):
        build_scenario(42)  # type: ignore[arg-type]
    with pytest.raises(hs.InputError, match="unknown client profile"):
        build_scenario(client="lynx")
    pha = build_scenario(client="curl", client_overrides={"offers_pha": False, "max_tls": "1.2"})
    assert pha.client.offers_pha is False
    assert pha.client.max_tls is not None


# --------------------------------------------------------------------------------------------
# Import hygiene
# --------------------------------------------------------------------------------------------


def test_plugin_and_testing_stay_light() -> None:
    code = (
        "import sys\n"
        "import httpsys_sim.testing._assertions\n"
        "assert 'pytest' not in sys.modules, 'testing imports pytest'\n"
        "import httpsys_sim.testing._pytest_plugin\n"
        "assert 'hypothesis' not in sys.modules, 'the plugin imports hypothesis'\n"
        "assert 'httpsys_sim.testing._fake' not in sys.modules\n"
        "assert 'httpsys_sim.testing.strategies' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
