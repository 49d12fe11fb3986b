"""Exact transcripts of the standard flows (RFC 5246 §7.3, RFC 8446 §2 and §4.6.2).

Each flow is written once, in wire order, the way the RFCs draw them::

    C  client_hello            the client writes, the server reads
    S  {finished}              {…}: travels encrypted (R-TLS-7)
    C  {finished}  (unread)    written, but the other end had already closed

From that, :func:`sides` derives what each end wrote (``W``) and read (``R``) — the lists of
``run_tls(...).to_dict()`` (contract §2.3) — and the test also compares the wire itself
(sender, label, encrypted, delivered), so every flow checks R-TLS-7 as well.  Errors are
compared as ``Code [rule]``.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest

from httpsys_sim.tls import (
    OPENSSL,
    SCHANNEL,
    AlertLevel,
    CertRequest,
    CertRequestedHow,
    CertState,
    ClientConfig,
    Event,
    HandshakeRefused,
    Kind,
    LocalProtocolError,
    Message,
    RemoteProtocolError,
    RenegotiationAnswer,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsScenario,
    TlsTranscript,
    TlsVersion,
    Wire,
    run_tls,
)

V12, V13 = TlsVersion.TLS12, TlsVersion.TLS13
REQ, OPT = CertRequest.REQUIRED, CertRequest.OPTIONAL
RENEG, PHA = CertRequestedHow.RENEGOTIATION, CertRequestedHow.POST_HANDSHAKE

#: A server that sends a post-handshake CertificateRequest to a client that never offered
#: ``post_handshake_auth`` (contract §4 item 2: "if a server personality does send one").
PHA_TO_ANYONE = attrs.evolve(OPENSSL, id="openssl-pha-to-anyone", pha_requires_client_offer=False)

WireLine = tuple[Role, str, bool, bool]  # sender, label, encrypted, delivered


def flow(text: str) -> list[WireLine]:
    """Parse the notation of the module docstring."""
    lines: list[WireLine] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        who, rest = raw.strip().split(maxsplit=1)
        delivered = not rest.endswith("(unread)")
        rest = rest.removesuffix("(unread)").strip()
        encrypted = rest.startswith("{")
        label = rest.strip("{}")
        lines.append((Role.CLIENT if who == "C" else Role.SERVER, label, encrypted, delivered))
    return lines


def sides(lines: list[WireLine]) -> tuple[list[str], list[str]]:
    """What the client and the server wrote and read, in order."""
    seen: dict[Role, list[str]] = {Role.CLIENT: [], Role.SERVER: []}
    for sender, label, _encrypted, delivered in lines:
        seen[sender].append(f"W {label}")
        if delivered:
            receiver = Role.SERVER if sender is Role.CLIENT else Role.CLIENT
            seen[receiver].append(f"R {label}")
    return seen[Role.CLIENT], seen[Role.SERVER]


def _short(error: str | None) -> str | None:
    """``HandshakeRefused: server refused … [P-OSSL-8]`` → ``HandshakeRefused [P-OSSL-8]``."""
    if error is None:
        return None
    match = re.fullmatch(r"(\w+): .* \[([\w.\-]+)\]", error)
    assert match, error
    return f"{match[1]} [{match[2]}]"


def check(
    transcript: TlsTranscript,
    expected_flow: str,
    *,
    version: str | None,
    cert_obtained: bool = False,
    server_error: str | None = None,
    client_error: str | None = None,
) -> None:
    """The whole §2.3 document, and the wire with its encrypted flags, are exactly these."""
    lines = flow(expected_flow)
    client, server = sides(lines)
    got: dict[str, Any] = transcript.to_dict()
    for side in ("client", "server"):
        got[side]["error"] = _short(got[side]["error"])
    assert got == {
        "format": "httpsys-sim/tls-transcript",
        "format_version": 1,
        "version": version,
        "server": {"messages": server, "cert_obtained": cert_obtained, "error": server_error},
        "client": {"messages": client, "error": client_error},
    }
    wire = [
        (e.sender, e.message.label(), e.message.encrypted, e.delivered) for e in transcript.wire
    ]
    assert wire == lines


def scenario(**fields: Any) -> TlsScenario:
    """A §2.3 scenario; every default is spelled out by TlsScenario."""
    return TlsScenario(**fields)


# --------------------------------------------------------------------------------------
# TLS 1.2 (RFC 5246 §7.3, figure 1)
# --------------------------------------------------------------------------------------

TLS12_HELLOS = """
    C  client_hello
    S  server_hello
    S  certificate
    S  server_key_exchange
