"""Windows releases as data, each with the policy that decides its behaviour (R-REL-1 … R-REL-5).

The engine never tests build numbers: it reads a :class:`Release`'s policy fields.  A user
can define a release of their own (an Insider build, a patched server) with
:meth:`Release.custom`, choosing its policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim._values import identity_first_eq
from httpsys_sim.catalogue._rules import Confidence
from httpsys_sim.errors import InputError
from httpsys_sim.tls import TlsVersion

__all__ = [
    "RELEASES",
    "LateDemandPolicy",
    "Release",
    "get_release",
    "release_ids",
]


class LateDemandPolicy(ReprStrEnum):
    """What http.sys does when IIS demands a certificate late on a TLS 1.3 connection."""

    NOT_APPLICABLE = "n/a"  #: the release has no TLS 1.3 (TLS 1.2 renegotiation applies)
    RESET = "reset"  #: cut the TCP connection (R-REL-3: Windows 11 before 24H2, Server 2022)
    NOT_SUPPORTED = "not_supported"  #: fail with ERROR_NOT_SUPPORTED → IIS 500.0 (24H2+)


#: The versions a release enables by default, by (TLS 1.3 on, TLS 1.0/1.1 on): TLS 1.2 always.
_DEFAULT_VERSIONS: Mapping[tuple[bool, bool], tuple[TlsVersion, ...]] = MappingProxyType(
    {
        (tls13, legacy): (
            *((TlsVersion.TLS13,) if tls13 else ()),
            TlsVersion.TLS12,
            *((TlsVersion.TLS11, TlsVersion.TLS10) if legacy else ()),
        )
        for tls13 in (False, True)
        for legacy in (False, True)
    }
)


@identity_first_eq
@attrs.frozen(kw_only=True, cache_hash=True)
class Release:
    """One Windows release and its behaviour policy."""

    id: str  #: catalogue id, e.g. ``"win11-24h2"``
    product: str  #: e.g. ``"Windows 11 24H2"``
    build: int  #: OS build number (``10.0.<build>``)
    server: bool  #: a Windows Server release (full IIS usual) rather than a client OS
    tls13: bool  #: TLS 1.3 supported and on by default (R-REL-1)
    legacy_tls_default: bool  #: TLS 1.0 / 1.1 on by default (R-REL-2)
    http2: bool = True  #: http.sys serves HTTP/2 (all listed releases)
    late_demand_tls13: LateDemandPolicy  #: R-REL-3
    #: The IIS site binding ``sslFlags`` bit 128 (Negotiate Client Certificate) exists (R-IIS-3).
    site_binding_negotiate_flag: bool = False
    #: How sure we are of this release's row, and why.
    confidence: Confidence = Confidence.DOCUMENTED
    rules: tuple[str, ...] = ("R-REL-1", "R-REL-2", "R-REL-3")
    note: str | None = None
    #: A user-defined release (:meth:`custom`), not from the catalogue.
    user_defined: bool = False
    #: For a user-defined release: the catalogue release it started from.
    based_on: str | None = None

    @property
    def tls_versions(self) -> tuple[TlsVersion, ...]:
        """The versions a server on this release enables by default, highest first."""
        return _DEFAULT_VERSIONS[self.tls13, self.legacy_tls_default]

    @property
    def late_demand_rule(self) -> str:
        """The rule that fixes :attr:`late_demand_tls13` for this release."""
        return "R-REL-4" if self.id == "win11-25h2" else "R-REL-3"

    @property
    def supports_disable_tls13(self) -> bool:
        """``disabletls13`` means something only where TLS 1.3 exists."""
        return self.tls13

    @classmethod
    def custom(
        cls,
        id: str,
        *,
        based_on: str | Release = "win11-24h2",
        **policy: Any,
    ) -> Release:
        """A user-defined release: a catalogue release with some policy fields replaced.

        >>> Release.custom("insider-27000", based_on="win11-25h2", build=27000).late_demand_tls13
        LateDemandPolicy.NOT_SUPPORTED
        """
        base = based_on if isinstance(based_on, Release) else get_release(based_on)
        unknown = set(policy) - {f.name for f in attrs.fields(Release)}
        if unknown:
            raise InputError(
                f"unknown release field {sorted(unknown)[0]!r}",
                field="server.release",
                hint="fields: " + ", ".join(f.name for f in attrs.fields(Release)),
            )
        fields: dict[str, Any] = {
            "product": f"{base.product} (custom: {id})",
            "confidence": Confidence.INFERRED,
            "rules": ("R-REL-5", *base.rules),
            "note": f"user-defined, based on {base.id}",
        }
        fields.update(policy)
        root = base.based_on or base.id
        fields["rules"] = tuple(dict.fromkeys(fields["rules"]))
        return attrs.evolve(base, id=id, user_defined=True, based_on=root, **fields)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (used by ``httpsys-sim releases``)."""
        return {
            "id": self.id,
            "product": self.product,
            "build": self.build,
            "server": self.server,
            "tls_versions": [v.value for v in self.tls_versions],
            "tls13": self.tls13,
            "legacy_tls_default": self.legacy_tls_default,
            "http2": self.http2,
            "late_demand_tls13": self.late_demand_tls13.value,
            "site_binding_negotiate_flag": self.site_binding_negotiate_flag,
            "confidence": self.confidence.value,
            "rules": list(self.rules),
            "note": self.note,
            "user_defined": self.user_defined,
            "based_on": self.based_on,
        }

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import release_html

        return release_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import release_markdown

        return release_markdown(self)


