"""A browser as a conformance-suite client: one page load, one JSON line on stdout.

    python browsers.py chromium URL CA.pem [CERT.pem KEY.key]
    python browsers.py firefox URL CA.pem [CERT.pem KEY.key]
    python browsers.py chromium-policy     # the policy tests/clients/install.sh installs

Runs headless Chromium or Firefox ESR once against the endpoint, in a fresh profile in a
temporary folder (removed afterwards), bounded by a timeout that ends the browser's whole
process group, and prints what the runner reads from every program:
``{"status", "body", "error"}`` (docs/reference/clients.md#browsers).

- **Chromium**: ``--headless=new --dump-dom``; only the endpoint's own server key is trusted,
  by its SPKI hash (``--ignore-certificate-errors-spki-list``, as docs/browser_screenshots.py
  does; the key is ``server.pem`` next to the CA the endpoint wrote).  A page that did not
  load is logged as ``Page load failed: net::ERR_…``; the error line is the code as its error
  page shows it, ``ERR_CONNECTION_RESET`` (:func:`error_of_log`).
- **Firefox**: ``--headless --marionette``, driven over Marionette on loopback with
  ``acceptInsecureCerts`` (Firefox takes the endpoint's certificate unchecked).  The error
  line is its error page's heading and error code, ``Secure Connection Failed
  (PR_CONNECT_RESET_ERROR)`` (:func:`firefox_error_line`).
- **A page that loaded**: the status is read from the page: the endpoint's IIS error pages
  carry ``HTTP Error 500.0`` / ``HTTP Error 403.7`` in their heading
  (:func:`status_of_page`); any other page is a 200.
- **A client certificate** goes into an NSS database created for the run (``certutil``, the
  certificate and key imported with ``pk12util``: Debian's libnss3-tools).  Firefox reads it
  from its profile, with ``security.default_personal_cert`` = ``Select Automatically``.
  Chromium reads it from ``$HOME/.pki/nssdb`` (the temporary home) and presents it without
  asking only under an ``AutoSelectCertificateForUrls`` policy, which Chromium reads from
  /etc/chromium/policies/managed/ alone: tests/clients/install.sh installs
  :func:`chromium_policy` there (loopback URLs, certificates of the endpoint's own
  ``O=httpsys-sim`` issuers), and the runner leaves Chromium's certificate situations out,
  saying so, where it is missing (:func:`chromium_policy_missing`).

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
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
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

#: With ``1.2`` in this environment variable, the browser offers TLS 1.2 at most (Chromium:
#: ``--ssl-version-max=tls1.2``; Firefox: ``security.tls.version.max`` = 3).
MAX_TLS_ENV = "BROWSER_MAX_TLS"

#: The NSS tools (Debian package libnss3-tools) that put a client certificate in a database.
NSS_TOOLS = ("certutil", "pk12util")

#: Where Chromium on Linux reads mandatory policies, and the suite's file there.
CHROMIUM_POLICY_FILE = Path("/etc/chromium/policies/managed/httpsys-sim-conformance.json")


def chromium_policy() -> dict[str, Any]:
    """The policy that lets headless Chromium present the endpoint's client certificate
    without asking: on loopback URLs only, a certificate issued by ``O=httpsys-sim``."""
    rule = {"pattern": "https://127.0.0.1:*", "filter": {"ISSUER": {"O": "httpsys-sim"}}}
    return {"AutoSelectCertificateForUrls": [json.dumps(rule, sort_keys=True)]}


def chromium_policy_missing(path: Path | None = None) -> str | None:
    """Why Chromium cannot present a client certificate here (``None``: it can); ``path``
    defaults to :data:`CHROMIUM_POLICY_FILE`."""
    path = CHROMIUM_POLICY_FILE if path is None else path
    try:
        installed = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{path} is missing (tests/clients/install.sh writes it when run as root)"
    except (OSError, ValueError) as exc:
        return f"{path} cannot be read: {exc}"
    if installed != chromium_policy():
        suite = "python tests/clients/browsers.py chromium-policy"
        return f"{path} is not the suite's policy ({suite})"
    return nss_tools_missing()


def nss_tools_missing() -> str | None:
    """Which NSS tools a client certificate needs are not installed (``None``: none)."""
    missing = [tool for tool in NSS_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} (Debian package libnss3-tools) not installed"
    return None


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


def chromium(url: str, ca: str, cert: str | None = None, key: str | None = None) -> dict[str, Any]:
    exe = shutil.which("chromium") or "chromium"
    server_pem = Path(ca).parent / "server.pem"
    with tempfile.TemporaryDirectory(prefix="httpsys-sim-chromium-") as home:
        if cert is not None and key is not None:
            nssdb = Path(home) / ".pki" / "nssdb"
            nssdb.mkdir(parents=True)
            try:
                _nss_import(nssdb, cert, key)
            except (OSError, subprocess.SubprocessError) as exc:
                why = f"chromium: the client certificate could not be imported: {exc}"
                return {"status": None, "body": "", "error": why}
        capped = ("--ssl-version-max=tls1.2",) if os.environ.get(MAX_TLS_ENV) == "1.2" else ()
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            *capped,
            f"--user-data-dir={home}/profile",
            f"--ignore-certificate-errors-spki-list={spki_hash(server_pem)}",
            "--dump-dom",
            url,
        ]
        ran = run_bounded(cmd, dict(os.environ, HOME=home))
    if ran is None:
        return {"status": None, "body": "", "error": f"chromium did not finish in {TIMEOUT} s"}
    return chromium_result(*ran)


# --- Firefox ---------------------------------------------------------------------------------

#: The temporary profile's prefs: Marionette on a port it picks (written to the profile's
#: MarionetteActivePort), no HTTP/3, nothing fetched in the background.
FIREFOX_PREFS: Mapping[str, object] = {
    "marionette.port": 0,
    "network.http.http3.enable": False,
    "browser.shell.checkDefaultBrowser": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "app.update.auto": False,
    "app.update.disabledForTesting": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "extensions.update.enabled": False,
}

#: Read Firefox's error page (about:neterror): its heading and its "Error Code: …" line, in the
#: page or in the shadow root of its ``net-error-card`` (Firefox 153).  Some pages (a
#: protocol_version alert) show the code only under "Advanced": the script presses that button
#: once, and the runner asks again until the code shows or :data:`CODE_WAIT` seconds pass.
_FIREFOX_ERROR_PAGE_JS = """
const card = document.querySelector("net-error-card");
const root = card && card.shadowRoot ? card.shadowRoot : document;
const title = root.querySelector("#error-title, .title-text, h1");
const code = Array.from(root.querySelectorAll("p, span, div, a"))
    .map(e => e.textContent.trim()).find(t => /^Error Code:/i.test(t));
