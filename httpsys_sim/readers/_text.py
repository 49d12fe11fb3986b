"""Shared helpers of the readers: size cap, decoding, line splitting, a hashable mapping.

Every reader takes ``str | bytes``.  Bytes are decoded here the way Windows tools write
them: UTF-16 LE with a BOM (PowerShell's ``>`` redirection, regedit's export), UTF-8 with
or without a BOM, UTF-16 without a BOM (recognised by its NUL bytes), or — only where the
caller allows it — a legacy single-byte code page (``REGEDIT4`` files are ANSI).  Anything
else is refused with an :class:`~httpsys_sim.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from httpsys_sim import _io
from httpsys_sim._jsonin import check_text_arg
from httpsys_sim.errors import InputError

__all__ = [
    "MAX_INPUT_BYTES",
    "FrozenMapping",
    "check_size",
    "decode_text",
    "read_input",
    "split_lines",
]

#: The largest input any reader accepts (16 MiB), checked before decoding (docs/formats.md).
MAX_INPUT_BYTES = 16 * 1024 * 1024

_V = TypeVar("_V")

#: C0 control characters that never occur in the text files we read.
_CONTROL_CHARS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f", "\v"}


class FrozenMapping(Mapping[str, _V]):
    """An immutable, hashable ``str``-keyed mapping whose ``repr`` is valid Python.

    Readers return it where a plain ``dict`` would make their frozen records unhashable.
    Iteration follows insertion order (the order of the input file).
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[str, _V] | None = None) -> None:
        self._data: dict[str, _V] = dict(items) if items is not None else {}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"


def check_size(data: str | bytes, *, filename: str) -> None:
    """Refuse input larger than :data:`MAX_INPUT_BYTES` (for ``str``: that many characters)."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"input is {len(data)} {'bytes' if isinstance(data, bytes) else 'characters'}, "
            f"more than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB limit",
            file=filename,
            hint="pass only the export itself, not a whole disk image or log",
        )


def _line_of_offset(data: bytes, offset: int, encoding: str = "latin-1") -> int:
    """1-based line number of byte ``offset`` in ``data`` encoded as ``encoding``."""
    if encoding.startswith("utf-16"):
        offset -= offset % 2
    else:
        encoding = "latin-1"
    return data[:offset].decode(encoding, errors="replace").count("\n") + 1


def _looks_utf16(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from NUL bytes: ``"utf-16-le"``, ``"utf-16-be"`` or None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul >= 0.3 * half and even_nul <= 0.05 * half:
        return "utf-16-le"
    if even_nul >= 0.3 * half and odd_nul <= 0.05 * half:
        return "utf-16-be"
    return None


def _check_control_chars(text: str, *, filename: str) -> None:
    """Refuse text holding control characters: a binary file decoded by accident."""
    if not _CONTROL_CHARS.intersection(text):
        return
    for index, char in enumerate(text):
        if char in _CONTROL_CHARS:
            line = text.count("\n", 0, index) + 1
            raise InputError(
                f"not a text file (control character U+{ord(char):04X})",
                file=filename,
                line=line,
                hint="pass the text export itself (netsh output, applicationHost.config, .reg)",
            )


def decode_text(
    data: str | bytes,
    *,
    filename: str,
    legacy_encoding: str | None = None,
    declared_encoding: str | None = None,
) -> str:
    """Decode ``data`` to ``str`` (size-checked first), without a BOM, newlines untouched.

    ``legacy_encoding`` (e.g. ``"cp1252"``) is tried when the bytes are not UTF-8;
    ``declared_encoding`` (an XML declaration's) replaces UTF-8 for BOM-less bytes.
    Raises :class:`InputError` for oversized, binary or undecodable input, and
    :class:`TypeError` when ``data`` is neither text nor bytes (bytes-like objects are copied).
    """
    data = check_text_arg(data)
    if not isinstance(filename, str):
        raise TypeError(f"filename must be str, not {type(filename).__name__}")
    check_size(data, filename=filename)
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        if "\x00" in text:
            raise InputError(
                "not a text file (NUL characters)",
                file=filename,
                line=text.count("\n", 0, text.index("\x00")) + 1,
                hint="if this is UTF-16, pass the raw bytes so the reader can decode them",
            )
        _check_control_chars(text.rstrip("\x1a"), filename=filename)
        return text.rstrip("\x1a")

    unit = 1
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body, unit = "utf-16-le", data[2:], 2
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body, unit = "utf-16-be", data[2:], 2
    else:
        guessed = _looks_utf16(data)
        if guessed is not None:
            encoding, body, unit = guessed, data, 2
        else:
            encoding, body = declared_encoding or "utf-8", data
            if b"\x00" in body:
                raise InputError(
                    "not a text file (NUL bytes)",
                    file=filename,
                    line=_line_of_offset(body, body.index(b"\x00")),
                    hint="pass the text export itself (netsh output, applicationHost.config, .reg)",
                )
    if unit == 2 and len(body) % 2:
        raise InputError(
            f"truncated {encoding.upper()} text (odd number of bytes)",
            file=filename,
            line=_line_of_offset(body, len(body) - 1, encoding),
            hint="the file was cut short; export it again",
        )
    try:
        text = body.decode(encoding)
    except LookupError:
        raise InputError(
            f"unknown text encoding {encoding!r}",
            file=filename,
            line=1,
            hint="save the file as UTF-8",
        ) from None
    except UnicodeDecodeError as exc:
        if legacy_encoding is not None and unit == 1:
            try:
                text = body.decode(legacy_encoding)
            except UnicodeDecodeError:
                pass
            else:
                _check_control_chars(text.rstrip("\x1a"), filename=filename)
                return text.rstrip("\x1a")
        raise InputError(
            f"not valid {encoding.upper()} text (byte 0x{body[exc.start]:02X} "
            f"at offset {exc.start + len(data) - len(body)})",
            file=filename,
            line=_line_of_offset(body, exc.start, encoding),
            hint="save the file as UTF-8 or UTF-16 (as the Windows tool wrote it)",
        ) from None
    if unit == 2 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # BOM-less UTF-16 was only a guess: Windows exports are mostly ASCII.
        ascii_chars = sum(1 for char in text[:4096] if char < "\x80")
        if ascii_chars < 0.6 * min(len(text), 4096):
            raise InputError(
                "not a text file (NUL bytes, but not UTF-16 text either)",
                file=filename,
                line=1,
                hint="pass the text export itself (netsh output, applicationHost.config, .reg)",
            )
    if "\x00" in text:
        raise InputError(
            "not a text file (NUL characters)",
            file=filename,
            line=text.count("\n", 0, text.index("\x00")) + 1,
            hint="pass the text export itself (netsh output, applicationHost.config, .reg)",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip("\x1a")
    _check_control_chars(text, filename=filename)
    return text


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF (not on the other Unicode line breaks ``str.splitlines`` knows)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_input(path: str | Path) -> bytes:
    """The bytes of ``path`` for a reader, read with the size cap and without blocking on a
    FIFO or device; too large, unreadable or not a file → :class:`InputError`."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be str or Path, not {type(path).__name__}")
    data, _ = _io.read_input(str(path), limit=MAX_INPUT_BYTES)
    return data
