"""The ``openssl`` personality against the real OpenSSL library, scenario by scenario.

``test_model_matches_real_openssl`` plays each case of :data:`~.cases.CASES` on real OpenSSL
(:func:`~.openssl_harness.run_real`) and in the model (``httpsys_sim.tls.run_tls``), and
compares the negotiated version, both ends' message lists, whether the server obtained a
certificate, and whether each end raised an error (not the wording).  The failure message
shows both transcripts side by side.

``test_real_openssl_matches_recording`` compares fresh runs with ``openssl_transcripts.json``
(``python -m tests.conformance.record``), so a change in the system OpenSSL — or in the
harness — is noticed; it is skipped when the library's major.minor version differs from the
recorded one.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import re
import ssl
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the conformance harness makes certificates with it")

from tests.conformance.cases import CASES
from tests.conformance.openssl_harness import (
    HarnessUnavailable,
    _credential_files,
    _describe,
    openssl_version,
    run_real,
)
from tests.conformance.record import TRANSCRIPTS

#: The ``conformance_log`` fixture (conftest.py): (scenario, matched, report) for the summary.
ConformanceLog = list[tuple[str, bool, str]]

try:
    _OPENSSL = openssl_version()
except HarnessUnavailable as exc:
    pytest.skip(f"real OpenSSL not usable: {exc}", allow_module_level=True)


@functools.cache
def _real(name: str) -> dict[str, Any]:
    return run_real(copy.deepcopy(CASES[name]))


def _model(setup: dict[str, Any]) -> dict[str, Any]:
    from httpsys_sim.tls import TlsScenario, run_tls

    result: dict[str, Any] = run_tls(TlsScenario.from_dict(copy.deepcopy(setup))).to_dict()
    return result


def _comparable(result: dict[str, Any]) -> dict[str, object]:
    """What must agree: messages, version, certificate, and whether each end failed."""
    return {
        "version": result["version"],
        "server.messages": list(result["server"]["messages"]),
        "server.cert_obtained": result["server"]["cert_obtained"],
        "server.failed": result["server"]["error"] is not None,
        "client.messages": list(result["client"]["messages"]),
        "client.failed": result["client"]["error"] is not None,
    }


_WIDTH = 44


def _columns(left: list[str], right: list[str]) -> list[str]:
    """Two message lists aligned by a diff: ' ' same, '!' differ, '<' left only, '>' right."""
    rows: list[str] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            x = a[k] if k < len(a) else ""
            y = b[k] if k < len(b) else ""
            mark = " " if tag == "equal" else "!" if x and y else "<" if x else ">"
            rows.append(f"  {mark} {x:<{_WIDTH}} {y}".rstrip())
    return rows


def side_by_side(
    name: str, left: dict[str, Any], right: dict[str, Any], labels: tuple[str, str]
) -> str:
    """Both transcripts of one scenario, column by column."""
    lines = [
        f"=== {name}",
        f"    {labels[0]:<{_WIDTH}} {labels[1]}",
        f"  {'!' if left['version'] != right['version'] else ' '} "
        f"{'version ' + str(left['version']):<{_WIDTH}} version {right['version']}",
    ]
    for side in ("server", "client"):
        lines.append(f"  -- {side}")
        lines += _columns(list(left[side]["messages"]), list(right[side]["messages"]))
        facts = ["error"] + (["cert_obtained"] if side == "server" else [])
        for fact in facts:
            x, y = left[side][fact], right[side][fact]
            same = (x is None) == (y is None) if fact == "error" else x == y
            mark = " " if same else "!"
            lines.append(f"  {mark} {fact + ' = ' + repr(x):<{_WIDTH}} {fact} = {y!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(CASES))
def test_model_matches_real_openssl(name: str, conformance_log: ConformanceLog) -> None:
    real = _real(name)
    model = _model(CASES[name])
    report = side_by_side(name, real, model, ("real OpenSSL", "model (openssl personality)"))
    matched = _comparable(model) == _comparable(real)
    conformance_log.append((name, matched, report))
    print(report)  # shown with -rP
    assert matched, "the model differs from real OpenSSL:\n" + report


# --- the recording ---------------------------------------------------------------------------


def _major_minor(text: str) -> tuple[int, int] | None:
    found = re.search(r"OpenSSL (\d+)\.(\d+)", text)
    return (int(found[1]), int(found[2])) if found else None


_STORED: dict[str, Any] = (
    json.loads(TRANSCRIPTS.read_text(encoding="utf-8")) if TRANSCRIPTS.exists() else {}
)
_RECORDED_WITH = str(_STORED.get("openssl_version", "nothing recorded"))

same_openssl_as_recording = pytest.mark.skipif(
    _major_minor(_RECORDED_WITH) != _major_minor(ssl.OPENSSL_VERSION),
    reason=f"recorded with {_RECORDED_WITH}; this Python links {ssl.OPENSSL_VERSION}",
)


def test_recording_covers_every_case() -> None:
    assert TRANSCRIPTS.exists(), "run: python -m tests.conformance.record"
    assert list(_STORED["cases"]) == list(CASES), "cases changed: re-run the recording"
    for name, setup in CASES.items():
        assert _STORED["cases"][name]["setup"] == setup, f"{name}: setup changed: re-record"


@same_openssl_as_recording
@pytest.mark.parametrize("name", list(CASES))
def test_real_openssl_matches_recording(name: str) -> None:
    stored = _STORED.get("cases", {}).get(name)
    assert stored is not None, f"{name} is not recorded: run python -m tests.conformance.record"
    real = _real(name)
    assert real == stored["result"], (
        f"real OpenSSL ({_OPENSSL}) no longer does what was recorded:\n"
        + side_by_side(name, stored["result"], real, (f"recorded ({_RECORDED_WITH})", "now"))
    )


# --- the harness itself ----------------------------------------------------------------------


def test_harness_drives_the_library_python_links() -> None:
    assert _OPENSSL == ssl.OPENSSL_VERSION


def _stdlib_run(setup: dict[str, Any]) -> dict[str, Any]:
    """An in-handshake case played through Python's own ``ssl`` (``_msg_callback``)."""
    files = {name: path.decode() for name, path in _credential_files().items()}
    version = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[setup["version"]]
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(files["server_cert"], files["server_key"])
    server_ctx.load_verify_locations(files["ca_cert"])
    server_ctx.verify_mode = {
        "none": ssl.CERT_NONE,
        "optional": ssl.CERT_OPTIONAL,
        "required": ssl.CERT_REQUIRED,
    }[setup["server"]["cert_request"]]
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname = False
    client_ctx.load_verify_locations(files["ca_cert"])
    if setup["client"]["certificate"] != "none":
        prefix = "client" if setup["client"]["certificate"] == "valid" else "untrusted"
        client_ctx.load_cert_chain(files[f"{prefix}_cert"], files[f"{prefix}_key"])
    messages: dict[str, list[str]] = {"client": [], "server": []}
    errors: dict[str, str | None] = {"client": None, "server": None}
    for side, ctx in (("client", client_ctx), ("server", server_ctx)):
        ctx.minimum_version = ctx.maximum_version = version

        def log(
            _conn: object,
            direction: str,
            _version: object,
            content_type: int,
            _msg_type: object,
            data: bytes,
            side: str = side,
        ) -> None:
            text = _describe(direction == "write", int(content_type), data)
            if text is not None:
                messages[side].append(text)

        ctx._msg_callback = log  # type: ignore[attr-defined]
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    ends = {
        "client": client_ctx.wrap_bio(c_in, c_out, server_side=False),
        "server": server_ctx.wrap_bio(s_in, s_out, server_side=True),
    }

    def attempt(side: str, action: Any) -> bool:
        """Run ``action`` on one live end and carry bytes; False while it waits for input."""
        if errors[side] is None:
            try:
                action(ends[side])
            except ssl.SSLWantReadError:
                return False
            except ssl.SSLError as exc:
                errors[side] = exc.reason or str(exc)
            finally:
                s_in.write(c_out.read())
                c_in.write(s_out.read())
        return True

    done = {"client": False, "server": False}
    for _ in range(20):
        for side in ("client", "server"):
            done[side] = done[side] or attempt(side, lambda end: end.do_handshake())
    attempt("client", lambda end: end.write(b"request"))
    attempt("server", lambda end: end.read(7))
    attempt("server", lambda end: end.write(b"response"))
    attempt("client", lambda end: end.read(8))
    for side in ("client", "server"):
        attempt(side, lambda end: end.read(1))
    return {
        "server": {
            "messages": messages["server"],
            "cert_obtained": errors["server"] is None
            and ends["server"].getpeercert(binary_form=True) is not None,
            "error": errors["server"],
        },
        "client": {"messages": messages["client"], "error": errors["client"]},
    }


