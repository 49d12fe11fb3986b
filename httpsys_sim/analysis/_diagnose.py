"""Predict, from a real server's configuration, what each client will get — and fix it.

:func:`diagnose` reads any subset of ``netsh http show sslcert`` output, an
``applicationHost.config`` (IIS or IIS Express), ``web.config`` files and registry exports
(http.sys bindings of every kind, Schannel), and :func:`diagnose_bundle` a folder written
by the collection script (``httpsys-sim collect-script``; docs/cli.md#diagnose).  Every
site and every configured path becomes a finding — also those that ask for no
certificate — with the http.sys binding that serves it (R-BIND-3), its effective access
flags and where they came from (R-IIS-1.merge), the outcome of each client on each release
(cells marked like ``matrix``: ``*`` the certificate never reached IIS, ``?`` uncertain),
the upgrade risks, and remedies built from the site's real binding, each re-simulated.

The certificate checks the exports configure flow into every simulated scenario: the binding's
revocation settings (netsh, ``DefaultSslCertCheckMode``…), Schannel's ``SendTrustedIssuerList``
and ``ClientAuthTrustMode``, and each path's client-certificate mapping.  What no export can
show — whether the CRL / OCSP endpoints answer, whether the clients' issuers are trusted,
whether a mapping rule matches their certificates — is assumed the way the grid says and
carried as an :class:`Unknown` per finding, with the outcomes that change when the assumption is
wrong and the remedies for that case (docs/cli.md#what-diagnose-reads).

Sites with the same effective configuration are simulated once: the memo lives in the
run object (:class:`_Run`), never in module state, and every simulation goes through the
run's :class:`~httpsys_sim.Sweep` (TLS exchanges and set-ups shared by configurations are
worked out once).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, TextIO

import attrs

from httpsys_sim.catalogue._clients import CLIENTS
from httpsys_sim.core._fixes import _CANDIDATES as FIX_CANDIDATES
from httpsys_sim.core._fixes import Fix
from httpsys_sim.core._result import Result, category, cell_text, is_failure
from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.core._sweep import Sweep
from httpsys_sim.errors import InputError
from httpsys_sim.readers._appconfig import (
    AppHostConfig,
    Site,
    SiteBinding,
    parse_application_host_config,
)
from httpsys_sim.readers._certmapping import CertificateMapping, GlobalModule
from httpsys_sim.readers._netsh import NetshBinding, parse_netsh_sslcert
from httpsys_sim.readers._regfile import (
    HTTP_PARAMETERS_KEY,
    RegBinding,
    SchannelExport,
    parse_schannel_reg,
)
from httpsys_sim.readers._text import MAX_INPUT_BYTES
from httpsys_sim.readers._webconfig import (
    ConfigProblem,
    EffectivePath,
    FlagSource,
    WebConfig,
    effective_paths,
    parse_web_config,
)
from httpsys_sim.schemas import header
from httpsys_sim.tls import CertState
from httpsys_sim.windows._binding import (
    IIS_APP_ID,
    IIS_EXPRESS_PORTS,
    HttpSysFlag,
    SslBinding,
    iis_express_binding,
)
from httpsys_sim.windows._certchecks import MappingKind, MappingSetup, RevocationSetup, TrustSetup
from httpsys_sim.windows._iis import (
    AccessSslFlag,
    CertPolicy,
    Host,
    SiteBindingSslFlag,
    access_flag_names,
    cert_policy,
)
from httpsys_sim.windows._releases import RELEASES, Release, get_release
from httpsys_sim.windows._schannel import SchannelSettings

__all__ = [
    "BUNDLE_FILES",
    "Diagnosis",
    "Finding",
    "Unknown",
    "detect_release",
    "diagnose",
    "diagnose_bundle",
    "diagnose_files",
]

#: Upgrade paths whose outcome changes are worth a warning (oldest first).
UPGRADE_PATHS: tuple[tuple[str, ...], ...] = (
    ("server-2016", "server-2019", "server-2022", "server-2025"),
    ("win10-22h2", "win11-21h2", "win11-22h2", "win11-23h2", "win11-24h2", "win11-25h2"),
)

#: What a site gets when no applicationHost.config is given: IIS Manager's "Require".
ASSUMED_FLAGS = (
    AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT | AccessSslFlag.SSL_REQUIRE_CERT
)

#: The files of a diagnosis bundle (what the collection script writes; docs/cli.md#bundle).
BUNDLE_FILES: Mapping[str, str] = MappingProxyType(
    {
        "netsh-sslcert.txt": "netsh http show sslcert",
        "applicationHost.config": "the IIS configuration",
        "webconfig": "the web.config files of every site and application",
        "http.reg": "the http.sys registry key (bindings, EnableHttp3)",
        "schannel.reg": "the Schannel registry key",
        "os.txt": "the Windows build",
    }
)

_RENEWAL_WARNING = (
    "Before Windows Server 2025, IIS re-creates the http.sys binding without "
    "clientcertnegotiation whenever the binding is edited or its certificate renewed (IIS "
    "Manager, Set-WebBinding, win-acme, Certify): run the command again after every renewal"
    "; on Server 2025 set the site binding's sslFlags bit 128 instead, which IIS keeps (R-IIS-3)"
)

_STORE_OF_KIND: Mapping[str, str] = MappingProxyType(
    {
        "ipport": "SslBindingInfo",
        "hostnameport": "SslSniBindingInfo",
        "ccs": "SslCcsBindingInfo",
    }
)

#: The bits each binding remedy turns on, and the site-binding bit that does it for IIS.
_FIX_BITS: Mapping[str, tuple[dict[str, bool], int, int]] = MappingProxyType(
    {
        "clientcertnegotiation": ({"client_cert_negotiation": True}, 0x2, 0),
        "disabletls13": ({"disable_tls13": True}, 0x40, 32),
        "disablehttp2": ({"disable_http2": True}, 0x10, 4),
        "disabletls13+disablehttp2": ({"disable_tls13": True, "disable_http2": True}, 0x50, 36),
        "dsmapperusage": ({"ds_mapper_usage": True}, 0x1, 0),
    }
)

#: Binding remedies that change ``DefaultSslCertCheckMode`` (R-BIND-1): the netsh change, and
#: the bit to set (True) or clear (False).
_CHECK_MODE_FIXES: Mapping[str, tuple[dict[str, bool], int, bool]] = MappingProxyType(
    {
        "revocation-off": ({"verify_client_cert_revocation": False}, 0x1, True),
        "revocation-cached-only-off": (
            {"verify_revocation_with_cached_cert_only": False},
            0x2,
            False,
        ),
    }
)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _ps(text: str) -> str:
    """A PowerShell single-quoted string."""
    return "'" + text.replace("'", "''") + "'"


# --- the cells --------------------------------------------------------------------------------


def _cell(result: Result) -> dict[str, Any]:
    o = result.outcome
    return {
        "kind": o.kind.value,
        "status": o.status,
        "substatus": o.substatus,
        "win32_status": o.win32_status,
        "hresult": o.hresult,
        "client_error": o.client_error,
        "confidence": o.confidence.value,
        "alternatives": [a.description for a in o.alternatives],
        "certificate_reached_app": result.certificate_reached_app,
        "short": o.short(),
        "mark": cell_text(result),
        "category": category(result),
        "failing": is_failure(result),
    }


# --- what no export shows ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Unknown:
    """A setting the certificate checks depend on that no export shows: the grid assumes one
    value; this says what changes with the other, and what to do then."""

    #: The scenario field (docs/formats.md#certificate-checks): ``revocation.reachable``,
    #: ``revocation.cached``, ``trust.client_issuer_in_list`` or ``mapping.matches``.
    setting: str
    #: The value the grid was simulated with.
    assumed: bool
    #: What the exports cannot tell, in words.
    question: str
    #: The rule that decides the other outcome.
    rule: str
    #: Per release, the cells that change: ``Windows Server 2022: 200 becomes 403.13 for …``.
    changes: tuple[str, ...]
    #: How many (release, client) cells change.
    cells: int
    #: Remedies for the other case, each re-simulated on the cells it would break.
    fixes: tuple[Fix, ...] = ()
    #: (cells each fix repairs, cells that fail in the other case), by fix id.
    fix_coverage: Mapping[str, tuple[int, int]] = attrs.field(factory=dict, eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The finding's ``unknowns`` entry (docs/formats.md#diagnosis-json)."""
        return {
            "setting": self.setting,
            "assumed": self.assumed,
            "question": self.question,
            "rule": self.rule,
            "changes": list(self.changes),
            "cells": self.cells,
            "fixes": [
                {
                    **fix.to_dict(),
                    "repairs": "{} of {} failing cells".format(*self.fix_coverage[fix.id]),
                }
                for fix in self.fixes
            ],
        }

    def lines(self) -> list[str]:
        """What the text and Markdown reports say (one line, then each change)."""
        head = f"{self.setting} assumed {str(self.assumed).lower()}: {self.question} [{self.rule}]"
        return [head, *self.changes]


