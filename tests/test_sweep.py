"""Sweeps and lazy traces change nothing a user can see (docs/architecture.md#speed).

``hs.simulate_many`` (TLS exchanges and set-ups worked out once per sweep) and ``hs.simulate``
(nothing kept) give byte-identical documents, for scenarios drawn over every strategy and for
every scenario of the benchmark (``benchmarks/run.py --check``); a result whose trace was
recorded as rows equals, hashes, prints and pickles as one built from typed steps.
"""

from __future__ import annotations

import ast
import gc
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.core import _engine
from httpsys_sim.core._result import Trace
from httpsys_sim.testing import strategies as hst

ROOT = Path(__file__).resolve().parent.parent


def _document(result: hs.Result) -> str:
    return result.to_json() + repr(result) + result.explain()


@given(st.lists(hst.scenarios(), min_size=1, max_size=6))
def test_a_sweep_gives_what_simulate_gives(scenarios: list[hs.Scenario]) -> None:
    # Several scenarios per sweep, some repeated, so the sweep reuses what it worked out.
    swept = list(hs.simulate_many([*scenarios, *scenarios[:2]]))
    for scenario, result in zip([*scenarios, *scenarios[:2]], swept, strict=True):
        assert _document(result) == _document(hs.simulate(scenario))


@given(hst.scenarios(server=hst.host_setups()))
def test_a_sweep_gives_what_simulate_gives_on_every_host(scenario: hs.Scenario) -> None:
    sweep = hs.Sweep()
    first, again = sweep.simulate(scenario), sweep.simulate(scenario)  # the second from caches
    expected = _document(hs.simulate(scenario))
    assert _document(first) == expected
    assert _document(again) == expected


def test_every_benchmark_scenario_is_identical_in_a_sweep() -> None:
    """``benchmarks/run.py --check`` over the full benchmark set."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run  # benchmarks/run.py
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    report = run.check(run.distinct_scenarios())
    assert report["scenarios"] == len(run.all_scenarios())
    assert report["different"] == 0, report


def test_the_benchmark_reports_every_speed_figure() -> None:
    """``benchmarks/run.py`` prints one JSON line with the figures docs/architecture.md#speed
    names, under those names, each a positive number."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    (line,) = done.stdout.splitlines()
    report = json.loads(line)
    for key in ("ratio_sweep", "ratio_typed", "ratio_single"):
        assert report[key] > 0, key
    for key in ("matrix_s", "import_s", "import_engine_s", "sweep_peak_mb", "handshake_ms"):
        assert isinstance(report[key], float), key
        assert report[key] > 0, key
    assert report["import_s"] < report["import_engine_s"]


@given(hst.scenarios())
def test_a_recorded_trace_equals_the_typed_one(scenario: hs.Scenario) -> None:
    recorded = hs.simulate(scenario)
    typed = hs.Result(
        scenario=recorded.scenario,
        outcome=recorded.outcome,
        connections=recorded.connections,
        steps=recorded.steps,  # typed steps, as any caller would pass them
        iis_log=recorded.iis_log,
        certificate_reached_app=recorded.certificate_reached_app,
        httperr=recorded.httperr,
        iis_certificate=recorded.iis_certificate,
        app_observed=recorded.app_observed,
    )
    fresh = hs.simulate(scenario)  # its trace not yet typed
    assert fresh == typed
    assert typed == hs.simulate(scenario)
    assert hash(hs.simulate(scenario)) == hash(typed)
    assert repr(fresh) == repr(typed)
    assert pickle.loads(pickle.dumps(hs.simulate(scenario))) == typed
    assert attrs.evolve(hs.simulate(scenario)) == typed
    assert _document(fresh) == _document(typed)


def test_steps_are_typed_once_and_kept() -> None:
    result = hs.simulate(hs.Scenario.seed())
    steps = result.steps
    assert steps
    assert all(isinstance(s, hs.Step) for s in steps)
    assert result.steps is steps


def test_a_text_put_off_is_written_when_the_step_is_first_read() -> None:
    written: list[tuple[str, int]] = []

    def write(path: str, status: int) -> str:
        written.append((path, status))
        return f"{path} answered {status}"

    trace = Trace(
        (
            ("iis", "IIS", "serves the request: 200", "R-IIS-1", None, True),
            ("http", "client", (write, ("/secure", 403)), "R-PIPE-1", 0, False),
        )
    )
    assert written == []  # recorded, not yet written
    steps = trace.steps
    assert written == [("/secure", 403)]
    assert [s.event for s in steps] == ["serves the request: 200", "/secure answered 403"]
    assert (steps[1].layer, steps[1].rule, steps[1].connection, steps[1].key) == (
        "http",
        "R-PIPE-1",
        0,
        False,
    )
    assert trace.steps is steps
    assert written == [("/secure", 403)]  # written once


