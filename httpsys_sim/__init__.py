"""httpsys-sim: how Windows HTTP.sys + Schannel + IIS answer requests that need a client
certificate — across Windows releases, TLS and HTTP versions, and clients — offline.

    >>> import httpsys_sim as hs
    >>> result = hs.simulate(hs.Scenario.seed())
    >>> result.outcome.short()
    '500.0'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - what the lazy names below resolve to
    from httpsys_sim.analysis._compare import Comparison, compare
    from httpsys_sim.analysis._diagnose import Diagnosis, Finding, diagnose, diagnose_bundle
    from httpsys_sim.analysis._hosts_matrix import HostMatrix, host_matrix
    from httpsys_sim.analysis._matrix import Matrix, matrix
    from httpsys_sim.catalogue._clients import CLIENTS, ClientProfile, H11RetryPolicy, get_client
    from httpsys_sim.catalogue._rules import RULES, SOURCES, Confidence, Rule, Source, get_rule
    from httpsys_sim.core._engine import simulate
    from httpsys_sim.core._fixes import Fix, find_fixes
    from httpsys_sim.core._result import (
        Actor,
        Alternative,
        ConnectionRecord,
        ConnectionReset,
        Http2Error,
        HttpResponse,
        IisLogLine,
        Layer,
        NoCommonProtocol,
        Outcome,
        OutcomeKind,
        Result,
        Step,
        Timeout,
        TlsAlert,
    )
    from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup
    from httpsys_sim.core._sweep import Sweep, simulate_many
    from httpsys_sim.endpoint import serve
    from httpsys_sim.errors import HttpsysSimError, InputError
    from httpsys_sim.tls import AlertLevel, CertState, RenegotiationAnswer, TlsVersion
    from httpsys_sim.views._svg import sequence_diagram
    from httpsys_sim.windows._binding import SslBinding
    from httpsys_sim.windows._certchecks import (
        MappingKind,
        MappingSetup,
        RevocationSetup,
        TrustSetup,
    )
    from httpsys_sim.windows._hosts import (
        AppObservation,
        AppValue,
        ClientCertificateMethod,
        ClientCertificateMode,
    )
    from httpsys_sim.windows._iis import AccessSslFlag, CertPolicy, Host, SiteBindingSslFlag
    from httpsys_sim.windows._releases import RELEASES, LateDemandPolicy, Release, get_release
    from httpsys_sim.windows._schannel import SchannelSettings

__version__ = "0.1.0"

#: Every public name → the module that defines it.  Nothing is imported until a name is first
#: used (PEP 562), so ``import httpsys_sim.tls`` loads the TLS layer alone and
#: ``import httpsys_sim`` stays fast.
_LAZY: Mapping[str, str] = MappingProxyType(
    {
        "Actor": "httpsys_sim.core._result",
        "Alternative": "httpsys_sim.core._result",
        "Layer": "httpsys_sim.core._result",
        "ConnectionRecord": "httpsys_sim.core._result",
        "ConnectionReset": "httpsys_sim.core._result",
        "Http2Error": "httpsys_sim.core._result",
        "HttpResponse": "httpsys_sim.core._result",
        "IisLogLine": "httpsys_sim.core._result",
        "NoCommonProtocol": "httpsys_sim.core._result",
        "Outcome": "httpsys_sim.core._result",
        "OutcomeKind": "httpsys_sim.core._result",
        "Result": "httpsys_sim.core._result",
        "Step": "httpsys_sim.core._result",
        "Timeout": "httpsys_sim.core._result",
        "TlsAlert": "httpsys_sim.core._result",
        "AccessSslFlag": "httpsys_sim.windows._iis",
        "AlertLevel": "httpsys_sim.tls",
        "CLIENTS": "httpsys_sim.catalogue._clients",
        "CertPolicy": "httpsys_sim.windows._iis",
        "CertState": "httpsys_sim.tls",
        "AppObservation": "httpsys_sim.windows._hosts",
        "AppValue": "httpsys_sim.windows._hosts",
        "ClientCertificateMethod": "httpsys_sim.windows._hosts",
        "ClientCertificateMode": "httpsys_sim.windows._hosts",
        "ClientProfile": "httpsys_sim.catalogue._clients",
        "HostMatrix": "httpsys_sim.analysis._hosts_matrix",
        "host_matrix": "httpsys_sim.analysis._hosts_matrix",
        "ClientSetup": "httpsys_sim.core._scenario",
        "Comparison": "httpsys_sim.analysis._compare",
        "Confidence": "httpsys_sim.catalogue._rules",
        "Diagnosis": "httpsys_sim.analysis._diagnose",
        "Finding": "httpsys_sim.analysis._diagnose",
        "Fix": "httpsys_sim.core._fixes",
        "find_fixes": "httpsys_sim.core._fixes",
        "H11RetryPolicy": "httpsys_sim.catalogue._clients",
        "Host": "httpsys_sim.windows._iis",
        "HttpsysSimError": "httpsys_sim.errors",
        "InputError": "httpsys_sim.errors",
        "LateDemandPolicy": "httpsys_sim.windows._releases",
        "MappingKind": "httpsys_sim.windows._certchecks",
        "MappingSetup": "httpsys_sim.windows._certchecks",
        "RevocationSetup": "httpsys_sim.windows._certchecks",
        "TrustSetup": "httpsys_sim.windows._certchecks",
        "Matrix": "httpsys_sim.analysis._matrix",
        "RELEASES": "httpsys_sim.windows._releases",
        "RULES": "httpsys_sim.catalogue._rules",
        "Release": "httpsys_sim.windows._releases",
        "RenegotiationAnswer": "httpsys_sim.tls",
        "Request": "httpsys_sim.core._scenario",
        "Rule": "httpsys_sim.catalogue._rules",
        "SOURCES": "httpsys_sim.catalogue._rules",
        "Scenario": "httpsys_sim.core._scenario",
        "SchannelSettings": "httpsys_sim.windows._schannel",
        "ServerSetup": "httpsys_sim.core._scenario",
        "SiteBindingSslFlag": "httpsys_sim.windows._iis",
        "Source": "httpsys_sim.catalogue._rules",
        "SslBinding": "httpsys_sim.windows._binding",
        "TlsVersion": "httpsys_sim.tls",
        "compare": "httpsys_sim.analysis._compare",
        "diagnose": "httpsys_sim.analysis._diagnose",
        "diagnose_bundle": "httpsys_sim.analysis._diagnose",
        "get_client": "httpsys_sim.catalogue._clients",
        "get_release": "httpsys_sim.windows._releases",
        "get_rule": "httpsys_sim.catalogue._rules",
        "matrix": "httpsys_sim.analysis._matrix",
        "sequence_diagram": "httpsys_sim.views._svg",
        "serve": "httpsys_sim.endpoint",
        "simulate": "httpsys_sim.core._engine",
        "Sweep": "httpsys_sim.core._sweep",
        "simulate_many": "httpsys_sim.core._sweep",
    }
)


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names only (``dir(hs)``)."""
    return sorted(__all__)


