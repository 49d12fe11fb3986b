"""The TLS configurations' values: versions kept highest first, each once, from members or the
strings users write; anything else refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim.tls import OPENSSL, SCHANNEL, ClientConfig, ServerConfig, TlsVersion


@given(st.lists(st.sampled_from(list(TlsVersion)), max_size=8), st.booleans())
def test_config_versions_highest_first_each_once(versions: list[TlsVersion], spelled: bool) -> None:
    """A configuration keeps the versions it was given, highest first and each once, whether
    they came as members or as the strings users write (``"1.2"``)."""
    given_ = [v.value for v in versions] if spelled else versions
    for config in (
        ServerConfig(personality=SCHANNEL, versions=given_),  # type: ignore[arg-type]
        ClientConfig(personality=OPENSSL, versions=given_),  # type: ignore[arg-type]
    ):
        assert set(config.versions) == set(versions)
        assert len(config.versions) == len(set(versions))
        ranks = [v.rank for v in config.versions]
        assert ranks == sorted(ranks, reverse=True)
        assert all(type(v) is TlsVersion for v in config.versions)


@pytest.mark.parametrize("bad", [("1.9",), (TlsVersion.TLS13, "SSLv3"), (None,)])
def test_config_versions_refuse_what_is_not_a_version(bad: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="not TLS versions"):
        ServerConfig(personality=SCHANNEL, versions=bad)
