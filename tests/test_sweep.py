"""Sweeps (``simulate_many``) and the lazily typed trace give what ``simulate`` gives."""

from __future__ import annotations

import copy
import pickle

import attrs
from hypothesis import given
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.core._engine import Memo, simulate_with
from httpsys_sim.core._exchange import Exchange, ExchangeInputs, run_exchange
from httpsys_sim.core._result import Trace
from httpsys_sim.core._sweep import Bounded, Sweep
from httpsys_sim.testing.strategies import scenarios


def _typed_copy(result: hs.Result) -> hs.Result:
    """The same result, built from typed steps rather than from the recorded trace."""
    return attrs.evolve(result, steps=tuple(result.steps))


@given(st.lists(scenarios(), min_size=1, max_size=6), st.integers(min_value=1, max_value=4))
def test_a_sweep_gives_byte_identical_results(batch: list[hs.Scenario], cache_size: int) -> None:
    # Small caches make later scenarios hit, miss and evict entries of earlier ones.
    swept = list(hs.simulate_many(batch + batch, cache_size=cache_size))
    assert len(swept) == 2 * len(batch)
    for result, scenario in zip(swept, batch + batch, strict=True):
        alone = hs.simulate(scenario)
        assert result.scenario is scenario
        # Fixes re-simulate with simulate() alone: the rest of the document is the sweep's.
        assert result.to_json(with_fixes=False) == alone.to_json(with_fixes=False)
        assert result.explain() == alone.explain()
        assert result == alone
        assert hash(result) == hash(alone)


@given(scenarios())
def test_the_lazy_trace_equals_the_typed_one(scenario: hs.Scenario) -> None:
    result = hs.simulate(scenario)
    typed = _typed_copy(result)
    assert result == typed
    assert hash(result) == hash(typed)
    assert repr(result) == repr(typed)
    assert repr(result).startswith("Result(scenario=")
    assert f"steps={result.steps!r}" in repr(result)
    assert result.to_json() == typed.to_json()
    assert all(isinstance(step, hs.Step) for step in result.steps)
    assert result.steps is result.steps  # typed once, then kept


def test_results_with_different_steps_differ() -> None:
    result = hs.simulate(hs.Scenario.seed())
    fewer = attrs.evolve(result, steps=result.steps[:-1])
    assert result != fewer
    assert Trace((), result.steps) != Trace((), result.steps[1:])


def test_a_result_survives_pickle_and_copy() -> None:
    result = hs.simulate(hs.Scenario.seed())
    for other in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result), copy.copy(result)):
        assert other == result
        assert other.to_json() == result.to_json()


def test_simulate_many_is_lazy_and_in_order() -> None:
    seeds = [hs.Scenario.seed(r) for r in hs.RELEASES]
    results = hs.simulate_many(iter(seeds))
    first = next(results)
    assert first.scenario is seeds[0]
    assert [r.scenario for r in results] == seeds[1:]


def test_a_sweeps_caches_stay_within_their_bound() -> None:
    sweep = Sweep(cache_size=2)
    batch = [
        hs.Scenario.seed(r).with_client(c, cert)
        for r in list(hs.RELEASES)[:4]
        for c in list(hs.CLIENTS)[:4]
        for cert in ("valid", "none")
        for _ in range(2)  # the second of each pair finds the first's entries
    ]
    for result, scenario in zip(sweep.simulate_many(batch), batch, strict=True):
        assert result == hs.simulate(scenario)  # also types the steps
    memo = sweep._memo
    assert memo.steps is not None
    assert 0 < len(memo.steps) <= 8
    assert memo.servers is not None
    assert len(memo.servers) <= 2
    assert memo.client_ends is not None
    assert len(memo.client_ends) <= 2
    assert memo.confidences is not None
    assert len(memo.confidences) <= 2
    info = memo.exchange.cache_info()  # type: ignore[attr-defined]
    assert info.currsize <= 2
    assert info.hits > 0


def test_bounded_drops_the_oldest_entry() -> None:
    cache: Bounded[str, int] = Bounded(2)
    cache["a"], cache["b"], cache["a"], cache["c"] = 1, 2, 3, 4
    assert dict(cache) == {"b": 2, "c": 4}  # "a" was the first in, so the first out


def test_an_exchange_is_a_pure_function_of_its_inputs() -> None:
    seen: list[ExchangeInputs] = []

    def recording(inputs: ExchangeInputs) -> Exchange:
        seen.append(inputs)
        return run_exchange(inputs)

    for release in ("win11-24h2", "server-2022"):  # TLS 1.3 and TLS 1.2 late demands
        simulate_with(hs.Scenario.seed(release).with_client("curl"), Memo(exchange=recording))
    assert seen
    for inputs in seen:
        a, b = run_exchange(inputs), run_exchange(inputs)
        assert a is not b
        for phase_a, phase_b in ((a.handshake, b.handshake), (a.late, b.late)):
            assert (phase_a is None) == (phase_b is None)
            if phase_a is not None and phase_b is not None:
                assert phase_a.events == phase_b.events
                assert phase_a.wire.rows == phase_b.wire.rows
                assert (phase_a.version, phase_a.cert_requested, phase_a.server_state) == (
                    phase_b.version,
                    phase_b.cert_requested,
                    phase_b.server_state,
                )
    assert any(run_exchange(i).late is not None for i in seen)


def test_simulate_keeps_nothing_between_calls() -> None:
    # simulate() has no sweep: two runs share no recorded wire steps.
    a = hs.simulate(hs.Scenario.seed())
    b = hs.simulate(hs.Scenario.seed())
    assert a == b
    tls_a = [s for s in a.steps if s.layer == "tls" and s.message is not None]
    tls_b = [s for s in b.steps if s.layer == "tls" and s.message is not None]
    assert tls_a
    assert all(x is not y for x, y in zip(tls_a, tls_b, strict=True))


def test_matrix_cells_are_what_simulate_gives() -> None:
    cells = hs.matrix(certificates=["valid", "none"]).cells
    assert len(cells) == 2 * len(hs.RELEASES) * len(hs.CLIENTS)
    for result in cells.values():
        alone = hs.simulate(result.scenario)
        assert result.to_json(with_fixes=False) == alone.to_json(with_fixes=False)