"""
#: The server's last flight of a full TLS 1.2 handshake, with OpenSSL's RFC 5077 ticket.
TLS12_SERVER_END = """
    S  new_session_ticket
    S  change_cipher_spec
    S  {finished}
"""


def test_tls12_full_handshake() -> None:
    """No CertificateRequest: ClientKeyExchange, ChangeCipherSpec, Finished each way."""
    check(
        run_tls(scenario(version=V12)),
        TLS12_HELLOS
        + """
        S  server_hello_done
        C  client_key_exchange
        C  change_cipher_spec
        C  {finished}
        """
        + TLS12_SERVER_END,
        version="1.2",
    )


@pytest.mark.parametrize("cert_request", [OPT, REQ])
def test_tls12_certificate_request_answered(cert_request: CertRequest) -> None:
    """RFC 5246 §7.4.6, §7.4.8: Certificate before ClientKeyExchange, CertificateVerify after."""
    check(
        run_tls(scenario(version=V12, cert_request=cert_request)),
        TLS12_HELLOS
        + """
        S  certificate_request
        S  server_hello_done
        C  certificate
        C  client_key_exchange
        C  certificate_verify
        C  change_cipher_spec
        C  {finished}
        """
        + TLS12_SERVER_END,
        version="1.2",
        cert_obtained=True,
    )


def test_tls12_certificate_request_without_certificate() -> None:
    """R-TLS-3: an empty Certificate and no CertificateVerify; an optional request carries on."""
    transcript = run_tls(scenario(version=V12, cert_request=OPT, certificate=CertState.NONE))
    check(
        transcript,
        TLS12_HELLOS
        + """
        S  certificate_request
        S  server_hello_done
        C  certificate
        C  client_key_exchange
        C  change_cipher_spec
        C  {finished}
        """
        + TLS12_SERVER_END,
        version="1.2",
    )
    client_certs = [
        e.message
        for e in transcript.wire
        if e.sender is Role.CLIENT and e.message.kind is Kind.CERTIFICATE
    ]
    assert len(client_certs) == 1
    assert client_certs[0].empty_certificate


def test_tls12_required_certificate_missing() -> None:
    """RFC 5246 §7.4.6: a server that requires one answers the empty Certificate with 40."""
    check(
        run_tls(scenario(version=V12, cert_request=REQ, certificate=CertState.NONE)),
        TLS12_HELLOS
        + """
        S  certificate_request
        S  server_hello_done
        C  certificate
        C  client_key_exchange  (unread)
        C  change_cipher_spec  (unread)
        C  {finished}  (unread)
        S  alert fatal:handshake_failure(40)
        """,
        version="1.2",
        server_error="HandshakeRefused [P-OSSL-8]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


@pytest.mark.parametrize(
    ("certificate", "alert"),
    [
        (CertState.UNTRUSTED, "alert fatal:unknown_ca(48)"),
        (CertState.EXPIRED, "alert fatal:certificate_expired(45)"),
    ],
)
def test_tls12_certificate_fails_verification(certificate: CertState, alert: str) -> None:
    """P-OSSL-6: the server alerts as soon as it has the Certificate, in the clear."""
    check(
        run_tls(scenario(version=V12, cert_request=OPT, certificate=certificate)),
        TLS12_HELLOS
        + f"""
        S  certificate_request
        S  server_hello_done
        C  certificate
        C  client_key_exchange  (unread)
        C  certificate_verify  (unread)
        C  change_cipher_spec  (unread)
        C  {{finished}}  (unread)
        S  {alert}
        """,
        version="1.2",
        server_error="HandshakeRefused [P-OSSL-6]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


# --------------------------------------------------------------------------------------
# TLS 1.2 renegotiation (RFC 5246 §7.4.1.1, RFC 5746)
# --------------------------------------------------------------------------------------

TLS12_INITIAL = (
    TLS12_HELLOS
    + """
    S  server_hello_done
    C  client_key_exchange
    C  change_cipher_spec
    C  {finished}
    """
    + TLS12_SERVER_END
)


def test_tls12_abbreviated_renegotiation() -> None:
    """OpenSSL resumes on renegotiation (P-OSSL-5): RFC 5246 §7.3 figure 2, encrypted.

    The resumed session had no client certificate, so the server still has none.
    """
    check(
        run_tls(scenario(version=V12, cert_request=REQ, request_at=RENEG)),
        TLS12_INITIAL
        + """
        S  {hello_request}
        C  {client_hello}
        S  {server_hello}
        S  {change_cipher_spec}
        S  {finished}
        C  {change_cipher_spec}
        C  {finished}
        """,
        version="1.2",
    )


RENEGOTIATION_HELLOS = """
    S  {hello_request}
    C  {client_hello}
    S  {server_hello}
    S  {certificate}
    S  {server_key_exchange}
    S  {certificate_request}
    S  {server_hello_done}
