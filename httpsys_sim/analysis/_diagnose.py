"""Predict, from real Windows configuration exports, what each client will get — and fix it.

:func:`diagnose` reads any subset of ``netsh http show sslcert`` output, an
``applicationHost.config`` (IIS or IIS Express) and a Schannel ``.reg`` export, finds every
site and path that asks for client certificates, matches it to the http.sys binding that
serves it, and simulates each client profile on the given release (or on every release).
It names what is at risk on an upgrade and the fixes that, re-simulated, work
(contract §2.4).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from httpsys_sim.catalogue._clients import CLIENTS
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._fixes import Fix, is_failure
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import ClientSetup, Request, Scenario, ServerSetup
from httpsys_sim.errors import InputError
from httpsys_sim.readers._appconfig import AppHostConfig, parse_application_host_config
from httpsys_sim.readers._netsh import NetshBinding, parse_netsh_sslcert
from httpsys_sim.readers._regfile import SchannelExport, parse_schannel_reg
from httpsys_sim.tls import CertState
from httpsys_sim.windows._binding import HttpSysFlag, SslBinding, iis_express_binding
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

__all__ = ["Diagnosis", "Finding", "diagnose", "diagnose_files"]

#: Upgrade paths whose outcome changes are worth a warning (oldest first).
UPGRADE_PATHS: tuple[tuple[str, ...], ...] = (
    ("server-2016", "server-2019", "server-2022", "server-2025"),
    ("win10-22h2", "win11-21h2", "win11-22h2", "win11-23h2", "win11-24h2", "win11-25h2"),
)

#: What a site gets when no applicationHost.config is given: IIS Manager's "Require".
ASSUMED_FLAGS = (
    AccessSslFlag.SSL | AccessSslFlag.SSL_NEGOTIATE_CERT | AccessSslFlag.SSL_REQUIRE_CERT
)


@attrs.frozen(kw_only=True)
class Finding:
    """One site and path that asks for client certificates, with its predictions."""

    site: str | None
    path: str
    binding: str  #: the http.sys binding endpoint that serves it
    access_ssl_flags: AccessSslFlag
    cert_request: str  #: ``none``, ``handshake`` or ``late``
    outcomes: dict[str, dict[str, Result]] = attrs.field(eq=False, repr=False)
    fixes: tuple[Fix, ...]
    #: (release, client) cells each fix repairs, by fix id.
    fix_coverage: dict[str, tuple[int, int]] = attrs.field(eq=False, repr=False)
    risks: tuple[str, ...]
    notes: tuple[str, ...]
    #: Where the facts came from: ``file:line`` for flags and binding.
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract §2.4 finding object (with extras: risks, notes, evidence)."""
        return {
            "site": self.site,
            "path": self.path,
            "binding": self.binding,
            "access_ssl_flags": list(access_flag_names(self.access_ssl_flags)),
            "cert_request": self.cert_request,
            "outcomes": {
                release: {
                    client: {
                        "kind": r.outcome.kind.value,
                        "status": r.outcome.status,
                        "substatus": r.outcome.substatus,
                        "hresult": r.outcome.hresult,
                        "short": r.outcome.short(),
                        "confidence": r.outcome.confidence.value,
                    }
                    for client, r in per_client.items()
                }
                for release, per_client in self.outcomes.items()
            },
            "fixes": [
                {
                    **fix.to_dict(),
                    "repairs": "{} of {} failing cells".format(*self.fix_coverage[fix.id]),
                }
                for fix in self.fixes
            ],
            "risks": list(self.risks),
            "notes": list(self.notes),
            "evidence": list(self.evidence),
        }

    @property
    def failing(self) -> int:
        """How many (release, client) cells fail."""
        return sum(is_failure(r) for per in self.outcomes.values() for r in per.values())