#: The value the grid assumes for each setting no export shows.
_ASSUMED: Mapping[str, bool] = MappingProxyType(
    {
        "revocation.reachable": True,
        "revocation.cached": False,
        "trust.client_issuer_in_list": True,
        "mapping.matches": True,
    }
)


def _server_unknowns(
    server: ServerSetup, mapping_known: bool
) -> list[tuple[str, str, str, ServerSetup]]:
    """(setting, question, rule, the server with the other value) for each setting of
    ``server`` the certificate checks depend on and no export shows."""
    out: list[tuple[str, str, str, ServerSetup]] = []
    b = server.binding
    if b.verify_client_cert_revocation and not b.verify_revocation_with_cached_cert_only:
        out.append(
            (
                "revocation.reachable",
                "no export shows whether the server reaches the CRL distribution points / "
                "OCSP responders of the clients' certificates; if it cannot (and no fresh CRL "
                "is cached), IIS refuses valid certificates with 403.13",
                "R-IIS-7.revocation-offline",
                attrs.evolve(server, revocation=RevocationSetup(reachable=False)),
            )
        )
    if b.verify_client_cert_revocation and b.verify_revocation_with_cached_cert_only:
        out.append(
            (
                "revocation.cached",
                "the binding checks revocation from cached CRLs only, and no export shows "
                "whether a fresh CRL of the clients' issuers is in the server's cache",
                "R-IIS-7.revocation-offline",
                attrs.evolve(server, revocation=RevocationSetup(cached=True)),
            )
        )
    trust = server.trust
    if trust.send_trusted_issuer_list or trust.client_auth_trust_mode in (1, 2):
        why = (
            "SendTrustedIssuerList=1 names the trusted issuers in the CertificateRequest"
            if trust.send_trusted_issuer_list
            else f"ClientAuthTrustMode={trust.client_auth_trust_mode} trusts only the "
            "binding's CTL / its roots"
        )
        out.append(
            (
                "trust.client_issuer_in_list",
                f"{why}; no export shows whether the clients' certificates come from one of "
                "those issuers",
                "R-IIS-7.trust-list" if trust.send_trusted_issuer_list else "R-IIS-7.trust-mode",
                attrs.evolve(server, trust=attrs.evolve(trust, client_issuer_in_list=False)),
            )
        )
    if server.mapping.kind is not MappingKind.NONE and not mapping_known:
        out.append(
            (
                "mapping.matches",
                f"{server.mapping.kind.value} mapping is on, and whether its rules match the "
                "clients' certificates depends on the certificates, which no export holds",
                "R-IIS-7.mapping-ad"
                if server.mapping.kind is MappingKind.ACTIVE_DIRECTORY
                else "R-IIS-7.mapping",
                attrs.evolve(server, mapping=attrs.evolve(server.mapping, matches=False)),
            )
        )
    return out


# --- findings ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Finding:
    """One site and path, with its binding, flags, predictions and remedies."""

    site: str | None
    path: str
    #: The http.sys binding that serves it (R-BIND-3): ``portal.contoso.test:443``.
    binding: str
    #: The site binding as IIS writes it (``bindingInformation``), None without a config.
    site_binding: str | None
    access_ssl_flags: AccessSslFlag
    #: ``file:line`` of the setting that decided the flags (or the schema default).
    flags_source: str
    #: Every setting applied on the way, in IIS's order (R-IIS-1.merge).
    flags_chain: tuple[FlagSource, ...]
    cert_request: str  #: ``none``, ``handshake`` or ``late``
    outcomes: Mapping[str, Mapping[str, Result]] = attrs.field(eq=False, repr=False)
    fixes: tuple[Fix, ...]
    #: (release, client) cells each fix repairs, by fix id.
    fix_coverage: Mapping[str, tuple[int, int]] = attrs.field(eq=False, repr=False)
    risks: tuple[str, ...]
    notes: tuple[str, ...]
    #: Where the facts came from: ``file:line`` for flags and binding.
    evidence: tuple[str, ...]
    #: The why-chain of the most telling cell: (release, client, [(event, rule)…]).
    why: tuple[str, str, tuple[tuple[str, str], ...]] | None = attrs.field(
        default=None, eq=False, repr=False
    )
    #: The http.sys binding itself (netsh / registry values, or the assumed defaults).
    http_sys_binding: SslBinding | None = attrs.field(default=None, eq=False, repr=False)
    #: The site binding's ``sslFlags`` (R-IIS-3).
    site_binding_ssl_flags: SiteBindingSslFlag = attrs.field(
        default=SiteBindingSslFlag.NONE, eq=False, repr=False
    )
    #: The host (IIS or IIS Express) the configuration belongs to.
    host: Host = attrs.field(default=Host.IIS, eq=False, repr=False)
    #: The cells as JSON objects (shared by every finding of the same configuration).
    cells: Mapping[str, Mapping[str, Mapping[str, Any]]] = attrs.field(
        factory=dict, eq=False, repr=False
    )

    #: The cells as plain JSON objects, for serialising only (never handed out).
    _plain_cells: dict[str, dict[str, dict[str, Any]]] | None = attrs.field(
        default=None, eq=False, repr=False, alias="plain_cells"
    )
    #: Failing cells per release (shared by every finding of the same configuration).
    failing_by_release: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)
    #: Settings the certificate checks depend on that no export shows (:class:`Unknown`).
    unknowns: tuple[Unknown, ...] = ()

    @property
    def failing(self) -> int:
        """How many (release, client) cells fail."""
        return sum(self.failing_by_release.values())

    def failing_on(self, release: str) -> int:
        """How many clients fail on ``release``."""
        return self.failing_by_release.get(release, 0)

    @property
    def verdict(self) -> str:
        """In a few words: fine everywhere, or where it fails."""
        if not self.failing:
            return "fine on every release" if len(self.cells) > 1 else "fine"
        bad = [r for r in self.cells if self.failing_on(r)]
        return f"{self.failing} failing cells on {len(bad)} of {len(self.cells)} releases"

    def to_dict(self, *, _shared: bool = False) -> dict[str, Any]:
        """The finding object of docs/formats.md#diagnosis-json."""
        return {
            "site": self.site,
            "path": self.path,
            "binding": self.binding,
            "site_binding": self.site_binding,
            "access_ssl_flags": list(access_flag_names(self.access_ssl_flags)),
            "flags_source": self.flags_source,
            "flags_chain": [
                {
                    "where": s.where,
                    "what": s.what,
                    "access_ssl_flags": list(access_flag_names(s.flags)),
                }
                for s in self.flags_chain
            ],
            "cert_request": self.cert_request,
            "verdict": self.verdict,
            "failing": self.failing,
            # For serialising, the plain cell objects shared by a configuration's findings;
            # for callers, copies.
            "outcomes": self._plain_cells
            if _shared and self._plain_cells is not None
            else {r: {c: dict(cell) for c, cell in per.items()} for r, per in self.cells.items()},
            "fixes": [
                {
                    **fix.to_dict(),
                    "repairs": "{} of {} failing cells".format(*self.fix_coverage[fix.id]),
                }
                for fix in self.fixes
            ],
            "risks": list(self.risks),
            "unknowns": [u.to_dict() for u in self.unknowns],
            "notes": list(self.notes),
            "evidence": list(self.evidence),
            "why": None
            if self.why is None
            else {
                "release": self.why[0],
                "client": self.why[1],
                "steps": [{"event": e, "rule": r} for e, r in self.why[2]],
            },
        }


