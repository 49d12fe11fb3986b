"""``assert_outcome`` over many results: failures grouped by distinct outcome, the full story
for the first only, and a verbosity switch."""

from __future__ import annotations

import re
from collections import Counter

import pytest

import httpsys_sim as hs
from httpsys_sim.testing import assert_outcome


@pytest.fixture(scope="module")
def table() -> hs.Matrix:
    return hs.matrix(hs.Scenario.seed(), certificates=["valid", "none"])


def failure(results: object, verbosity: int, **expected: object) -> str:
    with pytest.raises(AssertionError) as info:
        assert_outcome(results, verbosity=verbosity, **expected)  # type: ignore[call-overload]
    return str(info.value)


def distinct_failures(table: hs.Matrix) -> Counter[tuple[str, str]]:
    """What the grouping should find, computed independently of it."""
    return Counter(
        (r.outcome.describe(), r.outcome.rule)
        for r in table.cells.values()
        if r.outcome.status != 200
    )


def test_summary_has_one_line_per_distinct_outcome(table: hs.Matrix) -> None:
    expected = distinct_failures(table)
    assert len(expected) >= 3  # the seed matrix fails in several ways
    text = failure(table, 0, status=200)
    header, *rest = text.splitlines()
    assert header.startswith(
        f"httpsys-sim: {sum(expected.values())} of {len(table.cells)} simulated outcomes"
    )
    assert f"{len(expected)} distinct outcomes" in header
    counted = {
        (m.group(2), m.group(3)): int(m.group(1))
        for line in rest
        if (m := re.match(r"\s+(\d+) × (.+) \[([^\]]+)\]$", line))
    }
    assert counted == dict(expected)
    # short whatever the size of the sweep: two lines per outcome, a header and a hint
    assert len(text.splitlines()) == 2 + 2 * len(expected)
    assert "What happened, step by step" not in text


def test_verbosity_chooses_how_many_full_accounts(table: hs.Matrix) -> None:
    groups = distinct_failures(table)
    stories = {
        v: failure(table, v, status=200).count("httpsys-sim: the simulated outcome is not")
        for v in (0, 1, 2, 3)
    }
    assert stories == {0: 0, 1: 1, 2: len(groups), 3: sum(groups.values())}


def test_the_first_account_is_the_first_failure(table: hs.Matrix) -> None:
    first = next(r for r in table.cells.values() if r.outcome.status != 200)
    text = failure(table, 1, status=200)
    assert f"scenario: {first.scenario.describe()}" in text
    assert "Fixes (each re-simulated" in text


def test_many_results_that_pass_are_returned(table: hs.Matrix) -> None:
    ok = [r for r in table.cells.values() if r.outcome.status == 200]
    assert assert_outcome(ok, status=200) == tuple(ok)
    assert assert_outcome(iter(ok), status=200) == tuple(ok)  # any iterable


def test_a_list_groups_like_a_matrix(table: hs.Matrix) -> None:
    assert failure(list(table.cells.values()), 0, status=200) == failure(table, 0, status=200)


def test_one_result_keeps_the_full_report_and_verbosity_zero_trims_it() -> None:
    reset = hs.simulate(hs.Scenario.seed().with_release("win11-23h2"))
    full = failure(reset, 1, status=200)
    short = failure(reset, 0, status=200)
    assert "What happened, step by step" in full
    assert "Fixes (each re-simulated" in full
    assert "What happened, step by step" not in short
    assert "Fixes" not in short
    assert short.splitlines()[:3] == full.splitlines()[:3]
