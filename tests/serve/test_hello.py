"""The ClientHello reader against real ClientHellos (CPython's ssl over memory BIOs)."""

from __future__ import annotations

import ssl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim.endpoint._hello import HelloError, hello_length, parse_client_hello
from httpsys_sim.tls import TlsVersion


def _hello(
    alpn: list[str] | None, pha: bool, maximum: ssl.TLSVersion, sni: str | None = "localhost"
) -> bytes:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    ctx.post_handshake_auth = pha
    ctx.maximum_version = maximum
    out = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), out, server_hostname=sni)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    return out.read()


@pytest.mark.parametrize("alpn", [None, ["http/1.1"], ["h2", "http/1.1"]])
@pytest.mark.parametrize("pha", [False, True])
@pytest.mark.parametrize("maximum", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_reads_what_openssl_offered(
    alpn: list[str] | None, pha: bool, maximum: ssl.TLSVersion
) -> None:
    data = _hello(alpn, pha, maximum)
    assert hello_length(data) == len(data)
    offer = parse_client_hello(data)
    assert offer.alpn == tuple(alpn or ())
    top = TlsVersion.TLS13 if maximum is ssl.TLSVersion.TLSv1_3 else TlsVersion.TLS12
    assert offer.versions[0] is top
    assert offer.secure_renegotiation  # OpenSSL always signals RFC 5746
    assert offer.server_name == "localhost"
    # OpenSSL sends post_handshake_auth only in a ClientHello that offers TLS 1.3.
    assert offer.post_handshake_auth is (pha and top is TlsVersion.TLS13)


def test_incomplete_hello_asks_for_more() -> None:
    data = _hello(["h2"], True, ssl.TLSVersion.TLSv1_3)
    for cut in (0, 1, 5, 9, len(data) // 2, len(data) - 1):
        assert hello_length(data[:cut]) is None


def test_not_tls_is_refused() -> None:
    with pytest.raises(HelloError):
        hello_length(b"GET / HTTP/1.1\r\n")


@given(st.binary(max_size=600))
def test_any_bytes_give_an_offer_or_hello_error(data: bytes) -> None:
    try:
        hello_length(data)
        parse_client_hello(data)
    except HelloError:
        pass


@given(st.data())
def test_mutated_real_hello_gives_an_offer_or_hello_error(data: st.DataObject) -> None:
    hello = bytearray(_hello(["h2", "http/1.1"], True, ssl.TLSVersion.TLSv1_3))
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(hello) - 1))
        hello[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(hello)))
    try:
        hello_length(bytes(hello[:cut]))
        parse_client_hello(bytes(hello[:cut]))
    except HelloError:
        pass
