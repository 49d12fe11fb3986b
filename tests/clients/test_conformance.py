"""Real client programs against the endpoint agree with their catalogue profiles.

A small slice of ``python -m tests.clients.runner`` (which CI runs in full, printing the
table): every installed client, on a TLS 1.3 release before 24H2 and on Server 2019 (TLS 1.2
renegotiation), with and without a client certificate, and in the three situations that make
every client fail (:data:`runner.ERROR_SITUATIONS`), so that each one's error text for a
reset, an HTTP/2 stream reset, a refused renegotiation or a refused TLS version is compared
with its profile's.  A
different text is a disagreement like any other.  A client that is not installed is skipped
with the reason.
"""

from __future__ import annotations

import pytest

pytest.importorskip("OpenSSL", reason="the serve extra is not installed: pip install '.[serve]'")
pytest.importorskip("h2", reason="the serve extra is not installed: pip install '.[serve]'")

from tests.clients import runner

SITUATIONS = [
    runner.Situation("server-2022", negotiation=False, certificate=True),
    runner.Situation("server-2019", negotiation=False, certificate=False),
    *runner.ERROR_SITUATIONS,
]
#: More situations for one program: the browsers also get a late demand on Server 2025 (the IIS
#: 500.0 page), and Chromium, which runs neither the certificate situations nor Server 2019's
#: late demand, one on Server 2022 without a certificate (HTTP/2 stream reset, then a reset).
EXTRA_SITUATIONS = {
    "chromium": [
        runner.Situation("server-2022", negotiation=False, certificate=False),
        runner.Situation("server-2025", negotiation=False, certificate=False),
    ],
    "firefox-esr": [runner.Situation("server-2025", negotiation=False, certificate=False)],
}


@pytest.mark.parametrize("program", runner.PROGRAM_LIST, ids=lambda p: p.id)
def test_client_agrees_with_its_profile(program: runner.Program) -> None:
    skipped: list[str] = []
    situations = [*SITUATIONS, *EXTRA_SITUATIONS.get(program.id, [])]
    rows = list(runner.run([program], situations, skipped.append))
    skipped = [line for line in skipped if line.startswith("SKIPPED ")]
    if skipped:
        pytest.skip(skipped[0])
    print("\n" + runner.table(rows))
    assert rows, "nothing ran"
    assert [r for r in rows if not r.agree] == [], runner.table(rows)


def test_observation_reads_the_endpoint_records() -> None:
    """The comparison can fail: a made-up observation that differs from the model."""
    records = [
        {
            "number": 1,
            "offer": {"alpn": ["h2"], "versions": ["1.3"], "post_handshake_auth": True},
            "end": "stream reset HTTP_1_1_REQUIRED; connection kept open",
        },
    ]
    seen = runner.observe({"status": None, "body": "", "error": "boom"}, records)
    assert (seen.outcome, seen.alpn, seen.pha, seen.connections) == ("H2ERR", ("h2",), True, 1)
    predicted = runner.predict(SITUATIONS[0], "curl")
    assert runner.compare(predicted, seen) != []
