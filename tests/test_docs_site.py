"""The documentation site's own code: the Griffe extension that turns the docstrings' reST
habits into Markdown, and the MkDocs hook that points links leaving ``docs/`` at the
repository.  (CI builds the whole site with ``mkdocs build --strict``; these are the quick
checks of the pieces.)"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.test_docs import _load

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def rest() -> ModuleType:
    pytest.importorskip("griffe", reason="the docs extra is not installed")
    return _load(DOCS / "_griffe_rest.py", "httpsys_sim_docs_griffe_rest")


def test_roles_become_links_to_public_names_or_code(rest: ModuleType) -> None:
    text = "See :class:`~httpsys_sim.core._result.Result` and :func:`attrs.evolve`."
    assert rest.markdown(text) == "See [`Result`][httpsys_sim.Result] and `attrs.evolve`."
    assert rest.markdown(":meth:`to_dict`") == "`to_dict`"


def test_doctests_become_pycon_blocks(rest: ModuleType) -> None:
    text = "Example:\n\n>>> 1 + 1\n2\n\nAfter."
    assert rest.markdown(text) == "Example:\n\n```pycon\n>>> 1 + 1\n2\n```\n\nAfter."


def test_literal_block_marker_becomes_a_colon(rest: ModuleType) -> None:
    assert rest.markdown("Usable on its own::\n\n    code") == "Usable on its own:\n\n    code"


def test_every_page_is_in_the_navigation() -> None:
    """mkdocs.yml's nav lists every Markdown page of docs/ (the site hides none)."""
    nav = set(re.findall(r":\s+(\S+\.(?:md|ipynb))\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages <= nav, sorted(pages - nav)
    notebooks = {f"examples/{p.name}" for p in (ROOT / "examples").glob("*.ipynb")}
    assert notebooks <= nav, sorted(notebooks - nav)
