"""httpsys-sim benchmark: prints one JSON line (docs/architecture.md#speed).

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # a few seconds; CI runs it so the script cannot rot

Measured in the same run, with the standard library only:

* ``scenarios_per_second`` — distinct scenarios simulated with full traces, cold (every
  scenario is different; nothing is memoised between them): all 11 520 combinations of
  release × client × certificate × access flags × three binding switches (200 spread evenly
  over them with ``--quick``), best of three passes;
* ``matrix_seconds`` — the default matrix (every release × every client), median of runs;
* ``handshake_seconds`` — median of one real TLS 1.3 mutual-auth handshake over 127.0.0.1
  with the ``ssl`` module (certificates in ``benchmarks/certs``, test-only keys);
* ``ratio`` — handshake time / time of one simulated scenario (target ≥ 200);
* ``import_seconds`` — ``import httpsys_sim`` in a fresh interpreter;
* ``matrix_peak_bytes`` — peak traced memory while building the full matrix.
"""

from __future__ import annotations

import argparse
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


def bench_scenarios(scenarios: list[hs.Scenario]) -> float:
    """Scenarios per second, each simulated once with its full trace (best of three passes)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        steps = 0
        for scenario in scenarios:
            result = hs.simulate(scenario)
            steps += len(result.steps)  # the full trace is built, not skipped
        best = min(best, time.perf_counter() - start)
    assert steps > 0
    return len(scenarios) / best


def bench_matrix(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        matrix().to_text()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matrix_peak() -> int:
    tracemalloc.start()
    matrix()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


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
    """Median seconds of one TLS 1.3 mutual-auth handshake on 127.0.0.1 (bounded).

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
    return statistics.median(times)


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke run)")
    args = parser.parse_args()
    scenarios = distinct_scenarios(200 if args.quick else None)
    runs, hs_runs = (1, 20) if args.quick else (5, 200)
    per_second = bench_scenarios(scenarios)
    handshake = bench_handshake(hs_runs)
    report = {
        "quick": args.quick,
        "scenarios": len(scenarios),
        "scenarios_per_second": round(per_second, 1),
        "scenario_seconds": 1 / per_second,
        "matrix_seconds": round(bench_matrix(runs), 4),
        "handshake_seconds": handshake,
        "ratio": round(handshake * per_second, 2),
        "import_seconds": round(bench_import(), 4),
        "matrix_peak_bytes": matrix_peak(),
        "python": sys.version.split()[0],
        "openssl": ssl.OPENSSL_VERSION,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
