"""The rule catalogue: every fact the model relies on, with its confidence and sources.

Every step of every trace names a rule id from :data:`RULES`; every rule names the sources
(:data:`SOURCES`) it rests on.  Ids follow four families:

* ``R-…`` — the behaviour of Windows, IIS and the clients (docs/reference/rules.md;
  ``R-REQ-2.<row>`` are the rows of the late-demand table, one rule each).
* ``P-OSSL-…`` / ``P-SCH-…`` — the two TLS stack personalities (OpenSSL 3, Schannel).
* ``RFC<n>-<section>`` — the protocol rules the TLS and HTTP state machines enforce.
* ``R-PIPE-…`` — the order in which the model walks a request.

Confidence is carried, never flattened (:class:`Confidence`).  Where a rule is our own reading
(``inferred``), :attr:`Rule.alternatives` says what else could plausibly happen; where sources
disagree or a part of the rule is weaker than its core, :attr:`Rule.notes` says so.

The catalogue is checked when this module is imported: an unknown source id, a duplicate or
malformed id, or an inferred rule without alternatives is a programming error and raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

import attrs

from httpsys_sim._enum import ReprStrEnum

__all__ = [
    "RULES",
    "RULE_ID_PATTERN",
    "SOURCES",
    "SOURCE_ID_PATTERN",
    "Confidence",
    "Rule",
    "Source",
    "get_rule",
    "get_source",
]


class Confidence(ReprStrEnum):
    """How sure the model is of a fact (docs/concepts.md, "Confidence, alternatives and what
    the model does not know")."""

    #: Vendor documentation, an RFC, or a vendor engineer's official post.
    DOCUMENTED = "documented"
    #: Field reports (issues, forums) or third-party / implementation source code.
    REPORTED = "reported"
    #: Our own best reading where nothing says it outright; carries alternatives.
    INFERRED = "inferred"


@attrs.frozen(kw_only=True)
class Source:
    """A document, thread or source file that rules cite."""

    #: Short id such as ``"S1"``, ``"RFC8446"`` or ``"OSSL-STATEM-SRVR"``.
    id: str
    #: Human-readable title (for GitHub files: repository and path).
    title: str
    #: Canonical address, or ``None`` where none is known.
    url: str | None
    #: What in the source matters, branch caveats, related threads.
    note: str | None = None


@attrs.frozen(kw_only=True)
class Rule:
    """One fact of the model, with its confidence and evidence."""

    #: Stable id, e.g. ``"R-REQ-2.h2"``; traces cite it.
    id: str
    #: Short title, e.g. ``"HTTP/2 late demand → HTTP_1_1_REQUIRED"``.
    title: str
    #: One or two sentences in our own words.
    statement: str
    #: Confidence of the rule's core claim.
    confidence: Confidence
    #: Ids of :data:`SOURCES` entries the rule rests on.
    sources: tuple[str, ...]
    #: Where the rule belongs, e.g. ``"when and how the server asks"`` or ``"RFC 8446 §4.6.2"``.
    section: str
    #: Contradictions between sources, weaker sub-claims, caveats.
    notes: tuple[str, ...] = ()
    #: For (partly) inferred rules: the plausible other outcomes, in words.
    alternatives: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import rule_html

        return rule_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import rule_markdown

        return rule_markdown(self)


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

_GH = "https://github.com/"
_RFC = "https://www.rfc-editor.org/rfc/"
_OSSL = _GH + "openssl/openssl/blob/openssl-3.0/"

_SOURCE_LIST: tuple[Source, ...] = (
    Source(
        id="S1",
        title=(
            'Microsoft IIS Support Blog, M. Hamrick, "Addressing TLS 1.3 Compatibility Issues '
            'in IIS Express on Windows 11", 2025-08-29'
        ),
        url=(
            "https://techcommunity.microsoft.com/t5/iis-support-blog/"
            "addressing-tls-1-3-compatibility-issues-in-iis-express-on/ba-p/4449362"
        ),
    ),
    Source(id="S2", title="The seed article (Japanese summary of S1)", url=None),
    Source(
        id="S3",
        title='Microsoft Learn, "Protocols in TLS/SSL (Schannel SSP)"',
        url=_GH + "MicrosoftDocs/win32/blob/main/desktop-src/SecAuthN/"
        "protocols-in-tls-ssl--schannel-ssp-.md",
    ),
    Source(
        id="S4",
        title='Microsoft Learn, "TLS 1.0 and TLS 1.1 deprecation in Windows"',
        url="https://learn.microsoft.com/windows/win32/secauthn/tls-10-11-deprecation-in-windows",
    ),
    Source(
        id="S5",
        title="Microsoft Learn, netsh http commands",
        url=_GH + "MicrosoftDocs/windowsserverdocs/blob/main/WindowsServerDocs/administration/"
        "windows-commands/netsh-http.md",
    ),
    Source(
        id="S6",
        title="Microsoft Learn, HTTP_SERVICE_CONFIG_SSL_PARAM",
        url=_GH + "MicrosoftDocs/sdk-api/blob/main/sdk-api-src/content/http/"
        "ns-http-http_service_config_ssl_param.md",
        note="Flag values from the Windows SDK metadata.",
    ),
    Source(
        id="S7",
        title='Microsoft Learn, "Disable legacy TLS per certificate binding"',
        url="https://learn.microsoft.com/en-us/security/engineering/disable-legacy-tls",
    ),
    Source(
        id="S8",
        title="IIS configuration reference, access element",
        url=_GH + "MicrosoftDocs/iis-docs/blob/main/iis/configuration/system.webServer/"
        "security/access.md",
    ),
    Source(
        id="S9",
        title="microsoft/IIS.Administration, HttpAccessSslFlags.cs (numeric values)",
        url=_GH + "microsoft/IIS.Administration",
        note="The link is to the repository; the file's directory is not known.",
    ),
    Source(
        id="S10",
        title="IIS 6 metabase MD_SSL_ACCESS_PERM reference (negotiate / require semantics)",
        url=None,
    ),
    Source(
        id="S11",
        title="IIS configuration reference, binding element",
        url=_GH + "MicrosoftDocs/iis-docs/blob/main/iis/configuration/system.applicationHost/"
        "sites/site/bindings/binding.md",
    ),
    Source(
        id="S12",
        title=(
            "IISAdministration SslFlags enum (as used by win-acme SSLFlags.cs; win-acme issue "
            "#2831 for bit 128 on Server 2025)"
        ),
        url=_GH + "win-acme/win-acme/issues/2831",
    ),
    Source(
        id="S13",
        title=(
            'Microsoft Learn, "Running IIS Express without administrative privileges" and '
            '"Handling URL binding failures in IIS Express"'
        ),
        url=None,
    ),
    Source(
        id="S14",
        title=(
            'Microsoft support, "HTTP status code overview" (IIS sub-status codes) and '
            "KB 2802568 (403.7 / 403.16)"
        ),
        url=None,
    ),
    Source(
        id="S15",
        title=(
            "dotnet/aspnetcore src/Servers/HttpSys/src/RequestProcessing/ClientCertLoader.cs "
            "(HttpReceiveClientCertificate semantics)"
        ),
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/HttpSys/src/RequestProcessing/"
        "ClientCertLoader.cs",
    ),
    Source(
        id="S16",
        title=(
            "dotnet/AspNetCore.Docs aspnetcore/security/authentication/certauth.md "
            "(renegotiation, buffering, uploadReadAheadSize)"
        ),
        url=_GH + "dotnet/AspNetCore.Docs/blob/main/aspnetcore/security/authentication/certauth.md",
    ),
    Source(
        id="S17",
        title=(
            'Microsoft "How it works on the wire: IIS HTTP client certificate authentication" '
            "(nettracer blog, TLS 1.2 renegotiation trace)"
        ),
        url=None,
    ),
    Source(
        id="S18",
        title="RFC 7540 / RFC 9113 §9.2.1 and §7 (HTTP_1_1_REQUIRED)",
        url=_RFC + "rfc9113",
    ),
    Source(id="S19", title="RFC 8740 (TLS 1.3 with HTTP/2: no PHA)", url=_RFC + "rfc8740"),
    Source(
        id="S20",
        title=(
            "MicrosoftDocs/iis-docs iis/get-started/whats-new-in-iis-10/http2-on-iis.md "
            "(Windows falls back to HTTP/1.1)"
        ),
        url=_GH + "MicrosoftDocs/iis-docs/blob/main/iis/get-started/whats-new-in-iis-10/"
        "http2-on-iis.md",
    ),
    Source(id="S21", title="RFC 9001 §4.4, RFC 9114 §8.1", url=_RFC + "rfc9001#section-4.4"),
    Source(
        id="S22",
        title="RFC 5246 §7.4.1.1, §7.4.4, §7.4.6; RFC 5746",
        url=_RFC + "rfc5246",
    ),
    Source(
        id="S23",
        title="rustls/rustls issue #1999 (reset after HelloRequest from IIS 10)",
        url=_GH + "rustls/rustls/issues/1999",
        note=(
            "rustls answers the HelloRequest with a warning no_renegotiation and IIS resets; a "
            "maintainer's experiment with the alert suppressed (HelloRequest ignored) left the "
            "connection hanging with no HTTP response."
        ),
    ),
    Source(
        id="S24",
        title=(
            "Venafi/vcert issues #533 (Go, Server 2022, TLS 1.3 reset; fixed by disabling "
            "TLS 1.3) and #438 (Go needs RenegotiateOnceAsClient for IIS)"
        ),
        url=_GH + "Venafi/vcert/issues/533",
        note="Issue #438: https://github.com/Venafi/vcert/issues/438",
    ),
    Source(
        id="S25",
        title=(
            "Schannel renegotiation registry settings (KB 977377 and hardening guides: "
            "AllowInsecureRenego*, DisableRenegoOn*, UseScsvForTls)"
        ),
        url=None,
    ),
    Source(
        id="S26",
        title=(
            "dotnet/aspnetcore issue #41162 (Server 2022, curl, TLS 1.3: null certificate "
            "under Accept, 403 under Require)"
        ),
        url=_GH + "dotnet/aspnetcore/issues/41162",
    ),
    Source(
        id="S27",
        title=(
            "dotnet/aspnetcore src/Servers/HttpSys/src/ClientCertificateMethod.cs, "
            "HttpSysOptions.cs; Kestrel ClientCertificateMode.cs"
        ),
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/HttpSys/src/ClientCertificateMethod.cs",
    ),
    Source(
        id="S28",
        title=(
            "Client TLS stacks: BoringSSL include/openssl/ssl.h and Chromium "
            "ssl_client_socket_impl.cc; NSS tls13con.c and Firefox security-prefs.js; curl "
            "lib/vtls/openssl.c (PR #3027); CPython Lib/http/client.py (bpo-37440) and urllib3 "
            "util/ssl_.py; Go crypto/tls common.go and golang/go#40521; OpenJDK "
            "HelloRequest.java; dotnet/runtime Interop.OpenSsl.cs"
        ),
        url=None,
        note="A bundle; the individual files we checked have their own source ids.",
    ),
    Source(
        id="S29",
        title='curl/curl issue #6862 (HTTP_1_1_REQUIRED then "Downgrades to HTTP/1.1!")',
        url=_GH + "curl/curl/issues/6862",
    ),
    Source(
        id="S30",
        title="dotnet/corefx issue #35239 / PR #35240",
        url=_GH + "dotnet/corefx/issues/35239",
    ),
    Source(id="S31", title="denoland/deno issue #32245", url=_GH + "denoland/deno/issues/32245"),
    Source(
        id="S32",
        title=(
            "JexusManager BindingUtility.cs (IIS Express and IIS AppIDs) and user scripts "
            "re-creating the 44300–44399 bindings"
        ),
        url=None,
    ),
    Source(
        id="S33",
        title=(
            "dotnet/aspnetcore Common.FunctionalTests HttpsTests.cs (HTTP/2 on an IIS Express port)"
        ),
        url=_GH + "dotnet/aspnetcore",
        note="The link is to the repository; the file's full path is not known.",
    ),
    Source(
        id="S34",
        title=(
            "aspnet/IISIntegration issue #1422, dotnet/aspnetcore issue #29068 (403.16 under "
            "Accept); KB 942067 (403.7 logs 5)"
        ),
        url=_GH + "aspnet/IISIntegration/issues/1422",
        note="Also https://github.com/dotnet/aspnetcore/issues/29068",
    ),
    Source(
        id="S35",
        title=(
            'Microsoft support KB 820729, "Error logging in HTTP APIs" (HTTPERR reason phrases)'
        ),
        url=None,
    ),
    Source(
        id="S36",
        title=(
            "grpc/grpc-dotnet issues #1698 (Server 2022) and #1196 (Windows 10): "
            "HTTP_1_1_REQUIRED stream resets from IIS"
        ),
        url=_GH + "grpc/grpc-dotnet/issues/1698",
        note="Issue #1196: https://github.com/grpc/grpc-dotnet/issues/1196",
    ),
    Source(
        id="S37",
        title=(
            'Microsoft networking blog "Enabling HTTP/3 support on Windows Server 2022"; '
            "AspNetCore.Docs iis/http3.md"
        ),
        url=None,
    ),
    Source(
        id="S38",
        title=(
            "An IIS support engineer's 2024 write-up of the Server 2022 TLS 1.3 reset and its "
            'registry workarounds; IIS Support Blog ba-p/4129738 ("Windows Server 2022 IIS web '
            'site TLS 1.3 does not work with client certificate authentication")'
        ),
        url=None,
    ),
    Source(
        id="S39",
        title=(
            'Jexus Manager documentation, "HTTPS binding" (Lex Li): http.sys checks SNI '
            "(hostname:port) mappings first, then IP-based ones"
        ),
        url="https://www.jexusmanager.com/en/latest/tutorials/https-binding.html",
    ),
    Source(
        id="S42",
        title=(
            "dotnet/runtime SslStreamNetworkStreamTest.cs "
            "(SslStream_NegotiateClientCertificateAsyncTls13_Succeeds, Windows-only) and "
            "issue #49346"
        ),
        url=_GH + "dotnet/runtime/issues/49346",
        note=(
            "Schannel negotiates a client certificate after a TLS 1.3 handshake on both ends "
            "'as long as client indicates willingness via post_handshake_auth'."
        ),
    ),
    Source(
        id="S43",
        title='Microsoft Learn, Windows Server performance tuning, "HTTP performance"',
        url="https://learn.microsoft.com/windows-server/administration/performance-tuning/"
        "subsystem/http-performance",
        note=(
            "HTTP/1.1 fallback resets the HTTP/2 connection and establishes a new HTTP/1.1 "
            "one; TLS renegotiation requires it."
        ),
    ),
    Source(
        id="S44",
        title="dotnet/runtime issue on HTTP_1_1_REQUIRED delivered in GOAWAY not retried",
        url=None,
    ),
    Source(
        id="S45",
        title="Gecko netwerk/protocol/http/Http2Session.cpp",
        url=_GH + "mozilla/gecko-dev/blob/master/netwerk/protocol/http/Http2Session.cpp",
        note="HTTP_1_1_REQUIRED → NS_ERROR_NET_RESET and DisableSpdy for the host.",
    ),
    Source(
        id="S46",
        title="Microsoft Windows 11 25H2 announcement (shared 24H2 servicing branch)",
        url=None,
        note="25H2 ships as an enablement package on the 24H2 code base.",
    ),
    Source(
        id="S47",
        title="dotnet/aspnetcore issue #18086 (SslNegotiateCert enables IIS trust checks; 403.16)",
        url=_GH + "dotnet/aspnetcore/issues/18086",
    ),
    Source(
        id="S48",
        title="[MS-TLSP] product behavior notes (TLS 1.3 availability, alerts not guaranteed)",
        url="https://learn.microsoft.com/openspecs/windows_protocols/ms-tlsp/",
    ),
    Source(
        id="S49",
        title=(
            "Microsoft KB 294305 (403.13 when CRLs cannot be downloaded); IIS client "
            "certificate revocation settings write-ups (CertCheckMode, RevocationFreshnessTime)"
        ),
        url=None,
        note=(
            "'If IIS is unable to download at least one of the CRLs of the client "
            "certificate', the 403.13 page is shown."
        ),
    ),
    Source(
        id="S50",
        title=(
            "A vendor KB on iOS client certificates: only certificates whose direct issuer is "
            "in the server's CA list are offered"
        ),
        url=None,
    ),
    Source(
        id="S51",
        title="win-acme issues #2831 and #1768 (binding updates drop clientcertnegotiation)",
        url=_GH + "win-acme/win-acme/issues/1768",
    ),
    Source(
        id="S52",
        title=(
            "aspnet/IISIntegration PR #1390 (in-process reads pSslInfo->pClientCertInfo); "
            "dotnet/aspnetcore issue #42896"
        ),
        url=_GH + "aspnet/IISIntegration/pull/1390",
    ),
    Source(
        id="S54",
        title="IIS native API reference, IHttpRequest::NegotiateClientCertificate",
        url="https://learn.microsoft.com/iis/web-development-reference/native-code-api-reference/"
        "ihttprequest-negotiateclientcertificate-method",
        note=(
            "A module can start the certificate negotiation 'even if IIS is configured to "
            "accept or ignore client certificates'."
        ),
    ),
    Source(
        id="ASPNETCORE-HTTPSYS-FEATURES",
        title=(
            "dotnet/aspnetcore src/Servers/HttpSys/src/RequestProcessing/"
            "RequestContext.FeatureCollection.cs"
        ),
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/HttpSys/src/RequestProcessing/"
        "RequestContext.FeatureCollection.cs",
        note=(
            "ClientCertificate: NoCertificate → never populated, otherwise the certificate "
            "already on the request; GetClientCertificateAsync asks http.sys "
            "(HttpReceiveClientCertificate) only with AllowRenegotation, no certificate yet, "
            "and HTTP/1.x ('Delayed client cert negotiation is not allowed on HTTP/2')."
        ),
    ),
    Source(
        id="ASPNETCORE-HTTPSYS-LOADER",
        title="dotnet/aspnetcore src/Servers/HttpSys/src/RequestProcessing/ClientCertLoader.cs",
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/HttpSys/src/RequestProcessing/"
        "ClientCertLoader.cs",
        note=(
            "ERROR_NOT_FOUND → no certificate; any other failure is stored, not thrown, so "
            "the caller gets null; a certificate is returned with its CertFlags (chain errors) "
            "set aside, not refused."
        ),
    ),
    Source(
        id="ASPNETCORE-KESTREL-TLSFEATURE",
        title="dotnet/aspnetcore src/Servers/Kestrel/Core/src/Internal/TlsConnectionFeature.cs",
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/Kestrel/Core/src/Internal/"
        "TlsConnectionFeature.cs",
        note=(
            "GetClientCertificateAsync calls SslStream.NegotiateClientCertificateAsync only "
            "with delayed negotiation allowed, no certificate yet and ALPN not h2; any failure "
            "is rethrown to the app and the connection is closed gracefully after the response."
        ),
    ),
    Source(
        id="ASPNETCORE-KESTREL-HTTPS",
        title=(
            "dotnet/aspnetcore src/Servers/Kestrel/Core/src/Middleware/HttpsConnectionMiddleware.cs"
        ),
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/Kestrel/Core/src/Middleware/"
        "HttpsConnectionMiddleware.cs",
        note=(
            "RemoteCertificateValidationCallback: no certificate → accepted unless "
            "RequireCertificate; any SslPolicyErrors → refused when no custom validation is "
            "set; DelayCertificate allows the delayed negotiation."
        ),
    ),
    Source(
        id="ASPNETCORE-IIS-FEATURES",
        title="dotnet/aspnetcore src/Servers/IIS/IIS/src/Core/IISHttpContext.FeatureCollection.cs",
        url=_GH + "dotnet/aspnetcore/blob/main/src/Servers/IIS/IIS/src/Core/"
        "IISHttpContext.FeatureCollection.cs",
        note=(
            "In-process: GetClientCertificateAsync returns the ClientCertificate property, "
            "read from the request's SSL info; the app cannot start a negotiation itself."
        ),
    ),
    Source(
        id="ASPNETCORE-DOCS-IIS",
        title="dotnet/AspNetCore.Docs aspnetcore/host-and-deploy/iis/index.md (IISOptions)",
        url=_GH + "dotnet/AspNetCore.Docs/blob/main/aspnetcore/host-and-deploy/iis/index.md",
        note=(
            "ForwardClientCertificate (default true): when the MS-ASPNETCORE-CLIENTCERT request "
            "header is present, HttpContext.Connection.ClientCertificate is populated."
        ),
    ),
    Source(
        id="HTTPSYS-REG-VALUES",
        title=(
            "Field write-ups and configuration checks naming the http.sys SslBindingInfo "
            "registry values (an IIS support engineer's post on verifyclientcertrevocation; a "
            "DISA IIS STIG check of SslBindingInfo\\0.0.0.0:443\\DefaultSslCertCheckMode; "
            "third-party tools that read DefaultSslRevocationFreshnessTime, "
            "DefaultSslRevocationUrlRetrievalTimeout, DefaultSslCtlIdentifier, "
            "DefaultSslCtlStoreName)"
        ),
        url=None,
        note=(
            "netsh verifyclientcertrevocation=disable writes DefaultSslCertCheckMode = 1 under "
            "the binding's key; the other value names follow the same pattern."
        ),
    ),
    Source(
        id="MS-TLS-REGISTRY",
        title="Microsoft Learn, Transport Layer Security (TLS) registry settings",
        url="https://learn.microsoft.com/windows-server/security/tls/tls-registry-settings",
        note=(
            "SendTrustedIssuerList: with it set the server sends the list of trusted issuers; "
            "default FALSE from Windows Server 2012 and Windows 8 (TRUE before)."
        ),
    ),
    Source(
        id="MS-SCHANNEL-TRUST-MODES",
        title=(
            "Microsoft Learn, What's New in TLS/SSL (Schannel SSP), Windows Server 2012: "
            "management of trusted issuers for client authentication (ClientAuthTrustMode)"
        ),
        url=None,
        note=(
            "ClientAuthTrustMode under HKLM\\SYSTEM\\CurrentControlSet\\Control\\"
            "SecurityProviders\\SCHANNEL: 0 machine trust (default), 1 exclusive root trust, "
            "2 exclusive CA trust."
        ),
    ),
    Source(
        id="IIS-CERTMAPPING-CONFIG",
        title=(
            "IIS configuration reference: iisClientCertificateMappingAuthentication "
            "(oneToOneMappings/add, manyToOneMappings/add with permissionMode Allow/Deny) and "
            "clientCertificateMappingAuthentication"
        ),
        url="https://learn.microsoft.com/iis/configuration/system.webserver/security/"
        "authentication/iisclientcertificatemappingauthentication/",
        note=(
            "enabled defaults to false; oneToOneCertificateMappingsEnabled and "
            "manyToOneCertificateMappingsEnabled default to true; each mapping has enabled "
            "(default true); a many-to-one mapping Allows or Denies the certificates its rules "
            "match; configurable at server and site level."
        ),
    ),
    # --- RFCs ----------------------------------------------------------------------------
    Source(
        id="RFC5246",
        title="RFC 5246, The Transport Layer Security (TLS) Protocol Version 1.2",
        url=_RFC + "rfc5246",
    ),
    Source(
        id="RFC5077",
        title="RFC 5077, TLS Session Resumption without Server-Side State",
        url=_RFC + "rfc5077",
    ),
    Source(
        id="RFC5746",
        title="RFC 5746, TLS Renegotiation Indication Extension",
        url=_RFC + "rfc5746",
    ),
    Source(
        id="RFC7301",
        title="RFC 7301, TLS Application-Layer Protocol Negotiation Extension",
        url=_RFC + "rfc7301",
    ),
    Source(
        id="RFC8446",
        title="RFC 8446, The Transport Layer Security (TLS) Protocol Version 1.3",
        url=_RFC + "rfc8446",
    ),
    Source(id="RFC8740", title="RFC 8740, Using TLS 1.3 with HTTP/2", url=_RFC + "rfc8740"),
    Source(id="RFC9001", title="RFC 9001, Using TLS to Secure QUIC", url=_RFC + "rfc9001"),
    Source(id="RFC9113", title="RFC 9113, HTTP/2", url=_RFC + "rfc9113"),
    Source(id="RFC9114", title="RFC 9114, HTTP/3", url=_RFC + "rfc9114"),
    # --- OpenSSL 3.0 -----------------------------------------------------------------------
    Source(
        id="OSSL-STATEM-SRVR",
        title="openssl/openssl ssl/statem/statem_srvr.c (3.0 branch)",
        url=_OSSL + "ssl/statem/statem_srvr.c",
        note=(
            "ossl_statem_server13_write_transition (tickets after the client Finished, also "
            "after a PHA exchange); tls_process_client_certificate (empty certificate with "
            "SSL_VERIFY_FAIL_IF_NO_PEER_CERT → SSL_AD_CERTIFICATE_REQUIRED; verify failure → "
            "ssl_x509err2alert; sent_tickets reset so tickets are re-sent after PHA)."
        ),
    ),
    Source(
        id="OSSL-STATEM-CLNT",
        title="openssl/openssl ssl/statem/statem_clnt.c (3.0 branch)",
        url=_OSSL + "ssl/statem/statem_clnt.c",
        note=(
            "tls_process_hello_req: with SSL_OP_NO_RENEGOTIATION a warning no_renegotiation, "
            "otherwise SSL_renegotiate_abbreviated (the client offers its session)."
        ),
    ),
    Source(
        id="OSSL-STATEM-LIB",
        title="openssl/openssl ssl/statem/statem_lib.c (3.0 branch)",
        url=_OSSL + "ssl/statem/statem_lib.c",
        note="The X509_V_ERR_* → alert table behind ssl_x509err2alert.",
    ),
    Source(
        id="OSSL-REC-LAYER",
        title="openssl/openssl ssl/record/rec_layer_s3.c (3.0 branch)",
        url=_OSSL + "ssl/record/rec_layer_s3.c",
        note=(
            "ssl3_read_bytes: a warning no_renegotiation received → SSLfatal(handshake_failure); "
            "a server refusing a client's renegotiation ClientHello sends a warning "
            "no_renegotiation and carries on."
        ),
    ),
    Source(
        id="OSSL-SSL-LIB",
        title="openssl/openssl ssl/ssl_lib.c (3.0 branch)",
        url=_OSSL + "ssl/ssl_lib.c",
        note=(
            "SSL_verify_client_post_handshake (fails with EXTENSION_NOT_RECEIVED when the "
            "client did not offer PHA); SSL_renegotiate (fails with WRONG_SSL_VERSION on 1.3)."
        ),
    ),
    Source(
        id="OSSL-T1-ENC",
        title="openssl/openssl ssl/t1_enc.c (3.0 branch)",
        url=_OSSL + "ssl/t1_enc.c",
        note="tls1_alert_code maps SSL_AD_CERTIFICATE_REQUIRED to handshake_failure below 1.3.",
    ),
    Source(
        id="OSSL-DOC-OPTIONS",
        title="openssl/openssl doc/man3/SSL_CTX_set_options.pod",
        url=_OSSL + "doc/man3/SSL_CTX_set_options.pod",
        note=(
            "SSL_OP_ALLOW_CLIENT_RENEGOTIATION (client renegotiation off by default), "
            "SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, SSL_OP_ENABLE_MIDDLEBOX_COMPAT "
            "(on by default), two tickets after a full TLS 1.3 handshake, secure renegotiation "
            "always attempted."
        ),
    ),
    # --- Client stacks ---------------------------------------------------------------------
    Source(
        id="BSSL-SSL-LIB",
        title="BoringSSL ssl/ssl_lib.cc (ssl_do_post_handshake)",
        url=_GH + "google/boringssl/blob/main/ssl/ssl_lib.cc",
        note=(
            "A HelloRequest the renegotiate mode does not allow is answered with a fatal "
            "no_renegotiation; a client never accepts renegotiation as a server."
        ),
    ),
    Source(
        id="CHROMIUM-SSL-CLIENT",
        title="chromium/chromium net/socket/ssl_client_socket_impl.cc",
        url=_GH + "chromium/chromium/blob/main/net/socket/ssl_client_socket_impl.cc",
        note=(
            "IsRenegotiationAllowed: without ALPN the default applies, otherwise only the "
            "protocols listed in renego_allowed_for_protos (http/1.1)."
        ),
    ),
    Source(
        id="CURL-VTLS-OPENSSL",
        title="curl/curl lib/vtls/openssl.c",
        url=_GH + "curl/curl/blob/master/lib/vtls/openssl.c",
        note="SSL_CTX_set_post_handshake_auth(ctx, 1) whenever OpenSSL ≥ 1.1.1 provides it.",
    ),
    Source(
        id="CPY-HTTP-CLIENT",
        title="python/cpython Lib/http/client.py",
        url=_GH + "python/cpython/blob/main/Lib/http/client.py",
        note="Default HTTPS context: ALPN http/1.1 and post_handshake_auth = True.",
    ),
    Source(
        id="URLLIB3-SSL",
        title="urllib3/urllib3 src/urllib3/util/ssl_.py",
        url=_GH + "urllib3/urllib3/blob/main/src/urllib3/util/ssl_.py",
        note="create_urllib3_context enables post_handshake_auth; ALPN_PROTOCOLS = http/1.1.",
    ),
    Source(
        id="GO-TLS-CONN",
        title="golang/go src/crypto/tls/conn.go",
        url=_GH + "golang/go/blob/master/src/crypto/tls/conn.go",
        note=(
            "handleRenegotiation: RenegotiateNever → no_renegotiation; sendAlertLocked sends "
            "no_renegotiation at warning level."
        ),
    ),
    Source(
        id="RUSTLS-COMMON",
        title="rustls/rustls rustls/src/common_state.rs",
        url=_GH + "rustls/rustls/blob/main/rustls/src/common_state.rs",
        note=(
            "After the handshake, a TLS 1.2 HelloRequest (client side) or ClientHello (server "
            "side) is answered with a warning no_renegotiation (older releases: conn.rs)."
        ),
    ),
    Source(
        id="DOTNET-OPENSSL-INTEROP",
        title=(
            "dotnet/runtime src/libraries/Common/src/Interop/Unix/"
            "System.Security.Cryptography.Native/Interop.OpenSsl.cs"
        ),
        url=_GH + "dotnet/runtime/blob/main/src/libraries/Common/src/Interop/Unix/"
        "System.Security.Cryptography.Native/Interop.OpenSsl.cs",
        note="SslSetPostHandshakeAuth only with client certificates or a selection callback.",
    ),
    Source(
        id="DOTNET-HTTP-POOL",
        title="dotnet/runtime SocketsHttpHandler HttpConnectionPool.cs",
        url=_GH + "dotnet/runtime/blob/main/src/libraries/System.Net.Http/src/System/Net/Http/"
        "SocketsHttpHandler/ConnectionPool/HttpConnectionPool.cs",
        note=(
            "HTTP/1.1 connections carry no ALPN; HTTP/2-capable connections offer h2 and "
            "http/1.1 with AllowRenegotiation = false."
        ),
    ),
    Source(
        id="TLSWG-IMPL",
        title="TLS WG wiki, list of TLS 1.3 implementations",
        url=None,
        note=(
            "Lists JSSE (JDK 11) with middlebox compatibility mode and without post_handshake_auth."
        ),
    ),
    Source(
        id="BC-JAVA-593",
        title="bcgit/bc-java issue #593 (HelloRequest from IIS 8: warning no_renegotiation, reset)",
        url=_GH + "bcgit/bc-java/issues/593",
    ),
    Source(
        id="MSQUIC-1325",
        title="microsoft/msquic PR #1325 (configure Schannel to always use session tickets)",
        url=_GH + "microsoft/msquic/pull/1325",
        note="Schannel resumes sessions by default (cache-based unless told to use tickets).",
    ),
    Source(
        id="OBS-LOOPBACK",
        title="httpsys-sim's real-client conformance suite: the program run against "
        "`httpsys-sim serve` on loopback (tests/clients/)",
        url=None,
        note=(
            "What the installed program did, read from its own output and from the ClientHellos "
            "and answers the endpoint received: curl 7.88.1, Python 3.11 (requests, httpx, "
            "urllib), Go 1.19 net/http, OpenJDK 17 (HttpClient, HttpsURLConnection), Node.js 20 "
            "(https, fetch), headless Chromium 156 and Firefox ESR 153 on Debian 12."
        ),
    ),
    Source(
        id="MODEL",
        title="httpsys-sim's own modelling choice",
        url=None,
        note="No outside source; the choice is ours and says so.",
    ),
)


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------

_D = Confidence.DOCUMENTED
_P = Confidence.REPORTED
_I = Confidence.INFERRED

_RELEASE_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-REL-1",
        title="TLS 1.3 on Server 2022, Windows 11 and Server 2025 only",
        statement=(
            "Schannel supports and enables TLS 1.3, as client and server, on Windows Server "
            "2022, every Windows 11 release and Windows Server 2025; Windows 10 and Server "
            "2016/2019 do not support it, so their highest version is TLS 1.2."
        ),
        confidence=_D,
        sources=("S3", "S48"),
        section="Windows releases",
        notes=(
            "Turning TLS 1.3 on by registry on Windows 10 or Server 2019 is unsupported.",
            "[MS-TLSP]'s product-behaviour notes agree: TLS 1.3 on 'Windows 11 client and later, "
            "Windows Server 2022 and later', no 0-RTT, psk_dhe_ke only; Windows 'cannot ensure "
            "that alert messages are sent' (S48).",
        ),
    ),
    Rule(
        id="R-REL-2",
        title="TLS 1.0/1.1 off by default from the 2024 releases",
        statement=(
            "Windows 11 24H2 and Windows Server 2025 (and later releases) ship with TLS 1.0 and "
            "TLS 1.1 disabled by default; earlier releases still enable them."
        ),
        confidence=_D,
        sources=("S4",),
        section="Windows releases",
        notes=(
            "Contradicted by the older protocol table in S3 (Protocols in TLS/SSL), which still "
            "lists TLS 1.0/1.1 as enabled on those releases; the model follows S4.",
        ),
    ),
    Rule(
        id="R-REL-3",
        title="Late demand over TLS 1.3: reset before 24H2, 500.0 from 24H2",
        statement=(
            "When a request needs a client certificate that was not asked for in the TLS 1.3 "
            "handshake, Windows 11 before 24H2 and Server 2022 cut the TCP connection (Edge shows "
            "ERR_CONNECTION_RESET), while Windows 11 24H2 and later and Server 2025 answer with "
            "IIS error 500.0, 0x80070032 (ERROR_NOT_SUPPORTED) from module IIS Web Core."
        ),
        confidence=_D,
        sources=("S1",),
        section="Windows releases",
        notes=("That the connection survives the 500.0 answer is inferred.",),
        alternatives=("On the 24H2 path http.sys closes the connection after the 500 response.",),
    ),
    Rule(
        id="R-REL-4",
        title="Windows 11 25H2 behaves like 24H2",
        statement=(
            "Windows 11 25H2 (build 26200) shares 24H2's servicing base, so the model gives it "
            "the 24H2 policy: TLS 1.0/1.1 off by default and the 500.0 answer to a late demand "
            "over TLS 1.3."
        ),
        confidence=_P,
        sources=("S1", "S46"),
        section="Windows releases, third evidence pass (2026-12)",
        notes=(
            'S1 says "Windows 11 24H2 or newer", which supports but does not name 25H2.',
            "24H2 (26100) and 25H2 (26200) share one code base; 25H2 ships as an enablement "
            "package (S46). No test of http.sys on 25H2 is known.",
        ),
        alternatives=("25H2 behaves like 23H2: a late demand over TLS 1.3 resets the connection.",),
    ),
    Rule(
        id="R-REL-5",
        title="User-defined releases carry the policy the user chooses",
        statement=(
            "A custom release (an Insider build, a build we do not know) takes exactly the "
            "behaviour policy the user picks for it; the model adds nothing of its own."
        ),
        confidence=_I,
        sources=("MODEL",),
        section="Windows releases",
        alternatives=(
            "The real build behaves like neither built-in policy; only a trace on that build "
            "can tell.",
        ),
    ),
)

