"""The model decides: scenarios built from what the connecting client really offered.

The endpoint never chooses an outcome itself.  For each connection it rebuilds the scenario
with the client's capabilities taken from the ClientHello on the wire (and, once seen, the
certificate it sent and how it answered a HelloRequest), runs :func:`simulate`, and acts out
the first connection of the result.  A :class:`Decider` keeps a memo of results for one run of
the endpoint (the model is deterministic, so the memo changes nothing but time).
"""

from __future__ import annotations

import threading

import attrs

from httpsys_sim.core._engine import simulate
from httpsys_sim.core._exchange import ASKED_USER_END
from httpsys_sim.core._result import ConnectionRecord, Result
from httpsys_sim.core._scenario import Request, Scenario
from httpsys_sim.endpoint._hello import ClientHelloOffer
from httpsys_sim.errors import InputError
from httpsys_sim.tls import AlertLevel, CertState, RenegotiationAnswer

__all__ = ["Decider", "acted", "check_actable", "scenario_for"]

_MEMO_LIMIT = 4096


def check_actable(scenario: Scenario) -> None:
    """Refuse, as bad input, a scenario the endpoint cannot act out on a TCP socket."""
    if scenario.server.http3:
        raise InputError(
            "HTTP/3 cannot be served: the endpoint speaks TLS over TCP only",
            field="server.http3",
            hint="set it to false (see docs/serve.md)",
        )
    if scenario.request.scheme != "https":
        raise InputError(
            "the endpoint serves HTTPS only",
            field="request.scheme",
            hint='use "https" (see docs/serve.md)',
        )


def scenario_for(
    base: Scenario,
    offer: ClientHelloOffer,
    *,
    certificate: CertState = CertState.VALID,
    renegotiation: RenegotiationAnswer | None = None,
    refusal_level: AlertLevel | None = None,
    request: Request | None = None,
) -> Scenario:
    """``base`` with the client's capabilities overridden by what ``offer`` shows.

    The profile keeps what a ClientHello cannot show (its retry policy, its error texts); the
    versions, ALPN ids, ``post_handshake_auth`` and RFC 5746 signal come from the wire, and
    the renegotiation answer (and the level of a refusal), once observed, from the client's
    behaviour.
    """
    client = attrs.evolve(
        base.client,
        certificate=certificate,
        max_tls=offer.versions[0],
        min_tls=offer.versions[-1],
        alpn=offer.alpn,
        http3=False,
        offers_pha=offer.post_handshake_auth,
        secure_renegotiation=offer.secure_renegotiation,
    )
    if renegotiation is not None:
        client = attrs.evolve(
            client, renegotiation_http11=renegotiation, renegotiation_h2=renegotiation
        )
    if refusal_level is not None:
        client = attrs.evolve(client, refusal_level=refusal_level)
    return attrs.evolve(base, client=client, request=request or base.request)


def acted(result: Result) -> ConnectionRecord:
    """The model's connection the endpoint acts out for one real connection: the first,
    unless the model's client closed it to ask its user which certificate to send
    (R-CLI-16) — a real client shows that by closing, so the endpoint plans the connection
    that answers."""
    return next((c for c in result.connections if c.end != ASKED_USER_END), result.connections[0])


class Decider:
    """Simulates scenarios for one run of the endpoint, with a bounded memo (thread-safe)."""

    def __init__(self, base: Scenario) -> None:
        check_actable(base)
        self.base = base
        self._memo: dict[Scenario, Result] = {}
        self._lock = threading.Lock()

    def decide(
        self,
        offer: ClientHelloOffer,
        *,
        certificate: CertState = CertState.VALID,
        renegotiation: RenegotiationAnswer | None = None,
        refusal_level: AlertLevel | None = None,
        request: Request | None = None,
    ) -> Result:
        """The model's result for this client, certificate and request."""
        scenario = scenario_for(
            self.base,
            offer,
            certificate=certificate,
            renegotiation=renegotiation,
            refusal_level=refusal_level,
            request=request,
        )
        with self._lock:
            found = self._memo.get(scenario)
        if found is not None:
            return found
        result = simulate(scenario)
        with self._lock:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[scenario] = result
        return result