_IN_HANDSHAKE = [
    name
    for name, setup in CASES.items()
    if setup["server"]["request_at"] == "handshake"
    and not setup["client"]["initiate_renegotiation"]
]


@pytest.mark.skipif(
    not hasattr(ssl.SSLContext, "_msg_callback"), reason="this Python's ssl has no msg callback"
)
@pytest.mark.parametrize("name", _IN_HANDSHAKE)
def test_harness_agrees_with_python_ssl(name: str) -> None:
    """Python's own binding of the same library, driven the same way, sees the same messages."""
    real, stdlib = _real(name), _stdlib_run(CASES[name])
    for side in ("server", "client"):
        assert stdlib[side]["messages"] == real[side]["messages"], side
        assert (stdlib[side]["error"] is None) == (real[side]["error"] is None), side
    assert stdlib["server"]["cert_obtained"] == real["server"]["cert_obtained"]


def test_harness_is_deterministic() -> None:
    setup = CASES["tls12-renegotiation-required-valid"]
    assert run_real(copy.deepcopy(setup)) == run_real(copy.deepcopy(setup))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client": {"renegotiation": "ignore"}}, "cannot ignore"),
        ({"version": "1.1"}, "setup.version"),
        ({"server": {"cert_request": "maybe"}}, "server.cert_request"),
        ({"client": {"post_handshake_auth": "yes"}}, "client.post_handshake_auth"),
        ({"alpn": "h2"}, "setup.alpn"),
    ],
)
def test_harness_rejects_setups_openssl_cannot_play(change: dict[str, Any], message: str) -> None:
    setup = copy.deepcopy(CASES["tls13-handshake-required-valid"])
    for key, value in change.items():
        if isinstance(value, dict):
            setup[key].update(value)
        else:
            setup[key] = value
    with pytest.raises(ValueError, match=re.escape(message)):
        run_real(setup)


@pytest.mark.parametrize(
    ("write", "content_type", "data", "expected"),
    [
        (True, 21, bytes([2, 116]), "W alert fatal:certificate_required(116)"),
        (False, 21, bytes([1, 100]), "R alert warning:no_renegotiation(100)"),
        (True, 22, bytes([1, 0, 0, 0]), "W client_hello"),
        (
            False,
            22,
            bytes([2, 0, 0, 40, 3, 3])
            + bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"),
            "R hello_retry_request",
        ),
        (True, 20, b"\x01", "W change_cipher_spec"),
        (False, 0x100, bytes([20, 3, 3, 0, 1]), "R change_cipher_spec"),
        (False, 0x100, bytes([22, 3, 3, 0, 40]), None),
        (True, 0x100, bytes([20, 3, 3, 0, 1]), None),
        (False, 0x101, b"\x16", None),
    ],
)
def test_message_names(write: bool, content_type: int, data: bytes, expected: str | None) -> None:
    assert _describe(write, content_type, data) == expected
