"""A Python client for the conformance suite: one GET, one JSON line on stdout.

    python py_client.py requests|httpx|urllib URL CA.pem [CERT.pem KEY.key]

Each library is used as its documentation shows for a private CA and a client certificate.
With ``PY_CLIENT_MAX_TLS=1.2`` in the environment, each offers TLS 1.2 at most: through its
own SSL context (requests: a transport adapter that passes one to urllib3).
"""

from __future__ import annotations

import json
import os
import ssl
import sys
from typing import Any


def _cap(ctx: ssl.SSLContext) -> ssl.SSLContext:
    if os.environ.get("PY_CLIENT_MAX_TLS") == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def main(argv: list[str]) -> dict[str, object]:
    lib, url, ca = argv[:3]
    cert = (argv[3], argv[4]) if len(argv) > 4 else None
    if lib == "requests":
        import requests

        if os.environ.get("PY_CLIENT_MAX_TLS") == "1.2":
            from requests.adapters import HTTPAdapter
            from urllib3.util.ssl_ import create_urllib3_context

            class Capped(HTTPAdapter):
                def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
                    kwargs["ssl_context"] = _cap(create_urllib3_context())
                    super().init_poolmanager(*args, **kwargs)

            with requests.Session() as session:
                session.mount("https://", Capped())
                r = session.get(url, verify=ca, cert=cert, timeout=20)
        else:
            r = requests.get(url, verify=ca, cert=cert, timeout=20)
        return {"status": r.status_code, "body": r.text, "proto": "HTTP/1.1"}
    if lib == "httpx":
        import httpx

        ctx = _cap(ssl.create_default_context(cafile=ca))
        if cert:
            ctx.load_cert_chain(*cert)
        with httpx.Client(http2=True, verify=ctx, timeout=20) as client:
            r = client.get(url)
            return {"status": r.status_code, "body": r.text, "proto": r.http_version}
    if lib == "urllib":
        import urllib.error
        import urllib.request

        ctx = _cap(ssl.create_default_context(cafile=ca))
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
