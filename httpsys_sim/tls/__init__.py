"""The sans-IO TLS model: vocabulary, messages, state machines, personalities, transcripts.

It knows nothing about Windows; :mod:`httpsys_sim.core._engine` drives it with the Schannel
personality and a client profile.  Usable on its own::

    from httpsys_sim.tls import TlsScenario, run_tls
    print(run_tls(TlsScenario.example()).to_text())
"""

from __future__ import annotations

from httpsys_sim.tls.errors import (
    ConnectionClosedError,
    HandshakeRefused,
    LocalProtocolError,
    PeerAlert,
    RemoteProtocolError,
    TlsError,
)
from httpsys_sim.tls.machine import (
    CLIENT_TABLE,
    SERVER_TABLE,
    CertRequest,
    CertRequestedHow,
    ClientConfig,
    Event,
    RenegotiationAnswer,
    RequestAt,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TraceEntry,
    Transition,
    states_for,
    table_for,
)
from httpsys_sim.tls.messages import CertState, Kind, Message
from httpsys_sim.tls.personality import (
    OPENSSL,
    PERSONALITIES,
    SCHANNEL,
    OnRefusedRenegotiation,
    Personality,
    get_personality,
)
from httpsys_sim.tls.run import SideTranscript, TlsScenario, TlsTranscript, run_tls
from httpsys_sim.tls.vocabulary import (
    AlertDescription,
    AlertLevel,
    ContentType,
    ExtensionType,
    HandshakeType,
    TlsVersion,
)
from httpsys_sim.tls.wire import Wire, WireEvent

__all__ = [
    "CLIENT_TABLE",
    "OPENSSL",
    "PERSONALITIES",
    "SCHANNEL",
    "SERVER_TABLE",
    "AlertDescription",
    "AlertLevel",
    "CertRequest",
    "CertRequestedHow",
    "CertState",
    "ClientConfig",
    "ConnectionClosedError",
    "ContentType",
    "Event",
    "ExtensionType",
    "HandshakeRefused",
    "HandshakeType",
    "Kind",
    "LocalProtocolError",
    "Message",
    "OnRefusedRenegotiation",
    "PeerAlert",
    "Personality",
    "RemoteProtocolError",
    "RenegotiationAnswer",
    "RequestAt",
    "Role",
    "ServerConfig",
    "SideTranscript",
    "State",
    "TlsConnection",
    "TlsError",
    "TlsScenario",
    "TlsTranscript",
    "TlsVersion",
    "TraceEntry",
    "Transition",
    "Wire",
    "WireEvent",
    "get_personality",
    "run_tls",
    "states_for",
    "table_for",
]