_BINDING_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-BIND-1",
        title="http.sys SSL binding: selector and DefaultFlags",
        statement=(
            "An http.sys SSL binding is chosen by ipport, hostnameport (SNI) or ccs, and its "
            "DefaultFlags bits, set through netsh parameters, switch features such as client "
            "certificate negotiation (0x2), reject (0x8), HTTP/2 (0x10), QUIC (0x20), TLS 1.3 "
            "(0x40), legacy TLS (0x400) and TLS 1.2 (0x1000)."
        ),
        confidence=_D,
        sources=("S5", "S6"),
        section="the http.sys SSL binding",
        notes=(
            "Revocation and usage options map to DefaultCertCheckMode (0x1, 0x2, 0x4, 0x10000).",
        ),
    ),
    Rule(
        id="R-BIND-1.registry",
        title="Where http.sys stores a binding in the registry",
        statement=(
            "http.sys keeps each SSL binding under HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
            "HTTP\\Parameters\\SslBindingInfo\\<ip:port> (SslSniBindingInfo\\<name:port>, "
            "SslCcsBindingInfo\\<ip:port>): SslCertHash, AppId, SslCertStoreName, DefaultFlags, "
            "and the certificate checks as DefaultSslCertCheckMode (the DefaultCertCheckMode "
            "bits 0x1 no revocation check, 0x2 cached CRLs only, 0x4 freshness time, 0x10000 no "
            "usage check), DefaultSslRevocationFreshnessTime (seconds), "
            "DefaultSslRevocationUrlRetrievalTimeout (milliseconds), DefaultSslCtlIdentifier "
            "and DefaultSslCtlStoreName."
        ),
        confidence=_P,
        sources=("S6", "S38", "HTTPSYS-REG-VALUES"),
        section="the http.sys SSL binding",
        notes=(
            "The bit values are documented (S6); DefaultSslCertCheckMode as the value name is "
            "reported; the names of the freshness time, URL timeout and CTL values come from "
            "third-party code reading the key, so the reader also accepts the "
            "HTTP_SERVICE_CONFIG_SSL_PARAM member names (inferred).",
            "No Windows release defines other DefaultCertCheckMode bits: a value with others "
            "is refused rather than guessed.",
        ),
        alternatives=(
            "The freshness time, URL timeout and CTL values are stored under the member names "
            "(DefaultRevocationFreshnessTime, …): read as well.",
        ),
    ),
    Rule(
        id="R-BIND-2",
        title="netsh http show sslcert output format",
        statement=(
            "netsh http show sslcert prints a header, a dashed line and one block of "
            "'Label : Value' lines per binding; classic booleans print Enabled/Disabled and "
            "newer flags Set/Not Set, with extra labels on newer builds."
        ),
        confidence=_D,
        sources=("S5", "S7"),
        section="the http.sys SSL binding",
        notes=(
            "Build-to-build differences (padding width, the 'Disable TLS1.3 over TCP' label "
            "variant, Extended Properties blocks) come from field observations (reported).",
            "Localized Windows prints translated labels; a parser must refuse them clearly.",
        ),
    ),
    Rule(
        id="R-BIND-3",
        title="Which SSL binding serves a connection",
        statement=(
            "For a TLS connection to IP:PORT carrying the SNI name NAME, http.sys uses the "
            "hostnameport binding NAME:PORT if there is one, else the ipport binding IP:PORT, "
            "else the Central Certificate Store binding ccs:PORT, else the wildcard ipport "
            "binding 0.0.0.0:PORT (or [::]:PORT)."
        ),
        confidence=_P,
        sources=("S39", "S5"),
        section="the http.sys SSL binding",
        notes=(
            "SNI before IP and IP before the wildcard are reported (S39); where the Central "
            "Certificate Store binding sits between them is inferred.",
        ),
        alternatives=("The ccs binding is consulted only after the wildcard ipport binding.",),
    ),
)

