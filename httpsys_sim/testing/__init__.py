"""Test helpers: assertions, the fake HTTP.sys API, the pytest plugin (and
:mod:`httpsys_sim.testing.strategies`, which needs Hypothesis)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from httpsys_sim.testing._assertions import (
        ANY,
        ScenarioFactory,
        SimulateFactory,
        assert_outcome,
        build_scenario,
        failure_report,
    )
    from httpsys_sim.testing._fake import (
        CERT_E_EXPIRED,
        CERT_E_UNTRUSTEDROOT,
        CHROMIUM_NET_ERRORS,
        CRYPT_E_REVOKED,
        ERROR_CONNECTION_ABORTED,
        ERROR_CONNECTION_INVALID,
        ERROR_NOT_FOUND,
        ERROR_NOT_SUPPORTED,
        NO_ERROR,
        WIN32_MESSAGES,
        WSAECONNRESET,
        AppCertificateError,
        BrowserError,
        ChromiumNetError,
        ClientCertificate,
        ClientError,
        CurlError,
        FakeHttpSys,
        FakeHttpSysFactory,
        HttpSysApi,
        HttpSysConnectionReset,
        HttpSysError,
        HttpSysStreamReset,
        ReceiveResult,
        RequestNotDelivered,
        RequestsConnectionError,
        RequestsError,
        RequestsReadTimeout,
        RequestsSSLError,
        Urllib3ProtocolError,
        fake_http_sys,
    )

#: name → module; loaded on first use, so the pytest plugin stays light.
_LAZY: Mapping[str, str] = MappingProxyType(
    {
        "ANY": "httpsys_sim.testing._assertions",
        "ScenarioFactory": "httpsys_sim.testing._assertions",
        "SimulateFactory": "httpsys_sim.testing._assertions",
        "assert_outcome": "httpsys_sim.testing._assertions",
        "build_scenario": "httpsys_sim.testing._assertions",
        "failure_report": "httpsys_sim.testing._assertions",
        "CERT_E_EXPIRED": "httpsys_sim.testing._fake",
        "CERT_E_UNTRUSTEDROOT": "httpsys_sim.testing._fake",
        "CHROMIUM_NET_ERRORS": "httpsys_sim.testing._fake",
        "CRYPT_E_REVOKED": "httpsys_sim.testing._fake",
        "ERROR_CONNECTION_ABORTED": "httpsys_sim.testing._fake",
        "ERROR_CONNECTION_INVALID": "httpsys_sim.testing._fake",
        "ERROR_NOT_FOUND": "httpsys_sim.testing._fake",
        "ERROR_NOT_SUPPORTED": "httpsys_sim.testing._fake",
        "NO_ERROR": "httpsys_sim.testing._fake",
        "WIN32_MESSAGES": "httpsys_sim.testing._fake",
        "WSAECONNRESET": "httpsys_sim.testing._fake",
        "AppCertificateError": "httpsys_sim.testing._fake",
        "BrowserError": "httpsys_sim.testing._fake",
        "ChromiumNetError": "httpsys_sim.testing._fake",
        "ClientCertificate": "httpsys_sim.testing._fake",
        "ClientError": "httpsys_sim.testing._fake",
        "CurlError": "httpsys_sim.testing._fake",
        "FakeHttpSys": "httpsys_sim.testing._fake",
        "FakeHttpSysFactory": "httpsys_sim.testing._fake",
        "HttpSysApi": "httpsys_sim.testing._fake",
        "HttpSysConnectionReset": "httpsys_sim.testing._fake",
        "HttpSysError": "httpsys_sim.testing._fake",
        "HttpSysStreamReset": "httpsys_sim.testing._fake",
        "ReceiveResult": "httpsys_sim.testing._fake",
        "RequestNotDelivered": "httpsys_sim.testing._fake",
        "RequestsConnectionError": "httpsys_sim.testing._fake",
        "RequestsError": "httpsys_sim.testing._fake",
        "RequestsReadTimeout": "httpsys_sim.testing._fake",
        "RequestsSSLError": "httpsys_sim.testing._fake",
        "Urllib3ProtocolError": "httpsys_sim.testing._fake",
        "fake_http_sys": "httpsys_sim.testing._fake",
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


__all__ = [
    "ANY",
    "CERT_E_EXPIRED",
    "CERT_E_UNTRUSTEDROOT",
    "CHROMIUM_NET_ERRORS",
    "CRYPT_E_REVOKED",
    "ERROR_CONNECTION_ABORTED",
    "ERROR_CONNECTION_INVALID",
    "ERROR_NOT_FOUND",
    "ERROR_NOT_SUPPORTED",
    "NO_ERROR",
    "WIN32_MESSAGES",
    "WSAECONNRESET",
    "AppCertificateError",
    "BrowserError",
    "ChromiumNetError",
    "ClientCertificate",
    "ClientError",
    "CurlError",
    "FakeHttpSys",
    "FakeHttpSysFactory",
    "HttpSysApi",
    "HttpSysConnectionReset",
    "HttpSysError",
    "HttpSysStreamReset",
    "ReceiveResult",
    "RequestNotDelivered",
    "RequestsConnectionError",
    "RequestsError",
    "RequestsReadTimeout",
    "RequestsSSLError",
    "ScenarioFactory",
    "SimulateFactory",
    "Urllib3ProtocolError",
    "assert_outcome",
    "build_scenario",
    "failure_report",
    "fake_http_sys",
]
