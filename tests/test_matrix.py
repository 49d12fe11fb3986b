"""The outcome matrix: axes, formats, colour rules, HTML, speed."""

from __future__ import annotations

import csv
import io
import json
import time
from html.parser import HTMLParser

import pytest

import httpsys_sim as hs
from httpsys_sim.analysis._matrix import Matrix, matrix
from httpsys_sim.cli import main
from httpsys_sim.core._result import category
from httpsys_sim.errors import InputError
from httpsys_sim.views._palette import CATEGORIES
from httpsys_sim.views._terminal import terminal_for


@pytest.fixture(scope="module")
def full() -> Matrix:
    return matrix()


def test_default_matrix_is_the_seed_over_every_release_and_client(full: Matrix) -> None:
    m = full
    assert [r.id for r in m.releases] == list(hs.RELEASES)
    assert m.clients == tuple(hs.CLIENTS)
    assert m.base == hs.Scenario.seed()
    # behaviour §7: Edge resets before 24H2 (TLS 1.3 releases) and gets 500.0 from 24H2 on.
    assert m.cell("win11-23h2", "edge").outcome.short() == "RESET"
    assert m.cell("server-2022", "edge").outcome.short() == "RESET"
    assert m.cell("win11-24h2", "edge").outcome.short() == "500.0"
    assert m.cell("win10-22h2", "edge").outcome.short() == "200"


def test_cells_equal_direct_simulation(full: Matrix) -> None:
    m = full
    scenario = hs.Scenario.seed("server-2025").with_client("curl")
    assert m.cell("server-2025", "curl").outcome == hs.simulate(scenario).outcome


def test_axes_can_be_chosen() -> None:
    m = matrix(
        releases=["server-2022", "Windows Server 2025"],
        clients=["chrome"],
        certificates=["valid", "none"],
    )
    assert [r.id for r in m.releases] == ["server-2022", "server-2025"]
    assert len(m.cells) == 4
    text = m.to_text()
    assert "chrome (valid)" in text
    assert "chrome (none)" in text


@pytest.mark.parametrize(
    "kwargs",
    [{"releases": ["win95"]}, {"clients": ["netscape"]}, {"certificates": ["shiny"]}],
)
def test_bad_axes_are_input_errors(kwargs: dict[str, list[str]]) -> None:
    with pytest.raises(InputError):
        matrix(**kwargs)  # type: ignore[arg-type]


def test_text_has_no_colour_unless_asked(full: Matrix) -> None:
    plain = full.to_text()
    assert "\x1b[" not in plain
    coloured = full.to_text(colour=True)
    assert "\x1b[31m" in coloured  # resets are red


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert terminal_for(Tty()).colour
    assert not terminal_for(io.StringIO()).colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal_for(Tty()).colour


def test_markdown_csv_json(full: Matrix) -> None:
    md = full.to_markdown()
    assert md.count("\n| ") >= len(hs.CLIENTS)
    rows = list(csv.DictReader(io.StringIO(full.to_csv())))
    assert len(rows) == len(hs.CLIENTS) * len(hs.RELEASES)
    row = next(r for r in rows if r["release"] == "win11-24h2" and r["client"] == "edge")
    assert (row["status"], row["substatus"], row["hresult"]) == ("500", "0", "0x80070032")
    data = json.loads(full.to_json())
    assert len(data["cells"]) == len(rows)
    assert data["releases"] == list(hs.RELEASES)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str | None]] = []
        self.sections = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td" and "data-detail" in dict(attrs):  # the matrix's cells, not a legend's
            self.cells.append(dict(attrs))
        if tag == "section":
            self.sections += 1


def test_html_is_self_contained_colour_coded_and_explained(full: Matrix) -> None:
    page = full.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src" not in page
    assert "<link" not in page
    parser = _Cells()
    parser.feed(page)
    assert len(parser.cells) == len(hs.CLIENTS) * len(hs.RELEASES)
    assert parser.sections == len(parser.cells)
    classes = {c["class"] for c in parser.cells}
    assert classes <= set(CATEGORIES)
    assert {"reset", "error", "ok"} <= classes
    # Every cell carries its explanation for hover.
    assert all((c.get("title") or "").startswith("Outcome:") for c in parser.cells)


def test_category_of_each_outcome_kind() -> None:
    seed = hs.Scenario.seed
    assert category(hs.simulate(seed("win11-23h2"))) == "reset"
    assert category(hs.simulate(seed("win11-24h2"))) == "error"
    assert category(hs.simulate(seed("win10-22h2"))) == "ok"


def test_default_matrix_renders_well_under_a_second() -> None:
    start = time.perf_counter()
    matrix().to_text()
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json", "html"])
def test_cli_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--format", fmt, "--releases", "server-2022,server-2025"]) == 0
    out = capsys.readouterr().out
    assert "server-2025" in out


def test_package_functions_stay_functions_after_their_modules_load() -> None:
    """``hs.matrix``, ``hs.diagnose`` and ``hs.compare`` are the functions (contract §3),
    even once ``httpsys_sim.analysis._matrix`` / ``.diagnose`` / ``.compare`` are imported."""
    import importlib

    for name in ("matrix", "diagnose", "compare"):
        importlib.import_module(f"httpsys_sim.analysis._{name}")
        assert callable(getattr(hs, name)), name
    assert hs.Diagnosis.__name__ == "Diagnosis"
    assert hs.Comparison.__name__ == "Comparison"


def test_import_does_not_load_the_readers() -> None:
    """The XML readers behind diagnose load on first use, keeping the import fast."""
    import subprocess
    import sys

    code = (
        "import sys, httpsys_sim; "
        "print('httpsys_sim.readers._appconfig' in sys.modules, 'defusedxml' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False"]
