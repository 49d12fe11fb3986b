"""Write the example notebooks from the cells below (outputs cleared, stable cell ids).

    python examples/_make_notebooks.py          # rewrite examples/*.ipynb
    python examples/_make_notebooks.py --check  # exit 1 if a notebook is out of date

The notebooks are generated so that they stay reviewable: edit the cells here, not the
``.ipynb`` files.  ``tests/test_notebooks.py`` runs both, top to bottom.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]

SEED_PROBLEM: list[Cell] = [
    (
        "md",
        """# The seed problem: IIS Express, `SslNegotiateCert` and Windows 11

A developer runs a site in **IIS Express** that asks for a client certificate:
`<access sslFlags="SslNegotiateCert" />` in a `<location overrideMode="Allow">` of
`applicationhost.config`. IIS Express serves SSL from the pre-registered http.sys binding on
port 44300, whose `clientcertnegotiation` is **disabled**. Edge, with a valid certificate, opens
the page.

* On Windows 10 it works.
* On Windows 11 23H2 Edge shows `ERR_CONNECTION_RESET`.
* On Windows 11 24H2 IIS answers **500.0** with `0x80070032`.

This notebook shows the split across releases, *why* it happens (step by step, every step
citing the rule and the sources behind it), and the fix — re-simulated to prove it.
Everything runs offline and deterministically: `httpsys_sim` is a model, not a network tool.""",
    ),
    (
        "code",
        """import httpsys_sim as hs

seed = hs.Scenario.seed()  # IIS Express, SslNegotiateCert, binding 0.0.0.0:44300, Edge
print(seed.describe())""",
    ),
    (
        "md",
        """## 1. The same configuration across Windows releases

Rows are clients, columns are releases. Hover a cell for its explanation; `?` marks an outcome
that rests on an inferred rule.""",
    ),
    (
        "code",
        """m = hs.matrix(seed, clients=["edge", "chrome", "firefox", "curl", "python-requests"])
m""",
    ),
    (
        "md",
        """## 2. The reset / 500 split

Windows 11 before 24H2 (and Server 2022) cut the TCP connection when IIS asks for a
certificate *after* a TLS 1.3 handshake; 24H2 and later (and Server 2025) fail the call with
`ERROR_NOT_SUPPORTED`, which IIS turns into a 500.0 (R-REL-3, source S1).""",
    ),
    (
        "code",
        """r23 = hs.simulate(seed.with_release("win11-23h2"))
r24 = hs.simulate(seed.with_release("win11-24h2"))
for r in (r23, r24):
    o, log = r.outcome, r.iis_log
    print(f"{r.scenario.server.release.product:<16} {o.short():<6} {o.describe()}")
    w3c = f"{log.status} {log.substatus} {log.win32_status}" if log else "no line"
    print(" " * 16, "the client shows:", o.client_error or "the IIS error page", "| W3C:", w3c)""",
    ),
    (
        "md",
        """The full result renders itself: outcome badge, the causal chain with its rules (hover a
rule id for its statement; source ids link to the documents), the sequence diagram, every step,
and the fixes.""",
    ),
    ("code", "r23"),
    (
        "md",
        """## 3. Why: the sequence diagram

Two connections: Edge first speaks HTTP/2. A late certificate demand is forbidden on HTTP/2, so
http.sys resets the *stream* with `HTTP_1_1_REQUIRED` and Edge retries on a fresh HTTP/1.1
connection. There the handshake was TLS 1.3, which has no renegotiation, and Schannel sends no
post-handshake CertificateRequest — so http.sys cannot get the certificate at all. What happens
next is the release's policy.

`sequence_diagram(...)` offers Mermaid (drawn natively by JupyterLab 4.1+) and an SVG fallback
that every front end shows.""",
    ),
    ("code", "hs.sequence_diagram(r24)"),
    (
        "md",
        """`hs.compare` lines up the two traces and points at the first step where the paths