@attrs.frozen(kw_only=True)
class Diagnosis:
    """All findings of one :func:`diagnose` run."""

    findings: tuple[Finding, ...]
    releases: tuple[str, ...]
    clients: tuple[str, ...]
    certificate: CertState
    notes: tuple[str, ...] = ()
    #: Files IIS would refuse, bundle parts missing: each with its file and line.
    problems: tuple[ConfigProblem, ...] = ()
    #: The release the server runs (``--release`` or the bundle's os.txt), if known.
    current_release: str | None = None
    #: How many distinct configurations were simulated (the rest came from the memo).
    simulated_configurations: int = 0

    def at_risk(self) -> dict[str, tuple[int, int]]:
        """Per release shown: (sites with a failing path, failing paths)."""
        out: dict[str, tuple[int, int]] = {}
        for release in self.releases:
            sites = {f.site or f.binding for f in self.findings if f.failing_on(release)}
            paths = sum(1 for f in self.findings if f.failing_on(release))
            out[release] = (len(sites), paths)
        return out

    def summary_lines(self) -> list[str]:
        """The summary: sites at risk per release (target releases marked)."""
        total = len({f.site or f.binding for f in self.findings})
        lines = [
            f"{_count(len(self.findings), 'path')} of {_count(total, 'site')}; "
            f"{sum(1 for f in self.findings if not f.failing)} fine everywhere shown."
        ]
        for release, (sites, paths) in self.at_risk().items():
            role = ""
            if self.current_release == release:
                role = " (this server)"
            elif self.current_release is not None:
                role = " (upgrade target)"
            lines.append(
                f"{RELEASES[release].product}{role}: {sites} of {_count(total, 'site')} at "
                f"risk ({_count(paths, 'path')})"
            )
        return lines

    def to_dict(self, *, _shared: bool = False) -> dict[str, Any]:
        """The diagnosis document (docs/formats.md#diagnosis-json)."""
        return {
            **header("diagnosis"),
            "summary": {
                "sites": len({f.site or f.binding for f in self.findings}),
                "paths": len(self.findings),
                "current_release": self.current_release,
                "at_risk": {r: {"sites": s, "paths": p} for r, (s, p) in self.at_risk().items()},
            },
            "findings": [f.to_dict(_shared=_shared) for f in self.findings],
            "releases": list(self.releases),
            "clients": list(self.clients),
            "certificate": self.certificate.value,
            "notes": list(self.notes),
            "problems": [
                {
                    "message": p.message,
                    "file": p.file,
                    "line": p.line,
                    "site": p.site,
                    "path": p.path,
                }
                for p in self.problems
            ],
        }

    #: Above this many findings the JSON is written without indentation (a hosting server's
    #: report is large enough as it is).
    COMPACT_ABOVE = 1000

    def _dump_options(self) -> dict[str, Any]:
        if len(self.findings) > self.COMPACT_ABOVE:
            return {"separators": (",", ":"), "ensure_ascii": False}
        return {"indent": 2, "ensure_ascii": False}

    def to_json(self) -> str:
        """Deterministic JSON (indented up to :attr:`COMPACT_ABOVE` findings, compact above)."""
        return json.dumps(self.to_dict(_shared=True), **self._dump_options()) + "\n"

    def write_json(self, stream: TextIO) -> None:
        """:meth:`to_json` written piece by piece to ``stream`` (never the whole text at once)."""
        for chunk in self.json_chunks():
            stream.write(chunk)

    def json_chunks(self, size: int = 1 << 16) -> Iterator[str]:
        """:meth:`to_json` in pieces of about ``size`` characters, made as they are read."""
        encoder = json.JSONEncoder(**self._dump_options())
        pending: list[str] = []
        length = 0
        for piece in encoder.iterencode(self.to_dict(_shared=True)):
            pending.append(piece)
            length += len(piece)
            if length >= size:
                yield "".join(pending)
                pending, length = [], 0
        pending.append("\n")
        yield "".join(pending)

    # --- one-line hooks into views/ -----------------------------------------------
    def to_text(self, *, width: int | None = None) -> str:
        """A report for people: summary, then each finding, its grid, risks and fixes; prose
        wraps at ``width`` columns when given."""
        from httpsys_sim.views._text import diagnosis_text

        return diagnosis_text(self, width=width)

    def to_markdown(self) -> str:
        """The same as Markdown (everything read from the server's files escaped)."""
        from httpsys_sim.views._markdown import diagnosis_markdown

        return diagnosis_markdown(self)

    def to_html(self) -> str:
        """One self-contained page (no network): summary, then each site."""
        from httpsys_sim.views._diagnosis_html import diagnosis_html

        return diagnosis_html(self)


# --- bindings: which one serves a site (R-BIND-3) ---------------------------------------------


@attrs.frozen(kw_only=True)
class _Known:
    binding: SslBinding
    where: str
    reg: RegBinding | None = None
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class _Served:
    binding: SslBinding
    known: _Known | None
    notes: tuple[str, ...] = ()


def _checks_text(binding: SslBinding) -> str:
    """A binding's certificate checks in a few words (R-BIND-1), for evidence and notes."""
    if not binding.verify_client_cert_revocation:
        parts = ["no revocation check"]
    elif binding.verify_revocation_with_cached_cert_only:
        parts = ["revocation checked from cached CRLs only"]
    else:
        parts = ["revocation checked"]
    if binding.revocation_freshness_time is not None:
        parts.append(f"CRL freshness {binding.revocation_freshness_time} s")
    if binding.url_retrieval_timeout is not None:
        parts.append(f"CRL download timeout {binding.url_retrieval_timeout} ms")
    if not binding.usage_check:
        parts.append("no usage check")
    if binding.ctl_identifier is not None:
        store = f" in {binding.ctl_store_name}" if binding.ctl_store_name else ""
        parts.append(f"CTL {binding.ctl_identifier}{store}")
    return ", ".join(parts)


def _merge_flags(binding: SslBinding, flags: int) -> SslBinding:
    merged = int(binding.default_flags) | flags
    fields: dict[str, Any] = {
        name: bool(merged & flag)
        for flag, name in (
            (HttpSysFlag.NEGOTIATE_CLIENT_CERT, "client_cert_negotiation"),
            (HttpSysFlag.DISABLE_TLS13, "disable_tls13"),
            (HttpSysFlag.DISABLE_HTTP2, "disable_http2"),
            (HttpSysFlag.DISABLE_TLS12, "disable_tls12"),
            (HttpSysFlag.DISABLE_LEGACY_TLS, "disable_legacy_tls"),
            (HttpSysFlag.DISABLE_QUIC, "disable_quic"),
            (HttpSysFlag.REJECT, "reject"),
        )
    }
    return attrs.evolve(binding, **fields)


