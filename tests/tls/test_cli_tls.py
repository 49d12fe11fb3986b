"""``httpsys-sim tls`` (contract §2.3): the three output formats and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from httpsys_sim.cli import main
from httpsys_sim.tls import CertRequestedHow, TlsScenario, run_tls

#: Contract §2.3's own example, TLS 1.2 flavour: a renegotiation that obtains a certificate.
SCENARIO: dict[str, Any] = {
    "stack": "openssl",
    "version": "1.2",
    "alpn": None,
    "server": {
        "cert_request": "required",
        "request_at": "renegotiation",
        "resumption_on_renegotiation": False,
        "allow_client_renegotiation": False,
        "rounds": 1,
    },
    "client": {
        "certificate": "valid",
        "post_handshake_auth": False,
        "renegotiation": "accept",
        "initiate_renegotiation": False,
    },
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["tls", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "tls.json"
    path.write_text(json.dumps(SCENARIO, indent=2), encoding="utf-8")
    return path


def test_json(capsys: pytest.CaptureFixture[str], scenario_file: Path) -> None:
    code, out, err = _run(capsys, "--scenario", str(scenario_file), "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document == run_tls(TlsScenario.from_dict(SCENARIO)).to_dict()
    assert document["version"] == "1.2"
    assert document["server"]["cert_obtained"] is True
    assert document["server"]["error"] is None
    assert document["client"]["error"] is None
    assert "cert_obtained" not in document["client"]
    server = document["server"]["messages"]
    assert server[server.index("W hello_request") :] == [
        "W hello_request",
        "R client_hello",
        "W server_hello",
        "W certificate",
        "W server_key_exchange",
        "W certificate_request",
        "W server_hello_done",
        "R certificate",
        "R client_key_exchange",
        "R certificate_verify",
        "R change_cipher_spec",
        "R finished",
        "W change_cipher_spec",
        "W finished",
    ]


def test_json_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(SCENARIO).encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    code, out, err = _run(capsys, "--scenario", "-", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == run_tls(TlsScenario.from_dict(SCENARIO)).to_dict()


def test_text(capsys: pytest.CaptureFixture[str], scenario_file: Path) -> None:
    code, out, err = _run(capsys, "--scenario", str(scenario_file), "--format", "text")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("TLS 1.2 · stack openssl")
    wire = [line.split() for line in lines if "→" in line or "←" in line]
    transcript = run_tls(TlsScenario.from_dict(SCENARIO))
    assert len(wire) == len(transcript.wire)
    # R-TLS-7 in the text view: the client's certificate (asked for by the renegotiation)
    # is shown encrypted, the first ClientHello clear.
    cert = next(w for w in wire if w[:3] == ["client", "→", "server"] and w[3] == "certificate")
    assert cert[4] == "encrypted"
    assert wire[0][:5] == ["client", "→", "server", "client_hello", "clear"]
    assert lines[-2:] == ["client: error=none", "server: error=none, cert_obtained=True"]


def test_mermaid(capsys: pytest.CaptureFixture[str], scenario_file: Path) -> None:
    code, out, err = _run(capsys, "--scenario", str(scenario_file), "--format", "mermaid")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == [
        "sequenceDiagram",
        "    participant C as Client",
        "    participant S as Server",
    ]
    arrows = lines[3:]
    transcript = run_tls(TlsScenario.from_dict(SCENARIO))
    assert len(arrows) == len(transcript.wire)
    assert arrows[0] == "    C->>S: client_hello"
    assert arrows[-1] == "    S->>C: finished 🔒"
    assert sum("🔒" in a for a in arrows) == sum(e.message.encrypted for e in transcript.wire)


def test_mermaid_marks_unread_messages_and_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A failed TLS 1.3 handshake: the Finished the server never read, and both errors."""
    failing = {
        **SCENARIO,
        "version": "1.3",
        "server": {**SCENARIO["server"], "request_at": "handshake"},
    }
    failing["client"] = {**SCENARIO["client"], "certificate": "none"}
    path = tmp_path / "failing.json"
    path.write_text(json.dumps(failing), encoding="utf-8")
    code, out, err = _run(capsys, "--scenario", str(path), "--format", "mermaid")
    assert (code, err) == (0, "")
    assert "    C-xS: finished 🔒" in out.splitlines()
    assert "    S->>C: alert fatal:certificate_required(116) 🔒" in out.splitlines()
    notes = [line for line in out.splitlines() if line.lstrip().startswith("Note over")]
    assert [n.split(":")[0].strip() for n in notes] == ["Note over C", "Note over S"]


def test_default_is_the_built_in_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == run_tls(TlsScenario.example()).to_dict()