_N = LateDemandPolicy.NOT_APPLICABLE
_R = LateDemandPolicy.RESET
_X = LateDemandPolicy.NOT_SUPPORTED


def _rel(
    id: str,
    product: str,
    build: int,
    *,
    server: bool,
    tls13: bool,
    legacy: bool,
    late: LateDemandPolicy,
    **extra: Any,
) -> Release:
    return Release(
        id=id,
        product=product,
        build=build,
        server=server,
        tls13=tls13,
        legacy_tls_default=legacy,
        late_demand_tls13=late,
        **extra,
    )


#: The release catalogue (docs/reference/releases.md), oldest first.
RELEASES: Mapping[str, Release] = MappingProxyType(
    {
        r.id: r
        for r in (
            _rel(
                "server-2016",
                "Windows Server 2016",
                14393,
                server=True,
                tls13=False,
                legacy=True,
                late=_N,
            ),
            _rel(
                "server-2019",
                "Windows Server 2019",
                17763,
                server=True,
                tls13=False,
                legacy=True,
                late=_N,
            ),
            _rel(
                "win10-22h2",
                "Windows 10 22H2",
                19045,
                server=False,
                tls13=False,
                legacy=True,
                late=_N,
                note="stands for every Windows 10 release",
            ),
            _rel(
                "server-2022",
                "Windows Server 2022",
                20348,
                server=True,
                tls13=True,
                legacy=True,
                late=_R,
            ),
            _rel(
                "win11-21h2",
                "Windows 11 21H2",
                22000,
                server=False,
                tls13=True,
                legacy=True,
                late=_R,
            ),
            _rel(
                "win11-22h2",
                "Windows 11 22H2",
                22621,
                server=False,
                tls13=True,
                legacy=True,
                late=_R,
            ),
            _rel(
                "win11-23h2",
                "Windows 11 23H2",
                22631,
                server=False,
                tls13=True,
                legacy=True,
                late=_R,
            ),
            _rel(
                "win11-24h2",
                "Windows 11 24H2",
                26100,
                server=False,
                tls13=True,
                legacy=False,
                late=_X,
            ),
            _rel(
                "win11-25h2",
                "Windows 11 25H2",
                26200,
                server=False,
                tls13=True,
                legacy=False,
                late=_X,
                confidence=Confidence.INFERRED,
                rules=("R-REL-1", "R-REL-2", "R-REL-4"),
                note="late-demand behaviour assumed equal to 24H2 (R-REL-4)",
            ),
            _rel(
                "server-2025",
                "Windows Server 2025",
                26100,
                server=True,
                tls13=True,
                legacy=False,
                late=_X,
                site_binding_negotiate_flag=True,
                rules=("R-REL-1", "R-REL-2", "R-REL-3", "R-IIS-3"),
            ),
        )
    }
)


def release_ids() -> tuple[str, ...]:
    """Every catalogue id, oldest first."""
    return tuple(RELEASES)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("windows", ""))


def get_release(key: str | int, *, field: str = "server.release") -> Release:
    """Find a release by id (``win11-24h2``), product name (``Windows 11 24H2``) or build.

    A build shared by two releases (26100: Windows 11 24H2 and Server 2025) is ambiguous
    and raises an :class:`InputError` naming both ids.
    """
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise TypeError(f"a release is named by a str or an int build, not {type(key).__name__}")
    if isinstance(key, str) and key in RELEASES:
        return RELEASES[key]
    text = str(key).strip()
    hint = "one of " + ", ".join(RELEASES) + ", a product name, or a build number"
    build_match = re.fullmatch(r"(?:10\.0\.)?(\d{4,6})(?:\.\d+)?", text)
    if build_match:
        build = int(build_match.group(1))
        hits = [r for r in RELEASES.values() if r.build == build]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError(
                f"build {build} is ambiguous",
                field=field,
                hint="name one of " + ", ".join(r.id for r in hits),
            )
        raise InputError(
            f"no release with build {build} in the catalogue",
            field=field,
            hint="define it with Release.custom(...) or a release object; " + hint,
        )
    wanted = _norm(text)
    for r in RELEASES.values():
        if wanted in (_norm(r.id), _norm(r.product)):
            return r
    raise InputError(f"unknown release {text!r}", field=field, hint=hint)