class _Bindings:
    """Every http.sys binding known from netsh and the registry, by endpoint."""

    def __init__(
        self,
        netsh: Sequence[NetshBinding],
        exports: Sequence[SchannelExport],
        netsh_name: str,
    ) -> None:
        self.by_endpoint: dict[str, _Known] = {}
        for nb in netsh:
            key = nb.binding.endpoint.casefold()
            self.by_endpoint.setdefault(
                key, _Known(binding=nb.binding, where=f"{netsh_name}:{nb.line}")
            )
        for rb, reg_name in ((b, e.filename) for e in exports for b in e.bindings):
            key = rb.binding.endpoint.casefold()
            where = f"{reg_name}:{rb.line} [{rb.store}\\{rb.key}]"
            found = self.by_endpoint.get(key)
            if found is None:
                self.by_endpoint[key] = _Known(binding=rb.binding, where=where, reg=rb)
            else:
                notes: list[str] = []
                shown = _checks_text(found.binding)
                stored = _checks_text(rb.binding)
                if shown != stored:
                    # netsh prints what http.sys uses now; the registry what it will load.
                    notes.append(
                        f"certificate checks differ: netsh shows {shown}, the registry "
                        f"({where}) stores {stored}; simulated as netsh shows them"
                    )
                self.by_endpoint[key] = _Known(
                    binding=_merge_flags(found.binding, rb.flags),
                    where=f"{found.where}; DefaultFlags=0x{rb.flags:x} at {where}",
                    reg=rb,
                    notes=tuple(notes),
                )

    def all(self) -> list[_Known]:
        return list(self.by_endpoint.values())

    def serve(self, site_binding: SiteBinding, host: Host) -> _Served:
        """The binding http.sys uses for this site binding (R-BIND-3)."""
        kind, endpoint = site_binding.http_sys_endpoint()
        address, port_text, name = site_binding.binding_information.rsplit(":", 2)
        port = int(port_text)
        order: list[tuple[str, str]] = []
        if name:
            order.append((f"{name}:{port}", "host name (SNI)"))
        if address not in ("*", "", "0.0.0.0", "[::]"):
            order.append((f"{address}:{port}", "IP address"))
        if name:
            order.append((f"ccs:{port}", "Central Certificate Store"))
        order += [(f"0.0.0.0:{port}", "wildcard address"), (f"[::]:{port}", "wildcard address")]
        for candidate, how in order:
            known = self.by_endpoint.get(candidate.casefold())
            if known is None:
                continue
            notes: list[str] = list(known.notes)
            if candidate.casefold() != endpoint.casefold():
                notes.append(
                    f"IIS binds this site as {kind} {endpoint}, but http.sys serves it from "
                    f"{known.binding.endpoint} ({how}; R-BIND-3)"
                )
            return _Served(binding=known.binding, known=known, notes=tuple(notes))
        if host is Host.IIS_EXPRESS and port in IIS_EXPRESS_PORTS:
            note = "binding not in the exports: assumed IIS Express's pre-registered one (R-IIS-4)"
            return _Served(binding=iis_express_binding(port), known=None, notes=(note,))
        note = (
            f"no http.sys binding for {endpoint} in the exports (nor a fallback, R-BIND-3): "
            "assumed netsh defaults"
        )
        return _Served(
            binding=SslBinding(endpoint=endpoint, kind=kind, app_id=IIS_APP_ID),
            known=None,
            notes=(note,),
        )


# --- the run: memo of configurations ----------------------------------------------------------


#: The request path every non-root path is simulated with (the outcome does not depend on
#: the path's name, only on whether it is the site root); replaced by the real one in texts.
_CANON_PATH = "/~httpsys-sim-path~"
#: Site-binding bits that choose the binding's kind (SNI, CCS) and change no outcome.
_KIND_BITS = int(SiteBindingSslFlag.SNI | SiteBindingSslFlag.CENTRAL_CERT_STORE)


#: Where the engine's step texts name the request path (``GET / over HTTP/2``).
_ROOT_IN_TEXT = re.compile(r"(applies to |\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) )/ ")


#: The binding fields that can change an outcome (all but the name and the certificate's).
_OUTCOME_FIELDS = tuple(
    f.name
    for f in attrs.fields(SslBinding)
    if f.name not in ("endpoint", "kind", "certificate_hash", "app_id", "cert_store")
)


def _canonical(binding: SslBinding) -> SslBinding:
    """The binding with what cannot change an outcome (kind, name, thumbprint, AppID) fixed."""
    return attrs.evolve(
        binding,
        endpoint=f"0.0.0.0:{binding.port}",
        kind="ipport",
        certificate_hash=None,
        app_id=None,
        cert_store="MY",
    )


@attrs.frozen(kw_only=True)
class _Profile:
    """What every site with one effective configuration shares."""

    outcomes: Mapping[str, Mapping[str, Result]]
    cells: Mapping[str, Mapping[str, Mapping[str, Any]]]
    plain_cells: dict[str, dict[str, dict[str, Any]]]
    cert_request: str
    fixes: tuple[Fix, ...]
    coverage: Mapping[str, tuple[int, int]]
    risks: tuple[str, ...]
    why: tuple[str, str, tuple[tuple[str, str], ...]] | None
    endpoint: str
    #: The request path simulated: ``/`` or the placeholder for every other path.
    path: str = "/"
    failing_by_release: Mapping[str, int] = attrs.field(factory=dict)
    unknowns: tuple[Unknown, ...] = ()


