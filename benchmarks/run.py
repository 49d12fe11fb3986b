"""httpsys-sim benchmark: prints one JSON line (docs/architecture.md#speed).

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # a few seconds; CI runs it so the script cannot rot
    python benchmarks/run.py --check    # simulate_many == simulate, byte for byte, all scenarios

Measured in the same run, with the standard library only, against the same real handshake:

* ``handshake_s`` — median of one real TLS 1.3 mutual-auth handshake over 127.0.0.1 with the
  ``ssl`` module (certificates in ``benchmarks/certs``, test-only keys);
* ``ratio_sweep`` — handshake / time per scenario when all 11 520 scenario combinations
  (release × client × certificate × access flags × three binding switches; 200 spread
  evenly over them with ``--quick``) go through ``simulate_many``, each pass a fresh sweep
  (its caches start empty), results complete with their traces typed on access (target
  ≥ 200).  The run goes in three rounds; each round takes 70 handshake samples and then
  times the passes (best of two), so both sides of a ratio see the same machine load; the
  figure is the median of the rounds' ratios (``rounds`` lists them);
* ``ratio_typed`` — the same, reading every step of every result (target ≥ 100);
* ``ratio_single`` — ``simulate()`` one scenario at a time, nothing kept between them
  (target ≥ 50);
* ``sweep_cold_s`` — the first sweep pass of the process (nothing warmed up);
* ``import_s`` — ``import httpsys_sim`` in a fresh interpreter (median of three);
* ``matrix_s`` — the default matrix, rendered as text (median of runs);
* ``sweep_peak_mb`` — peak traced memory of one sweep pass over all scenarios.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent
CERTS = ROOT / "certs"
sys.path.insert(0, str(ROOT.parent))

import httpsys_sim as hs  # noqa: E402
from httpsys_sim.analysis._matrix import matrix  # noqa: E402

_FLAGS = ("Ssl,SslNegotiateCert", "Ssl,SslNegotiateCert,SslRequireCert", "SslRequireCert", "None")


def all_scenarios() -> list[hs.Scenario]:
    """Every combination of the axes that matter: pairwise-different scenarios."""
    out: list[hs.Scenario] = []
    axes = itertools.product(
        hs.RELEASES,
        hs.CLIENTS,
        ("valid", "none", "untrusted"),
        _FLAGS,
        (False, True),  # client_cert_negotiation
        (False, True),  # disable_tls13
        (False, True),  # disable_http2
    )
    for release, client, cert, flags, negotiate, no13, no_h2 in axes:
        seed = hs.Scenario.seed(release).with_client(client, cert)
        scenario = seed.with_binding(
            client_cert_negotiation=negotiate, disable_tls13=no13, disable_http2=no_h2
        )
        scenario = hs.Scenario(
            server=type(scenario.server)(
                release=scenario.server.release,
                host=scenario.server.host,
                binding=scenario.server.binding,
                access_ssl_flags=flags,
            ),
            client=scenario.client,
            request=scenario.request,
        )
        out.append(scenario)
    return out


def distinct_scenarios(limit: int | None = None) -> list[hs.Scenario]:
    """Pairwise-different scenarios: all of them, or ``limit`` spread evenly over every axis."""
    everything = all_scenarios()
    if limit is None or limit >= len(everything):
        return everything
    step = len(everything) / limit
    return [everything[int(i * step)] for i in range(limit)]


def _best(passes: int, run: Callable[[], int]) -> float:
    """Best wall time of ``passes`` calls of ``run`` (which returns how many steps it saw)."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        steps = run()
        best = min(best, time.perf_counter() - start)
        assert steps > 0
    return best


def sweep_pass(scenarios: list[hs.Scenario]) -> int:
    """One fresh sweep: complete results, traces typed only if someone reads them."""
    results = 0
    for result in hs.simulate_many(scenarios):
        results += result.certificate_reached_app or 1
    return results


def typed_pass(scenarios: list[hs.Scenario]) -> int:
    """One fresh sweep reading every step of every result."""
    steps = 0
    for result in hs.simulate_many(scenarios):
        for step in result.steps:
            steps += step.key or 1
    return steps


