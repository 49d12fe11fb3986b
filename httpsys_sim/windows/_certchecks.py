"""The certificate checks behind IIS's 403s: revocation, trust lists, client-certificate
mapping, and native modules that ask for the certificate themselves (docs/formats.md#scenario).

* :class:`RevocationSetup` — whether the CRL / OCSP endpoints of the client certificate answer
  the server (R-IIS-7.revocation-offline, S49); *whether* http.sys checks is the binding's
  ``verifyclientcertrevocation`` / ``DefaultCertCheckMode`` (R-BIND-1).
* :class:`TrustSetup` — ``SendTrustedIssuerList``, ``ClientAuthTrustMode``, the CTL and the
  classic "non-self-signed certificate in the Root store" mistake (R-IIS-7.trust-*, S14).
* :class:`MappingSetup` — IIS client-certificate mapping (one-to-one, many-to-one) or AD
  mapping (``dsmapperusage``) (R-IIS-7.mapping, S14).

Values only; the pipeline applies them (``core/_engine.py``, ``_validate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim._values import identity_first_eq
from httpsys_sim.errors import InputError

__all__ = ["MappingKind", "MappingSetup", "RevocationSetup", "TrustSetup", "read_object"]


def read_object(cls: type[Any], data: object, *, prefix: str, file: str | None = None) -> Any:
    """Build ``cls`` from a JSON object of booleans / ints / strings, refusing unknown keys
    and wrong types with the field named."""
    if not isinstance(data, Mapping):
        raise InputError("expected an object", file=file, field=prefix)
    fields = {f.name: f for f in attrs.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise InputError(
                f"unknown key {key!r}",
                file=file,
                field=f"{prefix}.{key}",
                hint="one of " + ", ".join(fields),
            )
        default = fields[key].default
        expected: type[Any] = type(default) if default is not None else str
        if isinstance(default, ReprStrEnum):
            try:
                value = type(default)(value)
            except ValueError:
                raise InputError(
                    f"unknown value {value!r}",
                    file=file,
                    field=f"{prefix}.{key}",
                    hint="one of " + ", ".join(m.value for m in type(default)),
                ) from None
        elif isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
            raise InputError(
                f"expected {expected.__name__}, got {value!r}",
                file=file,
                field=f"{prefix}.{key}",
            )
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except InputError as exc:
        raise InputError(
            exc.message, file=file, field=f"{prefix}.{exc.field or ''}".rstrip("."), hint=exc.hint
        ) from None


def _changed(value: Any) -> dict[str, Any]:
    """The fields that differ from their defaults (JSON writes only those)."""
    out: dict[str, Any] = {}
    for f in attrs.fields(type(value)):
        v = getattr(value, f.name)
        if v != f.default:
            out[f.name] = v.value if isinstance(v, ReprStrEnum) else v
    return out


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class RevocationSetup:
    """Can the server reach the client certificate's CRL / OCSP endpoints?"""

    #: The CRL distribution points / OCSP responders answer the server.
    reachable: bool = True
    #: A still-fresh CRL is in the server's cache (``revocationfreshnesstime`` decides how
    #: long one counts as fresh), so unreachable endpoints do not matter.
    cached: bool = False

    @property
    def can_check(self) -> bool:
        """The server can learn the certificate's revocation status."""
        return self.reachable or self.cached

    def to_dict(self) -> dict[str, Any]:
        """The non-default fields (docs/formats.md#scenario)."""
        return _changed(self)


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class TrustSetup:
    """How Schannel decides whether a client certificate is trusted (S14)."""

    #: ``SendTrustedIssuerList`` = 1: the CertificateRequest lists the trusted issuers, and
    #: clients offer only certificates from those issuers.
    send_trusted_issuer_list: bool = False
    #: The client certificate's issuer is among the issuers the server trusts (its root /
    #: CTL / the list it sends).
    client_issuer_in_list: bool = True
    #: ``ClientAuthTrustMode``: 0 machine trust (default), 1 exclusive root trust (the
    #: binding's CTL), 2 exclusive CA trust.
    client_auth_trust_mode: int = 0
    #: A certificate that is not self-signed sits in the machine's Trusted Root store.
    non_self_signed_in_root: bool = False

    def __attrs_post_init__(self) -> None:
        if self.client_auth_trust_mode not in (0, 1, 2):
            raise InputError(
                f"{self.client_auth_trust_mode!r} is not a ClientAuthTrustMode",
                field="client_auth_trust_mode",
                hint="0 machine trust, 1 exclusive root trust, 2 exclusive CA trust",
            )

    def to_dict(self) -> dict[str, Any]:
        """The non-default fields (docs/formats.md#scenario)."""
        return _changed(self)


class MappingKind(ReprStrEnum):
    """Which client-certificate mapping IIS applies."""

    NONE = "none"  #: no mapping: the certificate only authenticates the TLS connection
    ONE_TO_ONE = "one-to-one"  #: iisClientCertificateMappingAuthentication one-to-one
    MANY_TO_ONE = "many-to-one"  #: iisClientCertificateMappingAuthentication many-to-one
    ACTIVE_DIRECTORY = "active-directory"  #: AD mapping (binding ``dsmapperusage``)


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class MappingSetup:
    """IIS client-certificate mapping (S14: 403.12 "mapper denied access")."""

    kind: MappingKind = MappingKind.NONE
    #: The client's certificate matches a mapping rule (and maps to an enabled account).
    matches: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The non-default fields (docs/formats.md#scenario)."""
        return _changed(self)
