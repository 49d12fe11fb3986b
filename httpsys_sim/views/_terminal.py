"""What the terminal can show: its width and whether it takes colour.

Read once by the command line and handed to the text views, which stay pure functions of their
arguments.  The standard library is enough here (``shutil``, ``textwrap``): a rendering library
would cost more import time than the whole package.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Mapping
from typing import TextIO

import attrs

__all__ = ["COLOR_CHOICES", "Terminal", "terminal_for", "wrap"]

#: ``--color`` values.
COLOR_CHOICES = ("auto", "always", "never")


@attrs.frozen(kw_only=True)
class Terminal:
    """How text output should be laid out."""

    #: Columns available; None: no limit (output to a file or a pipe).
    width: int | None = None
    #: Whether to colour outcome cells with ANSI codes.
    colour: bool = False


def terminal_for(
    stream: TextIO,
    *,
    width: int | None = None,
    color: str = "auto",
    environ: Mapping[str, str] | None = None,
) -> Terminal:
    """The layout for ``stream``.

    Width: ``width`` (``--width``), else ``COLUMNS``, else the terminal's own width when
    ``stream`` is a terminal, else no limit.  Colour: ``color`` ``always`` / ``never``; with
    ``auto``, ``NO_COLOR`` (any non-empty value) turns it off, ``FORCE_COLOR`` (non-empty, not
    ``0``) turns it on, and otherwise colour goes to terminals only.
    """
    env = os.environ if environ is None else environ
    tty = bool(getattr(stream, "isatty", lambda: False)())
    if width is None:
        columns = env.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            width = int(columns)
        elif tty:
            width = shutil.get_terminal_size().columns
    if color == "always":
        colour = True
    elif color == "never" or env.get("NO_COLOR"):
        colour = False
    elif env.get("FORCE_COLOR", "") not in ("", "0"):
        colour = True
    else:
        colour = tty
    return Terminal(width=width, colour=colour)


def wrap(
    text: str,
    width: int | None,
    *,
    indent: str = "",
    hang: str | None = None,
    split_words: bool = True,
) -> list[str]:
    """``text`` as lines of at most ``width`` columns, continuation lines under ``hang``
    (default: as deep as ``indent``); one line when ``width`` is None.  With
    ``split_words=False`` a word longer than the line (a file path, a command) stays whole
    and overflows, so it can still be copied.  A ``" · "`` separator stays at the end of a
    line, never at the start of the next."""
    if width is None:
        return [indent + text]
    lines = textwrap.wrap(
        text.replace(" · ", _GLUED_DOT + " "),
        max(16, width),
        initial_indent=indent,
        subsequent_indent=" " * len(indent) if hang is None else hang,
        break_long_words=split_words,
        break_on_hyphens=False,
    ) or [indent]
    return [line.replace(_GLUED_DOT, " ·") for line in lines]


#: The separator's dot after a no-break space: textwrap keeps it with the word before.
_GLUED_DOT = "\u00a0·"