_BINDING_REWRITE_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-BIND-4",
        title="Re-creating a binding drops clientcertnegotiation before Server 2025",
        statement=(
            "Before Windows Server 2025, tools that update an http.sys binding by deleting and "
            "re-adding it — IIS Manager when the certificate changes, ACME clients on renewal — "
            "write it without clientcertnegotiation (and dsmapperusage), so the fix has to be "
            "re-applied after every renewal; on Server 2025 IIS manages the flag through the "
            "site binding's bit 128."
        ),
        confidence=_P,
        sources=("S12", "S51"),
        section="third evidence pass (2026-12)",
    ),
)

_IIS_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-IIS-1.merge",
        title="Effective access flags: applicationHost, then web.config files, per path level",
        statement=(
            "IIS computes the access section for a URL level by level from the site root "
            "down: the server level of applicationHost.config, then for each path level the "
            "applicationHost.config <location> for it, <location> tags for it in web.config "
            "files above it, and the web.config of that level; the last setting wins.  A "
            "web.config may set the section only where it is unlocked (overrideModeDefault, "
            "or a <location overrideMode=Allow> around it); otherwise IIS refuses the file "
            "with HTTP 500.19."
        ),
        confidence=_P,
        sources=("S8",),
        section="IIS and IIS Express",
        notes=(
            "The order inside one path level (applicationHost <location> before the "
            "web.config) is inferred from how IIS's configuration paths nest.",
        ),
        alternatives=(
            "Every applicationHost.config <location> applies after all web.config files.",
        ),
    ),
    Rule(
        id="R-IIS-1",
        title="<access sslFlags> values and where they live",
        statement=(
            "The access element's sslFlags is a comma list of None (0), Ssl (0x8), "
            "SslNegotiateCert (0x20), SslRequireCert (0x40), SslMapCert (0x80) and Ssl128 "
            "(0x100), settable per location; the section is locked by default, so it is set in "
            "applicationHost.config under a location with overrideMode=Allow."
        ),
        confidence=_D,
        sources=("S8", "S9"),
        section="IIS and IIS Express",
        notes=(
            "IIS Manager's SSL Settings: Ignore → no cert flags; Accept → SslNegotiateCert; "
            "Require → SslNegotiateCert,SslRequireCert.",
        ),
    ),
    Rule(
        id="R-IIS-2",
        title="Negotiate vs Require semantics",
        statement=(
            "SslNegotiateCert alone asks for a certificate but serves the request without one; "
            "SslNegotiateCert with SslRequireCert fails a request that brings no valid "
            "certificate."
        ),
        confidence=_D,
        sources=("S10",),
        section="IIS and IIS Express",
        notes=(
            "Documented for IIS 6; carrying the semantics forward to IIS 7+ is inferred.",
            "Require without Negotiate: see R-IIS-2.require-only.",
        ),
    ),
    Rule(
        id="R-IIS-2.require-only",
        title="SslRequireCert without SslNegotiateCert: no late demand, 403.7",
        statement=(
            "With SslRequireCert but not SslNegotiateCert, the model makes no late certificate "
            "demand; a request without a certificate from the handshake fails with 403.7."
        ),
        confidence=_I,
        sources=("S10", "MODEL"),
        section="IIS and IIS Express",
        notes=(
            "IIS 6 documents that no certificate is requested at all in this case; nothing "
            "documents IIS 7+, and IIS Manager never writes this combination.",
        ),
        alternatives=("IIS makes a late demand exactly as for Negotiate + Require.",),
    ),
    Rule(
        id="R-IIS-3",
        title="Site binding sslFlags bitmask pushed into http.sys",
        statement=(
            "A site's https binding sslFlags is a bitmask (1 SNI, 2 CentralCertStore, "
            "4 DisableHTTP2, 8 DisableOCSPStapling, 16 DisableQUIC, 32 DisableTLS13, "
            "64 DisableLegacyTLS, 128 NegotiateClientCert on Server 2025) that IIS writes into "
            "the matching http.sys binding flags."
        ),
        confidence=_D,
        sources=("S11", "S12"),
        section="IIS and IIS Express",
        notes=(
            "Bit 128 on Server 2025: the Microsoft.Web.Administration SslFlags enum has "
            "NegotiateClientCert = 128, and 'In Windows Server 2025, IIS learned to manage the "
            "NegotiateClientCert flag' (S12).",
            "Whether IIS Express honours bits ≥ 4 is unknown; the model says it does not "
            "(inferred): its SSL bindings are the pre-registered http.sys ones.",
        ),
        alternatives=("IIS Express honours the binding sslFlags bits like full IIS.",),
    ),
    Rule(
        id="R-IIS-4",
        title="IIS Express: per-user config, ports 44300–44399, pre-registered bindings",
        statement=(
            "IIS Express reads a per-user applicationhost.config (or Visual Studio's "
            ".vs\\<project>\\config copy) and serves SSL without admin rights on ports "
            "44300–44399 through http.sys bindings registered at install time; it serves HTTP/2."
        ),
        confidence=_D,
        sources=("S13", "S32", "S33"),
        section="IIS and IIS Express",
        notes=(
            "The bindings' AppID {214124cd-d05b-4309-9af9-9caa44b2b74a} (full IIS: "
            "{4dc3e181-e14b-4a21-b022-59fc669b0914}) and clientcertnegotiation disabled are "
            "reported (S32).",
            "That the fix for IIS Express is netsh on the port's binding is inferred: it cannot "
            "change http.sys bindings itself.",
            'The stock file has <access sslFlags="None" />.',
        ),
        alternatives=(
            "A future IIS Express exposes a binding setting for client certificate negotiation.",
        ),
    ),
    Rule(
        id="R-IIS-5",
        title="IIS status codes for client-certificate outcomes",
        statement=(
            "Certificate outcomes are ordinary HTTP responses: 403.4 SSL required, 403.7 "
            "certificate required, 403.13 revoked, 403.16 untrusted or invalid, 403.17 expired "
            "or not yet valid, 413 when a renegotiation meets a body over uploadReadAheadSize, "
            "500.0 0x80070032 on the 24H2 path; http.sys never fails the handshake for a "
            "missing certificate."
        ),
        confidence=_D,
        sources=("S14", "S34"),
        section="IIS and IIS Express",
        notes=(
            "Accept with an invalid certificate: see R-IIS-5.accept-invalid.",
            "Accept with no certificate at all is served (200).",
        ),
    ),
    Rule(
        id="R-IIS-5.accept-invalid",
        title="Accept with an invalid certificate is refused (403.16)",
        statement=(
            "Under Accept (SslNegotiateCert only), a request that brings an untrusted "
            "certificate is not served as if it had none: IIS answers 403.16; the model treats "
            "revoked (403.13) and expired (403.17) certificates the same way."
        ),
        confidence=_P,
        sources=("S34", "S47"),
        section="IIS and IIS Express, third evidence pass (2026-12)",
        notes=(
            "Revoked and expired under Accept behaving like untrusted is inferred.",
            "SslNegotiateCert 'enables IIS' validation and trust checks. If they don't succeed, "
            "IIS immediately returns error code 403.16' (S47).",
        ),
        alternatives=(
            "A revoked or expired certificate under Accept is served as if absent (200).",
        ),
    ),
    Rule(
        id="R-IIS-5.accept-expired-revoked",
        title="Accept with an expired or revoked certificate is refused (403.17 / 403.13)",
        statement=(
            "Under Accept (SslNegotiateCert only), the model refuses an expired certificate "
            "with 403.17 and a revoked one with 403.13, as IIS is reported to refuse an "
            "untrusted one with 403.16 (R-IIS-5.accept-invalid)."
        ),
        confidence=_I,
        sources=("S14", "S34"),
        section="IIS and IIS Express",
        notes=("Only the untrusted case is reported (S34); these two follow it by analogy.",),
        alternatives=(
            "IIS serves the request as if no certificate had been sent (200 without it).",
        ),
    ),
    Rule(
        id="R-IIS-6",
        title="W3C and HTTPERR log fields per outcome",
        statement=(
            "The W3C log records sc-status sc-substatus sc-win32-status: 403.7 → 403 7 5, "
            "403.16 → 403 16 2148204809, 200 → 200 0 0; http.sys's HTTPERR log names its own "
            "failures (Client_Reset, Connection_Dropped, Connection_Abandoned_By_ReqQueue, "
            "Timer_SslRenegotiation)."
        ),
        confidence=_D,
        sources=("S14", "S34", "S35"),
        section="IIS and IIS Express",
        notes=(
            "500.0 → 500 0 50 is inferred.",
            "A reset connection leaving no W3C line is inferred.",
            "403.16's win32 status is CERT_E_UNTRUSTEDROOT (0x800B0109), logged in decimal.",
        ),
        alternatives=(
            "The 500.0 line logs a different win32 status.",
            "A reset after the request reached IIS still leaves a W3C line.",
        ),
    ),
)

