"""In-process checks of the edges: bounded reading, atomic writing, escaping, short
messages, and the Python API's answer to arguments of the wrong type."""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import httpsys_sim as hs
from httpsys_sim import _io
from httpsys_sim.cli import _write, main
from httpsys_sim.errors import InputError, quote
from httpsys_sim.readers import (
    parse_application_host_config,
    parse_netsh_sslcert,
    parse_schannel_reg,
)
from httpsys_sim.tls import TlsScenario

# --- reading -------------------------------------------------------------------------------


def test_a_fifo_whose_writer_sends_nothing_is_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_io, "FIFO_IDLE_SECONDS", 0.3)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    opened = threading.Event()
    release = threading.Event()

    def silent_writer() -> None:
        fd = os.open(fifo, os.O_RDWR)  # a writer end that never writes
        opened.set()
        release.wait(10)
        os.close(fd)

    thread = threading.Thread(target=silent_writer)
    thread.start()
    try:
        assert opened.wait(5)
        started = time.monotonic()
        with pytest.raises(InputError, match=r"0\.3 s without data") as info:
            _io.read_input(str(fifo))
        assert time.monotonic() - started < 5
        assert info.value.file == str(fifo)
    finally:
        release.set()
        thread.join()


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR)
    try:
        os.write(fd, b'{"client": {"profile": "curl"}}')
        reader = threading.Thread(target=lambda: (time.sleep(0.2), os.close(fd)))
        # With O_RDWR the FIFO has a writer until the thread closes it: the reader sees the
        # data first, then the end.
        reader.start()
        data, name = _io.read_input(str(fifo))
        reader.join()
    except BaseException:
        os.close(fd)
        raise
    assert data == b'{"client": {"profile": "curl"}}'
    assert name == str(fifo)


def test_a_fifo_is_capped_in_size(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR)
    os.set_blocking(fd, False)
    try:
        os.write(fd, b"x" * 2000)
        with pytest.raises(InputError, match="larger than"):
            _io.read_input(str(fifo), limit=1000)
    finally:
        os.close(fd)


def test_a_regular_file_is_capped_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"y" * 5000)
    assert _io.read_input(str(path), limit=5000)[0] == b"y" * 5000
    with pytest.raises(InputError, match="larger than"):
        _io.read_input(str(path), limit=4999)


def test_proc_files_report_size_zero_but_are_read(tmp_path: Path) -> None:
    data, _ = _io.read_input("/proc/self/status")
    assert b"Name:" in data


# --- writing -------------------------------------------------------------------------------


def test_write_output_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"new"  # fully written before the rename
        assert target.read_bytes() == b"old"  # and the target untouched until then
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(InputError, match="no space left"):
        _io.write_output(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    monkeypatch.setattr(os, "replace", real_replace)
    _io.write_output(str(target), b"new")
    assert target.read_bytes() == b"new"


def test_a_failed_write_midway_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    calls = []

    def short_write(fd: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(5, "Input/output error")
        return 3

    monkeypatch.setattr(os, "write", short_write)
    with pytest.raises(InputError, match="input/output error"):
        _io.write_output(str(target), b"new contents")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# --- escaping at the output boundary -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb\n", "a\\x1b[2Jb\n"),
        ("tab\tok\n", "tab\tok\n"),
        ("bell\x07", "bell\\x07"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("crlf\r\nkept", "crlf\r\nkept"),
        ("lone\rcr", "lone\\x0dcr"),
        ("del\x7f", "del\\x7f"),
    ],
)
def test_text_output_escapes_controls(
    raw: str, shown: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    _write(raw)
    assert capsysbinary.readouterr().out.decode("utf-8") == shown


def test_own_colour_survives_but_injected_sequences_do_not() -> None:
    coloured = "\x1b[32m200\x1b[0m evil\x1b]0;title\x07"
    assert _io.escape_controls(coloured, keep_sgr=True) == (
        "\x1b[32m200\x1b[0m evil\\x1b]0;title\\x07"
    )


def test_json_output_escapes_c1_but_keeps_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    text = json.dumps({"v": "a\x9bb\u202ec\x7f"}, ensure_ascii=False)
    _write(text, fmt="json")
    out = capsys.readouterr().out
    for raw in ("\x9b", "\u202e", "\x7f"):
        assert raw not in out
    assert json.loads(out) == {"v": "a\x9bb\u202ec\x7f"}


def test_error_lines_on_stderr_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--release", "\x1b]0;x\x07"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert err.count("\n") == 1


def test_text_streams_without_a_buffer_work(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"client": {"profile": "curl"}}'))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["simulate", "--scenario", "-", "--format", "json"]) == 0
    assert '"profile": "curl"' in out.getvalue()
    assert err.getvalue() == ""


# --- short messages ------------------------------------------------------------------------


def test_quote_cuts_long_values() -> None:
    assert quote("abc") == "'abc'"
    cut = quote("x" * 10_000)
    assert len(cut) < 120
    assert "9920 more characters" in cut


def test_no_message_part_floods_the_line() -> None:
    error = InputError("m" * 100_000, file="f" * 100_000, field="g" * 100_000, hint="h" * 100_000)
    line = error.one_line()
    assert len(line) < 2000
    assert "characters cut" in line


# --- the Python API with arguments of the wrong type --------------------------------------

READERS = [
    hs.Scenario.from_json,
    TlsScenario.from_json,
    parse_netsh_sslcert,
    parse_application_host_config,
    parse_schannel_reg,
]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__qualname__)
@pytest.mark.parametrize("bad", [None, 1, 2.5, Path("x.json"), ["{}"], {"a": 1}])
def test_readers_name_the_expected_type(reader: Any, bad: object) -> None:
    with pytest.raises(TypeError, match="must be str or bytes, not " + type(bad).__name__):
        reader(bad)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__qualname__)
