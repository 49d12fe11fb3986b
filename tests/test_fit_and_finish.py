"""Output that fits: terminal widths, pictures inside their viewBox, Mermaid never cut, and an
outcome palette every text of which is readable (WCAG 2.1 AA, 4.5:1)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.cli import main
from httpsys_sim.core._result import OutcomeCategory, category
from httpsys_sim.testing.strategies import scenarios
from httpsys_sim.views._mermaid import result_mermaid
from httpsys_sim.views._palette import PALETTE, contrast_ratio
from httpsys_sim.views._svg import result_svg
from httpsys_sim.views._terminal import terminal_for, wrap
from httpsys_sim.views._text import matrix_text, result_text


def test_every_palette_text_meets_aa_contrast() -> None:
    assert set(PALETTE) == set(OutcomeCategory)
    for cat, swatch in PALETTE.items():
        assert contrast_ratio(swatch.background, swatch.text) >= 4.5, cat


def test_contrast_ratio_is_the_wcag_formula() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


def test_200_star_is_not_coloured_as_success() -> None:
    nocert, ok = PALETTE[OutcomeCategory.NOCERT], PALETTE[OutcomeCategory.OK]
    assert nocert.background != ok.background
    assert nocert.ansi != ok.ansi


@pytest.mark.parametrize("width", [60, 80, 100, 132])
@pytest.mark.parametrize("certificates", [None, ["valid", "none", "untrusted"]])
def test_the_matrix_fits_the_width(width: int, certificates: list[str] | None) -> None:
    table = hs.matrix(hs.Scenario.seed(), certificates=certificates)
    text = matrix_text(table, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    for client in table.clients:  # every row is still there, in every block
        assert any(line.startswith(client) for line in text.splitlines())


def test_a_wide_terminal_gets_one_line_per_client() -> None:
    table = hs.matrix(hs.Scenario.seed())
    lines = matrix_text(table, width=200).splitlines()
    assert sum(line.startswith("edge ") for line in lines) == 1
    assert all(r.id in lines[2] for r in table.releases)


@settings(max_examples=30)
@given(scenarios(), st.sampled_from([40, 80, 120]))
def test_the_report_fits_the_width(s: hs.Scenario, width: int) -> None:
    result = hs.simulate(s)
    text = result_text(result, fixes=hs.find_fixes(result), width=width)
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("command", [["matrix"], ["simulate"], ["releases"], ["rules"]])
def test_columns_80_prints_no_line_over_80(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(command) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80


class _Tty:
    def isatty(self) -> bool:
        return True


class _Pipe:
    def isatty(self) -> bool:
        return False


def test_colour_follows_no_color_force_color_and_the_flag() -> None:
    assert terminal_for(_Tty(), environ={}).colour is True  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), environ={}).colour is False  # type: ignore[arg-type]
    assert terminal_for(_Tty(), environ={"NO_COLOR": "1"}).colour is False  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), environ={"FORCE_COLOR": "1"}).colour is True  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), environ={"FORCE_COLOR": "0"}).colour is False  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), color="always", environ={}).colour is True  # type: ignore[arg-type]
    assert terminal_for(_Tty(), color="never", environ={}).colour is False  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), environ={"COLUMNS": "77"}).width == 77  # type: ignore[arg-type]
    assert terminal_for(_Pipe(), environ={}).width is None  # type: ignore[arg-type]


def test_the_color_flag_colours_matrix_cells(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--clients", "edge", "--color", "always"]) == 0
    coloured = capsys.readouterr().out
    assert "\x1b[" in coloured
    assert main(["matrix", "--clients", "edge", "--color", "never"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


@settings(max_examples=40)
@given(scenarios())
def test_the_sequence_diagram_stays_inside_its_viewbox(s: hs.Scenario) -> None:
    svg = result_svg(hs.simulate(s))
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))  # type: ignore[union-attr]
    for x, w in re.findall(r'<rect x="(-?[\d.]+)" y="[-\d.]+" width="([\d.]+)"', svg):
        assert 0 <= float(x) <= float(x) + float(w) <= width, (x, w)


@settings(max_examples=40)
@given(scenarios())
def test_mermaid_notes_are_wrapped_never_cut(s: hs.Scenario) -> None:
    result = hs.simulate(s)
    text = result_mermaid(result)
    assert "…" not in text
    flat = text.replace("<br/>", " ")
    for step in result.steps:
        if step.layer in ("iis", "tls") and step.message is None:
            words = step.event.replace(";", ",").replace("#", "").split()
            assert all(word.replace("<", "‹").replace(">", "›") in flat for word in words)


def test_the_report_and_reprs_read_well() -> None:
    result = hs.simulate(hs.Scenario.seed())
    assert len(repr(result)) < 300
    assert str(result).startswith("Outcome: HTTP 500.0")
    assert category(result) is OutcomeCategory.ERROR


@given(
    words=st.lists(
        st.text(alphabet="abcdefghij.:/*", min_size=1, max_size=12), min_size=1, max_size=30
    ),
    width=st.integers(min_value=16, max_value=120),
)
def test_a_wrapped_separator_ends_a_line_never_starts_one(words: list[str], width: int) -> None:
    """Text views wrap lists joined with " · ": every line fits the width, the text reads the
    same once the lines are joined again, and no line begins with the separator."""
    text = " · ".join(words)
    lines = wrap(text, width, hang="  ")
    assert all(len(line) <= width for line in lines)
    assert not any(line.lstrip().startswith("·") for line in lines)
    assert " ".join(line.strip() for line in lines) == text
