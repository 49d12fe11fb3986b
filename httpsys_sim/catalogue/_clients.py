"""The client profile catalogue: what each client stack does, with evidence.

A :class:`ClientProfile` holds one :class:`Fact` per capability — the value, the sources it
rests on (ids of :data:`httpsys_sim.catalogue._rules.SOURCES`), its confidence and, for anything we
inferred, a note naming the alternative.  The pipeline reads the values; traces and the
``clients`` command show the evidence.

Profiles model each client's *default* configuration on a current release.  Where a default
depends on how the client is set up (``dotnet-linux`` offers ``post_handshake_auth`` only when
a client certificate is configured), the fact's note says so and a scenario may override the
field.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Generic, TypeVar

import attrs

from httpsys_sim._enum import ReprStrEnum
from httpsys_sim.catalogue._rules import SOURCES, Confidence
from httpsys_sim.errors import InputError
from httpsys_sim.tls import AlertLevel, RenegotiationAnswer, TlsVersion

__all__ = [
    "CLIENTS",
    "HTTP2_ERROR_CODES",
    "PHA_NEEDS_CERTIFICATE",
    "ClientProfile",
    "Fact",
    "H11RetryPolicy",
    "RenegotiationAnswer",
    "client_ids",
    "get_client",
]

T = TypeVar("T")

#: The HTTP/2 error codes the model's servers send, by name (RFC 9113 §7): what
#: ``{number}`` stands for in :attr:`ClientProfile.error_http2`.
HTTP2_ERROR_CODES: Mapping[str, int] = MappingProxyType({"HTTP_1_1_REQUIRED": 0xD})


class H11RetryPolicy(ReprStrEnum):
    """What a client does when an HTTP/2 stream is reset with ``HTTP_1_1_REQUIRED``."""

    RETRY = "retry"  #: repeats the request on a new HTTP/1.1 connection
    FAIL = "fail"  #: surfaces the stream error
    NOT_APPLICABLE = "n/a"  #: the client never speaks HTTP/2


@attrs.frozen(kw_only=True)
class Fact(Generic[T]):
    """One capability's value with its evidence."""

    #: The value the model uses.
    value: T
    #: Ids of :data:`httpsys_sim.catalogue._rules.SOURCES` entries behind the value.
    sources: tuple[str, ...]
    #: How sure we are; ``inferred`` facts name their alternative in :attr:`note`.
    confidence: Confidence
    #: Caveats, the alternative for inferred values, configuration dependencies.
    note: str | None = None
    #: Other values seen for the same thing — another operating system's wording, or the
    #: other side of a race in the client — which the note explains.  The model uses
    #: :attr:`value`; the real-client conformance suite accepts any of them
    #: (docs/reference/clients.md#error-texts).
    variants: tuple[T, ...] = ()


@attrs.frozen(kw_only=True)
class ClientProfile:
    """One client's TLS/HTTP behaviour, each field a :class:`Fact`."""

    #: Catalogue id, e.g. ``"chrome"``.
    id: str
    #: Display name.
    name: str
    #: TLS stack family: ``boringssl``, ``nss``, ``openssl``, ``go-crypto-tls``, ``jsse``,
    #: ``schannel``, ``rustls``, ``securetransport``.
    stack: str
    #: Highest TLS version offered (``"1.3"`` / ``"1.2"``).
    max_tls: Fact[TlsVersion]
    #: Lowest TLS version offered.
    min_tls: Fact[TlsVersion]
    #: ALPN protocols offered, in preference order; ``()`` means no ALPN extension.
    alpn: Fact[tuple[str, ...]]
    #: May use HTTP/3 when the server offers it.
    http3: Fact[bool]
    #: Offers the TLS 1.3 ``post_handshake_auth`` extension.
    offers_pha: Fact[bool]
    #: Answer to a HelloRequest on a connection whose ALPN is http/1.1 or none.
    renegotiation_http11: Fact[RenegotiationAnswer]
    #: Answer to a HelloRequest on an h2 connection.
    renegotiation_h2: Fact[RenegotiationAnswer]
    #: Level of the no_renegotiation alert when refusing.
    refusal_level: Fact[AlertLevel]
    #: Offers RFC 5746 secure renegotiation (renegotiation_info or the SCSV).
    secure_renegotiation: Fact[bool]
    #: Behaviour on an HTTP/2 ``HTTP_1_1_REQUIRED`` stream reset.
    on_http_1_1_required: Fact[H11RetryPolicy]
    #: Sends a non-empty TLS 1.3 legacy_session_id (RFC 8446 D.4 compatibility mode).
    middlebox_compat: Fact[bool]
    #: What the user sees on a TCP reset.
    error_reset: Fact[str]
    #: What the user sees on a fatal TLS alert; template with ``{alert}``.
    error_alert: Fact[str]
    #: What the user sees on an unhandled HTTP/2 stream error; a template that may name the
    #: error code as ``{code}`` (``HTTP_1_1_REQUIRED``) or ``{number}`` (``13``).
    error_http2: Fact[str]
    #: What the user sees when the server never answers.
    error_timeout: Fact[str]
    #: What the user sees when the client itself refused a renegotiation and the server then
    #: reset the connection; ``None``: the reset's text (:attr:`error_reset`).
    error_renegotiation_refused: Fact[str | None] = attrs.field(
        factory=lambda: _not_observed("the reset's text", "the client reports its own refusal")
    )
    #: What the user sees when the connection is reset after the client retried over HTTP/1.1
    #: following an HTTP/2 ``HTTP_1_1_REQUIRED`` stream reset; ``None``: the reset's text.
    error_reset_after_downgrade: Fact[str | None] = attrs.field(
        factory=lambda: _not_observed(
            "the reset's text", "the client reports the first attempt's failure"
        )
    )
    #: What the user sees when the server answers its ClientHello with a protocol_version
    #: alert because no TLS version is enabled on both ends (R-PIPE-3); ``None``:
    #: :attr:`error_alert` for that alert (:meth:`no_common_version_text`).
    error_no_common_version: Fact[str | None] = attrs.field(
        factory=lambda: _not_observed(
            "the alert template's text for protocol_version",
            "the client words an unsupported protocol its own way",
        )
    )
    #: Repeats the request once on a new connection after a reset (R-CLI-15).
    retries_after_reset: Fact[bool] = attrs.field(
        factory=lambda: _guess(
            False,
            "Not observed; alternative: the client repeats the request once on a new "
            "connection, which ends the same way.",
        )
    )
    #: Ends the connection at the first CertificateRequest to ask its user (or a policy)
    #: which certificate to send, and repeats the request with that choice (R-CLI-16).
    asks_user_for_certificate: Fact[bool] = attrs.field(
        factory=lambda: _guess(
            False,
            "Taken to answer a CertificateRequest on the connection that got it; "
            "alternative: it asks its user first and repeats on a new connection (R-CLI-16).",
        )
    )
    #: Free-form remarks about the profile.
    notes: tuple[str, ...] = ()

    def http2_error_text(self, code: str) -> str:
        """What the client shows when a stream is reset with ``code`` (an RFC 9113 §7 name,
        e.g. ``HTTP_1_1_REQUIRED``) and it does not retry: :attr:`error_http2` filled in."""
        return self.error_http2.value.format(code=code, number=HTTP2_ERROR_CODES[code])

    def no_common_version_text(self) -> str:
        """What the client shows when the server refuses every TLS version it offered:
        :attr:`error_no_common_version`, or :attr:`error_alert` for ``protocol_version``."""
        text = self.error_no_common_version.value
        return self.error_alert.value.format(alert="protocol_version") if text is None else text

    def facts(self) -> Mapping[str, Fact[object]]:
        """Every field that is a :class:`Fact`, by field name, in declaration order."""
        return MappingProxyType(
            {
                f.name: value
                for f in attrs.fields(ClientProfile)
                if isinstance(value := getattr(self, f.name), Fact)
            }
        )

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import client_html

        return client_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import client_markdown

        return client_markdown(self)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_D = Confidence.DOCUMENTED
