"""diagnose(): from real exports to findings, per-release outcomes, risks and verified fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from httpsys_sim.analysis._diagnose import diagnose
from httpsys_sim.cli import main
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._result import is_failure
from httpsys_sim.errors import InputError

FIX = Path(__file__).parent / "fixtures"
NETSH_IISX = FIX / "netsh" / "iisexpress_dev.txt"
NETSH_IISX_UTF16 = FIX / "netsh" / "iisexpress_dev_utf16.txt"
CONFIG_IISX = FIX / "appconfig" / "iisexpress_applicationhost.config"
NETSH_2022 = FIX / "netsh" / "server2022_new.txt"
CONFIG_IIS = FIX / "appconfig" / "iis_applicationhost.config"


def test_iis_express_seed_finding_names_site_path_outcomes_and_fix() -> None:
    report = diagnose(
        NETSH_IISX.read_bytes(),
        CONFIG_IISX.read_bytes(),
        netsh_name="netsh.txt",
        config_name="applicationhost.config",
    )
    assert len(report.findings) == 1
    finding = report.findings[0]
    assert (finding.site, finding.path, finding.binding) == (
        "WebApplication1",
        "/",
        "0.0.0.0:44300",
    )
    assert finding.cert_request == "late"
    # The seed split of behaviour §7, per release, for Edge.
    assert finding.outcomes["win11-23h2"]["edge"].outcome.short() == "RESET"
    assert finding.outcomes["win11-24h2"]["edge"].outcome.short() == "500.0"
    assert finding.outcomes["server-2025"]["edge"].outcome.short() == "500.0"
    assert finding.outcomes["win10-22h2"]["edge"].outcome.short() == "200"
    # The recommended fix comes first, is verified, and names the real binding.
    first = finding.fixes[0]
    assert first.id == "clientcertnegotiation"
    assert first.verified
    assert "ipport=0.0.0.0:44300" in first.commands[0]
    assert "clientcertnegotiation=enable" in first.commands[0]
    # Verified means: every failing cell of the finding succeeds with the fix applied.
    fixed = first.scenario
    assert not is_failure(simulate(fixed))
    assert any("applicationhost.config:" in e for e in finding.evidence)


def test_upgrade_risks_are_named() -> None:
    report = diagnose(NETSH_IISX.read_bytes(), CONFIG_IISX.read_bytes())
    risks = " | ".join(report.findings[0].risks)
    assert "Windows Server 2022 → Windows Server 2025: RESET becomes 500.0" in risks
    assert "Windows 10 22H2 → Windows 11 21H2: 200 becomes RESET" in risks


def test_utf16_export_gives_the_same_findings() -> None:
    a = diagnose(NETSH_IISX.read_bytes(), CONFIG_IISX.read_bytes())
    b = diagnose(NETSH_IISX_UTF16.read_bytes(), CONFIG_IISX.read_bytes())
    assert [f.to_dict()["outcomes"] for f in a.findings] == [
        f.to_dict()["outcomes"] for f in b.findings
    ]


def test_full_iis_fixture_separates_handshake_paths_from_late_ones() -> None:
    report = diagnose(NETSH_2022.read_bytes(), CONFIG_IIS.read_bytes(), release="server-2022")
    by_key = {(f.site, f.path): f for f in report.findings}
    assert by_key, "the IIS fixture has certificate-protected paths"
    assert set(report.releases) == {"server-2022"}
    late = [f for f in report.findings if f.cert_request == "late"]
    handshake = [f for f in report.findings if f.cert_request == "handshake"]
    assert late
    assert handshake
    for f in handshake:
        if (f.site, f.path) == ("Portal", "/admin"):
            # Its <location> enables IIS client-certificate mapping without one mapping:
            # nothing maps the certificate, 403.12 for everyone (R-IIS-7.mapping).
            assert {c["short"] for per in f.cells.values() for c in per.values()} == {"403.12"}
            assert [fix.id for fix in f.fixes] == ["mapping-rule"]
            assert f.fixes[0].verified
            assert "-Location 'Portal/admin'" in f.fixes[0].commands[0]
            continue
        # Negotiated in the handshake: nothing fails, nothing to fix.
        assert f.failing == 0
        assert f.fixes == ()
    for f in late:
        assert f.failing > 0
        assert any(fix.verified for fix in f.fixes)


def test_release_filter_and_certificate_option() -> None:
    report = diagnose(
        NETSH_IISX.read_bytes(), CONFIG_IISX.read_bytes(), release="win10-22h2", certificate="none"
    )
    outcomes = report.findings[0].outcomes
    assert list(outcomes) == ["win10-22h2"]
    # SslNegotiateCert only accepts: no certificate still gets 200 after renegotiating.
    assert outcomes["win10-22h2"]["edge"].outcome.short() == "200"
    assert not outcomes["win10-22h2"]["edge"].certificate_reached_app


def test_netsh_only_assumes_require_and_says_so() -> None:
    report = diagnose(NETSH_IISX.read_bytes())
    assert report.findings
    assert any("no applicationHost.config" in n for n in report.notes)
    assert all(f.site is None for f in report.findings)


def test_nothing_to_diagnose_is_an_input_error() -> None:
    with pytest.raises(InputError):
        diagnose()


def test_cli_json_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["diagnose", "--netsh", str(NETSH_IISX), "--config", str(CONFIG_IISX), "--format", "json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    finding = data["findings"][0]
    assert finding["site"] == "WebApplication1"
    assert finding["path"] == "/"
    assert finding["binding"] == "0.0.0.0:44300"
    assert finding["access_ssl_flags"] == ["SslNegotiateCert"]
    assert finding["cert_request"] == "late"
    cell = finding["outcomes"]["server-2022"]["chrome"]
    assert cell["kind"] == "connection_reset"
    assert cell["status"] is None
    fix = finding["fixes"][0]
    assert fix["verified"] is True
    assert any("clientcertnegotiation=enable" in c for c in fix["commands"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--netsh", "/nonexistent/netsh.txt"], "no such file"),
        (["--netsh", str(FIX / "netsh" / "localized_de_cp850.txt")], "locali"),
        (
            ["--netsh", str(NETSH_IISX), "--config", str(FIX / "appconfig" / "hostile_xxe.config")],
            "",
        ),
        (["--netsh", str(NETSH_IISX), "--config", str(FIX / "binary.bin")], ""),
        (["--netsh", str(NETSH_IISX), "--release", "win95"], "unknown release"),
        ([], "nothing to diagnose"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diagnose", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert needle.lower() in err.lower()
