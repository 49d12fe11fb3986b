"""A hostile-input corpus, run against the real command line as a subprocess.

Each case is an input (arguments, standard input, files, closed or full streams) with the exit
status and a fragment of the one-line message it must get.  Every bad input exits 2 with one
line on stderr, no traceback, within a time bound, and leaves an existing ``-o`` file
byte-identical (docs/cli.md#exit-status, docs/formats.md#limits).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
NETSH = (FIXTURES / "netsh" / "server2022_new.txt").read_text(encoding="utf-8")
PREVIOUS = b"previous contents \xe2\x9c\x93\n"
#: No hostile case may take longer than this (a hang fails the test instead of the suite).
TIME_BOUND = 30.0


@attrs.frozen
class Case:
    """One hostile input and what it must get."""

    id: str
    argv: tuple[str | bytes, ...]
    code: int
    fragment: str
    stdin: bytes | None = None
    #: file name (in the working directory) → contents; ``"FIFO"`` makes a FIFO.
    files: tuple[tuple[str, bytes | str], ...] = ()
    #: ``"closed-stdin"``, ``"closed-stdout"``, ``"full-stdout"`` or ``""``.
    streams: str = ""
    #: Longest stderr line allowed (amplification cases).
    max_message: int = 600


def _scenario(doc: Any) -> bytes:
    return json.dumps(doc).encode()


CASES = [
    # --- data loss: the output file must survive a failing run ---------------------------
    Case(
        "lone surrogate in JSON, -o existing file",
        ("simulate", "--scenario", "-", "-o", "out.txt"),
        2,
        "request.path: string holds a lone surrogate (U+D800)",
        stdin=b'{"request":{"path":"/\\ud800"}}',
        files=(("out.txt", PREVIOUS),),
    ),
    Case(
        "undecodable --path, -o existing file",
        ("simulate", "--path", b"/\xff", "-o", "out.txt"),
        2,
        "--path: not valid UTF-8 (byte 0xFF)",
        files=(("out.txt", PREVIOUS),),
    ),
    # --- output paths that cannot be written ------------------------------------------------
    Case("-o into a missing directory", ("simulate", "-o", "/nonexistent/x"), 2, "no directory"),
    Case("-o a directory", ("simulate", "-o", "."), 2, ".: is a directory"),
    Case("-o /proc/version", ("simulate", "-o", "/proc/version"), 2, "/proc/version: cannot"),
    Case(
        "-o a FIFO with no reader",
        ("simulate", "-o", "fifo"),
        2,
        "fifo: a FIFO with no reader",
        files=(("fifo", "FIFO"),),
    ),
    Case("stdout is /dev/full", ("simulate",), 2, "no space left on device", streams="full-stdout"),
    Case(
        "stdout closed",
        ("matrix",),
        2,
        "<stdout>: standard output is closed",
        streams="closed-stdout",
    ),
    # --- inputs that cannot be read --------------------------------------------------------
    Case(
        "stdin closed",
        ("simulate", "--scenario", "-"),
        2,
        "<stdin>: standard input is closed",
        streams="closed-stdin",
    ),
    Case("/dev/zero", ("simulate", "--scenario", "/dev/zero"), 2, "is a character device"),
    Case(
        "a FIFO with no writer",
        ("simulate", "--scenario", "fifo"),
        2,
        "fifo: nothing to read",
        files=(("fifo", "FIFO"),),
    ),
    Case(
        "a FIFO as a diagnose input",
        ("diagnose", "--netsh", "fifo"),
        2,
        "fifo: nothing to read",
        files=(("fifo", "FIFO"),),
    ),
    Case("a missing file", ("simulate", "--scenario", "nope.json"), 2, "nope.json: cannot read"),
    Case("a directory as input", ("tls", "--scenario", "."), 2, "is a directory"),
    Case(
        "an oversized file",
        ("simulate", "--scenario", "big.json"),
        2,
        "larger than the 16 MiB limit",
        files=(("big.json", b" " * (16 * 1024 * 1024 + 1)),),
    ),
    # --- numbers, nesting, sizes -----------------------------------------------------------
    Case(
        "an integer of 5000 digits",
        ("simulate", "--scenario", "-"),
        2,
        "a number with 5000 digits is too large",
        stdin=b'{"request": {"body_bytes": ' + b"1" * 5000 + b"}}",
    ),
    Case(
        "NaN",
        ("simulate", "--scenario", "-"),
        2,
        "NaN is not a JSON number",
        stdin=b'{"request": {"body_bytes": NaN}}',
    ),
    Case(
        "nested 40 levels",
        ("simulate", "--scenario", "-"),
        2,
        "nested more than 16 levels deep",
        stdin=b'{"server": {"binding": ' + b"[" * 40 + b"]" * 40 + b"}}",
    ),
    Case(
        "a list of 1000 ALPN ids",
        ("simulate", "--scenario", "-"),
        2,
        "client.alpn: a list of 1000 items is too long",
        stdin=_scenario({"client": {"alpn": ["h2"] * 1000}}),
    ),
    Case(
        "a 3 MB path, matrix",
        ("matrix", "--scenario", "big.json"),
        2,
        "request.path: string of 3000001 characters is too long",
        files=(("big.json", _scenario({"request": {"path": "/" + "a" * 3_000_000}})),),
        max_message=400,
    ),
    Case(
        "a 10 MB value",
        ("simulate", "--scenario", "big.json"),
        2,
        "server.release: string of 10000000 characters is too long",
        files=(("big.json", _scenario({"server": {"release": "x" * 10_000_000}})),),
        max_message=400,
    ),
    Case(
        "a 10,000-item --releases list",
        ("matrix", "--releases", ",".join(["win11-24h2"] * 10_000)),
        2,
        "--releases: a value of 109999 characters is too long",
        max_message=400,
    ),
    Case(
        "a 500-item --clients list",
        ("matrix", "--clients", ",".join(["x"] * 500)),
        2,
        "--clients: 500 items is too many",
    ),
    Case(
        "an over-long --path",
        ("simulate", "--path", "/" + "a" * 5000),
        2,
        "--path: a value of 5001 characters is too long",
        max_message=400,
    ),
    # --- terminal injection ----------------------------------------------------------------
    Case(
        "ESC in a scenario string",
        ("simulate", "--scenario", "-"),
        2,
        "request.path: string holds a control character (U+001B)",
        stdin=b'{"request": {"path": "/\\u001b]0;pwned\\u0007"}}',
    ),
    Case(
        "C1 CSI in a custom release's product",
        ("simulate", "--scenario", "-"),
        2,
        "server.release.product: string holds a control character (U+009B)",
        stdin=_scenario({"server": {"release": {"id": "x", "product": "W\u009b2J"}}}),
    ),
    Case(
        "ESC in an argument",
        ("simulate", "--path", "/\x1b[2J"),
        2,
        "--path: holds a control character (U+001B)",
    ),
    # --- silently accepted before ----------------------------------------------------------
    Case("--scenario ''", ("simulate", "--scenario", ""), 2, "--scenario: empty value"),
    Case("--release ''", ("simulate", "--release", ""), 2, "--release: empty value"),
    Case("--path ''", ("simulate", "--path", ""), 2, "--path: empty value"),
    Case("-o ''", ("simulate", "-o", ""), 2, "--output: empty value"),
    Case(
        "duplicate JSON keys",
        ("simulate", "--scenario", "-"),
        2,
        'client.profile: key \'profile\' appears twice: "edge" clashes with "curl"',
        stdin=b'{"client": {"profile": "edge",\n "profile": "curl"}}',
    ),
    Case(
        "min_tls above max_tls",
        ("simulate", "--scenario", "-"),
        2,
        "client.min_tls: min_tls 1.3 is above max_tls 1.2",
        stdin=_scenario({"client": {"min_tls": "1.3", "max_tls": "1.2"}}),
    ),
    Case(
        "duplicate netsh endpoints",
        ("diagnose", "--netsh", "sslcert.txt"),
        2,
        "binding 0.0.0.0:443 is listed twice",
        files=(("sslcert.txt", NETSH + NETSH.split("\n", 3)[3]),),
    ),
    Case(
        "a certificate hash with spaces",
        ("diagnose", "--netsh", "sslcert.txt"),
        2,
        "a thumbprint with spaces",
        files=(
            (
                "sslcert.txt",
                NETSH.replace(
                    "3f2e1d0c9b8a79685746352413021f0e0d0c0b0a",
                    "3f 2e 1d 0c 9b 8a 79 68 57 46 35 24 13 02 1f 0e 0d 0c 0b 0a",
                ),
            ),
        ),
    ),
    Case("--releases ',,,'", ("matrix", "--releases", ",,,"), 2, "--releases: empty selection"),
    Case("--clients 'edge,'", ("matrix", "--clients", "edge,"), 2, "--clients: empty item 2"),
    Case(
        "--clients listed twice",
        ("matrix", "--clients", "edge,curl,edge"),
        2,
        "--clients: 'edge' is listed twice",
    ),
    Case(
        "--body-bytes out of range",
        ("simulate", "--body-bytes", "1" * 30),
        2,
        "--body-bytes",
    ),
    # --- and what still works ------------------------------------------------------------------
    Case("-o - is stdout", ("simulate", "--format", "json", "-o", "-"), 0, ""),
    Case("-o /dev/null", ("simulate", "-o", "/dev/null"), 0, ""),
    Case("-o /dev/stdout", ("simulate", "-o", "/dev/stdout"), 0, ""),
    Case(
        "a FIFO-free pipe on stdin",
        ("simulate", "--scenario", "-", "--format", "json"),
        0,
        "",
        stdin=b"{}",
    ),
]


def _prepare(case: Case, where: Path) -> None:
    for name, contents in case.files:
        path = where / name
        if contents == "FIFO":
            os.mkfifo(path)
        elif isinstance(contents, bytes):
            path.write_bytes(contents)
        else:
            path.write_text(contents, encoding="utf-8")


def run_cli(
    argv: tuple[str | bytes, ...],
    where: Path,
    *,
    stdin: bytes | None = None,
    streams: str = "",
) -> subprocess.CompletedProcess[bytes]:
    """``python -m httpsys_sim ARGV`` in ``where``, with the streams arranged as asked."""
    preexec: Callable[[], None] | None = None
    stdout: Any = subprocess.PIPE
    if streams == "closed-stdin":
        preexec = lambda: os.close(0)  # noqa: E731
    elif streams == "closed-stdout":
        preexec = lambda: os.close(1)  # noqa: E731
    elif streams == "full-stdout":
        stdout = open("/dev/full", "wb")  # noqa: SIM115
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    env.pop("HTTPSYS_SIM_DEBUG", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "httpsys_sim", *argv],
            cwd=where,
            input=stdin if stdin is not None else None,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            preexec_fn=preexec,
            env=env,
            timeout=TIME_BOUND,
            check=False,
        )
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    _prepare(case, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    started = time.monotonic()
    proc = run_cli(case.argv, tmp_path, stdin=case.stdin, streams=case.streams)
    elapsed = time.monotonic() - started
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == case.code, err
    assert "Traceback" not in err
    assert elapsed < TIME_BOUND
    if case.code == 2:
        lines = err.splitlines()
        assert len(lines) == 1, err[:2000]
        assert lines[0].startswith("httpsys-sim: error: ")
        assert case.fragment in lines[0]
        assert len(lines[0]) <= case.max_message
        assert "(hint: " in lines[0]
    else:
        assert err == ""
    # Nothing is lost: every regular file that was there is byte-identical, and no
    # temporary file is left behind.
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before


def test_a_failing_run_leaves_the_output_file_byte_identical(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_bytes(PREVIOUS)
    os.chmod(out, 0o640)
    proc = run_cli(
        ("simulate", "--scenario", "-", "-o", "out.txt"),
        tmp_path,
        stdin=b'{"request": {"path": "/\\ud800"}}',
    )
    assert proc.returncode == 2
    assert out.read_bytes() == PREVIOUS
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_good_run_replaces_the_file_and_keeps_its_mode_and_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(PREVIOUS)
    os.chmod(real, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    proc = run_cli(("simulate", "--format", "json", "-o", "link.json"), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["outcome"]
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_output_file_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_bytes(PREVIOUS)
    os.chmod(out, 0o444)
    proc = run_cli(("simulate", "-o", "out.txt"), tmp_path)
    assert proc.returncode == 2
    assert b"read-only" in proc.stderr
    assert out.read_bytes() == PREVIOUS


def test_sigint_during_import_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C while the command line is still being imported (a slow disk, a cold cache)."""
    code = textwrap.dedent(
        """
        import importlib.abc, sys, time

        class Slow(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "httpsys_sim.cli":
                    print("importing", flush=True)
                    time.sleep(30)
                return None

        sys.meta_path.insert(0, Slow())
        sys.argv = ["httpsys-sim", "rules"]
        from httpsys_sim._console import run
        run()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"importing\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIME_BOUND)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130
    assert err == b""
    assert out == b""


def test_the_console_script_uses_the_lazy_entry_point() -> None:
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'httpsys-sim = "httpsys_sim._console:run"' in pyproject
