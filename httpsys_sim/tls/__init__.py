"""The sans-IO TLS model: vocabulary, messages, state machines, personalities, transcripts.

It knows nothing about Windows; :mod:`httpsys_sim.core._engine` drives it with the Schannel
personality and a client profile.  Usable on its own::

    from httpsys_sim.tls import TlsScenario, run_tls
    print(run_tls(TlsScenario.example()).to_text())

Everything public is imported from here; the modules behind it are private:

* ``_vocabulary`` — wire code points (versions, alerts, …) and ``_messages`` — messages;
* ``_config`` — what each end is set up to do; ``_personality`` — a stack's choices;
* ``_rows`` — the tables' vocabulary (states, events, guards, …) and ``_tables`` — the
  transition tables, as data;
* ``_actions`` — what the names in the tables do; ``_connection`` — the machine that runs
  a table; ``_wire`` — two machines in memory; ``_run`` — ``httpsys-sim tls``;
* ``_errors`` — the errors, each carrying what the peer observes.
"""

from __future__ import annotations

from httpsys_sim.tls._config import (
    REQUEST_AT_CHOICES,
    CertRequest,
    CertRequestedHow,
    ClientConfig,
    RenegotiationAnswer,
    Role,
    ServerConfig,
)
from httpsys_sim.tls._connection import TlsConnection, TraceEntry
from httpsys_sim.tls._errors import (
    ConnectionClosedError,
    HandshakeRefused,
    LocalProtocolError,
    PeerAlert,
    RemoteProtocolError,
    TlsError,
)
from httpsys_sim.tls._messages import CertState, Kind, Message
from httpsys_sim.tls._personality import (
    OPENSSL,
    PERSONALITIES,
    SCHANNEL,
    OnRefusedRenegotiation,
    Personality,
    get_personality,
)
from httpsys_sim.tls._rows import Cond, Effect, Emit, Event, Guard, Out, State, Transition
from httpsys_sim.tls._run import SideTranscript, TlsScenario, TlsTranscript, run_tls
from httpsys_sim.tls._tables import CLIENT_TABLE, SERVER_TABLE, states_for, table_for
from httpsys_sim.tls._vocabulary import (
    AlertDescription,
    AlertLevel,
    ContentType,
    ExtensionType,
    HandshakeType,
    TlsVersion,
)
from httpsys_sim.tls._wire import Wire, WireEvent

__all__ = [
    "CLIENT_TABLE",
    "OPENSSL",
    "PERSONALITIES",
    "REQUEST_AT_CHOICES",
    "SCHANNEL",
    "SERVER_TABLE",
    "AlertDescription",
    "AlertLevel",
    "CertRequest",
    "CertRequestedHow",
    "CertState",
    "ClientConfig",
    "Cond",
    "ConnectionClosedError",
    "ContentType",
    "Effect",
    "Emit",
    "Event",
    "ExtensionType",
    "Guard",
    "HandshakeRefused",
    "HandshakeType",
    "Kind",
    "LocalProtocolError",
    "Message",
    "OnRefusedRenegotiation",
    "Out",
    "PeerAlert",
    "Personality",
    "RemoteProtocolError",
    "RenegotiationAnswer",
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
