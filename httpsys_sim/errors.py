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

__all__ = ["HttpsysSimError", "InputError"]


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
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        text = f"{where}{field}{self.message}{hint}"
        return " ".join(text.split())

    def with_file(self, file: str) -> InputError:
        """A copy of this error that names ``file`` (when it named none)."""
        if self.file is not None:
            return self
        return InputError(self.message, file=file, line=self.line, field=self.field, hint=self.hint)