class _Run:
    """One diagnosis: the shared settings and the memo of configurations and scenarios."""

    def __init__(
        self,
        *,
        schannel: SchannelSettings,
        http3: bool,
        releases: tuple[Release, ...],
        clients: tuple[str, ...],
        certificate: CertState,
        current: str | None,
        trust: TrustSetup | None = None,
    ) -> None:
        self.schannel = schannel
        self.trust = trust if trust is not None else TrustSetup()
        self.http3 = http3
        self.releases = releases
        self.clients = clients
        self.certificate = certificate
        self.current = current
        self._profiles: dict[tuple[Any, ...], _Profile] = {}
        self._verdicts: dict[Scenario, tuple[bool, str]] = {}
        self._netsh: dict[tuple[SslBinding, str], str] = {}
        self._sweep = Sweep()

    @property
    def simulated(self) -> int:
        return len(self._profiles)

    def profile(
        self,
        host: Host,
        binding: SslBinding,
        flags: AccessSslFlag,
        site_flags: SiteBindingSslFlag,
        path: str,
        mapping: MappingSetup | None = None,
        mapping_known: bool = True,
    ) -> _Profile:
        canon_site_flags = SiteBindingSslFlag(int(site_flags) & ~_KIND_BITS)
        # Only whether the path is the site root can change anything (the own-host-name
        # remedy), and only where the path asks for a certificate.
        asks = cert_policy(flags) is not CertPolicy.IGNORE
        canon_path = _CANON_PATH if asks and path != "/" else "/"
        outcome_fields = (binding.port, *(getattr(binding, f) for f in _OUTCOME_FIELDS))
        mapping = mapping if mapping is not None else MappingSetup()
        key = (host, outcome_fields, flags, canon_site_flags, canon_path, mapping, mapping_known)
        found = self._profiles.get(key)
        if found is None:
            canon = _canonical(binding)
            found = self._compute(
                host, canon, flags, canon_site_flags, canon_path, mapping, mapping_known
            )
            self._profiles[key] = found
        return found

    def netsh_update(self, binding: SslBinding, fix_id: str) -> str:
        """``netsh http update sslcert`` applying a binding remedy (memoised: many sites share
        the wildcard binding)."""
        key = (binding, fix_id)
        found = self._netsh.get(key)
        if found is None:
            found = self._netsh[key] = _netsh_update(binding, _FIX_BITS[fix_id][0])
        return found

    def _simulate(self, scenario: Scenario) -> Result:
        """A cell of a configuration (not kept: the profile keeps what it needs)."""
        return self._sweep.simulate(scenario)

    def _verdict(self, scenario: Scenario) -> tuple[bool, str]:
        """Whether ``scenario`` fails, and its outcome in words — memoised for the run, so a
        fix scenario that is another configuration's cell is simulated once."""
        found = self._verdicts.get(scenario)
        if found is None:
            after = self._sweep.simulate(scenario)
            found = (is_failure(after), after.outcome.describe())
            self._verdicts[scenario] = found
        return found

    def _offered(self, result: Result) -> tuple[Fix, ...]:
        """The remedies that, re-simulated on this failing cell, succeed (best first)."""
        fixes: list[Fix] = []
        for candidate in FIX_CANDIDATES:
            for fid, title, commands, rule, side, scenario, note in candidate(result.scenario):
                failing, outcome = self._verdict(scenario)
                if failing:
                    continue
                fixes.append(
                    Fix(
                        id=fid,
                        title=title,
                        commands=commands,
                        rule=rule,
                        side=side,
                        scenario=scenario,
                        outcome=outcome,
                        verified=True,
                        note=note,
                    )
                )
        return tuple(fixes)

    def _compute(
        self,
        host: Host,
        binding: SslBinding,
        flags: AccessSslFlag,
        site_flags: SiteBindingSslFlag,
        path: str,
        mapping: MappingSetup,
        mapping_known: bool,
    ) -> _Profile:
        outcomes: dict[str, dict[str, Result]] = {}
        servers: dict[str, ServerSetup] = {}
        cert_request = "none"
        for release in self.releases:
            server = ServerSetup(
                release=release,
                host=host,
                binding=binding,
                access_ssl_flags=flags,
                schannel=self.schannel,
                http3=self.http3,
                site_binding_ssl_flags=site_flags,
                trust=self.trust,
                mapping=mapping,
            )
            servers[release.id] = server
            outcomes[release.id] = per = self._grid(server, path)
            for result in per.values():
                how = {c.cert_requested.value for c in result.connections}
                if "handshake" in how:
                    cert_request = "handshake"
                elif how & {"renegotiation", "post_handshake"} or any(
                    s.rule.startswith("R-REQ-2") and s.rule != "R-REQ-2.cert-present"
                    for s in result.steps
                ):
                    cert_request = "late" if cert_request == "none" else cert_request
        fixes, coverage = self._find_fixes(outcomes)
        unknowns = self._unknowns(servers, outcomes, path, mapping_known)
        plain = {r: {c: _cell(res) for c, res in per.items()} for r, per in outcomes.items()}
        # Read-only: every finding of this configuration shares them.
        cells = MappingProxyType(
            {
                r: MappingProxyType({c: MappingProxyType(cell) for c, cell in per.items()})
                for r, per in plain.items()
            }
        )
        return _Profile(
            outcomes=outcomes,
            cells=cells,
            plain_cells=plain,
            cert_request=cert_request,
            fixes=fixes,
            coverage=coverage,
            risks=self._risks(outcomes),
            why=_why(outcomes, self.current),
            endpoint=binding.endpoint,
            path=path,
            failing_by_release=MappingProxyType(
                {r: sum(is_failure(x) for x in per.values()) for r, per in outcomes.items()}
            ),
            unknowns=unknowns,
        )

    def _grid(self, server: ServerSetup, path: str) -> dict[str, Result]:
        """Every client's outcome against ``server`` on one release."""
        per: dict[str, Result] = {}
        for client in self.clients:
            scenario = Scenario(
                server=server,
                client=ClientSetup(profile=client, certificate=self.certificate),
                request=Request(path=path),
            )
            per[client] = self._simulate(scenario)
        return per

    def _unknowns(
        self,
        servers: Mapping[str, ServerSetup],
        outcomes: Mapping[str, Mapping[str, Result]],
        path: str,
        mapping_known: bool,
    ) -> tuple[Unknown, ...]:
        """For each setting no export shows, the cells that change with its other value and
        the remedies for that case (only those that change something)."""
        if self.certificate is CertState.NONE or not servers:
            return ()  # no certificate, nothing for the checks to decide
        first = next(iter(servers.values()))
        found: list[Unknown] = []
        for index, (setting, question, rule, _) in enumerate(
            _server_unknowns(first, mapping_known)
        ):
            other: dict[str, dict[str, Result]] = {}
            for release, server in servers.items():
                changed = _server_unknowns(server, mapping_known)[index][3]
                other[release] = self._grid(changed, path)
            changes: list[str] = []
            cells = 0
            broken: list[Result] = []
            for release, per in other.items():
                moved: dict[tuple[str, str], list[str]] = {}
                for client, result in per.items():
                    a, b = cell_text(outcomes[release][client]), cell_text(result)
                    if a != b:
                        moved.setdefault((a, b), []).append(client)
                        cells += 1
                        if is_failure(result):
                            broken.append(result)
                changes += [
                    f"{RELEASES[release].product}: {a} becomes {b} for {_whom(clients, per)}"
                    for (a, b), clients in moved.items()
                ]
            if not cells:
                continue
            fixes, coverage = self._fixes_for(broken)
            found.append(
                Unknown(
                    setting=setting,
                    assumed=_ASSUMED[setting],
                    question=question,
                    rule=rule,
                    changes=tuple(changes),
                    cells=cells,
                    fixes=fixes,
                    fix_coverage=coverage,
                )
            )
        return tuple(found)

    def _find_fixes(
        self, outcomes: Mapping[str, Mapping[str, Result]]
    ) -> tuple[tuple[Fix, ...], dict[str, tuple[int, int]]]:
        failing = [r for per in outcomes.values() for r in per.values() if is_failure(r)]
        return self._fixes_for(failing)

    def _fixes_for(
        self, failing: Sequence[Result]
    ) -> tuple[tuple[Fix, ...], dict[str, tuple[int, int]]]:
        """The remedies of the failing cells, each marked verified when it repairs all."""
        found: dict[str, Fix] = {}
        hits: dict[str, int] = {}
        for result in failing:
            for fix in self._offered(result):
                found.setdefault(fix.id, fix)
                hits[fix.id] = hits.get(fix.id, 0) + 1
        total = len(failing)
        order = list(found)
        fixes = [attrs.evolve(fix, verified=hits[fid] == total) for fid, fix in found.items()]
        fixes.sort(key=lambda f: (not f.verified, order.index(f.id)))
        return tuple(fixes), {fid: (hits[fid], total) for fid in found}

    def _risks(self, outcomes: Mapping[str, Mapping[str, Result]]) -> tuple[str, ...]:
        pairs: list[tuple[str, str]] = []
        if self.current is not None:
            pairs = [(self.current, r) for r in outcomes if r != self.current]
        else:
            for path in UPGRADE_PATHS:
                present = [r for r in path if r in outcomes]
                pairs += list(itertools.pairwise(present))
        risks: list[str] = []
        for before, after in pairs:
            if before not in outcomes:
                continue
            changed: dict[tuple[str, str], list[str]] = {}
            for client, result in outcomes[before].items():
                later = outcomes[after][client]
                a, b = cell_text(result), cell_text(later)
                if a != b and (is_failure(later) or is_failure(result)):
                    changed.setdefault((a, b), []).append(client)
            for (a, b), clients in changed.items():
                risks.append(
                    f"{RELEASES[before].product} → {RELEASES[after].product}: {a} becomes {b} "
                    f"for {_whom(clients, outcomes[before])}"
                )
        return tuple(risks)


def _whom(clients: Sequence[str], every: Mapping[str, object]) -> str:
    """The clients a change concerns: ``every client shown`` when it is all of them."""
    if len(clients) == len(every) > 2:
        return "every client shown"
    return ", ".join(clients)


def _why(
    outcomes: Mapping[str, Mapping[str, Result]], current: str | None
) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
    """The key steps of the most telling cell: a failing one, on the current or newest release."""
    releases = list(outcomes)
    if current is not None and current in outcomes:
        releases.remove(current)
        releases.insert(0, current)
    else:
        releases.reverse()
    chosen: Result | None = None
    for release in releases:
        for result in outcomes[release].values():
            if is_failure(result):
                chosen = result
                break
        if chosen is not None:
            break
    if chosen is None:
        first = releases[0] if releases else None
        if first is None or not outcomes[first]:
            return None
        chosen = next(iter(outcomes[first].values()))
    steps = tuple((s.event, s.rule) for s in chosen.why())
    return chosen.scenario.server.release.id, chosen.scenario.client.profile, steps


# --- remedies built from the real binding -----------------------------------------------------


@attrs.frozen(kw_only=True)
class _Where:
    """What the commands of a remedy name: the site, its binding, the registry key."""

    site: str | None
    site_binding: SiteBinding | None
    binding: SslBinding
    reg: RegBinding | None
    host: Host
    #: The path inside the site (configuration commands name ``Site/path``).
    path: str = "/"


def _registry_command(where: _Where, bits: int) -> tuple[str, str]:
    """``reg add`` ORing ``bits`` into the binding's existing ``DefaultFlags``, and a note."""
    b = where.binding
    if where.reg is not None:
        path, existing = where.reg.registry_path, where.reg.flags
    else:
        key = b.endpoint if b.kind != "ccs" else f"0.0.0.0:{b.port}"
        path = f"{HTTP_PARAMETERS_KEY}\\{_STORE_OF_KIND[b.kind]}\\{key}"
        existing = int(b.default_flags)
    value = existing | bits
    return (
        f'reg add "{path}" /v DefaultFlags /t REG_DWORD /d 0x{value:x} /f',
        f"The reg add is the alternative to netsh: DefaultFlags 0x{existing:x} | 0x{bits:x} = "
        f"0x{value:x}; restart http.sys after it (net stop http /y, then net start w3svc)",
    )