"""


def test_tls12_server_initiated_renegotiation_with_certificate_request() -> None:
    """R-REQ-2's TLS 1.2 path: a full handshake inside the connection, every record encrypted.

    No ticket this time: the server will not resume a renegotiation (P-OSSL-5).
    """
    check(
        run_tls(
            scenario(
                version=V12, cert_request=REQ, request_at=RENEG, resumption_on_renegotiation=False
            )
        ),
        TLS12_INITIAL
        + RENEGOTIATION_HELLOS
        + """
        C  {certificate}
        C  {client_key_exchange}
        C  {certificate_verify}
        C  {change_cipher_spec}
        C  {finished}
        S  {change_cipher_spec}
        S  {finished}
        """,
        version="1.2",
        cert_obtained=True,
    )


def test_tls12_renegotiation_required_certificate_missing() -> None:
    """The alert of a failed renegotiation travels under the current keys too."""
    check(
        run_tls(
            scenario(
                version=V12,
                cert_request=REQ,
                request_at=RENEG,
                resumption_on_renegotiation=False,
                certificate=CertState.NONE,
            )
        ),
        TLS12_INITIAL
        + RENEGOTIATION_HELLOS
        + """
        C  {certificate}
        C  {client_key_exchange}  (unread)
        C  {change_cipher_spec}  (unread)
        C  {finished}  (unread)
        S  {alert fatal:handshake_failure(40)}
        """,
        version="1.2",
        server_error="HandshakeRefused [P-OSSL-8]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


def test_tls12_renegotiation_refused_by_the_client() -> None:
    """R-TLS-1 / P-OSSL-4: warning no_renegotiation, and OpenSSL ends it with a fatal 40."""
    check(
        run_tls(
            scenario(
                version=V12,
                cert_request=REQ,
                request_at=RENEG,
                resumption_on_renegotiation=False,
                renegotiation=RenegotiationAnswer.REFUSE,
            )
        ),
        TLS12_INITIAL
        + """
        S  {hello_request}
        C  {alert warning:no_renegotiation(100)}
        S  {alert fatal:handshake_failure(40)}
        """,
        version="1.2",
        server_error="HandshakeRefused [P-OSSL-4]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


def test_tls12_renegotiation_ignored_by_the_client() -> None:
    """R-TLS-1: a client may say nothing; the server keeps waiting for a ClientHello."""
    client = TlsConnection.client(
        ClientConfig(personality=OPENSSL, versions=(V12,), renegotiation=RenegotiationAnswer.IGNORE)
    )
    server = TlsConnection.server(ServerConfig(personality=OPENSSL, versions=(V12,)))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    assert wire.command(Role.SERVER, "renegotiate") is None
    assert [e.label() for e in client.transcript[-1:]] == ["R hello_request"]
    assert (client.state, server.state) == (State.C12_CONNECTED, State.S12_RENEG_WAIT_CH)
    assert client.error is None
    assert server.error is None


# --------------------------------------------------------------------------------------
# TLS 1.3 (RFC 8446 §2, figure 1; D.4 middlebox compatibility)
# --------------------------------------------------------------------------------------

TLS13_HELLOS = """
    C  client_hello
    S  server_hello
    S  change_cipher_spec
    S  {encrypted_extensions}
"""
TLS13_SERVER_AUTH = """
    S  {certificate}
    S  {certificate_verify}
    S  {finished}
"""
TLS13_TICKETS = """
    S  {new_session_ticket}
    S  {new_session_ticket}
"""


def test_tls13_handshake() -> None:
    """The 1-RTT handshake; OpenSSL sends two tickets after the client's Finished (P-OSSL-1)."""
    check(
        run_tls(scenario(version=V13)),
        TLS13_HELLOS
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        C  {finished}
        """
        + TLS13_TICKETS,
        version="1.3",
    )


@pytest.mark.parametrize("cert_request", [OPT, REQ])
def test_tls13_certificate_request_answered(cert_request: CertRequest) -> None:
    """CertificateRequest right after EncryptedExtensions; Certificate, CertificateVerify back."""
    check(
        run_tls(scenario(version=V13, cert_request=cert_request)),
        TLS13_HELLOS
        + """
        S  {certificate_request}
        """
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        C  {certificate}
        C  {certificate_verify}
        C  {finished}
        """
        + TLS13_TICKETS,
        version="1.3",
        cert_obtained=True,
    )


