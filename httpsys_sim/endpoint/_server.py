"""The endpoint: a real HTTPS server on loopback that acts out what the model decides.

One thread accepts; one thread serves each connection (a bounded number at once).  For every
connection it peeks at the ClientHello before OpenSSL reads it, asks the model (through a
:class:`~httpsys_sim.endpoint._decide.Decider`) what http.sys would do for that client, and
then performs it with pyOpenSSL, h2 and h11: the TLS version and ALPN id the model chose, a
CertificateRequest in the handshake when the binding negotiates client certificates, and for a
late demand whatever the model's first connection ends with — an HTTP/2 ``RST_STREAM`` with
``HTTP_1_1_REQUIRED``, a TLS 1.2 renegotiation, a TCP reset, or IIS's page.  Every read has a
timeout; nothing here decides an outcome.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import functools
import ipaddress
import json
import select
import shutil
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h11
from cryptography import x509
from OpenSSL import SSL

from httpsys_sim.core._result import HttpResponse, Result
from httpsys_sim.core._scenario import Request, Scenario
from httpsys_sim.endpoint._certs import CertificateSet, make_certificates
from httpsys_sim.endpoint._decide import Decider, acted
from httpsys_sim.endpoint._hello import (
    MAX_HELLO_BYTES,
    ClientHelloOffer,
    HelloError,
    hello_length,
    parse_client_hello,
)
from httpsys_sim.endpoint._pages import W3cLog, page_for, response_headers
from httpsys_sim.errors import HttpsysSimError, InputError
from httpsys_sim.tls import AlertLevel, CertRequestedHow, CertState, RenegotiationAnswer, TlsVersion

__all__ = ["Endpoint", "ServeError"]

T = TypeVar("T")

#: Largest request body read; a bigger one is answered 413 by the model's rule anyway.
_MAX_BODY = 16 * 1024 * 1024
#: Most requests served on one connection.
_MAX_REQUESTS = 100_000
_PROTO = MappingProxyType(
    {
        TlsVersion.TLS10: SSL.TLS1_VERSION,
        TlsVersion.TLS11: SSL.TLS1_1_VERSION,
        TlsVersion.TLS12: SSL.TLS1_2_VERSION,
        TlsVersion.TLS13: SSL.TLS1_3_VERSION,
    }
)
#: A fatal TLS alert record: protocol_version (70) / handshake_failure (40).
_ALERT_PROTOCOL_VERSION = bytes([21, 3, 3, 0, 2, 2, 70])
_ALERT_HANDSHAKE_FAILURE = bytes([21, 3, 3, 0, 2, 2, 40])


class ServeError(HttpsysSimError):
    """The endpoint cannot start (port in use, address refused, ...)."""


class _Closed(Exception):
    """The peer closed the connection (or broke it)."""


class _TimedOut(Exception):
    """A read or write did not complete in time."""


def _wait(sock: socket.socket, *, write: bool, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _TimedOut
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLOUT if write else select.POLLIN)
        if not poller.poll(remaining * 1000):
            raise _TimedOut
        return
    ready = (
        select.select([], [sock], [], remaining)
        if write
        else select.select([sock], [], [], remaining)
    )
    if not any(ready):
        raise _TimedOut


def _rst(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as http.sys drops a connection."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _check_bind(bind: str | None) -> str:
    if bind is None:
        return "127.0.0.1"
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise InputError(
            f"{bind!r} is not an IP address", field="--bind", hint="e.g. 127.0.0.1 or ::1"
        ) from None
    return bind


class Endpoint:
    """A running (or ready to run) endpoint.  Use :func:`httpsys_sim.endpoint.serve`."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        port: int = 0,
        bind: str | None = None,
        keep: bool = False,
        max_connections: int = 128,
        timeout: float = 10.0,
        renegotiation_timeout: float = 5.0,
        directory: str | Path | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise InputError(f"{port} is not a TCP port", field="--port", hint="0 … 65535")
        if max_connections < 1:
            raise InputError("must be at least 1", field="--max-connections")
        if timeout <= 0 or renegotiation_timeout <= 0:
            raise InputError("timeouts must be positive", field="--timeout")
        self.scenario = scenario
        self.decider = Decider(scenario)
        self.bind = _check_bind(bind)
        self.port = port
        self.keep = keep
        self.max_connections = max_connections
        self.timeout = timeout
        self.renegotiation_timeout = renegotiation_timeout
        self._given_directory = None if directory is None else Path(directory)
        self._stop = threading.Event()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._live: dict[threading.Thread, socket.socket] = {}
        self._contexts: dict[tuple[TlsVersion, str | None, bool], SSL.Context] = {}
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._trace_lock = threading.Lock()
        self.directory: Path | None = None
        self.certs: CertificateSet | None = None
        self.log: W3cLog | None = None
        self.trace_path: Path | None = None
        self.connections_served = 0

    # --- life cycle -----------------------------------------------------------------------
    def start(self) -> Endpoint:
        """Make the certificates, bind, listen and start accepting."""
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.bind, self.port))
            listener.listen(min(self.max_connections, socket.SOMAXCONN))
        except OSError as exc:
            listener.close()
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"port {self.port} on {self.bind} is already in use") from None
            raise ServeError(f"cannot listen on {self.bind}:{self.port}: {exc.strerror}") from None
        listener.settimeout(0.2)
        self._listener = listener
        self.port = listener.getsockname()[1]
        if self._given_directory is not None:
            self._given_directory.mkdir(parents=True, exist_ok=True)
            self.directory = self._given_directory
        else:
            self.directory = Path(tempfile.mkdtemp(prefix="httpsys-sim-serve-"))
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certs = make_certificates(self.directory, now)
        self.log = W3cLog(self.directory / "u_ex.log", now)
        self.trace_path = self.directory / "connections.jsonl"
        self.trace_path.write_text("", encoding="utf-8")
        self._acceptor = threading.Thread(
            target=self._accept_loop, name="httpsys-sim-accept", daemon=True
        )
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end every connection, wait for the threads, remove the files."""
        self._stop.set()
        if self._acceptor is not None:
            self._acceptor.join(5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            live = list(self._live.items())
        for _, sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in live:
            thread.join(self.timeout + 1)
        if self.directory is not None and not self.keep and self._given_directory is None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what users read ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT/``."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"https://{host}:{self.port}/"

    def ready(self) -> dict[str, Any]:
        """The ready line's fields (docs/serve.md#ready-line)."""
        certs = self._certs()
        assert self.log is not None
        return {
            "url": self.url,
            "ca": str(certs.ca),
            "client_certificate": str(certs.client_certificate),
            "client_key": str(certs.client_key),
            "untrusted_client_certificate": str(certs.untrusted_client_certificate),
            "untrusted_client_key": str(certs.untrusted_client_key),
            "log": str(self.log.path),
            "release": self.scenario.server.release.id,
            "host": self.scenario.server.host.value,
            "expired_client_certificate": str(certs.expired_client_certificate),
            "expired_client_key": str(certs.expired_client_key),
            "revoked_client_certificate": str(certs.revoked_client_certificate),
            "revoked_client_key": str(certs.revoked_client_key),
            "connections": str(self.trace_path),
        }

    def _certs(self) -> CertificateSet:
        if self.certs is None:
            raise ServeError("the endpoint has not been started")
        return self.certs

    def connections(self, settle: float = 2.0) -> list[dict[str, Any]]:
        """What happened on each finished connection, in the order they ended
        (``connections.jsonl``); first waits up to ``settle`` seconds for open connections
        to end."""
        if self.trace_path is None:
            return []
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            with self._lock:
                if not self._live:
                    break
            time.sleep(0.01)
        with self._trace_lock:
            text = self.trace_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    # --- accepting --------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stop.is_set():
            if not self._slots.acquire(timeout=0.2):
                continue
            try:
                sock, addr = listener.accept()
            except TimeoutError:
                self._slots.release()
                continue
            except OSError:
                self._slots.release()
                if self._stop.is_set():
                    return
                time.sleep(0.05)
                continue
            with self._lock:
                self.connections_served += 1
                number = self.connections_served
            thread = threading.Thread(
                target=self._serve_one,
                args=(sock, addr, number),
                name="httpsys-sim-conn",
                daemon=True,
            )
            with self._lock:
                self._live[thread] = sock
            thread.start()

    def _serve_one(self, sock: socket.socket, addr: Any, number: int) -> None:
        record: dict[str, Any] = {
            "number": number,
            "client": f"{addr[0]}:{addr[1]}",
        }
        try:
            sock.setblocking(False)
            _Connection(self, sock, addr, record).run()
        except Exception as exc:  # a connection never takes the endpoint down
            record.setdefault("end", f"error: {type(exc).__name__}: {exc}")
            _rst(sock)
        finally:
            with contextlib.suppress(OSError):
                sock.close()
            self._trace(record)
            with self._lock:
                self._live.pop(threading.current_thread(), None)
            self._slots.release()

    def _trace(self, record: dict[str, Any]) -> None:
        if self.trace_path is None:
            return
        line = json.dumps(record, sort_keys=True)
        with self._trace_lock, self.trace_path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    # --- TLS contexts -------------------------------------------------------------------------
    def context(self, version: TlsVersion, alpn: str | None, request_cert: bool) -> SSL.Context:
        """The server context for one TLS version, ALPN choice and certificate request."""
        key = (version, alpn, request_cert)
        with self._lock:
            found = self._contexts.get(key)
            if found is not None:
                return found
            certs = self._certs()
            ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
            ctx.set_min_proto_version(_PROTO[version])
            ctx.set_max_proto_version(_PROTO[version])
            if version in (TlsVersion.TLS10, TlsVersion.TLS11):
                ctx.set_cipher_list(b"DEFAULT:@SECLEVEL=0")
            ctx.use_certificate_chain_file(str(certs.server_certificate))
            ctx.use_privatekey_file(str(certs.server_key))
            ctx.set_session_id(b"httpsys-sim")
            ctx.set_options(SSL.OP_NO_TICKET)
            ctx.set_session_cache_mode(SSL.SESS_CACHE_OFF)
            ctx.load_client_ca(str(certs.ca).encode())
            if alpn is not None:
                chosen = alpn.encode()
                ctx.set_alpn_select_callback(
                    lambda _conn, offered: (
                        chosen if chosen in offered else SSL.NO_OVERLAPPING_PROTOCOLS
                    )
                )
            if request_cert:
                ctx.set_verify(SSL.VERIFY_PEER, _accept_any)
            self._contexts[key] = ctx
            return ctx

    def classify(self, cert: x509.Certificate | None) -> CertState:
        """What IIS would make of the certificate the client sent."""
        if cert is None:
            return CertState.NONE
        certs = self._certs()
        ca = certs.ca_certificate
        try:
            if cert.issuer != ca.subject:
                return CertState.UNTRUSTED
            cert.verify_directly_issued_by(ca)
        except Exception:
            return CertState.UNTRUSTED
        now = datetime.datetime.now(datetime.timezone.utc)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return CertState.EXPIRED
        if cert.serial_number in certs.revoked_serials:
            return CertState.REVOKED
        return CertState.VALID


