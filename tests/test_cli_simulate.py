"""``httpsys-sim simulate`` (contract §2): the default seed, every format, the override flags,
and bad input — exit status 2 with exactly one line on stderr, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import httpsys_sim as hs
from httpsys_sim.cli import main
from tests.test_scenario_json import MALFORMED, UNKNOWN_IDS, UNKNOWN_KEYS, WRONG_TYPES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["simulate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, *args, "--format", "json")
    assert (code, err) == (0, "")
    doc: dict[str, Any] = json.loads(out)
    return doc


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("httpsys-sim: error: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def write(tmp_path: Path, document: Any, name: str = "scenario.json") -> str:
    path = tmp_path / name
    if isinstance(document, bytes):
        path.write_bytes(document)
    elif isinstance(document, str):
        path.write_text(document, encoding="utf-8")
    else:
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return str(path)


def outcome(doc: dict[str, Any]) -> tuple[str, int | None, int | None]:
    o = doc["outcome"]
    return o["kind"], o["status"], o["substatus"]


# --- the default: the seed --------------------------------------------------------------------


def test_no_arguments_prints_the_24h2_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    assert "500.0" in out
    assert "0x80070032" in out
    assert "IIS Web Core" in out
    assert "Windows 11 24H2" in out
    assert "iis-express" in out
    for rule in ("R-REQ-2", "R-REQ-2.h2", "R-REQ-2.tls13-not-supported", "R-REL-3"):
        assert f"[{rule}" in out, rule
    assert "clientcertnegotiation=enable" in out  # the recommended fix


def test_no_arguments_cites_sources(capsys: pytest.CaptureFixture[str]) -> None:
    """The default output says where the 500.0 comes from: S1, the IIS Support Blog."""
    _code, out, _err = run(capsys)
    deciding = [line for line in out.splitlines() if "[R-REQ-2.tls13-not-supported" in line]
    assert deciding
    assert all("S1" in line for line in deciding)
    h2 = [line for line in out.splitlines() if "[R-REQ-2.h2]" in line]
    assert h2
    assert all("S18" in line for line in h2)


def test_default_json_is_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys)
    assert doc["outcome"]["hresult"] == "0x80070032"
    assert (doc["outcome"]["status"], doc["outcome"]["win32_status"]) == (500, 50)
    assert doc["scenario"] == hs.Scenario.seed().to_dict()
    seed = hs.simulate(hs.Scenario.seed())
    assert doc == json.loads(seed.to_json(fixes=hs.find_fixes(seed)))
    steps = doc["steps"]
    assert steps
    assert all(s["sources"] and s["rule"] in hs.RULES for s in steps)
    assert "S1" in {src for s in steps for src in s["sources"]}


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("text", lambda out: out.startswith("Outcome: HTTP 500.0")),
        ("json", lambda out: json.loads(out)["outcome"]["status"] == 500),
        (
            "markdown",
            lambda out: out.startswith("### 🟠 `500.0` HTTP 500.0") and "| # | layer |" in out,
        ),
        ("mermaid", lambda out: out.startswith("sequenceDiagram") and "participant" in out),
    ],
)
def test_every_format(capsys: pytest.CaptureFixture[str], fmt: str, check: Any) -> None:
    code, out, err = run(capsys, "--format", fmt)
    assert (code, err) == (0, "")
    assert check(out), out[:200]
    again = run(capsys, "--format", fmt)[1]
    assert again == out  # deterministic


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "mermaid"])
def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    code, out, err = run(capsys, "--format", fmt, "--output", str(target))
    assert (code, out, err) == (0, "", "")
    expected = run(capsys, "--format", fmt)[1]
    assert target.read_text(encoding="utf-8") == expected


# --- scenario input ---------------------------------------------------------------------------


def test_scenario_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s = hs.Scenario.seed("win11-23h2")
    doc = run_json(capsys, "--scenario", write(tmp_path, s.to_dict()))
    assert outcome(doc) == ("connection_reset", None, None)
    assert doc["outcome"]["client_error"] == "ERR_CONNECTION_RESET"
    result = hs.simulate(s)
    assert doc == json.loads(result.to_json(fixes=hs.find_fixes(result)))


def test_scenario_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps({"server": {"release": "win10-22h2"}})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    doc = run_json(capsys, "--scenario", "-")
    assert outcome(doc) == ("http_response", 200, 0)
    assert doc["certificate_reached_app"] is True


def test_bad_stdin_names_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"client": {"x": 1}}')))
    assert_one_line_error(*run(capsys, "--scenario", "-"), "<stdin>", "client.x")


# --- override flags ---------------------------------------------------------------------------

OVERRIDES: list[tuple[list[str], tuple[str, int | None, int | None]]] = [
    (["--release", "win11-23h2"], ("connection_reset", None, None)),
    (["--release", "Windows Server 2022"], ("connection_reset", None, None)),
    (["--release", "19045"], ("http_response", 200, 0)),
    (["--release", "server-2025"], ("http_response", 500, 0)),
    (["--client-cert-negotiation"], ("http_response", 200, 0)),
    (["--release", "win11-23h2", "--disable-tls13"], ("http_response", 200, 0)),
    (["--release", "win10-22h2", "--client", "go"], ("http2_error", None, None)),
    (["--release", "win11-23h2", "--client", "curl"], ("http_response", 200, 0)),
    (
        [
            "--release",
            "win11-23h2",
            "--client",
            "curl",
            "--access-ssl-flags",
            "Ssl,SslNegotiateCert,SslRequireCert",
        ],
        ("http_response", 403, 7),
    ),
    (
        ["--client-cert-negotiation", "--certificate", "untrusted"],
        ("http_response", 403, 16),
    ),
    (
        ["--client-cert-negotiation", "--certificate", "none", "--access-ssl-flags", "104"],
        ("http_response", 403, 7),
    ),
    (["--access-ssl-flags", "None"], ("http_response", 200, 0)),
    (
        ["--release", "win10-22h2", "--client", "python-requests", "--body-bytes", "49153"],
        ("http_response", 413, 0),
    ),
    (
        ["--release", "win10-22h2", "--client", "python-requests", "--body-bytes", "49152"],
        ("http_response", 200, 0),
    ),
    (["--client", "rustls"], ("http2_error", None, None)),
    (["--release", "win11-23h2", "--disable-tls13", "--disable-http2"], ("http_response", 200, 0)),
    (["--host", "iis", "--release", "server-2022"], ("connection_reset", None, None)),
]


@pytest.mark.parametrize(("args", "expected"), OVERRIDES, ids=[" ".join(a) for a, _ in OVERRIDES])
def test_override_flags(
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: tuple[str, int | None, int | None],
) -> None:
    doc = run_json(capsys, *args)
    assert outcome(doc) == expected


def test_overrides_reach_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "--release",
        "server-2022",
        "--host",
        "iis",
        "--client",
        "firefox",
        "--certificate",
        "expired",
        "--access-ssl-flags",
        "Ssl, SslNegotiateCert",
        "--disable-http2",
        "--path",
        "/admin",
        "--body-bytes",
        "7",
    )
    s = doc["scenario"]
    assert s["server"]["release"] == "server-2022"
    assert s["server"]["host"] == "iis"
    assert s["server"]["binding"]["disable_http2"] is True
    assert s["server"]["access_ssl_flags"] == ["Ssl", "SslNegotiateCert"]
    assert (s["client"]["profile"], s["client"]["certificate"]) == ("firefox", "expired")
    assert (s["request"]["path"], s["request"]["body_bytes"]) == ("/admin", 7)
    assert [c["alpn"] for c in doc["connections"]] == ["http/1.1"]


def test_overrides_apply_on_top_of_a_scenario_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        {"server": {"release": "win11-23h2", "binding": {"client_cert_negotiation": True}}},
    )
    assert outcome(run_json(capsys, "--scenario", path)) == ("http_response", 200, 0)
    doc = run_json(capsys, "--scenario", path, "--no-client-cert-negotiation")
    assert outcome(doc) == ("connection_reset", None, None)
    doc = run_json(
        capsys, "--scenario", path, "--release", "win11-24h2", "--no-client-cert-negotiation"
    )
    assert outcome(doc) == ("http_response", 500, 0)


# --- bad input: exit 2, one line ------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), MALFORMED[:18], ids=range(18))
def test_malformed_scenario_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = write(tmp_path, text)
    assert_one_line_error(*run(capsys, "--scenario", path), path, message)


@pytest.mark.parametrize(("document", "field", "line"), WRONG_TYPES[::3])
def test_wrong_types_name_file_line_and_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    document: dict[str, Any],
    field: str,
    line: int,
) -> None:
    path = write(tmp_path, document)
    assert_one_line_error(*run(capsys, "--scenario", path), f"{path}:{line}: {field}: ")


@pytest.mark.parametrize(("document", "field"), UNKNOWN_KEYS)
def test_unknown_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: dict[str, Any], field: str
) -> None:
    path = write(tmp_path, document)
    assert_one_line_error(*run(capsys, "--scenario", path), path, field, "unknown key")


@pytest.mark.parametrize(("document", "field", "hint"), UNKNOWN_IDS)
def test_unknown_ids(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    document: dict[str, Any],
    field: str,
    hint: str,
) -> None:
    path = write(tmp_path, document)
    assert_one_line_error(*run(capsys, "--scenario", path), path, field, hint)


def test_ambiguous_build(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, {"server": {"release": 26100}})
    assert_one_line_error(
        *run(capsys, "--scenario", path), f"{path}:3: server.release", "win11-24h2", "server-2025"
    )
    assert_one_line_error(
        *run(capsys, "--release", "26100"), "--release", "win11-24h2", "server-2025"
    )


def test_deeply_nested(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 200_000 + "]" * 200_000)
    assert_one_line_error(*run(capsys, "--scenario", path), path, "nested too deeply")


def test_oversized_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: 17 MiB of zeros without writing them
        f.truncate(17 * 1024 * 1024)
    assert_one_line_error(*run(capsys, "--scenario", str(path)), str(path), "16 MiB")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ["--scenario", "/nonexistent/scenario.json"],
            ["/nonexistent/scenario.json", "no such file"],
        ),
        (["--release", "win95"], ["--release", "win95"]),
        (["--client", "netscape"], ["--client", "netscape"]),
        (["--certificate", "stolen"], ["stolen"]),
        (["--host", "apache"], ["apache"]),
        (["--format", "pdf"], ["pdf"]),
        (["--access-ssl-flags", "SslFoo"], ["--access-ssl-flags", "SslFoo"]),
        (["--path", "admin"], ["--path"]),
        (["--body-bytes", "-1"], ["--body-bytes"]),
        (["--body-bytes", "lots"], ["lots"]),
        (["--no-such-option"], ["--no-such-option"]),
    ],
)
def test_bad_arguments(
    capsys: pytest.CaptureFixture[str], args: list[str], needles: list[str]
) -> None:
    assert_one_line_error(*run(capsys, *args), *needles)


def test_directory_instead_of_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(*run(capsys, "--scenario", str(tmp_path)), str(tmp_path))


def test_real_process_exit_status(tmp_path: Path) -> None:
    """The installed entry point behaves the same in a real process: 0 / 2, one line."""
    good = subprocess.run(
        [sys.executable, "-m", "httpsys_sim", "simulate", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert good.returncode == 0
    assert json.loads(good.stdout)["outcome"]["hresult"] == "0x80070032"
    bad_file = write(tmp_path, b"\x00\xff binary")
    bad = subprocess.run(
        [sys.executable, "-m", "httpsys_sim", "simulate", "--scenario", bad_file],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_error(bad.returncode, bad.stdout, bad.stderr, bad_file)
