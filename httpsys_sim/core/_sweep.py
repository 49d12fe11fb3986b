"""Many scenarios at once: :class:`Sweep` and :func:`simulate_many`.

A sweep simulates each scenario exactly as :func:`~httpsys_sim.simulate` does, but works out
what scenarios have in common once: each distinct TLS exchange (both machines' work for one
connection), server set-up, client set-up and client end, and the typed value of each
distinct step.  The caches are bounded (``functools.lru_cache``: the least recently used
entry goes first) and belong to the :class:`Sweep` object, so nothing is kept once it is
gone; :func:`~httpsys_sim.simulate` on its own keeps nothing.  Every result is identical to
the one ``simulate`` gives.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from httpsys_sim.core._engine import DIRECT, Memo, simulate_with
from httpsys_sim.core._exchange import Exchange, run_exchange
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.tls import ClientConfig, ServerConfig

__all__ = ["DEFAULT_CACHE_SIZE", "Sweep", "simulate_many"]

#: Entries each of a sweep's caches keeps: the 17 280 scenarios of the benchmark need about
#: 960 distinct TLS exchanges and fewer of every other kind.
DEFAULT_CACHE_SIZE = 4096


class Sweep:
    """Simulates scenarios one after another, working out what they share once.

    >>> import httpsys_sim as hs
    >>> sweep = hs.Sweep()
    >>> sweep.simulate(hs.Scenario.seed()) == hs.simulate(hs.Scenario.seed())
    True
    """

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"cache_size must be a positive integer, not {cache_size!r}")
        self.cache_size = cache_size

        # The functions simulate() calls, each behind a bounded cache of this sweep's own.
        bounded = functools.lru_cache(maxsize=cache_size)

        # One exchange per distinct pair of ends, the late demand made whenever the connection
        # allows it: a run that demands nothing late never reads it (core/_engine.py,
        # late_demand), so scenarios that differ only in whether they demand share the work.
        @bounded
        def pair_exchange(server: ServerConfig, client: ClientConfig) -> Exchange:
            return run_exchange(server, client, True)

        def exchange(server: ServerConfig, client: ClientConfig, demand_late: bool) -> Exchange:
            return pair_exchange(server, client)

        self._memo = memo = Memo(
            client=bounded(DIRECT.client),
            server=bounded(DIRECT.server),
            client_config=bounded(DIRECT.client_config),
            exchange=exchange,
            record=bounded(DIRECT.record),
            confidence=bounded(DIRECT.confidence),
            step=bounded(DIRECT.step),
            answer=bounded(DIRECT.answer),
        )
        # Every cache (``cache_info()`` says how full each is), the exchanges' first.
        self._exchanges = pair_exchange
        self._caches = (
            pair_exchange,
            memo.client,
            memo.server,
            memo.client_config,
            memo.record,
            memo.confidence,
            memo.step,
            memo.answer,
        )

    def simulate(self, scenario: Scenario) -> Result:
        """The result :func:`~httpsys_sim.simulate` gives for ``scenario``."""
        if not isinstance(scenario, Scenario):
            raise TypeError(f"simulate() takes a Scenario, not {type(scenario).__name__}")
        return simulate_with(scenario, self._memo)

    def simulate_many(self, scenarios: Iterable[Scenario]) -> Iterator[Result]:
        """The results of ``scenarios``, in order, one at a time."""
        for scenario in scenarios:
            yield self.simulate(scenario)


def simulate_many(
    scenarios: Iterable[Scenario], *, cache_size: int = DEFAULT_CACHE_SIZE
) -> Iterator[Result]:
    """Simulate ``scenarios`` in order, yielding each result as :func:`simulate` would.

    Each distinct TLS exchange and set-up is worked out once for the whole sweep (bounded
    caches of ``cache_size`` entries, dropped with the iterator).
    """
    return Sweep(cache_size).simulate_many(scenarios)
