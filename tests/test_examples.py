"""The example test files in ``examples/`` pass as shipped, and the broken demo fails readably.

``python -m pytest`` collects ``tests/`` only; this runs the examples in a child pytest (the
plugin loads from its entry point there, as in a user's project), bounded by a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("examples/test_my_iis_config.py", "examples/test_app_fake_httpsys.py")


def _pytest(*args: str, broken: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HTTPSYS_"))}
    if broken:
        env["HTTPSYS_DEMO_BROKEN"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_examples_pass_as_shipped() -> None:
    done = _pytest(*EXAMPLES, "-rs", broken=False)
    assert done.returncode == 0, done.stdout + done.stderr
    tail = done.stdout.strip().splitlines()[-1]
    assert " passed" in tail
    assert "failed" not in tail
    assert "2 skipped" in tail  # the broken demo, on its two releases
    assert "HTTPSYS_DEMO_BROKEN=1" in done.stdout


def test_the_broken_demo_fails_with_the_explanation_and_the_fix() -> None:
    done = _pytest(EXAMPLES[0], "-k", "broken_demo", broken=True)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "2 failed" in out.strip().splitlines()[-1]
    # Server 2022: the reset, explained
    assert "got:      connection reset by the server [R-REQ-2.tls13-reset]" in out
    assert "client shows: ERR_CONNECTION_RESET" in out
    # Server 2025: the 500.0, explained
    assert "0x80070032 [R-REQ-2.tls13-not-supported]" in out
    assert "ERROR_NOT_SUPPORTED (50) — R-REL-3 (documented; S1)" in out
    # the why-chain, the steps and the proven fix with its command
    assert "Because:" in out
    assert "What happened, step by step" in out
    assert "Fixes (each re-simulated with the change applied):" in out
    assert (
        "netsh http update sslcert hostnameport=portal.contoso.test:443 "
        "certhash=3f2a9c1b7d4e8f60a1b2c3d4e5f60718293a4b5c" in out
    )
    assert "clientcertnegotiation=enable" in out
