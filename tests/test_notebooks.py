"""The example notebooks run top to bottom, headless, and tell the story they promise.

Needs the ``docs`` extra (nbclient, nbformat, ipykernel); CI installs it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def docs_extra() -> tuple[Any, Any]:
    """nbformat and nbclient, or skip: the notebooks need the ``docs`` extra."""
    why = "the docs extra is not installed (pip install '.[docs]'): {} missing"
    nbformat = pytest.importorskip("nbformat", reason=why.format("nbformat"))
    nbclient = pytest.importorskip("nbclient", reason=why.format("nbclient"))
    pytest.importorskip("ipykernel", reason=why.format("ipykernel"))
    return nbformat, nbclient


ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NAMES = ("seed_problem", "protocol_differences")


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_make_notebooks", EXAMPLES / "_make_notebooks.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name: str) -> Any:
    nbformat, nbclient = docs_extra()
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def outputs(cell: Any) -> str:
    """Everything a code cell showed: streams, and every text-like MIME type."""
    parts = []
    for out in cell.get("outputs", []):
        assert out.get("output_type") != "error", out
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/") or mime == "image/svg+xml":
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def cell_with(nb: Any, source_fragment: str) -> Any:
    hits = [c for c in nb.cells if c.cell_type == "code" and source_fragment in c.source]
    assert hits, source_fragment
    return hits[0]


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_generated_and_stored_without_outputs(name: str) -> None:
    nbformat, _ = docs_extra()
    path = EXAMPLES / f"{name}.ipynb"
    assert path.read_text(encoding="utf-8") == generator().render(name), (
        "regenerate with: python examples/_make_notebooks.py"
    )
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def seed_nb() -> Any:
    return run("seed_problem")


@pytest.fixture(scope="module")
def protocol_nb() -> Any:
    return run("protocol_differences")


def test_seed_notebook_shows_the_split_why_and_the_fix(seed_nb: Any) -> None:
    split = outputs(cell_with(seed_nb, "for r in (r23, r24):"))
    assert "RESET" in split
    assert "ERR_CONNECTION_RESET" in split
    assert "500.0" in split
    assert "0x80070032" in split
    matrix_html = outputs(cell_with(seed_nb, "m = hs.matrix(seed"))
    assert '<td class="hs-reset"' in matrix_html
    assert '<td class="hs-error"' in matrix_html
    diagram = cell_with(seed_nb, "sequence_diagram(r24)")
    data = diagram.outputs[0]["data"]
    assert "text/vnd.mermaid" in data
    assert "image/svg+xml" in data
    assert "HTTP 500.0" in data["image/svg+xml"]
    fixed = outputs(cell_with(seed_nb, "fixed = hs.simulate(fix.scenario)"))
    assert "HTTP 200.0 OK" in fixed
    assert "certificate reached the application: True" in fixed
    after = outputs(cell_with(seed_nb, "hs.matrix(fix.scenario"))
    assert '<td class="hs-ok"' in after
    assert '<td class="hs-' not in after.replace('<td class="hs-ok"', "")


def test_protocol_notebook_shows_encryption_and_the_http2_retry(protocol_nb: Any) -> None:
    flags = outputs(cell_with(protocol_nb, "def client_certificates(t):"))
    lines = {line.split("client Certificate:")[0].strip(): line for line in flags.splitlines()}
    assert lines["TLS 1.2, in the handshake"].endswith("IN THE CLEAR")
    assert lines["TLS 1.2, renegotiation"].endswith("encrypted")
    assert lines["TLS 1.3, in the handshake"].endswith("encrypted")
    assert lines["TLS 1.3, post-handshake auth"].endswith("encrypted")
    retry = outputs(cell_with(protocol_nb, "for conn in r10.connections:"))
    assert "http2_error:HTTP_1_1_REQUIRED" in retry
    assert "renegotiation response" in retry
    assert "ERR_HTTP_1_1_REQUIRED" in outputs(cell_with(protocol_nb, "no_retry = attrs.evolve("))
    compare_text = outputs(cell_with(protocol_nb, "c = hs.compare(s2022"))
    assert "R-REQ-2.tls13-pha" in compare_text
    assert "R-REQ-2.tls13-reset" in compare_text


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("seed_problem.py", ("RESET", "500.0", "0x80070032", "re-simulated: HTTP 200.0 OK")),
        ("protocol_differences.py", ("IN THE CLEAR", "ERR_HTTP_1_1_REQUIRED", "R-TLS-7")),
    ],
)
def test_terminal_scripts_tell_the_same_story(script: str, expected: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
        check=True,
    )
    for text in expected:
        assert text in done.stdout
