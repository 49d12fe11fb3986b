"""Helpers for the endpoint tests: start the command, and small real clients."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

READY_KEYS = (
    "url",
    "ca",
    "client_certificate",
    "client_key",
    "untrusted_client_certificate",
    "untrusted_client_key",
    "log",
    "release",
    "host",
)


class Served:
    """``httpsys-sim serve`` running in a child process."""

    def __init__(self, *args: str, timeout: float = 30.0) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "httpsys_sim", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not line or not line[0]:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"no ready line; stderr: {err!r}")
        self.line = line[0]
        self.ready: dict[str, Any] = json.loads(self.line)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


def run_cli(
    *args: str, stdin: str | None = None, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "httpsys_sim", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@attrs.frozen
class Answer:
    """What a small Python client saw."""

    status: int | None = None
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    error: str | None = None

    @property
    def subject(self) -> str | None:
        marker = "Client certificate the application received: "
        if marker not in self.body:
            return None
        value = self.body.split(marker, 1)[1].split("<", 1)[0]
        return None if value == "none" else value


def context(
    ready: dict[str, Any],
    *,
    certificate: str | None = "client",
    alpn: Sequence[str] | None = ("http/1.1",),
    pha: bool = False,
    max_version: ssl.TLSVersion | None = None,
    refuse_renegotiation: bool = False,
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ready["ca"])
    if certificate is not None:
        prefix = "" if certificate == "client" else f"{certificate}_"
        ctx.load_cert_chain(ready[f"{prefix}client_certificate"], ready[f"{prefix}client_key"])
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    ctx.post_handshake_auth = pha
    if max_version is not None:
        ctx.maximum_version = max_version
    if refuse_renegotiation:
        ctx.options |= ssl.OP_NO_RENEGOTIATION
    return ctx


def https_get(url: str, ctx: ssl.SSLContext, path: str = "/", timeout: float = 15.0) -> Answer:
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "httpsys-sim-tests"})
        resp = conn.getresponse()
        return Answer(
            status=resp.status,
            body=resp.read().decode("utf-8", "replace"),
            headers=tuple(resp.getheaders()),
        )
    except (OSError, http.client.HTTPException) as exc:
        return Answer(error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def h2_get_twice(url: str, ctx: ssl.SSLContext, timeout: float = 15.0) -> list[str]:
    """Two GETs on one HTTP/2 connection; what ended each stream (``reset:<code>`` or
    ``response:<status>``)."""
    import h2.config
    import h2.connection
    import h2.events

    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    raw = socket.create_connection((host, int(port)), timeout=timeout)
    sock = ctx.wrap_socket(raw, server_hostname=host)
    assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    seen: list[str] = []
    try:
        for stream in (1, 3):
            conn.send_headers(
                stream,
                [(":method", "GET"), (":path", "/"), (":scheme", "https"), (":authority", host)],
                end_stream=True,
            )
            sock.sendall(conn.data_to_send())
            done = False
            while not done:
                data = sock.recv(65536)
                if not data:
                    seen.append("closed")
                    return seen
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                        seen.append(f"reset:{int(event.error_code or 0)}")
                        done = True
                    elif (
                        isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream
                    ):
                        status = dict(event.headers or []).get(b":status", b"?").decode()
                        seen.append(f"response:{status}")
                        done = True
                sock.sendall(conn.data_to_send())
    finally:
        sock.close()
    return seen


def proc_counts(pid: int) -> tuple[int, int]:
    """Open file descriptors and threads of a process (Linux)."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    threads = len(os.listdir(f"/proc/{pid}/task"))
    return fds, threads


def files_in(path: str) -> Path:
    return Path(path).parent


def request_then_watch_tcp(
    url: str, ctx: ssl.SSLContext, timeout: float = 15.0
) -> tuple[str, bytes]:
    """Handshake with ``ctx`` over memory BIOs, send one GET, then read the raw TCP socket:
    ``("reset", plaintext)`` for a TCP RST, ``("eof", plaintext)`` for a FIN, ``("data",
    plaintext)`` as soon as application data arrives.  (CPython's ssl reports a reset
    during TLS as a plain EOF.)"""
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    raw = socket.create_connection((host, int(port)), timeout=timeout)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
    try:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                raw.sendall(outgoing.read())
                data = raw.recv(65536)
                if not data:
                    return "eof", b""
                incoming.write(data)
        raw.sendall(outgoing.read())
        tls.write(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUser-Agent: tests\r\n\r\n")
        raw.sendall(outgoing.read())
        plain = b""  # application data decrypted before the end (tickets are not)
        while True:
            try:
                data = raw.recv(65536)
            except ConnectionResetError:
                return "reset", plain
            if not data:
                return "eof", plain
            incoming.write(data)
            try:
                plain = tls.read(65536)
            except ssl.SSLWantReadError:
                continue
            if plain:
                return "data", plain
    finally:
        raw.close()
