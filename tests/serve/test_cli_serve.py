"""``httpsys-sim serve``: the ready line, clean shutdown, one-line errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("OpenSSL", reason="the serve extra is not installed: pip install '.[serve]'")
pytest.importorskip("h2", reason="the serve extra is not installed: pip install '.[serve]'")

from tests.serve._helpers import READY_KEYS, Served, context, https_get, run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_then_clean_exit(sig: int) -> None:
    with Served("--release", "server-2022") as served:
        ready = served.ready
        assert served.line.endswith("\n")
        assert served.line.count("\n") == 1
        for key in READY_KEYS:
            assert key in ready, key
        assert ready["url"].startswith("https://127.0.0.1:")
        assert ready["release"] == "server-2022"
        assert ready["host"] == "iis-express"
        for key in READY_KEYS[1:7]:
            assert Path(ready[key]).is_file(), key
        answer = https_get(ready["url"], context(ready, pha=True))
        assert answer.status == 200
        code, out, err = served.stop(sig)
    assert code == 0, err
    assert out == ""  # nothing after the ready line
    assert "Traceback" not in err
    assert not Path(ready["ca"]).parent.exists()  # the throwaway CA is gone


def test_keep_keeps_the_files(tmp_path: Path) -> None:
    with Served("--release", "server-2025", "--keep") as served:
        ready = served.ready
        https_get(ready["url"], context(ready))
        code, _, _ = served.stop()
    try:
        assert code == 0
        log = Path(ready["log"]).read_text(encoding="utf-8")
        assert log.splitlines()[-1].split()[-4:-1] == ["500", "0", "50"]
    finally:
        import shutil

        shutil.rmtree(Path(ready["ca"]).parent, ignore_errors=True)


def test_netsh_fix_flag() -> None:
    with Served("--release", "server-2022", "--client-cert-negotiation") as served:
        answer = https_get(served.ready["url"], context(served.ready))
        served.stop()
    assert answer.status == 200
    assert answer.subject is not None


def test_port_in_use_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = run_cli("serve", "--port", str(port))
    _one_line_error(proc, "in use", str(port))


def test_http3_scenario_is_bad_input() -> None:
    scenario = {"server": {"release": "server-2025", "http3": True}, "client": {}, "request": {}}
    proc = run_cli("serve", "--scenario", "-", stdin=json.dumps(scenario))
    _one_line_error(proc, "HTTP/3", "server.http3")


@pytest.mark.parametrize("bind", ["example.com", "not an address"])
def test_bind_takes_an_address(bind: str) -> None:
    _one_line_error(run_cli("serve", "--bind", bind), "--bind")


def test_bad_port() -> None:
    _one_line_error(run_cli("serve", "--port", "70000"), "--port")


def test_missing_extra_is_one_line() -> None:
    code = (
        "import sys; sys.modules['OpenSSL'] = None; "
        "from httpsys_sim.cli import main; sys.exit(main(['serve']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    _one_line_error(proc, "serve extra", "pip install")