diverge, and at the rules only one side cites.""",
    ),
    ("code", "hs.compare(r23, r24)"),
    (
        "md",
        """Why did the problem "appear" with Windows 11? Windows 10 has no TLS 1.3 (R-REL-1): the
handshake is TLS 1.2, and the late demand becomes a renegotiation, which works.""",
    ),
    (
        "code",
        """r10 = hs.simulate(seed.with_release("win10-22h2"))
print(r10.outcome.describe(), "| connections:", [c.end for c in r10.connections])""",
    ),
    (
        "md",
        """## 4. The fix, re-simulated

Every failing result proposes fixes, each already re-simulated. The first is the recommended
one: ask for the certificate **in the initial handshake** (`clientcertnegotiation=enable` on the
binding, R-REQ-1). It works on every release, TLS version and HTTP version.""",
    ),
    (
        "code",
        """fix = hs.find_fixes(r24)[0]
print(fix.title)
print("\\n".join(fix.commands))""",
    ),
    (
        "code",
        """fixed = hs.simulate(fix.scenario)
assert fixed.outcome.status == 200
assert fixed.certificate_reached_app
print(
    fixed.outcome.describe(),
    "- certificate reached the application:",
    fixed.certificate_reached_app,
)
fixed""",
    ),
    (
        "md",
        """The fixed configuration, across the same releases and clients: every cell serves the
request with the certificate.""",
    ),
    (
        "code",
        """clients = ["edge", "chrome", "firefox", "curl", "python-requests"]
hs.matrix(fix.scenario, clients=clients)""",
    ),
    ("code", 'hs.compare(r24, fixed, labels=("24H2 as shipped", "24H2 fixed"))'),
    (
        "md",
        """The workaround — disable TLS 1.3 on the binding — also works (the certificate then
travels in a TLS 1.2 renegotiation), at the price of TLS 1.3:""",
    ),
    (
        "code",
        """workaround = hs.find_fixes(r24)[1]
print(workaround.title, "→", workaround.outcome)
print(workaround.note)""",
    ),
    (
        "md",
        """## 5. The two release policies, as data

Releases are data, not `if build >= 26100` branches; each row cites its rules.""",
    ),
    ("code", 'hs.get_release("win11-23h2")'),
    ("code", 'hs.get_release("win11-24h2")'),
]


PROTOCOL_DIFFERENCES: list[Cell] = [
    (
        "md",
        """# Three ways to ask for a client certificate — and why Windows 11 broke one

A TLS server can ask for a client certificate

1. **in the handshake** (a CertificateRequest in the first flight: TLS 1.2 and 1.3),
2. **later, by renegotiating** (TLS 1.2: a HelloRequest, then a whole new handshake inside the
   encrypted connection), or
3. **later, by post-handshake authentication** (TLS 1.3 "PHA": a CertificateRequest after the
   handshake — only if the client offered the `post_handshake_auth` extension).

This notebook runs the sans-IO TLS state machines of `httpsys_sim.tls` on their own, then the
full Windows pipeline, to show what each way looks like on the wire, why HTTP/2 bans the late
ones, how clients differ, and the confidentiality argument (R-TLS-7).""",
    ),
    (
        "code",
        """import attrs

import httpsys_sim as hs
from httpsys_sim.tls import (
    CertRequest,
    CertRequestedHow,
    Kind,
    RenegotiationAnswer,
    Role,
    TlsScenario,
    TlsVersion,
    run_tls,
)

