"""diagnose reads the certificate checks from the exports (binding revocation settings, Schannel
trust settings, client-certificate mapping, native modules) and carries what no export shows as
unknowns with their other outcomes and remedies (docs/cli.md#what-diagnose-reads)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest

from httpsys_sim.analysis._diagnose import diagnose, diagnose_bundle
from httpsys_sim.cli import main
from httpsys_sim.core._engine import simulate
from httpsys_sim.windows._certchecks import RevocationSetup

FIX = Path(__file__).parent / "fixtures"
BUNDLE = FIX / "bundle" / "certchecks"
NETSH_2022 = FIX / "netsh" / "server2022_new.txt"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["diagnose", *argv, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    document: dict[str, Any] = json.loads(out)
    return document


def _finding(document: dict[str, Any], site: str, path: str = "/") -> dict[str, Any]:
    found = [f for f in document["findings"] if (f["site"], f["path"]) == (site, path)]
    assert len(found) == 1, (site, path)
    return found[0]


def _shorts(finding: dict[str, Any]) -> set[str]:
    return {c["short"] for per in finding["outcomes"].values() for c in per.values()}


def _unknown(finding: dict[str, Any], setting: str) -> dict[str, Any]:
    found = [u for u in finding["unknowns"] if u["setting"] == setting]
    assert len(found) == 1, [u["setting"] for u in finding["unknowns"]]
    return found[0]


# --- the bundle, end to end through the command line -----------------------------------------


def test_revocation_checked_with_unknown_crl_reachability_reports_the_403_13_risk(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE))
    extranet = _finding(document, "Extranet")
    # The grid assumes the CRL endpoints answer: every client gets in.
    assert _shorts(extranet) == {"200"}
    risk = _unknown(extranet, "revocation.reachable")
    assert risk["assumed"] is True
    assert risk["rule"] == "R-IIS-7.revocation-offline"
    assert risk["cells"] == 2 * 18  # both releases, every client
    assert any(
        c == "Windows Server 2022: 200 becomes 403.13 for every client shown"
        for c in risk["changes"]
    )
    fixes = {f["id"]: f for f in risk["fixes"]}
    assert set(fixes) >= {"revocation-reachable", "revocation-off"}
    off = fixes["revocation-off"]
    assert off["verified"] is True
    netsh, reg = off["commands"]
    # The binding's own selector and thumbprint, its freshness time and timeout kept.
    assert netsh.startswith("netsh http update sslcert hostnameport=extranet.contoso.test:443 ")
    assert "certhash=6c7d8e9f00112233445566778899aabbccddeeff" in netsh
    assert "verifyclientcertrevocation=disable" in netsh
    assert "revocationfreshnesstime=3600" in netsh
    # DefaultSslCertCheckMode 0x4 (freshness time, from netsh and http.reg) | 0x1.
    assert reg.endswith(
        '\\SslSniBindingInfo\\extranet.contoso.test:443" /v DefaultSslCertCheckMode '
        "/t REG_DWORD /d 0x5 /f"
    )
    evidence = " | ".join(extranet["evidence"])
    assert "revocation checked, CRL freshness 3600 s, CRL download timeout 5000 ms" in evidence


def test_the_other_outcome_is_what_simulate_gives_without_the_assumption() -> None:
    report = diagnose_bundle(BUNDLE, release="server-2022")
    extranet = next(f for f in report.findings if (f.site, f.path) == ("Extranet", "/"))
    result = extranet.outcomes["server-2022"]["chrome"]
    assert result.outcome.short() == "200"
    # The scenario diagnose simulated carries what the exports said ...
    server = result.scenario.server
    assert server.binding.verify_client_cert_revocation
    assert server.binding.revocation_freshness_time == 3600
    assert server.trust.send_trusted_issuer_list
    assert server.mapping.kind.value == "many-to-one"
    # ... and the unknown's other outcome is the same scenario with the CRLs out of reach.
    offline = attrs.evolve(
        result.scenario, server=attrs.evolve(server, revocation=RevocationSetup(reachable=False))
    )
    assert simulate(offline).outcome.short() == "403.13"
    risk = next(u for u in extranet.unknowns if u.setting == "revocation.reachable")
    assert risk.changes[0] == "Windows Server 2022: 200 becomes 403.13 for every client shown"


def test_send_trusted_issuer_list_in_the_schannel_export_is_a_trust_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE), "--release", "server-2022")
    note = next(n for n in document["notes"] if "SendTrustedIssuerList=1" in n)
    assert "schannel.reg:5" in note
    for site in ("Partners", "Extranet", "Staff"):
        trust = _unknown(_finding(document, site), "trust.client_issuer_in_list")
        assert trust["rule"] == "R-IIS-7.trust-list"
        # Require without a certificate offered: 403.7.
        assert all(" becomes 403.7 for " in c for c in trust["changes"])
    extranet = _unknown(_finding(document, "Extranet"), "trust.client_issuer_in_list")
    fix = next(f for f in extranet["fixes"] if f["id"] == "trusted-issuer-list-off")
    assert fix["verified"] is True
    assert fix["commands"] == [
        'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL" '
        "/v SendTrustedIssuerList /t REG_DWORD /d 0 /f"
    ]


def test_without_the_schannel_export_there_is_no_trust_finding(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    (bundle / "schannel.reg").unlink()
    report = diagnose_bundle(bundle, release="server-2022")
    assert not any("SendTrustedIssuerList" in n for n in report.notes)
    settings = {u.setting for f in report.findings for u in f.unknowns}
    assert "trust.client_issuer_in_list" not in settings
    assert "revocation.reachable" in settings


def test_a_mapping_that_can_grant_nothing_denies_every_certificate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE))
    partners = _finding(document, "Partners")
    # Its one-to-one mapping is disabled and its many-to-one mapping denies: 403.12.
    assert _shorts(partners) == {"403.12"}
    assert partners["why"]["steps"][-1]["rule"] == "R-IIS-7.mapping"
    fix = partners["fixes"][0]
    assert fix["id"] == "mapping-rule"
    assert fix["verified"] is True
    assert 'appcmd.exe set config "Partners" ' in fix["commands"][0]
    assert "manyToOneMappings.[name=" in fix["commands"][0]
    assert any("IIS client-certificate mapping" in e for e in partners["evidence"])
    # Whether the mapping matches is known (it cannot), so it is no unknown.
    assert "mapping.matches" not in {u["setting"] for u in partners["unknowns"]}
    extranet = _finding(document, "Extranet")
    # A mapping that can grant access: assumed to match, 403.12 otherwise.
    matches = _unknown(extranet, "mapping.matches")
    assert all(" becomes 403.12 for " in c for c in matches["changes"])
    assert matches["fixes"][0]["id"] == "mapping-rule"


def test_active_directory_mapping_needs_the_binding_ds_mapper(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE))
    staff = _finding(document, "Staff")
    assert _shorts(staff) == {"403.12"}
    fix = next(f for f in staff["fixes"] if f["id"] == "dsmapperusage")
    netsh, reg = fix["commands"][:2]
    assert netsh.startswith("netsh http update sslcert ipport=10.0.0.7:443 ")
    assert "dsmapperusage=enable" in netsh
    assert reg.endswith('SslBindingInfo\\10.0.0.7:443" /v DefaultFlags /t REG_DWORD /d 0x3 /f')
    # Its binding does not check revocation (netsh: Disabled; http.reg: 0x1): no 403.13 risk.
    assert "revocation.reachable" not in {u["setting"] for u in staff["unknowns"]}


def test_a_native_module_that_does_not_ship_with_iis_is_named_where_it_could_ask(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE), "--release", "server-2022")
    public = _finding(document, "Extranet", "/public")
    note = next(n for n in public["notes"] if "ContosoCertGate" in n)
    assert "R-IIS-8" in note
    assert "certgate64.dll" in note
    # Not guessed into the grid: the path ignores certificates and is served as such.
    assert public["cert_request"] == "handshake"
    assert _shorts(public) == {"200"}
    # IIS's own modules and the paths where the module does not run get no such note.
    assert not any("native module" in n for n in _finding(document, "Extranet")["notes"])


def test_no_certificate_leaves_the_checks_nothing_to_decide(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys, "--bundle", str(BUNDLE), "--certificate", "none")
    assert all(f["unknowns"] == [] for f in document["findings"])


# --- the netsh settings alone ------------------------------------------------------------------


def _netsh_with(tmp_path: Path, **labels: str) -> Path:
    text = NETSH_2022.read_text(encoding="utf-8-sig")
    for label, value in labels.items():
        pattern = label.replace("_", " ")
        lines = [
            line.split(":", 1)[0] + ": " + value if line.strip().startswith(pattern + " ") else line
            for line in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
    path = tmp_path / "netsh.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_revocation_disabled_in_netsh_removes_the_403_13_risk(tmp_path: Path) -> None:
    checked = diagnose(NETSH_2022.read_bytes(), release="server-2022")
    assert any(u.setting == "revocation.reachable" for f in checked.findings for u in f.unknowns)
    netsh = _netsh_with(tmp_path, Verify_Client_Certificate_Revocation="Disabled")
    report = diagnose(netsh.read_bytes(), release="server-2022")
    assert report.findings
    assert not any(f.unknowns for f in report.findings)


def test_cached_only_revocation_is_simulated_and_its_unknown_is_the_cache(tmp_path: Path) -> None:
    netsh = _netsh_with(tmp_path, Verify_Revocation_Using_Cached_Client_Certificate_Only="Enabled")
    report = diagnose(netsh.read_bytes(), release="server-2022")
    handshake = [f for f in report.findings if f.cert_request == "handshake"]
    assert handshake
    for finding in handshake:
        # Only cached CRLs may be used and none is known to be cached: 403.13 (inferred).
        assert {c["short"] for c in finding.cells["server-2022"].values()} == {"403.13"}
        assert "revocation-cached-only-off" in {f.id for f in finding.fixes}
        cached = next(u for u in finding.unknowns if u.setting == "revocation.cached")
        assert cached.assumed is False
        assert all(" becomes 200 for " in c for c in cached.changes)
        assert "revocation.reachable" not in {u.setting for u in finding.unknowns}


# --- bad input: exit 2, one line with file, line and field -----------------------------------


def _bad(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


_REG_HEAD = "Windows Registry Editor Version 5.00\r\n\r\n"
_BINDING = (
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
    "SslBindingInfo\\0.0.0.0:443]\r\n"
)


@pytest.mark.parametrize(
    ("option", "name", "text", "needles"),
    [
        (
            "--schannel",
            "http.reg",
            _REG_HEAD + _BINDING + '"DefaultSslCertCheckMode"=dword:00000020\r\n',
            ["http.reg:4", "DefaultSslCertCheckMode", "0x20", "hint"],
        ),
        (
            "--schannel",
            "http.reg",
            _REG_HEAD + _BINDING + '"DefaultSslRevocationFreshnessTime"="3600s"\r\n',
            ["http.reg:4", "DefaultSslRevocationFreshnessTime", "DWORD"],
        ),
        (
            "--schannel",
            "schannel.reg",
            _REG_HEAD
            + "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\"
            "SCHANNEL]\r\n" + '"ClientAuthTrustMode"=dword:00000007\r\n',
            ["schannel.reg:4", "ClientAuthTrustMode", "exclusive CA trust"],
        ),
        (
            "--config",
            "applicationHost.config",
            '<?xml version="1.0"?>\n<configuration>\n<location path="S">\n<system.webServer>'
            "<security><authentication><iisClientCertificateMappingAuthentication "
            'enabled="true"><manyToOneMappings>\n<add name="x" permissionMode="Sometimes" />'
            "</manyToOneMappings></iisClientCertificateMappingAuthentication></authentication>"
            "</security></system.webServer></location></configuration>\n",
            ["applicationHost.config:5", "permissionMode", "Allow"],
        ),
    ],
)
def test_malformed_check_values_exit_2_with_file_line_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    name: str,
    text: str,
    needles: list[str],
) -> None:
    path = _bad(tmp_path, name, text)
    assert main(["diagnose", option, path]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def test_a_non_numeric_freshness_time_in_netsh_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    netsh = _netsh_with(tmp_path, Revocation_Freshness_Time="one hour")
    assert main(["diagnose", "--netsh", str(netsh)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "netsh.txt:" in err
    assert "Revocation Freshness Time" in err