_P = Confidence.REPORTED
_I = Confidence.INFERRED

_ACCEPT = RenegotiationAnswer.ACCEPT
_REFUSE = RenegotiationAnswer.REFUSE
_WARNING = AlertLevel.WARNING
_FATAL = AlertLevel.FATAL


#: Profiles that offer ``post_handshake_auth`` only when they hold a client certificate
#: (R-CLI-13): without one the pipeline drops the offer.
PHA_NEEDS_CERTIFICATE: frozenset[str] = frozenset({"dotnet-linux"})


def _fact(value: T, *sources: str, c: Confidence = _P, note: str | None = None) -> Fact[T]:
    """A :class:`Fact` (reported unless told otherwise)."""
    return Fact(value=value, sources=tuple(sources), confidence=c, note=note)


def _guess(value: T, note: str, *sources: str) -> Fact[T]:
    """An inferred :class:`Fact`; ``note`` names the alternative."""
    return Fact(value=value, sources=tuple(sources) or ("MODEL",), confidence=_I, note=note)


_OBS = "OBS-LOOPBACK"


def _not_observed(default: str, alternative: str) -> Fact[str | None]:
    """An error fact no program showed yet: ``None``, the model shows ``default``."""
    return _guess(None, f"Not observed; taken to be {default}. Alternative: {alternative}.")


def _seen(value: T, note: str, *also: str, variants: tuple[T, ...] = ()) -> Fact[T]:
    """A fact observed by the real-client conformance suite (tests/clients/)."""
    return Fact(
        value=value,
        sources=(_OBS, *also),
        confidence=_P,
        note=f"observed: {note}",
        variants=variants,
    )


#: Where the error texts for a refused TLS version were observed.
_NO_COMMON = (
    "tests/clients/ (situation 'tls1.3-only vs client ≤1.2': the binding enables TLS 1.3 "
    "alone, the program offers TLS 1.2 at most, the endpoint answers protocol_version)"
)

_NOT_OBSERVED_H2 = "never exercised: http.sys does not renegotiate on h2 (R-REQ-2.h2)"

#: How Go's net/http reports every failure of ``Client.Get`` (``url.Error``).
_GO_GET = 'Get "<url>": '

_TLS13 = _fact(TlsVersion.TLS13, "S28")
_H2_H11 = ("h2", "http/1.1")

# OpenSSL-based clients share the library's defaults.
_OSSL_SECURE_RENEG = _fact(
    True,
    "OSSL-DOC-OPTIONS",
    c=_D,
    note="OpenSSL always attempts RFC 5746 secure renegotiation.",
)
_OSSL_MIDDLEBOX = _fact(
    True,
    "OSSL-DOC-OPTIONS",
    c=_D,
    note="SSL_OP_ENABLE_MIDDLEBOX_COMPAT is on by default (P-OSSL-10).",
)
_OSSL_REFUSAL = _fact(
    _WARNING,
    "OSSL-STATEM-CLNT",
    note="Only when SSL_OP_NO_RENEGOTIATION is set does an OpenSSL client refuse (P-OSSL-11).",
)
_OSSL_RENEG = _fact(
    _ACCEPT,
    "S28",
    "OSSL-STATEM-CLNT",
    note="The client attempts an abbreviated renegotiation, offering its session (P-OSSL-5).",
)

_DOTNET_H2_ERROR = _fact(
    "System.Net.Http.HttpRequestException: The HTTP/2 server reset the stream. "
    "HTTP/2 error code '{code}'.",
    "S36",
    note="Seen in gRPC clients against IIS; plain HttpClient retries instead when allowed.",
)
_DOTNET_TIMEOUT = _guess(
    "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the "
    "configured HttpClient.Timeout of 100 seconds elapsing.",
    "Wording varies across .NET versions; with a longer Timeout the server's two-minute "
    "renegotiation timer ends the connection first (reset).",
)

# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------

_CHROME = ClientProfile(
    id="chrome",
    name="Google Chrome",
    stack="boringssl",
    max_tls=_TLS13,
    min_tls=_guess(TlsVersion.TLS12, "Chrome 84+ removed TLS 1.0/1.1; older builds accept 1.0."),
    alpn=_fact(_H2_H11, "S28"),
    http3=_fact(
        True,
        "S37",
        note="Used after the server advertises h3 (Alt-Svc); R-PIPE-4.",
    ),
    offers_pha=_fact(False, "S28", "S1", note="BoringSSL does not implement PHA."),
    renegotiation_http11=_fact(
        _ACCEPT,
        "S28",
        "CHROMIUM-SSL-CLIENT",
        note="Also when no ALPN was negotiated (R-CLI-1).",
    ),
    renegotiation_h2=_fact(_REFUSE, "S28", "CHROMIUM-SSL-CLIENT"),
    refusal_level=_fact(_FATAL, "S28", "BSSL-SSL-LIB"),
    secure_renegotiation=_fact(True, "S28"),
    on_http_1_1_required=_fact(
        H11RetryPolicy.RETRY,
        "S28",
        "S1",
        note="Retries silently on a fresh HTTP/1.1 connection (R-CLI-4).",
    ),
    middlebox_compat=_guess(
        True,
        "BoringSSL clients send a 32-byte legacy_session_id in TLS 1.3 by default; not "
        "checked against the source here (alternative: empty session id).",
        "S28",
    ),
    error_reset=_fact(
        "ERR_CONNECTION_RESET",
        "S1",
        _OBS,
        c=_D,
        note="observed: Chromium 156 headless, tests/clients/ (chromium), on a reset after "
        "the request on TLS 1.2 and TLS 1.3 (the net error code its error page shows).",
    ),
    error_alert=_guess(
        "ERR_SSL_PROTOCOL_ERROR (TLS alert {alert})",
        "Chromium maps some alerts to their own codes (e.g. certificate alerts to "
        "ERR_BAD_SSL_CLIENT_AUTH_CERT); alternative wording per alert.",
        "S28",
    ),
    error_no_common_version=_seen(
        "ERR_SSL_VERSION_OR_CIPHER_MISMATCH",
        "Chromium 156 headless with --ssl-version-max=tls1.2, " + _NO_COMMON + ": four "
        "connections, each refused, then the error page's code (edge shares Chromium's network "
        "code). Was: the alert template (inferred).",
    ),
    error_http2=_fact(
        "ERR_{code}",
        "S28",
        note="HTTP_1_1_REQUIRED reads ERR_HTTP_1_1_REQUIRED (R-CLI-4); other stream "
        "errors read ERR_HTTP2_PROTOCOL_ERROR.",
    ),
    error_timeout=_guess(
        "ERR_TIMED_OUT",
        "ERR_CONNECTION_TIMED_OUT when the TCP connect itself times out.",
        "S28",
    ),
    retries_after_reset=_seen(
        False,
        "Chromium 156 headless, tests/clients/ (chromium): after a reset it sometimes sends "
        "the request again on a connection it had opened ahead, which ends the same way — a "
        "race, so one page load showed one to three identical attempts (the suite counts "
        "them once); the user sees one ERR_CONNECTION_RESET either way. Was: no, inferred "
        "(not observed).",
    ),
    asks_user_for_certificate=_seen(
        True,
        "Chromium 156 headless, tests/clients/ (chromium): with clientcertnegotiation=enable "
        "one or two connections end right after the CertificateRequest before one completes; "
        "on Server 2019's late demand the HTTP/1.1 connection ends at the renegotiation's "
        "CertificateRequest and a third connection renegotiates with the choice (R-CLI-16). "
        "Was: answered on the same connection (inferred default).",
    ),
    notes=("Renegotiation is allowed only on http/1.1 or no ALPN (R-CLI-1).",),
)

