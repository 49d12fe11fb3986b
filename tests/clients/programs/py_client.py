"""A Python client for the conformance suite: one GET, one JSON line on stdout.

    python py_client.py requests|httpx|urllib URL CA.pem [CERT.pem KEY.key]

Each library is used as its documentation shows for a private CA and a client certificate.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> dict[str, object]:
    lib, url, ca = argv[:3]
    cert = (argv[3], argv[4]) if len(argv) > 4 else None
    if lib == "requests":
        import requests

        r = requests.get(url, verify=ca, cert=cert, timeout=20)
        return {"status": r.status_code, "body": r.text, "proto": "HTTP/1.1"}
    if lib == "httpx":
        import ssl

        import httpx

        ctx = ssl.create_default_context(cafile=ca)
        if cert:
            ctx.load_cert_chain(*cert)
        with httpx.Client(http2=True, verify=ctx, timeout=20) as client:
            r = client.get(url)
            return {"status": r.status_code, "body": r.text, "proto": r.http_version}
    if lib == "urllib":
        import ssl
        import urllib.error
        import urllib.request

        ctx = ssl.create_default_context(cafile=ca)
        if cert:
            ctx.load_cert_chain(*cert)
        try:
            with urllib.request.urlopen(url, context=ctx, timeout=20) as resp:
                return {"status": resp.status, "body": resp.read().decode(), "proto": "HTTP/1.1"}
        except urllib.error.HTTPError as exc:
            return {"status": exc.code, "body": exc.read().decode(), "proto": "HTTP/1.1"}
    raise SystemExit(f"unknown library {lib}")


if __name__ == "__main__":
    try:
        out = main(sys.argv[1:])
        out["error"] = None
    except Exception as exc:  # the error is the observation
        out = {
            "status": None,
            "body": "",
            "error": f"{type(exc).__module__}.{type(exc).__name__}: {exc}",
        }
    print(json.dumps(out))