const advanced = root.querySelector("#advanced-button");
if (!code && advanced && !advanced.dataset.httpsysSim) {
    advanced.dataset.httpsysSim = "pressed";
    advanced.click();
}
return [document.documentURI, title ? title.textContent.trim() : "", code || ""];
"""

#: Seconds to wait for an error page's code once its heading shows.
CODE_WAIT = 5.0

_NETERROR = re.compile(r"about:neterror\?e=([A-Za-z0-9]+)")


def firefox_error_line(title: str, code: str, message: str) -> str:
    """What Firefox's error page shows, in the form the ``firefox`` profile writes it: the
    heading, then the error code in brackets (``Secure Connection Failed
    (PR_CONNECT_RESET_ERROR)``); without a rendered heading, the page's own id from the
    navigation error (``about:neterror e=nssFailure2``)."""
    code = re.sub(r"^Error Code:\s*", "", code.strip(), flags=re.IGNORECASE)
    if title.strip():
        return f"{title.strip()} ({code})" if code else title.strip()
    found = _NETERROR.search(message)
    if found:
        return f"about:neterror e={found.group(1)}"
    return next((line for line in message.splitlines() if line.strip()), "no error text")


class _Marionette:
    """Firefox's remote protocol: ``length:json`` messages over TCP."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.number = 0
        self.buffer = b""

    def receive(self) -> Any:
        while b":" not in self.buffer:
            self._more()
        size, _, self.buffer = self.buffer.partition(b":")
        while len(self.buffer) < int(size):
            self._more()
        data, self.buffer = self.buffer[: int(size)], self.buffer[int(size) :]
        return json.loads(data)

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Marionette closed the connection")
        self.buffer += chunk

    def call(self, name: str, params: dict[str, Any]) -> tuple[Any, Any]:
        """(error, result) of one command."""
        self.number += 1
        data = json.dumps([0, self.number, name, params]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            kind, number, error, result = self.receive()
            if kind == 1 and number == self.number:
                return error, result


def _wait_for_port(path: Path, deadline: float) -> int:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            return int(path.read_text().strip())
        time.sleep(0.1)
    raise TimeoutError("Firefox did not start Marionette")


def _firefox_page(url: str, port: int, deadline: float) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        m = _Marionette(sock)
        m.receive()  # the greeting
        error, _ = m.call("WebDriver:NewSession", {"acceptInsecureCerts": True})
        if error:
            raise ConnectionError(f"Marionette: {error.get('message') or error}")
        error, _ = m.call("WebDriver:Navigate", {"url": url})
        if error is None:
            _, source = m.call("WebDriver:GetPageSource", {})
            dom = str((source or {}).get("value") or "")
            out: dict[str, Any] = {"status": status_of_page(dom), "body": dom, "error": None}
        else:
            message = str(error.get("message") or error.get("error") or "")
            page: list[str] = ["", "", ""]
            titled = None  # when the heading first showed
            while time.monotonic() < deadline:  # the page renders its text after the load
                _, found = m.call(
                    "WebDriver:ExecuteScript", {"script": _FIREFOX_ERROR_PAGE_JS, "args": []}
                )
                page = [str(x) for x in (found or {}).get("value") or ["", "", ""]]
                if page[1]:
                    titled = titled or time.monotonic()
                    if page[2] or time.monotonic() - titled > CODE_WAIT:
                        break
                time.sleep(0.2)
            line = firefox_error_line(page[1], page[2], message)
            out = {"status": None, "body": "", "error": line}
        m.call("Marionette:Quit", {})
        return out


def _nss_import(folder: Path, cert: str, key: str) -> None:
    """Create an NSS database in ``folder`` and import the client certificate and its key
    (through a PKCS#12 file without a password, in that folder)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    certificate = x509.load_pem_x509_certificate(Path(cert).read_bytes())
    private = serialization.load_pem_private_key(Path(key).read_bytes(), password=None)
    bundle = folder / "client.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"client",
            private,  # type: ignore[arg-type]
            certificate,
            None,
            serialization.NoEncryption(),
        )
    )
    db = f"sql:{folder}"
    for cmd in (
        ["certutil", "-N", "-d", db, "--empty-password"],
        ["pk12util", "-i", str(bundle), "-d", db, "-W", ""],
    ):
        subprocess.run(cmd, check=True, capture_output=True, timeout=30)
    bundle.unlink()


def firefox(url: str, ca: str, cert: str | None = None, key: str | None = None) -> dict[str, Any]:
    exe = shutil.which("firefox-esr") or shutil.which("firefox") or "firefox-esr"
    deadline = time.monotonic() + TIMEOUT
    with tempfile.TemporaryDirectory(prefix="httpsys-sim-firefox-") as home:
        profile = Path(home) / "profile"
        profile.mkdir()
        prefs: dict[str, object] = dict(FIREFOX_PREFS)
        if os.environ.get(MAX_TLS_ENV) == "1.2":
            prefs["security.tls.version.max"] = 3  # NSS numbers TLS 1.2 as 3
        if cert is not None and key is not None:
            try:
                _nss_import(profile, cert, key)
            except (OSError, subprocess.SubprocessError) as exc:
                why = f"firefox: the client certificate could not be imported: {exc}"
                return {"status": None, "body": "", "error": why}
            prefs["security.default_personal_cert"] = "Select Automatically"
        (profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()),
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [exe, "--headless", "--marionette", "--no-remote", "--profile", str(profile)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, HOME=home),
            start_new_session=True,
        )
        try:
            port = _wait_for_port(profile / "MarionetteActivePort", deadline)
            out = _firefox_page(url, port, deadline)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, min(10.0, deadline - time.monotonic())))
        except (OSError, TimeoutError, ValueError) as exc:
            out = {"status": None, "body": "", "error": f"firefox: {type(exc).__name__}: {exc}"}
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out


def main(argv: list[str]) -> dict[str, Any]:
    if argv == ["chromium-policy"]:
        return chromium_policy()
    browser, url, ca = argv[:3]
    if browser == "chromium":
        return chromium(url, ca, *argv[3:5])
    if browser == "firefox":
        return firefox(url, ca, *argv[3:5])
    raise SystemExit(f"unknown browser {browser}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
