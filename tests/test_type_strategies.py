"""``st.from_type`` on httpsys-sim's public value types draws valid values: the package
registers its strategies with Hypothesis (a ``hypothesis`` entry point), so a user's
``st.from_type(hs.Scenario)`` needs no import of ``httpsys_sim.testing.strategies``."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import httpsys_sim as hs
from httpsys_sim.testing import strategies


def test_the_entry_point_is_installed() -> None:
    hooks = {e.name: e.value for e in entry_points(group="hypothesis")}
    assert hooks.get("httpsys_sim") == "httpsys_sim.testing.strategies:_hypothesis_setup_hook"


def test_every_public_value_type_has_a_strategy() -> None:
    public = {getattr(hs, name) for name in hs.__all__ if isinstance(getattr(hs, name), type)}
    registered = set(strategies.type_strategies())
    assert registered <= public
    for name in ("Scenario", "ServerSetup", "ClientSetup", "Request", "Release", "SslBinding"):
        assert getattr(hs, name) in registered, name


@settings(max_examples=60, deadline=None)
@given(st.from_type(hs.Scenario))
def test_from_type_scenario_draws_valid_scenarios(scenario: hs.Scenario) -> None:
    assert isinstance(scenario, hs.Scenario)
    # valid: what the JSON reader accepts, written back and read again unchanged …
    assert hs.Scenario.from_json(scenario.to_json()) == scenario
    # … and what the engine simulates to exactly one outcome
    assert hs.simulate(scenario).outcome.kind in set(hs.OutcomeKind)


def test_from_type_scenario_shrinks_to_the_seed() -> None:
    assert find(st.from_type(hs.Scenario), lambda s: True) == hs.Scenario.seed()


@settings(max_examples=50, deadline=None)
@given(st.from_type(hs.Release))
def test_from_type_release_draws_catalogue_releases(release: hs.Release) -> None:
    assert hs.RELEASES[release.id] == release


@settings(max_examples=30, deadline=None)
@given(
    st.from_type(hs.ClientSetup),
    st.from_type(hs.ClientProfile),
    st.from_type(hs.Rule),
    st.from_type(hs.SslBinding),
)
def test_from_type_draws_catalogue_values(
    client: hs.ClientSetup, profile: hs.ClientProfile, rule: hs.Rule, binding: hs.SslBinding
) -> None:
    assert client.profile in hs.CLIENTS
    assert hs.CLIENTS[profile.id] == profile
    assert hs.RULES[rule.id] == rule
    assert hs.SslBinding.from_dict(binding.to_dict()) == binding


def test_without_the_entry_point_from_type_is_not_ours() -> None:
    """The registration is what makes the difference (so the tests above can fail)."""
    program = (
        "from hypothesis import find, strategies as st\n"
        "import httpsys_sim as hs\n"
        "try:\n"
        "    r = find(st.from_type(hs.Release), lambda r: r.build < 0 or r.id not in hs.RELEASES)\n"
        "    print('made-up', r.id)\n"
        "except Exception as exc:\n"
        "    print('refused', type(exc).__name__)\n"
    )
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout.startswith("made-up"), done.stdout + done.stderr
    # with the entry point, no such release exists
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"},
        timeout=120,
    )
    assert done.stdout.startswith("refused NoSuchExample"), done.stdout + done.stderr


@pytest.mark.parametrize("first", ["strategies", "hypothesis"])
def test_the_strategies_module_may_be_imported_before_hypothesis(first: str) -> None:
    """Sorted imports put ``httpsys_sim`` before ``hypothesis``: importing the strategies
    module first loads Hypothesis, whose entry points then find it half-loaded.  Either
    order works, and registers the type strategies."""
    imports = [
        "from httpsys_sim.testing import strategies as hst",
        "from hypothesis import find, strategies as st",
    ]
    if first == "hypothesis":
        imports.reverse()
    program = "\n".join(
        [
            *imports,
            "import httpsys_sim as hs",
            "print(find(st.from_type(hs.Scenario), lambda s: True) == hs.Scenario.seed())",
            "print(find(hst.scenarios(), lambda s: True) == hs.Scenario.seed())",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
