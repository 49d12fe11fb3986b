"""Remedies for a failing outcome, each re-simulated to prove it works.

:func:`find_fixes` tries every candidate on the scenario, keeps those whose re-simulated
outcome succeeds, and ranks them: the recommended fix first (ask for the certificate in the
handshake, R-REQ-1), workarounds after.  A candidate that does not apply to the release,
host or client, or that would not help there, is never offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim.catalogue._clients import H11RetryPolicy
from httpsys_sim.core._result import is_failure
from httpsys_sim.tls import RenegotiationAnswer
from httpsys_sim.windows._certchecks import MappingKind
from httpsys_sim.windows._hosts import (
    ClientCertificateMode,
)
from httpsys_sim.windows._iis import (
    AccessSslFlag,
    Host,
    SiteBindingSslFlag,
    access_flag_names,
)

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result
    from httpsys_sim.core._scenario import Scenario

__all__ = ["Fix", "find_fixes"]


@attrs.frozen(kw_only=True)
class Fix:
    """One remedy: what to change, the exact commands, and the proof."""

    id: str
    title: str
    commands: tuple[str, ...]
    rule: str  #: the rule that makes it work
    side: str  #: ``server`` or ``client``
    scenario: Scenario  #: the scenario with the fix applied
    outcome: str  #: the re-simulated outcome, in words
    verified: bool  #: re-simulating with the fix applied succeeds
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The diagnosis JSON's fix object (docs/formats.md#diagnosis-json)."""
        return {
            "id": self.id,
            "title": self.title,
            "commands": list(self.commands),
            "rule": self.rule,
            "side": self.side,
            "outcome": self.outcome,
            "verified": self.verified,
            "note": self.note,
        }


def _netsh(scenario: Scenario, **changes: Any) -> str:
    binding = scenario.server.binding
    command = binding.netsh_update_command(**changes)
    if binding.certificate_hash is None:
        command += " certhash=<server certificate thumbprint>"
    if binding.app_id is None:
        command += " appid={<application id>}"
    return command


_Candidate = Callable[
    ["Scenario"], "Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]"
]