def test_evolve_with_other_steps() -> None:
    result = hs.simulate(hs.Scenario.seed())
    shorter = attrs.evolve(result, steps=result.steps[:3])
    assert shorter.steps == result.steps[:3]
    assert shorter != result
    assert attrs.evolve(result, steps=list(result.steps)) == result


def test_a_trace_compares_only_with_traces() -> None:
    trace = Trace(steps=hs.simulate(hs.Scenario.seed()).steps)
    assert trace != trace.steps
    assert trace == Trace(steps=trace.steps)


def test_a_sweep_shares_exchanges_between_scenarios() -> None:
    sweep = hs.Sweep()
    seeds = [hs.Scenario.seed(r) for r in ("win11-23h2", "win11-24h2", "server-2022")]
    results = [sweep.simulate(s.with_client("curl", c)) for s in seeds for c in ("valid", "none")]
    worked_out = sweep._exchanges.cache_info().misses  # exchanges the TLS machines ran
    assert worked_out < sum(len(r.connections) for r in results)


def test_a_sweep_shares_the_record_of_each_distinct_connection() -> None:
    # Windows 11 23H2 and Server 2022 run curl's two connections alike (R-REQ-2.h2, then
    # HTTP/1.1): the records are equal, so a sweep keeps one of each.
    first, second = (hs.Scenario.seed(r).with_client("curl", "valid") for r in _SAME_TLS)
    sweep = hs.Sweep()
    a, b = sweep.simulate(first), sweep.simulate(second)
    assert a.connections == hs.simulate(first).connections == hs.simulate(second).connections
    assert len(a.connections) == 2
    assert all(x is y for x, y in zip(a.connections, b.connections, strict=True))
    assert sweep._memo.record.cache_info().misses == 2  # type: ignore[attr-defined]


#: Two releases whose connections go alike.
_SAME_TLS = ("win11-23h2", "server-2022")


def test_a_sweep_shares_each_distinct_finished_outcome() -> None:
    # curl's outcome on both releases is a 200 that carries a doubt: the outcome with its
    # confidence and doubts is worked out once, and the second result gets the same value.
    first, second = (hs.Scenario.seed(r).with_client("curl", "valid") for r in _SAME_TLS)
    sweep = hs.Sweep()
    a, b = sweep.simulate(first), sweep.simulate(second)
    assert a.outcome == hs.simulate(first).outcome == hs.simulate(second).outcome
    assert a.outcome.alternatives
    assert a.outcome is b.outcome
    finish = sweep._memo.finish.cache_info()  # type: ignore[attr-defined]
    assert (finish.hits, finish.misses) == (1, 1)


def _access(scenario: hs.Scenario, flags: str) -> hs.Scenario:
    return attrs.evolve(scenario, server=attrs.evolve(scenario.server, access_ssl_flags=flags))


@pytest.mark.parametrize("release", ["server-2019", "server-2025"])
def test_scenarios_that_differ_only_in_a_late_demand_share_one_exchange(release: str) -> None:
    base = hs.Scenario.seed(release).with_client("curl", "valid")
    demands = _access(base, "Ssl,SslNegotiateCert,SslRequireCert")  # IIS asks late
    asks_nothing = _access(base, "SslRequireCert")  # 403.7 without asking (R-IIS-2)
    sweep = hs.Sweep()
    asked = sweep.simulate(demands)
    assert asked == hs.simulate(demands)
    worked_out = sweep._exchanges.cache_info().misses
    assert worked_out == len(asked.connections)  # each connection's ends differ (ALPN)
    not_asked = sweep.simulate(asks_nothing)
    assert not_asked == hs.simulate(asks_nothing)
    assert not_asked.outcome != asked.outcome
    assert sweep._exchanges.cache_info().misses == worked_out  # nothing worked out again


def test_a_sweeps_caches_are_bounded() -> None:
    sweep = hs.Sweep(cache_size=2)
    for release in hs.RELEASES:
        sweep.simulate(hs.Scenario.seed(release))
    assert len(sweep._caches) == sum(callable(f) for f in sweep._memo) + 2  # ends, canonical
    for cache in sweep._caches:
        assert cache.cache_info().currsize <= 2  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="cache_size"):
        hs.Sweep(cache_size=0)


def test_simulate_many_yields_in_order_and_lazily() -> None:
    seeds = [hs.Scenario.seed(r) for r in ("win11-24h2", "server-2022")]
    results = hs.simulate_many(iter(seeds))
    assert next(results).scenario == seeds[0]
    assert next(results).scenario == seeds[1]
    with pytest.raises(StopIteration):
        next(results)