def _accept_any(*_: object) -> bool:
    """http.sys takes any certificate in the handshake; IIS judges it afterwards."""
    return True


class _Connection:
    """One TCP connection, from the ClientHello to the close."""

    def __init__(
        self, endpoint: Endpoint, sock: socket.socket, addr: Any, record: dict[str, Any]
    ) -> None:
        self.ep = endpoint
        self.sock = sock
        self.addr = addr
        self.record = record
        self.tls: SSL.Connection | None = None
        self.offer: ClientHelloOffer | None = None
        self.cert: x509.Certificate | None = None
        self.cert_state: CertState | None = None
        self.settled: Result | None = None
        self.requests: list[dict[str, Any]] = []
        record["requests"] = self.requests

    # --- I/O with deadlines -----------------------------------------------------------------
    def deadline(self, seconds: float | None = None) -> float:
        return time.monotonic() + (self.ep.timeout if seconds is None else seconds)

    def io(self, call: Callable[[], T], deadline: float) -> T:
        while True:
            try:
                return call()
            except SSL.WantReadError:
                _wait(self.sock, write=False, deadline=deadline)
            except SSL.WantWriteError:
                _wait(self.sock, write=True, deadline=deadline)
            except SSL.ZeroReturnError:
                raise _Closed from None
            except SSL.SysCallError:
                raise _Closed from None

    def recv(self, deadline: float) -> bytes:
        assert self.tls is not None
        tls = self.tls
        data = self.io(lambda: tls.recv(65536), deadline)
        if not data:
            raise _Closed
        return data

    def send(self, data: bytes) -> None:
        assert self.tls is not None
        tls = self.tls
        deadline = self.deadline()
        view = memoryview(data)
        while view:
            chunk = view[:16384].tobytes()
            sent = self.io(functools.partial(tls.send, chunk), deadline)
            view = view[sent:]

    def peek_hello(self) -> bytes:
        deadline = self.deadline()
        seen = -1
        while True:
            _wait(self.sock, write=False, deadline=deadline)
            data = self.sock.recv(MAX_HELLO_BYTES, socket.MSG_PEEK)
            if not data:
                raise _Closed
            length = hello_length(data)
            if length is not None:
                return data[:length]
            if len(data) >= MAX_HELLO_BYTES:
                raise HelloError("ClientHello too large")
            if len(data) == seen:
                time.sleep(0.005)  # more of the ClientHello is on its way
            seen = len(data)

    # --- the connection -------------------------------------------------------------------------
    def run(self) -> None:
        try:
            hello = self.peek_hello()
            self.offer = offer = parse_client_hello(hello)
        except HelloError as exc:
            self.record["end"] = f"not a ClientHello: {exc}"
            _rst(self.sock)
            return
        except (_Closed, _TimedOut, OSError):
            self.record["end"] = "closed before a ClientHello"
            return
        self.record["offer"] = offer.to_dict()
        plan = self.ep.decider.decide(offer)
        first = acted(plan)
        self.record["model"] = {
            "tls_version": first.tls_version,
            "alpn": first.alpn,
            "cert_requested": first.cert_requested.value,
            "end": first.end,
            "outcome": plan.outcome.kind.value,
        }
        if first.tls_version is None:
            self.fail_handshake(first.end)
            return
        version = TlsVersion.parse(first.tls_version)
        at_handshake = first.cert_requested is CertRequestedHow.HANDSHAKE
        ctx = self.ep.context(version, first.alpn if offer.alpn else None, at_handshake)
        tls = SSL.Connection(ctx, self.sock)
        tls.set_accept_state()
        self.tls = tls
        try:
            self.io(tls.do_handshake, self.deadline())
        except (_Closed, _TimedOut, SSL.Error, OSError) as exc:
            self.record["end"] = f"handshake failed: {_short(exc)}"
            return
        proto = tls.get_alpn_proto_negotiated() or b""
        self.record["tls_version"] = tls.get_protocol_version_name()
        self.record["alpn"] = proto.decode("ascii", "replace") or None
        if at_handshake:
            self.cert = tls.get_peer_certificate(as_cryptography=True)
            self.cert_state = self.ep.classify(self.cert)
            self.record["certificate"] = self.cert_state.value
        try:
            if proto == b"h2":
                self.serve_h2()
            else:
                self.serve_h11()
        except _TimedOut:
            self.record.setdefault("end", "idle timeout")
        except (_Closed, OSError, SSL.Error):
            self.record.setdefault("end", "closed by the client")
        finally:
            if self.record.get("end") != "reset":
                with contextlib.suppress(OSError, SSL.Error):
                    tls.shutdown()

    def fail_handshake(self, end: str) -> None:
        self.record["end"] = end
        if end == "reset":
            _rst(self.sock)
            return
        alert = _ALERT_PROTOCOL_VERSION if end == "no_common_protocol" else _ALERT_HANDSHAKE_FAILURE
        with contextlib.suppress(OSError):
            self.sock.recv(MAX_HELLO_BYTES)  # consume the ClientHello we peeked at
            self.sock.send(alert)
        with contextlib.suppress(OSError):
            self.sock.close()

    # --- the decision for one request -----------------------------------------------------------
    def decide(self, method: str, target: str, body: int) -> Result:
        offer = self.offer
        assert offer is not None
        if self.settled is not None:
            return self.settled
        path = target.partition("?")[0] or "/"
        request = Request(method=method if method.isalpha() else "GET", path=path, body_bytes=body)
        if self.cert_state is not None:
            return self.ep.decider.decide(offer, certificate=self.cert_state, request=request)
        plan = self.ep.decider.decide(offer, request=request)
        first = acted(plan)
        if first.cert_requested is not CertRequestedHow.RENEGOTIATION:
            return plan
        answer, level = self.renegotiate()
        state = (
            self.ep.classify(self.cert) if answer is RenegotiationAnswer.ACCEPT else CertState.NONE
        )
        self.record["renegotiation"] = answer.value
        self.record["certificate"] = state.value if answer is RenegotiationAnswer.ACCEPT else None
        result = self.ep.decider.decide(
            offer, certificate=state, renegotiation=answer, refusal_level=level, request=request
        )
        if answer is RenegotiationAnswer.ACCEPT:
            self.cert_state = state
            self.settled = result
        return result

    def renegotiate(self) -> tuple[RenegotiationAnswer, AlertLevel | None]:
        """A HelloRequest, then a full handshake with a CertificateRequest; the client's
        answer as observed, and for a refusal the level of its ``no_renegotiation`` alert
        (OpenSSL names a received fatal alert "... alert ..."; a warning one it turns into
        its own "no renegotiation" error)."""
        tls = self.tls
        assert tls is not None
        tls.set_verify(SSL.VERIFY_PEER, _accept_any)
        try:
            if not tls.renegotiate():
                return RenegotiationAnswer.REFUSE, None
            deadline = self.deadline(self.ep.renegotiation_timeout)
            self.io(tls.do_handshake, deadline)
            while tls.renegotiate_pending():
                try:
                    tls.recv(65536)
                except SSL.WantReadError:
                    if tls.renegotiate_pending():
                        _wait(self.sock, write=False, deadline=deadline)
        except _TimedOut:
            return RenegotiationAnswer.IGNORE, None
        except (_Closed, SSL.Error, OSError) as exc:
            text = _short(exc)
            self.record["renegotiation_error"] = text
            fatal = "alert" in text.lower()
            return RenegotiationAnswer.REFUSE, AlertLevel.FATAL if fatal else AlertLevel.WARNING
        self.cert = tls.get_peer_certificate(as_cryptography=True)
        return RenegotiationAnswer.ACCEPT, None

    def log_request(
        self, result: Result, method: str, target: str, headers: dict[str, str], started: float
    ) -> None:
        first = acted(result)
        entry = {
            "method": method,
            "target": target,
            "end": first.end,
            "outcome": result.outcome.short(),
            "certificate_reached_app": result.certificate_reached_app,
        }
        self.requests.append(entry)
        if result.iis_log is None or self.ep.log is None or first.end != "response":
            return
        self.ep.log.write(
            result.iis_log,
            now=datetime.datetime.now(datetime.timezone.utc),
            server=(self.ep.bind, self.ep.port),
            client=str(self.addr[0]),
            method=method,
            target=target,
            user_agent=headers.get("user-agent"),
            referer=headers.get("referer"),
            taken_ms=int((time.monotonic() - started) * 1000),
        )

    def page(self, result: Result, target: str, host: str) -> tuple[HttpResponse, bytes]:
        outcome = result.outcome
        assert isinstance(outcome, HttpResponse)
        subject = None
        if result.certificate_reached_app and self.cert is not None:
            subject = self.cert.subject.rfc4514_string()
        body = page_for(
            outcome,
            host=self.ep.scenario.server.host,
            url=f"https://{host or self.ep.bind}{target}",
            subject=subject,
            physical_path="C:\\inetpub\\wwwroot" + target.partition("?")[0].replace("/", "\\"),
        )
        return outcome, body

    # --- HTTP/1.1 -----------------------------------------------------------------------------
    def serve_h11(self) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        for _ in range(_MAX_REQUESTS):
            started = time.monotonic()
            request: h11.Request | None = None
            body = 0
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(self.recv(self.deadline()))
                    continue
                if isinstance(event, h11.Request):
                    request = event
                    started = time.monotonic()
                elif isinstance(event, h11.Data):
                    body += len(event.data)
                    if body > _MAX_BODY:
                        raise _Closed
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise _Closed
            assert request is not None
            method = request.method.decode("ascii", "replace")
            target = request.target.decode("ascii", "replace")
            headers = {k.decode("ascii").lower(): v.decode("latin-1") for k, v in request.headers}
            result = self.decide(method, target, body)
            first = acted(result)
            self.log_request(result, method, target, headers, started)
            if first.end != "response" or not isinstance(result.outcome, HttpResponse):
                self.end_connection(first.end)
                return
            outcome, page = self.page(result, target, headers.get("host", ""))
            now = datetime.datetime.now(datetime.timezone.utc)
            head = response_headers(
                outcome, host=self.ep.scenario.server.host, length=len(page), now=now
            )
            out = conn.send(
                h11.Response(status_code=outcome.status, headers=head, reason=_reason(outcome))
            )
            if method != "HEAD":
                out = (out or b"") + (conn.send(h11.Data(data=page)) or b"")
            out = (out or b"") + (conn.send(h11.EndOfMessage()) or b"")
            self.send(out)
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                self.record["end"] = "response, then close"
                return
            conn.start_next_cycle()
        self.record["end"] = "request limit"

    def end_connection(self, end: str) -> None:
        self.record["end"] = end
        if end == "reset" or end.startswith("tls_alert"):
            self.record["end"] = "reset" if end == "reset" else end
            _rst(self.sock)
            raise _Closed
        raise _Closed

    # --- HTTP/2 -------------------------------------------------------------------------------
    def serve_h2(self) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        self.send(conn.data_to_send())
        streams: dict[int, tuple[dict[str, str], int, float]] = {}
        pending: dict[int, bytes] = {}
        handled = 0
        while handled < _MAX_REQUESTS:
            data = self.recv(self.deadline())
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError as exc:
                self.record["end"] = f"HTTP/2 protocol error: {exc}"
                self.send(conn.data_to_send())
                return
            for event in events:
                if isinstance(event, h2.events.RequestReceived):
                    headers = {str(k): str(v) for k, v in (event.headers or [])}
                    assert event.stream_id is not None
                    streams[event.stream_id] = (headers, 0, time.monotonic())
                elif isinstance(event, h2.events.DataReceived):
                    assert event.stream_id is not None
                    size = event.flow_controlled_length or 0
                    conn.acknowledge_received_data(size, event.stream_id)
                    if event.stream_id in streams:
                        h, n, t = streams[event.stream_id]
                        streams[event.stream_id] = (h, n + len(event.data or b""), t)
                elif isinstance(event, h2.events.StreamEnded):
                    assert event.stream_id is not None
                    if event.stream_id in streams:
                        handled += 1
                        self.answer_h2(conn, event.stream_id, streams.pop(event.stream_id), pending)
                elif isinstance(event, h2.events.WindowUpdated):
                    pass
                elif isinstance(event, h2.events.ConnectionTerminated):
                    self.record["end"] = "GOAWAY from the client"
                    self.send(conn.data_to_send())
                    return
                elif isinstance(event, h2.events.StreamReset):
                    pending.pop(event.stream_id or 0, None)
            _flush(conn, pending)
            self.send(conn.data_to_send())
        self.record["end"] = "request limit"

    def answer_h2(
        self,
        conn: h2.connection.H2Connection,
        stream: int,
        request: tuple[dict[str, str], int, float],
        pending: dict[int, bytes],
    ) -> None:
        headers, body, started = request
        method = headers.get(":method", "GET")
        target = headers.get(":path", "/")
        result = self.decide(method, target, body)
        first = acted(result)
        self.log_request(result, method, target, headers, started)
        if first.end.startswith("http2_error:"):
            name = first.end.partition(":")[2]
            code = h2.errors.ErrorCodes[name] if name in h2.errors.ErrorCodes.__members__ else 0xD
            conn.reset_stream(stream, error_code=code)
            self.record["end"] = f"stream reset {name}; connection kept open"
            return
        if first.end != "response" or not isinstance(result.outcome, HttpResponse):
            self.send(conn.data_to_send())
            self.end_connection(first.end)
        outcome, page = self.page(result, target, headers.get(":authority", ""))
        now = datetime.datetime.now(datetime.timezone.utc)
        head = [
            (":status", str(outcome.status)),
            *(
                (k.lower(), v)
                for k, v in response_headers(
                    outcome, host=self.ep.scenario.server.host, length=len(page), now=now
                )
            ),
        ]
        conn.send_headers(stream, head, end_stream=method == "HEAD")
        if method != "HEAD":
            pending[stream] = page


def _flush(conn: h2.connection.H2Connection, pending: dict[int, bytes]) -> None:
    """Send as much of each pending body as the flow-control windows allow."""
    for stream in list(pending):
        data = pending[stream]
        try:
            window = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            del pending[stream]
            continue
        while data and window > 0:
            chunk, data = data[:window], data[window:]
            conn.send_data(stream, chunk, end_stream=not data)
            window = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size)
        if data:
            pending[stream] = data
        else:
            del pending[stream]


def _reason(outcome: HttpResponse) -> str:
    return {200: "OK", 403: "Forbidden", 413: "Request Entity Too Large"}.get(
        outcome.status, "Internal Server Error" if outcome.status >= 500 else "Error"
    )


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
