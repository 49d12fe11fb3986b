"""httpsys-sim: how Windows HTTP.sys + Schannel + IIS answer requests that need a client
certificate — across Windows releases, TLS and HTTP versions, and clients — offline.

    >>> import httpsys_sim as hs
    >>> result = hs.simulate(hs.Scenario.seed())
    >>> result.outcome.short()
    '500.0'
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from httpsys_sim.clients import CLIENTS, ClientProfile, H11RetryPolicy, get_client
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

if TYPE_CHECKING:  # pragma: no cover - what the lazy names below resolve to
    from httpsys_sim.compare import Comparison, compare
    from httpsys_sim.diagnose import Diagnosis, Finding, diagnose

__version__ = "0.1.0"

#: Names loaded on first use, to keep ``import httpsys_sim`` fast (the readers behind
#: ``diagnose`` pull in the XML parser).  name → module that defines it.
_LAZY: Mapping[str, str] = MappingProxyType(
    {
        "compare": "httpsys_sim.compare",
        "Comparison": "httpsys_sim.compare",
        "diagnose": "httpsys_sim.diagnose",
        "Diagnosis": "httpsys_sim.diagnose",
        "Finding": "httpsys_sim.diagnose",
    }
)
#: Functions that share their name with their module (``hs.matrix`` is the function).
_FUNCTIONS_NAMED_LIKE_MODULES = frozenset({"compare", "diagnose", "matrix"})


class _Package(types.ModuleType):
    """The package module: loads :data:`_LAZY` names on first use, and keeps
    ``hs.compare`` / ``hs.diagnose`` / ``hs.matrix`` the functions even after their
    modules are imported (the import system sets a submodule as an attribute)."""

    def __getattr__(self, name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        types.ModuleType.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_NAMED_LIKE_MODULES and isinstance(value, types.ModuleType):
            if name in _LAZY:
                self.__dict__.pop(name, None)  # resolved again, lazily, as the function
            return
        types.ModuleType.__setattr__(self, name, value)


sys.modules[__name__].__class__ = _Package

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
