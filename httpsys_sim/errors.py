"""The library's own error types.

Two families, after h11's ``LocalProtocolError`` / ``RemoteProtocolError`` split:

* :class:`InputError` — something a user handed us (scenario JSON, a netsh export,
  an ``applicationHost.config``, a ``.reg`` file) is malformed.  It names the file, the
  line and the field at fault and carries a hint, and renders as one line.
* :class:`~httpsys_sim.tls.TlsError` (in :mod:`httpsys_sim.tls`) — a protocol violation
  inside the TLS model, carrying what the peer will observe.

Every error the library raises on purpose derives from :class:`HttpsysSimError`.
"""

from __future__ import annotations

import re

__all__ = ["MAX_QUOTE", "HttpsysSimError", "InputError", "quote"]

#: The most characters of a user's value an error message quotes (docs/formats.md#limits).
MAX_QUOTE = 80

#: Longest part (file, field, message, hint) of a one-line message; longer parts are cut in
#: the middle, so no input can turn an error into a flood.
_MAX_PART = 400
#: Longest field path shown (a path can hold a user's unknown key).
_MAX_FIELD = 160


def quote(value: object, limit: int = MAX_QUOTE) -> str:
    """``repr(value)`` cut to about ``limit`` characters, saying how much was left out.

    Error messages quote user values through this, so a 10 MB value gives a short line.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value) - limit} more characters)"
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}… ({len(text) - limit} more characters)"
    return text


#: A quoted value (a ``repr``) longer than :data:`MAX_QUOTE` inside a message.
_LONG_QUOTED = re.compile(
    rf"""(?<!\w)(?:'(?:[^'\\\n]|\\.){{{MAX_QUOTE + 1},}}'"""
    rf"""|"(?:[^"\\\n]|\\.){{{MAX_QUOTE + 1},}}")(?!\w)"""
)


def _shorten_quoted(text: str) -> str:
    """Cut every quoted value longer than :data:`MAX_QUOTE` (messages built with ``!r``)."""

    def cut(match: re.Match[str]) -> str:
        quoted = match.group()
        body = quoted[1:-1]
        return (
            f"{quoted[0]}{body[:MAX_QUOTE]}{quoted[0]}… ({len(body) - MAX_QUOTE} more characters)"
        )

    return _LONG_QUOTED.sub(cut, text) if len(text) > MAX_QUOTE else text


def _cut(text: str, limit: int = _MAX_PART) -> str:
    if len(text) <= limit:
        return text
    keep = limit // 2
    return f"{text[:keep]} …[{len(text) - 2 * keep} characters cut]… {text[-keep:]}"


class HttpsysSimError(Exception):
    """Base class of every error raised on purpose by httpsys-sim."""


class InputError(HttpsysSimError, ValueError):
    """Bad input: names the file, line and field at fault, with a hint.

    ``str(error)`` is a single line such as
    ``scenario.json:3: server.release: unknown release 'win95' (hint: one of server-2016, …)``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The error as one line: ``file:line: field: message (hint: …)``."""
        where = ""
        if self.file is not None:
            file = _cut(str(self.file))
            where = file if self.line is None else f"{file}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{_cut(str(self.field), _MAX_FIELD)}: " if self.field else ""
        hint = f" (hint: {_cut(_shorten_quoted(str(self.hint)))})" if self.hint else ""
        text = f"{where}{field}{_cut(_shorten_quoted(str(self.message)))}{hint}"
        return " ".join(text.split())
