"""Real clients against the endpoint, compared with what their catalogue profiles predict.

    python -m tests.clients.runner [--quick] [--only ID,ID]

For every client program installed here, over a grid of releases × binding variants × client
certificate yes/no, run the program once against ``httpsys-sim serve``'s endpoint and record
what happened — from the program (exit, status, first error line, whether the page shows the
certificate) and from the endpoint (the ALPN ids and ``post_handshake_auth`` its ClientHellos
offered, whether and how it retried on a new connection, its answer to a HelloRequest).  Then
compare with ``simulate`` for the matching client profile.  Prints a table client ×
situation × agree/disagree; exits 1 on any disagreement.  A client that is not installed is
skipped with a line saying so.

The program's first error line is compared with the text the profile makes the model show
(a reset, an HTTP/2 stream reset, a refused renegotiation…): both go through
:func:`normalise_error` (URLs, addresses with ports and OpenSSL's packed error codes become
the placeholders profile texts use) and must then be equal, to the profile's text or to one of
the variants its fact records.  The table's ``text`` column says ``same``, ``variant``, ``—``
(no error on either side) or ``DIFFERS``; a different text is a disagreement
(docs/reference/clients.md#error-texts).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

import httpsys_sim as hs
from tests.clients import browsers

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
RELEASES = ("server-2019", "server-2022", "server-2025")
QUICK_RELEASES = ("server-2019", "server-2022", "server-2025")


@attrs.frozen
class Situation:
    release: str
    negotiation: bool  # netsh clientcertnegotiation=enable
    certificate: bool  # the client presents a (valid) certificate
    #: netsh disablehttp2=enable: every client speaks HTTP/1.1 (a TLS 1.3 late demand then
    #: resets the connection of a client without PHA instead of resetting its h2 stream).
    no_http2: bool = False
    #: Schannel DisableRenegoOnServer=1: a TLS 1.2 late demand resets the connection after the
    #: request, whatever the client answers (R-REQ-2.tls12-schannel-blocked).
    reneg_blocked: bool = False
    #: No TLS version both ends enable: the binding enables TLS 1.3 alone
    #: (``disabletls12``, ``disablelegacytls``) and the program is set to offer TLS 1.2 at
    #: most (:attr:`Program.max_tls12`); the endpoint answers its ClientHello with a
    #: protocol_version alert (R-PIPE-3).
    no_common_version: bool = False

    def label(self) -> str:
        extra = (
            (" no-h2" if self.no_http2 else "")
            + (" reneg-off" if self.reneg_blocked else "")
            + (" tls1.3-only vs client ≤1.2" if self.no_common_version else "")
        )
        return (
            f"{self.release} {'negotiate' if self.negotiation else 'late'} "
            f"{'cert' if self.certificate else 'no-cert'}{extra}"
        )

    def server(self) -> hs.Scenario:
        """The endpoint's scenario (no client yet)."""
        base = hs.Scenario.seed(self.release).with_binding(
            client_cert_negotiation=self.negotiation, disable_http2=self.no_http2
        )
        if self.no_common_version:
            base = base.with_binding(disable_tls12=True, disable_legacy_tls=True)
        if self.reneg_blocked:
            schannel = attrs.evolve(base.server.schannel, disable_reneg_on_server=True)
            base = attrs.evolve(base, server=attrs.evolve(base.server, schannel=schannel))
        return base

    def scenario(self, profile: str) -> hs.Scenario:
        scenario = self.server().with_client(profile, "valid" if self.certificate else "none")
        if self.no_common_version:
            client = attrs.evolve(scenario.client, max_tls=hs.TlsVersion.TLS12)
            scenario = attrs.evolve(scenario, client=client)
        return scenario


