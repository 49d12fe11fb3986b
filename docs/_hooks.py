"""MkDocs hooks for the documentation site (``mkdocs.yml`` names this file).

* The example notebooks live in ``examples/``, beside the scripts they are generated from;
  :func:`on_files` adds them to the site as ``examples/<name>.ipynb`` (mkdocs-jupyter renders
  them, executing them at build time so that the pages show their outputs).
* The Markdown pages are also read on GitHub, where a link such as ``../README.md`` or
  ``../httpsys_sim/testing/strategies.py`` reaches the file.  On the site such a target is not
  a page: :func:`on_page_markdown` points every relative link that leaves ``docs/`` (or that
  targets a file the site leaves out, like ``generate.py``) at the repository instead, and a
  link to an example notebook at its rendered page.  Links between pages are left alone, so
  ``mkdocs build --strict`` still fails on a broken one.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(p.name for p in EXAMPLES.glob("*.ipynb"))

#: ``[text](target)`` with a relative target (no scheme, not an in-page anchor).
_LINK = re.compile(r"(?<!!)\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)")


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    """Add the example notebooks as ``examples/<name>.ipynb``."""
    for name in NOTEBOOKS:
        files.append(
            File(
                f"examples/{name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files


def _source_url(config: Any, path: Path) -> str:
    kind = "tree" if path.is_dir() else "blob"
    return f"{config['repo_url'].rstrip('/')}/{kind}/main/{path.relative_to(ROOT).as_posix()}"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point links that leave the documentation at the repository (or the notebook pages)."""
    if page.file.abs_src_path is None or not Path(page.file.abs_src_path).is_relative_to(DOCS):
        return markdown
    here = Path(page.file.abs_src_path).parent

    def fix(match: re.Match[str]) -> str:
        target = match.group(1)
        path_part, _, anchor = target.partition("#")
        resolved = Path(posixpath.normpath((here / path_part).as_posix()))
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            return match.group(0)  # let MkDocs report it
        if resolved.parent == EXAMPLES and resolved.name in NOTEBOOKS:
            rel = posixpath.relpath((DOCS / "examples" / resolved.name).as_posix(), here.as_posix())
            return f"]({rel})"
        if resolved.is_relative_to(DOCS) and resolved.is_file():
            file = files.get_file_from_path(resolved.relative_to(DOCS).as_posix())
            if file is not None and not file.inclusion.is_excluded():
                return match.group(0)  # a page or asset of the site
        url = _source_url(config, resolved)
        return f"]({url}#{anchor})" if anchor else f"]({url})"

    return _LINK.sub(fix, markdown)
