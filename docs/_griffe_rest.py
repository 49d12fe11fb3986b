"""A Griffe extension for the API reference: the docstrings' reST habits, as Markdown.

The package's docstrings are written for ``help()`` and Sphinx-style readers: roles such as
``:class:`~httpsys_sim.core._result.Result```, ``>>>`` examples, ``Examples::`` literal blocks
and ``#:`` comments above attrs fields.  mkdocstrings renders Markdown, so this extension
(named in ``mkdocs.yml``) rewrites them while the package is loaded:

* a role becomes a cross-reference to the public name when ``httpsys_sim`` exports it, else an
  inline code span;
* a run of ``>>>`` lines and their output becomes a ``pycon`` code block;
* a trailing ``::`` becomes ``:`` (the indented block after it is already Markdown code);
* a field or attribute without a docstring takes its ``#:`` comment (above it, or at the end
  of its line) as one.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

import httpsys_sim

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`(~?)([^`]+)`")
_PUBLIC = frozenset(httpsys_sim._LAZY)


def _role(match: re.Match[str]) -> str:
    tilde, target = match.group(1), match.group(2).strip()
    shown = target.rsplit(".", 1)[-1] if tilde else target
    last = target.rsplit(".", 1)[-1]
    if last in _PUBLIC and target.startswith(("httpsys_sim", last)):
        return f"[`{shown}`][httpsys_sim.{last}]"
    return f"`{shown}`"


def _doctests(text: str) -> str:
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(">>> "):
            indent = line[: len(line) - len(stripped)]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def markdown(text: str) -> str:
    """A docstring's reST habits as Markdown."""
    text = _ROLE.sub(_role, text)
    text = re.sub(r"(\S)::$", r"\1:", text, flags=re.MULTILINE)
    text = re.sub(r"^::$", "", text, flags=re.MULTILINE)
    return _doctests(text)


def _hash_colon_comment(obj: griffe.Object) -> str | None:
    """The ``#:`` comment of an attribute: the lines just above it, or the end of its line."""
    try:
        lines = obj.lines_collection[obj.filepath]  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    if not obj.lineno:
        return None
    line = lines[obj.lineno - 1]
    if "#:" in line:
        return line.split("#:", 1)[1].strip()
    above: list[str] = []
    n = obj.lineno - 2
    while n >= 0 and lines[n].strip().startswith("#:"):
        above.insert(0, lines[n].strip()[2:].strip())
        n -= 1
    return " ".join(above) or None


class RestToMarkdown(griffe.Extension):
    """Rewrite every docstring as it is loaded (see the module docstring)."""

    def on_instance(
        self, *, node: ast.AST | griffe.ObjectNode, obj: griffe.Object, **_: Any
    ) -> None:
        if obj.docstring is None and obj.is_attribute:
            comment = _hash_colon_comment(obj)
            if comment:
                obj.docstring = griffe.Docstring(comment, lineno=obj.lineno, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
