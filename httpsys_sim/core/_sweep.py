"""Many scenarios at once: :class:`Sweep` and :func:`simulate_many`.

A sweep simulates each scenario exactly as :func:`~httpsys_sim.simulate` does, but works out
what scenarios have in common once: each distinct TLS exchange (both machines' work for one
pair of ends), connection (server end, client capabilities, offer), server set-up and client
set-up, and the typed value of each distinct step.  The caches are bounded
(``functools.lru_cache``: the least recently used entry goes first; those of the set-ups: the
oldest) and belong to the :class:`Sweep` object, so nothing is kept once it is gone;
:func:`~httpsys_sim.simulate` on its own keeps nothing.
Every result is identical to the one ``simulate`` gives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Generic, NamedTuple, TypeVar

import attrs

from httpsys_sim.core._engine import (
    DIRECT,
    Memo,
    ServerSide,
    exchange,
    server_side,
    simulate_each,
    simulate_with,
)
from httpsys_sim.core._exchange import run_exchange
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.tls import ServerConfig
from httpsys_sim.windows._binding import SslBinding

__all__ = ["DEFAULT_CACHE_SIZE", "Sweep", "simulate_many"]

#: Entries each of a sweep's caches keeps: the 17 280 scenarios of the benchmark need about
#: 960 distinct TLS exchanges and fewer of every other kind.
DEFAULT_CACHE_SIZE = 4096


_V = TypeVar("_V")


class CacheInfo(NamedTuple):
    """How a cache has done, as ``functools.lru_cache``'s ``cache_info()`` says it."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


def _values_reader(
    name: str, argument: str, parts: dict[str, tuple[str, type, tuple[str, ...]]]
) -> Callable[[Any], tuple[Any, ...]]:
    """A function ``name(argument)`` giving the values of the fields of attrs parts in one
    flat tuple.  ``parts`` maps a local name to the expression that reaches the part from
    ``argument``, the part's attrs class and the fields to leave out; for ``{"server":
    ("scenario.server", ServerSetup, ("binding",))}`` it is, written out::

        def name(scenario):
            server = scenario.server
            return (server.release, server.host, ...)

    with every field of the class in its order, so a field added later is read too.  The
    function is compiled from that text, as attrs builds a class's ``__init__``: plain
    attribute reads, which the interpreter specialises for slots, take less than half the
    time of ``operator.attrgetter``'s generic look-up of each name (docs/architecture.md#speed).
    """
    lines = [f"def {name}({argument}):"]
    values: list[str] = []
    for local, (path, cls, but) in parts.items():
        lines.append(f"    {local} = {path}")
        values += [f"{local}.{f.name}" for f in attrs.fields(cls) if f.name not in but]
    lines.append(f"    return ({', '.join(values)},)")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<httpsys_sim.core._sweep {name}>", "exec"), namespace)
    function: Callable[[Any], tuple[Any, ...]] = namespace[name]
    return function


#: The parts of a server set-up that only the pipeline's certificate checks read
#: (core/_checks.py); ``server_side`` never does (tests/test_sweep.py), so they are no part of
#: its key, and a set-up's look-up does not hash them (a Python-level call each).
_CHECKS_ONLY = ("trust", "revocation", "mapping")

#: The key of a scenario's server side: every field of its server set-up but the parts only
#: the certificate checks read (:data:`_CHECKS_ONLY`), of the set-up's binding and of its
#: request.
_server_key = _values_reader(
    "_server_key",
    "scenario",
    {
        "server": ("scenario.server", ServerSetup, ("binding", *_CHECKS_ONLY)),
        "binding": ("server.binding", SslBinding, ()),
        "request": ("scenario.request", Request, ()),
    },
)
#: The key of a client set-up's capabilities: every field of it.
_CLIENT_KEY = _values_reader("_client_key", "client", {"client": ("client", ClientSetup, ())})


class _ByFieldValues(Generic[_V]):
    """A bounded cache of ``function`` for the scenario's own parts, keyed by their fields'
    values (``key``) rather than by the parts themselves.

    Each scenario brings parts the sweep has not seen as objects, so each is hashed and
    compared once.  Their generated ``__hash__`` and ``__eq__`` run in Python, field by
    field and part within part; one flat tuple of the same values (:func:`_values_reader`)
    is hashed and compared in C, in about half the time (docs/architecture.md#speed).  Equal
    tuples mean equal fields, so the same answer.  The oldest entry goes first when the cache
    is full.
    """

    __slots__ = ("_cache", "_function", "_hits", "_key", "_maxsize", "_misses")

    def __init__(
        self, function: Callable[[Any], _V], key: Callable[[Any], Hashable], maxsize: int
    ) -> None:
        self._function = function
        self._key = key
        self._maxsize = maxsize
        self._cache: dict[Hashable, _V] = {}
        self._hits = self._misses = 0

    def get(self, part: Any) -> _V:
        """``function(part)``, worked out once per distinct key."""
        key = self._key(part)
        cache = self._cache
        try:
            value = cache[key]
        except KeyError:
            self._misses += 1
            value = cache[key] = self._function(part)
            if len(cache) > self._maxsize:
                del cache[next(iter(cache))]
            return value
        self._hits += 1
        return value

    def cache_info(self) -> CacheInfo:
        """Hits, misses, the bound and the entries kept."""
        return CacheInfo(self._hits, self._misses, self._maxsize, len(self._cache))


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
        # allows it (late_always): scenarios that differ only in whether the server demands
        # late share the work.  A connection is first looked up by what the engine knows
        # (server end, client capabilities, offer); a miss builds the client end and looks
        # the pair of ends up, so capabilities that build equal ends share the exchange.
        ends = bounded(run_exchange)
        connection = bounded(functools.partial(exchange, ends=ends))

        # The first server end equal to a given one this sweep saw: the sides of different
        # set-ups share it, so a connection's look-up finds its key by identity.
        canonical: Callable[[ServerConfig], ServerConfig] = bounded(lambda end: end)

        def side(scenario: Scenario) -> ServerSide:
            found = server_side(scenario)
            quic = found.quic
            return found._replace(
                tcp=canonical(found.tcp), quic=None if quic is None else canonical(quic)
            )

        clients = _ByFieldValues(DIRECT.client, _CLIENT_KEY, cache_size)
        servers = _ByFieldValues(side, _server_key, cache_size)
        self._memo = memo = Memo(
            client=clients.get,
            server=servers.get,
            exchange=connection,
            record=bounded(DIRECT.record),
            confidence=bounded(DIRECT.confidence),
            finish=bounded(DIRECT.finish),
            step=bounded(DIRECT.step),
            answer=bounded(DIRECT.answer),
            late_always=True,
        )
        # Every cache (``cache_info()`` says how full each is), the pairs of ends' first.
        self._exchanges = ends
        self._caches = (
            ends,
            connection,
            canonical,
            clients,
            servers,
            memo.record,
            memo.confidence,
            memo.finish,
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
        return simulate_each(scenarios, self._memo)


def simulate_many(
    scenarios: Iterable[Scenario], *, cache_size: int = DEFAULT_CACHE_SIZE
) -> Iterator[Result]:
    """Simulate ``scenarios`` in order, yielding each result as :func:`simulate` would.

    Each distinct TLS exchange and set-up is worked out once for the whole sweep (bounded
    caches of ``cache_size`` entries, dropped with the iterator).
    """
    return Sweep(cache_size).simulate_many(scenarios)
