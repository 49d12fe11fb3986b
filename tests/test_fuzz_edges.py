"""Hypothesis fuzz of every reader and of the command line's argument handling.

Readers: real fixtures mutated (bytes spliced, cut, repeated, control characters and
hostile JSON tokens inserted) must give a value or :class:`InputError` — never another
exception.  The command line, run in process as ``main(argv)`` on argument lists drawn from
its own vocabulary plus hostile values, must exit 0 or 2 (never 3, never an exception),
with exactly one stderr line on 2.  Every example has a time bound (``deadline``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.cli import main
from httpsys_sim.readers import (
    parse_application_host_config,
    parse_netsh_sslcert,
    parse_schannel_reg,
)
from httpsys_sim.tls import TlsScenario

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parents[1] / "examples"

#: Time bound for one reader example (inputs are a few kB).
READER_DEADLINE = timedelta(seconds=3)
#: Time bound for one command-line example (a matrix simulates ~600 cases).
CLI_DEADLINE = timedelta(seconds=20)


def _fixtures(folder: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((FIXTURES / folder).iterdir()) if p.is_file()]


SEEDS: dict[str, tuple[Callable[..., object], list[bytes]]] = {
    "netsh": (parse_netsh_sslcert, _fixtures("netsh")),
    "appconfig": (parse_application_host_config, _fixtures("appconfig")),
    "regfile": (parse_schannel_reg, _fixtures("reg")),
    "scenario": (
        hs.Scenario.from_json,
        [
            (EXAMPLES / "my_site.scenario.json").read_bytes(),
            hs.Scenario.seed().to_json().encode(),
        ],
    ),
    "tls": (
        TlsScenario.from_json,
        [
            b'{"stack": "openssl", "version": "1.3", "alpn": ["h2"],\n'
            b' "server": {"cert_request": "required", "request_at": "post_handshake"},\n'
            b' "client": {"certificate": "valid", "post_handshake_auth": true}}\n'
        ],
    ),
}

#: Pieces that have broken parsers before: controls, surrogates, huge numbers, deep nesting.
HOSTILE = [
    b"\x00",
    b"\x1b[2J",
    b"\xc2\x9b",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\\ud800",
    b'"\\u0000"',
    b"1" * 5000,
    b"NaN",
    b"-Infinity",
    b"[" * 2000,
    b"{" * 2000,
    b'"a":1,"a":2',
    b"&#x1b;",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"\t" * 100,
    b"\n" * 100,
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A real input with up to five edits."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "cut", "repeat", "flip"]))
        if edit == "insert":
            piece = draw(st.sampled_from(HOSTILE) | st.binary(min_size=1, max_size=16))
            data[at:at] = piece
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "cut":
            del data[at:]
        elif edit == "repeat":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = data[at:end] * draw(st.integers(1, 3))
        elif at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def _reader_case(name: str) -> Any:
    parse, seeds = SEEDS[name]

    @settings(deadline=READER_DEADLINE)
    @given(data=mutated(seeds), as_text=st.booleans())
    def test(data: bytes, as_text: bool) -> None:
        arg: str | bytes = data.decode("utf-8", "replace") if as_text else data
        error: hs.InputError | None = None
        try:
            parse(arg, filename="fuzz")
        except hs.InputError as exc:
            error = exc
        if error is not None:
            line = error.one_line()
            assert "\n" not in line
            assert len(line) < 2000
            assert error.file == "fuzz"

    return test


test_fuzz_netsh_reader = _reader_case("netsh")
test_fuzz_appconfig_reader = _reader_case("appconfig")
test_fuzz_regfile_reader = _reader_case("regfile")
test_fuzz_scenario_reader = _reader_case("scenario")
test_fuzz_tls_scenario_reader = _reader_case("tls")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["edge", "win11-24h2", "1.3", "/", "Ssl", "\x1b", "\ud800"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["server", "client", "request", "release", "path", "alpn", "min_tls", "max_tls"]
            )
            | st.text(max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(deadline=READER_DEADLINE)
@given(doc=st.dictionaries(st.sampled_from(["server", "client", "request"]), json_values))
def test_fuzz_scenario_from_dict(doc: dict[str, Any]) -> None:
    error: hs.InputError | None = None
    try:
        hs.Scenario.from_dict(doc, filename="fuzz")
    except hs.InputError as exc:
        error = exc
    assert error is None or error.file == "fuzz"


# --- the command line ---------------------------------------------------------------------

COMMANDS = ["simulate", "matrix", "tls", "diagnose", "diagram", "releases", "clients", "rules"]
OPTIONS = [
    "--scenario",
    "--release",
    "--releases",
    "--clients",
    "--client",
    "--certificates",
    "--certificate",
    "--host",
    "--access-ssl-flags",
    "--path",
    "--body-bytes",
    "--format",
    "--netsh",
    "--config",
    "--schannel",
    "--state-machine",
    "--client-cert-negotiation",
    "--no-disable-tls13",
    "--disable-http2",
]
SAFE_OUTPUTS = ["", "-", "/nonexistent/dir/x", "/", "/proc/version", "/dev/null"]
VALUES = st.sampled_from(
    [
        "",
        "-",
        ",,,",
        "all",
        "edge",
        "curl,edge",
        "edge,edge",
        "win11-24h2",
        "server-2025,win10-22h2",
        "26100",
        "/",
        "/admin",
        "valid,none",
        "json",
        "text",
        "markdown",
        "csv",
        "mermaid",
        "dot",
        "tls13",
        "/dev/zero",
        "/proc/self/status",
        ".",
        str(FIXTURES / "netsh" / "server2022_new.txt"),
        str(FIXTURES / "appconfig" / "hostile_xxe.config"),
        str(FIXTURES / "reg" / "schannel_hardened.reg"),
        str(EXAMPLES / "my_site.scenario.json"),
        "-1",
        "9" * 40,
        "\x1b[2J",
        "\udcff",
        "a" * 5000,
    ]
) | st.text(max_size=12)


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    argv = [draw(st.sampled_from(COMMANDS) | st.text(max_size=6))]
    for _ in range(draw(st.integers(0, 4))):
        option = draw(st.sampled_from([*OPTIONS, "-o"]))
        argv.append(option)
        if option == "-o":
            argv.append(draw(st.sampled_from(SAFE_OUTPUTS)))
        elif draw(st.integers(0, 9)):
            argv.append(draw(VALUES))
    return argv


class _Streams:
    """Byte-backed text streams standing in for stdin/stdout/stderr."""

    def __init__(self) -> None:
        self.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        self.stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        self.stdin = io.TextIOWrapper(io.BytesIO(b"{}"), encoding="utf-8")

    def err(self) -> str:
        self.stderr.flush()
        buffer = self.stderr.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode("utf-8")


@settings(
    deadline=CLI_DEADLINE,
    max_examples=80,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(argv=argvs())
def test_fuzz_command_line(argv: list[str]) -> None:
    streams = _Streams()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams.stdin, streams.stdout, streams.stderr
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # --help / --version
            code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    err = streams.err()
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("httpsys-sim: error: ")
        assert len(lines[0]) < 2000
        assert "\x1b" not in lines[0]


def test_fuzz_vocabulary_is_the_parser_s() -> None:
    """The fuzzed options are real options (a renamed flag must not silently go unfuzzed)."""
    import argparse

    from httpsys_sim.cli import build_parser

    known: set[str] = set()
    commands: set[str] = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, parser in action.choices.items():
                commands.add(name)
                for inner in parser._actions:
                    known.update(inner.option_strings)
    assert set(OPTIONS) <= known
    assert set(COMMANDS) <= commands