def _negotiate(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    b = scenario.server.binding
    if b.client_cert_negotiation:
        return
    if scenario.server.host is Host.KESTREL:
        return  # Kestrel has no http.sys binding
    new = scenario.with_binding(client_cert_negotiation=True)
    flags = int(b.default_flags) | 0x2
    keep = (
        ""
        if scenario.server.release.site_binding_negotiate_flag
        else "; before Windows Server 2025, renewing or re-creating the binding (IIS Manager, "
        "ACME clients such as win-acme) drops clientcertnegotiation: re-apply it after every "
        "certificate renewal (R-BIND-4)"
    )
    yield (
        "clientcertnegotiation",
        "Ask for the client certificate in the initial handshake "
        "(netsh clientcertnegotiation=enable)",
        (
            _netsh(scenario, client_cert_negotiation=True),
            f"or set DefaultFlags to 0x{flags:x} (the binding's current value OR 0x2; do not "
            "overwrite its other bits) under HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\"
            f"Parameters\\SslBindingInfo\\{b.endpoint} and restart the HTTP service",
        ),
        "R-REQ-1",
        "server",
        new,
        "works on every release, TLS version and HTTP version; every path of this binding "
        "then sees the certificate prompt"
        + (
            "; IIS Express cannot change http.sys bindings itself, run this elevated"
            if scenario.server.host is Host.IIS_EXPRESS
            else ""
        )
        + keep,
    )


def _site_flag_128(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if s.host is not Host.IIS or not s.release.site_binding_negotiate_flag:
        return
    if s.site_binding_ssl_flags & SiteBindingSslFlag.NEGOTIATE_CLIENT_CERT:
        return
    flags = int(s.site_binding_ssl_flags) | 128
    new = attrs.evolve(
        scenario,
        server=attrs.evolve(s, site_binding_ssl_flags=SiteBindingSslFlag(flags)),
    )
    port = s.binding.port
    yield (
        "site-binding-128",
        "Set the IIS site binding's Negotiate Client Certificate flag "
        "(sslFlags bit 128, Server 2025)",
        (
            f"Set-WebBinding -Name '<SiteName>' -BindingInformation '*:{port}:<host>' "
            f"-PropertyName sslFlags -Value {flags}",
            f'%windir%\\system32\\inetsrv\\appcmd.exe set site /site.name:"<SiteName>" '
            f"/bindings.[protocol='https',bindingInformation='*:{port}:<host>'].sslFlags:{flags}",
        ),
        "R-IIS-3",
        "server",
        new,
        "IIS pushes the flag into the http.sys binding: same effect as clientcertnegotiation",
    )


def _own_hostname(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if s.binding.client_cert_negotiation or scenario.request.path in ("", "/"):
        return
    new = scenario.with_binding(client_cert_negotiation=True)
    port = s.binding.port
    yield (
        "own-hostname",
        f"Move {scenario.request.path} to a host name of its own whose binding negotiates "
        "client certificates",
        (
            f"netsh http add sslcert hostnameport=certs.<domain>:{port} "
            "certhash=<server certificate thumbprint> appid={<application id>} "
            "certstorename=MY clientcertnegotiation=enable",
            "add an https site binding for certs.<domain> with sslFlags=1 (SNI) and serve "
            f"{scenario.request.path} there",
        ),
        "R-REQ-1",
        "server",
        new,
        "only the certificate-protected paths prompt for a certificate; the rest of the site "
        "keeps its binding",
    )


def _disable_tls13(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if not s.release.supports_disable_tls13 or s.binding.disable_tls13:
        return
    new = scenario.with_binding(disable_tls13=True)
    yield (
        "disabletls13",
        "Disable TLS 1.3 on the binding so the late demand renegotiates over TLS 1.2 (workaround)",
        (_netsh(scenario, disable_tls13=True),),
        "R-REQ-2.tls12-reneg",
        "server",
        new,
        "gives up TLS 1.3 on this binding; the certificate then travels in a renegotiation, "
        "and HTTP/2 clients are first pushed back to HTTP/1.1",
    )


def _disable_http2(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if s.binding.disable_http2:
        return
    new = scenario.with_binding(disable_http2=True)
    yield (
        "disablehttp2",
        "Disable HTTP/2 on the binding",
        (_netsh(scenario, disable_http2=True),),
        "R-REQ-2.h2",
        "server",
        new,
        "clients that do not retry on HTTP_1_1_REQUIRED then start on HTTP/1.1",
    )


def _disable_tls13_and_http2(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if not s.release.supports_disable_tls13 or s.binding.disable_tls13 or s.binding.disable_http2:
        return
    new = scenario.with_binding(disable_tls13=True, disable_http2=True)
    yield (
        "disabletls13+disablehttp2",
        "Disable TLS 1.3 and HTTP/2 on the binding (workaround)",
        (_netsh(scenario, disable_tls13=True, disable_http2=True),),
        "R-REQ-2.tls12-reneg",
        "server",
        new,
        "the request then runs over TLS 1.2 and HTTP/1.1, where renegotiation works",
    )


def _schannel(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if not s.schannel.disable_reneg_on_server:
        return
    new = attrs.evolve(
        scenario,
        server=attrs.evolve(s, schannel=attrs.evolve(s.schannel, disable_reneg_on_server=False)),
    )
    yield (
        "schannel-reneg",
        "Allow Schannel to renegotiate as a server (DisableRenegoOnServer=0)",
        (
            'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL" '
            "/v DisableRenegoOnServer /t REG_DWORD /d 0 /f",
        ),
        "R-REQ-2.tls12-schannel-blocked",
        "server",
        new,
        "a reboot is needed for Schannel settings",
    )


def _upload(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    body = scenario.request.body_bytes
    if body <= s.upload_read_ahead_size:
        return
    new = attrs.evolve(scenario, server=attrs.evolve(s, upload_read_ahead_size=body))
    yield (
        "uploadreadahead",
        f"Raise uploadReadAheadSize to at least {body} bytes",
        (
            "%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/"
            f"serverRuntime /uploadReadAheadSize:{body} /commit:apphost",
        ),
        "R-REQ-2.tls12-body",
        "server",
        new,
        "IIS buffers the body in memory while it renegotiates",
    )


def _kestrel_mode(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if s.host is not Host.KESTREL:
        return
    for mode in (
        ClientCertificateMode.ALLOW_CERTIFICATE,
        ClientCertificateMode.REQUIRE_CERTIFICATE,
    ):
        if s.certificate_mode is mode:
            continue
        new = attrs.evolve(scenario, server=attrs.evolve(s, client_certificate_mode=mode))
        yield (
            f"kestrel-{mode.value}",
            f"Ask for the certificate in Kestrel's handshake (ClientCertificateMode.{mode.value})",
            (
                "builder.WebHost.ConfigureKestrel(o => o.ConfigureHttpsDefaults(h => "
                f"h.ClientCertificateMode = ClientCertificateMode.{mode.value}));",
            ),
            "R-KESTREL-1",
            "server",
            new,
            "every connection to this endpoint is asked; works on every TLS and HTTP version"
            + (
                "; a client without a certificate is refused in the handshake"
                if mode is ClientCertificateMode.REQUIRE_CERTIFICATE
                else ""
            ),
        )


def _ancm_forward(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    s = scenario.server
    if s.host is not Host.ASPNETCORE_IIS_OUTOFPROCESS:
        return
    if s.access_ssl_flags & AccessSslFlag.SSL_NEGOTIATE_CERT:
        return
    flags = s.access_ssl_flags | AccessSslFlag.SSL_NEGOTIATE_CERT
    new = attrs.evolve(scenario, server=attrs.evolve(s, access_ssl_flags=flags))
    yield (
        "ancm-sslnegotiatecert",
        "Add SslNegotiateCert so that IIS reads the certificate and ANCM forwards it "
        "(MS-ASPNETCORE-CLIENTCERT)",
        (
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "<Site>" '
            "-section:system.webServer/security/access "
            f'/sslFlags:"{",".join(access_flag_names(flags))}" /commit:apphost',
        ),
        "R-ANCM-2",
        "server",
        new,
        "IIS then also checks the certificate (403.16 for an untrusted one) before the app",
    )


_SCHANNEL_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL"


def _with(scenario: Scenario, **changes: Any) -> Scenario:
    return attrs.evolve(scenario, server=attrs.evolve(scenario.server, **changes))


def _cert_checks(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    """Remedies for the trust, revocation and mapping checks (R-IIS-7.*)."""
    s = scenario.server
    rev, trust, mapping = s.revocation, s.trust, s.mapping
    if not rev.can_check or (s.binding.verify_revocation_with_cached_cert_only and not rev.cached):
        yield (
            "revocation-reachable",
            "Let the server reach the certificate's CRL / OCSP endpoints (firewall, proxy)",
            (
                "certutil -url <client certificate file>   (test the CDP / AIA URLs from the "
                "server)",
                "netsh winhttp set proxy <proxy>   (if the server reaches the Internet through "
                "a proxy)",
            ),
            "R-IIS-7.revocation-offline",
            "server",
            _with(
                scenario,
                revocation=attrs.evolve(rev, reachable=True, cached=True),
                binding=attrs.evolve(s.binding, verify_revocation_with_cached_cert_only=False),
            ),
            "KB 294305: IIS refuses a certificate whose CRL it cannot download",
        )
        if (
            s.binding.verify_revocation_with_cached_cert_only
            and rev.reachable
            and s.host is not Host.KESTREL
        ):
            yield (
                "revocation-cached-only-off",
                "Let http.sys download CRLs instead of using cached ones only "
                "(netsh verifyrevocationwithcachedclientcertonly=disable)",
                (_netsh(scenario, verify_revocation_with_cached_cert_only=False),),
                "R-IIS-7.revocation-offline",
                "server",
                scenario.with_binding(verify_revocation_with_cached_cert_only=False),
                "needs the CRL / OCSP endpoints to answer the server",
            )
        if s.binding.verify_client_cert_revocation and s.host is not Host.KESTREL:
            yield (
                "revocation-off",
                "Stop checking client-certificate revocation on the binding (weaker security)",
                (_netsh(scenario, verify_client_cert_revocation=False),),
                "R-IIS-7.revocation-offline",
                "server",
                scenario.with_binding(verify_client_cert_revocation=False),
                "revoked certificates are then accepted too",
            )
    if trust.non_self_signed_in_root:
        yield (
            "trust-root-store",
            "Move certificates that are not self-signed out of the Trusted Root store",
            (
                "Get-ChildItem Cert:\\LocalMachine\\Root | Where-Object { $_.Issuer -ne "
                "$_.Subject }   (list them; move each to Intermediate Certification "
                "Authorities)",
            ),
            "R-IIS-7.trust-root",
            "server",
            _with(scenario, trust=attrs.evolve(trust, non_self_signed_in_root=False)),
            "KB 2802568",
        )
    if trust.send_trusted_issuer_list and not trust.client_issuer_in_list:
        yield (
            "trusted-issuer-list-off",
            "Stop sending the trusted issuer list (SendTrustedIssuerList=0)",
            (f'reg add "{_SCHANNEL_KEY}" /v SendTrustedIssuerList /t REG_DWORD /d 0 /f',),
            "R-IIS-7.trust-list",
            "server",
            _with(scenario, trust=attrs.evolve(trust, send_trusted_issuer_list=False)),
            "or trust the client certificate's issuer on the server; some clients (iOS) still "
            "offer only certificates from listed issuers",
        )
    if not trust.client_issuer_in_list and trust.client_auth_trust_mode in (1, 2):
        yield (
            "trust-mode-ctl",
            "Add the client certificate's issuer to the binding's CTL (or use "
            "ClientAuthTrustMode=0)",
            (f'reg add "{_SCHANNEL_KEY}" /v ClientAuthTrustMode /t REG_DWORD /d 0 /f',),
            "R-IIS-7.trust-mode",
            "server",
            _with(scenario, trust=attrs.evolve(trust, client_issuer_in_list=True)),
            None,
        )
    if mapping.kind is MappingKind.ACTIVE_DIRECTORY and not s.binding.ds_mapper_usage:
        yield (
            "dsmapperusage",
            "Enable AD mapping on the binding (netsh dsmapperusage=enable)",
            (_netsh(scenario, ds_mapper_usage=True),),
            "R-IIS-7.mapping-ad",
            "server",
            scenario.with_binding(ds_mapper_usage=True),
            "before Windows Server 2025 a binding re-created on renewal loses it (R-BIND-4)",
        )
    elif mapping.kind is not MappingKind.NONE and not mapping.matches:
        yield (
            "mapping-rule",
            f"Add a {mapping.kind.value} mapping that matches the certificate",
            _MAPPING_COMMANDS[mapping.kind],
            "R-IIS-7.mapping",
            "server",
            _with(scenario, mapping=attrs.evolve(mapping, matches=True)),
            "or enable the disabled mapping, or remove the Deny rule, that covers the certificate",
        )


_SECTION = "system.webServer/security/authentication/iisClientCertificateMappingAuthentication"
#: The commands that add a mapping of each kind (``<Site>``: the IIS location, site/path).
_MAPPING_COMMANDS: Mapping[MappingKind, tuple[str, ...]] = MappingProxyType(
    {
        MappingKind.MANY_TO_ONE: (
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "<Site>" '
            f"-section:{_SECTION} /+\"manyToOneMappings.[name='<mapping name>',"
            "permissionMode='Allow',userName='<account>',password='<password>']\" "
            "/commit:apphost",
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "<Site>" '
            f"-section:{_SECTION} /+\"manyToOneMappings.[name='<mapping name>'].rules."
            "[certificateField='Subject',certificateSubField='O',"
            "matchCriteria='<organisation>']\" /commit:apphost",
        ),
        MappingKind.ONE_TO_ONE: (
            "Add-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location '<Site>' "
            f"-Filter '{_SECTION}/oneToOneMappings' -Name '.' -Value @{{userName='<account>';"
            "password='<password>';certificate='<base64 of the client certificate, one line>'}",
        ),
        MappingKind.ACTIVE_DIRECTORY: (
            "map the certificate to the user's account in Active Directory "
            "(altSecurityIdentities), or issue the certificate with the user's UPN",
        ),
    }
)


_CLIENT_FIXES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "go": ("tls.Config{Renegotiation: tls.RenegotiateOnceAsClient}", "R-CLI-6"),
        "dotnet-windows": ("SslClientAuthenticationOptions.AllowRenegotiation = true", "R-CLI-9"),
        "dotnet-linux": ("SslClientAuthenticationOptions.AllowRenegotiation = true", "R-CLI-9"),
    }
)


def _client_renegotiation(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    known = _CLIENT_FIXES.get(scenario.client.profile)
    if known is None or scenario.client.renegotiation_http11 is RenegotiationAnswer.ACCEPT:
        return
    setting, rule = known
    new = attrs.evolve(
        scenario,
        client=attrs.evolve(scenario.client, renegotiation_http11=RenegotiationAnswer.ACCEPT),
    )
    yield (
        "client-renegotiation",
        f"Let the {scenario.client.profile} client renegotiate ({setting})",
        (setting,),
        rule,
        "client",
        new,
        "only helps where the server renegotiates (TLS 1.2)",
    )


def _client_http11(
    scenario: Scenario,
) -> Iterator[tuple[str, str, tuple[str, ...], str, str, Scenario, str | None]]:
    if scenario.client.on_http_1_1_required is H11RetryPolicy.RETRY or scenario.client.alpn == (
        "http/1.1",
    ):
        return
    new = attrs.evolve(scenario, client=attrs.evolve(scenario.client, alpn=("http/1.1",)))
    yield (
        "client-http11",
        "Make the client use HTTP/1.1 for this server (e.g. curl --http1.1, "
        "HttpVersionPolicy.RequestVersionOrLower)",
        ("curl --http1.1 …",),
        "R-REQ-2.h2",
        "client",
        new,
        "a client-side workaround; every client would need it",
    )


_CANDIDATES: tuple[_Candidate, ...] = (
    _negotiate,
    _kestrel_mode,
    _ancm_forward,
    _cert_checks,
    _site_flag_128,
    _own_hostname,
    _disable_tls13,
    _disable_http2,
    _disable_tls13_and_http2,
    _schannel,
    _upload,
    _client_renegotiation,
    _client_http11,
)


def find_fixes(result: Result) -> tuple[Fix, ...]:
    """Every candidate that, re-simulated on ``result``'s scenario, succeeds; best first."""
    if not is_failure(result):
        return ()
    from httpsys_sim.core._engine import simulate

    fixes: list[Fix] = []
    for candidate in _CANDIDATES:
        for fid, title, commands, rule, side, scenario, note in candidate(result.scenario):
            after = simulate(scenario)
            if is_failure(after):
                continue
            fixes.append(
                Fix(
                    id=fid,
                    title=title,
                    commands=commands,
                    rule=rule,
                    side=side,
                    scenario=scenario,
                    outcome=after.outcome.describe(),
                    verified=True,
                    note=note,
                )
            )
    return tuple(fixes)
