"""The endpoint under load: many concurrent clients, no error, no leaked fd or thread.

CI runs 10 clients × 20 requests.  ``HTTPSYS_SIM_STRESS=50x200`` runs the full load
(50 concurrent clients × 200 requests) and prints the figures.
"""

from __future__ import annotations

import http.client
import os
import sys
import threading
import time
from typing import Any

import pytest

pytest.importorskip("OpenSSL", reason="the serve extra is not installed: pip install '.[serve]'")

from tests.serve._helpers import Served, context, proc_counts

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: Requests per connection before a client opens a new one (keep-alive, then a fresh
#: handshake).
_PER_CONNECTION = 10


def _load() -> tuple[int, int]:
    clients, requests = os.environ.get("HTTPSYS_SIM_STRESS", "10x20").lower().split("x")
    return int(clients), int(requests)


def _client(ready: dict[str, Any], requests: int, results: list[tuple[int, str]]) -> None:
    host, port = ready["url"].split("//", 1)[1].rstrip("/").rsplit(":", 1)
    ctx = context(ready)
    ok = 0
    conn: http.client.HTTPSConnection | None = None
    try:
        for i in range(requests):
            if conn is None or i % _PER_CONNECTION == 0:
                if conn is not None:
                    conn.close()
                conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
            conn.request("GET", f"/stress/{i}", headers={"User-Agent": "stress"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or b"CN=httpsys-sim client" not in body:
                results.append((ok, f"request {i}: HTTP {resp.status}"))
                return
            ok += 1
        results.append((ok, ""))
    except Exception as exc:
        results.append((ok, f"{type(exc).__name__}: {exc}"))
    finally:
        if conn is not None:
            conn.close()


def test_concurrent_clients_no_error_no_leak() -> None:
    clients, requests = _load()
    args = ("--release", "server-2025", "--client-cert-negotiation", "--max-connections", "64")
    with Served(*args) as served:
        pid = served.proc.pid
        # One request first, so lazily built state (contexts, memo) is in the baseline.
        warm: list[tuple[int, str]] = []
        _client(served.ready, 1, warm)
        assert warm == [(1, "")]
        time.sleep(0.5)
        before = proc_counts(pid)
        results: list[tuple[int, str]] = []
        threads = [
            threading.Thread(target=_client, args=(served.ready, requests, results))
            for _ in range(clients)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        elapsed = time.monotonic() - start
        peak_wait = time.monotonic() + 15
        after = proc_counts(pid)
        while after != before and time.monotonic() < peak_wait:
            time.sleep(0.1)
            after = proc_counts(pid)
        code, _, err = served.stop()
    errors = [e for _, e in results if e]
    total = sum(n for n, _ in results)
    print(
        f"\nstress: {clients} clients × {requests} requests = {total} OK in {elapsed:.1f} s "
        f"({total / elapsed:.0f} req/s, {clients * requests // _PER_CONNECTION} TLS handshakes); "
        f"server fds/threads before {before}, after {after}"
    )
    assert errors == []
    assert total == clients * requests
    assert after == before, f"fds/threads before {before}, after {after}"
    assert code == 0, err


def _mixed_client(ready: dict[str, Any], rounds: int, results: list[str]) -> None:
    """Late-demand paths: a TLS 1.2 renegotiation that succeeds, an HTTP/2 stream reset (the
    connection kept open), a refused renegotiation (reset)."""
    from tests.serve._helpers import h2_get_twice, https_get

    try:
        for _ in range(rounds):
            ok = https_get(ready["url"], context(ready))
            if ok.status != 200 or ok.subject is None:
                results.append(f"renegotiation: {ok}")
                return
            if h2_get_twice(ready["url"], context(ready, alpn=("h2", "http/1.1"))) != [
                "reset:13",
                "reset:13",
            ]:
                results.append("h2: not two stream resets")
                return
            refused = https_get(ready["url"], context(ready, refuse_renegotiation=True))
            if refused.status is not None:
                results.append(f"refused renegotiation answered: {refused.status}")
                return
        results.append("")
    except Exception as exc:
        results.append(f"{type(exc).__name__}: {exc}")


def test_late_demand_paths_under_load_leak_nothing() -> None:
    clients, requests = _load()
    rounds = max(1, requests // 10)
    with Served("--release", "server-2019", "--max-connections", "64") as served:
        pid = served.proc.pid
        warm: list[str] = []
        _mixed_client(served.ready, 1, warm)
        assert warm == [""]
        time.sleep(0.5)
        before = proc_counts(pid)
        results: list[str] = []
        threads = [
            threading.Thread(target=_mixed_client, args=(served.ready, rounds, results))
            for _ in range(clients)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        elapsed = time.monotonic() - start
        deadline = time.monotonic() + 15
        after = proc_counts(pid)
        while after != before and time.monotonic() < deadline:
            time.sleep(0.1)
            after = proc_counts(pid)
        code, _, err = served.stop()
    print(
        f"\nlate-demand stress: {clients} clients × {rounds} rounds (renegotiation, h2 reset, "
        f"refused renegotiation) in {elapsed:.1f} s; fds/threads before {before}, after {after}"
    )
    assert [r for r in results if r] == []
    assert len(results) == clients
    assert after == before
    assert code == 0, err