def test_simulate_keeps_nothing() -> None:
    """``simulate()`` on its own goes through the memo-free functions."""
    assert all(not hasattr(f, "cache_info") for f in _engine.DIRECT)


def test_a_sweep_takes_only_scenarios() -> None:
    with pytest.raises(TypeError, match="Scenario"):
        hs.Sweep().simulate("seed")  # type: ignore[arg-type]


@pytest.mark.parametrize("module", ["core/_engine.py", "core/_apphost.py", "core/_checks.py"])
def test_the_engine_reaches_tls_only_through_the_exchange(module: str) -> None:
    """No live TLS machine or wire outside ``core/_exchange.py``: what the engine reads of
    a connection is an exchange's frozen phases, so a sweep can reuse them."""
    tree = ast.parse((ROOT / "httpsys_sim" / module).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"TlsConnection", "Wire"}, module


def _collector_work(run: Callable[[], object]) -> tuple[int, int]:
    """What ``run`` left for the garbage collector: unreachable objects (reference cycles)
    and objects it created that the collector tracks and that are still alive."""
    run()  # anything loaded lazily is loaded now
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        before = len(gc.get_objects())
        kept = run()
        alive = len(gc.get_objects()) - before
        cycles = gc.collect()
    finally:
        if enabled:
            gc.enable()
    del kept
    return cycles, alive


def test_simulating_leaves_no_reference_cycles() -> None:
    """Every object a run makes is freed as soon as its result is: nothing waits for the
    garbage collector (a refused late demand once kept its traceback, and with it both TLS
    machines, alive until a collection)."""
    scenarios = [
        hs.Scenario.seed(release).with_client(client, "none").with_binding(disable_http2=True)
        for release in ("win11-23h2", "win11-24h2", "server-2019", "server-2022")
        for client in hs.CLIENTS
    ]
    cycles, _ = _collector_work(lambda: [hs.simulate(s).explain() for s in scenarios])
    assert cycles == 0
    cycles, _ = _collector_work(lambda: [r.steps for r in hs.simulate_many(scenarios)])
    assert cycles == 0


def test_hashing_a_fresh_scenario_allocates_nothing_the_collector_tracks() -> None:
    """A sweep hashes each fresh scenario part once; caching that hash on the part would
    leave a tracked object behind per part and make a sweep of fresh scenarios pay for full
    collections (docs/architecture.md#speed)."""

    def hash_fresh() -> list[hs.Scenario]:
        fresh = [
            hs.Scenario.seed().with_binding(disable_tls13=bool(i % 2)).with_client("curl")
            for i in range(200)
        ]
        for scenario in fresh:
            hash(scenario.server)
            hash(scenario.client)
            hash(scenario.request)
        return fresh

    def build_fresh() -> list[hs.Scenario]:
        return [
            hs.Scenario.seed().with_binding(disable_tls13=bool(i % 2)).with_client("curl")
            for i in range(200)
        ]

    built = _collector_work(build_fresh)[1]
    hashed = _collector_work(hash_fresh)[1]
    assert built >= 200  # the fresh scenarios themselves
    assert hashed == built


@given(hst.scenarios(), hst.scenarios(), st.data())
def test_a_sweep_keys_set_ups_by_value(a: hs.Scenario, b: hs.Scenario, data: st.DataObject) -> None:
    """The keys of the set-up caches are equal exactly when the set-ups are — for the server,
    apart from the parts only the certificate checks read: one field of the server set-up,
    of one of its parts (the binding, the Schannel settings, …) or of the client set-up
    taken from another scenario changes the key if and only if it changes the set-up, and a
    fresh copy keys alike."""
    from httpsys_sim.core._sweep import _CHECKS_ONLY, _CLIENT_KEY, _server_key

    def keyed(server: hs.ServerSetup) -> hs.ServerSetup:
        """``server`` with the parts the key leaves out taken from ``a``."""
        return attrs.evolve(server, **{name: getattr(a.server, name) for name in _CHECKS_ONLY})

    server_field = data.draw(st.sampled_from([f.name for f in attrs.fields(type(a.server))]))
    part_name = data.draw(
        st.sampled_from(
            [
                f.name
                for f in attrs.fields(type(a.server))
                if f.name != "release" and attrs.has(type(getattr(a.server, f.name)))
            ]
        )
    )
    part = getattr(a.server, part_name)
    part_field = data.draw(st.sampled_from([f.name for f in attrs.fields(type(part))]))
    value = getattr(part, part_field)
    # A switch flipped (so it surely changes), any other field taken from the other scenario.
    other = (
        not value if isinstance(value, bool) else getattr(getattr(b.server, part_name), part_field)
    )
    client_field = data.draw(st.sampled_from([f.name for f in attrs.fields(type(a.client))]))
    servers = [
        attrs.evolve(a.server),
        attrs.evolve(a.server, **{server_field: getattr(b.server, server_field)}),
        attrs.evolve(a.server, **{part_name: attrs.evolve(part, **{part_field: other})}),
        b.server,
    ]
    for server in servers:
        for request in (a.request, b.request):
            same = (keyed(server), request) == (a.server, a.request)
            scenario = hs.Scenario(server=server, client=a.client, request=request)
            assert (_server_key(scenario) == _server_key(a)) is same
    for client in (
        attrs.evolve(a.client),
        attrs.evolve(a.client, **{client_field: getattr(b.client, client_field)}),
        b.client,
    ):
        assert (_CLIENT_KEY(client) == _CLIENT_KEY(a.client)) is (client == a.client)


