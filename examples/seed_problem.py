"""The seed problem in a terminal: IIS Express, SslNegotiateCert, Windows 11 23H2 vs 24H2.

    python examples/seed_problem.py

The same story as ``seed_problem.ipynb``: the outcome across releases, the reset / 500 split,
why (every step with its rule), and the recommended fix, re-simulated to 200.
"""

from __future__ import annotations

import sys

import httpsys_sim as hs

CLIENTS = ["edge", "chrome", "firefox", "curl", "python-requests"]


def heading(text: str) -> None:
    print(f"\n{'=' * len(text)}\n{text}\n{'=' * len(text)}\n")


def main() -> int:
    seed = hs.Scenario.seed()
    heading("The seed configuration across Windows releases")
    print(hs.matrix(seed, clients=CLIENTS).to_text())

    heading("The reset / 500 split")
    r23 = hs.simulate(seed.with_release("win11-23h2"))
    r24 = hs.simulate(seed.with_release("win11-24h2"))
    for r in (r23, r24):
        o, log = r.outcome, r.iis_log
        w3c = f"{log.status} {log.substatus} {log.win32_status}" if log else "no line"
        print(f"{r.scenario.server.release.product:<16} {o.short():<6} {o.describe()}")
        print(f"{'':<16} the client shows: {o.client_error or 'the IIS error page'} | W3C: {w3c}")

    heading("Why: Windows 11 23H2, step by step")
    print(r23)
    print(r23.explain())

    heading("Where 23H2 and 24H2 part ways")
    print(hs.compare(r23, r24).to_text())

    heading("The fix, re-simulated")
    fix = hs.find_fixes(r24)[0]
    print(fix.title)
    print("\n".join(f"  {c}" for c in fix.commands))
    fixed = hs.simulate(fix.scenario)
    print(
        f"\nre-simulated: {fixed.outcome.describe()}; certificate reached the application: "
        f"{'yes' if fixed.certificate_reached_app else 'no'}\n"
    )
    print(hs.matrix(fix.scenario, clients=CLIENTS).to_text())
    return 0 if fixed.outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