_CHECK_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-IIS-7.revocation-offline",
        title="Revocation cannot be checked → 403.13, also for a valid certificate",
        statement=(
            "With revocation checking on (the binding's default), a client certificate whose "
            "CRL cannot be downloaded (and no fresh CRL is cached) is refused with 403.13, as "
            "a revoked one is."
        ),
        confidence=_D,
        sources=("S49", "S5"),
        section="third evidence pass (2026-12)",
        notes=(
            "KB 294305: 'If IIS is unable to download at least one of the CRLs of the client "
            "certificate', the 403.13 page is shown (S49).",
            "verifyrevocationwithcachedclientcertonly=enable without a cached CRL giving 403.13 "
            "is inferred; revocationfreshnesstime and urlretrievaltimeout decide how long a "
            "cached CRL counts and how long a download may take.",
            "Whether the CRL / OCSP endpoints answer the server is in no export: diagnose "
            "assumes they do and reports, per finding, the cells that become 403.13 otherwise.",
        ),
        alternatives=("With cached-only checking and no cached CRL the certificate passes (200).",),
    ),
    Rule(
        id="R-IIS-7.trust-root",
        title="A non-self-signed certificate in Trusted Root → client certificates untrusted",
        statement=(
            "When the machine's Trusted Root store holds a certificate that is not self-signed "
            "and the binding has no CTL, Schannel considers client certificates untrusted and "
            "IIS answers 403.16 even for a valid one."
        ),
        confidence=_D,
        sources=("S14",),
        section="third evidence pass (2026-12)",
        notes=("KB 2802568 (403.16 / 403.7 with client certificates).",),
    ),
    Rule(
        id="R-IIS-7.trust-list",
        title="SendTrustedIssuerList: clients offer only certificates from listed issuers",
        statement=(
            "With SendTrustedIssuerList=1 the CertificateRequest names the server's trusted "
            "issuers; a client whose certificate comes from another issuer has none to offer, "
            "so IIS sees no certificate (403.7 under Require, 200 without one under Accept)."
        ),
        confidence=_D,
        sources=("S14", "S50", "MS-TLS-REGISTRY"),
        section="third evidence pass (2026-12)",
        notes=(
            "Some clients (iOS) offer only certificates whose direct issuer is in the list, "
            "also without SendTrustedIssuerList (S50).",
            "SendTrustedIssuerList is off by default from Windows Server 2012 "
            "(MS-TLS-REGISTRY): an export without the value means it is not sent.",
            "No export shows the clients' certificates: diagnose assumes their issuers are "
            "listed and reports the outcomes otherwise (docs/cli.md#what-diagnose-reads).",
        ),
    ),
    Rule(
        id="R-IIS-7.trust-mode",
        title="ClientAuthTrustMode 1/2 with an issuer outside the CTL → 403.16",
        statement=(
            "ClientAuthTrustMode selects the store Schannel trusts client certificates by "
            "(1 exclusive root trust, 2 exclusive CA trust, through the binding's CTL); the "
            "model answers 403.16 for a certificate whose issuer is not in it."
        ),
        confidence=_I,
        sources=("S14", "MS-SCHANNEL-TRUST-MODES", "MODEL"),
        section="third evidence pass (2026-12)",
        notes=(
            "The values 0 / 1 / 2 are documented (MS-SCHANNEL-TRUST-MODES); the 403.16 for an "
            "issuer outside the CTL is inferred.",
        ),
        alternatives=("The certificate is dropped as if absent: 403.7 under Require.",),
    ),
    Rule(
        id="R-IIS-7.mapping",
        title="Client-certificate mapping: the mapped account, or 403.12",
        statement=(
            "With iisClientCertificateMappingAuthentication (one-to-one or many-to-one) the "
            "request runs as the account the certificate maps to; a certificate no rule "
            "matches is refused with 403.12 'mapper denied access'."
        ),
        confidence=_D,
        sources=("S14", "IIS-CERTMAPPING-CONFIG"),
        section="third evidence pass (2026-12)",
        notes=(
            "Where anonymous access is off, a failed mapping may surface as 401.x instead; the "
            "model shows 403.12.",
            "A mapping section whose enabled mappings can grant nothing (every one disabled, "
            "only Deny many-to-one rules, or none at all) maps no certificate "
            "(IIS-CERTMAPPING-CONFIG); whether a rule matches a given certificate is not in "
            "any export, so diagnose assumes it does and reports the outcomes otherwise.",
        ),
        alternatives=("401.1 / 401.2 (logon failed / denied by server configuration).",),
    ),
    Rule(
        id="R-IIS-7.mapping-ad",
        title="AD mapping needs the binding's dsmapperusage",
        statement=(
            "Active Directory client-certificate mapping works only when the http.sys binding "
            "has dsmapperusage enabled; without it the model refuses with 403.12."
        ),
        confidence=_I,
        sources=("S5", "S14", "MODEL"),
        section="third evidence pass (2026-12)",
        alternatives=("The request runs anonymously (200) without the mapped account.",),
    ),
    Rule(
        id="R-IIS-8",
        title="Native modules can start the late demand themselves",
        statement=(
            "A native IIS module calling IHttpRequest::NegotiateClientCertificate starts the "
            "late certificate demand even when the access flags ignore or only accept "
            "certificates; the R-REQ-2 rows then apply as for SslNegotiateCert."
        ),
        confidence=_D,
        sources=("S54",),
        section="third evidence pass (2026-12)",
        notes=(
            "applicationHost.config lists the native modules (globalModules) and where they "
            "run (modules), not which IHttpRequest methods they call: diagnose names the ones "
            "that do not ship with IIS and leaves server.native_negotiate_module to the user.",
        ),
    ),
)

_HTTPERR_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-IIS-6.dropped",
        title="HTTPERR Connection_Dropped for a connection http.sys resets",
        statement=(
            "When http.sys resets a connection on a late certificate demand, the model logs "
            "HTTPERR reason Connection_Dropped."
        ),
        confidence=_I,
        sources=("S35", "MODEL"),
        section="IIS and IIS Express, third evidence pass (2026-12)",
        notes=("S35 lists the reason phrase; no source ties it to this reset.",),
        alternatives=("Another reason phrase (e.g. Client_Reset) or no HTTPERR line at all.",),
    ),
)

