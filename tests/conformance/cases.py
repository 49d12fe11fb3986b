"""Named TLS-only setups (contract §2.3) that the conformance tests play on real OpenSSL.

Each setup is complete (every key of §2.3 spelled out), so that a case means the same thing
to the harness and to the model whatever defaults either has.  Names read
``tls<version>-<when the server asks>-<cert_request>-<client certificate>[-detail]``, or
``tls<version>-client-renegotiation-<server policy>`` for client-initiated renegotiation.
After changing a case, re-record: ``python -m tests.conformance.record``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CASES"]


def _setup(
    version: str,
    *,
    cert_request: str = "none",
    request_at: str = "handshake",
    certificate: str = "valid",
    post_handshake_auth: bool = False,
    renegotiation: str = "accept",
    initiate_renegotiation: bool = False,
    resumption_on_renegotiation: bool = False,
    allow_client_renegotiation: bool = False,
    alpn: list[str] | None = None,
    rounds: int = 1,
) -> dict[str, Any]:
    return {
        "stack": "openssl",
        "version": version,
        "alpn": alpn,
        "server": {
            "cert_request": cert_request,
            "request_at": request_at,
            "resumption_on_renegotiation": resumption_on_renegotiation,
            "allow_client_renegotiation": allow_client_renegotiation,
            "rounds": rounds,
        },
        "client": {
            "certificate": certificate,
            "post_handshake_auth": post_handshake_auth,
            "renegotiation": renegotiation,
            "initiate_renegotiation": initiate_renegotiation,
        },
    }


def _handshake_cases(version: str) -> dict[str, dict[str, Any]]:
    """The certificate requested (or not) in the initial handshake."""
    prefix = f"tls{version.replace('.', '')}-handshake"
    return {
        f"{prefix}-none-valid": _setup(version, cert_request="none"),
        f"{prefix}-optional-valid": _setup(version, cert_request="optional"),
        f"{prefix}-optional-none": _setup(version, cert_request="optional", certificate="none"),
        f"{prefix}-optional-untrusted": _setup(
            version, cert_request="optional", certificate="untrusted"
        ),
        f"{prefix}-required-valid": _setup(version, cert_request="required"),
        f"{prefix}-required-none": _setup(version, cert_request="required", certificate="none"),
        f"{prefix}-required-untrusted": _setup(
            version, cert_request="required", certificate="untrusted"
        ),
    }


def _pha(
    cert_request: str, certificate: str, *, offered: bool = True, rounds: int = 1
) -> dict[str, Any]:
    return _setup(
        "1.3",
        cert_request=cert_request,
        request_at="post_handshake",
        certificate=certificate,
        post_handshake_auth=offered,
        rounds=rounds,
    )


def _reneg(cert_request: str, certificate: str, **options: Any) -> dict[str, Any]:
    return _setup(
        "1.2",
        cert_request=cert_request,
        request_at="renegotiation",
        certificate=certificate,
        **options,
    )


CASES: dict[str, dict[str, Any]] = {
    # TLS 1.3, certificate requested in the handshake
    **_handshake_cases("1.3"),
    "tls13-handshake-required-valid-alpn": _setup(
        "1.3", cert_request="required", alpn=["h2", "http/1.1"]
    ),
    # TLS 1.3 post-handshake authentication
    "tls13-pha-required-valid": _pha("required", "valid"),
    "tls13-pha-optional-valid": _pha("optional", "valid"),
    "tls13-pha-required-none": _pha("required", "none"),
    "tls13-pha-optional-none": _pha("optional", "none"),
    "tls13-pha-required-untrusted": _pha("required", "untrusted"),
    "tls13-pha-required-valid-not-offered": _pha("required", "valid", offered=False),
    # two rounds of post-handshake auth on one connection (contexts 1 then 2)
    "tls13-pha-required-valid-two-rounds": _pha("required", "valid", rounds=2),
    "tls13-pha-optional-none-two-rounds": _pha("optional", "none", rounds=2),
    # TLS 1.3 has no renegotiation: the local API refuses, nothing is sent
    "tls13-renegotiation-required-valid": _setup(
        "1.3", cert_request="required", request_at="renegotiation"
    ),
    "tls13-client-renegotiation": _setup(
        "1.3", initiate_renegotiation=True, allow_client_renegotiation=True
    ),
    # TLS 1.2, certificate requested in the handshake
    **_handshake_cases("1.2"),
    # TLS 1.2 has no post-handshake authentication: the local API refuses, nothing is sent
    "tls12-pha-required-valid": _setup(
        "1.2", cert_request="required", request_at="post_handshake", post_handshake_auth=True
    ),
    # TLS 1.2 server-initiated renegotiation (HelloRequest) asking for a certificate
    "tls12-renegotiation-required-valid": _reneg("required", "valid"),
    "tls12-renegotiation-optional-valid": _reneg("optional", "valid"),
    "tls12-renegotiation-required-none": _reneg("required", "none"),
    "tls12-renegotiation-optional-none": _reneg("optional", "none"),
    "tls12-renegotiation-required-untrusted": _reneg("required", "untrusted"),
    "tls12-renegotiation-required-valid-refused": _reneg(
        "required", "valid", renegotiation="refuse"
    ),
    "tls12-renegotiation-required-valid-resumed": _reneg(
        "required", "valid", resumption_on_renegotiation=True
    ),
    # two renegotiations on one connection
    "tls12-renegotiation-required-valid-two-rounds": _reneg("required", "valid", rounds=2),
    "tls12-renegotiation-optional-none-two-rounds": _reneg("optional", "none", rounds=2),
    # TLS 1.2 client-initiated renegotiation
    "tls12-client-renegotiation-default": _setup("1.2", initiate_renegotiation=True),
    "tls12-client-renegotiation-allowed": _setup(
        "1.2", initiate_renegotiation=True, allow_client_renegotiation=True
    ),
    "tls12-client-renegotiation-allowed-resumed": _setup(
        "1.2",
        initiate_renegotiation=True,
        allow_client_renegotiation=True,
        resumption_on_renegotiation=True,
    ),
}
