"""Every view renders for every scenario: totality of the presentation layer.

The engine is total (contract §4 item 10); so must be what shows its results — a view that
crashes on some outcome category is as broken for a user as an engine that does.
"""

from __future__ import annotations

import json

from hypothesis import given

import httpsys_sim as hs
from httpsys_sim.core._result import category, cell_text
from httpsys_sim.testing.strategies import scenarios
from httpsys_sim.views._markdown import result_markdown
from httpsys_sim.views._mermaid import result_mermaid
from httpsys_sim.views._palette import CATEGORIES
from httpsys_sim.views._text import result_text


@given(scenarios())
def test_every_view_renders(s: hs.Scenario) -> None:
    result = hs.simulate(s)
    assert category(result) in CATEGORIES
    assert cell_text(result).startswith(result.outcome.short())
    document = json.loads(result.to_json())
    assert document["outcome"]["kind"] == result.outcome.kind.value
    assert result.outcome.describe() in result_text(result)
    assert result_markdown(result).startswith("### ")
    assert result_mermaid(result).startswith("sequenceDiagram")
    page = result._repr_html_()
    assert "<script" not in page
    assert result._repr_markdown_()
