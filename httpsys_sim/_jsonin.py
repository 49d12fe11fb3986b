"""Strict reading of user JSON: unknown keys, wrong types and bad values become
:class:`~httpsys_sim.errors.InputError` naming the file, line and field, with a hint."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from httpsys_sim.errors import InputError

__all__ = ["MAX_JSON_BYTES", "Fields", "JsonSource", "load_json"]

#: Inputs larger than this are refused before parsing (docs/formats.md#bad-input).
MAX_JSON_BYTES = 16 * 1024 * 1024

T = TypeVar("T")


class JsonSource:
    """The text a JSON document came from, to point errors at a line."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename

    def line_of(self, path: str) -> int | None:
        """Best-effort line of the last key of ``path`` (``server.binding.flags``)."""
        pos = 0
        line: int | None = None
        for key in path.split("."):
            if key.startswith("["):
                continue
            match = re.compile(r'"' + re.escape(key) + r'"\s*:').search(self.text, pos)
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


def load_json(data: str | bytes, filename: str) -> tuple[Any, JsonSource]:
    """Parse ``data`` as JSON, refusing oversized, binary or malformed input."""
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
                hint="save the scenario as UTF-8 JSON",
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError("binary data, not JSON text", file=filename, hint="pass a .json file")
    if not text.strip():
        raise InputError("empty input", file=filename, hint="expected a JSON object")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            file=filename,
            line=exc.lineno,
            hint="check for a truncated file or a missing comma/brace",
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=filename) from None
    return value, JsonSource(text, filename)


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
            self.error(key, f"unknown value {value!r}", f"one of {allowed}")

    def done(self) -> None:
        """Refuse keys nobody read: unknown keys are an error (docs/formats.md)."""
        extra = sorted(set(self.data) - self._seen)
        if extra:
            known = ", ".join(sorted(self._seen)) or "none"
            self.error(extra[0], "unknown key", f"known keys here: {known}")