_EDGE = attrs.evolve(
    _CHROME,
    id="edge",
    name="Microsoft Edge",
    notes=(
        "Chromium with Edge's name: same BoringSSL stack and network code as Chrome.",
        *_CHROME.notes,
    ),
)

_FIREFOX = ClientProfile(
    id="firefox",
    name="Mozilla Firefox",
    stack="nss",
    max_tls=_TLS13,
    min_tls=_guess(
        TlsVersion.TLS12, "Firefox 78+ disables TLS 1.0/1.1 by default; a pref re-enables them."
    ),
    alpn=_fact(_H2_H11, "S28"),
    http3=_guess(True, "Firefox enables HTTP/3 by default in current releases; older: no.", "S37"),
    offers_pha=_fact(
        False,
        "S28",
        note="security.tls.enable_post_handshake_auth defaults to false (profile firefox-pha).",
    ),
    renegotiation_http11=_fact(
        _ACCEPT,
        "S28",
        note="Only with RFC 5746 peers (NSS default requires renegotiation_info); Schannel is one.",
    ),
    renegotiation_h2=_guess(
        _REFUSE,
        "NSS's renegotiation setting is global; whether Firefox refuses on h2 is not checked "
        "(alternative: accept). http.sys never asks on h2 (R-REQ-2.h2).",
        "S28",
    ),
    refusal_level=_guess(
        _WARNING,
        "NSS declines with a warning no_renegotiation as RFC 5746 §4.2 asks; alternative: fatal.",
        "S28",
        "RFC5746",
    ),
    secure_renegotiation=_fact(True, "S28"),
    on_http_1_1_required=_fact(
        H11RetryPolicy.RETRY,
        "S45",
        "S28",
        note="Gecko turns an HTTP_1_1_REQUIRED reset into NS_ERROR_NET_RESET and disables "
        "HTTP/2 for the host, so the request is retried over HTTP/1.1 (R-CLI-4).",
    ),
    middlebox_compat=_guess(
        True,
        "NSS sends a non-empty legacy_session_id in TLS 1.3 by default; alternative: empty.",
        "S28",
    ),
    error_reset=_seen(
        "Secure Connection Failed (PR_CONNECT_RESET_ERROR)",
        "Firefox ESR 153 headless, tests/clients/ (firefox-esr): its error page's heading and "
        "'Error Code: PR_CONNECT_RESET_ERROR', for a reset after the request on TLS 1.2 and "
        "TLS 1.3 (NSS reads it as a TLS failure). Was: 'The connection was reset "
        "(NS_ERROR_NET_RESET)' (inferred; what a reset of a plain-HTTP connection shows).",
    ),
    retries_after_reset=_seen(
        False,
        "Firefox ESR 153 headless, tests/clients/ (firefox-esr): after a reset it sent the "
        "request again on new HTTP/1.1 connections, each reset, ten attempts in all before its "
        "error page (the suite counts identical attempts once); the user sees one error page. "
        "Was: no, inferred (not observed).",
    ),
    error_alert=_guess(
        "Secure Connection Failed (TLS alert {alert})",
        "Firefox names the alert as an NSS code such as SSL_ERROR_HANDSHAKE_FAILURE_ALERT.",
        "S28",
    ),
    error_no_common_version=_seen(
        "Secure Connection Failed (SSL_ERROR_PROTOCOL_VERSION_ALERT)",
        "Firefox ESR 153 headless with security.tls.version.max=3, " + _NO_COMMON + ": two "
        "connections, each refused; the page says 'Peer reports incompatible or unsupported "
        "protocol version.' and shows the code under Advanced. Was: the alert template "
        "(inferred).",
    ),
    error_http2=_guess(
        "Firefox error page: HTTP/2 stream error {code}",
        "The exact Necko error name is not checked; Firefox normally retries over HTTP/1.1.",
        "S28",
    ),
    error_timeout=_guess(
        "The connection has timed out (NS_ERROR_NET_TIMEOUT)",
        "Firefox may keep waiting instead; wording per version.",
        "S28",
    ),
)

_FIREFOX_PHA = attrs.evolve(
    _FIREFOX,
    id="firefox-pha",
    name="Mozilla Firefox (security.tls.enable_post_handshake_auth = true)",
    offers_pha=_fact(
        True,
        "S28",
        note="The pref makes NSS offer post_handshake_auth in every ClientHello, h2 or not.",
    ),
    notes=("Firefox with the PHA pref switched on in about:config.",),
)

_SAFARI = ClientProfile(
    id="safari",
    name="Apple Safari",
    stack="securetransport",
    max_tls=_fact(TlsVersion.TLS13, "TLSWG-IMPL", note="TLS 1.3 since macOS High Sierra / iOS 11."),
    min_tls=_guess(TlsVersion.TLS12, "Apple deprecated TLS 1.0/1.1 in 2022 releases; older: 1.0."),
    alpn=_guess(_H2_H11, "Safari offers h2 like other browsers; not checked.", "S28"),
    http3=_guess(True, "HTTP/3 is on in current Safari; older releases: off.", "S28"),
    offers_pha=_guess(False, "Alternative: Safari offers post_handshake_auth (R-CLI-11).", "S28"),
    renegotiation_http11=_guess(_ACCEPT, "Like Chrome (R-CLI-11); alternative: refuse.", "S28"),
    renegotiation_h2=_guess(_REFUSE, "Like Chrome (R-CLI-11); alternative: accept.", "S28"),
    refusal_level=_guess(_FATAL, "Like BoringSSL; alternative: warning.", "S28"),
    secure_renegotiation=_guess(True, "Alternative: no RFC 5746 signal.", "S28"),
    on_http_1_1_required=_guess(
        H11RetryPolicy.RETRY, "Like Chrome (R-CLI-11); alternative: fail.", "S28"
    ),
    middlebox_compat=_guess(True, "Alternative: empty legacy_session_id.", "S28"),
    error_reset=_guess(
        "Safari Can't Open the Page: the server unexpectedly dropped the connection",
        "Wording differs across Safari versions.",
        "S28",
    ),
    error_alert=_guess(
        "Safari Can't Open the Page: Safari can't establish a secure connection to the server "
        "(TLS alert {alert})",
        "Safari does not name the alert; the suffix is ours.",
        "S28",
    ),
    error_http2=_guess(
        "Safari Can't Open the Page (HTTP/2 error {code})",
        "Wording not checked; Safari normally retries over HTTP/1.1.",
        "S28",
    ),
    error_timeout=_guess(
        "Safari Can't Open the Page: the request timed out",
        "Wording not checked.",
        "S28",
    ),
    notes=(
        "No source describes Safari's TLS client here; every behavioural value copies Chrome "
        "(R-CLI-11). Current Safari uses Network.framework rather than SecureTransport.",
    ),
)

