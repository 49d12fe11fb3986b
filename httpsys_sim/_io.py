"""Bounded reading and atomic writing for the command line (the model itself does no I/O).

* :func:`read_input` reads a file or standard input (``-``) with a size cap checked while
  reading, and never blocks forever: regular files are read as they are, FIFOs and pipes
  (``<(command)``) are opened non-blocking and read under a time limit, and character
  devices, sockets and directories are refused.
* :func:`write_output` writes to a temporary file beside the target and renames it over the
  target only once everything is written, so a failing run leaves an existing file
  byte-identical.  FIFOs and character devices (``/dev/null``) are written in place.
* :func:`escape_controls` / :func:`escape_json` keep control characters from user input
  from reaching a terminal raw.

Every failure is an :class:`~httpsys_sim.errors.InputError` naming the file, with a hint
(the limits are listed in docs/formats.md#limits).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import select
import stat
import sys
import time
from collections.abc import Iterable
from typing import BinaryIO

from httpsys_sim.errors import InputError, quote

__all__ = [
    "FIFO_IDLE_SECONDS",
    "FIFO_TOTAL_SECONDS",
    "MAX_INPUT_BYTES",
    "escape_controls",
    "escape_json",
    "read_input",
    "write_output",
]

#: The largest input file or standard input read (16 MiB), checked while reading.
MAX_INPUT_BYTES = 16 * 1024 * 1024
#: A FIFO or pipe that sends nothing for this long is given up.
FIFO_IDLE_SECONDS = 10.0
#: A FIFO or pipe is read for at most this long in all.
FIFO_TOTAL_SECONDS = 60.0

_CHUNK = 1 << 16
_MIB = 1024 * 1024


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a regular file"


def _os_error(exc: OSError, name: str, doing: str, hint: str | None = None) -> InputError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        hint = hint or "check the file's permissions"
    elif exc.errno == errno.ENOENT:
        hint = hint or "check the path"
    elif exc.errno == errno.ENOSPC:
        hint = hint or "free some space or write elsewhere"
    return InputError(f"cannot {doing}: {reason.lower()}", file=name, hint=hint)


def _too_large(name: str, limit: int) -> InputError:
    return InputError(
        f"input is larger than the {limit // _MIB} MiB limit",
        file=name,
        hint="pass only the export or scenario itself (docs/formats.md#limits)",
    )


def read_input(path: str, *, limit: int = MAX_INPUT_BYTES) -> tuple[bytes, str]:
    """The bytes of ``path`` (``-``: standard input) and the name to show in messages."""
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not {type(path).__name__}")
    if path == "":
        raise InputError("empty file name", hint="name a file, or - for standard input")
    if path == "-":
        return _read_stdin(limit), "<stdin>"
    name = path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise _os_error(exc, name, "read it") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            os.set_blocking(fd, True)
            return _read_fd(fd, name, limit), name
        if stat.S_ISFIFO(mode):
            return _read_fifo(fd, name, limit), name
        raise InputError(
            f"is {_kind(mode)}, not a file",
            file=name,
            hint="save the data to a file, or pipe it to standard input with -",
        )
    except OSError as exc:
        raise _os_error(exc, name, "read it") from None
    finally:
        os.close(fd)


def _read_fd(fd: int, name: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)


def _read_fifo(fd: int, name: str, limit: int) -> bytes:
    """Read a FIFO or pipe without ever blocking for longer than the time limits."""
    chunks: list[bytes] = []
    size = 0
    start = time.monotonic()
    while True:
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
        except BlockingIOError:  # a writer is there, but has sent nothing yet
            pass
        else:
            if not chunk:  # end of data, or no writer at all
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _too_large(name, limit)
            continue
        left = FIFO_TOTAL_SECONDS - (time.monotonic() - start)
        ready, _, _ = select.select([fd], [], [], max(0.0, min(FIFO_IDLE_SECONDS, left)))
        if not ready:
            waited = (
                f"{FIFO_TOTAL_SECONDS:g} s in all"
                if left <= FIFO_IDLE_SECONDS
                else f"{FIFO_IDLE_SECONDS:g} s without data"
            )
            raise InputError(
                f"gave up reading the FIFO after {waited}",
                file=name,
                hint="write the data to a file first, or pipe it to standard input with -",
            )
    if not chunks:
        raise InputError(
            "nothing to read (a FIFO with no writer?)",
            file=name,
            hint="start the writer first, or pipe the data to standard input with -",
        )
    return b"".join(chunks)


def _read_stdin(limit: int) -> bytes:
    closed = InputError(
        "standard input is closed", file="<stdin>", hint="pipe the input in, or name a file"
    )
    stream = sys.stdin
    if stream is None or stream.closed:
        raise closed
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    try:
        data: bytes | str = (stream if buffer is None else buffer).read(limit + 1)
    except OSError as exc:
        raise _os_error(exc, "<stdin>", "read standard input") from None
    except ValueError:  # a closed or detached stream
        raise closed from None
    if isinstance(data, str):  # a text-only stream (a notebook, a test's StringIO)
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        raise _too_large("<stdin>", limit)
    return data


# --- writing ------------------------------------------------------------------------------

#: Names of standard output (written through ``sys.stdout``, never replaced).
_STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})


def write_output(path: str | None, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``None`` or ``-``: standard output)."""
    write_chunks(path, (data,))