ASK = {"stack": "openssl", "cert_request": CertRequest.REQUIRED}
transcripts = {
    "TLS 1.2, in the handshake": run_tls(
        TlsScenario(**ASK, version=TlsVersion.TLS12, request_at=CertRequestedHow.HANDSHAKE)
    ),
    "TLS 1.2, renegotiation": run_tls(
        TlsScenario(
            **ASK,
            version=TlsVersion.TLS12,
            request_at=CertRequestedHow.RENEGOTIATION,
            resumption_on_renegotiation=False,
        )
    ),
    "TLS 1.3, in the handshake": run_tls(
        TlsScenario(**ASK, version=TlsVersion.TLS13, request_at=CertRequestedHow.HANDSHAKE)
    ),
    "TLS 1.3, post-handshake auth": run_tls(
        TlsScenario(
            **ASK,
            version=TlsVersion.TLS13,
            request_at=CertRequestedHow.POST_HANDSHAKE,
            post_handshake_auth=True,
        )
    ),
}
for name, t in transcripts.items():
    print(
        f"{name:<30} messages on the wire: {len(t.wire):>2}   "
        f"server obtained a certificate: {t.server.cert_obtained}"
    )""",
    ),
    (
        "md",
        """## 1. The transcripts

Each transcript renders as a sequence diagram (a padlock marks an encrypted message) with the
rule behind every message. First the renegotiation: a HelloRequest, then a full handshake —
including the client's Certificate — under the keys of the first one.""",
    ),
    ("code", 'transcripts["TLS 1.2, renegotiation"]'),
    (
        "md",
        """Post-handshake authentication: after the TLS 1.3 handshake the server sends a
CertificateRequest with a non-empty context; the client answers Certificate, CertificateVerify,
Finished.""",
    ),
    ("code", 'transcripts["TLS 1.3, post-handshake auth"]'),
    (
        "md",
        """A client that did **not** offer `post_handshake_auth` cannot be asked (RFC 8446 §4.6.2):
the server's stack refuses to send the request. That is the position of every browser on
Windows 11 before 24H2 — and Schannel never sends a post-handshake CertificateRequest anyway.""",
    ),
    (
        "code",
        """no_pha = run_tls(  # the client does not offer post_handshake_auth
    TlsScenario(
        **ASK,
        version=TlsVersion.TLS13,
        request_at=CertRequestedHow.POST_HANDSHAKE,
    )
)
print(no_pha.server.error)
no_pha""",
    ),
    (
        "md",
        """And a TLS 1.2 client may refuse a renegotiation with a `no_renegotiation` alert
(R-TLS-1) — BoringSSL does so on HTTP/2, and some stacks always:""",
    ),
    (
        "code",
        """refused = run_tls(
    TlsScenario(
        **ASK,
        version=TlsVersion.TLS12,
        request_at=CertRequestedHow.RENEGOTIATION,
        renegotiation=RenegotiationAnswer.REFUSE,
    )
)
print(refused.to_text())""",
    ),
    (
        "md",
        """## 2. Confidentiality (R-TLS-7)

In a TLS 1.2 *initial* handshake the client's Certificate travels **in the clear**: anyone on
the path reads who the user is. In a renegotiation it travels under the keys of the first
handshake, and in TLS 1.3 it is always encrypted. The `encrypted` flag of every wire event
says so.""",
    ),
    (
        "code",
        """def client_certificates(t):
    return [
        e.message for e in t.wire if e.sender is Role.CLIENT and e.message.kind is Kind.CERTIFICATE
    ]


for name, t in transcripts.items():
    flags = ["encrypted" if m.encrypted else "IN THE CLEAR" for m in client_certificates(t)]
    print(f"{name:<30} client Certificate: {', '.join(flags)}")""",
    ),
    (
        "code",
        'hs.get_rule("R-TLS-7")',
    ),
    (
        "md",
        """The same holds in the full Windows pipeline, where every TLS wire step carries
`message` and `encrypted`. The recommended fix (ask in the handshake) on a TLS 1.2-only
Windows 10 sends the certificate in the clear; on Windows 11 (TLS 1.3) it is encrypted; the
late demand on Windows 10 (renegotiation) encrypts it too.""",
    ),
    (
        "code",
        """seed = hs.Scenario.seed()
handshake = seed.with_binding(client_cert_negotiation=True)
cases = {
    "Windows 10, asked in the handshake (TLS 1.2)": handshake.with_release("win10-22h2"),
    "Windows 10, late demand (renegotiation)": seed.with_release("win10-22h2"),
    "Windows 11 24H2, asked in the handshake (TLS 1.3)": handshake.with_release("win11-24h2"),
}
for name, scenario in cases.items():
    r = hs.simulate(scenario)
    sent = [s for s in r.steps if s.actor == "client" and s.message == "certificate"]
    flags = ["encrypted" if s.encrypted else "IN THE CLEAR" for s in sent]
    print(f"{name:<50} {r.outcome.short():<5} client Certificate: {', '.join(flags)}")""",
    ),
    (
        "md",
        """## 3. Handshake-time request vs renegotiation vs PHA, on Windows

`hs.compare` puts two simulations side by side. TLS 1.2 vs TLS 1.3 on Windows 11 23H2
(`disabletls13` on the binding): the paths split at the ServerHello, and the TLS 1.2 side
renegotiates to 200 where the TLS 1.3 side is reset.""",
    ),
    (
        "code",
        """s23 = seed.with_release("win11-23h2")
hs.compare(s23, s23.with_binding(disable_tls13=True))""",
    ),
    (
        "md",
        """curl always offers PHA; Chrome never does. On Server 2022 that is the difference between
a 200 (without a certificate — the field reports say none reaches IIS, R-REQ-2.tls13-pha) and a
reset:""",
    ),
    (
        "code",
        """s2022 = seed.with_release("server-2022")
c = hs.compare(s2022.with_client("curl"), s2022.with_client("chrome"))
print(c.to_text(context=1))""",
    ),
    (
        "md",
        """## 4. HTTP/2 bans both late methods (R-TLS-5)

After the HTTP/2 preface, renegotiation and PHA are connection errors. http.sys resets the one
stream with `HTTP_1_1_REQUIRED` (0xd) and a browser retries on a new HTTP/1.1 connection — two
connections for one request:""",
    ),
    (
        "code",
        """r10 = hs.simulate(seed.with_release("win10-22h2"))
for conn in r10.connections:
    print(conn.index + 1, conn.tls_version, conn.alpn, conn.cert_requested.value, conn.end)""",
    ),
    (
        "md",
        """A client that does not retry stops at the stream error. Override one capability of the
Chrome profile (every other fact keeps its sources):""",
    ),
    (
        "code",
        """no_retry = attrs.evolve(
    seed,
    client=attrs.evolve(seed.client, profile="chrome", on_http_1_1_required=hs.H11RetryPolicy.FAIL),
).with_release("win10-22h2")
r = hs.simulate(no_retry)
print(r.outcome.describe(), "|", r.outcome.client_error)""",
    ),
    (
        "md",
        """## 5. Clients differ

The same seed configuration over every client profile and four releases, with and without a
certificate. PHA-offering clients (curl, python-requests, Firefox with the pref) get a 200
*without* their certificate where browsers are reset; Go refuses renegotiation by default; the
rustls profile does not retry on `HTTP_1_1_REQUIRED`.""",
    ),
    (
        "code",
        """hs.matrix(
    seed,
    releases=["win10-22h2", "server-2022", "win11-23h2", "win11-24h2"],
    certificates=["valid", "none"],
)""",
    ),
    (
        "md",
        """Each profile is data with its evidence — value, confidence, and sources for every
capability:""",
    ),
    ("code", 'hs.get_client("curl")'),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "seed_problem": SEED_PROBLEM,
    "protocol_differences": PROTOCOL_DIFFERENCES,
}


def build(name: str, cells: list[Cell]) -> nbformat.NotebookNode:
    """One notebook, outputs cleared, with stable cell ids (so regeneration diffs cleanly)."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for n, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"{name.replace('_', '-')}-{n:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The notebook file's text."""
    return nbformat.writes(build(name, NOTEBOOKS[name])) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in NOTEBOOKS:
        path = HERE / f"{name}.ipynb"
        text = render(name)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)}")
    if stale:
        print("out of date (run python examples/_make_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