_CURL = ClientProfile(
    id="curl",
    name="curl (≥ 7.62, OpenSSL ≥ 1.1.1)",
    stack="openssl",
    max_tls=_TLS13,
    min_tls=_guess(
        TlsVersion.TLS12,
        "OpenSSL 3's default security level and recent curl defaults rule out TLS 1.0/1.1; "
        "older builds allow 1.0.",
    ),
    alpn=_fact(_H2_H11, "S29", note="When built with HTTP/2 support (nghttp2), as usual."),
    http3=_guess(False, "curl speaks HTTP/3 only with --http3; alternative: true with it."),
    offers_pha=_fact(
        True,
        "S28",
        "CURL-VTLS-OPENSSL",
        note="Set on every OpenSSL context since curl 7.62 (PR #3027).",
    ),
    renegotiation_http11=_OSSL_RENEG,
    renegotiation_h2=_guess(
        _ACCEPT,
        "curl does not switch OpenSSL's renegotiation off for h2; never exercised because "
        "http.sys does not renegotiate on h2 (R-REQ-2.h2). Alternative: refuse.",
        "OSSL-STATEM-CLNT",
    ),
    refusal_level=_OSSL_REFUSAL,
    secure_renegotiation=_OSSL_SECURE_RENEG,
    on_http_1_1_required=_fact(
        H11RetryPolicy.RETRY,
        "S29",
        note="Prints the stream error, then 'Downgrades to HTTP/1.1!' and retries.",
    ),
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_fact(
        "curl: (56) Recv failure: Connection reset by peer",
        "S28",
        _OBS,
        note="observed: curl 7.88.1 with --http1.1, tests/clients/ (curl-http11), as the client "
        "sources give it (Unix builds); Windows builds word errno 10054. After an HTTP/2 "
        "downgrade curl shows error_reset_after_downgrade instead.",
    ),
    error_reset_after_downgrade=_seen(
        "curl: (56) Empty reply from server",
        "curl 7.88.1, tests/clients/ (curl): after 'HTTP/2 stream 1 was not closed cleanly: "
        "HTTP_1_1_REQUIRED (err 13)' and 'Downgrades to HTTP/1.1', the retry's reset ends the "
        "transfer with code 56 but curl's error buffer keeps the first attempt's message. Was: "
        "the reset's text (inferred default).",
    ),
    error_alert=_guess(
        "curl: (56) OpenSSL SSL_read: SSL routines::{alert}, errno 0",
        "The real text carries OpenSSL's packed error code and reason string (e.g. 'sslv3 "
        "alert handshake failure'); during a handshake curl reports error 35 instead.",
        "CURL-VTLS-OPENSSL",
    ),
    error_no_common_version=_seen(
        "curl: (35) OpenSSL/3.0.19: error:0A00042E:SSL routines::tlsv1 alert protocol version",
        "curl 7.88.1 (OpenSSL 3.0.19) with --tls-max 1.2, " + _NO_COMMON + ": curl reports the "
        "alert during the handshake (code 35) with OpenSSL's reason string. Was: the alert "
        "template (inferred).",
    ),
    error_http2=_fact(
        "curl: (92) HTTP/2 stream 1 was not closed cleanly: {code}",
        "S29",
        note="curl appends the numeric code, e.g. '(err 13)' for HTTP_1_1_REQUIRED.",
    ),
    error_timeout=_guess(
        "curl: (28) Operation timed out",
        "The real text adds elapsed milliseconds and bytes received; without --max-time curl "
        "waits for the server to close.",
    ),
)

_PYTHON_REQUESTS = ClientProfile(
    id="python-requests",
    name="Python requests / urllib3 / http.client",
    stack="openssl",
    max_tls=_TLS13,
    min_tls=_guess(
        TlsVersion.TLS12,
        "urllib3 2.x and CPython 3.10+ default contexts set TLS 1.2 as the minimum; older "
        "versions allow 1.0.",
    ),
    alpn=_fact(("http/1.1",), "URLLIB3-SSL", "CPY-HTTP-CLIENT"),
    http3=_fact(False, "URLLIB3-SSL", note="HTTP/1.1 only."),
    offers_pha=_fact(
        True,
        "S28",
        "URLLIB3-SSL",
        "CPY-HTTP-CLIENT",
        note="Both urllib3 and http.client switch post_handshake_auth on (bpo-37440).",
    ),
    renegotiation_http11=_OSSL_RENEG,
    renegotiation_h2=_guess(
        _ACCEPT,
        "Never exercised: only http/1.1 is offered. OpenSSL's default would accept.",
        "OSSL-STATEM-CLNT",
    ),
    refusal_level=_OSSL_REFUSAL,
    secure_renegotiation=_OSSL_SECURE_RENEG,
    on_http_1_1_required=_fact(H11RetryPolicy.NOT_APPLICABLE, "URLLIB3-SSL"),
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_seen(
        "requests.exceptions.ConnectionError: ('Connection aborted.', "
        "RemoteDisconnected('Remote end closed connection without response'))",
        "requests 2.34 on Python 3.11 / OpenSSL 3, tests/clients/ (python-requests): CPython's "
        "ssl module reads the TCP reset after the TLS handshake as an end of file, so "
        "http.client raises RemoteDisconnected. Was: ('Connection aborted.', "
        "ConnectionResetError(104, 'Connection reset by peer')) (S28), what a reset outside "
        "TLS gives; on Windows errno 10054, 'An existing connection was forcibly closed by the "
        "remote host'.",
        "S28",
    ),
    error_alert=_guess(
        "requests.exceptions.SSLError: [SSL: {alert}] (_ssl.c)",
        "The real text wraps it in HTTPSConnectionPool(...): Max retries exceeded ... with "
        "OpenSSL's upper-case reason code.",
        "CPY-HTTP-CLIENT",
    ),
    error_no_common_version=_seen(
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='<host>', port=<port>): Max "
        "retries exceeded with url: / (Caused by SSLError(SSLError(1, '[SSL: "
        "TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:1006)')))",
        "requests 2.34 / urllib3 2.8 on CPython 3.11.7, through an SSL context with "
        "maximum_version TLS 1.2, " + _NO_COMMON + ". Was: the alert template (inferred).",
    ),
    error_http2=_fact(
        "n/a (HTTP/1.1 only; no HTTP/2 error {code})",
        "URLLIB3-SSL",
    ),
    error_timeout=_guess(
        "requests.exceptions.ReadTimeout",
        "Only with a timeout set; by default requests waits until the server closes.",
    ),
)