#: Situations that make every client fail, so that each one's error text is compared: a
#: connection reset after the request on TLS 1.2 (Schannel cannot renegotiate), a TLS 1.3
#: late demand on HTTP/1.1 (a reset for clients without PHA) and a server whose only TLS
#: version the client does not offer (a protocol_version alert).  The default grid already
#: holds the HTTP/2 stream resets and Go's refused renegotiation.
ERROR_SITUATIONS = (
    Situation("server-2019", negotiation=False, certificate=False, reneg_blocked=True),
    Situation("server-2022", negotiation=False, certificate=False, no_http2=True),
    Situation("server-2022", negotiation=False, certificate=False, no_common_version=True),
)


def grid(quick: bool) -> list[Situation]:
    releases = QUICK_RELEASES if quick else RELEASES
    negotiations = (False,) if quick else (False, True)
    plain = [Situation(r, n, c) for r in releases for n in negotiations for c in (True, False)]
    return [*plain, *ERROR_SITUATIONS]


@attrs.frozen
class Program:
    """One client program and the catalogue profile that should predict it."""

    id: str
    profile: str
    #: None when the program can run here, else why not.
    missing: Callable[[], str | None]
    #: The command line (and extra environment) for one GET.
    command: Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]
    #: It can present a client certificate.
    presents_certificates: bool = True
    build: Callable[[Path], None] | None = None
    #: Client capability overrides that describe how the program is set up, where it
    #: differs from the profile's default (as a scenario's ``client`` fields would).
    overrides: tuple[tuple[str, Any], ...] = ()
    #: Why a situation is not run for this program (``None``: it is run); the runner says
    #: so with a ``NOT RUN`` line.
    not_run: Callable[[Situation], str | None] = lambda situation: None
    #: Count a browser's connections as the model does (:func:`attempts`): only those that
    #: carried a request, a run of identical ones once (docs/reference/clients.md#browsers).
    requests_only: bool = False
    #: How to set the program to offer TLS 1.2 at most: the command line and environment
    #: rewritten (``None``: it has no such setting, and the situations that need one are
    #: not run).
    max_tls12: Callable[[list[str], dict[str, str]], tuple[list[str], dict[str, str]]] | None = None


def _which(*names: str) -> Callable[[], str | None]:
    def check() -> str | None:
        for name in names:
            if shutil.which(name) is None:
                return f"{name} is not installed"
        return None

    return check


def _python_module(module: str) -> Callable[[], str | None]:
    def check() -> str | None:
        probe = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, timeout=60
        )
        return None if probe.returncode == 0 else f"Python package {module} is not installed"

    return check


def _cert_args(ready: dict[str, Any], cert: bool) -> list[str]:
    return [ready["client_certificate"], ready["client_key"]] if cert else []