class _Unreadable:
    """Stands in for a set-up part that must not be read: any attribute read fails."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"server_side read .{name} of a part its key leaves out")


@pytest.mark.parametrize("host", list(hs.Host))
@pytest.mark.parametrize("flags", ["None", "Ssl,SslNegotiateCert", "SslRequireCert"])
def test_the_server_side_never_reads_the_parts_its_key_leaves_out(
    host: hs.Host, flags: str
) -> None:
    # The sweep keys a server side without the certificate checks' parts (trust, revocation,
    # mapping): server_side must not read them, which a stand-in that fails on any read shows.
    from httpsys_sim.core._sweep import _CHECKS_ONLY

    seed = hs.Scenario.seed()
    scenario = _access(attrs.evolve(seed, server=attrs.evolve(seed.server, host=host)), flags)
    expected = _engine.server_side(scenario)
    server = attrs.evolve(scenario.server)
    for name in _CHECKS_ONLY:
        object.__setattr__(server, name, _Unreadable())  # past the validators, on a copy
    assert _engine.server_side(attrs.evolve(scenario, server=server)) == expected


@given(hst.scenarios(), hst.scenarios())
def test_the_server_side_does_not_depend_on_the_certificate_checks(
    a: hs.Scenario, b: hs.Scenario
) -> None:
    from httpsys_sim.core._sweep import _CHECKS_ONLY

    swapped = attrs.evolve(a.server, **{name: getattr(b.server, name) for name in _CHECKS_ONLY})
    assert _engine.server_side(attrs.evolve(a, server=swapped)) == _engine.server_side(a)


def test_a_sweep_works_out_each_distinct_server_set_up_once() -> None:
    sweep = hs.Sweep()
    seed = hs.Scenario.seed("server-2025")
    servers = sweep._caches[4]
    sweep.simulate(seed)
    sweep.simulate(hs.Scenario.from_dict(seed.to_dict()))  # equal, built afresh
    assert servers.cache_info()[:2] == (1, 1)  # type: ignore[attr-defined]
    sweep.simulate(seed.with_binding(disable_tls13=True))
    assert servers.cache_info()[:2] == (1, 2)  # type: ignore[attr-defined]


def test_a_phase_compares_and_hashes_as_itself() -> None:
    """A sweep keys connection records by the phase they carried (``Memo.record``): a phase
    is itself, not the value of its fields, so telling two apart reads none of their
    messages."""
    from httpsys_sim.core._exchange import Phase

    seed = hs.Scenario.seed()
    side = _engine.server_side(seed)
    caps = _engine.client_caps(seed.client)
    exchange = _engine.exchange(
        side.tcp, caps, caps.alpn, seed.client.certificate, False, False, True
    )
    original = exchange.handshake
    twin = Phase(*original)
    assert tuple(twin) == tuple(original)
    assert original == original  # the point: a phase equals itself
    assert original != twin
    assert len({original, twin, original}) == 2


def test_the_engine_builds_a_result_as_calling_its_class_does() -> None:
    """The engine builds each Result with the class's ``__init__`` on an instance from
    ``object.__new__`` (no dict of keywords on the way): the same as calling the class, as
    long as the class adds no ``__new__`` and no metaclass of its own."""
    from httpsys_sim.core._result import Result

    assert Result.__new__ is object.__new__
    assert type(Result) is type
    seed = hs.Scenario.seed()
    built = hs.simulate(seed)
    fields = {a.alias: getattr(built, a.name) for a in attrs.fields(Result)}
    assert Result(**fields) == built
