"""A renegotiation keeps the version in use (RFC 5246 §7.4.1.2, Appendix E.1)."""

from __future__ import annotations

from httpsys_sim.tls import (
    OPENSSL,
    ClientConfig,
    HandshakeRefused,
    Kind,
    Message,
    Role,
    ServerConfig,
    State,
    TlsConnection,
    TlsVersion,
    Wire,
)


def _connected_tls12_server() -> TlsConnection:
    server = TlsConnection.server(
        ServerConfig(
            personality=OPENSSL,
            versions=(TlsVersion.TLS12, TlsVersion.TLS11),
            allow_client_renegotiation=True,
        )
    )
    client = TlsConnection.client(
        ClientConfig(personality=OPENSSL, versions=(TlsVersion.TLS12, TlsVersion.TLS11))
    )
    Wire(client, server).command(Role.CLIENT, "start")
    assert server.state is State.S12_CONNECTED
    assert server.version is TlsVersion.TLS12
    return server


def test_renegotiating_client_hello_without_the_version_in_use_is_refused() -> None:
    server = _connected_tls12_server()
    hello = Message(
        kind=Kind.CLIENT_HELLO,
        versions=(TlsVersion.TLS11,),
        secure_renegotiation=True,
        renegotiation=True,
        encrypted=True,
    )
    out = server.receive(hello)
    assert [m.label() for m in out] == ["alert fatal:protocol_version(70)"]
    assert server.closed
    assert isinstance(server.error, HandshakeRefused)
    assert server.version is TlsVersion.TLS12  # never downgraded


def test_renegotiating_client_hello_with_the_version_in_use_proceeds() -> None:
    server = _connected_tls12_server()
    hello = Message(
        kind=Kind.CLIENT_HELLO,
        versions=(TlsVersion.TLS12,),
        secure_renegotiation=True,
        renegotiation=True,
        encrypted=True,
    )
    out = server.receive(hello)
    assert out[0].kind is Kind.SERVER_HELLO
    assert out[0].version is TlsVersion.TLS12
    assert not server.closed