def single_pass(scenarios: list[hs.Scenario]) -> int:
    """``simulate()`` one at a time, nothing kept between scenarios."""
    results = 0
    for scenario in scenarios:
        results += hs.simulate(scenario).certificate_reached_app or 1
    return results


def bench_matrix(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        matrix().to_text()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_peak(scenarios: list[hs.Scenario]) -> int:
    """Peak traced memory (bytes) of one sweep pass over ``scenarios``."""
    tracemalloc.start()
    sweep_pass(scenarios)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def check(scenarios: list[hs.Scenario]) -> dict[str, object]:
    """Every scenario's JSON from ``simulate_many`` and from ``simulate``, compared."""
    digest = hashlib.sha256()
    differ = []
    for index, (swept, scenario) in enumerate(
        zip(hs.simulate_many(scenarios), scenarios, strict=True)
    ):
        text = swept.to_json()
        if text != hs.simulate(scenario).to_json():
            differ.append(index)
        digest.update(hashlib.sha256(text.encode()).hexdigest().encode())
    return {
        "check": "identical" if not differ else "DIFFERENT",
        "scenarios": len(scenarios),
        "different": differ[:20],
        "sha256": digest.hexdigest(),
    }


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


def bench_handshake(runs: int) -> float:
    """Median seconds of one TLS 1.3 mutual-auth handshake on 127.0.0.1 (bounded)."""
    return statistics.median(handshake_samples(runs))


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


def bench_import() -> float:
    code = (
        "import time; t = time.perf_counter(); import httpsys_sim; print(time.perf_counter() - t)"
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
        help="only compare the JSON of every scenario from simulate_many and from simulate "
        "(exit 1 if any differ)",
    )
    args = parser.parse_args()
    scenarios = distinct_scenarios(200 if args.quick else None)
    if args.check:
        report = check(scenarios)
        print(json.dumps(report))
        return 0 if not report["different"] else 1
    runs, rounds, hs_runs = (1, 1, 20) if args.quick else (5, 3, 70)
    start = time.perf_counter()
    sweep_pass(scenarios)
    cold = time.perf_counter() - start
    # Rounds: each times the handshake and then the three ways of simulating, so a ratio
    # compares figures taken under the same machine load.
    samples: list[float] = []
    ratios: dict[str, list[float]] = {"sweep": [], "typed": [], "single": []}
    per_scenario: dict[str, list[float]] = {"sweep": [], "typed": [], "single": []}
    passes = {"sweep": sweep_pass, "typed": typed_pass, "single": single_pass}
    n = len(scenarios)
    for _ in range(rounds):
        round_samples = handshake_samples(hs_runs)
        samples += round_samples
        handshake = statistics.median(round_samples)
        for name, one_pass in passes.items():
            seconds = _best(1 if name == "single" else 2, lambda p=one_pass: p(scenarios))
            per_scenario[name].append(seconds / n)
            ratios[name].append(handshake * n / seconds)
    report = {
        "quick": args.quick,
        "scenarios": n,
        "handshake_s": statistics.median(samples),
        "ratio_sweep": round(statistics.median(ratios["sweep"]), 1),
        "ratio_typed": round(statistics.median(ratios["typed"]), 1),
        "ratio_single": round(statistics.median(ratios["single"]), 1),
        "rounds": [[round(r, 1) for r in ratios[name]] for name in ("sweep", "typed", "single")],
        "sweep_scenario_us": round(statistics.median(per_scenario["sweep"]) * 1e6, 2),
        "typed_scenario_us": round(statistics.median(per_scenario["typed"]) * 1e6, 2),
        "single_scenario_us": round(statistics.median(per_scenario["single"]) * 1e6, 2),
        "sweep_cold_s": round(cold, 4),
        "import_s": round(bench_import(), 4),
        "matrix_s": round(bench_matrix(runs), 4),
        "sweep_peak_mb": round(sweep_peak(scenarios) / 1e6, 2),
        "python": sys.version.split()[0],
        "openssl": ssl.OPENSSL_VERSION,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
