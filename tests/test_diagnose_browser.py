"""The diagnosis HTML report in a real browser: headless Chromium loads it and shows the
summary (skipped, with the reason, where Chromium is not installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from httpsys_sim.cli import main

BUNDLE = Path(__file__).parent / "fixtures" / "bundle" / "server2022"
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_headless_chromium_renders_the_summary_and_the_sites(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["diagnose", "--bundle", str(BUNDLE), "--format", "html", "-o", str(page)]) == 0
    done = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert '<section id="summary">' in dom
    assert "Summary: sites at risk per release" in dom
    assert "Windows Server 2025 (upgrade target)" in dom
    # The late demand on /admin with its grid and a copy button per command.
    assert "Portal <code>/admin</code>" in dom
    assert ">RESET<" in dom
    assert dom.count('class="copy"') >= 2


def test_headless_chromium_screenshots_a_phone_width_page(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["diagnose", "--bundle", str(BUNDLE), "--format", "html", "-o", str(page)]) == 0
    shot = tmp_path / "phone.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=390,1200", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    assert width == 390
