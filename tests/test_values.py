"""Identity-first equality (``httpsys_sim/_values.py``): the shared values a sweep compares with
themselves answer at once, and compare exactly as attrs says otherwise."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from httpsys_sim._values import identity_first_eq
from httpsys_sim.tls import OPENSSL, SCHANNEL
from httpsys_sim.windows._certchecks import MappingSetup, RevocationSetup, TrustSetup
from httpsys_sim.windows._releases import RELEASES
from httpsys_sim.windows._schannel import SchannelSettings


class _Unequal:
    """A field value that fails the test if anything compares it."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("a field was compared")

    __hash__ = object.__hash__


@identity_first_eq
@attrs.frozen
class _Shared:
    value: Any
    other: int = 0


def test_the_same_object_is_equal_without_comparing_its_fields() -> None:
    shared = _Shared(_Unequal())
    assert shared == shared
    assert not shared != shared  # noqa: SIM202 - attrs' __ne__ goes through __eq__


def test_other_objects_compare_field_by_field() -> None:
    assert _Shared(1) == _Shared(1)
    assert _Shared(1) != _Shared(2)
    assert _Shared(1, 1) != _Shared(1, 2)
    assert _Shared(1) != (1, 0)
    assert _Shared(1).__eq__((1, 0)) is NotImplemented
    assert hash(_Shared(1)) == hash(_Shared(1))


#: The shared values the engine's look-ups compare, one of each class (and a different one).
_SHARED = [
    (RELEASES["server-2022"], RELEASES["server-2025"]),
    (SCHANNEL, OPENSSL),
    (SchannelSettings(), SchannelSettings(disable_reneg_on_server=True)),
    (RevocationSetup(), RevocationSetup(reachable=False)),
    (TrustSetup(), TrustSetup(send_trusted_issuer_list=True)),
    (MappingSetup(), MappingSetup(matches=False)),
]


@pytest.mark.parametrize(("value", "different"), _SHARED, ids=lambda v: type(v).__name__)
def test_shared_values_are_equal_exactly_when_their_fields_are(value: Any, different: Any) -> None:
    copy = attrs.evolve(value)
    assert copy is not value
    assert value == value
    assert value == copy
    assert copy == value
    assert not value != copy  # noqa: SIM202
    assert hash(copy) == hash(value)
    assert value != different
    assert not value == different  # noqa: SIM201
    assert attrs.fields_dict(type(value))  # still an attrs class
    assert type(value).__eq__.__module__ == "httpsys_sim._values", "not identity-first"
