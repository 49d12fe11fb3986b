"""How ``diagnose`` scales with the number of sites (a benchmark, not a timed test).

Generates an applicationHost.config with N sites of realistic variety (SNI, IP-specific,
Central Certificate Store and wildcard bindings; some with DisableTLS13 / DisableHTTP2 site
flags; zero to three applications; access flags at the site root, on /admin, on /api …)
and the matching ``netsh http show sslcert`` listing (SNI bindings, a few negotiating
client certificates), then runs ``diagnose`` over every release × the default clients.
Each size runs in a fresh interpreter so that its peak memory (max RSS) is its own.

    python benchmarks/diagnose_scale.py                 # 1k, 3k, 10k sites
    python benchmarks/diagnose_scale.py --sizes 1000 --keep /tmp/gen   # also write the files

Prints one JSON line per size: sites, findings, seconds (parse + diagnose, wall clock and
CPU time of the process — on a shared machine the CPU time is the steadier figure), ms per
site, peak MB, the load average, and how many distinct configurations were simulated.
Targets (docs/cli.md): 10k sites under 30 s and 400 MB, time per site at 10k no worse than
at 1k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

_APPS = ("/api", "/admin", "/reports")
_NETSH_BLOCK = (
    "    {sel:<29}: {ep}\n"
    "    Certificate Hash             : {hash}\n"
    "    Application ID               : {{4dc3e181-e14b-4a21-b022-59fc669b0914}}\n"
    "    Certificate Store Name       : {store}\n"
    "    Verify Client Certificate Revocation : Enabled\n"
    "    Verify Revocation Using Cached Client Certificate Only : Disabled\n"
    "    Usage Check                  : Enabled\n"
    "    Revocation Freshness Time    : 0\n"
    "    URL Retrieval Timeout        : 0\n"
    "    Ctl Identifier               : (null)\n"
    "    Ctl Store Name               : (null)\n"
    "    DS Mapper Usage              : Disabled\n"
    "    Negotiate Client Certificate : {neg}\n\n"
)


def generate(n: int, seed: int = 15) -> tuple[str, str]:
    """(applicationHost.config, netsh listing) for ``n`` sites, deterministic for a seed."""
    rng = random.Random(seed)
    sites: list[str] = []
    locations: list[str] = []
    netsh = ["SSL Certificate bindings:\n-------------------------\n\n"]
    netsh.append(
        _NETSH_BLOCK.format(
            sel="IP:port", ep="0.0.0.0:443", hash="3f" * 20, store="My", neg="Disabled"
        )
    )
    netsh.append(
        _NETSH_BLOCK.format(
            sel="Central Certificate Store", ep="443", hash="00" * 20, store="My", neg="Disabled"
        )
        .replace("    Certificate Hash             : " + "00" * 20 + "\n", "")
        .replace("    Certificate Store Name       : My\n", "")
    )
    for i in range(n):
        name = f"site{i:05d}"
        host = f"{name}.contoso.test"
        kind = rng.choices(("sni", "ip", "ccs", "wild"), weights=(60, 20, 10, 10))[0]
        extra = rng.choices((0, 4, 32), weights=(85, 5, 10))[0]
        if kind == "sni":
            info, flags = f"*:443:{host}", 1 | extra
            neg = "Enabled" if rng.random() < 0.2 else "Disabled"
            netsh.append(
                _NETSH_BLOCK.format(
                    sel="Hostname:port",
                    ep=f"{host}:443",
                    hash=f"{i:040x}",
                    store="WebHosting",
                    neg=neg,
                )
            )
        elif kind == "ip":
            ip = f"10.{i // 62500}.{(i // 250) % 250}.{i % 250 + 1}"
            info, flags = f"{ip}:443:", extra
            if rng.random() < 0.5:
                netsh.append(
                    _NETSH_BLOCK.format(
                        sel="IP:port", ep=f"{ip}:443", hash=f"{i:040x}", store="My", neg="Disabled"
                    )
                )
        elif kind == "ccs":
            info, flags = f"*:443:{host}", 3 | extra
        else:
            info, flags = "*:443:", extra
        apps = rng.sample(_APPS, rng.choice((0, 0, 1, 1, 2, 3)))
        app_xml = "".join(
            f'<application path="{a}"><virtualDirectory path="/" '
            f'physicalPath="D:\\sites\\{name}{a.replace("/", chr(92))}" /></application>'
            for a in apps
        )
        sites.append(
            f'<site name="{name}" id="{i + 1}"><application path="/">'
            f'<virtualDirectory path="/" physicalPath="D:\\sites\\{name}" /></application>'
            f"{app_xml}<bindings>"
            f'<binding protocol="http" bindingInformation="*:80:{host}" />'
            f'<binding protocol="https" bindingInformation="{info}" sslFlags="{flags}" />'
            "</bindings></site>"
        )
        root = rng.choices(
            (None, "Ssl", "Ssl, SslNegotiateCert", "Ssl, SslNegotiateCert, SslRequireCert"),
            weights=(40, 35, 15, 10),
        )[0]
        if root is not None:
            locations.append(_location(name, root))
        for app in apps:
            if app == "/admin" or rng.random() < 0.3:
                flags_text = rng.choice(("Ssl, SslNegotiateCert, SslRequireCert", "Ssl"))
                locations.append(_location(name + app, flags_text))
    config = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n<configSections>'
        '<sectionGroup name="system.webServer"><sectionGroup name="security">'
        '<section name="access" overrideModeDefault="Deny" /></sectionGroup></sectionGroup>'
        "</configSections>\n<system.applicationHost><sites>\n"
        + "\n".join(sites)
        + "\n</sites></system.applicationHost>\n<system.webServer><security>"
        '<access sslFlags="None" /></security></system.webServer>\n'
        + "\n".join(locations)
        + "\n</configuration>\n"
    )
    return config, "".join(netsh)


def _location(path: str, flags: str) -> str:
    return (
        f'<location path="{path}" overrideMode="Allow"><system.webServer><security>'
        f'<access sslFlags="{flags}" /></security></system.webServer></location>'
    )


def _measure(n: int, keep: str | None) -> dict[str, object]:
    from httpsys_sim.analysis._diagnose import diagnose

    config, netsh = generate(n)
    if keep:
        out = Path(keep)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"applicationHost-{n}.config").write_text(config, encoding="utf-8")
        (out / f"netsh-{n}.txt").write_text(netsh, encoding="utf-8")
    start, cpu = time.perf_counter(), time.process_time()
    report = diagnose(netsh, config)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "sites": n,
        "findings": len(report.findings),
        "releases": len(report.releases),
        "clients": len(report.clients),
        "configurations_simulated": report.simulated_configurations,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "ms_per_site": round(1000 * seconds / n, 3),
        "cpu_ms_per_site": round(1000 * cpu_seconds / n, 3),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_mb": round(peak_kb / 1024, 1),
        "config_mb": round(len(config) / 1e6, 1),
        "netsh_mb": round(len(netsh) / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="comma-separated site counts")
    parser.add_argument("--keep", metavar="DIR", help="also write the generated files here")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(_measure(args.one, args.keep)))
        return 0
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size)]
        if args.keep:
            command += ["--keep", args.keep]
        subprocess.run(command, check=True, timeout=900)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
