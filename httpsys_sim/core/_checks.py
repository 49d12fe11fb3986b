"""The certificate checks http.sys / Schannel and IIS make before the 200: trust, revocation
and client-certificate mapping (scenario fields ``server.trust``, ``server.revocation``,
``server.mapping``; docs/formats.md#scenario).  Called from delimited branches of the
engine (``core/_engine.py``); the values live in :mod:`httpsys_sim.windows._certchecks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from httpsys_sim.core._result import OutcomeKind
from httpsys_sim.tls import CertState
from httpsys_sim.windows._certchecks import MappingKind

if TYPE_CHECKING:
    from httpsys_sim.core._engine import _Run
    from httpsys_sim.core._scenario import Scenario

__all__ = ["check_chain", "check_mapping", "offered_certificate"]

#: A verdict: status, sub-status, win32 status (logged), rule, story line.
Verdict = tuple[int, int, int, str, str]

# Enum members read on every run, bound to module names once: on CPython 3.11 reading a
# member through its class goes through the enum metaclass and costs about 80 ns, a
# module name about 3 ns (docs/architecture.md#speed).
_NO_CERT, _VALID = CertState.NONE, CertState.VALID


def offered_certificate(run: _Run, scenario: Scenario) -> CertState:
    """The certificate the client offers: none when the server's trusted-issuer list leaves
    it nothing to choose (R-IIS-7.trust-list)."""
    cert = scenario.client.certificate
    trust = scenario.server.trust
    if cert is not _NO_CERT and trust.send_trusted_issuer_list and not trust.client_issuer_in_list:
        if not run.trust_noted:
            run.trust_noted = True
            run.step(
                "client",
                "client",
                "SendTrustedIssuerList=1: the CertificateRequest names the server's trusted "
                "issuers and the client's certificate is not from one of them, so it offers "
                "none",
                "R-IIS-7.trust-list",
                key=True,
                decisive=True,
            )
        return _NO_CERT
    return cert


def check_chain(run: _Run, cert: CertState) -> Verdict | None:
    """Trust and revocation checks that turn a certificate into a 403 before the verdict on
    its own state (R-IIS-5); None when they pass."""
    s = run.scenario.server
    trust = s.trust
    if cert is _VALID and trust.non_self_signed_in_root and run.binding.ctl_identifier is None:
        return (
            403,
            16,
            0x800B0109,
            "R-IIS-7.trust-root",
            "a certificate that is not self-signed sits in the Trusted Root store and no CTL "
            "is set: Schannel considers client certificates untrusted, 403.16",
        )
    if (
        cert is _VALID
        and trust.client_auth_trust_mode in (1, 2)
        and not (trust.client_issuer_in_list)
    ):
        run.doubt(
            OutcomeKind.HTTP_RESPONSE,
            "the certificate might be dropped as if absent (403.7 / 200 without it)",
            "R-IIS-7.trust-mode",
            status=403,
            substatus=7,
        )
        return (
            403,
            16,
            0x800B0109,
            "R-IIS-7.trust-mode",
            f"ClientAuthTrustMode={trust.client_auth_trust_mode} and the certificate's issuer "
            "is not in the trusted list: untrusted, 403.16",
        )
    binding = run.binding
    if cert is _VALID and binding.verify_client_cert_revocation:
        rev = s.revocation
        cached_only = binding.verify_revocation_with_cached_cert_only
        if (cached_only and not rev.cached) or not rev.can_check:
            if cached_only and not rev.cached:
                run.doubt(
                    OutcomeKind.HTTP_RESPONSE,
                    "with cached-only checking and no cached CRL http.sys might let the "
                    "certificate pass (200)",
                    "R-IIS-7.revocation-offline",
                    status=200,
                    substatus=0,
                )
            why = (
                "only cached CRLs may be used and none is cached"
                if cached_only and not rev.cached
                else "the CRL / OCSP endpoints do not answer and no fresh CRL is cached"
            )
            return (
                403,
                13,
                0x80092013,  # CRYPT_E_REVOCATION_OFFLINE
                "R-IIS-7.revocation-offline",
                f"revocation cannot be checked ({why}): IIS refuses the valid certificate, 403.13",
            )
    return None


def check_mapping(run: _Run) -> Verdict | None:
    """IIS client-certificate mapping after the certificate passed (R-IIS-7.mapping)."""
    s = run.scenario.server
    mapping = s.mapping
    if mapping.kind is MappingKind.NONE:
        return None
    if mapping.kind is MappingKind.ACTIVE_DIRECTORY and not run.binding.ds_mapper_usage:
        run.doubt(
            OutcomeKind.HTTP_RESPONSE,
            "without dsmapperusage the request might simply run anonymously (200)",
            "R-IIS-7.mapping-ad",
            status=200,
            substatus=0,
        )
        return (
            403,
            12,
            0,
            "R-IIS-7.mapping-ad",
            "AD mapping is configured but the binding's dsmapperusage is off: the certificate "
            "maps to no account, 403.12",
        )
    if not mapping.matches:
        return (
            403,
            12,
            0,
            "R-IIS-7.mapping",
            f"{mapping.kind.value} mapping: no rule matches the certificate, mapper denied "
            "access: 403.12",
        )
    run.step(
        "iis",
        "IIS",
        f"{mapping.kind.value} mapping: the request runs as the mapped account",
        "R-IIS-7.mapping",
        key=True,
    )
    return None
