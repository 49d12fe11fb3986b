"""The hosts matrix is drawn by the same views as the release matrix (views/_grid.py): text
with colour and width, Markdown, CSV, a notebook fragment and a self-contained page."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

import httpsys_sim as hs
from httpsys_sim.cli import main
from httpsys_sim.core._result import category, host_cell_text
from httpsys_sim.views._grid import host_grid, matrix_grid
from httpsys_sim.views._text import grid_text, matrix_text

HOSTS = ["iis", "aspnetcore-httpsys:AllowRenegotation", "kestrel:DelayCertificate"]
CLIENTS = ["edge", "curl", "python-requests"]


@pytest.fixture(scope="module")
def hm() -> hs.HostMatrix:
    return hs.host_matrix(
        hs.Scenario.seed(),
        hosts=HOSTS,
        releases=["win10-22h2", "server-2025"],
        clients=CLIENTS,
        certificates=["valid", "none"],
    )


def _cells(hm: hs.HostMatrix) -> list[list[hs.Result]]:
    return [
        [hm.cells[(rid, spec, client, cert)] for rid, spec, _ in hm.columns()]
        for client, cert in hm.rows()
    ]


@pytest.mark.parametrize("width", [None, 200, 100, 60])
def test_the_release_matrix_text_is_the_grid_text(width: int | None) -> None:
    m = hs.matrix(hs.Scenario.seed(), certificates=["valid", "none"])
    for colour in (False, True):
        assert grid_text(matrix_grid(m), colour=colour, width=width) == matrix_text(
            m, colour=colour, width=width
        )


def test_hosts_text_shows_every_cell_in_its_row(hm: hs.HostMatrix) -> None:
    text = hm.to_text()
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("client "))
    assert header.split() == ["client", *(label for _, _, label in hm.columns())]
    for (client, cert), results in zip(hm.rows(), _cells(hm), strict=True):
        label = f"{client} ({cert.value})"
        row = next(line for line in lines if line.startswith(label + " "))
        assert row[len(label) :].split() == " ".join(map(host_cell_text, results)).split()
    assert "what the ASP.NET Core application observed" in text
    assert "Legend:" in text


def test_hosts_text_keeps_within_the_width_and_colours_by_category(hm: hs.HostMatrix) -> None:
    narrow = hm.to_text(width=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert "Columns: W10/iis win10-22h2/iis" in narrow
    assert "W10/httpsys:Reneg win10-22h2/aspnetcore-httpsys:AllowRenegotation" in narrow.replace(
        "\n         ", " "
    )
    coloured = hm.to_text(colour=True)
    assert coloured.count("\x1b[0m") == sum(len(row) for row in _cells(hm))
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).split() == hm.to_text().split()
    assert "\x1b[" not in hm.to_text()


def test_hosts_markdown_is_a_table_with_escaped_cells(hm: hs.HostMatrix) -> None:
    md = hm.to_markdown()
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(list(hm.rows()))
    assert all(line.count(" | ") == len(list(hm.columns())) for line in rows)
    if any("*" in host_cell_text(r) for row in _cells(hm) for r in row):
        assert "\\*" in md
    assert hm._repr_markdown_() == md


def test_hosts_csv_has_one_line_per_cell(hm: hs.HostMatrix) -> None:
    table = list(csv.DictReader(io.StringIO(hm.to_csv())))
    assert len(table) == sum(len(row) for row in _cells(hm))
    first = table[0]
    rid, spec, _ = next(iter(hm.columns()))
    client, cert = next(iter(hm.rows()))
    assert (first["release"], first["host"], first["client"], first["certificate"]) == (
        rid,
        spec,
        client,
        cert.value,
    )
    assert first["short"] == host_cell_text(hm.cells[(rid, spec, client, cert)])


def test_hosts_page_has_a_coloured_cell_and_an_explanation_per_result(
    hm: hs.HostMatrix,
) -> None:
    page = hm.to_html()
    results = [r for row in _cells(hm) for r in row]
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>httpsys-sim: hosts side by side</h1>" in page
    assert page.count("data-detail=") == len(results) == page.count("<section id=")
    for r in results:
        assert f'class="{category(r)}" title="{html.escape(r.explain())}"' in page
    assert "what the ASP.NET Core application observed" in page


def test_hosts_fragment_for_notebooks(hm: hs.HostMatrix) -> None:
    fragment = hm._repr_html_()
    assert "<!DOCTYPE" not in fragment
    assert fragment.count("<td ") == sum(len(row) for row in _cells(hm))
    assert "Hosts side by side" in fragment


def test_grid_rows_and_columns_follow_the_matrix(hm: hs.HostMatrix) -> None:
    grid = host_grid(hm)
    assert [c.head for c in grid.columns] == [label for _, _, label in hm.columns()]
    assert [row.results for row in grid.rows] == [tuple(r) for r in _cells(hm)]


def test_cli_hosts_text_honours_width_and_colour(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["matrix", "--hosts", ",".join(HOSTS), "--releases", "win10-22h2,server-2025"]
    assert main([*args, "--width", "50", "--colour", "always"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert max(len(line) for line in plain.splitlines()) <= 50
    assert main([*args, "--colour", "never"]) == 0
    assert "\x1b[" not in capsys.readouterr().out
