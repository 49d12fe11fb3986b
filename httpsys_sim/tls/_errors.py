"""Errors of the TLS model, each carrying what the *peer* will observe (docs/architecture.md).

* :class:`LocalProtocolError` — the local application asked for something the protocol or
  the stack does not allow (renegotiate on TLS 1.3, post-handshake auth on TLS 1.2 or with a
  client that did not offer it).  Nothing is sent; the connection stays usable, as with
  OpenSSL's ``SSL_renegotiate`` / ``SSL_verify_client_post_handshake`` returning an error.
* :class:`RemoteProtocolError` — the peer sent a message that is illegal in the current
  state.  We answer with the alert the RFC names and the connection is terminal.
* :class:`HandshakeRefused` — the peer's message was legal but our policy rejects it (no
  common version, a required certificate missing or untrusted, a refused renegotiation).
  We answer with an alert (or drop the connection) and the connection is terminal.
* :class:`PeerAlert` — the peer sent a fatal alert (or closed); the connection is terminal.
"""

from __future__ import annotations

from httpsys_sim.errors import HttpsysSimError

__all__ = [
    "ConnectionClosedError",
    "HandshakeRefused",
    "LocalProtocolError",
    "PeerAlert",
    "RemoteProtocolError",
    "TlsError",
]


class TlsError(HttpsysSimError):
    """An error of the TLS model.

    ``peer_observes`` is what the other end sees: an alert label such as
    ``"alert fatal:unexpected_message(10)"``, ``"tcp_reset"``, or ``"nothing"``.
    ``rule`` is the rule id that makes this an error.
    """

    def __init__(self, message: str, *, rule: str, peer_observes: str) -> None:
        super().__init__(message)
        self.reason = message
        self.rule = rule
        self.peer_observes = peer_observes

    @property
    def code(self) -> str:
        """A short machine-readable name of the error (its class name)."""
        return type(self).__name__


class LocalProtocolError(TlsError):
    """The local side asked for something not allowed; nothing was sent."""


class RemoteProtocolError(TlsError):
    """The peer broke the protocol; we sent the alert in ``peer_observes``."""


class HandshakeRefused(TlsError):
    """Our policy rejected the peer's (legal) message; we sent ``peer_observes``."""


class PeerAlert(TlsError):
    """The peer sent a fatal alert or closed the connection."""


class ConnectionClosedError(TlsError):
    """Input arrived after the connection reached its terminal state (it is poisoned)."""
