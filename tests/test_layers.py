"""The package's layers, enforced from the code's own imports (function-local ones included).

Each folder of ``httpsys_sim`` is one layer, and data flows one way (docs/architecture.md#layers):
a module may import its own layer and the layers below it, never one above.  The one upward
reference allowed is a *view hook*: a value's ``_repr_html_`` / ``_repr_markdown_`` /
``to_text`` / ``to_markdown`` / ``to_html`` / ``to_csv`` method importing its renderer from
``views/`` inside the method, so that nothing is loaded until a front end asks.  Without those
hooks, the import graph has no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "httpsys_sim"

#: Layers from the bottom up.  A module belongs to the first entry that is a prefix of its name.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "httpsys_sim.errors",
        "httpsys_sim._enum",
        "httpsys_sim._values",
        "httpsys_sim._jsonin",
        "httpsys_sim._io",
        "httpsys_sim.schemas",
    ),
    ("httpsys_sim.tls",),
    ("httpsys_sim.catalogue",),
    ("httpsys_sim.windows",),
    ("httpsys_sim.core",),
    ("httpsys_sim.readers",),
    ("httpsys_sim.analysis",),
    ("httpsys_sim.views",),
    ("httpsys_sim.testing", "httpsys_sim.endpoint"),
    (
        "httpsys_sim.cli",
        "httpsys_sim._completion",
        "httpsys_sim._console",
        "httpsys_sim.__main__",
        "httpsys_sim",
    ),
)

#: Methods that may import their renderer from views/ (one-line hooks).
HOOKS = frozenset(
    {"_repr_html_", "_repr_markdown_", "__str__", "to_text", "to_markdown", "to_html", "to_csv"}
)


@attrs.frozen
class Edge:
    """One import: who imports what, where, and whether it is a view hook."""

    source: str
    target: str
    line: int
    hook: bool


def layer_of(module: str) -> int:
    """The rank of ``module``'s layer (0 = bottom)."""
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if prefix == "httpsys_sim" and module != "httpsys_sim":
                    continue
                return rank
    raise LookupError(f"{module} belongs to no layer: add it to LAYERS and to docs/architecture.md")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_module(package: str, name: str) -> bool:
    folder = PACKAGE.parent.joinpath(*package.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def imports_of(source: str, module: str, *, is_package: bool = False) -> Iterator[Edge]:
    """Every ``httpsys_sim`` import in ``source``, outside ``if TYPE_CHECKING:`` blocks."""
    base = module.split(".") if is_package else module.split(".")[:-1]

    def walk(node: ast.AST, function: str | None) -> Iterator[Edge]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, function)
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(child, child.name)
                continue
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    anchor = base[: len(base) - (child.level - 1)]
                    target = ".".join([*anchor, *([child.module] if child.module else [])])
                else:
                    target = child.module or ""
                # ``from httpsys_sim.views import _html`` imports the submodule (and runs the
                # package's ``__init__``, which the submodule's own layer owns).
                modules = [a.name for a in child.names if _is_module(target, a.name)]
                targets = [f"{target}.{name}" for name in modules]
                if len(modules) < len(child.names):
                    targets.append(target)
            for target in targets:
                if target == "httpsys_sim" or target.startswith("httpsys_sim."):
                    hook = (
                        function in HOOKS
                        and target.startswith("httpsys_sim.views")
                        and layer_of(module) < layer_of(target)
                    )
                    yield Edge(module, target, child.lineno, hook)
            yield from walk(child, function)

    yield from walk(ast.parse(source), None)


def package_edges() -> list[Edge]:
    edges: list[Edge] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        edges += imports_of(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
        )
    return edges


def upward(edges: list[Edge]) -> list[str]:
    """Imports of a higher layer that are not view hooks."""
    return [
        f"{e.source}:{e.line} imports {e.target}"
        for e in edges
        if not e.hook and layer_of(e.target) > layer_of(e.source)
    ]


def cycle(edges: list[Edge]) -> list[str] | None:
    """One import cycle among the modules (view hooks left out), or None."""
    graph: dict[str, set[str]] = {}
    modules = {e.source for e in edges} | {module_name(p) for p in PACKAGE.rglob("*.py")}
    for e in edges:
        if e.hook:
            continue
        target = e.target
        while target not in modules and "." in target:  # ``from pkg.mod import name``
            target = target.rsplit(".", 1)[0]
        if target != e.source:
            graph.setdefault(e.source, set()).add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _edges_with(fake: Mapping[str, str]) -> list[Edge]:
    edges = package_edges()
    for module, source in fake.items():
        edges += imports_of(source, module)
    return edges


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_no_layer_imports_a_higher_one() -> None:
    assert upward(package_edges()) == []


def test_no_import_cycle_once_view_hooks_are_left_out() -> None:
    assert cycle(package_edges()) is None


def test_view_hooks_are_the_only_upward_references() -> None:
    hooks = [e for e in package_edges() if e.hook]
    assert hooks, "the values' notebook hooks should be seen"
    assert all(e.target.startswith("httpsys_sim.views.") for e in hooks)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        # the TLS layer reaching for the engine: an upward edge
        (
            "httpsys_sim.tls._bad",
            "def f():\n    from httpsys_sim.core._engine import simulate\n",
            "httpsys_sim.tls._bad:2 imports httpsys_sim.core._engine",
        ),
        # a value that runs the engine from a method that is not a view hook
        (
            "httpsys_sim.core._bad",
            "class R:\n    def fixes(self):\n        from httpsys_sim.analysis._matrix import m\n",
            "httpsys_sim.core._bad:3 imports httpsys_sim.analysis._matrix",
        ),
        # a model module importing a formatter outside a hook
        (
            "httpsys_sim.catalogue._bad",
            "from httpsys_sim.views import _html\n",
            "httpsys_sim.catalogue._bad:1 imports httpsys_sim.views",
        ),
    ],
)
def test_the_check_catches_a_wrong_import(module: str, source: str, expected: str) -> None:
    found = upward(_edges_with({module: source}))
    assert any(line.startswith(expected) for line in found), found


def test_the_check_catches_a_cycle() -> None:
    edges = _edges_with(
        {
            "httpsys_sim.core._a": "from httpsys_sim.core._b import x\n",
            "httpsys_sim.core._b": "def f():\n    from httpsys_sim.core._a import y\n",
        }
    )
    found = cycle(edges)
    assert found is not None
    assert "httpsys_sim.core._a" in found
    assert "httpsys_sim.core._b" in found


def test_type_checking_imports_do_not_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from httpsys_sim.views import x\n"
    )
    assert list(imports_of(source, "httpsys_sim.core._ok")) == []


def test_importing_the_package_loads_nothing_but_the_package() -> None:
    code = (
        "import sys, httpsys_sim\n"
        "print(sorted(m for m in sys.modules if m.startswith('httpsys_sim')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "['httpsys_sim']"


@pytest.mark.parametrize("package", ["httpsys_sim", "httpsys_sim.testing"])
def test_every_lazy_name_is_declared_for_type_checkers_and_docs(package: str) -> None:
    """A lazy package's ``_LAZY`` table, its ``TYPE_CHECKING`` imports and its ``__all__`` name
    the same things: Python reads the first, type checkers and the API reference the others."""
    import importlib

    module = importlib.import_module(package)
    path = PACKAGE.parent.joinpath(*package.split(".")) / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declared: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                if isinstance(child, ast.ImportFrom) and child.module:
                    declared.update({a.name: child.module for a in child.names})
    lazy = dict(module._LAZY)
    assert declared == lazy
    assert set(module.__all__) - {"__version__"} == set(lazy)
