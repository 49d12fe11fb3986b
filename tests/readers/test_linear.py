"""The readers take time linear in their input: ten times the input, about ten times the time.

Each test times the same reader on an input of size n and of size 10 n (best of three runs,
so a busy machine does not decide) and checks the ratio, not a clock: a quadratic path
gives about 100, a linear one about 10; the bound 30 leaves room for noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from httpsys_sim.readers._appconfig import parse_application_host_config
from httpsys_sim.readers._netsh import parse_netsh_sslcert
from httpsys_sim.readers._regfile import parse_schannel_reg

_BOUND = 30.0


def _best(call: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(make: Callable[[int], str], parse: Callable[[str], object], n: int) -> float:
    small, large = make(n), make(10 * n)
    parse(small)  # warm up imports and caches
    return _best(lambda: parse(large)) / max(_best(lambda: parse(small)), 1e-6)


_NETSH_BLOCK = """
    IP:port                      : 0.0.0.0:443
    Certificate Hash             : 3f2e1d0c9b8a79685746352413021f0e0d0c0b0a
    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}
    Certificate Store Name       : My
    Verify Client Certificate Revocation : Enabled
    Verify Revocation Using Cached Client Certificate Only : Disabled
    Usage Check                  : Enabled
    Revocation Freshness Time    : 0
    URL Retrieval Timeout        : 0
    Ctl Identifier               : a%sb
    Ctl Store Name               : (null)
    DS Mapper Usage              : Disabled
    Negotiate Client Certificate : Disabled
"""


def test_netsh_runs_of_spaces_inside_a_value_are_linear() -> None:
    def make(n: int) -> str:
        return "SSL Certificate bindings:\n----\n" + _NETSH_BLOCK % (" " * n)

    def parse(text: str) -> object:
        (binding,) = parse_netsh_sslcert(text)
        assert binding.binding.ctl_identifier is not None
        return binding

    assert _ratio(make, parse, 2_000) < _BOUND


def test_netsh_runs_of_spaces_inside_a_label_are_linear() -> None:
    def make(n: int) -> str:
        text = "SSL Certificate bindings:\n----\n" + _NETSH_BLOCK % ""
        return text + "    Some" + " " * n + "Label : x\n"

    assert _ratio(make, parse_netsh_sslcert, 2_000) < _BOUND


_KEY = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\SslBindingInfo"


def test_reg_key_deletions_are_linear() -> None:
    def make(n: int) -> str:
        lines = ["Windows Registry Editor Version 5.00", ""]
        for i in range(n):
            lines += [f"[{_KEY}\\10.0.{i // 250}.{i % 250}:443]", '"DefaultFlags"=dword:00000002']
        for i in range(n):
            lines.append(f"[-{_KEY}\\10.0.{i // 250}.{i % 250}:443]")
        lines += [f"[{_KEY}\\0.0.0.0:443]", '"DefaultFlags"=dword:00000040', ""]
        return "\r\n".join(lines)

    def parse(text: str) -> object:
        export = parse_schannel_reg(text)
        assert dict(export.binding_flags) == {"0.0.0.0:443": 0x40}
        return export

    assert _ratio(make, parse, 800) < _BOUND


def _config(n: int) -> str:
    sites = "".join(
        f'<site name="S{i}" id="{i + 1}"><bindings><binding protocol="https" '
        f'bindingInformation="*:443:s{i}.test" sslFlags="1" /></bindings></site>'
        for i in range(n)
    )
    locations = "".join(
        f'<location path="S{i}/admin" overrideMode="Allow"><system.webServer><security>'
        f'<access sslFlags="Ssl,SslNegotiateCert" /></security></system.webServer></location>'
        for i in range(n)
    )
    return (
        "<configuration><system.applicationHost><sites>"
        + sites
        + "</sites></system.applicationHost>"
        + locations
        + "</configuration>"
    )


def test_appconfig_location_and_site_look_ups_are_linear() -> None:
    def parse(text: str) -> object:
        config = parse_application_host_config(text)
        for site in config.sites:
            paths = config.paths_with_access_flags(site.name)
            assert [p for p, _, _ in paths] == ["/", "/admin"]
            config.site(site.name)
        return config

    assert _ratio(_config, parse, 1_000) < _BOUND
