"""The documentation agrees with the code.

* The generated pages in ``docs/reference/`` are what ``docs/generate.py`` produces now
  (regenerate with ``python docs/generate.py``).
* ``rules.md`` carries every rule of the catalogue, at the anchor the Markdown views link to,
  with all its source ids.
* Every relative link in ``docs/`` and ``README.md`` reaches an existing file (and, for
  Markdown targets, an existing anchor).
* The examples of the hand-written pages still give the output pasted under them:
  ```` ```pycon ```` blocks run as doctests (one namespace per page), ```` ```console ````
  blocks run each ``$ command`` in a shell from the repository root, and a
  ``<!-- mermaid: COMMAND -->`` comment pins the Mermaid block after it to COMMAND's output.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from httpsys_sim.catalogue._rules import RULES, SOURCES
from httpsys_sim.views import _text as render

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GENERATOR = DOCS / "generate.py"
RULES_MD = DOCS / "reference" / "rules.md"


def _load(path: Path, name: str) -> ModuleType:
    """A script of the repository's docs folder, imported as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


#: ``docs/run_examples.py``: how the pasted examples are run (shared with the test).
EXAMPLES = _load(DOCS / "run_examples.py", "httpsys_sim_docs_run_examples")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """``docs/generate.py``, imported from the repository's docs folder."""
    return _load(GENERATOR, "httpsys_sim_docs_generate")


def test_generated_pages_match_the_code(generator: ModuleType) -> None:
    drifted, _skipped = generator.check()
    assert not drifted, (
        "docs drifted from the code: "
        + ", ".join(drifted)
        + f"; regenerate with `{generator.REGENERATE}` and commit the result"
    )


def test_generation_is_deterministic(generator: ModuleType) -> None:
    assert generator.render_pages() == generator.render_pages()


def test_check_mode_reports_drift(generator: ModuleType, tmp_path: Path) -> None:
    for name, text in generator.render_pages().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert generator.check(tmp_path)[0] == []
    (tmp_path / "rules.md").write_text("stale\n", encoding="utf-8")
    (tmp_path / "clients.md").unlink()
    drifted = generator.check(tmp_path)[0]
    assert {Path(p).name for p in drifted} == {"rules.md", "clients.md"}


# --------------------------------------------------------------------------------------------
# rules.md
# --------------------------------------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """``### <rule id>`` sections of rules.md, by rule id."""
    parts = re.split(r"^### (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_rule_has_its_entry_with_all_its_sources() -> None:
    sections = _sections(RULES_MD.read_text(encoding="utf-8"))
    missing = [rule_id for rule_id in RULES if rule_id not in sections]
    assert not missing, f"rules missing from {RULES_MD.name}: {', '.join(missing)}"
    for rule in RULES.values():
        body = sections[rule.id]
        for source_id in rule.sources:
            assert f"[{source_id}](#source-{source_id.lower()})" in body, (
                f"{rule.id}: source {source_id} not cited in its entry"
            )
        assert f"`{rule.confidence.value}`" in body


def test_every_source_is_listed_with_its_anchor() -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    for source in SOURCES.values():
        assert f'<a id="source-{source.id.lower()}"></a>**{source.id}**' in text
        if source.url:
            assert f"]({source.url})" in text


def test_rule_anchors_are_the_ones_the_views_link_to() -> None:
    anchors = _anchors(RULES_MD)
    for rule_id in RULES:
        assert render.rule_anchor(rule_id) in anchors, (
            f"{rule_id}: no heading in rules.md produces the anchor "
            f"#{render.rule_anchor(rule_id)} that render.rule_anchor() links to"
        )
        assert anchors[render.rule_anchor(rule_id)] == rule_id


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def _prose(text: str) -> str:
    """Markdown without fenced blocks and inline code (links there are not links)."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def github_slug(heading: str) -> str:
    """The anchor GitHub derives from a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links → their text
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> dict[str, str]:
    """Every anchor of a Markdown file → the heading text (or id) that makes it."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    anchors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for match in _HEADING.finditer(text):
        slug = github_slug(match.group(1))
        n = counts.get(slug, 0)
        counts[slug] = n + 1
        anchors[slug if n == 0 else f"{slug}-{n}"] = match.group(1).strip()
    for match in _HTML_ID.finditer(text):
        anchors[match.group(1)] = match.group(1)
    return anchors


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _links(path: Path) -> list[str]:
    return _LINK.findall(_prose(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in _links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, …
            continue
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target} (no such file)")
            continue
        if fragment and dest.suffix == ".md" and fragment not in _anchors(dest):
            broken.append(f"{target} (no such anchor)")
    assert not broken, f"{path.relative_to(ROOT)}: broken links: {', '.join(broken)}"


def test_link_checker_sees_links() -> None:
    """Guard against a link pattern that silently matches nothing."""
    assert "docs/tutorial.md" in _links(ROOT / "README.md")
    assert any(t.startswith("rules.md#") for t in _links(DOCS / "reference" / "releases.md"))
    assert github_slug("R-IIS-2.require-only") == render.rule_anchor("R-IIS-2.require-only")
    assert github_slug("`httpsys-sim simulate`") == "httpsys-sim-simulate"


# --------------------------------------------------------------------------------------------
# Examples in the hand-written pages
# --------------------------------------------------------------------------------------------


def _hand_written() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md"))


def _blocks(path: Path, kind: str) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 2, m.group(2))
        for m in EXAMPLES.BLOCK.finditer(text)
        if m.group(1) == kind
    ]


def _run(command: str) -> str:
    return EXAMPLES.run_shell(command)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


_needs_shell = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("head") is None,
    reason="the console examples are POSIX shell command lines",
)


@pytest.mark.parametrize(
    "path",
    [p for p in _hand_written() if _blocks(p, "pycon")],
    ids=lambda p: p.name,
)
def test_pycon_examples(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False
    )
    report: list[str] = []
    globs: dict[str, object] = {"__name__": "__docs__"}
    for lineno, body in _blocks(path, "pycon"):
        test = parser.get_doctest(body, globs, f"{path.name}:{lineno}", str(path), lineno)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs
    assert runner.failures == 0, (
        f"to refresh the page: python docs/run_examples.py docs/{path.name}, then review\n"
        + "".join(report)
    )


@_needs_shell
@pytest.mark.parametrize(
    "path",
    [p for p in _hand_written() if _blocks(p, "console")],
    ids=lambda p: p.name,
)
def test_console_examples(path: Path) -> None:
    for lineno, body in _blocks(path, "console"):
        expected: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                expected.append((line[2:], []))
            elif expected:
                expected[-1][1].append(line.rstrip())
        for command, output in expected:
            got = _lines(_run(command))
            assert got == output, (
                f"{path.name}:{lineno}: `{command}` printed something else (to refresh the "
                f"page: python docs/run_examples.py docs/{path.name}, then review):\n"
                + "\n".join(got)
            )


@_needs_shell
@pytest.mark.parametrize(
    "path",
    [p for p in _hand_written() if EXAMPLES.PINNED_MERMAID.search(p.read_text(encoding="utf-8"))],
    ids=lambda p: p.name,
)
def test_pinned_mermaid_blocks(path: Path) -> None:
    for match in EXAMPLES.PINNED_MERMAID.finditer(path.read_text(encoding="utf-8")):
        command, shown = match.group(1), match.group(2)
        assert _lines(_run(command)) == _lines(shown), (
            f"{path.name}: the Mermaid block after `{command}` is out of date "
            f"(python docs/run_examples.py docs/{path.name})"
        )
