"""Many scenarios at once: :class:`Sweep` and :func:`simulate_many`.

A sweep simulates each scenario exactly as :func:`~httpsys_sim.simulate` does, but keeps
what parts of scenarios have in common: each distinct TLS exchange (both machines' work for
one connection), server set-up, client set-up and configuration is worked out once and
reused.  The caches are bounded (the oldest entries go first) and belong to the
:class:`Sweep` object: nothing is kept once it is gone, and :func:`~httpsys_sim.simulate`
on its own keeps nothing.  Every result is identical to the one ``simulate`` gives.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from httpsys_sim.core._engine import Memo, client_caps, simulate_with
from httpsys_sim.core._exchange import run_exchange
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import Scenario

__all__ = ["DEFAULT_CACHE_SIZE", "Bounded", "Sweep", "simulate_many"]

#: Entries each of a sweep's caches keeps (the 11 520 benchmark scenarios need about 800
#: TLS exchanges).
DEFAULT_CACHE_SIZE = 4096

K = TypeVar("K")
V = TypeVar("V")


class Bounded(dict[K, V], Generic[K, V]):
    """A dict that keeps at most ``maxsize`` entries, dropping the oldest first.

    Lookups are plain dict lookups (a sweep makes several per scenario).
    """

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def __setitem__(self, key: K, value: V) -> None:
        if key not in self and len(self) >= self.maxsize:
            for oldest in self:  # insertion order: the first key is the oldest
                with contextlib.suppress(KeyError):  # another thread may have dropped it
                    del self[oldest]
                break
        super().__setitem__(key, value)


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
            client=functools.lru_cache(maxsize=cache_size)(client_caps),
            servers=Bounded(cache_size),
            client_ends=Bounded(cache_size),
            confidences=Bounded(cache_size),
            steps=Bounded(4 * cache_size),
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