_REQUEST_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-REQ-1",
        title="Binding negotiates client certs → CertificateRequest in the initial handshake",
        statement=(
            "When the binding negotiates client certificates (DefaultFlags 0x2, or IIS binding "
            "bit 128), the CertificateRequest goes out in the initial handshake for every TLS "
            "and HTTP version; the handshake completes with or without a certificate and IIS "
            "decides 200 or 403.x."
        ),
        confidence=_D,
        sources=("S15", "S16"),
        section="when and how the server asks",
        notes=(
            "Setting DefaultFlags = 0x2 directly in the registry under SslBindingInfo and "
            "restarting the HTTP service is reported (S38); 0x40 there disables TLS 1.3.",
        ),
    ),
    Rule(
        id="R-REQ-2",
        title="Late certificate demand via HttpReceiveClientCertificate",
        statement=(
            "Otherwise, when a request reaches a URL whose access flags include SslNegotiateCert "
            "(or SslRequireCert), IIS calls HttpReceiveClientCertificate after the request "
            "arrived, and http.sys must obtain the certificate from the client on the existing "
            "connection; the rows R-REQ-2.* say how, per connection type."
        ),
        confidence=_D,
        sources=("S15", "S16", "S17"),
        section="when and how the server asks",
    ),
    Rule(
        id="R-REQ-2.cert-present",
        title="Certificate already on the connection is returned at once",
        statement=(
            "If the connection already carries a client certificate (from the handshake or an "
            "earlier renegotiation), HttpReceiveClientCertificate returns it without a new "
            "exchange."
        ),
        confidence=_D,
        sources=("S15",),
        section="when and how the server asks (R-REQ-2)",
    ),
    Rule(
        id="R-REQ-2.h2",
        title="HTTP/2 late demand → HTTP_1_1_REQUIRED",
        statement=(
            "On an HTTP/2 connection (any TLS version) renegotiation and post-handshake "
            "authentication are forbidden, so http.sys resets that one stream with "
            "HTTP_1_1_REQUIRED (0xd) and the client is expected to retry the request over "
            "HTTP/1.1 on a new connection."
        ),
        confidence=_D,
        sources=("S18", "S19", "S20", "S43", "S36"),
        section="when and how the server asks (R-REQ-2 table), third evidence pass (2026-12)",
        notes=(
            "Microsoft documents the HTTP/1.1 fallback for TLS renegotiation (S43: 'resetting "
            "the HTTP/2 connection and instead establishing a new connection to use HTTP/1.1').",
            "That the signal is RST_STREAM on the one stream, not GOAWAY for the connection, "
            "comes from field reports on Windows 10 and Server 2022 (S36, reported); S43's "
            "wording leaves GOAWAY possible, and clients treat the two differently (.NET does "
            "not retry on the GOAWAY form, S44).",
            "Whether and how a client retries is a client fact (R-CLI-4).",
        ),
        alternatives=(
            "http.sys sends GOAWAY with HTTP_1_1_REQUIRED for the whole connection; clients that "
            "retry only on RST_STREAM (.NET) then surface the error.",
        ),
    ),
    Rule(
        id="R-REQ-2.h3",
        title="HTTP/3 late demand → H3_VERSION_FALLBACK",
        statement=(
            "QUIC has neither renegotiation nor post-handshake CertificateRequest, so the model "
            "has http.sys refuse the request stream with H3_VERSION_FALLBACK (0x0110) and the "
            "client retry over TCP (where the table applies again)."
        ),
        confidence=_I,
        sources=("S21", "S37", "MODEL"),
        section="when and how the server asks (R-REQ-2 table)",
        notes=(
            "The protocol limits are documented (RFC 9001 §4.4, RFC 9114 §8.1); HTTP/3 in "
            "http.sys is opt-in (EnableHttp3=1, S37). What Windows actually does on this path "
            "is not documented.",
        ),
        alternatives=(
            "http.sys fails HttpReceiveClientCertificate with ERROR_NOT_SUPPORTED and IIS "
            "answers 500.0 over HTTP/3.",
            "http.sys closes the QUIC connection with an error.",
        ),
    ),
    Rule(
        id="R-REQ-2.tls12-reneg",
        title="TLS 1.2, HTTP/1.1: HelloRequest and a full renegotiation",
        statement=(
            "On TLS 1.2 with HTTP/1.1 and a body that fits uploadReadAheadSize, http.sys sends "
            "HelloRequest; a full handshake with CertificateRequest runs under the current keys, "
            "the client's certificate (or an empty Certificate) comes back, and IIS answers 200 "
            "or 403.x."
        ),
        confidence=_D,
        sources=("S17", "S22"),
        section="when and how the server asks (R-REQ-2 table)",
    ),
    Rule(
        id="R-REQ-2.tls12-body",
        title="TLS 1.2 renegotiation with a body over uploadReadAheadSize → 413",
        statement=(
            "If the request body is larger than uploadReadAheadSize (default 49152 bytes) when "
            "a renegotiation is needed, IIS cannot buffer it and answers 413."
        ),
        confidence=_D,
        sources=("S16",),
        section="when and how the server asks (R-REQ-2 table)",
    ),
    Rule(
        id="R-REQ-2.tls12-refused",
        title="TLS 1.2, client refuses the HelloRequest → reset",
        statement=(
            "When the client answers the HelloRequest with no_renegotiation, http.sys resets "
            "the TCP connection; no HTTP response is sent."
        ),
        confidence=_P,
        sources=("S23", "S24", "BC-JAVA-593"),
        section="when and how the server asks (R-REQ-2 table)",
    ),
    Rule(
        id="R-REQ-2.tls12-ignored",
        title="TLS 1.2, client ignores the HelloRequest → hang until Timer_SslRenegotiation",
        statement=(
            "When the client neither renegotiates nor refuses, http.sys waits for the "
            "renegotiation: the connection hangs without an HTTP response until the "
            "two-minute renegotiation timer ends it (HTTPERR Timer_SslRenegotiation)."
        ),
        confidence=_P,
        sources=("S23", "S35"),
        section="when and how the server asks (R-REQ-2 table), third evidence pass (2026-12)",
        notes=(
            "The renegotiation timer (two minutes) ending with HTTPERR Timer_SslRenegotiation "
            "is documented (S35).",
            "The only field report (S23) saw 'the connection hanging without an HTTP response' "
            "with the refusal alert suppressed; until evidence pass 3 the model showed a reset.",
        ),
        alternatives=("http.sys resets the connection instead of waiting for the timer.",),
    ),
    Rule(
        id="R-REQ-2.tls12-schannel-blocked",
        title="TLS 1.2 with DisableRenegoOnServer=1 → reset",
        statement=(
            "With Schannel's DisableRenegoOnServer set, http.sys cannot start a renegotiation "
            "and the request needing a late certificate fails with a reset."
        ),
        confidence=_P,
        sources=("S25",),
        section="when and how the server asks (R-REQ-2 table)",
    ),
    Rule(
        id="R-REQ-2.tls13-reset",
        title="TLS 1.3 before 24H2, client without PHA → TCP reset",
        statement=(
            "On releases before 24H2 (and Server 2022), a late demand over TLS 1.3 from a client "
            "that did not offer post_handshake_auth resets the TCP connection: no HTTP response "
            "and no W3C log line."
        ),
        confidence=_D,
        sources=("S1",),
        section="when and how the server asks (R-REQ-2 table)",
    ),
    Rule(
        id="R-REQ-2.tls13-pha",
        title="TLS 1.3 before 24H2, client offered PHA → no certificate reaches IIS",
        statement=(
            "On releases before 24H2, when the client offered post_handshake_auth the "
            "connection survives but no certificate reaches IIS: Accept serves 200 without a "
            "certificate, Require answers 403.7."
        ),
        confidence=_P,
        sources=("S26",),
        section="when and how the server asks (R-REQ-2 table)",
        notes=("The client in S26 was curl, which always offers PHA.",),
        alternatives=(
            "The connection is reset as for a client without PHA (R-REQ-2.tls13-reset).",
        ),
    ),
    Rule(
        id="R-REQ-2.tls13-not-supported",
        title="TLS 1.3 on 24H2/25H2/Server 2025 → 500.0 0x80070032",
        statement=(
            "On Windows 11 24H2 and later and Server 2025, HttpReceiveClientCertificate fails "
            "with ERROR_NOT_SUPPORTED (50) on a TLS 1.3 connection and IIS answers 500.0 "
            "0x80070032 from IIS Web Core."
        ),
        confidence=_D,
        sources=("S1",),
        section="when and how the server asks (R-REQ-2 table)",
        notes=(
            "That this holds for any client (also those offering PHA) is inferred.",
            "That the connection survives the 500 is inferred.",
        ),
        alternatives=(
            "Clients that offered post_handshake_auth get a post-handshake CertificateRequest "
            "instead of the 500.",
            "http.sys closes the connection after sending the 500.",
        ),
    ),
    Rule(
        id="R-REQ-3",
        title="ASP.NET Core HTTP.sys server: ClientCertificateMethod",
        statement=(
            "ASP.NET Core's own HTTP.sys server asks late only with ClientCertificateMethod = "
            "AllowRenegotation (sic), never on HTTP/2, and its loader swallows errors other than "
            "ERROR_NOT_FOUND/ERROR_MORE_DATA; Kestrel's DelayCertificate has the same HTTP/2 "
            "limit and needs the body drained first."
        ),
        confidence=_D,
        sources=("S27",),
        section="when and how the server asks",
        notes=(
            "The default is AllowCertificate (1) since ASP.NET Core 5.0.",
            "On the 24H2 path the application seeing no certificate instead of a 500 is "
            "inferred from the loader's source.",
        ),
        alternatives=("The 24H2 failure surfaces to the application as an exception or a 500.",),
    ),
)

