"""Strict reading of user JSON: unknown keys, wrong types and bad values become
:class:`~httpsys_sim.errors.InputError` naming the file, line and field, with a hint."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from httpsys_sim.errors import InputError, quote

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_DIGITS",
    "MAX_JSON_ITEMS",
    "MAX_JSON_STRING",
    "Fields",
    "JsonSource",
    "check_text_arg",
    "load_json",
    "load_mapping",
]

#: Inputs larger than this are refused before parsing (docs/formats.md#limits).
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Deepest nesting of objects and lists accepted.
MAX_JSON_DEPTH = 16
#: Longest list accepted.
MAX_JSON_ITEMS = 64
#: Longest string (or key) accepted, in characters.
MAX_JSON_STRING = 4096
#: Most digits in an integer.
MAX_JSON_DIGITS = 20

T = TypeVar("T")


class JsonSource:
    """The text a JSON document came from, to point errors at a line."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename

    def line_of(self, path: str, occurrence: int = 1) -> int | None:
        """Best-effort line of the last key of ``path`` (``server.binding.flags``); with
        ``occurrence=2``, of that key's second appearance (a duplicate)."""
        pos = 0
        line: int | None = None
        keys = [k.split("[", 1)[0] for k in path.split(".")]
        keys = [k for k in keys if k]
        for index, key in enumerate(keys):
            pattern = re.compile(r'"' + re.escape(key) + r'"\s*:')
            match = pattern.search(self.text, pos)
            if match is not None and index == len(keys) - 1 and occurrence > 1:
                match = pattern.search(self.text, match.end())
            if match is None:
                return line
            pos = match.end()
            line = self.text.count("\n", 0, match.start()) + 1
        return line

    def error(self, path: str, message: str, hint: str | None = None) -> NoReturn:
        """Raise an :class:`InputError` for ``path``."""
        raise InputError(
            message, file=self.filename, line=self.line_of(path), field=path or None, hint=hint
        )


