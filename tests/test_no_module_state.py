"""No module-level mutable state in ``httpsys_sim``: memos live in the sweep that uses them.

An AST walk over every module: a module-level (or class-level) assignment of a dict, list
or set display or comprehension, or of a call that builds a mutable container or a memo
(``dict()``, ``defaultdict()``, ``lru_cache`` …), fails; so does a module-level function
decorated with a cache.  Read-only wrappers (``MappingProxyType``, ``frozenset``,
``tuple``) are fine, since only the outermost value counts, and so are build-time
temporaries the module deletes (``del``) once it made its read-only copy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "httpsys_sim"

#: Calls whose result is mutable (or a memo) when assigned at module or class level.
MUTABLE_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "bytearray",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "deque",
        "ChainMap",
        "WeakValueDictionary",
        "WeakKeyDictionary",
        "lru_cache",
        "cache",
    }
)
MUTABLE_NODES = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)

#: Names that may be bound to a list: the module's export list and slot declarations are
#: read by Python itself, never changed.
ALLOWED_NAMES = frozenset({"__all__", "__slots__"})


def _called_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _mutable(value: ast.expr | None) -> bool:
    if value is None:
        return False
    if isinstance(value, MUTABLE_NODES):
        return True
    return _called_name(value) in MUTABLE_CALLS


def _targets(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    else:
        return []
    return [ast.unparse(t) for t in targets]


def _deleted(tree: ast.Module) -> set[str]:
    """Names a module deletes at its top level: build-time temporaries, gone after import."""
    return {
        ast.unparse(target)
        for stmt in tree.body
        if isinstance(stmt, ast.Delete)
        for target in stmt.targets
    }


def _offences(tree: ast.Module) -> Iterator[tuple[int, str]]:
    temporaries = _deleted(tree)
    bodies: list[list[ast.stmt]] = [tree.body]
    while bodies:
        for stmt in bodies.pop():
            if isinstance(stmt, ast.ClassDef):
                bodies.append(stmt.body)
            elif isinstance(stmt, (ast.If, ast.Try)):  # module-level `if TYPE_CHECKING:` …
                bodies.append(stmt.body)
                bodies.append(stmt.orelse)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in stmt.decorator_list:
                    name = _called_name(decorator) or ast.unparse(decorator).rsplit(".")[-1]
                    if name in MUTABLE_CALLS:
                        yield stmt.lineno, f"@{ast.unparse(decorator)} on {stmt.name}"
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                names = _targets(stmt)
                if set(names) <= ALLOWED_NAMES | temporaries:
                    continue
                if _mutable(stmt.value):
                    yield stmt.lineno, ", ".join(names)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_walk_sees_every_module() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _modules()}
    assert {"core/_engine.py", "core/_sweep.py", "tls/wire.py", "__init__.py"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_level_mutable_state(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [f"{path.name}:{line}: {what}" for line, what in _offences(tree)]
    assert not found, "module-level mutable state (keep memos in a sweep object): " + "; ".join(
        found
    )


@pytest.mark.parametrize(
    "source",
    [
        "TABLE = {}",
        "TABLE: dict[str, int] = {'a': 1}",
        "SEEN = []",
        "SEEN = set()",
        "CACHE = collections.defaultdict(list)",
        "NAMES = [n for n in 'ab']",
        "class C:\n    registry = {}",
        "if True:\n    TABLE = dict()",
        "@functools.lru_cache(maxsize=None)\ndef f(x): return x",
        "@cache\ndef f(x): return x",
        "_TMP = {}\nTABLE = {}\ndel _TMP",
    ],
)
def test_the_check_catches_mutable_state(source: str) -> None:
    assert list(_offences(ast.parse(source)))


@pytest.mark.parametrize(
    "source",
    [
        "TABLE = MappingProxyType({'a': 1})",
        "NAMES = frozenset({'a'})",
        "ORDER = tuple(['a', 'b'])",
        "__all__ = ['x']",
        "class C:\n    __slots__ = ['a']",
        "def f():\n    seen = {}\n    return seen",
        "_TMP = {'a': 1}\nTABLE = MappingProxyType(dict(_TMP))\ndel _TMP",
    ],
)
def test_the_check_allows_read_only_values(source: str) -> None:
    assert not list(_offences(ast.parse(source)))