def _check_mode_command(where: _Where, bit: int, turn_on: bool) -> tuple[str, str]:
    """``reg add`` setting or clearing ``bit`` of the binding's ``DefaultSslCertCheckMode``
    (R-BIND-1.registry), and a note."""
    b = where.binding
    if where.reg is not None:
        path = where.reg.registry_path
    else:
        key = b.endpoint if b.kind != "ccs" else f"0.0.0.0:{b.port}"
        path = f"{HTTP_PARAMETERS_KEY}\\{_STORE_OF_KIND[b.kind]}\\{key}"
    existing = int(b.cert_check_mode)
    value = existing | bit if turn_on else existing & ~bit
    return (
        f'reg add "{path}" /v DefaultSslCertCheckMode /t REG_DWORD /d 0x{value:x} /f',
        f"The reg add is the alternative to netsh: DefaultSslCertCheckMode 0x{existing:x} → "
        f"0x{value:x}; restart http.sys after it (net stop http /y, then net start w3svc)",
    )


def _set_site_binding(where: _Where, flags: int) -> tuple[str, ...]:
    """Set-WebBinding / appcmd on the site's real binding (derived from the http.sys
    binding, with the site name left to fill in, when no applicationHost.config says)."""
    sb = where.site_binding
    if sb is not None:
        info = sb.binding_information
    else:
        b = where.binding
        host = b.endpoint.rpartition(":")[0]
        if b.kind == "hostnameport":
            info, flags = f"*:{b.port}:{host}", flags | 1
        elif b.kind == "ccs":
            info, flags = f"*:{b.port}:<host name>", flags | 3
        else:
            info = f"{'*' if host in ('0.0.0.0', '[::]') else host}:{b.port}:"
    site = where.site if where.site is not None else "<site name>"
    return (
        f"Set-WebBinding -Name {_ps(site)} -BindingInformation {_ps(info)} "
        f"-PropertyName sslFlags -Value {flags}",
        f'%windir%\\system32\\inetsrv\\appcmd.exe set site /site.name:"{site}" '
        f"/bindings.[protocol='https',bindingInformation='{info}'].sslFlags:{flags}",
    )


def _netsh_update(binding: SslBinding, changes: Mapping[str, bool]) -> str:
    command = binding.netsh_update_command(**changes)
    if binding.certificate_hash is None:
        command += " certhash=<server certificate thumbprint>"
    if binding.app_id is None:
        command += " appid={<application id>}"
    return command


def _localise(fix: Fix, where: _Where, netsh: Callable[[SslBinding, str], str]) -> Fix:
    """The fix with commands for this server: real binding, site binding, registry key."""
    b = where.binding
    site_flags = int(where.site_binding.ssl_flags) if where.site_binding is not None else 0
    if fix.id in _FIX_BITS:
        _changes, bits, site_bit = _FIX_BITS[fix.id]
        reg_command, reg_note = _registry_command(where, bits)
        commands = [netsh(b, fix.id), reg_command]
        note = f"{fix.note}. {reg_note}" if fix.note else reg_note
        if where.host is Host.IIS and site_bit:
            commands += list(_set_site_binding(where, site_flags | site_bit)[:1])
        if fix.id == "clientcertnegotiation" and where.host is Host.IIS:
            note = f"{note}. {_RENEWAL_WARNING}" if note else _RENEWAL_WARNING
        return attrs.evolve(fix, commands=(*commands,), note=note)
    if fix.id in _CHECK_MODE_FIXES:
        changes, bit, turn_on = _CHECK_MODE_FIXES[fix.id]
        command = _netsh_update(b, changes)
        reg_command, reg_note = _check_mode_command(where, bit, turn_on)
        note = f"{fix.note}. {reg_note}" if fix.note else reg_note
        return attrs.evolve(fix, commands=(command, reg_command), note=note)
    if fix.id == "site-binding-128":
        return attrs.evolve(fix, commands=_set_site_binding(where, site_flags | 128))
    if fix.id == "own-hostname":
        certhash = b.certificate_hash or "<server certificate thumbprint>"
        appid = b.app_id or "{<application id>}"
        new = (
            f"netsh http add sslcert hostnameport=<certificate host name>:{b.port} "
            f"certhash={certhash} appid={appid} certstorename={b.cert_store or 'MY'} "
            "clientcertnegotiation=enable",
            *(
                (
                    f"New-WebBinding -Name {_ps(where.site)} -Protocol https -Port {b.port} "
                    "-HostHeader '<certificate host name>' -SslFlags 1",
                )
                if where.site
                else ()
            ),
        )
        return attrs.evolve(fix, commands=new)
    if where.site is not None:
        # appcmd / the configuration editor take the location: the site, and the path in it.
        location = where.site + ("" if where.path == "/" else where.path)
        return attrs.evolve(
            fix,
            commands=tuple(
                c.replace("<SiteName>", where.site).replace("<Site>", location)
                for c in fix.commands
            ),
        )
    return fix


# --- building findings ------------------------------------------------------------------------


def _finding(
    run: _Run,
    *,
    site: str | None,
    path: EffectivePath | None,
    flags: AccessSslFlag,
    served: _Served,
    site_binding: SiteBinding | None,
    host: Host,
    evidence: list[str],
    notes: list[str],
    mapping: CertificateMapping | None = None,
) -> Finding:
    site_flags = site_binding.ssl_flags if site_binding is not None else SiteBindingSslFlag.NONE
    request_path = path.path if path is not None else "/"
    setup = MappingSetup()
    known = True
    if mapping is not None and mapping.kind is not MappingKind.NONE:
        matches = mapping.matches
        setup = MappingSetup(kind=mapping.kind, matches=matches is not False)
        known = matches is not None
    profile = run.profile(host, served.binding, flags, site_flags, request_path, setup, known)
    where = _Where(
        site=site,
        site_binding=site_binding,
        binding=served.binding,
        reg=served.known.reg if served.known is not None else None,
        host=host,
        path=request_path,
    )
    if cert_policy(flags) is CertPolicy.REQUIRE_ONLY and profile.cert_request == "none":
        notes.append("SslRequireCert without SslNegotiateCert: no late demand (R-IIS-2, inferred)")
    if path is not None:
        notes += [
            f"{p.file}:{p.line}: IIS refuses this file (500.19) for {p.path} and below"
            for p in path.problems
        ]
    why = profile.why
    real = served.binding.endpoint

    same_endpoint = profile.endpoint == real
    root_text = profile.path == "/" and request_path != "/"

    def text(value: str) -> str:
        if not same_endpoint:
            value = value.replace(profile.endpoint, real)
        if profile.path != "/":
            value = value.replace(_CANON_PATH, request_path)
        elif root_text:
            value = _ROOT_IN_TEXT.sub(lambda m: f"{m.group(1)}{request_path} ", value)
        return value

    def retext(fix: Fix) -> Fix:
        if same_endpoint and not root_text and profile.path == "/":
            return fix
        return attrs.evolve(
            fix,
            title=text(fix.title),
            outcome=text(fix.outcome),
            commands=tuple(text(c) for c in fix.commands),
            note=None if fix.note is None else text(fix.note),
        )

    def local(fix: Fix) -> Fix:
        return _localise(retext(fix), where, run.netsh_update)

    if why is not None and not (same_endpoint and not root_text and profile.path == "/"):
        why = (why[0], why[1], tuple((text(e), r) for e, r in why[2]))
    return Finding(
        site=site,
        path=request_path,
        binding=served.binding.endpoint,
        site_binding=site_binding.binding_information if site_binding is not None else None,
        access_ssl_flags=flags,
        flags_source=path.source if path is not None else "assumed (no applicationHost.config)",
        flags_chain=path.chain if path is not None else (),
        cert_request=profile.cert_request,
        outcomes=profile.outcomes,
        fixes=tuple(local(f) for f in profile.fixes),
        fix_coverage=profile.coverage,
        risks=profile.risks,
        notes=tuple(notes),
        evidence=tuple(evidence),
        why=why if profile.fixes or any(profile.failing_by_release.values()) else None,
        cells=profile.cells,
        plain_cells=profile.plain_cells,
        failing_by_release=profile.failing_by_release,
        http_sys_binding=served.binding,
        site_binding_ssl_flags=site_flags,
        host=host,
        unknowns=tuple(
            attrs.evolve(u, fixes=tuple(local(f) for f in u.fixes)) for u in profile.unknowns
        ),
    )


