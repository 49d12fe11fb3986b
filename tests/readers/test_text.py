"""Decoding, size and line helpers shared by the readers."""

from __future__ import annotations

import codecs

import pytest

from httpsys_sim.readers._text import (
    MAX_INPUT_BYTES,
    FrozenMapping,
    decode_text,
    read_input,
    split_lines,
)

from ._helpers import expect_input_error


@pytest.mark.parametrize(
    "data",
    [
        "héllo\nwörld",
        "\ufeffhéllo\nwörld",
        "héllo\nwörld".encode(),
        codecs.BOM_UTF8 + "héllo\nwörld".encode(),
        codecs.BOM_UTF16_LE + "héllo\nwörld".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "héllo\nwörld".encode("utf-16-be"),
        "héllo\nwörld".encode("utf-16-le"),
        "héllo\nwörld".encode("utf-16-be"),
        "héllo\nwörld\x1a".encode(),
    ],
)
def test_decodes_windows_encodings(data: str | bytes) -> None:
    assert decode_text(data, filename="f") == "héllo\nwörld"


def test_legacy_and_declared_encodings() -> None:
    assert decode_text("Härtung".encode("cp1252"), filename="f", legacy_encoding="cp1252") == (
        "Härtung"
    )
    assert decode_text("é".encode("latin-1"), filename="f", declared_encoding="latin-1") == "é"
    expect_input_error(lambda: decode_text("é".encode("latin-1"), filename="f"), file="f", line=1)
    expect_input_error(
        lambda: decode_text(b"a", filename="f", declared_encoding="nope"), file="f", line=1
    )


def test_refuses_binary() -> None:
    expect_input_error(lambda: decode_text(b"ab\x00c\nd", filename="f"), file="f", line=1)
    expect_input_error(lambda: decode_text("a\nb\x00", filename="f"), file="f", line=2)
    expect_input_error(lambda: decode_text("a\n\nb\x07", filename="f"), file="f", line=3)
    expect_input_error(lambda: decode_text(b"\x89PNG\r\n\x1a\n\x00\x00", filename="f"), file="f")


def test_line_of_decode_error() -> None:
    data = "a\nb\nc".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate at the end, line 3
    error = expect_input_error(
        lambda: decode_text(codecs.BOM_UTF16_LE + data, filename="f"), file="f"
    )
    assert error.line == 3


def test_size_cap() -> None:
    expect_input_error(
        lambda: decode_text(b" " * (MAX_INPUT_BYTES + 1), filename="f"), file="f", line=None
    )
    assert decode_text(b" " * 10, filename="f") == " " * 10


def test_read_input(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "x.txt"
    path.write_bytes(b"abc")
    assert read_input(path) == b"abc"
    big = Path(str(tmp_path)) / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    expect_input_error(lambda: read_input(big), file=str(big), line=None, match="limit")


def test_split_lines() -> None:
    assert split_lines("a\r\nb\rc\nd\u2028e") == ["a", "b", "c", "d\u2028e"]


def test_frozen_mapping() -> None:
    m = FrozenMapping({"a": 1, "b": 2})
    assert m == {"a": 1, "b": 2}
    assert hash(m) == hash(FrozenMapping({"b": 2, "a": 1}))
    assert list(m) == ["a", "b"]
    assert eval(repr(m), {"FrozenMapping": FrozenMapping}) == m
    assert m != 3