def write_chunks(path: str | None, chunks: Iterable[bytes]) -> None:
    """Write the chunks, as they come, to ``path`` (``None`` or ``-``: standard output).

    A file is written beside the target and renamed over it at the end, so a failure on the
    way — also one raised while producing the chunks — leaves the old file as it was."""
    if path is None or path in _STDOUT_NAMES:
        for data in chunks:
            _write_stdout(data)
        return
    if path == "":
        raise InputError("empty file name", field="--output", hint="name a file, or - for stdout")
    name = path
    try:
        st: os.stat_result | None = os.stat(path)  # through symbolic links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _os_error(exc, name, "write it") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory", file=name, hint="name a file inside it")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_special(path, name, st.st_mode, chunks)  # /dev/null, /dev/stderr, a FIFO
        return
    target = os.path.realpath(path)  # a symbolic link stays a link to the rewritten file
    if st is not None and not os.access(target, os.W_OK):
        raise InputError(
            "cannot write it: permission denied (the file is read-only)",
            file=name,
            hint="make it writable, or write elsewhere",
        )
    directory = os.path.dirname(target) or "."
    if not os.path.isdir(directory):
        raise InputError(
            f"cannot write it: no directory {quote(directory)}",
            file=name,
            hint="create the directory first",
        )
    _replace_atomically(target, name, directory, st, chunks)


def _replace_atomically(
    target: str, name: str, directory: str, st: os.stat_result | None, chunks: Iterable[bytes]
) -> None:
    base = os.path.basename(target)[:64]
    tmp = ""
    fd = -1
    try:
        for _ in range(16):
            tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                tmp = ""
                raise InputError(
                    f"cannot write it: cannot create a file in {quote(directory)} "
                    f"({(exc.strerror or str(exc)).lower()})",
                    file=name,
                    hint="the output is written beside the target, then renamed; "
                    "write to a directory you can create files in",
                ) from None
        else:  # pragma: no cover - sixteen random names taken
            tmp = ""
            raise InputError("cannot create a temporary file", file=name)
        if st is not None:
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        for data in chunks:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
        tmp = ""
    except OSError as exc:
        raise _os_error(exc, name, "write it") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_special(target: str, name: str, mode: int, chunks: Iterable[bytes]) -> None:
    """FIFOs and character devices are written in place (there is nothing to replace)."""
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        raise InputError(f"is {_kind(mode)}, not a file", file=name, hint="write to a file")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InputError(
                "a FIFO with no reader", file=name, hint="start the reader first"
            ) from None
        raise _os_error(exc, name, "write it") from None
    try:
        start = time.monotonic()
        for data in chunks:
            view = memoryview(data)
            while view:
                left = FIFO_TOTAL_SECONDS - (time.monotonic() - start)
                _, ready, _ = select.select([], [fd], [], max(0.0, min(FIFO_IDLE_SECONDS, left)))
                if not ready:
                    raise InputError(
                        "gave up writing: the reader takes nothing",
                        file=name,
                        hint="write to a file instead",
                    )
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue
    except BrokenPipeError:
        raise InputError("the reader went away", file=name) from None
    except OSError as exc:
        raise _os_error(exc, name, "write it") from None
    finally:
        os.close(fd)


def _write_stdout(data: bytes) -> None:
    stream = sys.stdout
    if stream is None or stream.closed:
        raise InputError(
            "standard output is closed", file="<stdout>", hint="redirect it, or use --output FILE"
        )
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    try:
        stream.flush()
        if buffer is None:  # a text-only stream (a notebook, a test's StringIO)
            stream.write(data.decode("utf-8"))
            stream.flush()
        else:
            buffer.write(data)
            buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _os_error(exc, "<stdout>", "write standard output") from None
    except ValueError:  # closed or detached
        raise InputError(
            "standard output is closed", file="<stdout>", hint="redirect it, or use --output FILE"
        ) from None


# --- escaping -------------------------------------------------------------------------------

#: C0 controls but tab and newline (a lone carriage return too), DEL, C1 controls, and the
#: Unicode bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw inside strings.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_sgr: bool = False) -> str:
    """``text`` with control characters shown as ``\\x1b`` escapes (tab and newline kept).

    ``keep_sgr`` lets well-formed colour sequences (``ESC [ … m``) through, for output that
    the program itself coloured.
    """
    if not keep_sgr:
        return _CONTROL.sub(_escape, text)
    parts = _SGR.split(text)
    return "".join(
        part if index % 2 else _CONTROL.sub(_escape, part) for index, part in enumerate(parts)
    )


def escape_json(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi overrides as ``\\u`` escapes (same value)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