@attrs.frozen(kw_only=True)
class Diagnosis:
    """All findings of one :func:`diagnose` run."""

    findings: tuple[Finding, ...]
    releases: tuple[str, ...]
    clients: tuple[str, ...]
    certificate: CertState
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The contract §2.4 document."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "releases": list(self.releases),
            "clients": list(self.clients),
            "certificate": self.certificate.value,
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """Deterministic JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def _grid(self, finding: Finding) -> list[str]:
        left = max(len(c) for c in self.clients)
        rel = list(finding.outcomes)
        widths = [max(len(r), 7) for r in rel]
        lines = [
            "    "
            + "client".ljust(left)
            + "  "
            + "  ".join(r.ljust(w) for r, w in zip(rel, widths, strict=True))
        ]
        for client in self.clients:
            cells = [
                finding.outcomes[r][client].outcome.short().ljust(w)
                for r, w in zip(rel, widths, strict=True)
            ]
            lines.append("    " + client.ljust(left) + "  " + "  ".join(cells))
        return lines

    def to_text(self) -> str:
        """A report for people: each finding, its grid, risks and fixes with commands."""
        out = [f"httpsys-sim diagnose — clients with a {self.certificate.value} certificate", ""]
        out += [f"note: {n}" for n in self.notes]
        if not self.findings:
            out.append("No site or path asks for client certificates: nothing at risk.")
        for n, f in enumerate(self.findings, 1):
            flags = ", ".join(access_flag_names(f.access_ssl_flags)) or "None"
            out += [
                "",
                f"[{n}] site {f.site or '(any)'}  path {f.path}  binding {f.binding}",
                f"    sslFlags: {flags} · certificate requested: {f.cert_request} · "
                f"{f.failing} failing cells",
            ]
            out += [f"    evidence: {e}" for e in f.evidence]
            out += [f"    note: {x}" for x in f.notes]
            out += self._grid(f)
            if f.risks:
                out.append("    at risk on upgrade:")
                out += [f"      - {r}" for r in f.risks]
            if f.fixes:
                out.append("    fixes (re-simulated):")
                for fix in f.fixes:
                    done, total = f.fix_coverage[fix.id]
                    mark = "verified" if fix.verified else f"partial: {done}/{total}"
                    out.append(f"      * {fix.title} [{mark}; {fix.rule}]")
                    out += [f"          {c}" for c in fix.commands]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The same as Markdown."""
        out = [f"# httpsys-sim diagnose ({self.certificate.value} certificate)", ""]
        out += [f"> {n}" for n in self.notes]
        for f in self.findings:
            flags = ", ".join(access_flag_names(f.access_ssl_flags)) or "None"
            out += [
                "",
                f"## {f.site or '(any site)'} {f.path} on `{f.binding}`",
                "",
                f"sslFlags `{flags}` · certificate requested: **{f.cert_request}**",
                "",
                "| client | " + " | ".join(f.outcomes) + " |",
                "|---|" + "---|" * len(f.outcomes),
            ]
            for client in self.clients:
                out.append(
                    f"| {client} | "
                    + " | ".join(f.outcomes[r][client].outcome.short() for r in f.outcomes)
                    + " |"
                )
            if f.risks:
                out += ["", "**At risk on upgrade:**", ""] + [f"- {r}" for r in f.risks]
            if f.fixes:
                out += ["", "**Fixes:**", ""]
                for fix in f.fixes:
                    out.append(f"- {fix.title} ({'verified' if fix.verified else 'partial'})")
                    out += [f"  - `{c}`" for c in fix.commands]
        return "\n".join(out) + "\n"


# --- matching config to bindings ------------------------------------------------------------


def _binding_for(
    endpoint: str, kind: str, host: Host, bindings: Sequence[NetshBinding], port: int | None
) -> tuple[SslBinding, str | None, str | None]:
    """The netsh binding serving ``endpoint`` (with http.sys's fallbacks), or a default."""
    for nb in bindings:
        if nb.binding.endpoint.lower() == endpoint.lower():
            return nb.binding, f"netsh line {nb.line}", None
    if kind == "hostnameport" and port is not None:
        for nb in bindings:
            if nb.binding.kind == "ccs" and nb.binding.port == port:
                return nb.binding, f"netsh line {nb.line} (central certificate store)", None
    if kind == "ipport" and port is not None:
        for nb in bindings:
            if nb.binding.kind == "ipport" and nb.binding.endpoint in (
                f"0.0.0.0:{port}",
                f"[::]:{port}",
            ):
                return nb.binding, f"netsh line {nb.line} (wildcard address)", None
    if host is Host.IIS_EXPRESS and port is not None and 44300 <= port <= 44399:
        note = "binding not in the netsh export: assumed IIS Express's pre-registered one (R-IIS-4)"
        return iis_express_binding(port), None, note
    note = "binding not in the netsh export (or no export given): assumed netsh defaults"
    base = SslBinding(endpoint=endpoint, kind=kind)  # type: ignore[arg-type]
    return base, None, note