def _releases_for(
    release: str | None, detected: Release | None
) -> tuple[tuple[Release, ...], str | None]:
    if release is not None:
        chosen = get_release(release, field="--release")
        return (chosen,), chosen.id
    if detected is not None:
        for path in UPGRADE_PATHS:
            if detected.id in path:
                later = path[path.index(detected.id) :]
                return tuple(RELEASES[r] for r in later), detected.id
        return (detected,), detected.id
    return tuple(RELEASES.values()), None


def diagnose(
    netsh: str | bytes | None = None,
    config: str | bytes | None = None,
    schannel: str | bytes | None = None,
    *,
    release: str | None = None,
    certificate: CertState | str = CertState.VALID,
    clients: Sequence[str] | None = None,
    netsh_name: str = "<netsh>",
    config_name: str = "applicationHost.config",
    schannel_name: str = "<reg>",
    http_reg: str | bytes | None = None,
    http_reg_name: str = "http.reg",
    web_configs: Iterable[tuple[str, str, str | bytes, str]] = (),
    os_text: str | bytes | None = None,
    os_name: str = "os.txt",
    problems: Sequence[ConfigProblem] = (),
) -> Diagnosis:
    """Findings for every site and path of the exports.

    Any subset of the inputs may be given (at least one).  ``web_configs`` are
    ``(site, virtual directory, content, file name)``.  ``os_text`` (the bundle's os.txt)
    gives the release when ``release`` is not given: the report then shows it and its
    upgrade targets.  Bad input raises :class:`~httpsys_sim.errors.InputError` naming the
    file and line, except ``web.config`` files, which IIS would refuse: those become
    problems of the report, with file and line.
    """
    web_configs = list(web_configs)
    if netsh is None and config is None and schannel is None and http_reg is None:
        raise InputError(
            "nothing to diagnose",
            field="--netsh",
            hint="give --bundle, or --netsh, --config and/or --schannel",
        )
    cert = CertState(certificate)
    all_problems = list(problems)
    bindings = parse_netsh_sslcert(netsh, filename=netsh_name) if netsh is not None else ()
    app: AppHostConfig | None = (
        parse_application_host_config(config, filename=config_name) if config is not None else None
    )
    exports = [
        parse_schannel_reg(data, filename=name)
        for data, name in ((schannel, schannel_name), (http_reg, http_reg_name))
        if data is not None
    ]
    export = _merge_exports(exports)
    detected = detect_release(os_text, filename=os_name) if os_text is not None else None
    releases, current = _releases_for(release, detected)
    client_ids = tuple(CLIENTS) if clients is None else tuple(clients)
    notes: list[str] = []
    if detected is not None and release is None:
        notes.append(
            f"release detected from {os_name}: {detected.product} (build {detected.build}); "
            "shown with its upgrade targets"
        )
    trust = _trust(exports, notes)
    run = _Run(
        schannel=export.settings if export is not None else SchannelSettings(),
        http3=bool(export.http3_enabled) if export is not None else False,
        releases=releases,
        clients=client_ids,
        certificate=cert,
        current=current,
        trust=trust,
    )
    store = _Bindings(bindings, exports, netsh_name)
    findings: list[Finding] = []
    if app is not None:
        host = app.host_hint
        notes.append(f"host: {host.value} ({app.host_evidence or 'from the file'})")
        by_site: dict[str, list[WebConfig]] = {}
        for site_name, directory, data, name in web_configs:
            try:
                parsed = parse_web_config(data, filename=name, site=site_name, directory=directory)
            except InputError as exc:
                all_problems.append(
                    ConfigProblem(
                        message=f"IIS would refuse this web.config (500.19): {exc.message}",
                        file=name,
                        line=exc.line,
                        site=site_name,
                        path=directory,
                    )
                )
                continue
            by_site.setdefault(site_name.casefold(), []).append(parsed)
        known_sites = {s.name.casefold() for s in app.sites}
        for folded, configs in by_site.items():
            if folded not in known_sites:
                all_problems.append(
                    ConfigProblem(
                        message="web.config of a site applicationHost.config does not define",
                        file=configs[0].filename,
                    )
                )
        for orphan in app.orphan_settings():
            all_problems.append(
                ConfigProblem(
                    message=f'<location path="{orphan.location_path}"> sets sslFlags for a site '
                    "this applicationHost.config does not define: it applies to nothing",
                    file=config_name,
                    line=orphan.location_line or orphan.line,
                    site=orphan.site,
                )
            )
        for site in app.sites:
            if not site.https_bindings:
                notes.append(f"site {site.name!r} has no https binding: nothing to simulate")
            findings += _site_findings(
                run, app, site, host, store, by_site, all_problems, config_name
            )
    else:
        notes.append(
            "no applicationHost.config: every binding is assumed to serve a path with "
            '"Ssl, SslNegotiateCert, SslRequireCert" (IIS Manager\'s Require)'
        )
        for known in store.all():
            b = known.binding
            host = Host.IIS_EXPRESS if b.app_id == iis_express_binding().app_id else Host.IIS
            findings.append(
                _finding(
                    run,
                    site=None,
                    path=None,
                    flags=ASSUMED_FLAGS,
                    served=_Served(binding=b, known=known),
                    site_binding=None,
                    host=host,
                    evidence=[f"binding: {known.where}"],
                    notes=[],
                )
            )
    return Diagnosis(
        findings=tuple(findings),
        releases=tuple(r.id for r in releases),
        clients=client_ids,
        certificate=cert,
        notes=tuple(notes),
        problems=tuple(all_problems),
        current_release=current,
        simulated_configurations=run.simulated,
    )


def _site_findings(
    run: _Run,
    app: AppHostConfig,
    site: Site,
    host: Host,
    store: _Bindings,
    by_site: Mapping[str, Sequence[WebConfig]],
    problems: list[ConfigProblem],
    config_name: str,
) -> list[Finding]:
    refused = [
        p for p in problems if p.site is not None and p.site.casefold() == site.name.casefold()
    ]
    paths, found = effective_paths(
        app,
        site.name,
        by_site.get(site.name.casefold(), ()),
        extra_paths=site.applications,
        refused=refused,
    )
    problems += [p for p in found if p not in refused]
    out: list[Finding] = []
    https = site.https_bindings
    if not https:
        for path in paths:
            if cert_policy(path.flags) is CertPolicy.IGNORE:
                continue
            problems.append(
                ConfigProblem(
                    message=f"site {site.name!r} asks for client certificates at {path.path} "
                    "but has no https binding",
                    file=config_name,
                    line=site.line,
                    site=site.name,
                    path=path.path,
                )
            )
        return out
    for site_binding in https:
        served = store.serve(site_binding, host)
        for path in paths:
            evidence = [
                f"{config_name}:{site_binding.line}: https binding "
                f"{site_binding.binding_information} sslFlags={int(site_binding.ssl_flags)}",
                f"binding {served.binding.endpoint}: "
                + (served.known.where if served.known is not None else "assumed"),
            ]
            evidence += [f"sslFlags {s.what}: {s.where}" for s in path.chain]
            evidence.append(f"certificate checks of the binding: {_checks_text(served.binding)}")
            mapping = app.certificate_mapping(site.name, path.path)
            if mapping.kind is not MappingKind.NONE:
                lines = ", ".join(str(n) for n in mapping.lines)
                evidence.append(f"{mapping.describe()}: {config_name}:{lines}")
            notes = list(served.notes)
            if cert_policy(path.flags) is CertPolicy.IGNORE:
                notes += [
                    _module_note(module, config_name)
                    for module in app.native_modules(site.name, path.path)
                    if _may_negotiate(module)
                ]
            out.append(
                _finding(
                    run,
                    site=site.name,
                    path=path,
                    flags=path.flags,
                    served=served,
                    site_binding=site_binding,
                    host=host,
                    evidence=evidence,
                    notes=notes,
                    mapping=mapping,
                )
            )
    return out


#: Native modules known not to start a negotiation of their own: the ASP.NET Core Module
#: reads the certificate IIS already has (R-ANCM-1, R-ANCM-2).
_NON_NEGOTIATING_MODULES = ("aspnetcoremodule", "aspnetcoremodulev2")


