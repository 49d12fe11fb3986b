"""Stack personalities: how a particular TLS implementation fills the RFCs' choices.

The state machines (:mod:`httpsys_sim.tls._tables`) follow the RFCs; where an RFC leaves a
choice (how many tickets, whether to resume on renegotiation, what to do when the peer
refuses a renegotiation, whether a missing certificate fails the handshake), they ask the
personality.  Each choice names the rule that documents it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim._values import identity_first_eq
from httpsys_sim.errors import InputError
from httpsys_sim.tls._vocabulary import AlertLevel

__all__ = [
    "OPENSSL",
    "PERSONALITIES",
    "SCHANNEL",
    "OnRefusedRenegotiation",
    "Personality",
    "get_personality",
]


class OnRefusedRenegotiation(ReprStrEnum):
    """What the side that asked for a renegotiation does when the peer refuses it."""

    FATAL_ALERT = "fatal_alert"  #: send fatal handshake_failure(40) and close (OpenSSL)
    ABORT = "abort"  #: drop the connection without an alert: the peer sees a TCP reset
    CONTINUE = "continue"  #: carry on with the old parameters


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class Personality:
    """One TLS stack's choices where the RFCs leave room.  ``rules`` maps field → rule id."""

    id: str
    name: str
    #: NewSessionTickets the server sends after a full TLS 1.3 handshake.
    tls13_tickets: int
    #: NewSessionTickets the server sends after a post-handshake authentication exchange.
    tickets_after_pha: int
    #: TLS ≤ 1.2: the server issues a NewSessionTicket (RFC 5077) on a full handshake.
    tls12_ticket: bool
    #: TLS ≤ 1.2: the server also issues one when it resumes a session.
    tls12_ticket_on_resumption: bool
    #: TLS 1.3 clients send a non-empty legacy_session_id (middlebox compatibility).
    middlebox_compat: bool
    #: A server that *requires* a certificate fails the handshake on an empty Certificate.
    fail_on_missing_cert: bool
    #: A server that asked for a certificate alerts when it cannot verify the one it got.
    verify_alerts: bool
    #: Level of ``no_renegotiation`` when this stack refuses a renegotiation.
    refusal_level: AlertLevel
    #: What the initiator does when the peer refuses its renegotiation.
    on_refused_renegotiation: OnRefusedRenegotiation
    #: The server accepts a client-initiated renegotiation by default.
    allow_client_renegotiation: bool
    #: The server resumes the session when the renegotiating ClientHello offers it.
    resumption_on_renegotiation: bool
    #: The client offers its current session when a HelloRequest makes it renegotiate
    #: (a renegotiation the client starts itself asks for a new session).
    client_offers_session_on_renegotiation: bool
    #: The server implements TLS 1.3 post-handshake authentication at all.
    pha_server: bool
    #: The server refuses locally (nothing sent) to request PHA from a client that did not
    #: offer ``post_handshake_auth``.  ``False`` models a non-conforming server (tests).
    pha_requires_client_offer: bool
    #: Rule id behind each field, for traces (not hashed: a mapping is not hashable).
    rules: Mapping[str, str] = attrs.field(factory=dict, hash=False)


#: OpenSSL 3 (3.0 series): the generic, RFC-conforming stack.  Facts: P-OSSL-* rules.
OPENSSL = Personality(
    id="openssl",
    name="OpenSSL 3",
    tls13_tickets=2,
    tickets_after_pha=2,
    tls12_ticket=True,
    tls12_ticket_on_resumption=False,
    middlebox_compat=True,
    fail_on_missing_cert=True,
    verify_alerts=True,
    refusal_level=AlertLevel.WARNING,
    on_refused_renegotiation=OnRefusedRenegotiation.FATAL_ALERT,
    allow_client_renegotiation=False,
    resumption_on_renegotiation=True,
    client_offers_session_on_renegotiation=True,
    pha_server=True,
    pha_requires_client_offer=True,
    rules=MappingProxyType(
        {
            "tls13_tickets": "P-OSSL-1",
            "tickets_after_pha": "P-OSSL-2",
            "allow_client_renegotiation": "P-OSSL-3",
            "on_refused_renegotiation": "P-OSSL-4",
            "resumption_on_renegotiation": "P-OSSL-5",
            "client_offers_session_on_renegotiation": "P-OSSL-5",
            "verify_alerts": "P-OSSL-6",
            "pha_requires_client_offer": "P-OSSL-7",
            "fail_on_missing_cert": "P-OSSL-8",
            "refusal_level": "RFC5246-7.4.1.1",
            "middlebox_compat": "RFC8446-D.4",
            "tls12_ticket": "RFC5077-3.3",
            "tls12_ticket_on_resumption": "RFC5077-3.3",
        }
    ),
)

#: Windows Schannel as http.sys drives it.  Facts: P-SCH-* rules.
SCHANNEL = Personality(
    id="schannel",
    name="Windows Schannel (as used by http.sys)",
    tls13_tickets=1,
    tickets_after_pha=0,
    tls12_ticket=False,
    tls12_ticket_on_resumption=False,
    middlebox_compat=True,
    fail_on_missing_cert=False,
    verify_alerts=False,
    refusal_level=AlertLevel.WARNING,
    on_refused_renegotiation=OnRefusedRenegotiation.ABORT,
    allow_client_renegotiation=True,
    resumption_on_renegotiation=False,
    client_offers_session_on_renegotiation=False,
    pha_server=False,
    pha_requires_client_offer=True,
    rules=MappingProxyType(
        {
            "fail_on_missing_cert": "P-SCH-1",
            "verify_alerts": "P-SCH-1",
            "pha_server": "P-SCH-2",
            "resumption_on_renegotiation": "P-SCH-3",
            "tls13_tickets": "P-SCH-4",
            "allow_client_renegotiation": "P-SCH-5",
            "on_refused_renegotiation": "R-REQ-2.tls12-refused",
            "middlebox_compat": "RFC8446-D.4",
            "refusal_level": "RFC5246-7.4.1.1",
            "tls12_ticket": "RFC5077-3.3",
            "tls12_ticket_on_resumption": "RFC5077-3.3",
        }
    ),
)

#: Every built-in personality by id.
PERSONALITIES: Mapping[str, Personality] = MappingProxyType({p.id: p for p in (OPENSSL, SCHANNEL)})


def get_personality(personality_id: str, *, field: str = "stack") -> Personality:
    """Look a personality up by id; an unknown id is an :class:`InputError`."""
    try:
        return PERSONALITIES[personality_id]
    except KeyError:
        raise InputError(
            f"unknown TLS stack {personality_id!r}",
            field=field,
            hint="one of " + ", ".join(PERSONALITIES),
        ) from None