def _apply_registry(
    binding: SslBinding, export: SchannelExport | None
) -> tuple[SslBinding, str | None]:
    if export is None:
        return binding, None
    flags = export.binding_flags.get(binding.endpoint)
    if flags is None:
        return binding, None
    merged = int(binding.default_flags) | flags
    fields = {
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
    changed = attrs.evolve(binding, **fields)  # type: ignore[arg-type]
    return changed, f"registry DefaultFlags=0x{flags:x} for {binding.endpoint} (S38)"


# --- the analysis -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Context:
    """What every finding of one run shares."""

    schannel: SchannelSettings
    http3: bool
    releases: tuple[Release, ...]
    clients: tuple[str, ...]
    certificate: CertState


def _risks(outcomes: dict[str, dict[str, Result]]) -> tuple[str, ...]:
    risks: list[str] = []
    for path in UPGRADE_PATHS:
        present = [r for r in path if r in outcomes]
        for before, after in itertools.pairwise(present):
            changed: dict[tuple[str, str], list[str]] = {}
            for client, result in outcomes[before].items():
                a, b = result.outcome.short(), outcomes[after][client].outcome.short()
                if a != b and (is_failure(outcomes[after][client]) or is_failure(result)):
                    changed.setdefault((a, b), []).append(client)
            for (a, b), clients in changed.items():
                risks.append(
                    f"{RELEASES[before].product} → {RELEASES[after].product}: {a} becomes {b} "
                    f"for {', '.join(clients)}"
                )
    return tuple(risks)


def _fixes(
    outcomes: dict[str, dict[str, Result]],
) -> tuple[tuple[Fix, ...], dict[str, tuple[int, int]]]:
    failing = [r for per in outcomes.values() for r in per.values() if is_failure(r)]
    found: dict[str, Fix] = {}
    hits: dict[str, int] = {}
    for result in failing:
        for fix in result.fixes():
            found.setdefault(fix.id, fix)
            hits[fix.id] = hits.get(fix.id, 0) + 1
    total = len(failing)
    fixes = []
    for fid, fix in found.items():
        fixes.append(attrs.evolve(fix, verified=hits[fid] == total))
    fixes.sort(key=lambda f: (not f.verified, list(found).index(f.id)))
    return tuple(fixes), {fid: (hits[fid], total) for fid in found}


def _finding(
    *,
    site: str | None,
    path: str,
    flags: AccessSslFlag,
    binding: SslBinding,
    host: Host,
    site_flags: SiteBindingSslFlag,
    ctx: _Context,
    notes: list[str],
    evidence: list[str],
) -> Finding:
    outcomes: dict[str, dict[str, Result]] = {}
    cert_request = "none"
    for release in ctx.releases:
        server = ServerSetup(
            release=release,
            host=host,
            binding=binding,
            access_ssl_flags=flags,
            schannel=ctx.schannel,
            http3=ctx.http3,
            site_binding_ssl_flags=site_flags,
        )
        per: dict[str, Result] = {}
        for client in ctx.clients:
            scenario = Scenario(
                server=server,
                client=ClientSetup(profile=client, certificate=ctx.certificate),
                request=Request(path=path),
            )
            per[client] = simulate(scenario)
        outcomes[release.id] = per
        for result in per.values():
            how = {c.cert_requested.value for c in result.connections}
            if "handshake" in how:
                cert_request = "handshake"
            elif how & {"renegotiation", "post_handshake"} or any(
                s.rule.startswith("R-REQ-2") and s.rule != "R-REQ-2.cert-present"
                for s in result.steps
            ):
                cert_request = "late" if cert_request == "none" else cert_request
    if cert_policy(flags) is CertPolicy.REQUIRE_ONLY and cert_request == "none":
        notes.append("SslRequireCert without SslNegotiateCert: no late demand (R-IIS-2, inferred)")
    fixes, coverage = _fixes(outcomes)
    fixes = tuple(_localise(fix, site, binding) for fix in fixes)
    return Finding(
        site=site,
        path=path,
        binding=binding.endpoint,
        access_ssl_flags=flags,
        cert_request=cert_request,
        outcomes=outcomes,
        fixes=fixes,
        fix_coverage=coverage,
        risks=_risks(outcomes),
        notes=tuple(notes),
        evidence=tuple(evidence),
    )


def _localise(fix: Fix, site: str | None, binding: SslBinding) -> Fix:
    if site is None:
        return fix
    commands = tuple(c.replace("<SiteName>", site) for c in fix.commands)
    return attrs.evolve(fix, commands=commands)


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
) -> Diagnosis:
    """Findings for every site/path of the exports that asks for client certificates.

    Any subset of the three inputs may be given (at least one).  Bad input raises
    :class:`~httpsys_sim.errors.InputError` naming the file and line.
    """
    if netsh is None and config is None and schannel is None:
        raise InputError(
            "nothing to diagnose", field="--netsh", hint="give --netsh, --config and/or --schannel"
        )
    cert = CertState(certificate)
    bindings = parse_netsh_sslcert(netsh, filename=netsh_name) if netsh is not None else ()
    app: AppHostConfig | None = (
        parse_application_host_config(config, filename=config_name) if config is not None else None
    )
    export = parse_schannel_reg(schannel, filename=schannel_name) if schannel is not None else None
    releases = (
        tuple(RELEASES.values()) if release is None else (get_release(release, field="--release"),)
    )
    client_ids = tuple(CLIENTS) if clients is None else tuple(clients)
    settings = export.settings if export is not None else SchannelSettings()
    http3 = bool(export.http3_enabled) if export is not None else False
    findings: list[Finding] = []
    notes: list[str] = []
    ctx = _Context(
        schannel=settings, http3=http3, releases=releases, clients=client_ids, certificate=cert
    )
    if app is not None:
        host = app.host_hint
        notes.append(f"host: {host.value} ({app.host_evidence or 'from the file'})")
        for site in app.sites:
            for site_binding in site.https_bindings:
                kind, endpoint = site_binding.http_sys_endpoint()
                base, where, assumed = _binding_for(
                    endpoint, kind, host, bindings, site_binding.port
                )
                binding, registry = _apply_registry(base, export)
                for path, flags, line in app.paths_with_access_flags(site.name):
                    if cert_policy(flags) is CertPolicy.IGNORE:
                        continue
                    evidence = [
                        f"{config_name}:{line}: sslFlags" if line else "sslFlags: schema default",
                        f"{config_name}:{site_binding.line}: https binding "
                        f"{site_binding.binding_information} "
                        f"sslFlags={int(site_binding.ssl_flags)}",
                    ]
                    if where:
                        evidence.append(f"{netsh_name}: {where}")
                    if registry:
                        evidence.append(registry)
                    findings.append(
                        _finding(
                            site=site.name,
                            path=path,
                            flags=flags,
                            binding=binding,
                            host=host,
                            site_flags=site_binding.ssl_flags,
                            notes=[assumed] if assumed else [],
                            evidence=evidence,
                            ctx=ctx,
                        )
                    )
    else:
        notes.append(
            "no applicationHost.config: every binding is assumed to serve a path with "
            '"Ssl, SslNegotiateCert, SslRequireCert" (IIS Manager\'s Require)'
        )
        sources = [(nb.binding, f"{netsh_name}:{nb.line}") for nb in bindings]
        if not sources and export is not None:
            sources = [
                (SslBinding(endpoint=e, kind="ipport"), f"{schannel_name}")
                for e in export.binding_flags
            ]
        for base, where in sources:
            binding, registry = _apply_registry(base, export)
            host = Host.IIS_EXPRESS if binding.app_id == iis_express_binding().app_id else Host.IIS
            evidence = [where] + ([registry] if registry else [])
            findings.append(
                _finding(
                    site=None,
                    path="/",
                    flags=ASSUMED_FLAGS,
                    binding=binding,
                    host=host,
                    site_flags=SiteBindingSslFlag(0),
                    notes=[],
                    evidence=evidence,
                    ctx=ctx,
                )
            )
    return Diagnosis(
        findings=tuple(findings),
        releases=tuple(r.id for r in releases),
        clients=client_ids,
        certificate=cert,
        notes=tuple(notes),
    )


def diagnose_files(
    *,
    netsh: str | None,
    config: str | None,
    schannel: str | None,
    release: str | None,
    certificate: str,
    read: Callable[[str], tuple[bytes, str]],
) -> Diagnosis:
    """:func:`diagnose` on files (``read`` returns bytes and the display name)."""
    inputs: dict[str, Any] = {}
    for key, path in (("netsh", netsh), ("config", config), ("schannel", schannel)):
        if path is not None:
            data, name = read(path)
            inputs[key] = data
            inputs[f"{key}_name"] = name
    return diagnose(release=release, certificate=certificate, **inputs)