_HOST_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-APP-1",
        title="The modelled ASP.NET Core application",
        statement=(
            "On the ASP.NET Core hosts the model's application calls "
            "HttpContext.Connection.GetClientCertificateAsync() once and answers 200 with "
            "whatever it got; what it got (a certificate, null, an exception) is the outcome "
            "that matters and is reported as app_observed."
        ),
        confidence=_I,
        sources=("MODEL",),
        section="third evidence pass (2026-12)",
        notes=(
            "A real application may refuse with 401/403 when it gets null; that is its choice.",
        ),
        alternatives=(
            "An application that requires a certificate answers 403 (or 401) where the model "
            "shows 200 with null.",
        ),
    ),
    Rule(
        id="R-HTTPSYS-1",
        title="HTTP.sys server: ClientCertificateMethod",
        statement=(
            "ASP.NET Core's HTTP.sys server has no IIS and no access flags: "
            "HttpSysOptions.ClientCertificateMethod decides — NoCertificate (0), "
            "AllowCertificate (1, the default since 5.0) or AllowRenegotation (2, spelled so). "
            "The http.sys binding still decides whether the handshake asks (R-REQ-1)."
        ),
        confidence=_D,
        sources=("S27",),
        section="when and how the server asks (R-REQ-3), third evidence pass (2026-12)",
    ),
    Rule(
        id="R-HTTPSYS-2",
        title="HTTP.sys server, NoCertificate: the app never gets a certificate",
        statement=(
            "With NoCertificate, Connection.ClientCertificate and GetClientCertificateAsync "
            "give null, even when the binding asked for a certificate in the handshake and the "
            "client sent one."
        ),
        confidence=_P,
        sources=("S27", "ASPNETCORE-HTTPSYS-FEATURES"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-HTTPSYS-3",
        title="HTTP.sys server, AllowCertificate: only the handshake's certificate",
        statement=(
            "With AllowCertificate the app gets the certificate that was already on the "
            "connection when the request started — from the handshake, i.e. only when the "
            "binding negotiates client certificates — and null otherwise; nothing asks later."
        ),
        confidence=_P,
        sources=("S27", "ASPNETCORE-HTTPSYS-FEATURES"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-HTTPSYS-4",
        title="HTTP.sys server, AllowRenegotation: GetClientCertificateAsync asks late",
        statement=(
            "With AllowRenegotation and no certificate yet, GetClientCertificateAsync calls "
            "HttpReceiveClientCertificate on HTTP/1.x, which starts http.sys's late demand "
            "(R-REQ-2 rows for TLS 1.2 and 1.3); on HTTP/2 it returns null without asking, so "
            "no HTTP_1_1_REQUIRED is sent. The synchronous ClientCertificate property never "
            "asks."
        ),
        confidence=_P,
        sources=("S27", "S15", "ASPNETCORE-HTTPSYS-FEATURES"),
        section="when and how the server asks (R-REQ-3)",
        notes=(
            "Older releases of the server made the synchronous property renegotiate too "
            "(sync over async); current source reads only the certificate already present.",
        ),
    ),
    Rule(
        id="R-HTTPSYS-5",
        title="HTTP.sys server: a failed late demand gives the app null",
        statement=(
            "The HTTP.sys server's certificate loader stores any failure of "
            "HttpReceiveClientCertificate other than ERROR_MORE_DATA instead of throwing, so on "
            "the 24H2 TLS 1.3 path (ERROR_NOT_SUPPORTED) the app sees null where IIS answers "
            "500.0."
        ),
        confidence=_I,
        sources=("S27", "ASPNETCORE-HTTPSYS-LOADER", "S1"),
        section="when and how the server asks (R-REQ-3)",
        notes=("The loader's code is read, not run on 24H2.",),
        alternatives=("The failure surfaces to the app as an exception (HttpSysException).",),
    ),
    Rule(
        id="R-HTTPSYS-6",
        title="HTTP.sys server: certificates reach the app whatever their validity",
        statement=(
            "http.sys never fails a request for a bad client certificate; it hands the "
            "certificate over with its chain-error flags, and the HTTP.sys server gives the app "
            "the certificate object (the flags are not exposed): untrusted, expired or revoked "
            "certificates reach the app, which must check them itself (e.g. with certificate "
            "authentication)."
        ),
        confidence=_P,
        sources=("S14", "ASPNETCORE-HTTPSYS-LOADER"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-HTTPSYS-7",
        title="HTTP.sys server: no uploadReadAheadSize limit on the renegotiation",
        statement=(
            "uploadReadAheadSize is an IIS setting; the model lets the HTTP.sys server "
            "renegotiate whatever the request body's size."
        ),
        confidence=_I,
        sources=("S16", "MODEL"),
        section="when and how the server asks",
        alternatives=(
            "The renegotiation fails (or hangs) while unread body data is pending, unless the "
            "app reads the body first.",
        ),
    ),
    Rule(
        id="R-ANCM-1",
        title="ASP.NET Core Module in-process: the app reads what IIS received",
        statement=(
            "In-process, IIS's sslFlags decide and IIS answers 403.x/500.0 itself; the app's "
            "ClientCertificate / GetClientCertificateAsync read the certificate from the "
            "request's SSL info and never start a negotiation of their own."
        ),
        confidence=_P,
        sources=("S52", "ASPNETCORE-IIS-FEATURES"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-ANCM-1.handshake-only",
        title="In-process with sslFlags ignoring certificates: the handshake's certificate",
        statement=(
            "When the binding asked in the handshake but the access flags ignore certificates, "
            "the model lets the in-process app read the handshake's certificate from the "
            "request's SSL info, unchecked by IIS."
        ),
        confidence=_I,
        sources=("S52", "MODEL"),
        section="third evidence pass (2026-12)",
        alternatives=("The request's SSL info carries no certificate: the app sees null.",),
    ),
    Rule(
        id="R-ANCM-2",
        title="ASP.NET Core Module out-of-process: MS-ASPNETCORE-CLIENTCERT",
        statement=(
            "Out-of-process, ANCM forwards the client certificate to the app in the "
            "MS-ASPNETCORE-CLIENTCERT request header, only when SslNegotiateCert is set and "
            "after IIS's own checks (an untrusted certificate gets 403.16 from IIS first); "
            "IISOptions.ForwardClientCertificate (default true) turns the header into "
            "Connection.ClientCertificate."
        ),
        confidence=_P,
        sources=("S47", "S52", "ASPNETCORE-DOCS-IIS"),
        section="third evidence pass (2026-12)",
        notes=(
            "With sslFlags ignoring certificates nothing is forwarded, even when the binding "
            "asked in the handshake (inferred from S47: the flag is what enables it).",
        ),
    ),
    Rule(
        id="R-KESTREL-1",
        title="Kestrel on Windows: ClientCertificateMode, SslStream over Schannel",
        statement=(
            "Kestrel terminates TLS itself with .NET's SslStream over Schannel; http.sys "
            "bindings and IIS access flags do not apply. ClientCertificateMode NoCertificate "
            "(the default) never asks; AllowCertificate and RequireCertificate ask in the "
            "handshake; DelayCertificate asks only when the app calls "
            "GetClientCertificateAsync."
        ),
        confidence=_D,
        sources=("S27", "S16"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-KESTREL-2",
        title="Kestrel validates the client certificate in the handshake",
        statement=(
            "Without a custom ClientCertificateValidation, Kestrel's callback accepts a missing "
            "certificate unless RequireCertificate, and refuses any certificate with chain "
            "errors (untrusted, expired, revoked: revocation is checked by default), which "
            "fails the TLS handshake: the request never reaches the app."
        ),
        confidence=_P,
        sources=("ASPNETCORE-KESTREL-HTTPS", "S16"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-KESTREL-3",
        title="What a client sees when Kestrel refuses its certificate",
        statement=(
            "The model has SslStream end the handshake with a fatal alert "
            "(certificate_required for a missing certificate over TLS 1.3, bad_certificate "
            "otherwise; over TLS 1.3 the client sees it on its first read after sending the "
            "request)."
        ),
        confidence=_I,
        sources=("ASPNETCORE-KESTREL-HTTPS", "S48", "MODEL"),
        section="third evidence pass (2026-12)",
        notes=("[MS-TLSP]: Windows cannot ensure that alert messages are sent (S48).",),
        alternatives=("The connection is closed without an alert: the client sees a reset.",),
    ),
    Rule(
        id="R-KESTREL-4",
        title="Kestrel DelayCertificate: renegotiation on TLS 1.2, PHA on TLS 1.3, never HTTP/2",
        statement=(
            "With DelayCertificate, GetClientCertificateAsync calls "
            "SslStream.NegotiateClientCertificateAsync when no certificate is on the "
            "connection: a renegotiation on TLS 1.2, post-handshake authentication on TLS 1.3 "
            "when the client offered post_handshake_auth; on HTTP/2 it returns null without "
            "asking."
        ),
        confidence=_D,
        sources=("S16", "ASPNETCORE-KESTREL-TLSFEATURE", "S42"),
        section="third evidence pass (2026-12)",
    ),
    Rule(
        id="R-KESTREL-5",
        title="Kestrel DelayCertificate over TLS 1.3 without post_handshake_auth",
        statement=(
            "When the client did not offer post_handshake_auth, SslStream cannot ask: the model "
            "has NegotiateClientCertificateAsync throw, Kestrel rethrow to the app and close "
            "the connection after the response."
        ),
        confidence=_I,
        sources=("ASPNETCORE-KESTREL-TLSFEATURE", "RFC8446", "MODEL"),
        section="third evidence pass (2026-12)",
        alternatives=("The call completes without a certificate: the app sees null.",),
    ),
    Rule(
        id="R-KESTREL-6",
        title="Kestrel DelayCertificate with a request body not yet read",
        statement=(
            "The delayed negotiation needs the request body drained first (S16: 'buffering'); "
            "the model's app asks before reading the body, so the call throws "
            "InvalidOperationException and the connection is closed after the response."
        ),
        confidence=_I,
        sources=("S16", "ASPNETCORE-KESTREL-TLSFEATURE"),
        section="when and how the server asks (R-REQ-3)",
        alternatives=(
            "The negotiation succeeds because Kestrel had already read the body into its own "
            "buffers.",
        ),
    ),
    Rule(
        id="R-KESTREL-7",
        title="Kestrel DelayCertificate: the late certificate is validated too",
        statement=(
            "The certificate obtained by the delayed negotiation goes through the same "
            "validation callback: an empty answer gives the app null, a certificate with chain "
            "errors makes the call throw (AuthenticationException) and Kestrel closes the "
            "connection after the response."
        ),
        confidence=_P,
        sources=("ASPNETCORE-KESTREL-HTTPS", "ASPNETCORE-KESTREL-TLSFEATURE"),
        section="third evidence pass (2026-12)",
    ),
)

_TLS_BEHAVIOUR_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-TLS-1",
        title="HelloRequest: renegotiate, ignore or refuse",
        statement=(
            "A TLS 1.2 HelloRequest may arrive at any time after the handshake; the client may "
            "start a new handshake, ignore it, or answer no_renegotiation (100). HelloRequest "
            "is not part of the transcript hash."
        ),
        confidence=_D,
        sources=("RFC5246", "S22"),
        section="RFC 5246 §7.4.1.1 (TLS protocol rules)",
        notes=("The RFC makes no_renegotiation a warning; BoringSSL sends it fatal (R-CLI-2).",),
    ),
    Rule(
        id="R-TLS-2",
        title="Secure renegotiation (RFC 5746) and Schannel's legacy switches",
        statement=(
            "Renegotiation is bound to the previous handshake by the renegotiation_info "
            "extension or the TLS_EMPTY_RENEGOTIATION_INFO_SCSV suite; Schannel's "
            "AllowInsecureRenegoClients/Servers decide whether legacy peers may renegotiate."
        ),
        confidence=_D,
        sources=("RFC5746",),
        section="RFC 5746 (TLS protocol rules)",
        notes=("The Schannel registry values are reported (S25).",),
    ),
    Rule(
        id="R-TLS-3",
        title="TLS 1.2 client without a certificate sends an empty Certificate",
        statement=(
            "Asked for a certificate it does not have, a TLS 1.2 client still sends a "
            "Certificate message, empty, and no CertificateVerify; a server that requires one "
            "may then send handshake_failure (40), but http.sys does not (R-IIS-5)."
        ),
        confidence=_D,
        sources=("RFC5246", "S22"),
        section="RFC 5246 §7.4.6 (TLS protocol rules)",
    ),
    Rule(
        id="R-TLS-4",
        title="TLS 1.3: no renegotiation; PHA only when offered",
        statement=(
            "TLS 1.3 has no renegotiation (a HelloRequest or second ClientHello is "
            "unexpected_message). A post-handshake CertificateRequest is allowed only after the "
            "client offered post_handshake_auth; the reply is Certificate, CertificateVerify "
            "(if non-empty) and Finished, and a server requiring a certificate answers an empty "
            "one with certificate_required (116)."
        ),
        confidence=_D,
        sources=("RFC8446",),
        section="RFC 8446 §4.6.2, when and how the server asks.6 (TLS protocol rules)",
    ),
    Rule(
        id="R-TLS-5",
        title="HTTP/2 forbids renegotiation and PHA",
        statement=(
            "After the HTTP/2 connection preface, TLS renegotiation and post-handshake "
            "authentication are a connection error PROTOCOL_ERROR; HTTP_1_1_REQUIRED (0xd) asks "
            "the client to retry over HTTP/1.1."
        ),
        confidence=_D,
        sources=("S18", "S19", "RFC9113", "RFC8740"),
        section="RFC 9113 §9.2.1, RFC 8740 (TLS protocol rules)",
    ),
    Rule(
        id="R-TLS-6",
        title="QUIC forbids post-handshake CertificateRequest",
        statement=(
            "A QUIC endpoint must not send a post-handshake CertificateRequest; receiving one is "
            "a connection error PROTOCOL_VIOLATION."
        ),
        confidence=_D,
        sources=("S21", "RFC9001"),
        section="RFC 9001 §4.4 (TLS protocol rules)",
    ),
    Rule(
        id="R-TLS-7",
        title="Which certificates travel encrypted",
        statement=(
            "A renegotiation handshake runs under the current connection keys, so the client "
            "certificate it carries is encrypted; in an initial TLS 1.2 handshake the client "
            "certificate goes in the clear, while in TLS 1.3 it is always encrypted."
        ),
        confidence=_D,
        sources=("RFC5246", "RFC8446", "S1"),
        section="RFC 5246 §7.4.1, RFC 8446 §2 (TLS protocol rules)",
        notes=("This is the confidentiality argument S1 gives for asking late under TLS 1.2.",),
    ),
)

_PIPELINE_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-PIPE-1",
        title="Order of events for one request",
        statement=(
            "A request goes TCP connect → TLS handshake (with ALPN) → HTTP request → IIS access "
            "check → late certificate demand if needed → response, and starts again on a new "
            "connection when the protocol asks for a retry."
        ),
        confidence=_D,
        sources=("S17", "S15"),
        section="when and how the server asks; model pipeline",
        notes=(
            "The order of events on the wire is that of S17's trace; cutting it into these "
            "steps is the model's own presentation.",
        ),
    ),
    Rule(
        id="R-PIPE-2",
        title="ALPN: h2 when offered and allowed, else http/1.1",
        statement=(
            "http.sys selects h2 when the client offers it and the binding allows HTTP/2, and "
            "http/1.1 otherwise; a client that offers no ALPN gets HTTP/1.1 without the "
            "extension."
        ),
        confidence=_D,
        sources=("S20", "RFC7301"),
        section="RFC 7301 §3.2; the http.sys SSL binding",
    ),
    Rule(
        id="R-PIPE-3",
        title="Version negotiation: highest common version, else protocol_version",
        statement=(
            "The connection uses the highest TLS version both sides enable; when they share "
            "none, the server answers with a protocol_version alert (70) and no handshake "
            "completes."
        ),
        confidence=_D,
        sources=("RFC8446", "RFC5246"),
        section="RFC 8446 §4.2.1; RFC 5246 §7.4.1.2 and Appendix E",
    ),
    Rule(
        id="R-PIPE-4",
        title="HTTP/3 only when EnableHttp3 is set and the client supports it",
        statement=(
            "http.sys speaks HTTP/3 only when the EnableHttp3 registry switch is set, the "
            "binding does not disable QUIC and the client supports HTTP/3; otherwise the "
            "request goes over TCP."
        ),
        confidence=_D,
        sources=("S37", "S21"),
        section="when and how the server asks (R-REQ-2 table)",
        notes=(
            "How a client comes to use HTTP/3 (Alt-Svc advertised on an earlier TCP response, "
            "then QUIC) is the model's reading of the Windows specifics (inferred).",
        ),
        alternatives=("A client keeps using TCP for the first requests even when HTTP/3 is on.",),
    ),
    Rule(
        id="R-PIPE-5",
        title="Binding reject flag drops every connection",
        statement=(
            "A binding with the reject flag (DefaultFlags 0x8) makes http.sys drop every new "
            "connection to it before any TLS exchange."
        ),
        confidence=_D,
        sources=("S6", "S5"),
        section="the http.sys SSL binding",
    ),
)


def _rfc(
    rule_id: str,
    title: str,
    statement: str,
    sources: tuple[str, ...],
    section: str,
    notes: tuple[str, ...] = (),
) -> Rule:
    """A documented protocol rule (RFCs are the documentation)."""
    return Rule(
        id=rule_id,
        title=title,
        statement=statement,
        confidence=_D,
        sources=sources,
        section=section,
        notes=notes,
    )


_RFC_RULES: tuple[Rule, ...] = (
    _rfc(
        "RFC5246-7.3",
        "TLS 1.2 full handshake message flow",
        "A full TLS 1.2 handshake is ClientHello; ServerHello, Certificate, ServerKeyExchange, "
        "[CertificateRequest], ServerHelloDone; [Certificate], ClientKeyExchange, "
        "[CertificateVerify], ChangeCipherSpec, Finished; ChangeCipherSpec, Finished.",
        ("RFC5246",),
        "RFC 5246 §7.3 (Figure 1)",
    ),
    _rfc(
        "RFC5246-7.3-abbreviated",
        "TLS 1.2 abbreviated (resumed) handshake",
        "When the server accepts the session the ClientHello offers, the handshake is "
        "ClientHello; ServerHello, ChangeCipherSpec, Finished; ChangeCipherSpec, Finished: no "
        "certificates, no CertificateRequest.",
        ("RFC5246", "RFC5077"),
        "RFC 5246 §7.3 (Figure 2), §7.4.1.2; RFC 5077 §3.1",
        ("With a ticket, a NewSessionTicket may precede the server's ChangeCipherSpec.",),
    ),
    _rfc(
        "RFC5246-7.4.1.1",
        "HelloRequest",
        "The server may send HelloRequest at any time; the client may renegotiate, ignore it, "
        "or answer a warning no_renegotiation. It is not part of the handshake hash.",
        ("RFC5246",),
        "RFC 5246 §7.4.1.1",
    ),
    _rfc(
        "RFC5246-7.4.1.2",
        "ClientHello and version selection",
        "The ClientHello carries the highest version the client supports, a session id to "
        "resume (or empty) and its suites and extensions; the server picks a version no higher "
        "than the client's.",
        ("RFC5246",),
        "RFC 5246 §7.4.1.2, Appendix E",
    ),
    _rfc(
        "RFC5246-7.4.4",
        "TLS 1.2 CertificateRequest",
        "A non-anonymous server may ask for a client certificate with CertificateRequest, sent "
        "after its key exchange and before ServerHelloDone.",
        ("RFC5246", "S22"),
        "RFC 5246 §7.4.4",
    ),
    _rfc(
        "RFC5246-7.4.6",
        "TLS 1.2 client Certificate (empty when none)",
        "After a CertificateRequest the client must send a Certificate message; without a "
        "suitable certificate it is empty, and the server may continue or fail with "
        "handshake_failure.",
        ("RFC5246", "S22"),
        "RFC 5246 §7.4.6",
    ),
    _rfc(
        "RFC5246-7.4.8",
        "TLS 1.2 CertificateVerify only with a non-empty certificate",
        "The client sends CertificateVerify right after ClientKeyExchange only when it sent a "
        "certificate that can sign.",
        ("RFC5246",),
        "RFC 5246 §7.4.8",
    ),
    _rfc(
        "RFC5246-7.4.9",
        "TLS 1.2 Finished",
        "Each side sends Finished right after its ChangeCipherSpec, protected by the new keys; "
        "it proves both saw the same handshake.",
        ("RFC5246",),
        "RFC 5246 §7.4.9",
    ),
    _rfc(
        "RFC5246-7.2.1",
        "TLS 1.2 closure alerts",
        "Either side ends the connection cleanly with a close_notify alert; the other answers "
        "with its own close_notify and discards pending writes.",
        ("RFC5246",),
        "RFC 5246 §7.2.1",
    ),
    _rfc(
        "RFC5246-7.2.2",
        "TLS 1.2 error alerts",
        "A fatal alert ends the connection at once; a message out of place is "
        "unexpected_message (10), and the RFC lists the alert for each error.",
        ("RFC5246",),
        "RFC 5246 §7.2.2",
    ),
    _rfc(
        "RFC5077-3.3",
        "TLS 1.2 NewSessionTicket",
        "A server that agreed to issue a ticket sends NewSessionTicket after the client's "
        "Finished on a full handshake, or after ServerHello on a resumption, and always before "
        "its own ChangeCipherSpec.",
        ("RFC5077",),
        "RFC 5077 §3.3",
    ),
    _rfc(
        "RFC5746-3",
        "Secure renegotiation",
        "Peers signal RFC 5746 support with renegotiation_info or the SCSV and then bind each "
        "renegotiation to the previous Finished values; a client should refuse renegotiation "
        "with a peer that does not support it.",
        ("RFC5746",),
        "RFC 5746 §3, §4",
    ),
    _rfc(
        "RFC8446-2",
        "TLS 1.3 handshake flow",
        "A TLS 1.3 handshake is ClientHello; ServerHello, {EncryptedExtensions}, "
        "{CertificateRequest}, {Certificate}, {CertificateVerify}, {Finished}; {Certificate}, "
        "{CertificateVerify}, {Finished}, with everything after ServerHello encrypted.",
        ("RFC8446",),
        "RFC 8446 §2",
    ),
    _rfc(
        "RFC8446-4.1.1",
        "TLS 1.3 cryptographic negotiation",
        "The server picks the version, suite and key share from the ClientHello; with no "
        "acceptable parameters it aborts with handshake_failure or insufficient_security.",
        ("RFC8446",),
        "RFC 8446 §4.1.1",
    ),
    _rfc(
        "RFC8446-4.2.1",
        "supported_versions",
        "A TLS 1.3 client lists its versions in supported_versions; the server chooses from "
        "that list and, sharing none, aborts with protocol_version (70).",
        ("RFC8446",),
        "RFC 8446 §4.2.1",
    ),
    _rfc(
        "RFC8446-4.2.6",
        "post_handshake_auth extension",
        "A client signals willingness to authenticate after the handshake with the empty "
        "post_handshake_auth extension (49); without it the server must not send a "
        "post-handshake CertificateRequest.",
        ("RFC8446",),
        "RFC 8446 §4.2.6",
    ),
    _rfc(
        "RFC8446-4.3.2",
        "TLS 1.3 CertificateRequest",
        "In the handshake the CertificateRequest follows EncryptedExtensions with an empty "
        "context; after the handshake it carries a fresh, non-empty context echoed by the "
        "client.",
        ("RFC8446",),
        "RFC 8446 §4.3.2",
    ),
    _rfc(
        "RFC8446-4.4.2",
        "TLS 1.3 Certificate message",
        "A client asked for a certificate answers with a Certificate message carrying the "
        "request's context; without a suitable certificate the list is empty and no "
        "CertificateVerify follows.",
        ("RFC8446",),
        "RFC 8446 §4.4.2, §4.4.3",
    ),
    _rfc(
        "RFC8446-4.4.2.4",
        "Receiving a Certificate",
        "A server that requires a certificate and gets an empty Certificate may abort with "
        "certificate_required (116); a certificate that fails validation is answered with the "
        "matching alert (e.g. bad_certificate, unknown_ca).",
        ("RFC8446",),
        "RFC 8446 §4.4.2.4",
    ),
    _rfc(
        "RFC8446-4.6.1",
        "TLS 1.3 NewSessionTicket",
        "After receiving the client's Finished the server may send any number of "
        "NewSessionTicket messages, at any time, under the application keys.",
        ("RFC8446",),
        "RFC 8446 §4.6.1",
    ),
    _rfc(
        "RFC8446-4.6.2",
        "TLS 1.3 post-handshake authentication",
        "A server may send CertificateRequest after the handshake only to a client that offered "
        "post_handshake_auth; the client answers Certificate, CertificateVerify (if non-empty) "
        "and Finished, and a client that did not offer it treats the request as "
        "unexpected_message.",
        ("RFC8446",),
        "RFC 8446 §4.6.2",
    ),
    _rfc(
        "RFC8446-4.6.3",
        "TLS 1.3 KeyUpdate",
        "Either side may send KeyUpdate after the handshake to switch its sending keys, asking "
        "the peer to update too or not.",
        ("RFC8446",),
        "RFC 8446 §4.6.3",
    ),
    _rfc(
        "RFC8446-6.1",
        "TLS 1.3 closure alerts",
        "close_notify announces that the sender will write no more; each side sends one when "
        "it closes its write side, and the connection ends when both have.",
        ("RFC8446",),
        "RFC 8446 §6.1",
    ),
    _rfc(
        "RFC8446-6.2",
        "TLS 1.3 error alerts",
        "In TLS 1.3 every error alert is fatal; an out-of-place message is unexpected_message "
        "(10), and a missing required certificate is certificate_required (116).",
        ("RFC8446",),
        "RFC 8446 §6.2",
    ),
    _rfc(
        "RFC8446-D.4",
        "Middlebox compatibility mode",
        "A client in compatibility mode sends a non-empty legacy_session_id; the server then "
        "sends a dummy change_cipher_spec right after its first handshake message (ServerHello "
        "or HelloRetryRequest), and the client one before its second flight.",
        ("RFC8446",),
        "RFC 8446 Appendix D.4",
    ),
    _rfc(
        "RFC7301-3.2",
        "ALPN selection",
        "The server picks one protocol from the client's ALPN list and names it in its hello; "
        "a server that supports none of them may answer no_application_protocol (120).",
        ("RFC7301",),
        "RFC 7301 §3.2",
    ),
    _rfc(
        "RFC9113-9.2.1",
        "HTTP/2 over TLS: no renegotiation, no PHA",
        "HTTP/2 endpoints must not renegotiate after the connection preface and must treat a "
        "renegotiation as PROTOCOL_ERROR; a server may send HTTP_1_1_REQUIRED (0xd) to make the "
        "client use HTTP/1.1.",
        ("RFC9113", "S18"),
        "RFC 9113 §9.2.1, §7",
    ),
    _rfc(
        "RFC8740",
        "TLS 1.3 with HTTP/2: no post-handshake authentication",
        "HTTP/2 servers must not send a post-handshake CertificateRequest, and an HTTP/2 client "
        "treats one as a connection error PROTOCOL_ERROR.",
        ("RFC8740", "S19"),
        "RFC 8740 §3",
    ),
    _rfc(
        "RFC9001-4.4",
        "QUIC: no post-handshake CertificateRequest",
        "A QUIC server must not send a post-handshake CertificateRequest; a client that gets "
        "one closes the connection with PROTOCOL_VIOLATION.",
        ("RFC9001", "S21"),
        "RFC 9001 §4.4",
    ),
    _rfc(
        "RFC9114-8.1",
        "H3_VERSION_FALLBACK",
        "An HTTP/3 server can refuse a request with H3_VERSION_FALLBACK (0x0110) so the client "
        "retries it over an earlier HTTP version.",
        ("RFC9114", "S21"),
        "RFC 9114 §8.1",
    ),
)

_OPENSSL_RULES: tuple[Rule, ...] = (
    Rule(
        id="P-OSSL-1",
        title="OpenSSL 3: two NewSessionTickets after a full TLS 1.3 handshake",
        statement=(
            "An OpenSSL 3 server writes its TLS 1.3 tickets right after reading the client's "
            "Finished: two after a full handshake (num_tickets default 2), one after a "
            "resumption."
        ),
        confidence=_D,
        sources=("OSSL-DOC-OPTIONS", "OSSL-STATEM-SRVR"),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-2",
        title="OpenSSL 3: tickets are sent again after a PHA exchange",
        statement=(
            "When a post-handshake authentication exchange completes (the client's Finished is "
            "read), an OpenSSL 3 server sends new tickets again, num_tickets of them (two by "
            "default), because processing the client's Certificate resets its ticket count."
        ),
        confidence=_P,
        sources=("OSSL-STATEM-SRVR",),
        section="OpenSSL 3 personality",
        notes=(
            "Read in statem_srvr.c (3.0): tls_process_client_certificate sets sent_tickets = 0 "
            "for TLS 1.3 ('Resend session tickets'), and the TLS_ST_SR_FINISHED transition "
            "after PHA goes to TLS_ST_SW_SESSION_TICKET while sent_tickets < num_tickets.",
            "This also happens when the client's PHA Certificate is empty but not required.",
        ),
    ),
    Rule(
        id="P-OSSL-3",
        title="OpenSSL 3: client-initiated renegotiation refused by default",
        statement=(
            "Since 3.0 an OpenSSL server refuses a client-initiated renegotiation unless "
            "SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set: it answers the ClientHello with a warning "
            "no_renegotiation and carries on with the current session."
        ),
        confidence=_D,
        sources=("OSSL-DOC-OPTIONS", "OSSL-REC-LAYER"),
        section="OpenSSL 3 personality",
        notes=(
            "The default is documented; the warning-and-continue answer is read from the "
            "record layer (reported).",
        ),
    ),
    Rule(
        id="P-OSSL-4",
        title="OpenSSL 3: a refused renegotiation is fatal for the side that asked",
        statement=(
            "An OpenSSL endpoint that asked for a renegotiation and receives a warning "
            "no_renegotiation aborts with a fatal handshake_failure (40)."
        ),
        confidence=_P,
        sources=("OSSL-REC-LAYER",),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-5",
        title="OpenSSL 3: renegotiation resumes the session by default",
        statement=(
            "An OpenSSL client answering a HelloRequest offers its current session, and an "
            "OpenSSL server resumes it unless SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION is "
            "set; an abbreviated renegotiation carries no CertificateRequest, so it cannot "
            "obtain a client certificate."
        ),
        confidence=_D,
        sources=("OSSL-DOC-OPTIONS", "OSSL-STATEM-CLNT"),
        section="OpenSSL 3 personality",
        notes=(
            "The client side (SSL_renegotiate_abbreviated on HelloRequest) is read from "
            "statem_clnt.c; statem_clnt.c calls it a historical discrepancy kept for "
            "compatibility.",
        ),
    ),
    Rule(
        id="P-OSSL-6",
        title="OpenSSL 3: verification failures map to specific alerts",
        statement=(
            "When the peer's certificate fails verification, OpenSSL sends the alert its "
            "X.509 error maps to: an untrusted or self-signed chain → unknown_ca (48), expired "
            "→ certificate_expired (45), revoked → certificate_revoked (44)."
        ),
        confidence=_P,
        sources=("OSSL-STATEM-LIB", "OSSL-STATEM-SRVR"),
        section="OpenSSL 3 personality",
        notes=(
            "A chain OpenSSL marks explicitly untrusted (X509_V_ERR_CERT_UNTRUSTED) maps to "
            "bad_certificate (42) instead.",
        ),
    ),
    Rule(
        id="P-OSSL-7",
        title="OpenSSL 3: PHA request refused locally without the client's offer",
        statement=(
            "SSL_verify_client_post_handshake fails locally, sending nothing, when the client "
            "did not offer post_handshake_auth (or the connection is not TLS 1.3, or a request "
            "is already pending)."
        ),
        confidence=_P,
        sources=("OSSL-SSL-LIB",),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-8",
        title="OpenSSL 3: empty certificate when required → 40 (1.2) / 116 (1.3)",
        statement=(
            "A server set to fail without a peer certificate answers an empty Certificate with "
            "certificate_required (116) under TLS 1.3 and handshake_failure (40) under TLS 1.2, "
            "the same internal alert mapped down for the older version."
        ),
        confidence=_P,
        sources=("OSSL-STATEM-SRVR", "OSSL-T1-ENC"),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-9",
        title="OpenSSL 3: renegotiation API on TLS 1.3 refused locally",
        statement=(
            "SSL_renegotiate on a TLS 1.3 connection fails locally with a wrong-version error; "
            "nothing goes on the wire."
        ),
        confidence=_P,
        sources=("OSSL-SSL-LIB",),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-10",
        title="OpenSSL 3: middlebox compatibility on by default",
        statement=(
            "SSL_OP_ENABLE_MIDDLEBOX_COMPAT is set by default: the client sends a non-empty "
            "legacy_session_id and the server a dummy change_cipher_spec after its ServerHello."
        ),
        confidence=_D,
        sources=("OSSL-DOC-OPTIONS", "OSSL-STATEM-SRVR"),
        section="OpenSSL 3 personality",
    ),
    Rule(
        id="P-OSSL-11",
        title="OpenSSL 3 client: HelloRequest answered by renegotiating",
        statement=(
            "An OpenSSL client renegotiates when it receives a HelloRequest; only with "
            "SSL_OP_NO_RENEGOTIATION does it refuse, with a warning no_renegotiation."
        ),
        confidence=_P,
        sources=("OSSL-STATEM-CLNT",),
        section="OpenSSL 3 personality",
        notes=("OpenSSL always attempts RFC 5746 secure renegotiation (OSSL-DOC-OPTIONS).",),
    ),
)

_SCHANNEL_RULES: tuple[Rule, ...] = (
    Rule(
        id="P-SCH-1",
        title="http.sys never fails a handshake for a missing or invalid client certificate",
        statement=(
            "Schannel under http.sys completes the handshake whether the client sends a valid, "
            "invalid or empty certificate; the verdict travels with the request and IIS turns "
            "it into 200 or 403.x."
        ),
        confidence=_D,
        sources=("S14",),
        section="Schannel / http.sys personality",
        notes=("The same facts drive R-IIS-5.",),
    ),
    Rule(
        id="P-SCH-2",
        title="http.sys's late demand never uses post-handshake authentication",
        statement=(
            "http.sys does not ask for a client certificate with a TLS 1.3 post-handshake "
            "CertificateRequest, even when the client offered post_handshake_auth; Schannel "
            "itself can (P-SCH-7), http.sys's late demand does not."
        ),
        confidence=_P,
        sources=("S1", "S26", "S42"),
        section="Schannel / http.sys personality; third evidence pass (2026-12)",
        notes=(
            "Until evidence pass 3 this was an inferred rule about Schannel; dotnet/runtime's "
            "Windows-only test negotiates a certificate after a TLS 1.3 handshake between two "
            "Schannel ends (S42), so the limit is http.sys's.",
            "S26's 200 without a certificate for curl (which offers PHA) is the field report "
            "behind it.",
        ),
    ),
    Rule(
        id="P-SCH-3",
        title="Renegotiation for a certificate is a full handshake with CertificateRequest",
        statement=(
            "When http.sys renegotiates to obtain a client certificate it runs a full TLS 1.2 "
            "handshake containing a CertificateRequest, never an abbreviated one."
        ),
        confidence=_D,
        sources=("S17",),
        section="Schannel / http.sys personality",
    ),
    Rule(
        id="P-SCH-4",
        title="Schannel TLS 1.3 server: one NewSessionTicket after the handshake",
        statement=(
            "The model's Schannel server sends one NewSessionTicket after reading the client's "
            "Finished in a TLS 1.3 handshake, since Schannel resumes sessions by default and "
            "TLS 1.3 resumption needs a ticket on the wire."
        ),
        confidence=_I,
        sources=("MSQUIC-1325", "MODEL"),
        section="Schannel / http.sys personality",
        alternatives=(
            "No ticket unless the binding sets enablesessionticket (0x800).",
            "Two tickets, as OpenSSL sends.",
        ),
    ),
    Rule(
        id="P-SCH-5",
        title="Schannel server accepts client-initiated renegotiation by default",
        statement=(
            "With DisableRenegoOnServer unset, the model's Schannel server accepts a "
            "renegotiation the client starts (with RFC 5746 peers)."
        ),
        confidence=_I,
        sources=("S25",),
        section="Schannel / http.sys personality",
        alternatives=("http.sys refuses client-initiated renegotiation on its connections.",),
    ),
    Rule(
        id="P-SCH-6",
        title="Schannel TLS 1.3 server answers compatibility mode with a dummy CCS",
        statement=(
            "When the client sends a non-empty legacy_session_id, the model's Schannel server "
            "sends a dummy change_cipher_spec after its ServerHello, as RFC 8446 Appendix D.4 "
            "describes."
        ),
        confidence=_I,
        sources=("RFC8446", "MODEL"),
        section="Schannel / http.sys personality",
        alternatives=("Schannel sends no dummy change_cipher_spec.",),
    ),
)

_SSLSTREAM_RULES: tuple[Rule, ...] = (
    Rule(
        id="P-SCH-7",
        title="Schannel via SslStream does TLS 1.3 post-handshake authentication",
        statement=(
            "Schannel implements TLS 1.3 post-handshake authentication on both sides: .NET's "
            "SslStream as a server on Windows can ask for a client certificate after the "
            "handshake when the client offered post_handshake_auth."
        ),
        confidence=_P,
        sources=("S42",),
        section="third evidence pass (2026-12)",
    ),
)

_CLIENT_RULES: tuple[Rule, ...] = (
    Rule(
        id="R-CLI-14",
        title="Whether .NET on Windows offers post_handshake_auth is not known",
        statement=(
            "Schannel implements TLS 1.3 post-handshake authentication on both sides (S42), "
            "so .NET's HttpClient on Windows may offer post_handshake_auth; the model keeps "
            "the profile's 'no' and marks it inferred."
        ),
        confidence=_I,
        sources=("S28", "S42"),
        section="clients, third evidence pass (2026-12)",
        alternatives=(
            ".NET on Windows offers post_handshake_auth: before 24H2 a TLS 1.3 late demand "
            "then serves the request without a certificate instead of resetting.",
        ),
    ),
    Rule(
        id="R-CLI-13",
        title=".NET on Linux offers post_handshake_auth only with a certificate",
        statement=(
            ".NET on Linux (OpenSSL) switches post_handshake_auth on only when a client "
            "certificate or a selection callback is configured; a dotnet-linux client without "
            "a certificate offers no PHA, so the pre-24H2 TLS 1.3 late demand resets."
        ),
        confidence=_P,
        sources=("DOTNET-OPENSSL-INTEROP", "S28"),
        section="clients, third evidence pass (2026-12)",
    ),
    Rule(
        id="R-CLI-1",
        title="Chromium renegotiates only when ALPN is not h2",
        statement=(
            "Chrome and Edge let BoringSSL renegotiate only on connections whose ALPN chose "
            "http/1.1 or nothing; on h2 they refuse."
        ),
        confidence=_P,
        sources=("S28", "CHROMIUM-SSL-CLIENT"),
        section="clients",
    ),
    Rule(
        id="R-CLI-2",
        title="BoringSSL refuses renegotiation with a fatal no_renegotiation",
        statement=(
            "A BoringSSL client that may not renegotiate answers a HelloRequest with a fatal "
            "no_renegotiation alert, unlike the RFC's warning."
        ),
        confidence=_P,
        sources=("S28", "BSSL-SSL-LIB"),
        section="TLS protocol rules, clients",
    ),
    Rule(
        id="R-CLI-3",
        title="Who offers post_handshake_auth",
        statement=(
            "curl with OpenSSL ≥ 1.1.1 and Python (http.client, urllib3, requests) always offer "
            "post_handshake_auth; Firefox only with security.tls.enable_post_handshake_auth; "
            ".NET on Linux only with a client certificate or selection callback; Chrome, Edge, "
            "Safari, Go, Java, .NET on Windows and rustls never do."
        ),
        confidence=_P,
        sources=(
            "S28",
            "CURL-VTLS-OPENSSL",
            "CPY-HTTP-CLIENT",
            "URLLIB3-SSL",
            "DOTNET-OPENSSL-INTEROP",
            "TLSWG-IMPL",
        ),
        section="clients",
        notes=("Safari not offering PHA is inferred.",),
        alternatives=("Safari offers post_handshake_auth.",),
    ),
    Rule(
        id="R-CLI-4",
        title="Retry on HTTP_1_1_REQUIRED, per client",
        statement=(
            "Chromium retries silently on a fresh HTTP/1.1 connection, curl reports the stream "
            "error and downgrades ('Downgrades to HTTP/1.1!'), .NET HttpClient retries when its "
            "version policy allows a lower version, and gRPC clients fail. Go's default "
            "Transport, Python httpx and Java's HttpClient surface the stream error and do not "
            "retry (observed)."
        ),
        confidence=_P,
        sources=("S18", "S29", "S28", "S36", "S45", "OBS-LOOPBACK"),
        section="when and how the server asks, clients, third evidence pass (2026-12)",
        notes=(
            "Firefox's retry is reported: Gecko turns an HTTP_1_1_REQUIRED reset into "
            "NS_ERROR_NET_RESET and disables HTTP/2 for the host (S45).",
            "Go's retry was inferred until the conformance suite ran Go 1.19's default client "
            "against the endpoint: it fails with 'stream error: stream ID 1; HTTP_1_1_REQUIRED; "
            "received from peer'.",
        ),
        alternatives=("Firefox surfaces the stream error instead of retrying.",),
    ),
    Rule(
        id="R-CLI-5",
        title="What each client shows",
        statement=(
            "The error a user sees depends on the client: ERR_CONNECTION_RESET in Chromium, "
            "curl error 56 'Recv failure: Connection reset by peer', Go's 'wsarecv: An existing "
            "connection was forcibly closed by the remote host.' on Windows ('read: connection "
            "reset by peer' on Linux), 'Connection reset by peer' from rustls/reqwest, "
            "'java.net.SocketException: Connection reset' from Java, and "
            "ERR_HTTP_1_1_REQUIRED for an unhandled HTTP/2 HTTP_1_1_REQUIRED in Chromium."
        ),
        confidence=_P,
        sources=("S1", "S28", "S29", "S24", "S23", "OBS-LOOPBACK"),
        section="clients",
        notes=(
            "Texts not listed in the client sources are inferred per client profile.",
            "The conformance suite (tests/clients/) compares each installed client's first "
            "error line with its profile's text for a reset, an HTTP/2 stream reset and a "
            "refused renegotiation; the observed texts replaced the profiles' guesses.",
            "Observed: after retrying over HTTP/1.1 following HTTP_1_1_REQUIRED, curl reports "
            "a later reset as '(56) Empty reply from server' (its error buffer keeps the "
            "first attempt's message); Python's requests reports a reset of a TLS connection as "
            "RemoteDisconnected, since CPython's ssl reads it as an end of file.",
        ),
        alternatives=("Client versions word their errors differently.",),
    ),
    Rule(
        id="R-CLI-6",
        title="Go: RenegotiateNever by default",
        statement=(
            "Go's crypto/tls client does not renegotiate by default (RenegotiateNever): it "
            "answers a HelloRequest with a warning no_renegotiation and fails locally with "
            "'tls: no renegotiation'; RenegotiateOnceAsClient enables one renegotiation."
        ),
        confidence=_P,
        sources=("S24", "S28", "GO-TLS-CONN"),
        section="clients",
    ),
    Rule(
        id="R-CLI-7",
        title="rustls never renegotiates",
        statement=(
            "rustls does not implement renegotiation; after a TLS 1.2 handshake it answers a "
            "HelloRequest with a warning no_renegotiation, and IIS then resets the connection."
        ),
        confidence=_P,
        sources=("S23", "S31", "RUSTLS-COMMON"),
        section="clients",
        notes=(
            "Our first reading said rustls ignores the HelloRequest; rustls' source and the S23 "
            "thread show a warning no_renegotiation instead. Either way http.sys resets.",
        ),
    ),
    Rule(
        id="R-CLI-8",
        title="JSSE: renegotiation only with secure-renegotiation peers",
        statement=(
            "Java's JSSE client renegotiates with servers that support RFC 5746 and otherwise "
            "aborts with a fatal handshake_failure."
        ),
        confidence=_P,
        sources=("S28",),
        section="clients",
    ),
    Rule(
        id="R-CLI-9",
        title=".NET on Windows: renegotiation error after an h2 downgrade",
        statement=(
            ".NET HttpClient builds HTTP/2-capable connections with AllowRenegotiation = false; "
            "if such a connection ends up on HTTP/1.1 and the server renegotiates, the request "
            "fails with '...renegotiation when AllowRenegotiation was set to false'."
        ),
        confidence=_P,
        sources=("S28", "S30", "DOTNET-HTTP-POOL"),
        section="clients",
    ),
    Rule(
        id="R-CLI-10",
        title="NSS (Firefox): renegotiation only with RFC 5746 peers",
        statement=(
            "Firefox's NSS renegotiates on request from servers that support RFC 5746 (its "
            "default requires the renegotiation_info extension); Schannel does."
        ),
        confidence=_P,
        sources=("S28",),
        section="clients",
    ),
    Rule(
        id="R-CLI-11",
        title="Safari behaves like Chrome for renegotiation",
        statement=(
            "With no source on Safari's TLS client, the model gives it Chromium's behaviour: "
            "renegotiation on http/1.1 only, no PHA, retry on HTTP_1_1_REQUIRED."
        ),
        confidence=_I,
        sources=("S28", "MODEL"),
        section="clients",
        alternatives=(
            "Safari refuses renegotiation on every connection.",
            "Safari ignores HelloRequest.",
        ),
    ),
    Rule(
        id="R-CLI-12",
        title="OpenSSL-based clients renegotiate on HelloRequest",
        statement=(
            "Clients on OpenSSL (curl, Python, .NET on Linux) renegotiate when the server sends "
            "HelloRequest, since they do not set SSL_OP_NO_RENEGOTIATION."
        ),
        confidence=_P,
        sources=("S28", "OSSL-STATEM-CLNT"),
        section="clients",
    ),
    Rule(
        id="R-CLI-15",
        title="Some clients repeat a request once after a connection reset",
        statement=(
            "A client whose profile says so (Java's HttpsURLConnection and HttpClient) repeats an "
            "idempotent request once on a new connection when the first is reset before any "
            "response; the second connection meets the same server and ends the same way. "
            "When the first connection settled on HTTP/1.1 although the client offered h2, the "
            "repeat is an HTTP/1.1 exchange, offered without ALPN."
        ),
        confidence=_P,
        sources=("OBS-LOOPBACK",),
        section="client profiles",
        notes=(
            "Observed with OpenJDK 17's HttpsURLConnection against a TLS 1.3 reset.",
            "Observed with OpenJDK 17's HttpClient against a TLS 1.3 reset on a binding with "
            "HTTP/2 off: the repeat's ClientHello carries no ALPN extension.",
        ),
    ),
    Rule(
        id="R-CLI-16",
        title="Chromium asks which certificate to send before it answers a CertificateRequest",
        statement=(
            "A client whose profile says so (Chrome, Edge: Chromium's network code) does not "
            "answer the first CertificateRequest of a page load — in the initial handshake or "
            "in a TLS 1.2 renegotiation — but closes the connection, asks its user (or its "
            "AutoSelectCertificateForUrls policy) which certificate to send, and repeats the "
            "request on a new connection, where it answers the CertificateRequest with that "
            "choice: the certificate, or an empty Certificate message. The outcome is the one "
            "the choice brings; the trace has one connection more."
        ),
        confidence=_P,
        sources=("OBS-LOOPBACK",),
        section="client profiles",
        notes=(
            "Observed with Chromium 156 headless against clientcertnegotiation=enable on "
            "Server 2022: one or two connections end in the handshake, right after the "
            "CertificateRequest (a spare connection meets the same), then one completes.",
            "Observed with Chromium 156 headless against Server 2019's late demand: after the "
            "HTTP/2 stream reset (HTTP_1_1_REQUIRED), the HTTP/1.1 connection answers the "
            "HelloRequest, closes at the renegotiation's CertificateRequest, and the request is "
            "repeated on a third connection (HTTP/1.1 only), which renegotiates with the choice.",
            "The model has one connection end this way per page load; Chromium may open a "
            "spare connection that meets the same CertificateRequest, which the conformance "
            "suite counts once with it.",
        ),
    ),
)


_ALL_RULES: tuple[Rule, ...] = (
    *_RELEASE_RULES,
    *_BINDING_RULES,
    *_BINDING_REWRITE_RULES,
    *_IIS_RULES,
    *_HTTPERR_RULES,
    *_CHECK_RULES,
    *_REQUEST_RULES,
    *_HOST_RULES,
    *_TLS_BEHAVIOUR_RULES,
    *_PIPELINE_RULES,
    *_RFC_RULES,
    *_OPENSSL_RULES,
    *_SCHANNEL_RULES,
    *_SSLSTREAM_RULES,
    *_CLIENT_RULES,
)

#: Rule ids: ``R-`` / ``P-`` families, or ``RFC<number>`` with an optional section.
RULE_ID_PATTERN = re.compile(
    r"^(?:(?:R|P)-[A-Z]+(?:-[0-9]+)?(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?"
    r"|RFC[0-9]{4}(?:-[0-9A-Z]+(?:\.[0-9a-z]+)*(?:-[a-z]+)?)?)$"
)
#: Source ids: upper-case letters, digits and dashes.
SOURCE_ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")


_Item = TypeVar("_Item", Source, Rule)


def _index(items: Iterable[_Item], kind: str) -> dict[str, _Item]:
    """Items by id, refusing duplicates."""
    out: dict[str, _Item] = {}
    for item in items:
        if item.id in out:
            raise RuntimeError(f"duplicate {kind} id {item.id!r} in httpsys_sim.catalogue._rules")
        out[item.id] = item
    return out


def _check(sources: Mapping[str, Source], rules: Mapping[str, Rule]) -> None:
    """The catalogue's invariants; a violation is a programming error."""
    for source_id in sources:
        if not SOURCE_ID_PATTERN.match(source_id):
            raise RuntimeError(f"malformed source id {source_id!r}")
    for rule in rules.values():
        if not RULE_ID_PATTERN.match(rule.id):
            raise RuntimeError(f"malformed rule id {rule.id!r}")
        if not rule.sources:
            raise RuntimeError(f"rule {rule.id} cites no source")
        missing = [s for s in rule.sources if s not in sources]
        if missing:
            raise RuntimeError(f"rule {rule.id} cites unknown source(s) {', '.join(missing)}")
        if rule.confidence is Confidence.INFERRED and not rule.alternatives:
            raise RuntimeError(f"inferred rule {rule.id} carries no alternative")


def _build() -> tuple[Mapping[str, Source], Mapping[str, Rule]]:
    """Index and check the catalogue."""
    sources = _index(_SOURCE_LIST, "source")
    rules = _index(_ALL_RULES, "rule")
    _check(sources, rules)
    return MappingProxyType(sources), MappingProxyType(rules)


#: Every source by id, in citation order (S1…S38, RFCs, implementation files, MODEL).
SOURCES: Mapping[str, Source]
#: Every rule by id, grouped by family in a stable order.
RULES: Mapping[str, Rule]
SOURCES, RULES = _build()


def _unknown(kind: str, key: str, known: Iterable[str]) -> KeyError:
    """A KeyError naming close matches."""
    import difflib

    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return KeyError(
        f"unknown {kind} id {key!r}{hint} (see httpsys_sim.catalogue._rules.{kind.upper()}S)"
    )


def get_rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``; ``KeyError`` (naming close matches) if there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise _unknown("rule", rule_id, RULES) from None


def get_source(source_id: str) -> Source:
    """The source with id ``source_id``; ``KeyError`` (naming close matches) if there is none."""
    try:
        return SOURCES[source_id]
    except KeyError:
        raise _unknown("source", source_id, SOURCES) from None
