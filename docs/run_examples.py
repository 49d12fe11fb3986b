"""Re-run the examples of the hand-written pages and paste their real output under them.

    python docs/run_examples.py                     # every docs/*.md page
    python docs/run_examples.py docs/tutorial.md    # one page

For each page, in order:

* ```` ```pycon ```` blocks: the ``>>>`` / ``...`` lines run in one namespace per page (from
  the repository root, as the interactive interpreter would: expression values are echoed);
  the lines under them are replaced with what they printed (blank lines as ``<BLANKLINE>``,
  so the block stays a valid doctest);
* ```` ```console ```` blocks: each ``$ command`` runs in ``bash`` from the repository root,
  with ``COLUMNS=100`` and this interpreter's scripts (``httpsys-sim``) first on ``PATH``;
  the lines under it are replaced with its standard output and error;
* a ``<!-- mermaid: COMMAND -->`` comment: the ```` ```mermaid ```` block after it is replaced
  with COMMAND's output.

Only the outputs change; review the diff before committing — a changed output is a changed
behaviour. ``tests/test_docs.py`` fails while a page's outputs differ from what its examples
print.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: A ```pycon or ```console block of a hand-written page (kind, body).
BLOCK = re.compile(r"^```(pycon|console)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: A Mermaid block pinned to a command by a ``<!-- mermaid: COMMAND -->`` comment.
PINNED_MERMAID = re.compile(
    r"^<!-- mermaid: (.+?) -->\n```mermaid\n(.*?)^```$", re.MULTILINE | re.DOTALL
)


def shell_env() -> dict[str, str]:
    """The environment examples run in: fixed width, no colour, our ``httpsys-sim`` first."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "100"
    env.pop("NO_COLOR", None)
    return env


def run_shell(command: str) -> str:
    """``command``'s standard output and error, as one stream."""
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=shell_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    return done.stdout


def _output_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()] if text.strip() else []


def run_pycon(body: str, namespace: dict[str, object]) -> str:
    """A ``pycon`` block with fresh output under each example."""
    examples: list[list[str]] = []
    for line in body.splitlines():
        if line.startswith(">>> "):
            examples.append([line[4:]])
        elif (line.startswith("... ") or line == "...") and examples:
            examples[-1].append(line[4:])
    out: list[str] = []
    for example in examples:
        out += [">>> " + example[0]] + ["... " + line for line in example[1:]]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                exec(compile("\n".join(example) + "\n", "<example>", "single"), namespace)
            except Exception:
                print("Traceback (most recent call last):")
                print("  ...")
                print(traceback.format_exc().rstrip().splitlines()[-1])
        out += [line or "<BLANKLINE>" for line in _output_lines(buffer.getvalue())]
    return "\n".join(out) + "\n"


def run_console(body: str) -> str:
    """A ``console`` block with fresh output under each ``$ command``."""
    out: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append(line)
            out += _output_lines(run_shell(line[2:]))
    return "\n".join(out) + "\n"


def refresh(text: str) -> str:
    """``text`` with every example's output replaced by what it prints now."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    old_cwd = os.getcwd()
    os.chdir(ROOT)
    try:

        def block(match: re.Match[str]) -> str:
            kind, body = match.group(1), match.group(2)
            new = run_pycon(body, namespace) if kind == "pycon" else run_console(body)
            return f"```{kind}\n{new}```"

        def mermaid(match: re.Match[str]) -> str:
            command = match.group(1)
            body = run_shell(command).rstrip("\n")
            return f"<!-- mermaid: {command} -->\n```mermaid\n{body}\n```"

        text = BLOCK.sub(block, text)
        return PINNED_MERMAID.sub(mermaid, text)
    finally:
        os.chdir(old_cwd)


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh the given pages (default: every hand-written page)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pages", nargs="*", type=Path, help="Markdown files (default: docs/*.md)")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    pages = args.pages or sorted(DOCS.glob("*.md"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = refresh(text)
        if new != text:
            with page.open("w", encoding="utf-8", newline="\n") as fh:
                fh.write(new)
            print(f"updated {page}")
        else:
            print(f"unchanged {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