def test_tls13_certificate_request_without_certificate() -> None:
    """RFC 8446 §4.4.2: an empty Certificate and no CertificateVerify."""
    check(
        run_tls(scenario(version=V13, cert_request=OPT, certificate=CertState.NONE)),
        TLS13_HELLOS
        + """
        S  {certificate_request}
        """
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        C  {certificate}
        C  {finished}
        """
        + TLS13_TICKETS,
        version="1.3",
    )


def test_tls13_required_certificate_missing() -> None:
    """RFC 8446 §4.4.2.4: certificate_required (116), encrypted, the Finished left unread."""
    check(
        run_tls(scenario(version=V13, cert_request=REQ, certificate=CertState.NONE)),
        TLS13_HELLOS
        + """
        S  {certificate_request}
        """
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        C  {certificate}
        C  {finished}  (unread)
        S  {alert fatal:certificate_required(116)}
        """,
        version="1.3",
        server_error="HandshakeRefused [P-OSSL-8]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


def test_tls13_untrusted_certificate() -> None:
    """P-OSSL-6: unknown_ca (48) on the Certificate, before its CertificateVerify is read."""
    check(
        run_tls(scenario(version=V13, cert_request=REQ, certificate=CertState.UNTRUSTED)),
        TLS13_HELLOS
        + """
        S  {certificate_request}
        """
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        C  {certificate}
        C  {certificate_verify}  (unread)
        C  {finished}  (unread)
        S  {alert fatal:unknown_ca(48)}
        """,
        version="1.3",
        server_error="HandshakeRefused [P-OSSL-6]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


# --------------------------------------------------------------------------------------
# TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2)
# --------------------------------------------------------------------------------------

TLS13_PLAIN = (
    TLS13_HELLOS
    + TLS13_SERVER_AUTH
    + """
    C  change_cipher_spec
    C  {finished}
    """
    + TLS13_TICKETS
)


def test_tls13_pha_accepted() -> None:
    """Certificate, CertificateVerify, Finished; OpenSSL then sends two more tickets."""
    check(
        run_tls(scenario(version=V13, cert_request=REQ, request_at=PHA, post_handshake_auth=True)),
        TLS13_PLAIN
        + """
        S  {certificate_request}
        C  {certificate}
        C  {certificate_verify}
        C  {finished}
        """
        + TLS13_TICKETS,
        version="1.3",
        cert_obtained=True,
    )


def test_tls13_pha_declined_with_an_empty_certificate() -> None:
    """A client without a certificate answers with an empty one and Finished (§4.6.2)."""
    check(
        run_tls(
            scenario(
                version=V13,
                cert_request=OPT,
                request_at=PHA,
                post_handshake_auth=True,
                certificate=CertState.NONE,
            )
        ),
        TLS13_PLAIN
        + """
        S  {certificate_request}
        C  {certificate}
        C  {finished}
        """
        + TLS13_TICKETS,
        version="1.3",
    )


def test_tls13_pha_required_certificate_missing() -> None:
    """A required certificate missing after the handshake is certificate_required (116) too."""
    check(
        run_tls(
            scenario(
                version=V13,
                cert_request=REQ,
                request_at=PHA,
                post_handshake_auth=True,
                certificate=CertState.NONE,
            )
        ),
        TLS13_PLAIN
        + """
        S  {certificate_request}
        C  {certificate}
        C  {finished}  (unread)
        S  {alert fatal:certificate_required(116)}
        """,
        version="1.3",
        server_error="HandshakeRefused [P-OSSL-8]",
        client_error="PeerAlert [RFC8446-6.2]",
    )


def test_tls13_pha_not_offered_is_refused_locally() -> None:
    """P-OSSL-7: the server's stack refuses to ask; nothing is sent, the connection lives."""
    check(
        run_tls(scenario(version=V13, cert_request=REQ, request_at=PHA)),
        TLS13_PLAIN,
        version="1.3",
        server_error="LocalProtocolError [P-OSSL-7]",
    )


def test_tls13_pha_sent_anyway_is_unexpected_message() -> None:
    """Contract §4 item 2 / R-TLS-4: a client that did not offer PHA answers 10, fatal."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, certificate=CertState.VALID))
    server = TlsConnection.server(
        ServerConfig(personality=PHA_TO_ANYONE, cert_request=REQ, request_at=PHA)
    )
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    assert wire.command(Role.SERVER, "request_certificate") is None
    tail = [(e.sender, e.message.label(), e.message.encrypted) for e in wire.log[-2:]]
    assert tail == [
        (Role.SERVER, "certificate_request", True),
        (Role.CLIENT, "alert fatal:unexpected_message(10)", True),
    ]
    assert client.closed
    assert isinstance(client.error, RemoteProtocolError)
    assert client.error.peer_observes == "alert fatal:unexpected_message(10)"
    assert server.closed


def _pha_pair(
    certificate: CertState = CertState.VALID,
) -> tuple[Wire, TlsConnection, TlsConnection]:
    client = TlsConnection.client(
        ClientConfig(personality=OPENSSL, certificate=certificate, post_handshake_auth=True)
    )
    server = TlsConnection.server(
        ServerConfig(personality=OPENSSL, cert_request=OPT, request_at=PHA)
    )
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    return wire, client, server


def _requests(wire: Wire) -> list[Message]:
    return [e.message for e in wire.log if e.message.kind is Kind.CERTIFICATE_REQUEST]


def test_tls13_several_pha_rounds() -> None:
    """Two requests on one connection: each a full exchange, each with a fresh context.

    RFC 8446 §4.6.2: the context must be unique within the connection; the handshake's own
    CertificateRequest (none here) would have the empty context (§4.3.2), modelled as 0.
    """
    wire, client, server = _pha_pair()
    for round_ in (1, 2):
        start = len(wire.log)
        assert wire.command(Role.SERVER, "request_certificate") is None
        labels = [(e.sender, e.message.label()) for e in wire.log[start:]]
        assert labels == [
            (Role.SERVER, "certificate_request"),
            (Role.CLIENT, "certificate"),
            (Role.CLIENT, "certificate_verify"),
            (Role.CLIENT, "finished"),
            (Role.SERVER, "new_session_ticket"),
            (Role.SERVER, "new_session_ticket"),
        ]
        assert all(e.message.encrypted and e.delivered for e in wire.log[start:])
        assert (client.state, server.state) == (State.C13_CONNECTED, State.S13_CONNECTED)
        assert server.pha_context == round_
    contexts = [m.context for m in _requests(wire)]
    assert contexts == [1, 2]
    assert server.cert_obtained
    assert client.error is None
    assert server.error is None


@pytest.mark.parametrize("certificate", [CertState.VALID, CertState.NONE])
def test_tls13_pha_client_echoes_the_request_context(certificate: CertState) -> None:
    """RFC 8446 §4.4.2: the Certificate answering a request carries that request's context."""
    wire, _client, _server = _pha_pair(certificate)
    wire.command(Role.SERVER, "request_certificate")
    wire.command(Role.SERVER, "request_certificate")
    answers = [
        e.message.context
        for e in wire.log
        if e.sender is Role.CLIENT and e.message.kind is Kind.CERTIFICATE
    ]
    assert answers == [m.context for m in _requests(wire)] == [1, 2]


# --------------------------------------------------------------------------------------
# Version negotiation (R-PIPE-3, contract §4 item 8)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_versions", "server_versions"), [((V12,), (V13,)), ((V13,), (V12,))]
)
def test_no_common_version_is_protocol_version(
    client_versions: tuple[TlsVersion, ...], server_versions: tuple[TlsVersion, ...]
) -> None:
    """The server answers the ClientHello with protocol_version (70); no handshake at all."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, versions=client_versions))
    server = TlsConnection.server(ServerConfig(personality=OPENSSL, versions=server_versions))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    lines = [(e.sender, e.message.label(), e.message.encrypted, e.delivered) for e in wire.log]
    assert lines == flow(
        """
        C  client_hello
        S  alert fatal:protocol_version(70)
        """
    )
    assert [e.label() for e in server.transcript] == [
        "R client_hello",
        "W alert fatal:protocol_version(70)",
    ]
    assert server.version is None
    assert client.version is None
    assert isinstance(server.error, HandshakeRefused)
    assert server.error.rule == "R-PIPE-3"
    assert server.error.peer_observes == "alert fatal:protocol_version(70)"
    assert client.closed
    assert server.closed


@pytest.mark.parametrize(
    ("client_versions", "server_versions", "negotiated"),
    [
        ((V13, V12), (V13, V12), V13),
        ((V13, V12), (V12,), V12),
        ((V12,), (V13, V12), V12),
        ((V13, V12, TlsVersion.TLS11), (TlsVersion.TLS11, V12), V12),
    ],
)
def test_highest_common_version(
    client_versions: tuple[TlsVersion, ...],
    server_versions: tuple[TlsVersion, ...],
    negotiated: TlsVersion,
) -> None:
    """Whatever the order the configurations list them in."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, versions=client_versions))
    server = TlsConnection.server(ServerConfig(personality=OPENSSL, versions=server_versions))
    Wire(client, server).command(Role.CLIENT, "start")
    assert client.connected
    assert server.connected
    assert client.version is server.version is negotiated


def test_client_refuses_a_server_hello_for_a_version_it_did_not_offer() -> None:
    """RFC 8446 §4.2.1: protocol_version (70), fatal, from the client."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, versions=(V12,)))
    client.start()
    out = client.receive(Message(kind=Kind.SERVER_HELLO, version=V13))
    assert [m.label() for m in out] == ["alert fatal:protocol_version(70)"]
    assert client.closed
    assert isinstance(client.error, RemoteProtocolError)


def test_renegotiation_server_hello_must_keep_the_version() -> None:
    """RFC 8446 §4.2.1 / RFC 5246 §7.4.1.3: only an offered version may be selected."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL, versions=(V13, V12)))
    server = TlsConnection.server(ServerConfig(personality=OPENSSL, versions=(V12,)))
    Wire(client, server).command(Role.CLIENT, "start")
    assert client.version is V12
    (hello,) = client.renegotiate()
    assert hello.versions == (V12,)
    out = client.receive(Message(kind=Kind.SERVER_HELLO, version=V13, encrypted=True))
    assert [m.label() for m in out] == ["alert fatal:protocol_version(70)"]
    assert client.closed


# --------------------------------------------------------------------------------------
# R-TLS-7: what travels encrypted
# --------------------------------------------------------------------------------------


def _certificates(transcript: TlsTranscript, sender: Role) -> list[Message]:
    return [
        e.message
        for e in transcript.wire
        if e.sender is sender and e.message.kind is Kind.CERTIFICATE
    ]


def test_r_tls_7_tls12_initial_certificate_in_the_clear_renegotiation_encrypted() -> None:
    """The confidentiality argument of S1: in TLS 1.2 the handshake's client certificate is
    readable on the wire; the one a renegotiation asks for is not."""
    initial = run_tls(scenario(version=V12, cert_request=REQ))
    (cert,) = _certificates(initial, Role.CLIENT)
    assert cert.cert is CertState.VALID
    assert not cert.encrypted
    renegotiated = run_tls(
        scenario(version=V12, cert_request=REQ, request_at=RENEG, resumption_on_renegotiation=False)
    )
    (cert,) = _certificates(renegotiated, Role.CLIENT)
    assert cert.cert is CertState.VALID
    assert cert.encrypted


def test_r_tls_7_tls12_clear_until_change_cipher_spec() -> None:
    """Initial handshake: everything a side writes before its CCS is clear (the CCS too);
    its Finished, and everything after, is encrypted."""
    transcript = run_tls(scenario(version=V12, cert_request=REQ))
    for sender in Role:
        sent = [e.message for e in transcript.wire if e.sender is sender]
        kinds = [m.kind for m in sent]
        ccs = kinds.index(Kind.CHANGE_CIPHER_SPEC)
        assert [m.encrypted for m in sent] == [False] * (ccs + 1) + [True] * (len(sent) - ccs - 1)
        assert kinds[ccs + 1] is Kind.FINISHED


def test_r_tls_7_tls12_renegotiation_all_encrypted_including_ccs() -> None:
    """RFC 5246 §7.4.1: a renegotiation runs under the current keys — its ChangeCipherSpec
    records too (only the first handshake's CCS is a plaintext record)."""
    transcript = run_tls(
        scenario(version=V12, cert_request=REQ, request_at=RENEG, resumption_on_renegotiation=False)
    )
    labels = [e.message.label() for e in transcript.wire]
    start = labels.index("hello_request")
    renegotiation = [e.message for e in transcript.wire[start:]]
    assert [m for m in renegotiation if not m.encrypted] == []
    assert sum(m.kind is Kind.CHANGE_CIPHER_SPEC for m in renegotiation) == 2


@pytest.mark.parametrize("request_at", [CertRequestedHow.HANDSHAKE, PHA])
def test_r_tls_7_tls13_certificates_always_encrypted(request_at: CertRequestedHow) -> None:
    """In TLS 1.3 every Certificate, the server's and the client's, is encrypted; only the
    hellos and the compatibility CCS are not (RFC 8446 §2, D.4)."""
    transcript = run_tls(
        scenario(version=V13, cert_request=REQ, request_at=request_at, post_handshake_auth=True)
    )
    certificates = _certificates(transcript, Role.CLIENT) + _certificates(transcript, Role.SERVER)
    assert len(certificates) == 2
    assert all(m.encrypted for m in certificates)
    clear = {e.message.kind for e in transcript.wire if not e.message.encrypted}
    assert clear == {Kind.CLIENT_HELLO, Kind.SERVER_HELLO, Kind.CHANGE_CIPHER_SPEC}


# --------------------------------------------------------------------------------------
# The schannel personality (P-SCH-*): how http.sys drives it
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("certificate", "obtained"),
    [(CertState.NONE, False), (CertState.UNTRUSTED, True), (CertState.EXPIRED, True)],
)
def test_schannel_tls13_never_fails_the_handshake(certificate: CertState, obtained: bool) -> None:
    """P-SCH-1: a required certificate missing or unverifiable is IIS's business, not TLS's.

    Schannel sends one ticket (P-SCH-4).
    """
    client_auth = (
        "C  {certificate}\n C  {finished}"
        if certificate is CertState.NONE
        else "C  {certificate}\n C  {certificate_verify}\n C  {finished}"
    )
    check(
        run_tls(scenario(stack="schannel", version=V13, cert_request=REQ, certificate=certificate)),
        TLS13_HELLOS
        + """
        S  {certificate_request}
        """
        + TLS13_SERVER_AUTH
        + """
        C  change_cipher_spec
        """
        + client_auth
        + """
        S  {new_session_ticket}
        """,
        version="1.3",
        cert_obtained=obtained,
    )


