"""diagnose on real servers: registry bindings of every kind, every site and path, remedies
built from the real binding, the marks of matrix, bundles, web.config files, the memo."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from httpsys_sim.analysis._collect import collect_script
from httpsys_sim.analysis._diagnose import (
    BUNDLE_FILES,
    Diagnosis,
    detect_release,
    diagnose,
    diagnose_bundle,
)
from httpsys_sim.cli import main
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._result import cell_text, is_failure
from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.errors import InputError

FIX = Path(__file__).parent / "fixtures"
REG = FIX / "reg" / "http_parameters.reg"
NETSH_2022 = FIX / "netsh" / "server2022_new.txt"
CONFIG_IIS = FIX / "appconfig" / "iis_applicationhost.config"
BUNDLE = FIX / "bundle" / "server2022"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from diagnose_scale import generate  # noqa: E402


def _by_binding(report: object) -> dict[str, object]:
    return {f.binding: f for f in report.findings}  # type: ignore[attr-defined]


# --- the registry export, SNI and CCS keys included --------------------------------------------


def test_the_shipped_reg_fixture_diagnoses_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", "--schannel", str(REG), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    data = json.loads(captured.out)
    bindings = {f["binding"] for f in data["findings"]}
    assert bindings == {"0.0.0.0:443", "0.0.0.0:44300", "portal.contoso.test:443", "ccs:8443"}


def test_registry_remedies_use_the_right_store_selector_and_or_the_bit() -> None:
    report = diagnose(schannel=REG.read_bytes(), schannel_name="http.reg")
    found = _by_binding(report)
    wildcard = found["0.0.0.0:443"]
    fix = next(f for f in wildcard.fixes if f.id == "clientcertnegotiation")  # type: ignore[attr-defined]
    netsh, reg = fix.commands[:2]
    # The real thumbprint and AppID, the selector of its kind; existing disabletls13 kept.
    assert netsh.startswith("netsh http update sslcert ipport=0.0.0.0:443 ")
    assert "certhash=3f2e1d0c9b8a79685746352413021f0e0d0c0b0a" in netsh
    assert "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}" in netsh
    assert "disabletls13=enable" in netsh
    # DefaultFlags 0x40 OR 0x2, not 0x2 alone.
    assert reg.endswith('\\SslBindingInfo\\0.0.0.0:443" /v DefaultFlags /t REG_DWORD /d 0x42 /f')
    assert "<" not in netsh
    ccs = found["ccs:8443"]
    ccs_fix = next(f for f in ccs.fixes if f.id == "clientcertnegotiation")  # type: ignore[attr-defined]
    assert "ccs=8443" in ccs_fix.commands[0]
    assert '\\SslCcsBindingInfo\\0.0.0.0:8443"' in ccs_fix.commands[1]
    sni = found["portal.contoso.test:443"]
    # 0x812 already negotiates in the handshake: nothing fails, nothing to fix.
    assert sni.cert_request == "handshake"  # type: ignore[attr-defined]
    assert sni.fixes == ()  # type: ignore[attr-defined]


# --- every site and path, with its binding as IIS writes it -----------------------------------


def test_every_site_root_is_a_finding_also_when_it_asks_for_nothing() -> None:
    report = diagnose(NETSH_2022.read_bytes(), CONFIG_IIS.read_bytes(), release="server-2022")
    keys = {(f.site, f.path) for f in report.findings}
    assert keys == {("Portal", "/"), ("Portal", "/admin"), ("Intranet", "/")}
    root = next(f for f in report.findings if (f.site, f.path) == ("Portal", "/"))
    assert root.site_binding == "*:443:portal.contoso.test"
    assert root.flags_source == "applicationHost.config:120"
    assert [s.what for s in root.flags_chain] == ["server level", '<location path="Portal">']
    intranet = next(f for f in report.findings if f.site == "Intranet")
    # 10.0.0.5:443 has no binding of its own: http.sys serves it from the wildcard (R-BIND-3).
    assert intranet.binding == "0.0.0.0:443"
    assert intranet.site_binding == "10.0.0.5:443:"
    assert any("R-BIND-3" in n for n in intranet.notes)
    assert any("no https binding" in n and "Default Web Site" in n for n in report.notes)


def test_a_location_for_an_unknown_site_is_reported_not_skipped() -> None:
    config = CONFIG_IIS.read_text().replace('<location path="Intranet">', '<location path="Gone">')
    report = diagnose(NETSH_2022.read_bytes(), config, release="server-2022")
    (problem,) = [p for p in report.problems if p.site == "Gone"]
    assert problem.line == 134
    assert "does not define" in problem.message


def test_binding_precedence_host_name_then_ip_then_ccs_then_wildcard() -> None:
    netsh = NETSH_2022.read_text()
    config = CONFIG_IIS.read_text().replace(
        'bindingInformation="*:443:portal.contoso.test" sslFlags="1"',
        'bindingInformation="*:443:other.contoso.test" sslFlags="1"',
    )
    report = diagnose(netsh, config, release="server-2022")
    portal = next(f for f in report.findings if f.site == "Portal")
    # No hostnameport other.contoso.test:443, but the fixture has a ccs:443 binding.
    assert portal.binding == "ccs:443"


def test_iis_remedies_name_the_sites_real_binding() -> None:
    report = diagnose(NETSH_2022.read_bytes(), CONFIG_IIS.read_bytes(), release="server-2025")
    intranet = next(f for f in report.findings if f.site == "Intranet")
    fix = next(f for f in intranet.fixes if f.id == "site-binding-128")
    # The binding is 10.0.0.5:443 with sslFlags 32: the command keeps 32 and adds 128.
    assert fix.commands[0] == (
        "Set-WebBinding -Name 'Intranet' -BindingInformation '10.0.0.5:443:' "
        "-PropertyName sslFlags -Value 160"
    )
    assert "bindingInformation='10.0.0.5:443:'].sslFlags:160" in fix.commands[1]
    negotiate = next(f for f in intranet.fixes if f.id == "clientcertnegotiation")
    assert "certhash=3f2e1d0c9b8a79685746352413021f0e0d0c0b0a" in negotiate.commands[0]
    assert "Before Windows Server 2025" in (negotiate.note or "")
    assert "renew" in (negotiate.note or "")


# --- the cells: the marks of matrix and certificate_reached_app -------------------------------


def test_cells_carry_the_matrix_marks_and_certificate_reached_app() -> None:
    report = diagnose_bundle(BUNDLE)
    admin = next(f for f in report.findings if (f.site, f.path) == ("Portal", "/admin"))
    seen_star = False
    for release, per in admin.outcomes.items():
        for client, result in per.items():
            cell = admin.cells[release][client]
            assert cell["mark"] == cell_text(result)
            assert cell["certificate_reached_app"] is result.certificate_reached_app
            seen_star |= "*" in str(cell["mark"])
    assert seen_star, "the fixture has a 200* cell (curl over TLS 1.3 on Server 2022)"
    text = report.to_text()
    assert re.search(r"curl\s+200\*\?", text), "the text grid shows 200*? as matrix does"
    assert "200*? becomes 500.0?" in text
    data = json.loads(report.to_json())
    cell = next(f for f in data["findings"] if (f["site"], f["path"]) == ("Portal", "/admin"))[
        "outcomes"
    ]["server-2022"]["curl"]
    assert cell["certificate_reached_app"] is False
    assert cell["mark"] == "200*?"


# --- verified means: every failing cell of the site passes with the fix -----------------------


_BINDING_FIXES = {
    "clientcertnegotiation": {"client_cert_negotiation": True},
    "disabletls13": {"disable_tls13": True},
    "disablehttp2": {"disable_http2": True},
    "disabletls13+disablehttp2": {"disable_tls13": True, "disable_http2": True},
}


def test_a_fix_is_verified_exactly_when_every_failing_cell_passes_with_it() -> None:
    report = diagnose(NETSH_2022.read_bytes(), CONFIG_IIS.read_bytes())
    checked = 0
    for finding in report.findings:
        failing = [r for per in finding.outcomes.values() for r in per.values() if is_failure(r)]
        for fix in finding.fixes:
            if fix.id not in _BINDING_FIXES:
                continue
            passes = [
                not is_failure(simulate(r.scenario.with_binding(**_BINDING_FIXES[fix.id])))
                for r in failing
            ]
            assert fix.verified == all(passes), (finding.site, finding.path, fix.id)
            checked += 1
    assert checked


# --- the memo: one simulation per configuration, same answers ---------------------------------


def test_sites_with_one_configuration_are_simulated_once_and_answer_as_if_alone() -> None:
    config, netsh = generate(60)
    report = diagnose(netsh, config, release="server-2022", clients=["chrome", "curl", "go"])
    assert report.simulated_configurations < len(report.findings) / 2
    kinds = set()
    for finding in report.findings:
        binding = finding.http_sys_binding
        assert binding is not None
        kinds.add(binding.kind)
        for client in report.clients:
            # The site's own scenario: its real binding, site flags and path, no memo.
            real = simulate(
                Scenario(
                    server=ServerSetup(
                        release="server-2022",
                        host=finding.host,
                        binding=binding,
                        access_ssl_flags=finding.access_ssl_flags,
                        site_binding_ssl_flags=finding.site_binding_ssl_flags,
                    ),
                    client=ClientSetup(profile=client),
                    request=Request(path=finding.path),
                )
            )
            assert cell_text(real) == finding.cells["server-2022"][client]["mark"]
            assert (
                real.certificate_reached_app
                is (finding.cells["server-2022"][client]["certificate_reached_app"])
            )
    assert kinds == {"ipport", "hostnameport", "ccs"}


def test_diagnose_time_grows_linearly_with_the_sites() -> None:
    def run(n: int) -> float:
        config, netsh = generate(n)
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            diagnose(netsh, config, release="server-2022", clients=["chrome"])
            best = min(best, time.perf_counter() - start)
        return best

    run(50)  # warm up
    assert run(2000) / run(200) < 30


# --- bundles and web.config files ----------------------------------------------------------


def test_bundle_finds_the_late_demand_of_a_web_config_and_the_root_fine() -> None:
    report = diagnose_bundle(BUNDLE)
    assert report.current_release == "server-2022"
    assert report.releases == ("server-2022", "server-2025")
    by_key = {(f.site, f.path): f for f in report.findings}
    admin = by_key[("Portal", "/admin")]
    assert admin.cert_request == "late"
    assert admin.failing
    assert admin.flags_source.endswith("webconfig/Portal/admin/web.config:5")
    root = by_key[("Portal", "/")]
    assert root.failing == 0
    assert root.verdict == "fine on every release"
    assert root.cert_request == "none"
    problems = {(Path(p.file or "").parent.name, p.line) for p in report.problems}
    # The locked section (Intranet) and the malformed file (Shop), each with its line.
    assert ("Intranet", 5) in problems
    assert ("Shop", 6) in problems
    locked = next(p for p in report.problems if "Intranet" in (p.file or ""))
    assert "locked" in locked.message
    assert "500.19" in locked.message
    # The refused file sets nothing: Intranet keeps the server level's None.
    assert by_key[("Intranet", "/")].access_ssl_flags.value == 0
    summary = report.summary_lines()
    assert any("Windows Server 2025 (upgrade target): 1 of 3 sites at risk" in s for s in summary)


def test_texts_name_each_sites_own_binding_and_path() -> None:
    config, netsh = generate(80)
    report = diagnose(netsh, config, release="server-2022", clients=["chrome", "go"])
    document = report.to_json()
    assert "~httpsys-sim-path~" not in document
    assert "site.invalid" not in document
    checked = 0
    for finding in report.findings:
        for fix in finding.fixes:
            if fix.id == "own-hostname":
                assert fix.title.startswith(f"Move {finding.path} to a host name")
                checked += 1
            if fix.id == "clientcertnegotiation" and finding.http_sys_binding is not None:
                assert f"={finding.binding} " in fix.commands[0] or "ccs=" in fix.commands[0]
    assert checked


def test_bundle_with_missing_parts_names_them_and_diagnoses_the_rest(tmp_path: Path) -> None:
    shutil.copytree(BUNDLE, tmp_path / "b")
    (tmp_path / "b" / "netsh-sslcert.txt").unlink()
    (tmp_path / "b" / "os.txt").unlink()
    shutil.rmtree(tmp_path / "b" / "webconfig")
    report = diagnose_bundle(tmp_path / "b")
    messages = " | ".join(str(p) for p in report.problems)
    for part in ("netsh-sslcert.txt", "os.txt", "webconfig"):
        assert f"no {part}" in messages
    assert report.current_release is None
    portal = next(f for f in report.findings if f.site == "Portal")
    # Bindings now come from http.reg alone, with the registry's thumbprint.
    assert "http.reg" in " ".join(portal.evidence)


def test_an_empty_bundle_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "os.txt").write_text("CurrentBuild: 20348\n")
    assert main(["diagnose", "--bundle", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "none of" in err


def test_web_config_location_tags_and_merge_order(tmp_path: Path) -> None:
    shutil.copytree(BUNDLE, tmp_path / "b")
    (tmp_path / "b" / "webconfig" / "Portal" / "web.config").write_text(
        '<configuration><location path="admin/deep"><system.webServer><security>'
        '<access sslFlags="Ssl, SslNegotiateCert, SslRequireCert" /></security>'
        "</system.webServer></location></configuration>"
    )
    report = diagnose_bundle(tmp_path / "b", release="server-2022")
    by_key = {(f.site, f.path): f for f in report.findings}
    deep = by_key[("Portal", "/admin/deep")]
    assert [s.what for s in deep.flags_chain][-2:] == [
        "web.config",
        'web.config <location path="admin/deep">',
    ]
    assert deep.access_ssl_flags.value == 0x8 | 0x20 | 0x40


def test_os_txt_tells_server_2025_from_windows_11_24h2() -> None:
    assert detect_release("ProductName: Windows Server 2025\nCurrentBuild: 26100\n").id == (
        "server-2025"
    )
    assert detect_release("InstallationType: Client\nCurrentBuild: 26100\n").id == "win11-24h2"
    with pytest.raises(InputError):
        detect_release("nothing here")


# --- the collection script ---------------------------------------------------------------------


def test_collect_script_is_printed_and_read_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect-script"]) == 0
    script = capsys.readouterr().out
    assert script == collect_script()
    for part in BUNDLE_FILES:
        assert part in script
    assert "HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters" in script
    assert "SecurityProviders\\SCHANNEL" in script
    assert "Import-Module" not in script
    writes = re.compile(
        r"Set-ItemProperty|New-ItemProperty|Remove-Item|Set-WebBinding|New-WebBinding|"
        r"netsh(\.exe)?\"?\s+http\s+(add|update|delete)|reg(\.exe)?\"?\s+(add|delete|import)|"
        r"appcmd(\.exe)?\s+(set|add|delete|unlock)|Restart-Service|Stop-Service",
        re.IGNORECASE,
    )
    assert writes.search(script) is None


# --- the HTML report ---------------------------------------------------------------------------


def test_html_report_is_self_contained_with_summary_first(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["diagnose", "--bundle", str(BUNDLE), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.index('id="summary"') < page.index('class="finding')
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "@import" not in page
    assert 'name="viewport"' in page
    assert "@media print" in page
    assert page.count('class="copy"') >= 2
    # Markdown and JSON carry the same content: the same findings, verdicts and commands.
    report = diagnose_bundle(BUNDLE)
    markdown = report.to_markdown()
    for finding in report.findings:
        assert finding.verdict in page
        assert finding.verdict in markdown
        for fix in finding.fixes:
            for command in fix.commands:
                assert command in markdown
                assert (
                    command.replace("&", "&amp;")
                    .replace("<", "&lt;")
                    .replace(">", "&gt;")
                    .replace('"', "&quot;")
                    .replace("'", "&#x27;")
                    in page
                )


def test_json_streams_to_the_same_text_and_hands_out_copies() -> None:
    import io

    report = diagnose_bundle(BUNDLE)
    stream = io.StringIO()
    report.write_json(stream)
    assert stream.getvalue() == report.to_json()
    data = report.to_dict()
    cell = data["findings"][0]["outcomes"]["server-2022"]["chrome"]
    cell["mark"] = "tampered"
    assert "tampered" not in report.to_json()
    assert report.to_dict() == json.loads(report.to_json())


def test_markdown_and_text_show_a_hostile_site_name_as_written(tmp_path: Path) -> None:
    """Names come from the server's files: Markdown escapes them (no emphasis, no HTML, no
    table break), text keeps them verbatim, and prose wraps at --width without splitting a
    path or a command."""
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    config = bundle / "applicationHost.config"
    # IIS refuses \ / ? ; : @ & = + $ , | " < > in a site name; Markdown's own are allowed.
    hostile = "P*rt*l_[x](y)#`z`!"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace('<site name="Portal"', f'<site name="{hostile}"')
        .replace('<location path="Portal"', f'<location path="{hostile}"'),
        encoding="utf-8",
    )
    shown = hostile
    shutil.move(bundle / "webconfig" / "Portal", bundle / "webconfig" / shown)
    report = diagnose_bundle(bundle)
    assert any(f.site == shown for f in report.findings)
    markdown = report.to_markdown()
    assert "## P\\*rt\\*l\\_\\[x\\](y)\\#\\`z\\`! / on" in markdown
    assert f"site {shown}  path /" in report.to_text()
    narrow = report.to_text(width=60)
    for line in narrow.splitlines():
        if len(line) > 60:  # a label and one word that cannot be split (a path), or a command
            assert len(line.split()) <= 2 or line.startswith(" " * 10), line
    commands = [c for f in report.findings for fix in f.fixes for c in fix.commands]
    assert commands
    assert all(c in narrow for c in commands)


def test_streamed_json_is_saved_like_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON report is streamed, yet a missing directory is a one-line error (exit 2), a
    failure half-way leaves the old file whole, and bidi overrides read from the server's
    files reach the terminal as escapes."""
    out = tmp_path / "report.json"
    args = ["diagnose", "--bundle", str(BUNDLE), "--format", "json"]
    assert main([*args, "-o", str(tmp_path / "missing" / "r.json")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "no directory" in err
    out.write_text("previous report\n", encoding="utf-8")

    def broken(self: object, size: int = 1 << 16) -> Any:
        yield "{"
        raise InputError("stopped half-way", field="test")

    monkeypatch.setattr(Diagnosis, "json_chunks", broken)
    assert main([*args, "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous report\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    monkeypatch.undo()

    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    config = bundle / "applicationHost.config"
    config.write_text(
        config.read_text(encoding="utf-8").replace('<site name="Shop"', '<site name="Sh\u202eop"'),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["diagnose", "--bundle", str(bundle), "--format", "json"]) == 0
    shown = capsys.readouterr().out
    assert "\u202e" not in shown
    assert "Sh\\u202eop" in shown
    assert any(f["site"] == "Sh\u202eop" for f in json.loads(shown)["findings"])
