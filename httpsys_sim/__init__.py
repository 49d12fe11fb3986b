"""httpsys-sim: how Windows HTTP.sys + Schannel + IIS answer requests that need a client
certificate — across Windows releases, TLS and HTTP versions, and clients — offline.

    >>> import httpsys_sim as hs
    >>> result = hs.simulate(hs.Scenario.seed())
    >>> result.outcome.short()
    '500.0'
"""

from __future__ import annotations

from httpsys_sim.clients import CLIENTS, ClientProfile, H11RetryPolicy, get_client
from httpsys_sim.compare import Comparison, compare
from httpsys_sim.diagnose import Diagnosis, Finding, diagnose
from httpsys_sim.engine import simulate
from httpsys_sim.errors import HttpsysSimError, InputError
from httpsys_sim.fixes import Fix
from httpsys_sim.matrix import Matrix, matrix
from httpsys_sim.result import (
    Alternative,
    ConnectionRecord,
    ConnectionReset,
    Http2Error,
    HttpResponse,
    IisLogLine,
    NoCommonProtocol,
    Outcome,
    OutcomeKind,
    Result,
    Step,
    Timeout,
    TlsAlert,
)
from httpsys_sim.rules import RULES, SOURCES, Confidence, Rule, Source, get_rule
from httpsys_sim.scenario import ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.tls import AlertLevel, CertState, RenegotiationAnswer, TlsVersion
from httpsys_sim.windows.binding import SslBinding
from httpsys_sim.windows.iis import AccessSslFlag, CertPolicy, Host, SiteBindingSslFlag
from httpsys_sim.windows.releases import RELEASES, LateDemandPolicy, Release, get_release
from httpsys_sim.windows.schannel import SchannelSettings

__version__ = "0.1.0"

__all__ = [
    "CLIENTS",
    "RELEASES",
    "RULES",
    "SOURCES",
    "AccessSslFlag",
    "AlertLevel",
    "Alternative",
    "CertPolicy",
    "CertState",
    "ClientProfile",
    "ClientSetup",
    "Comparison",
    "Confidence",
    "ConnectionRecord",
    "ConnectionReset",
    "Diagnosis",
    "Finding",
    "Fix",
    "H11RetryPolicy",
    "Host",
    "Http2Error",
    "HttpResponse",
    "HttpsysSimError",
    "IisLogLine",
    "InputError",
    "LateDemandPolicy",
    "Matrix",
    "NoCommonProtocol",
    "Outcome",
    "OutcomeKind",
    "Release",
    "RenegotiationAnswer",
    "Request",
    "Result",
    "Rule",
    "Scenario",
    "SchannelSettings",
    "ServerSetup",
    "SiteBindingSslFlag",
    "Source",
    "SslBinding",
    "Step",
    "Timeout",
    "TlsAlert",
    "TlsVersion",
    "__version__",
    "compare",
    "diagnose",
    "get_client",
    "get_release",
    "get_rule",
    "matrix",
    "simulate",
]
