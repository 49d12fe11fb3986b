"""Renegotiation vs post-handshake auth vs handshake-time requests, in a terminal.

    python examples/protocol_differences.py

The same story as ``protocol_differences.ipynb``: the TLS transcripts of each way to ask for a
client certificate, which ones carry the certificate in the clear (R-TLS-7), HTTP/2's ban and
the HTTP_1_1_REQUIRED retry, and how clients differ.
"""

from __future__ import annotations

import sys

import attrs

import httpsys_sim as hs
from httpsys_sim.tls import (
    CertRequest,
    CertRequestedHow,
    Kind,
    RenegotiationAnswer,
    Role,
    TlsScenario,
    TlsTranscript,
    TlsVersion,
    run_tls,
)


def heading(text: str) -> None:
    print(f"\n{'=' * len(text)}\n{text}\n{'=' * len(text)}\n")


def ask(version: TlsVersion, at: CertRequestedHow, **extra: object) -> TlsScenario:
    return TlsScenario(
        stack="openssl", cert_request=CertRequest.REQUIRED, version=version, request_at=at, **extra
    )


def client_certificate_protection(t: TlsTranscript) -> str:
    sent = [
        e.message for e in t.wire if e.sender is Role.CLIENT and e.message.kind is Kind.CERTIFICATE
    ]
    return ", ".join("encrypted" if m.encrypted else "IN THE CLEAR" for m in sent) or "not sent"


def main() -> int:
    transcripts = {
        "TLS 1.2, in the handshake": run_tls(ask(TlsVersion.TLS12, CertRequestedHow.HANDSHAKE)),
        "TLS 1.2, renegotiation": run_tls(
            ask(TlsVersion.TLS12, CertRequestedHow.RENEGOTIATION, resumption_on_renegotiation=False)
        ),
        "TLS 1.3, in the handshake": run_tls(ask(TlsVersion.TLS13, CertRequestedHow.HANDSHAKE)),
        "TLS 1.3, post-handshake auth": run_tls(
            ask(TlsVersion.TLS13, CertRequestedHow.POST_HANDSHAKE, post_handshake_auth=True)
        ),
    }
    heading("Three ways to ask for a client certificate")
    for name in ("TLS 1.2, renegotiation", "TLS 1.3, post-handshake auth"):
        print(f"--- {name}")
        print(transcripts[name].to_text())
    no_pha = run_tls(ask(TlsVersion.TLS13, CertRequestedHow.POST_HANDSHAKE))
    print("--- TLS 1.3, post-handshake auth, client did not offer it")
    print(f"server: {no_pha.server.error}")
    refused = run_tls(
        ask(
            TlsVersion.TLS12,
            CertRequestedHow.RENEGOTIATION,
            renegotiation=RenegotiationAnswer.REFUSE,
        )
    )
    print("--- TLS 1.2, renegotiation refused by the client")
    print(f"client: {refused.client.error}\nserver: {refused.server.error}")

    heading("Confidentiality (R-TLS-7): is the client's Certificate encrypted?")
    for name, t in transcripts.items():
        print(f"{name:<30} {client_certificate_protection(t)}")
    print()
    print(hs.get_rule("R-TLS-7").statement)

    heading("TLS 1.2 vs TLS 1.3 on Windows 11 23H2 (binding disabletls13)")
    seed = hs.Scenario.seed()
    s23 = seed.with_release("win11-23h2")
    print(hs.compare(s23, s23.with_binding(disable_tls13=True)).to_text(context=1))

    heading("A PHA client (curl) vs a browser (chrome) on Server 2022")
    s2022 = seed.with_release("server-2022")
    print(hs.compare(s2022.with_client("curl"), s2022.with_client("chrome")).to_text(context=1))

    heading("HTTP/2 bans late requests: HTTP_1_1_REQUIRED, then a retry over HTTP/1.1")
    r10 = hs.simulate(seed.with_release("win10-22h2"))
    for conn in r10.connections:
        print(
            f"connection {conn.index + 1}: TLS {conn.tls_version} {conn.alpn:<8} "
            f"certificate asked: {conn.cert_requested.value:<13} ended: {conn.end}"
        )
    no_retry = attrs.evolve(
        seed,
        client=attrs.evolve(
            seed.client, profile="chrome", on_http_1_1_required=hs.H11RetryPolicy.FAIL
        ),
    ).with_release("win10-22h2")
    r = hs.simulate(no_retry)
    print(f"without the retry: {r.outcome.describe()} | {r.outcome.client_error}")

    heading("Clients differ")
    table = hs.matrix(
        seed,
        releases=["win10-22h2", "server-2022", "win11-23h2", "win11-24h2"],
        certificates=["valid", "none"],
    )
    print(table.to_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
