"""Short reprs that read as Python: what differs from the seed, rebuilt by ``eval``."""

from __future__ import annotations

from hypothesis import given

import httpsys_sim as hs
from httpsys_sim import Scenario
from httpsys_sim.testing.strategies import scenarios


@given(scenarios())
def test_a_scenarios_repr_rebuilds_it(s: hs.Scenario) -> None:
    text = repr(s)
    assert eval(text, {"Scenario": Scenario}) == s


def test_the_seeds_repr_is_short() -> None:
    assert repr(hs.Scenario.seed()) == "Scenario.seed()"
    assert repr(hs.Scenario.seed("server-2022")) == "Scenario.seed('server-2022')"
    variant = hs.Scenario.seed().with_binding(disable_tls13=True)
    assert repr(variant) == ("Scenario.from_dict({'server': {'binding': {'disable_tls13': True}}})")
