"""Take the screenshots of docs/see-it-in-your-browser.md: headless Chromium against the endpoint.

    python docs/browser_screenshots.py [--chromium PATH] [--out docs/images]

For each scenario it starts ``httpsys_sim.serve`` on 127.0.0.1, points a fresh headless
Chromium profile at it (trusting only the endpoint's server key, by its SPKI hash) and saves a
PNG, then prints what the endpoint saw from the browser (its ClientHello and each connection's
end).  Needs the serve extra and Chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's tests/

import httpsys_sim as hs
from tests.clients.browsers import CHROMIUM_FLAGS, spki_hash

SHOTS = (
    ("server-2022", False, "browser-server-2022.png"),
    ("server-2025", False, "browser-server-2025-500.png"),
    ("server-2025", True, "browser-server-2025-netsh-fix.png"),
)

#: The conformance suite's headless flags (tests/clients/browsers.py), at a screenshot's size.
FLAGS = (*CHROMIUM_FLAGS, "--hide-scrollbars", "--window-size=1100,720")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--out", default=str(Path(__file__).parent / "images"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for release, negotiation, name in SHOTS:
        scenario = hs.Scenario.seed(release).with_binding(client_cert_negotiation=negotiation)
        with hs.serve(scenario) as server, tempfile.TemporaryDirectory() as profile:
            server_pem = Path(server.ready()["ca"]).parent / "server.pem"
            cmd = [
                args.chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--ignore-certificate-errors-spki-list={spki_hash(server_pem)}",
                f"--screenshot={out / name}",
                server.url,
            ]
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if run.returncode != 0:
                print(f"{name}: chromium failed: {run.stderr.strip()[-300:]}", file=sys.stderr)
                return 1
            print(f"## {name}: {scenario.describe(client=False)}")
            failed = re.search(r"Page load failed: (net::ERR_[A-Z_0-9]+)", run.stderr)
            if failed:  # Chromium saves no screenshot of its own error page when headless
                (out / name).unlink(missing_ok=True)
                print(f"Chromium: {failed.group(1)} (no screenshot)")
            for record in server.connections(settle=5):
                print(
                    json.dumps(
                        {
                            k: record.get(k)
                            for k in ("number", "offer", "tls_version", "alpn", "end", "requests")
                        }
                    )
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