@pytest.mark.parametrize(
    ("certificate", "obtained"),
    [(CertState.NONE, False), (CertState.UNTRUSTED, True), (CertState.EXPIRED, True)],
)
def test_schannel_tls12_never_fails_the_handshake(certificate: CertState, obtained: bool) -> None:
    """P-SCH-1 over TLS 1.2; Schannel issues no TLS 1.2 ticket."""
    verify = "" if certificate is CertState.NONE else "C  certificate_verify"
    check(
        run_tls(scenario(stack="schannel", version=V12, cert_request=REQ, certificate=certificate)),
        TLS12_HELLOS
        + f"""
        S  certificate_request
        S  server_hello_done
        C  certificate
        C  client_key_exchange
        {verify}
        C  change_cipher_spec
        C  {{finished}}
        S  change_cipher_spec
        S  {{finished}}
        """,
        version="1.2",
        cert_obtained=obtained,
    )


def test_schannel_refuses_post_handshake_auth_locally() -> None:
    """P-SCH-2: http.sys cannot send a post-handshake CertificateRequest: LocalProtocolError,
    nothing on the wire, the connection usable."""
    client = TlsConnection.client(ClientConfig(personality=SCHANNEL, post_handshake_auth=True))
    server = TlsConnection.server(
        ServerConfig(personality=SCHANNEL, cert_request=REQ, request_at=PHA)
    )
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    log, transcript = list(wire.log), list(server.transcript)
    with pytest.raises(LocalProtocolError) as refused:
        server.request_certificate()
    assert refused.value.rule == "P-SCH-2"
    assert refused.value.peer_observes == "nothing"
    assert wire.command(Role.SERVER, "request_certificate") is not None
    assert wire.log == log
    assert server.transcript == transcript
    assert (client.state, server.state) == (State.C13_CONNECTED, State.S13_CONNECTED)
    assert server.error is None
    assert client.error is None