def _curl(*extra: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        cmd = ["curl", "-sS", "--max-time", "20", *extra, "--cacert", ready["ca"]]
        if cert:
            cmd += ["--cert", ready["client_certificate"], "--key", ready["client_key"]]
        cmd += ["-w", "\n%{http_code}", ready["url"]]
        return cmd, {}

    return command


def _py(lib: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        return [
            sys.executable,
            str(PROGRAMS / "py_client.py"),
            lib,
            ready["url"],
            ready["ca"],
            *_cert_args(ready, cert),
        ], {}

    return command


def _go_build(work: Path) -> None:
    env = dict(os.environ, GOCACHE=str(work / "gocache"), GOPATH=str(work / "gopath"))
    env.setdefault("GOFLAGS", "-mod=mod")
    subprocess.run(
        ["go", "build", "-o", str(work / "goclient"), str(PROGRAMS / "client.go")],
        check=True,
        env=env,
        capture_output=True,
        timeout=600,
    )


def _go(mode: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        cmd = [str(work / "goclient"), "-mode", mode, "-url", ready["url"], "-ca", ready["ca"]]
        if cert:
            cmd += ["-cert", ready["client_certificate"], "-key", ready["client_key"]]
        return cmd, {}

    return command


def _java_build(work: Path) -> None:
    subprocess.run(
        ["javac", "-d", str(work / "java"), str(PROGRAMS / "Client.java")],
        check=True,
        capture_output=True,
        timeout=300,
    )


def _java_missing() -> str | None:
    if shutil.which("java") is None or shutil.which("javac") is None:
        return "java/javac (JDK 17+) is not installed"
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60)
    match = re.search(r'version "(\d+)', out.stderr)
    if not match or int(match.group(1)) < 17:
        return f"Java 17+ is needed, found: {out.stderr.splitlines()[0] if out.stderr else '?'}"
    return None


def _java(mode: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        return [
            "java",
            "-cp",
            str(work / "java"),
            "Client",
            mode,
            ready["url"],
            ready["ca"],
            *_cert_args(ready, cert),
        ], {}

    return command


def _node(mode: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        cmd = ["node", str(PROGRAMS / "client.js"), mode, ready["url"], ready["ca"]]
        return [*cmd, *_cert_args(ready, cert)], {"NODE_EXTRA_CA_CERTS": ready["ca"]}

    return command


def _browser(name: str) -> Callable[[Path, dict[str, Any], bool], tuple[list[str], dict[str, str]]]:
    def command(work: Path, ready: dict[str, Any], cert: bool) -> tuple[list[str], dict[str, str]]:
        cmd = [sys.executable, str(HERE / "browsers.py"), name, ready["url"], ready["ca"]]
        return [*cmd, *_cert_args(ready, cert)], {}

    return command


def _curl_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return [*cmd[:-1], "--tls-max", "1.2", cmd[-1]], env


def _py_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return cmd, {**env, "PY_CLIENT_MAX_TLS": "1.2"}  # programs/py_client.py


def _go_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return [*cmd, "-maxtls", "1.2"], env  # programs/client.go: tls.Config.MaxVersion


def _java_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    # JSSE's client protocols for every SSLContext("TLS") the program makes.
    return [cmd[0], "-Djdk.tls.client.protocols=TLSv1.2", *cmd[1:]], env


def _node_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return [cmd[0], "--tls-max-v1.2", *cmd[1:]], env  # the https module's and fetch's default


def _browser_max_tls12(cmd: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return cmd, {**env, browsers.MAX_TLS_ENV: "1.2"}


def _chromium_not_run(situation: Situation) -> str | None:
    if situation.certificate:
        missing = browsers.chromium_policy_missing()
        if missing is not None:
            return (
                f"no client certificate: Chromium presents one only under a policy, and {missing}"
            )
    return None


def _firefox_not_run(situation: Situation) -> str | None:
    if situation.certificate:
        missing = browsers.nss_tools_missing()
        if missing is not None:
            return f"no client certificate: {missing}, so none can be put in Firefox's profile"
    return None


PROGRAM_LIST: tuple[Program, ...] = (
    Program("curl", "curl", _which("curl"), _curl(), max_tls12=_curl_max_tls12),
    Program(
        "curl-http11",
        "curl",
        _which("curl"),
        _curl("--http1.1"),
        overrides=(("alpn", ("http/1.1",)),),
        max_tls12=_curl_max_tls12,
    ),
    Program(
        "python-requests",
        "python-requests",
        _python_module("requests"),
        _py("requests"),
        max_tls12=_py_max_tls12,
    ),
    Program(
        "python-httpx",
        "python-httpx",
        _python_module("httpx, h2"),
        _py("httpx"),
        max_tls12=_py_max_tls12,
    ),
    Program("python-urllib", "python-urllib", lambda: None, _py("urllib"), max_tls12=_py_max_tls12),
    Program("go", "go", _which("go"), _go("default"), build=_go_build, max_tls12=_go_max_tls12),
    Program(
        "go-http11",
        "go",
        _which("go"),
        _go("http11"),
        build=_go_build,
        overrides=(("alpn", ()),),
        max_tls12=_go_max_tls12,
    ),
    Program(
        "go-custom-transport",
        "go-custom-transport",
        _which("go"),
        _go("custom"),
        build=_go_build,
        max_tls12=_go_max_tls12,
    ),
    Program(
        "java-httpclient",
        "java-httpclient",
        _java_missing,
        _java("httpclient"),
        build=_java_build,
        max_tls12=_java_max_tls12,
    ),
    Program(
        "java",
        "java",
        _java_missing,
        _java("urlconnection"),
        build=_java_build,
        max_tls12=_java_max_tls12,
    ),
    Program("node", "node", _which("node"), _node("https"), max_tls12=_node_max_tls12),
    Program(
        "node-fetch",
        "node-fetch",
        _which("node"),
        _node("fetch"),
        presents_certificates=False,
        max_tls12=_node_max_tls12,
    ),
    Program(
        "chromium",
        "chrome",
        _which("chromium"),
        _browser("chromium"),
        not_run=_chromium_not_run,
        requests_only=True,
        max_tls12=_browser_max_tls12,
    ),
    Program(
        "firefox-esr",
        "firefox",
        _which("firefox-esr"),
        _browser("firefox"),
        not_run=_firefox_not_run,
        requests_only=True,
        max_tls12=_browser_max_tls12,
    ),
)


# --- one run ------------------------------------------------------------------------------------


@attrs.frozen
class Observation:
    outcome: str
    cert_reached: bool | None
    alpn: tuple[str, ...]
    pha: bool | None
    connections: int
    retry_alpn: tuple[str, ...] | None
    renegotiation: str | None
    error: str | None


@attrs.frozen
class Prediction:
    outcome: str
    cert_reached: bool | None
    alpn: tuple[str, ...]
    pha: bool | None
    connections: int
    retry_alpn: tuple[str, ...] | None
    renegotiation: str | None
    client_error: str | None
    #: What the client may show here: :attr:`client_error`, then the variants the profile's
    #: fact records for it (another OS's wording, the other side of a race).
    error_texts: tuple[str, ...] = ()


# --- error texts ----------------------------------------------------------------------------------

#: The variable parts of an error's first line and the placeholders that stand for them, in
#: the order they are replaced; profile texts write the placeholders themselves
#: (docs/reference/clients.md#error-texts).
_VARIABLE_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bhttps?://[^\s\"'<>]+"), "<url>"),
    (re.compile(r"\[[0-9A-Fa-f:.]+\]:\d+|\b\d{1,3}(?:\.\d{1,3}){3}:\d+\b"), "<addr>"),
    (re.compile(r"\berror:[0-9A-Fa-f]{8}:"), "error:<code>:"),
    # The thread id OpenSSL 3 writes before each queued error (Node.js prints it).
    (re.compile(r"\b[0-9A-F]{12,16}(?=:error:)"), "<thread>"),
    # urllib3's pool in requests' errors: HTTPSConnectionPool(host='127.0.0.1', port=50123).
    (re.compile(r"\(host='[^']*', port=\d+\)"), "(host='<host>', port=<port>)"),
)


def normalise_error(text: str | None) -> str | None:
    """An error text in the form profiles write it: its first non-blank line, URLs as
    ``<url>``, IPv4/IPv6 addresses with a port as ``<addr>``, OpenSSL's packed error codes
    (``error:0A000410:``) as ``error:<code>:`` and the thread id before them as ``<thread>``,
    urllib3's ``(host='…', port=N)`` as ``(host='<host>', port=<port>)``, runs of white space
    as one space.
    Idempotent; ``None`` (no error) stays ``None``."""
    if text is None:
        return None
    line = next((x for x in text.splitlines() if x.strip()), "")
    for pattern, placeholder in _VARIABLE_PARTS:
        line = pattern.sub(placeholder, line)
    return " ".join(line.split())


def error_texts(profile: Any, shown: str | None) -> tuple[str, ...]:
    """``shown`` (what the model says the client shows) followed by the variants of the
    profile's error fact it came from; ``()`` when the model predicts no error."""
    if shown is None:
        return ()
    out = [shown]
    for name, fact in profile.facts().items():
        if not name.startswith("error_") or not fact.variants:
            continue
        try:
            texts = [
                str(t).format(code="HTTP_1_1_REQUIRED", number=0xD)
                for t in (fact.value, *fact.variants)
            ]
        except (KeyError, IndexError):  # an alert template: the model fills in the alert
            continue
        if texts[0] == shown:
            out += texts[1:]
    return tuple(out)


def compare_error_text(p: Prediction, o: Observation) -> tuple[str, str | None]:
    """How the program's first error line compares with the profile's text, both normalised
    (:func:`normalise_error`): ``("same", None)``, ``("variant", None)`` (one of the fact's
    recorded variants), ``("—", None)`` (no error on either side) or
    ``("DIFFERS", difference)``."""
    real = normalise_error(o.error)
    texts = p.error_texts or ((p.client_error,) if p.client_error is not None else ())
    expected = [normalise_error(t) for t in texts]
    if real is None and not expected:
        return "—", None
    if expected and real == expected[0]:
        return "same", None
    if real is not None and real in expected[1:]:
        return "variant", None
    return "DIFFERS", f"error text: model {expected[0] if expected else None!r}, real {real!r}"


def _status_of(status: int, body: str) -> str:
    if status == 200:
        return "200"
    found = re.search(r"HTTP Error (\d+\.\d+)", body)
    return found.group(1) if found else f"{status}.?"


def _attempt(record: dict[str, Any]) -> tuple[Any, ...]:
    offer = record.get("offer") or {}
    return (tuple(offer.get("alpn") or ()), record.get("alpn"), record.get("end"))


def attempts(records: list[dict[str, Any]], asks_user: bool = False) -> list[dict[str, Any]]:
    """A browser's connections as the model counts them: those that carried a request (a
    browser opens spare connections it may close unused, even in their handshake) or ended
    in their handshake for a reason of the model's — refused for their TLS version, or, for
    a browser that ``asks_user`` which certificate to send (Chromium, R-CLI-16), closed at
    the CertificateRequest — a run of identical ones once. Chromium repeats a request whose
    connection was reset when that connection was a spare it had opened ahead, so one page
    load shows one to three identical attempts, as a race decides; its spare meets the same
    CertificateRequest; it tries a refused handshake four times, Firefox twice
    (docs/reference/clients.md#browsers)."""
    out: list[dict[str, Any]] = []
    for record in records:
        end = str(record.get("end", ""))
        closed = asks_user and end.startswith("handshake failed")
        if not record.get("requests") and end != "no_common_protocol" and not closed:
            continue
        if out and _attempt(out[-1]) == _attempt(record):
            continue
        out.append(record)
    return out


def observe(
    program_out: dict[str, Any],
    records: list[dict[str, Any]],
    requests_only: bool = False,
    asks_user: bool = False,
) -> Observation:
    """What happened, from the program's output and the endpoint's connection records;
    ``requests_only`` (browsers) counts the connections as the model does, a run of identical
    attempts once (:func:`attempts`; ``asks_user``: the profile's R-CLI-16 fact)."""
    records = sorted(records, key=lambda r: r.get("number", 0))
    if requests_only:
        records = attempts(records, asks_user)
    offers = [r.get("offer") or {} for r in records]
    first = offers[0] if offers else {}
    # The answer to the last HelloRequest: the renegotiation that decided (Chromium closes the
    # first one at its CertificateRequest, which the endpoint cannot tell from a refusal).
    reneg = next((r["renegotiation"] for r in reversed(records) if r.get("renegotiation")), None)
    status = program_out.get("status")
    body = program_out.get("body") or ""
    if isinstance(status, int) and status > 0:
        outcome = _status_of(status, body)
        marker = "Client certificate the application received: "
        cert_reached: bool | None = None
        if outcome == "200":
            cert_reached = marker in body and not body.split(marker, 1)[1].startswith("none")
    else:
        cert_reached = None
        last = records[-1] if records else {}
        end = str(last.get("end", ""))
        if end == "reset" or end.startswith("tls_alert"):
            outcome = "RESET" if end == "reset" else "ALERT"
        elif end == "no_common_protocol":
            outcome = "NOPROTO"
        elif end.startswith("stream reset"):
            outcome = "H2ERR"
        else:
            outcome = f"ERROR({end or 'no connection'})"
    versions = first.get("versions") or []
    return Observation(
        outcome=outcome,
        cert_reached=cert_reached,
        alpn=tuple(first.get("alpn") or ()),
        pha=bool(first.get("post_handshake_auth")) if "1.3" in versions else None,
        connections=len(records),
        retry_alpn=tuple(offers[1].get("alpn") or ()) if len(offers) > 1 else None,
        renegotiation=reneg,
        error=(program_out.get("error") or None),
    )


def predict(
    situation: Situation, profile_id: str, overrides: tuple[tuple[str, Any], ...] = ()
) -> Prediction:
    scenario = situation.scenario(profile_id)
    if overrides:
        client = attrs.evolve(scenario.client, **dict(overrides))
        scenario = attrs.evolve(scenario, client=client)
    result = hs.simulate(scenario)
    profile = hs.get_client(profile_id)
    hellos = [c.wire[0].message for c in result.connections if c.wire]
    first = hellos[0] if hellos else None
    offers13 = first is not None and hs.TlsVersion.TLS13 in first.versions
    reneg = None
    for c in result.connections:
        if c.cert_requested.value == "renegotiation":
            reneg = (
                profile.renegotiation_h2 if c.alpn == "h2" else profile.renegotiation_http11
            ).value.value
    outcome = result.outcome
    return Prediction(
        outcome=outcome.short(),
        cert_reached=result.certificate_reached_app if outcome.short() == "200" else None,
        alpn=tuple(first.alpn) if first is not None else (),
        pha=bool(first.post_handshake_auth) if offers13 and first is not None else None,
        connections=len(result.connections),
        retry_alpn=tuple(hellos[1].alpn) if len(hellos) > 1 else None,
        renegotiation=reneg,
        client_error=outcome.client_error,
        error_texts=error_texts(profile, outcome.client_error),
    )


def compare(p: Prediction, o: Observation) -> list[str]:
    """The differences that make a disagreement (empty: agree)."""
    out = []
    for name in (
        "outcome",
        "cert_reached",
        "alpn",
        "pha",
        "connections",
        "retry_alpn",
        "renegotiation",
    ):
        pv, ov = getattr(p, name), getattr(o, name)
        if name == "pha" and (pv is None or ov is None):
            continue
        if pv != ov:
            out.append(f"{name}: model {pv!r}, real {ov!r}")
    _, text_difference = compare_error_text(p, o)
    if text_difference is not None:
        out.append(text_difference)
    return out


def run_program(
    program: Program, work: Path, ready: dict[str, Any], cert: bool, max_tls12: bool = False
) -> dict[str, Any]:
    cmd, env = program.command(work, ready, cert)
    if max_tls12:
        assert program.max_tls12 is not None, "situations needing it are not run"
        cmd, env = program.max_tls12(cmd, env)
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **env}
        )
    except subprocess.TimeoutExpired:
        return {"status": None, "body": "", "error": "the program did not finish in 60 s"}
    if program.profile == "curl":
        body, _, code = proc.stdout.rpartition("\n")
        first_error = next((line for line in proc.stderr.splitlines() if line.strip()), None)
        status = int(code) if code.isdigit() and int(code) > 0 else None
        return {"status": status, "body": body, "error": first_error, "exit": proc.returncode}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        err = next((line for line in proc.stderr.splitlines() if line.strip()), "no output")
        return {"status": None, "body": "", "error": err, "exit": proc.returncode}
    out: dict[str, Any] = json.loads(lines[-1])
    out["exit"] = proc.returncode
    if out.get("error"):
        out["error"] = str(out["error"]).splitlines()[0][:1000]
    return out


@attrs.frozen
class Row:
    client: str
    situation: str
    prediction: Prediction
    observation: Observation
    differences: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return not self.differences

    @property
    def error_text(self) -> str:
        """``same``, ``variant``, ``—`` or ``DIFFERS``: :func:`compare_error_text`."""
        return compare_error_text(self.prediction, self.observation)[0]


def _server_key(s: Situation) -> tuple[Any, ...]:
    return (s.release, s.negotiation, s.no_http2, s.reneg_blocked, s.no_common_version)


def run(
    programs: Sequence[Program], situations: Sequence[Situation], say: Callable[[str], None]
) -> Iterator[Row]:
    with tempfile.TemporaryDirectory(prefix="httpsys-sim-clients-") as tmp:
        work = Path(tmp)
        usable: list[Program] = []
        built: set[Callable[[Path], None]] = set()
        for program in programs:
            reason = program.missing()
            if reason is None and program.profile not in hs.CLIENTS:
                reason = f"no catalogue profile {program.profile!r}"
            if reason is None and program.build is not None and program.build not in built:
                try:
                    program.build(work)
                    built.add(program.build)
                except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired) as exc:
                    reason = f"could not build: {exc}"
            if reason is not None:
                say(f"SKIPPED {program.id}: {reason}")
                continue
            usable.append(program)
        servers: dict[tuple[Any, ...], hs.Scenario] = {}
        for s in situations:
            servers.setdefault(_server_key(s), s.server())
        for key, scenario in servers.items():
            with hs.serve(scenario, renegotiation_timeout=3.0) as server:
                ready = server.ready()
                for program in usable:
                    for situation in situations:
                        if _server_key(situation) != key:
                            continue
                        why_not = program.not_run(situation)
                        if situation.no_common_version and program.max_tls12 is None:
                            why_not = why_not or "it has no setting that caps its TLS version"
                        if why_not is not None:
                            say(f"NOT RUN {program.id} on {situation.label()}: {why_not}")
                            continue
                        if situation.certificate and not program.presents_certificates:
                            continue
                        seen = len(server.connections(settle=0))
                        out = run_program(
                            program,
                            work,
                            ready,
                            situation.certificate,
                            situation.no_common_version,
                        )
                        records = server.connections(settle=5)[seen:]
                        asks = hs.get_client(program.profile).asks_user_for_certificate.value
                        observation = observe(out, records, program.requests_only, asks)
                        prediction = predict(situation, program.profile, program.overrides)
                        yield Row(
                            program.id,
                            situation.label(),
                            prediction,
                            observation,
                            tuple(compare(prediction, observation)),
                        )


def table(rows: Sequence[Row]) -> str:
    """Client × situation: the outcomes, how the error texts compare (``text``: same,
    variant, — for none, DIFFERS), agree or DISAGREE, and the details."""
    lines = [
        f"{'client':<20} {'situation':<42} {'model':<7} {'real':<7} {'text':<8} "
        f"{'agree':<9} details",
        "-" * 130,
    ]
    for row in rows:
        detail = "; ".join(row.differences)
        if not detail and row.observation.error:
            detail = f"client said: {normalise_error(row.observation.error)}"
        lines.append(
            f"{row.client:<20} {row.situation:<42} {row.prediction.outcome:<7} "
            f"{row.observation.outcome:<7} {row.error_text:<8} "
            f"{'agree' if row.agree else 'DISAGREE':<9} {detail}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="late demand only (no netsh fix)")
    parser.add_argument("--only", help="comma-separated client ids")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    programs = [p for p in PROGRAM_LIST if not args.only or p.id in args.only.split(",")]
    rows = list(run(programs, grid(args.quick), lambda s: print(s, flush=True)))
    print(table(rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps([attrs.asdict(r) for r in rows], indent=1, default=str), encoding="utf-8"
        )
    bad = [r for r in rows if not r.agree]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