_GO = ClientProfile(
    id="go",
    name="Go net/http (default Transport)",
    stack="go-crypto-tls",
    max_tls=_TLS13,
    min_tls=_guess(TlsVersion.TLS12, "Go 1.18+ clients default to TLS 1.2 minimum; older: 1.0."),
    alpn=_fact(_H2_H11, "S28", note="The default Transport negotiates h2 automatically."),
    http3=_fact(False, "S28", note="net/http has no HTTP/3."),
    offers_pha=_fact(False, "S28", note="crypto/tls does not implement post-handshake auth."),
    renegotiation_http11=_fact(
        _REFUSE,
        "S24",
        "S28",
        "GO-TLS-CONN",
        note="RenegotiateNever by default; RenegotiateOnceAsClient makes it accept (S24 #438).",
    ),
    renegotiation_h2=_fact(_REFUSE, "GO-TLS-CONN"),
    refusal_level=_fact(_WARNING, "GO-TLS-CONN"),
    secure_renegotiation=_fact(True, "S28"),
    error_renegotiation_refused=_seen(
        _GO_GET + "local error: tls: no renegotiation",
        "Go 1.19 with HTTP/2 off (TLSNextProto empty), tests/clients/ (go-http11): Go reports "
        "its own refusal, not the reset. Was: the reset's text (inferred default), then the "
        "text without net/http's 'Get \"<url>\": '.",
    ),
    on_http_1_1_required=_fact(
        H11RetryPolicy.FAIL,
        "OBS-LOOPBACK",
        note="observed: Go 1.19 net/http default client, tests/clients/ — it surfaces the "
        "stream error and does not retry. Was: retry (inferred, from S28).",
    ),
    middlebox_compat=_guess(
        True,
        "Go sends a random 32-byte legacy_session_id in TLS 1.3; not checked here.",
        "S28",
    ),
    error_reset=_seen(
        _GO_GET + "read tcp <addr>-><addr>: read: connection reset by peer",
        "Go 1.19 on Linux, tests/clients/ (go-http11, go). On Windows the socket error reads "
        "'wsarecv: An existing connection was forcibly closed by the remote host.' (S24; the "
        "variant). Was: that Windows text alone.",
        "S24",
        variants=(
            _GO_GET
            + "read tcp <addr>-><addr>: wsarecv: An existing connection was forcibly closed by "
            "the remote host.",
        ),
    ),
    error_alert=_guess(
        _GO_GET + "remote error: tls: {alert}",
        "Go's wording for a received alert, with net/http's prefix as observed for the other "
        "errors; a local refusal reads 'local error: tls: no renegotiation'.",
        "GO-TLS-CONN",
    ),
    error_no_common_version=_seen(
        _GO_GET + "remote error: tls: protocol version not supported",
        "Go 1.19 with tls.Config.MaxVersion TLS 1.2, " + _NO_COMMON + " (go, go-http11, "
        "go-custom-transport): crypto/tls names the alert in words. Was: the alert template "
        "(inferred).",
    ),
    error_http2=_seen(
        _GO_GET + "stream error: stream ID 1; {code}; received from peer",
        "Go 1.19, tests/clients/ (go). Was: the same text without net/http's prefix, inferred.",
    ),
    error_timeout=_guess(
        _GO_GET + "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        "Only with Client.Timeout set; the default client waits.",
        "S28",
    ),
)

_JAVA = ClientProfile(
    id="java",
    name="Java (JSSE, HttpsURLConnection)",
    stack="jsse",
    max_tls=_fact(TlsVersion.TLS13, "TLSWG-IMPL", note="JDK 11 and later."),
    min_tls=_guess(
        TlsVersion.TLS12, "Current JDKs disable TLS 1.0/1.1 by default; older ones allow them."
    ),
    alpn=_fact(
        (),
        "S28",
        note="HttpsURLConnection sends no ALPN; java.net.http.HttpClient would offer h2.",
    ),
    http3=_fact(False, "S28"),
    offers_pha=_fact(
        False, "TLSWG-IMPL", "S28", note="JSSE does not implement post_handshake_auth."
    ),
    renegotiation_http11=_fact(
        _ACCEPT,
        "S28",
        note="With RFC 5746 peers; otherwise a fatal handshake_failure (R-CLI-8).",
    ),
    renegotiation_h2=_guess(
        _REFUSE,
        "Never exercised (no ALPN); alternative: accept.",
        "S28",
    ),
    refusal_level=_fact(
        _FATAL,
        "S28",
        note="JSSE refuses insecure renegotiation with a fatal handshake_failure, not "
        "no_renegotiation.",
    ),
    secure_renegotiation=_fact(True, "S28"),
    on_http_1_1_required=_fact(H11RetryPolicy.NOT_APPLICABLE, "S28"),
    middlebox_compat=_fact(True, "TLSWG-IMPL"),
    error_reset=_fact(
        "java.net.SocketException: Connection reset",
        "S28",
        "BC-JAVA-593",
        "OBS-LOOPBACK",
        note="observed: OpenJDK 17, tests/clients/ (java), after its one repeat of the request.",
    ),
    retries_after_reset=_fact(
        True,
        "OBS-LOOPBACK",
        note="observed: OpenJDK 17 HttpsURLConnection sends the GET again on a new connection "
        "after the reset (tests/clients/). Was: no (inferred default).",
    ),
    error_alert=_guess(
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: {alert}",
        "JSSE's usual wording; an SSLException is thrown when the alert arrives after the "
        "handshake.",
        "S28",
    ),
    error_no_common_version=_seen(
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
        "OpenJDK 17 with -Djdk.tls.client.protocols=TLSv1.2, " + _NO_COMMON + ": the alert "
        "template's text, inferred until then",
    ),
    error_http2=_fact("n/a (HttpsURLConnection speaks HTTP/1.1; no HTTP/2 error {code})", "S28"),
    error_timeout=_guess(
        "java.net.SocketTimeoutException: Read timed out",
        "Only with a read timeout set; by default the client waits.",
        "S28",
    ),
)

_DOTNET_WINDOWS = ClientProfile(
    id="dotnet-windows",
    name=".NET HttpClient on Windows (SslStream over Schannel)",
    stack="schannel",
    max_tls=_guess(
        TlsVersion.TLS13,
        "On Windows 11 / Server 2022+ (R-REL-1); on Windows 10 the maximum is 1.2.",
        "S3",
    ),
    min_tls=_guess(
        TlsVersion.TLS12, "Follows the OS defaults (R-REL-2); older Windows still allow 1.0.", "S4"
    ),
    alpn=_fact(
        (),
        "DOTNET-HTTP-POOL",
        note="Default requests are HTTP/1.1 and carry no ALPN; with request Version 2.0 the "
        "connection offers h2, http/1.1 and disallows renegotiation (R-CLI-9).",
    ),
    http3=_fact(False, "DOTNET-HTTP-POOL", note="Only when a request asks for HTTP/3."),
    offers_pha=_guess(
        False,
        "Inferred (evidence pass 3): Schannel implements post-handshake auth on both sides "
        "(S42), so whether .NET's Schannel client offers post_handshake_auth is not known; "
        "alternative: it offers it (then a pre-24H2 TLS 1.3 late demand gives no certificate "
        "instead of a reset, R-REQ-2.tls13-pha).",
        "S28",
        "S42",
    ),
    renegotiation_http11=_fact(_ACCEPT, "S28"),
    renegotiation_h2=_fact(
        _REFUSE,
        "S30",
        "DOTNET-HTTP-POOL",
        note="AllowRenegotiation = false on HTTP/2-capable connections, also when they end up "
        "on HTTP/1.1 (R-CLI-9).",
    ),
    refusal_level=_guess(
        _FATAL,
        "SslStream raises 'The remote party requested renegotiation when AllowRenegotiation "
        "was set to false.' and closes; whether an alert goes out first is not known "
        "(alternative: close without alert).",
        "S30",
    ),
    secure_renegotiation=_fact(True, "S25"),
    on_http_1_1_required=_fact(
        H11RetryPolicy.RETRY,
        "S28",
        note="Only when the request's version policy allows a lower version (the default).",
    ),
    middlebox_compat=_guess(
        True,
        "Schannel's TLS 1.3 client is taken to send a legacy_session_id; alternative: empty.",
        "S28",
    ),
    error_reset=_guess(
        "System.Net.Http.HttpRequestException: An error occurred while sending the request. "
        "---> System.IO.IOException: Unable to read data from the transport connection: An "
        "existing connection was forcibly closed by the remote host.",
        "Wording varies across .NET versions.",
        "S28",
    ),
    error_alert=_guess(
        "System.Security.Authentication.AuthenticationException: Authentication failed "
        "(TLS alert {alert})",
        "Schannel reports alerts as Win32 errors; the suffix is ours.",
        "S28",
    ),
    error_http2=_DOTNET_H2_ERROR,
    error_timeout=_DOTNET_TIMEOUT,
)