def test_schannel_refused_renegotiation_aborts_without_alert() -> None:
    """R-REQ-2 (TLS 1.2, client refuses): http.sys drops the connection; the client sees a reset."""
    transcript = run_tls(
        scenario(
            stack="schannel",
            version=V12,
            cert_request=REQ,
            request_at=RENEG,
            renegotiation=RenegotiationAnswer.REFUSE,
        )
    )
    check(
        transcript,
        TLS12_HELLOS
        + """
        S  server_hello_done
        C  client_key_exchange
        C  change_cipher_spec
        C  {finished}
        S  change_cipher_spec
        S  {finished}
        S  {hello_request}
        C  {alert warning:no_renegotiation(100)}
        """,
        version="1.2",
        server_error="HandshakeRefused [R-REQ-2.tls12-refused]",
    )
    # The same through the connection objects: what the client will observe is a TCP reset.
    client = TlsConnection.client(
        ClientConfig(
            personality=SCHANNEL, versions=(V12,), renegotiation=RenegotiationAnswer.REFUSE
        )
    )
    server = TlsConnection.server(ServerConfig(personality=SCHANNEL, versions=(V12,)))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    wire.command(Role.SERVER, "renegotiate")
    assert server.closed
    assert isinstance(server.error, HandshakeRefused)
    assert server.error.peer_observes == "tcp_reset"
    assert [e for e in server.transcript if e.direction == "W"][
        -1
    ].message.kind is Kind.HELLO_REQUEST


