"""Shared helpers of the reader tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from httpsys_sim.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(*parts: str) -> bytes:
    """The bytes of ``tests/fixtures/<parts…>``."""
    return FIXTURES.joinpath(*parts).read_bytes()


def fixture_text(*parts: str) -> str:
    """A UTF-8 fixture as ``str``."""
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


@contextmanager
def bounded(seconds: float = 2.0) -> Iterator[None]:
    """Fail when the block takes longer than ``seconds`` (no hangs on hostile input)."""
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.2f}s"


def expect_input_error(
    call: Callable[[], object],
    *,
    file: str,
    line: int | type[int] | None = int,
    match: str | None = None,
    field: str | None = None,
) -> InputError:
    """Run ``call``; it must raise :class:`InputError` naming ``file`` (and ``line``)."""
    with bounded(), pytest.raises(InputError, match=match) as info:
        call()
    error = info.value
    assert error.file == file
    if line is int:
        assert isinstance(error.line, int)
        assert error.line >= 1
    else:
        assert error.line == line
    if field is not None:
        assert error.field == field
    text = str(error)
    assert "\n" not in text
    assert text.startswith(file)
    return error
