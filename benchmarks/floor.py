"""The best ratio any design could reach here: a lower bound for ``benchmarks/run.py``.

    python benchmarks/floor.py            # full run
    python benchmarks/floor.py --quick    # a few seconds

Contract §5 asks that one simulated scenario, with its full trace, cost less than 1/200 of one
real TLS 1.3 mutual-auth handshake measured in the same run.  This script asks how close a
pure-Python model *can* get on this machine.  It counts, on the benchmark's own scenarios, the
messages each one puts on the TLS wire, the steps of its trace and its connections, and then
times a loop that does nothing but the work no design keeping that detail can avoid:

* per connection: two ends (a slotted object with a state and a transcript);
* per message: one ``(state, event)`` row lookup, one Python call on the receiving end that
  returns its reply list, a record on that end's transcript and one on the wire log;
* per step: one frozen :class:`~httpsys_sim.core._result.Step` (the real class);
* per scenario: one :class:`~httpsys_sim.core._result.Result` (the real class).

No guards, no effects, no pipeline decisions, no text: a floor, not a design.  Its ratio
(``floor_ratio``) bounds from above what any rewrite keeping the model's granularity could
show in ``run.py`` on this interpreter.  ``floor_without_step_values_*`` repeats it with each
step a plain tuple: what would be left for every decision of the model if the trace gave up
its typed values.  One JSON line, standard library only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

import run  # noqa: E402  (benchmarks/run.py: the same scenarios and handshake)

import httpsys_sim as hs  # noqa: E402
from httpsys_sim.core._result import ConnectionReset, Result, Step  # noqa: E402


class _End:
    """The least a TLS end can be: a state and a transcript."""

    __slots__ = ("records", "state")

    def __init__(self) -> None:
        self.state = 0
        self.records: list[tuple[str, object, int, int]] = []


def _receive(end: _End, table: dict[tuple[int, int], int], message: int) -> list[int]:
    row = table.get((end.state, message), 0)
    end.records.append(("R", message, row, end.state))
    return [message]


def workload(scenarios: list[hs.Scenario]) -> list[tuple[int, int, int]]:
    """``(messages, steps, connections)`` of each scenario, from the real model."""
    out = []
    for scenario in scenarios:
        result = hs.simulate(scenario)
        messages = sum(len(c.wire) for c in result.connections)
        out.append((messages, len(result.steps), max(1, len(result.connections))))
    return out


def _tuple_step(*fields: object) -> tuple[object, ...]:
    return fields


def floor_seconds(
    work: list[tuple[int, int, int]], scenario: hs.Scenario, *, step_values: bool = True
) -> float:
    """Seconds per scenario of the irreducible work (best of five passes).

    ``step_values=False`` records each step as a plain tuple instead of a frozen ``Step``:
    the floor of a design that would give up typed trace values.
    """
    make_step: Callable[..., object] = Step if step_values else _tuple_step
    table = {(state, event): state + event for state in range(40) for event in range(25)}
    outcome = ConnectionReset(rule="R-REQ-2.tls13-reset")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for messages, steps, connections in work:
            wire: list[tuple[int, int, bool, int]] = []
            per_connection = messages // connections
            for _ in range(connections):
                ends = (_End(), _End())
                for i in range(per_connection):
                    receiver = ends[i & 1]
                    for reply in _receive(receiver, table, i % 25):
                        receiver.records.append(("W", reply, 0, receiver.state))
                    wire.append((i & 1, i, True, 0))
            trace = [
                make_step("tls", "client", "finished (encrypted)", "R-TLS-7", 0, False)
                for _ in range(steps)
            ]
            Result(
                scenario=scenario,
                outcome=outcome,
                connections=(),
                steps=tuple(trace),  # type: ignore[arg-type]
                iis_log=None,
                certificate_reached_app=False,
            )
        best = min(best, (time.perf_counter() - start) / len(work))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args()
    scenarios = run.distinct_scenarios(200 if args.quick else None)
    hs_runs = 20 if args.quick else 200
    work = workload(scenarios)
    floor = floor_seconds(work, scenarios[0])
    bare = floor_seconds(work, scenarios[0], step_values=False)
    # simulate() one at a time, as run.py's ratio_single (best of three passes).
    limit = 200 if args.quick else None
    per_second = len(scenarios) / run._best(3, run.single_pass, limit)
    handshake = run.bench_handshake(hs_runs)
    report = {
        "quick": args.quick,
        "scenarios": len(work),
        "messages_per_scenario": round(statistics.mean(w[0] for w in work), 2),
        "steps_per_scenario": round(statistics.mean(w[1] for w in work), 2),
        "floor_scenario_seconds": floor,
        "scenario_seconds": 1 / per_second,
        "handshake_seconds": handshake,
        "floor_ratio": round(handshake / floor, 1),
        "floor_without_step_values_seconds": bare,
        "floor_without_step_values_ratio": round(handshake / bare, 1),
        "ratio": round(handshake * per_second, 2),
        "python": sys.version.split()[0],
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