def _may_negotiate(module: GlobalModule) -> bool:
    """A running native module that does not ship with IIS: the configuration cannot say
    whether it calls ``IHttpRequest::NegotiateClientCertificate`` (R-IIS-8)."""
    return not module.ships_with_iis and module.name.casefold() not in _NON_NEGOTIATING_MODULES


def _module_note(module: GlobalModule, config_name: str) -> str:
    return (
        f"native module {module.name} ({module.image}, {config_name}:{module.line}) runs here "
        "and does not ship with IIS; whether it calls IHttpRequest::NegotiateClientCertificate "
        "is not in any export: if it does, this path gets the late certificate demand although "
        "its sslFlags ignore certificates (R-IIS-8; simulate with "
        "server.native_negotiate_module)"
    )


def _merge_exports(exports: Sequence[SchannelExport]) -> SchannelExport | None:
    if not exports:
        return None
    if len(exports) == 1:
        return exports[0]
    schannel = next((e for e in exports if e.settings != SchannelSettings()), exports[0]).settings
    http3 = next((e.http3_enabled for e in exports if e.http3_enabled is not None), None)
    bindings = tuple(b for e in exports for b in e.bindings)
    return attrs.evolve(exports[0], settings=schannel, http3_enabled=http3, bindings=bindings)


def _trust(exports: Sequence[SchannelExport], notes: list[str]) -> TrustSetup:
    """Schannel's trust settings as the exports have them (absent: Windows' defaults), with a
    note for each one that is set (R-IIS-7.trust-list, R-IIS-7.trust-mode)."""
    sent = next((e for e in exports if e.send_trusted_issuer_list is not None), None)
    moded = next((e for e in exports if e.client_auth_trust_mode is not None), None)
    send = bool(sent is not None and sent.send_trusted_issuer_list)
    mode = (moded.client_auth_trust_mode or 0) if moded is not None else 0
    if sent is not None and send:
        where = f"{sent.filename}:{sent.value_lines.get('SendTrustedIssuerList')}"
        notes.append(
            f"Schannel SendTrustedIssuerList=1 ({where}): every CertificateRequest names "
            "the issuers the server trusts, and clients offer only certificates from them; the "
            "grids assume the clients' certificates do (see each finding's unknowns; "
            "R-IIS-7.trust-list)"
        )
    if moded is not None and mode:
        where = f"{moded.filename}:{moded.value_lines.get('ClientAuthTrustMode')}"
        name = "exclusive root trust" if mode == 1 else "exclusive CA trust"
        notes.append(
            f"Schannel ClientAuthTrustMode={mode} ({name}; {where}): client certificates "
            "must chain to the binding's CTL; the grids assume their issuers are in it "
            "(R-IIS-7.trust-mode)"
        )
    return TrustSetup(send_trusted_issuer_list=send, client_auth_trust_mode=mode)


# --- os.txt and bundles -----------------------------------------------------------------------

_BUILD = re.compile(r"(?:currentbuild(?:number)?\s*[:=]\s*|10\.0\.)(\d{4,6})", re.IGNORECASE)


def detect_release(text: str | bytes, *, filename: str = "os.txt") -> Release:
    """The release an ``os.txt`` names (its build, and whether it is a server)."""
    from httpsys_sim.readers._text import decode_text

    decoded = decode_text(text, filename=filename, legacy_encoding="cp1252")
    match = _BUILD.search(decoded)
    if match is None:
        raise InputError(
            "no Windows build number (CurrentBuild: NNNNN or 10.0.NNNNN)",
            file=filename,
            line=1,
            hint="os.txt as the collection script writes it",
        )
    build = int(match.group(1))
    server = "server" in decoded.casefold()
    hits = [r for r in RELEASES.values() if r.build == build]
    if len(hits) > 1:
        hits = [r for r in hits if r.id.startswith("server") == server] or hits
    if not hits:
        raise InputError(
            f"build {build} is not in the release catalogue",
            file=filename,
            line=decoded.count("\n", 0, match.start()) + 1,
            hint="pass --release with the nearest release",
        )
    return hits[0]


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError("file is larger than 16 MiB", file=str(path))
    return data


def diagnose_bundle(
    directory: str | Path,
    *,
    release: str | None = None,
    certificate: CertState | str = CertState.VALID,
    clients: Sequence[str] | None = None,
) -> Diagnosis:
    """Diagnose a folder written by the collection script (docs/cli.md#bundle).

    Missing parts are reported (a problem each) and the rest is diagnosed; a bundle with
    none of the parts is an :class:`InputError`.
    """
    root = Path(directory)
    if not root.is_dir():
        raise InputError("not a folder", file=str(directory), hint="the folder collect.ps1 wrote")
    problems: list[ConfigProblem] = []
    parts: dict[str, bytes | None] = {}
    for name in (
        "netsh-sslcert.txt",
        "applicationHost.config",
        "http.reg",
        "schannel.reg",
        "os.txt",
    ):
        path = root / name
        if path.is_file():
            parts[name] = _read_bytes(path)
        else:
            parts[name] = None
            problems.append(
                ConfigProblem(
                    message=f"the bundle has no {name} ({BUNDLE_FILES[name]}): "
                    "diagnosed without it",
                    file=str(path),
                )
            )
    web_configs: list[tuple[str, str, bytes, str]] = []
    web_root = root / "webconfig"
    if web_root.is_dir():
        for path in sorted(web_root.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(web_root).parts
            if path.name.casefold() != "web.config" or len(relative) < 2:
                problems.append(
                    ConfigProblem(
                        message="not a webconfig/<site>/<path>/web.config file: ignored",
                        file=str(path),
                    )
                )
                continue
            site = relative[0]
            directory_path = "/" + "/".join(relative[1:-1])
            web_configs.append((site, directory_path, _read_bytes(path), str(path)))
    else:
        problems.append(
            ConfigProblem(
                message=f"the bundle has no webconfig folder ({BUNDLE_FILES['webconfig']}): "
                "only applicationHost.config sets the access flags",
                file=str(web_root),
            )
        )
    if all(
        parts[n] is None
        for n in ("netsh-sslcert.txt", "applicationHost.config", "http.reg", "schannel.reg")
    ):
        raise InputError(
            "the bundle has none of netsh-sslcert.txt, applicationHost.config, http.reg, "
            "schannel.reg",
            file=str(root),
            hint="run the script of `httpsys-sim collect-script` on the server",
        )
    os_text = parts["os.txt"]
    if os_text is not None and release is None:
        try:
            detect_release(os_text, filename=str(root / "os.txt"))
        except InputError as exc:
            problems.append(ConfigProblem(message=exc.message, file=exc.file, line=exc.line))
            os_text = None
    return diagnose(
        parts["netsh-sslcert.txt"],
        parts["applicationHost.config"],
        parts["schannel.reg"],
        http_reg=parts["http.reg"],
        release=release,
        certificate=certificate,
        clients=clients,
        netsh_name=str(root / "netsh-sslcert.txt"),
        config_name=str(root / "applicationHost.config"),
        schannel_name=str(root / "schannel.reg"),
        http_reg_name=str(root / "http.reg"),
        web_configs=web_configs,
        os_text=os_text if release is None else None,
        os_name=str(root / "os.txt"),
        problems=problems,
    )


def diagnose_files(
    *,
    netsh: str | None,
    config: str | None,
    schannel: str | None,
    release: str | None,
    certificate: str,
    read: Callable[[str], tuple[bytes, str]],
    bundle: str | None = None,
) -> Diagnosis:
    """:func:`diagnose` on files (``read`` returns bytes and the display name)."""
    if bundle is not None:
        if netsh or config or schannel:
            raise InputError(
                "--bundle reads every part from the folder",
                field="--bundle",
                hint="give either --bundle or --netsh/--config/--schannel",
            )
        return diagnose_bundle(bundle, release=release, certificate=certificate)
    inputs: dict[str, Any] = {}
    for key, path in (("netsh", netsh), ("config", config), ("schannel", schannel)):
        if path is not None:
            data, name = read(path)
            inputs[key] = data
            inputs[f"{key}_name"] = name
    return diagnose(release=release, certificate=certificate, **inputs)