_DOTNET_LINUX = ClientProfile(
    id="dotnet-linux",
    name=".NET HttpClient on Linux (SslStream over OpenSSL)",
    stack="openssl",
    max_tls=_TLS13,
    min_tls=_guess(
        TlsVersion.TLS12, "Follows the system OpenSSL policy; some distributions allow 1.0."
    ),
    alpn=_DOTNET_WINDOWS.alpn,
    http3=_DOTNET_WINDOWS.http3,
    offers_pha=_fact(
        True,
        "DOTNET-OPENSSL-INTEROP",
        "S28",
        note="Only when client certificates or a selection callback are configured. The model "
        "assumes a configured certificate when the client holds one; a scenario whose client "
        "holds no certificate offers no PHA (R-CLI-13). A scenario may override this field.",
    ),
    renegotiation_http11=_OSSL_RENEG,
    renegotiation_h2=_guess(
        _REFUSE,
        "AllowRenegotiation = false on HTTP/2-capable connections, as on Windows; how the "
        "OpenSSL PAL enforces it is not checked (alternative: accept).",
        "DOTNET-HTTP-POOL",
    ),
    refusal_level=_guess(
        _WARNING,
        "An OpenSSL client refusing renegotiation sends a warning; alternative: SslStream "
        "closes without an alert.",
        "OSSL-STATEM-CLNT",
    ),
    secure_renegotiation=_OSSL_SECURE_RENEG,
    on_http_1_1_required=_DOTNET_WINDOWS.on_http_1_1_required,
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_guess(
        "System.Net.Http.HttpRequestException: An error occurred while sending the request. "
        "---> System.IO.IOException: Unable to read data from the transport connection: "
        "Connection reset by peer.",
        "Wording varies across .NET versions.",
        "S28",
    ),
    error_alert=_guess(
        "System.Security.Authentication.AuthenticationException: The SSL connection could not "
        "be established (TLS alert {alert})",
        "The inner OpenSSL error names the alert differently.",
        "S28",
    ),
    error_http2=_DOTNET_H2_ERROR,
    error_timeout=_DOTNET_TIMEOUT,
)

_RUSTLS = ClientProfile(
    id="rustls",
    name="rustls-based clients (reqwest, Deno)",
    stack="rustls",
    max_tls=_fact(TlsVersion.TLS13, "S23"),
    min_tls=_guess(
        TlsVersion.TLS12, "rustls implements TLS 1.2 and 1.3 only; no alternative below 1.2."
    ),
    alpn=_guess(
        _H2_H11,
        "reqwest with HTTP/2 enabled and Deno's fetch offer h2; http/1.1-only builds offer "
        "('http/1.1',).",
        "S31",
    ),
    http3=_guess(False, "reqwest's HTTP/3 is an unstable opt-in; alternative: true.", "S31"),
    offers_pha=_fact(False, "S23", "S28", note="rustls does not implement post-handshake auth."),
    renegotiation_http11=_fact(
        _REFUSE,
        "S23",
        "RUSTLS-COMMON",
        note="Contradicts our first reading ('ignores HelloRequest'): rustls answers with a "
        "warning no_renegotiation; http.sys resets either way (R-CLI-7).",
    ),
    renegotiation_h2=_fact(_REFUSE, "RUSTLS-COMMON"),
    refusal_level=_fact(_WARNING, "RUSTLS-COMMON", "S23"),
    secure_renegotiation=_guess(
        True,
        "rustls signals RFC 5746 support in TLS 1.2 ClientHellos; not checked here.",
        "S28",
    ),
    on_http_1_1_required=_guess(
        H11RetryPolicy.FAIL,
        "hyper/reqwest surface the stream error; alternative: retry.",
        "S31",
    ),
    middlebox_compat=_guess(
        True,
        "rustls sends a legacy_session_id in TLS 1.3 by default; alternative: empty.",
        "S28",
    ),
    error_reset=_fact(
        "Connection reset by peer",
        "S23",
        "S31",
        note="reqwest wraps it: 'error sending request for url (...)' ... '(os error 104)'.",
    ),
    error_alert=_guess(
        "received fatal alert: {alert}",
        "rustls' wording for a received alert; reqwest wraps it.",
        "S23",
    ),
    error_http2=_guess(
        "http2 error: stream error received: {code}",
        "hyper's wording; not checked against a live run.",
        "S31",
    ),
    error_timeout=_guess(
        "operation timed out",
        "Only with a timeout set; wording per crate.",
        "S31",
    ),
)


_PYTHON_HTTPX = ClientProfile(
    id="python-httpx",
    name="Python httpx with HTTP/2 (http2=True, an ssl context)",
    stack="openssl",
    max_tls=_seen(TlsVersion.TLS13, "Python 3.11, OpenSSL 3"),
    min_tls=_guess(TlsVersion.TLS12, "CPython's default context sets TLS 1.2 as the minimum."),
    alpn=_seen(("http/1.1", "h2"), "httpx 0.28 with http2=True lists http/1.1 first"),
    http3=_fact(False, _OBS, note="httpx has no HTTP/3."),
    offers_pha=_seen(
        False,
        "with the ssl context the program passes (ssl.create_default_context); "
        "post_handshake_auth stays off",
    ),
    renegotiation_http11=_OSSL_RENEG,
    renegotiation_h2=_guess(_ACCEPT, _NOT_OBSERVED_H2 + "; OpenSSL's default would accept."),
    refusal_level=_OSSL_REFUSAL,
    secure_renegotiation=_seen(True, "renegotiation_info / SCSV in its ClientHello"),
    on_http_1_1_required=_seen(
        H11RetryPolicy.FAIL, "httpx raises RemoteProtocolError and does not retry"
    ),
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_seen(
        "httpx.RemoteProtocolError: Server disconnected without sending a response.",
        "httpx 0.29 on Python 3.11 / OpenSSL 3, tests/clients/ (python-httpx, HTTP/2 off at "
        "the server): httpcore's wording for a connection closed before the response. Was: "
        "the same text, inferred (alternative then: httpx.ReadError: [Errno 104] Connection "
        "reset by peer).",
    ),
    error_alert=_guess(
        "httpx.ConnectError: [SSL: {alert}] (_ssl.c)",
        "httpx wraps ssl.SSLError in ConnectError; wording per alert.",
        "CPY-HTTP-CLIENT",
    ),
    error_no_common_version=_seen(
        "httpx.ConnectError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version "
        "(_ssl.c:1006)",
        "httpx 0.29 on CPython 3.11.7, maximum_version TLS 1.2, "
        + _NO_COMMON
        + ". Was: the alert template (inferred).",
    ),
    error_http2=_seen(
        "httpx.RemoteProtocolError: <StreamReset stream_id:1, error_code:{number}, "
        "remote_reset:True>",
        "httpx 0.29 / h2 4, tests/clients/ (python-httpx): the code as its number (13 for "
        "HTTP_1_1_REQUIRED). Was: the code's name in its place.",
    ),
    error_timeout=_guess("httpx.ReadTimeout: The read operation timed out", "With a timeout set."),
)