@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_readers_take_bytes_like_objects(reader: Any, kind: Any) -> None:
    data = b"garbage \x01 that is no format at all"
    with pytest.raises(InputError) as as_bytes:
        reader(data)
    with pytest.raises(InputError) as as_kind:
        reader(kind(data))
    assert as_kind.value.message == as_bytes.value.message


def test_readers_refuse_a_non_str_filename() -> None:
    with pytest.raises(TypeError, match="filename must be str"):
        hs.Scenario.from_json("{}", filename=Path("x"))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, 1, "{}", b"{}", ["server"]])
def test_from_dict_names_the_expected_type(bad: object) -> None:
    with pytest.raises(TypeError, match="must be a dict"):
        hs.Scenario.from_dict(bad)  # type: ignore[arg-type]


def test_from_dict_refuses_values_json_cannot_hold() -> None:
    with pytest.raises(InputError, match="not JSON data"):
        hs.Scenario.from_dict({"request": {"path": Path("/x")}})
    loop: dict[str, Any] = {}
    loop["server"] = loop
    with pytest.raises(InputError, match="not JSON data"):
        hs.Scenario.from_dict(loop)
    with pytest.raises(InputError, match="digits"):
        hs.Scenario.from_dict({"request": {"body_bytes": 10**5000}})


@pytest.mark.parametrize("bad", [None, 1, "seed", hs.Scenario.seed().to_dict()])
def test_simulate_names_the_expected_type(bad: object) -> None:
    with pytest.raises(TypeError, match="takes a Scenario"):
        hs.simulate(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a Scenario"):
        hs.Sweep().simulate(bad)  # type: ignore[arg-type]
    # A sweep yields the results before the bad item, then names what it got.
    swept = hs.simulate_many([hs.Scenario.seed(), bad])  # type: ignore[list-item]
    assert next(swept) == hs.simulate(hs.Scenario.seed())
    with pytest.raises(TypeError, match=f"takes Scenarios, not {type(bad).__name__}$"):
        next(swept)


def test_matrix_names_the_expected_types() -> None:
    with pytest.raises(TypeError, match="takes a Scenario or None"):
        hs.matrix(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="releases must be a list"):
        hs.matrix(releases="win11-24h2")
    with pytest.raises(InputError, match="empty selection"):
        hs.matrix(clients=[])


def test_scenario_fields_name_the_expected_types() -> None:
    with pytest.raises(TypeError, match="ServerSetup"):
        hs.Scenario(server=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"request\.path must be str"):
        hs.Request(path=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="body_bytes must be int"):
        hs.Request(body_bytes="1")  # type: ignore[arg-type]


def test_contradictory_tls_range_is_refused_by_the_api_too() -> None:
    with pytest.raises(InputError, match=r"min_tls 1\.3 is above max_tls 1\.2"):
        hs.ClientSetup(min_tls="1.3", max_tls="1.2")
    assert hs.ClientSetup(min_tls="1.2", max_tls="1.2").min_tls is hs.TlsVersion.TLS12


def test_an_api_path_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match="too long"):
        hs.Request(path="/" + "a" * 5000)


def test_long_quoted_values_are_cut_wherever_the_message_was_built() -> None:
    line = InputError("unknown release " + repr("x" * 500), hint="one of a, b").one_line()
    assert "'" + "x" * 80 + "'… (420 more characters)" in line
    assert line.endswith("(hint: one of a, b)")
    prose = "the server's thing and the client's " + "y" * 100 + " isn't cut"
    assert InputError(prose).one_line() == prose


@pytest.mark.parametrize("bad", [None, 1.5, True, b"win11-24h2"])
def test_get_release_names_the_expected_type(bad: object) -> None:
    with pytest.raises(TypeError, match="str or an int build"):
        hs.get_release(bad)  # type: ignore[arg-type]
