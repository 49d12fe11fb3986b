"""Values never run the engine, and views only read what they are given.

Rendering a result with its remedies simulates the scenario once and each remedy candidate
once — however many formats show it (docs/architecture.md#layers).
"""

from __future__ import annotations

import pytest

import httpsys_sim as hs
from httpsys_sim.cli import main
from httpsys_sim.core import _engine
from httpsys_sim.core._fixes import _CANDIDATES
from httpsys_sim.views._html import result_html
from httpsys_sim.views._markdown import result_markdown
from httpsys_sim.views._mermaid import result_mermaid
from httpsys_sim.views._text import result_text


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[hs.Scenario]:
    """Every scenario the engine simulates while the test runs."""
    seen: list[hs.Scenario] = []
    original = _engine._Run.__init__

    def counting(self: _engine._Run, scenario: hs.Scenario, memo: _engine.Memo) -> None:
        seen.append(scenario)
        original(self, scenario, memo)

    monkeypatch.setattr(_engine._Run, "__init__", counting)
    return seen


def _candidates(scenario: hs.Scenario) -> int:
    return sum(len(list(candidate(scenario))) for candidate in _CANDIDATES)


@pytest.mark.parametrize("release", ["win11-24h2", "server-2022"])
def test_views_of_a_result_with_its_fixes_run_the_engine_once_per_candidate(
    runs: list[hs.Scenario], release: str
) -> None:
    scenario = hs.Scenario.seed(release)
    result = hs.simulate(scenario)
    assert len(runs) == 1
    fixes = hs.find_fixes(result)
    assert fixes, "the seed fails, so it has remedies"
    assert len(runs) == 1 + _candidates(scenario)
    before = len(runs)
    result_text(result, fixes=fixes)
    result_markdown(result, fixes=fixes)
    result_html(result, fixes=fixes)
    result_mermaid(result)
    result.to_json(fixes=fixes)
    result.explain()
    result._repr_html_()
    result._repr_markdown_()
    result.to_text(fixes=fixes)
    result.to_markdown(fixes=fixes)
    result.to_html(fixes=fixes)
    assert len(runs) == before, "a view or a value ran the engine"


def test_a_result_s_format_methods_are_the_views() -> None:
    result = hs.simulate(hs.Scenario.seed())
    fixes = hs.find_fixes(result)
    assert result.to_text() == str(result) == result_text(result)
    assert result.to_text(fixes=fixes) == result_text(result, fixes=fixes)
    assert fixes[0].title in result.to_text(fixes=fixes)
    assert fixes[0].title not in result.to_text()
    assert result.to_text(width=60) == result_text(result, width=60)
    assert max(map(len, result.to_text(width=60).splitlines())) <= 60
    assert result.to_markdown() == result._repr_markdown_()
    assert result.to_markdown(fixes=fixes) == result_markdown(result, fixes=fixes)
    assert result.to_html() == result._repr_html_()
    assert result.to_html(fixes=fixes) == result_html(result, fixes=fixes)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "mermaid"])
def test_the_cli_simulates_once_and_each_candidate_once(
    runs: list[hs.Scenario], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--format", fmt]) == 0
    capsys.readouterr()
    expected = 1 + (0 if fmt == "mermaid" else _candidates(hs.Scenario.seed()))
    assert len(runs) == expected


def test_a_result_has_no_method_that_simulates() -> None:
    assert not hasattr(hs.Result, "fixes")
