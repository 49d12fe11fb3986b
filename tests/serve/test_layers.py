"""The endpoint is a top layer: only the command line, the package's lazy names and the
pytest plugin reach it, and loading the plugin or the package imports none of the extra."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "httpsys_sim"
ALLOWED = {"cli.py", "__init__.py", "testing/_pytest_plugin.py"}


def test_only_the_top_reaches_the_endpoint() -> None:
    pattern = re.compile(r"httpsys_sim\.endpoint|from httpsys_sim import .*\bserve\b")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "endpoint" not in path.relative_to(PACKAGE).parts
        and str(path.relative_to(PACKAGE)) not in ALLOWED
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_plugin_and_package_import_no_extra() -> None:
    code = (
        "import sys, httpsys_sim, httpsys_sim.testing._pytest_plugin, httpsys_sim.cli\n"
        "bad = [m for m in ('OpenSSL', 'h2', 'h11', 'httpsys_sim.endpoint._server') "
        "if m in sys.modules]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