_PYTHON_URLLIB = ClientProfile(
    id="python-urllib",
    name="Python urllib.request / http.client with an ssl context",
    stack="openssl",
    max_tls=_seen(TlsVersion.TLS13, "Python 3.11, OpenSSL 3"),
    min_tls=_guess(TlsVersion.TLS12, "CPython's default context sets TLS 1.2 as the minimum."),
    alpn=_seen(
        (),
        "no ALPN extension when the caller passes its own context (http.client sets "
        "http/1.1 and post_handshake_auth only on the context it makes itself)",
    ),
    http3=_fact(False, _OBS, note="HTTP/1.1 only."),
    offers_pha=_seen(False, "with the caller's ssl.create_default_context()"),
    renegotiation_http11=_seen(_ACCEPT, "the HelloRequest is answered with a full handshake"),
    renegotiation_h2=_guess(_ACCEPT, "Never exercised: only HTTP/1.1 is spoken."),
    refusal_level=_OSSL_REFUSAL,
    secure_renegotiation=_seen(True, "renegotiation_info / SCSV in its ClientHello"),
    on_http_1_1_required=_fact(H11RetryPolicy.NOT_APPLICABLE, _OBS, note="HTTP/1.1 only."),
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_seen(
        "http.client.RemoteDisconnected: Remote end closed connection without response",
        "Python 3.11 / OpenSSL 3, tests/clients/ (python-urllib): CPython's ssl reports the "
        "TCP reset during TLS as an end of file",
    ),
    error_alert=_guess(
        "urllib.error.URLError: <urlopen error [SSL: {alert}] (_ssl.c)>",
        "urllib wraps ssl.SSLError in URLError; wording per alert.",
        "CPY-HTTP-CLIENT",
    ),
    error_no_common_version=_seen(
        "urllib.error.URLError: <urlopen error [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert "
        "protocol version (_ssl.c:1006)>",
        "CPython 3.11.7, maximum_version TLS 1.2, "
        + _NO_COMMON
        + ". Was: the alert template (inferred).",
    ),
    error_http2=_fact("n/a (HTTP/1.1 only; no HTTP/2 error {code})", _OBS),
    error_timeout=_guess("TimeoutError: The read operation timed out", "With a timeout set."),
)

_GO_CUSTOM = ClientProfile(
    id="go-custom-transport",
    name="Go net/http, custom Transport with a client certificate and RenegotiateOnceAsClient",
    stack="go-crypto-tls",
    max_tls=_seen(TlsVersion.TLS13, "Go 1.19"),
    min_tls=_guess(TlsVersion.TLS12, "Go 1.18+ clients default to TLS 1.2 minimum."),
    alpn=_seen(
        (),
        "a Transport with its own TLSClientConfig and no ForceAttemptHTTP2 speaks HTTP/1.1 and "
        "sends no ALPN",
    ),
    http3=_fact(False, _OBS, note="net/http has no HTTP/3."),
    offers_pha=_seen(False, "crypto/tls has no post-handshake auth"),
    renegotiation_http11=_seen(
        _ACCEPT, "tls.RenegotiateOnceAsClient answers the HelloRequest", "S24"
    ),
    renegotiation_h2=_fact(_REFUSE, "GO-TLS-CONN", note=_NOT_OBSERVED_H2 + "."),
    refusal_level=_fact(_WARNING, "GO-TLS-CONN"),
    secure_renegotiation=_seen(True, "renegotiation_info in its ClientHello"),
    on_http_1_1_required=_fact(H11RetryPolicy.NOT_APPLICABLE, _OBS, note="HTTP/1.1 only."),
    middlebox_compat=_guess(True, "Go sends a 32-byte legacy_session_id; not checked.", "S28"),
    error_reset=_seen(
        _GO.error_reset.value,
        "Go 1.19 on Linux, tests/clients/ (go-custom-transport); on Windows the socket error "
        "reads 'wsarecv: An existing connection was forcibly closed by the remote host.' "
        "(S24; the variant). Was: the same text without net/http's 'Get \"<url>\": ', its "
        "addresses written 127.0.0.1:PORT->SERVER.",
        "S24",
        variants=_GO.error_reset.variants,
    ),
    error_alert=_GO.error_alert,
    error_no_common_version=_GO.error_no_common_version,
    error_http2=_fact("n/a (HTTP/1.1 only; no HTTP/2 error {code})", _OBS),
    error_timeout=_GO.error_timeout,
)

_JAVA_HTTPCLIENT = ClientProfile(
    id="java-httpclient",
    name="Java java.net.http.HttpClient (JDK 11+)",
    stack="jsse",
    max_tls=_seen(TlsVersion.TLS13, "OpenJDK 17"),
    min_tls=_guess(TlsVersion.TLS12, "Current JDKs disable TLS 1.0/1.1 by default."),
    alpn=_seen(("h2", "http/1.1"), "OpenJDK 17 HttpClient's default version is HTTP/2"),
    http3=_fact(False, _OBS, note="No HTTP/3 in JDK 17."),
    offers_pha=_seen(False, "JSSE does not implement post_handshake_auth", "TLSWG-IMPL"),
    renegotiation_http11=_fact(
        _ACCEPT,
        "S28",
        note="JSSE's answer (as for HttpsURLConnection); not exercised: HttpClient speaks h2 here.",
    ),
    renegotiation_h2=_guess(_REFUSE, _NOT_OBSERVED_H2 + "; alternative: accept.", "S28"),
    refusal_level=_fact(_FATAL, "S28", note="JSSE refuses with a fatal handshake_failure."),
    secure_renegotiation=_seen(True, "renegotiation_info / SCSV in its ClientHello"),
    on_http_1_1_required=_seen(
        H11RetryPolicy.FAIL, "OpenJDK 17 throws IOException and does not retry over HTTP/1.1"
    ),
    middlebox_compat=_fact(True, "TLSWG-IMPL"),
    error_reset=_seen(
        "java.io.IOException: HTTP/1.1 header parser received no bytes",
        "OpenJDK 17, tests/clients/ (java-httpclient, HTTP/2 off at the server), after its "
        "one repeat of the request (R-CLI-15). Was: java.io.IOException: Connection reset "
        "(inferred; alternative then: java.net.SocketException: Connection reset).",
    ),
    retries_after_reset=_seen(
        True,
        "OpenJDK 17's HttpClient sends the GET again on a new connection after a reset on "
        "HTTP/1.1, as an HTTP/1.1 exchange without ALPN (tests/clients/). Was: no (inferred "
        "default).",
    ),
    error_alert=_guess(
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: {alert}",
        "JSSE's usual wording.",
        "S28",
    ),
    error_no_common_version=_seen(
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
        "OpenJDK 17 with -Djdk.tls.client.protocols=TLSv1.2, " + _NO_COMMON + ": the alert "
        "template's text, inferred until then",
    ),
    error_http2=_seen(
        "java.io.IOException: Received RST_STREAM: Use HTTP/1.1 for request",
        "OpenJDK 17, tests/clients/ (java-httpclient): the JDK names the code in its own words "
        "('Use HTTP/1.1 for request' is HTTP_1_1_REQUIRED, 0xd). Was: the same text with "
        "'(HTTP_1_1_REQUIRED)' appended by us.",
    ),
    error_timeout=_guess(
        "java.net.http.HttpTimeoutException: request timed out",
        "Only with a request timeout set.",
        "S28",
    ),
)

