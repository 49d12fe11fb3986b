"""httpsys-sim benchmark: prints one JSON line (docs/architecture.md#speed).

    python benchmarks/run.py            # full run (about a minute)
    python benchmarks/run.py --quick    # a few seconds; CI runs it so the script cannot rot
    python benchmarks/run.py --check    # simulate_many == simulate, byte for byte, every scenario

The scenarios are every combination of release × client × certificate × access flags × three
binding switches (17 280 with today's catalogues; 200 spread evenly over them with
``--quick``), pairwise different.  Measured in the same run, with the standard library only,
against the same real handshake — one TLS 1.3 mutual-auth handshake over 127.0.0.1 with the
``ssl`` module (certificates in ``benchmarks/certs``, test-only keys):

* ``ratio_sweep`` — handshake ÷ time per scenario when all of them go through
  ``hs.simulate_many`` (a fresh sweep each pass: its caches start empty), results complete,
  traces typed only if read (target ≥ 200);
* ``ratio_typed`` — the same, reading every step of every result (target ≥ 100);
* ``ratio_single`` — ``hs.simulate()`` one scenario at a time, nothing kept (target ≥ 50).

The run goes in rounds: each takes ``handshake`` samples and then times the three passes (a
sweep and a typed sweep best of two, single once), so both sides of a ratio see the same
machine load.  A ratio is the median over the rounds of (median handshake of the round ÷ time
per scenario); ``rounds`` lists each round's handshake and ratios.  Also:

* ``handshake_ms`` — median of every handshake sample of the run;
* ``*_us`` — time per scenario of each pass (median over the rounds);
* ``sweep_cold_s`` — the first sweep pass of the process, nothing warmed up;
* ``import_s`` — ``import httpsys_sim`` in a fresh interpreter (median of three; target
  < 0.1 s), ``import_engine_s`` — the same up to a first ``simulate`` (the engine loaded);
* ``matrix_s`` — the default matrix rendered as text (median of runs);
* ``sweep_peak_mb`` — peak traced memory of a whole sweep that keeps every result (target
  < 100 MB).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import json
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
CERTS = ROOT / "certs"
sys.path.insert(0, str(ROOT.parent))

import httpsys_sim as hs  # noqa: E402

_FLAGS = ("Ssl,SslNegotiateCert", "Ssl,SslNegotiateCert,SslRequireCert", "SslRequireCert", "None")


def _axes() -> list[tuple[Any, ...]]:
    """Every combination of the axes that matter, in a fixed order."""
    return list(
        itertools.product(
            hs.RELEASES,
            hs.CLIENTS,
            ("valid", "none", "untrusted"),
            _FLAGS,
            (False, True),  # client_cert_negotiation
            (False, True),  # disable_tls13
            (False, True),  # disable_http2
        )
    )


def _scenario(release: Any, client: str, cert: str, flags: str, *switches: bool) -> hs.Scenario:
    negotiate, no13, no_h2 = switches
    seed = hs.Scenario.seed(release).with_client(client, cert)
    scenario = seed.with_binding(
        client_cert_negotiation=negotiate, disable_tls13=no13, disable_http2=no_h2
    )
    return hs.Scenario(
        server=type(scenario.server)(
            release=scenario.server.release,
            host=scenario.server.host,
            binding=scenario.server.binding,
            access_ssl_flags=flags,
        ),
        client=scenario.client,
        request=scenario.request,
    )


def all_scenarios() -> list[hs.Scenario]:
    """Every combination of the axes that matter: pairwise-different scenarios."""
    return [_scenario(*axes) for axes in _axes()]


def distinct_scenarios(limit: int | None = None) -> list[hs.Scenario]:
    """Pairwise-different scenarios: all of them, or ``limit`` spread evenly over every axis
    (built afresh on every call)."""
    axes = _axes()
    if limit is None or limit >= len(axes):
        return all_scenarios()
    step = len(axes) / limit
    return [_scenario(*axes[int(i * step)]) for i in range(limit)]


# --- the three passes ---------------------------------------------------------------------------
def sweep_pass(scenarios: list[hs.Scenario]) -> int:
    """One fresh sweep: complete results, traces typed only if someone reads them."""
    seen = 0
    for result in hs.simulate_many(scenarios):
        seen += result.certificate_reached_app or 1
    return seen


def typed_pass(scenarios: list[hs.Scenario]) -> int:
    """One fresh sweep reading every step of every result."""
    seen = 0
    for result in hs.simulate_many(scenarios):
        for step in result.steps:
            seen += step.key or 1
    return seen


def single_pass(scenarios: list[hs.Scenario]) -> int:
    """``simulate()`` one scenario at a time, nothing kept between them."""
    seen = 0
    for scenario in scenarios:
        seen += hs.simulate(scenario).certificate_reached_app or 1
    return seen


def _best(passes: int, one_pass: Callable[[list[hs.Scenario]], int], limit: int | None) -> float:
    """Best wall time of ``passes`` calls of ``one_pass``, each over scenarios built afresh
    (untimed), so no pass finds values an earlier one left behind (a scenario caches
    its hash, for instance).  The garbage collector runs during the pass, as in use."""
    best = float("inf")
    for _ in range(passes):
        scenarios = distinct_scenarios(limit)
        gc.collect()  # what building them left behind is not the pass's to collect
        start = time.perf_counter()
        assert one_pass(scenarios) > 0
        best = min(best, time.perf_counter() - start)
    return best


def bench_matrix(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        hs.matrix().to_text()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_peak(scenarios: list[hs.Scenario]) -> int:
    """Peak traced memory (bytes) of a sweep over ``scenarios`` that keeps every result."""
    tracemalloc.start()
    kept = list(hs.simulate_many(scenarios))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(kept) == len(scenarios)
    return peak


def check(scenarios: list[hs.Scenario]) -> dict[str, object]:
    """Every scenario's JSON document from ``simulate_many`` and from ``simulate``, compared
    byte for byte; ``sha256`` digests all documents in order, to compare two trees."""
    digest = hashlib.sha256()
    differ = []
    swept = hs.simulate_many(scenarios)
    for index, (result, scenario) in enumerate(zip(swept, scenarios, strict=True)):
        text = result.to_json()
        if text != hs.simulate(scenario).to_json():
            differ.append(index)
        digest.update(text.encode())
    return {
        "check": "identical" if not differ else "DIFFERENT",
        "scenarios": len(scenarios),
        "different": len(differ),
        "first_different": differ[:20],
        "sha256": digest.hexdigest(),
    }


# --- the real handshake -----------------------------------------------------------------------
def _contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.minimum_version = server.maximum_version = ssl.TLSVersion.TLSv1_3
    server.load_cert_chain(CERTS / "server.pem", CERTS / "server.key")
    server.load_verify_locations(CERTS / "ca.pem")
    server.verify_mode = ssl.CERT_REQUIRED
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.minimum_version = client.maximum_version = ssl.TLSVersion.TLSv1_3
    client.load_cert_chain(CERTS / "client.pem", CERTS / "client.key")
    client.load_verify_locations(CERTS / "ca.pem")
    return server, client


def handshake_samples(runs: int) -> list[float]:
    """Seconds of ``runs`` TLS 1.3 mutual-auth handshakes on 127.0.0.1 (bounded).

    Timed on the client from the connected socket until the server's first byte arrives:
    the server writes it only once its own handshake finished, i.e. after it checked the
    client's Certificate, CertificateVerify and Finished, so both ends are done.
    """
    server_ctx, client_ctx = _contexts()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    port = listener.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            for _ in range(runs):
                conn, _ = listener.accept()
                conn.settimeout(10)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"k")
                    tls.recv(1)  # the client's goodbye: keep the socket until it is done
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    times = []
    for _ in range(runs):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        # No Nagle: small handshake flights must not wait for delayed ACKs (a 40 ms
        # artefact of the loopback stack, not of TLS).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        with client_ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            if tls.recv(1) != b"k":
                raise RuntimeError("the server did not finish its handshake")
            times.append(time.perf_counter() - start)
            tls.sendall(b"x")
    thread.join(timeout=30)
    listener.close()
    if errors:
        raise errors[0]
    return times


def bench_handshake(runs: int) -> float:
    """Median seconds of one real handshake (``benchmarks/floor.py`` uses it)."""
    return statistics.median(handshake_samples(runs))


# --- import time ------------------------------------------------------------------------------
def bench_import(then: str = "pass") -> float:
    """Seconds of ``import httpsys_sim`` (and ``then``) in a fresh interpreter, median of 3."""
    code = (
        "import time; t = time.perf_counter(); import httpsys_sim as hs; "
        f"{then}; print(time.perf_counter() - t)"
    )
    samples = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            cwd=ROOT.parent,
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke run)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare every scenario's JSON from simulate_many and from simulate "
        "(exit status 1 if any differ)",
    )
    parser.add_argument("--rounds", type=int, default=None, help="measuring rounds (default 3)")
    args = parser.parse_args()
    limit = 200 if args.quick else None
    scenarios = distinct_scenarios(limit)
    if args.check:
        report = check(scenarios)
        print(json.dumps(report))
        return 0 if report["different"] == 0 else 1
    runs, rounds, samples_per_round = (1, 1, 20) if args.quick else (5, 3, 70)
    rounds = args.rounds or rounds
    start = time.perf_counter()
    sweep_pass(scenarios)
    cold = time.perf_counter() - start  # the first pass of the process: nothing warmed up
    n = len(scenarios)
    passes = {"sweep": sweep_pass, "typed": typed_pass, "single": single_pass}
    samples: list[float] = []
    per_round: list[dict[str, float]] = []
    for _ in range(rounds):
        round_samples = handshake_samples(samples_per_round)
        samples += round_samples
        measured = {"handshake_ms": statistics.median(round_samples) * 1e3}
        for name, one_pass in passes.items():
            seconds = _best(1 if name == "single" else 2, one_pass, limit)
            measured[f"{name}_us"] = seconds / n * 1e6
            measured[f"ratio_{name}"] = measured["handshake_ms"] * 1e3 / measured[f"{name}_us"]
        per_round.append(measured)

    def median(key: str, digits: int = 1) -> float:
        return round(statistics.median(r[key] for r in per_round), digits)

    report = {
        "quick": args.quick,
        "scenarios": n,
        "handshake_ms": round(statistics.median(samples) * 1e3, 3),
        "ratio_sweep": median("ratio_sweep"),
        "ratio_typed": median("ratio_typed"),
        "ratio_single": median("ratio_single"),
        "sweep_us": median("sweep_us", 2),
        "typed_us": median("typed_us", 2),
        "single_us": median("single_us", 2),
        "rounds": [{k: round(v, 2) for k, v in r.items()} for r in per_round],
        "sweep_cold_s": round(cold, 3),
        "import_s": round(bench_import(), 4),
        "import_engine_s": round(bench_import("hs.simulate(hs.Scenario.seed())"), 4),
        "matrix_s": round(bench_matrix(runs), 4),
        "sweep_peak_mb": round(sweep_peak(distinct_scenarios(limit)) / 1e6, 1),
        "python": sys.version.split()[0],
        "openssl": ssl.OPENSSL_VERSION,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
