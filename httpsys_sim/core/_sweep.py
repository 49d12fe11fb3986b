"""Many scenarios at once: :class:`Sweep` and :func:`simulate_many`.

A sweep simulates each scenario exactly as :func:`~httpsys_sim.simulate` does, but keeps
what parts of scenarios have in common: each distinct TLS exchange (both machines' work for
one connection), server set-up, client set-up and configuration is worked out once and
reused.  The caches are bounded (least recently used entries go first) and belong to the
:class:`Sweep` object: nothing is kept once it is gone, and :func:`~httpsys_sim.simulate`
on its own keeps nothing.  Every result is identical to the one ``simulate`` gives.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from httpsys_sim.core._engine import Memo, client_caps, server_plan, simulate_with
from httpsys_sim.core._exchange import run_exchange
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import Scenario

__all__ = ["DEFAULT_CACHE_SIZE", "Lru", "Sweep", "simulate_many"]

#: Entries each of a sweep's caches keeps (the 11 520 benchmark scenarios need about 800
#: TLS exchanges).
DEFAULT_CACHE_SIZE = 4096

K = TypeVar("K")
V = TypeVar("V")


class Lru(OrderedDict[K, V], Generic[K, V]):
    """A mapping that keeps at most ``maxsize`` entries, dropping the least recently used."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        """The value of ``key`` (now the most recently used), or ``default``."""
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.maxsize:
            self.popitem(last=False)


class Sweep:
    """Simulates scenarios one after another, reusing what they have in common.

    >>> import httpsys_sim as hs
    >>> sweep = Sweep()
    >>> a = sweep.simulate(hs.Scenario.seed())
    >>> a == hs.simulate(hs.Scenario.seed())
    True
    """

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        self.cache_size = cache_size
        self._memo = Memo(
            exchange=functools.lru_cache(maxsize=cache_size)(run_exchange),
            server=functools.lru_cache(maxsize=cache_size)(server_plan),
            client=functools.lru_cache(maxsize=cache_size)(client_caps),
            configurations=Lru(cache_size),
        )

    def simulate(self, scenario: Scenario) -> Result:
        """The result :func:`~httpsys_sim.simulate` gives for ``scenario``."""
        return simulate_with(scenario, self._memo)

    def simulate_many(self, scenarios: Iterable[Scenario]) -> Iterator[Result]:
        """The results of ``scenarios``, in order, one at a time."""
        memo = self._memo
        for scenario in scenarios:
            yield simulate_with(scenario, memo)


def simulate_many(
    scenarios: Iterable[Scenario], *, cache_size: int = DEFAULT_CACHE_SIZE
) -> Iterator[Result]:
    """Simulate ``scenarios`` in order, yielding each result as :func:`simulate` would.

    Each distinct TLS exchange and set-up is computed once for the whole sweep (bounded
    caches of ``cache_size`` entries each, dropped when the iterator is).
    """
    return Sweep(cache_size).simulate_many(scenarios)