__all__ = [
    "CLIENTS",
    "RELEASES",
    "RULES",
    "SOURCES",
    "AccessSslFlag",
    "Actor",
    "AlertLevel",
    "Alternative",
    "AppObservation",
    "AppValue",
    "CertPolicy",
    "CertState",
    "ClientCertificateMethod",
    "ClientCertificateMode",
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
    "HostMatrix",
    "Http2Error",
    "HttpResponse",
    "HttpsysSimError",
    "IisLogLine",
    "InputError",
    "LateDemandPolicy",
    "Layer",
    "MappingKind",
    "MappingSetup",
    "Matrix",
    "NoCommonProtocol",
    "Outcome",
    "OutcomeKind",
    "Release",
    "RenegotiationAnswer",
    "Request",
    "Result",
    "RevocationSetup",
    "Rule",
    "Scenario",
    "SchannelSettings",
    "ServerSetup",
    "SiteBindingSslFlag",
    "Source",
    "SslBinding",
    "Step",
    "Sweep",
    "Timeout",
    "TlsAlert",
    "TlsVersion",
    "TrustSetup",
    "__version__",
    "compare",
    "diagnose",
    "diagnose_bundle",
    "find_fixes",
    "get_client",
    "get_release",
    "get_rule",
    "host_matrix",
    "matrix",
    "sequence_diagram",
    "serve",
    "simulate",
    "simulate_many",
]