def test_schannel_accepts_client_renegotiation_and_never_resumes() -> None:
    """P-SCH-5 and P-SCH-3: a client-initiated renegotiation is a full handshake."""
    client = TlsConnection.client(ClientConfig(personality=SCHANNEL, versions=(V12,)))
    server = TlsConnection.server(ServerConfig(personality=SCHANNEL, versions=(V12,)))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    start = len(wire.log)
    assert wire.command(Role.CLIENT, "renegotiate") is None
    assert [(e.sender, e.message.label()) for e in wire.log[start:]] == [
        (Role.CLIENT, "client_hello"),
        (Role.SERVER, "server_hello"),
        (Role.SERVER, "certificate"),
        (Role.SERVER, "server_key_exchange"),
        (Role.SERVER, "server_hello_done"),
        (Role.CLIENT, "client_key_exchange"),
        (Role.CLIENT, "change_cipher_spec"),
        (Role.CLIENT, "finished"),
        (Role.SERVER, "change_cipher_spec"),
        (Role.SERVER, "finished"),
    ]
    assert all(e.message.encrypted for e in wire.log[start:])
    assert client.handshakes == server.handshakes == 2
    assert client.connected
    assert server.connected


# --------------------------------------------------------------------------------------
# Renegotiation is TLS ≤ 1.2 only (R-TLS-4, contract §4 item 1)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_tls13_renegotiate_command_is_refused(role: Role) -> None:
    """Neither end of a TLS 1.3 connection can start a renegotiation: nothing is sent."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL))
    server = TlsConnection.server(ServerConfig(personality=OPENSSL))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    log = list(wire.log)
    refusal = wire.command(role, "renegotiate")
    assert isinstance(refusal, LocalProtocolError)
    assert refusal.rule == "R-TLS-4"
    assert wire.log == log


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (Role.CLIENT, Message(kind=Kind.HELLO_REQUEST, encrypted=True)),
        (Role.SERVER, Message(kind=Kind.CLIENT_HELLO, versions=(V13, V12), encrypted=True)),
    ],
)
def test_tls13_renegotiation_attempt_is_unexpected_message(role: Role, message: Message) -> None:
    """R-TLS-4: a HelloRequest or a second ClientHello on TLS 1.3 is fatal unexpected_message."""
    client = TlsConnection.client(ClientConfig(personality=OPENSSL))
    server = TlsConnection.server(ServerConfig(personality=OPENSSL))
    Wire(client, server).command(Role.CLIENT, "start")
    end = client if role is Role.CLIENT else server
    out = end.receive(message)
    assert [m.label() for m in out] == ["alert fatal:unexpected_message(10)"]
    assert out[0].encrypted
    assert end.closed
    assert isinstance(end.error, RemoteProtocolError)
    assert end.error.rule == "R-TLS-4"
    assert Event.of(message) in (Event.R_HELLO_REQUEST, Event.R_CLIENT_HELLO)


def test_client_refusal_level_fatal_closes_the_client() -> None:
    """R-CLI-2: a client that refuses with a fatal no_renegotiation ends the connection."""
    client = TlsConnection.client(
        ClientConfig(
            personality=OPENSSL,
            versions=(V12,),
            renegotiation=RenegotiationAnswer.REFUSE,
            refusal_level=AlertLevel.FATAL,
        )
    )
    server = TlsConnection.server(ServerConfig(personality=OPENSSL, versions=(V12,)))
    wire = Wire(client, server)
    wire.command(Role.CLIENT, "start")
    wire.command(Role.SERVER, "renegotiate")
    assert [(e.sender, e.message.label(), e.message.encrypted) for e in wire.log[-2:]] == [
        (Role.SERVER, "hello_request", True),
        (Role.CLIENT, "alert fatal:no_renegotiation(100)", True),
    ]
    assert client.closed
    assert isinstance(client.error, HandshakeRefused)
    assert client.error.rule == "R-CLI-2"
    assert server.closed
