"""A browser as a conformance-suite client: one page load, one JSON line on stdout.

    python browsers.py chromium URL CA.pem

Runs headless Chromium once against the endpoint, in a fresh profile in a temporary folder
(removed afterwards), bounded by a timeout that ends the browser's whole process group, and
prints what the runner reads from every program: ``{"status", "body", "error"}``.

- **Trust**: only the endpoint's own server key, by its SPKI hash
  (``--ignore-certificate-errors-spki-list``, as docs/browser_screenshots.py does); the
  server key is ``server.pem`` next to the CA the endpoint wrote.  No certificate store is
  touched.
- **A page that loaded**: ``--dump-dom`` prints its DOM.  The status is read from the page:
  the endpoint's IIS error pages carry ``HTTP Error 500.0`` / ``HTTP Error 403.7`` in their
  heading (:func:`status_of_page`); any other page is a 200.
- **A page that did not load**: headless Chromium prints no DOM for its own error page but
  logs ``Page load failed: net::ERR_…``; the error line is the code as its error page shows
  it, ``ERR_CONNECTION_RESET`` (:func:`error_of_log`).
- **No client certificate**: Chromium presents one only from its NSS store with an
  ``AutoSelectCertificateForUrls`` policy, which lives in /etc/chromium/policies; the suite
  does not write there, so browsers run the no-certificate situations only.

Self-contained (standard library and ``cryptography``): the runner runs it as a script; the
unit tests import the parsing functions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

#: Seconds a browser may take for one page load before its process group is ended.
TIMEOUT = 40

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)

_PAGE_LOAD_FAILED = re.compile(r"Page load failed: (?:net::)?(ERR_[A-Z0-9_]+)")
_HTTP_ERROR = re.compile(r"HTTP Error (\d{3})\.\d+")


def error_of_log(stderr: str) -> str | None:
    """The net error headless Chromium logged for the page (``ERR_CONNECTION_RESET``), as
    its error page shows it (without ``net::``); ``None`` when the page loaded."""
    found = _PAGE_LOAD_FAILED.search(stderr)
    return found.group(1) if found else None


def status_of_page(dom: str) -> int:
    """The HTTP status of a page that loaded: an IIS error page's ``HTTP Error 500.0``
    heading gives 500, any other page is taken as a 200."""
    found = _HTTP_ERROR.search(dom)
    return int(found.group(1)) if found else 200


def chromium_result(returncode: int, dom: str, stderr: str) -> dict[str, Any]:
    """The runner's JSON for one headless Chromium run."""
    error = error_of_log(stderr)
    if error is not None:
        return {"status": None, "body": "", "error": error}
    if returncode != 0 or not dom.strip():
        last = [line for line in stderr.splitlines() if line.strip() and "dbus" not in line]
        why = last[-1] if last else "no output"
        return {"status": None, "body": "", "error": f"chromium exited {returncode}: {why}"}
    return {"status": status_of_page(dom), "body": dom, "error": None}


def spki_hash(pem: Path) -> str:
    """Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (Chromium's SPKI pin)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def run_bounded(cmd: list[str], env: dict[str, str]) -> tuple[int, str, str] | None:
    """Run ``cmd`` in its own process group; ``None`` (the group ended) after TIMEOUT s."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    finally:
        with contextlib.suppress(ProcessLookupError):  # helpers left behind by the browser
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err


def chromium(url: str, ca: str) -> dict[str, Any]:
    exe = shutil.which("chromium") or "chromium"
    server_pem = Path(ca).parent / "server.pem"
    with tempfile.TemporaryDirectory(prefix="httpsys-sim-chromium-") as home:
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={home}/profile",
            f"--ignore-certificate-errors-spki-list={spki_hash(server_pem)}",
            "--dump-dom",
            url,
        ]
        ran = run_bounded(cmd, dict(os.environ, HOME=home))
    if ran is None:
        return {"status": None, "body": "", "error": f"chromium did not finish in {TIMEOUT} s"}
    return chromium_result(*ran)


def main(argv: list[str]) -> dict[str, Any]:
    browser, url, ca = argv[:3]
    if browser == "chromium":
        return chromium(url, ca)
    raise SystemExit(f"unknown browser {browser}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