_NODE = ClientProfile(
    id="node",
    name="Node.js https module",
    stack="openssl",
    max_tls=_seen(TlsVersion.TLS13, "Node.js 20, OpenSSL 3"),
    min_tls=_guess(TlsVersion.TLS12, "Node.js 20 defaults to TLS 1.2 as the minimum."),
    alpn=_seen((), "https.get sends no ALPN extension"),
    http3=_fact(False, _OBS, note="HTTP/1.1 only."),
    offers_pha=_seen(False, "Node.js does not switch OpenSSL's post_handshake_auth on"),
    renegotiation_http11=_seen(_ACCEPT, "Node.js 20 answers the HelloRequest"),
    renegotiation_h2=_guess(_ACCEPT, "Never exercised: only HTTP/1.1 is spoken."),
    refusal_level=_OSSL_REFUSAL,
    secure_renegotiation=_seen(True, "renegotiation_info / SCSV in its ClientHello"),
    on_http_1_1_required=_fact(H11RetryPolicy.NOT_APPLICABLE, _OBS, note="HTTP/1.1 only."),
    middlebox_compat=_OSSL_MIDDLEBOX,
    error_reset=_seen(
        "Error: socket hang up (code ECONNRESET)",
        "Node.js 20, tests/clients/ (node): a race in the client — after a reset on TLS 1.3 "
        "most runs end the socket first ('socket hang up'), some see the read fail (the "
        "variant, also what every TLS 1.2 run shows).",
        variants=("Error: read ECONNRESET (code ECONNRESET)",),
    ),
    error_alert=_guess(
        "Error: {alert} (code ERR_SSL_...)",
        "Node.js reports OpenSSL's reason with an ERR_SSL_* code.",
        "S28",
    ),
    error_no_common_version=_seen(
        "Error: write EPROTO <thread>:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert "
        "protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number "
        "70",
        "Node.js 20.20 (its own OpenSSL) with --tls-max-v1.2, " + _NO_COMMON + ": the first "
        "line of the error; <thread> stands for the hexadecimal thread id OpenSSL writes before "
        "each error. Was: the alert template (inferred).",
    ),
    error_http2=_fact("n/a (HTTP/1.1 only; no HTTP/2 error {code})", _OBS),
    error_timeout=_guess("Error: socket hang up", "Only with a timeout that aborts the request."),
)

_NODE_FETCH = attrs.evolve(
    _NODE,
    id="node-fetch",
    name="Node.js global fetch (undici)",
    alpn=_seen(("http/1.1",), "Node.js 20's fetch offers http/1.1 only"),
    error_reset=_seen(
        "TypeError: fetch failed (cause: SocketError: other side closed, UND_ERR_SOCKET)",
        "Node.js 20, tests/clients/ (node-fetch): a race in undici — after a reset on TLS 1.3 "
        "most runs see the socket end ('other side closed'), some see the read fail (the "
        "variant, also what every TLS 1.2 run shows).",
        variants=("TypeError: fetch failed (cause: Error: read ECONNRESET, ECONNRESET)",),
    ),
    notes=(
        "Node.js 20's fetch cannot present a client certificate without the undici package's "
        "Agent; the conformance suite runs it without one.",
    ),
    error_no_common_version=_seen(
        "TypeError: fetch failed (cause: Error: <thread>:error:0A00042E:SSL "
        "routines:ssl3_read_bytes:tlsv1 alert protocol "
        "version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70",
        "Node.js 20.20 fetch (undici) with --tls-max-v1.2, " + _NO_COMMON + ": the first line "
        "of the error (the cause's text goes on past a line break); <thread> as for node. Was: "
        "the alert template (inferred).",
    ),
)

_PROFILES: tuple[ClientProfile, ...] = (
    _CHROME,
    _EDGE,
    _FIREFOX,
    _FIREFOX_PHA,
    _SAFARI,
    _CURL,
    _PYTHON_REQUESTS,
    _GO,
    _JAVA,
    _DOTNET_WINDOWS,
    _DOTNET_LINUX,
    _RUSTLS,
    _PYTHON_HTTPX,
    _PYTHON_URLLIB,
    _GO_CUSTOM,
    _JAVA_HTTPCLIENT,
    _NODE,
    _NODE_FETCH,
)


def _check(profiles: tuple[ClientProfile, ...]) -> Mapping[str, ClientProfile]:
    """Index the profiles and check their evidence; a violation is a programming error."""
    out: dict[str, ClientProfile] = {}
    for profile in profiles:
        if profile.id in out:
            raise RuntimeError(f"duplicate client profile id {profile.id!r}")
        for name, fact in profile.facts().items():
            where = f"client {profile.id}.{name}"
            if not fact.sources:
                raise RuntimeError(f"{where} cites no source")
            missing = [s for s in fact.sources if s not in SOURCES]
            if missing:
                raise RuntimeError(f"{where} cites unknown source(s) {', '.join(missing)}")
            if fact.confidence is Confidence.INFERRED and not fact.note:
                raise RuntimeError(f"{where} is inferred but names no alternative")
        if "{alert}" not in profile.error_alert.value:
            raise RuntimeError(f"client {profile.id}.error_alert lacks {{alert}}")
        for template in (profile.error_http2.value, *profile.error_http2.variants):
            try:
                template.format(code="HTTP_1_1_REQUIRED", number=0xD)
            except (KeyError, IndexError, ValueError):
                raise RuntimeError(
                    f"client {profile.id}.error_http2 uses a placeholder other than "
                    "{code} and {number}"
                ) from None
        out[profile.id] = profile
    return MappingProxyType(out)


#: Every client profile by id, in catalogue order.
CLIENTS: Mapping[str, ClientProfile] = _check(_PROFILES)


def client_ids() -> tuple[str, ...]:
    """The catalogue's profile ids, in catalogue order."""
    return tuple(CLIENTS)


def get_client(profile_id: str) -> ClientProfile:
    """The profile with id ``profile_id``; an unknown id is an :class:`InputError`."""
    try:
        return CLIENTS[profile_id]
    except KeyError:
        raise InputError(
            f"unknown client profile {profile_id!r}",
            field="client.profile",
            hint="one of " + ", ".join(CLIENTS),
        ) from None