def test_output_file(
    capsys: pytest.CaptureFixture[str], scenario_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    code, out, err = _run(
        capsys, "--scenario", str(scenario_file), "--format", "json", "--output", str(target)
    )
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "1.2"


def _with(path: str, value: object) -> dict[str, Any]:
    """SCENARIO with one (dotted) key set."""
    document: dict[str, Any] = json.loads(json.dumps(SCENARIO))
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value
    return document


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param(json.dumps(_with("server.colour", "blue")), "server.colour", id="unknown-key"),
        pytest.param(json.dumps(_with("stak", "openssl")), "stak", id="unknown-top-key"),
        pytest.param(
            json.dumps(_with("client.post_handshake_auth", "yes")),
            "client.post_handshake_auth",
            id="wrong-type",
        ),
        pytest.param(json.dumps(_with("version", 1.3)), "version", id="version-not-a-string"),
        pytest.param(json.dumps(_with("stack", "gnutls")), "stack", id="unknown-stack"),
        pytest.param(json.dumps(_with("version", "1.4")), "version", id="unknown-version"),
        pytest.param(
            json.dumps(_with("client.certificate", "revoked")),
            "client.certificate",
            id="certificate-not-tls-layer",
        ),
        pytest.param(json.dumps(_with("server.rounds", 0)), "server.rounds", id="no-rounds"),
        pytest.param(json.dumps(_with("server.rounds", 17)), "server.rounds", id="many-rounds"),
        pytest.param(json.dumps(_with("server.rounds", "2")), "server.rounds", id="rounds-text"),
        pytest.param(json.dumps(_with("server.rounds", True)), "server.rounds", id="rounds-bool"),
        pytest.param(
            json.dumps({"server": {"request_at": "handshake", "rounds": 2}}),
            "server.rounds",
            id="rounds-in-the-handshake",
        ),
        pytest.param(
            json.dumps(_with("server.request_at", "none")),
            "server.request_at",
            id="request-at-none",
        ),
        pytest.param(json.dumps(SCENARIO)[:-7], "invalid JSON", id="truncated"),
        pytest.param("", "empty input", id="empty"),
        pytest.param("[1, 2]", "expected an object", id="not-an-object"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, names: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "--scenario", str(path), "--format", "json")
    assert code == 2
    assert out == ""
    assert err.endswith("\n")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"httpsys-sim: error: {path}")
    assert names in err
    assert "Traceback" not in err


def test_missing_file_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, "--scenario", str(tmp_path / "nope.json"))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert "no such file" in err


def test_unknown_format_is_exit_2(capsys: pytest.CaptureFixture[str], scenario_file: Path) -> None:
    code, out, err = _run(capsys, "--scenario", str(scenario_file), "--format", "dot")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def _messages(document: dict[str, Any], side: str) -> list[str]:
    return list(document[side]["messages"])


@pytest.mark.parametrize(
    ("version", "request_at", "asks"),
    [
        ("1.3", "post_handshake", "W certificate_request"),
        ("1.2", "renegotiation", "W hello_request"),
    ],
)
def test_rounds_ask_again_on_the_same_connection(version: str, request_at: str, asks: str) -> None:
    setup = _with("version", version)
    setup["server"].update(request_at=request_at)
    setup["client"].update(post_handshake_auth=version == "1.3")
    once = run_tls(TlsScenario.from_dict(setup)).to_dict()
    setup["server"]["rounds"] = 3
    thrice = run_tls(TlsScenario.from_dict(setup)).to_dict()
    assert _messages(once, "server").count(asks) == 1
    assert _messages(thrice, "server").count(asks) == 3
    # the first round is the whole one-round conversation; each later round repeats the first
    server_once, server_thrice = _messages(once, "server"), _messages(thrice, "server")
    first_ask = server_once.index(asks)
    round_ = server_once[first_ask:]
    assert server_thrice == server_once + round_ + round_
    assert thrice["server"]["cert_obtained"] is True
    assert (thrice["server"]["error"], thrice["client"]["error"]) == (None, None)


def test_later_rounds_stop_when_the_connection_ends() -> None:
    setup = _with("client.certificate", "none")  # required, none: the first round fails
    setup["server"]["rounds"] = 3
    result = run_tls(TlsScenario.from_dict(setup)).to_dict()
    assert _messages(result, "server").count("W hello_request") == 1
    assert result["server"]["error"] is not None


def test_rounds_stop_when_the_stack_declines() -> None:
    setup = _with("server.request_at", "post_handshake")  # TLS 1.2 has no PHA (R-TLS-4)
    setup["server"]["rounds"] = 2
    result = run_tls(TlsScenario.from_dict(setup)).to_dict()
    assert "W certificate_request" not in _messages(result, "server")
    assert "R-TLS-4" in result["server"]["error"]


def test_rounds_round_trip_through_the_document() -> None:
    setup = _with("server.rounds", 2)
    assert TlsScenario.from_dict(setup).to_dict() == setup
    assert TlsScenario.from_dict(SCENARIO).rounds == 1
    with pytest.raises(ValueError, match="rounds"):
        TlsScenario(rounds=0)
    with pytest.raises(ValueError, match="request_at"):
        TlsScenario(rounds=2)
    with pytest.raises(ValueError, match="request_at"):
        TlsScenario(request_at=CertRequestedHow.NONE)