def check_text_arg(data: object, what: str = "data") -> str | bytes:
    """``data`` as ``str`` or ``bytes`` (bytes-like objects copied); other types: TypeError."""
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    hint = (
        " (read the file first, e.g. Path(...).read_bytes())" if hasattr(data, "__fspath__") else ""
    )
    raise TypeError(f"{what} must be str or bytes, not {type(data).__name__}{hint}")


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers its first repeated key (checked with its path)."""

    duplicate: tuple[str, object, object] | None = None


class _TooLong(Exception):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = _Object()
    for key, value in pairs:
        if key in out and out.duplicate is None:
            out.duplicate = (key, out[key], value)
        out[key] = value
    return out


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_JSON_DIGITS:
        raise _TooLong(digits)
    return int(text)


def _constant(name: str) -> float:
    raise ValueError(name)


def _line_of_match(text: str, pattern: str, nth: int = 1) -> int | None:
    for index, match in enumerate(re.finditer(pattern, text), 1):
        if index == nth:
            return text.count("\n", 0, match.start()) + 1
    return None


def load_json(data: str | bytes, filename: str) -> tuple[Any, JsonSource]:
    """Parse ``data`` as JSON, refusing oversized, binary, malformed or hostile input.

    Beyond the grammar, refused with their own messages (docs/formats.md#limits): duplicate
    keys, ``NaN``/``Infinity``, integers of more than :data:`MAX_JSON_DIGITS` digits, nesting
    deeper than :data:`MAX_JSON_DEPTH`, lists longer than :data:`MAX_JSON_ITEMS`, strings
    longer than :data:`MAX_JSON_STRING`, and strings holding control characters or lone
    surrogates.
    """
    data = check_text_arg(data)
    if not isinstance(filename, str):
        raise TypeError(f"filename must be str, not {type(filename).__name__}")
    if len(data) > MAX_JSON_BYTES:
        raise InputError(
            f"input is larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB",
            file=filename,
            hint="a scenario is a small JSON object",
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte {exc.start})",
                file=filename,
                line=data[: exc.start].count(b"\n") + 1,
                hint="save the scenario as UTF-8 JSON",
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError("binary data, not JSON text", file=filename, hint="pass a .json file")
    if not text.strip():
        raise InputError("empty input", file=filename, hint="expected a JSON object")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            file=filename,
            line=exc.lineno,
            hint="check for a truncated file or a missing comma/brace",
        ) from None
    except _TooLong as exc:
        raise InputError(
            f"a number with {exc.digits} digits is too large",
            file=filename,
            line=_line_of_match(text, rf"\d{{{MAX_JSON_DIGITS + 1}}}"),
            hint=f"numbers here have at most {MAX_JSON_DIGITS} digits",
        ) from None
    except ValueError as exc:  # NaN, Infinity, -Infinity
        raise InputError(
            f"{exc} is not a JSON number",
            file=filename,
            line=_line_of_match(text, re.escape(str(exc))),
            hint="use a finite number",
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply",
            file=filename,
            hint=f"at most {MAX_JSON_DEPTH} levels (docs/formats.md#limits)",
        ) from None
    source = JsonSource(text, filename)
    _check_shape(value, source)
    return value, source


def load_mapping(data: object, filename: str) -> tuple[Any, JsonSource]:
    """An already-parsed document, checked exactly as :func:`load_json` checks text."""
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict (parsed JSON), not {type(data).__name__}")
    try:
        text = json.dumps(dict(data), indent=1, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(
            f"not JSON data: {quote(str(exc))}",
            file=filename,
            hint="pass what json.loads returns: dicts, lists, str, int, float, bool, None",
        ) from None
    return load_json(text, filename)


_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_string(text: str, path: str, source: JsonSource, what: str = "string") -> None:
    if len(text) > MAX_JSON_STRING:
        source.error(
            path,
            f"{what} of {len(text)} characters is too long: {quote(text)}",
            f"at most {MAX_JSON_STRING} characters (docs/formats.md#limits)",
        )
    bad = _BAD_CHARS.search(text)
    if bad is not None:
        char = ord(bad.group())
        kind = "a lone surrogate" if 0xD800 <= char <= 0xDFFF else "a control character"
        source.error(
            path,
            f"{what} holds {kind} (U+{char:04X}): {quote(text)}",
            "remove it; escape sequences and surrogate halves are not text",
        )


def _show(value: object, limit: int = 30) -> str:
    """A JSON value as the file writes it, cut to about ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def _check_shape(value: object, source: JsonSource) -> None:
    """Refuse documents deeper, longer or stranger than any real input (iteratively)."""
    stack: list[tuple[object, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item, path or "(top level)", source)
            continue
        if not isinstance(item, (dict, list)):
            continue
        where = path or "(top level)"
        if depth > MAX_JSON_DEPTH:
            source.error(
                where.split("[", 1)[0] or "(top level)",
                f"nested more than {MAX_JSON_DEPTH} levels deep",
                "a scenario is a few levels deep (docs/formats.md#limits)",
            )
        if isinstance(item, list):
            if len(item) > MAX_JSON_ITEMS:
                source.error(
                    where,
                    f"a list of {len(item)} items is too long",
                    f"at most {MAX_JSON_ITEMS} items (docs/formats.md#limits)",
                )
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(item))
            continue
        duplicate = getattr(item, "duplicate", None)
        if duplicate is not None:
            key, first, second = duplicate
            child = f"{path}.{key}" if path else key
            raise InputError(
                f"key {quote(key, 40)} appears twice: {_show(first)} clashes with {_show(second)}",
                file=source.filename,
                line=source.line_of(child, occurrence=2),
                field=child,
                hint="JSON keys must be unique; keep one",
            )
        for key, v in item.items():
            child = f"{path}.{key}" if path else key
            if len(key) > MAX_JSON_STRING or _BAD_CHARS.search(key):
                _check_string(key, where, source, "key")
            stack.append((v, child, depth + 1))


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class Fields:
    """One JSON object being read; every key must be consumed or it is an error."""

    def __init__(self, value: object, path: str, source: JsonSource) -> None:
        self.path = path
        self.source = source
        if not isinstance(value, dict):
            source.error(path or "(top level)", f"expected an object, got {_type_name(value)}")
        self.data: Mapping[str, Any] = value
        self._seen: set[str] = set()

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str, hint: str | None = None) -> NoReturn:
        """Raise for ``key`` of this object."""
        self.source.error(self._p(key), message, hint)

    def has(self, key: str) -> bool:
        """The key is present (and not null)."""
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        """The value as it is (or ``None``), marking the key read."""
        self._seen.add(key)
        return self.data.get(key)

    def obj(self, key: str) -> Fields:
        """A nested object (missing or null → empty)."""
        self._seen.add(key)
        value = self.data.get(key)
        return Fields({} if value is None else value, self._p(key), self.source)

    def boolean(self, key: str, default: bool) -> bool:
        """A boolean (missing or null → ``default``)."""
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {_type_name(value)}")
        return value

    def opt_boolean(self, key: str) -> bool | None:
        """A boolean or ``None``."""
        value = self.raw(key)
        if value is not None and not isinstance(value, bool):
            self.error(key, f"expected true, false or null, got {_type_name(value)}")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0, maximum: int = 2**63) -> int:
        """A whole number within bounds."""
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"expected an integer, got {_type_name(value)}")
        if not minimum <= value <= maximum:
            self.error(key, f"{value} is out of range", f"between {minimum} and {maximum}")
        return value

    def string(self, key: str, default: str | None = None) -> str:
        """A string (missing → ``default``; no default → required)."""
        value = self.raw(key)
        if value is None:
            if default is None:
                self.error(key, "missing", "this field is required")
            return default
        if not isinstance(value, str):
            self.error(key, f"expected a string, got {_type_name(value)}")
        return value

    def choice(
        self, key: str, convert: Callable[[str], T], choices: Iterable[str], default: T
    ) -> T:
        """A string that ``convert`` turns into a value; anything else lists ``choices``."""
        value = self.raw(key)
        if value is None:
            return default
        allowed = ", ".join(choices)
        if not isinstance(value, str):
            self.error(key, f"expected a string, got {_type_name(value)}", f"one of {allowed}")
        try:
            return convert(value)
        except (ValueError, KeyError):
            self.error(key, f"unknown value {quote(value)}", f"one of {allowed}")

    def done(self) -> None:
        """Refuse keys nobody read: unknown keys are an error (docs/formats.md)."""
        extra = sorted(set(self.data) - self._seen)
        if extra:
            known = ", ".join(sorted(self._seen)) or "none"
            self.error(extra[0], "unknown key", f"known keys here: {known}")
