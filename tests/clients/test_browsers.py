"""The browser program's parsing and the runner's counting of a browser's attempts, without a
network or a browser (tests/clients/browsers.py, runner.attempts)."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.clients import browsers, runner

LOG = (
    "[30257:30257:1203/100839.733027:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
    "[30257:30257:1203/100839.733027:ERROR:components/headless/command_handler/"
    "headless_command_handler.cc:403] Page load failed: net::ERR_CONNECTION_RESET\n"
)
IIS_500 = (
    "<html><head><title>IIS 10.0 Detailed Error - 500.0 - Internal Server Error</title></head>"
    "<body><div><h3>HTTP Error 500.0 - Internal Server Error</h3></div></body></html>"
)
PAGE_200 = "<html><body>Client certificate the application received: none</body></html>"


@pytest.mark.parametrize(
    ("stderr", "error"),
    [
        (LOG, "ERR_CONNECTION_RESET"),
        ("Page load failed: net::ERR_HTTP2_PROTOCOL_ERROR", "ERR_HTTP2_PROTOCOL_ERROR"),
        ("Page load failed: net::ERR_SSL_PROTOCOL_ERROR\n", "ERR_SSL_PROTOCOL_ERROR"),
        ("Page load failed: net::ERR_BAD_SSL_CLIENT_AUTH_CERT", "ERR_BAD_SSL_CLIENT_AUTH_CERT"),
        ("[1:1:ERROR:dbus/bus.cc:405] Failed to connect to the bus", None),
        ("", None),
    ],
)
def test_the_error_line_is_the_net_error_code(stderr: str, error: str | None) -> None:
    assert browsers.error_of_log(stderr) == error


@pytest.mark.parametrize(
    ("dom", "status"),
    [(IIS_500, 500), ("<h3>HTTP Error 403.7 - Forbidden</h3>", 403), (PAGE_200, 200)],
)
def test_the_status_is_read_from_the_page(dom: str, status: int) -> None:
    assert browsers.status_of_page(dom) == status


def test_a_run_becomes_the_runners_json() -> None:
    failed = browsers.chromium_result(0, "", LOG)
    assert failed == {"status": None, "body": "", "error": "ERR_CONNECTION_RESET"}
    loaded = browsers.chromium_result(0, IIS_500, "")
    assert (loaded["status"], loaded["error"]) == (500, None)
    crashed = browsers.chromium_result(1, "", "some dbus line\nFatal: no display\n")
    assert crashed["status"] is None
    assert crashed["error"] == "chromium exited 1: Fatal: no display"
    # What the runner makes of it: the outcome and whether a certificate reached the page.
    seen = runner.observe(browsers.chromium_result(0, PAGE_200, ""), [])
    assert (seen.outcome, seen.cert_reached) == ("200", False)
    assert runner.observe(loaded, []).outcome == "500.0"


def _record(number: int, alpn: str, end: str, requests: int) -> dict[str, object]:
    return {
        "number": number,
        "offer": {"alpn": ["h2", "http/1.1"], "versions": ["1.3", "1.2"]},
        "alpn": alpn,
        "end": end,
        "requests": [{"target": "/"}] * requests,
    }


def test_a_browsers_attempts_drop_spare_connections_and_repeats() -> None:
    records = [
        _record(1, "h2", "closed by the client", 0),  # the spare, closed unused
        _record(2, "h2", "stream reset HTTP_1_1_REQUIRED; connection kept open", 1),
        _record(3, "h2", "stream reset HTTP_1_1_REQUIRED; connection kept open", 1),
        _record(4, "http/1.1", "reset", 1),
        _record(5, "http/1.1", "reset", 1),  # the repeat on a connection opened ahead
    ]
    assert [r["number"] for r in runner.attempts(records)] == [2, 4]
    seen = runner.observe({"status": None, "error": "ERR_CONNECTION_RESET"}, records, True)
    assert (seen.outcome, seen.connections) == ("RESET", 2)
    # Other programs: every connection counts.
    assert runner.observe({"status": None}, records).connections == 5


def test_chromium_says_why_a_situation_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium = next(p for p in runner.PROGRAM_LIST if p.id == "chromium")
    assert chromium.profile == "chrome"
    assert chromium.requests_only
    assert chromium.presents_certificates
    policy = tmp_path / "managed" / "httpsys-sim-conformance.json"
    monkeypatch.setattr(browsers, "CHROMIUM_POLICY_FILE", policy)
    with_certificate = runner.Situation("server-2022", False, True)
    why = chromium.not_run(with_certificate)
    assert why is not None
    assert str(policy) in why
    assert "install.sh" in why
    policy.parent.mkdir()
    policy.write_text('{"AutoSelectCertificateForUrls": []}', encoding="utf-8")
    why = chromium.not_run(with_certificate)
    assert why is not None
    assert "not the suite's policy" in why
    policy.write_text(json.dumps(browsers.chromium_policy()), encoding="utf-8")
    if all(shutil.which(tool) for tool in browsers.NSS_TOOLS):
        assert chromium.not_run(with_certificate) is None
    else:
        assert "libnss3-tools" in (chromium.not_run(with_certificate) or "")
    # Server 2019's late demand runs now: the model has Chromium's ask-the-user repeat.
    assert chromium.not_run(runner.Situation("server-2019", False, False)) is None
    for situation in runner.ERROR_SITUATIONS:
        assert chromium.not_run(situation) is None


def test_the_chromium_policy_selects_only_the_endpoints_certificates_on_loopback() -> None:
    (rule,) = browsers.chromium_policy()["AutoSelectCertificateForUrls"]
    assert json.loads(rule) == {
        "pattern": "https://127.0.0.1:*",
        "filter": {"ISSUER": {"O": "httpsys-sim"}},
    }


@pytest.mark.parametrize(
    ("title", "code", "message", "line"),
    [
        (
            "Secure Connection Failed",
            "Error Code: PR_CONNECT_RESET_ERROR",
            "Reached error page: about:neterror?e=nssFailure2&u=https%3A//127.0.0.1%3A1/",
            "Secure Connection Failed (PR_CONNECT_RESET_ERROR)",
        ),
        ("The connection was reset", "", "", "The connection was reset"),
        (
            "",
            "",
            "Reached error page: about:neterror?e=netReset&u=https%3A//127.0.0.1%3A1/&d=x",
            "about:neterror e=netReset",
        ),
        ("", "", "\nunknown error\nmore", "unknown error"),
    ],
)
def test_firefox_error_line_is_its_pages_heading_and_code(
    title: str, code: str, message: str, line: str
) -> None:
    assert browsers.firefox_error_line(title, code, message) == line


def test_firefox_prefs_keep_it_on_loopback() -> None:
    prefs = browsers.FIREFOX_PREFS
    assert prefs["marionette.port"] == 0
    assert prefs["network.http.http3.enable"] is False
    firefox = next(p for p in runner.PROGRAM_LIST if p.id == "firefox-esr")
    assert firefox.profile == "firefox"
    assert firefox.requests_only
    assert firefox.presents_certificates
    assert firefox.not_run(runner.Situation("server-2019", False, False)) is None


def test_the_client_certificate_goes_into_firefoxs_profile(tmp_path: Path) -> None:
    """browsers.py's NSS import, on a certificate made here (needs libnss3-tools)."""
    if any(shutil.which(tool) is None for tool in browsers.NSS_TOOLS):
        pytest.skip("certutil/pk12util (Debian package libnss3-tools) not installed")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "httpsys-sim test client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    profile = tmp_path / "profile"
    profile.mkdir()
    browsers._nss_import(profile, str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
    listed = subprocess.run(
        ["certutil", "-L", "-d", f"sql:{profile}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "client" in listed.stdout
    assert not (profile / "client.p12").exists()


def test_install_sh_writes_and_removes_the_same_policy_file() -> None:
    """install.sh's one system file is the policy browsers.py checks, and its only option
    removes it; anything else is refused before anything is installed."""
    script = Path(runner.HERE) / "install.sh"
    text = script.read_text(encoding="utf-8")
    assert f"policy_file={browsers.CHROMIUM_POLICY_FILE}" in text
    assert "--remove-chromium-policy" in text
    done = subprocess.run(
        ["bash", str(script), "--not-an-option"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "unknown option: --not-an-option" in done.stdout
    assert "apt-get" not in done.stdout + done.stderr
