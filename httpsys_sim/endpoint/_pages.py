"""What IIS puts on the wire for an outcome: status line, headers, the page, the W3C log line.

The detailed error pages follow the layout IIS 10 and IIS Express 10 show to local clients
(title ``IIS 10.0 Detailed Error - 500.0 - Internal Server Error``, the module, the
notification, the handler and the error code); the text is written here, not copied.
"""

from __future__ import annotations

import datetime
import html
import threading
from pathlib import Path
from types import MappingProxyType

from httpsys_sim.core._result import HttpResponse, IisLogLine
from httpsys_sim.windows._iis import Host

__all__ = ["W3cLog", "page_for", "response_headers"]

_REASONS = MappingProxyType(
    {
        200: "OK",
        403: "Forbidden",
        404: "Not Found",
        413: "Request Entity Too Large",
        500: "Internal Server Error",
    }
)

_TEXT = MappingProxyType(
    {
        (403, 4): ("SSL is required to view this resource.", "Use https:// for this address."),
        (403, 7): (
            "The page you are attempting to access requires your browser to present a client "
            "certificate that the Web server recognizes.",
            "Install a client certificate the server trusts, or ask the administrator.",
        ),
        (403, 13): (
            "The client certificate used for this request has been revoked.",
            "Obtain a new client certificate.",
        ),
        (403, 16): (
            "The client certificate used for this request is untrusted or invalid.",
            "Use a client certificate issued by a certification authority the server trusts.",
        ),
        (403, 17): (
            "The client certificate used for this request has expired or is not yet valid.",
            "Obtain a current client certificate.",
        ),
        (413, 0): (
            "The request entity is too large for the server to buffer while it renegotiates.",
            "Raise serverRuntime/@uploadReadAheadSize or send a smaller body.",
        ),
        (500, 0): (
            "The request is not supported.",
            "The server could not read the client certificate on this connection "
            "(HttpReceiveClientCertificate failed with ERROR_NOT_SUPPORTED).",
        ),
    }
)

_STYLE = (
    "body{margin:0;font:.8em/1.5 'Segoe UI',Verdana,sans-serif;background:#CBE1EF}"
    "#header{background:#5c87b2;color:#fff;padding:6px 2% 6px 2%}"
    "#content{margin:0 0 0 2%}.content-container{background:#fff;width:96%;margin-top:8px;"
    "padding:10px;border:1px solid #d0d0d0}h1{font-size:2.4em;margin:0}h3{margin:0 0 .2em}"
    "table{border-collapse:collapse}th{text-align:right;padding-right:1em;font-weight:normal;"
    "color:#555}td{padding:0}"
)


def server_header(host: Host) -> list[tuple[str, str]]:
    """The headers IIS and IIS Express (both 10.0) put on every response."""
    del host  # IIS Express 10 names itself as IIS does
    return [("Server", "Microsoft-IIS/10.0"), ("X-Powered-By", "ASP.NET")]


def page_for(
    outcome: HttpResponse, *, host: Host, url: str, subject: str | None, physical_path: str
) -> bytes:
    """The body IIS sends for ``outcome``: the application's page for 2xx, else the
    detailed error page."""
    if outcome.ok:
        shown = html.escape(subject) if subject else "none"
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>httpsys-sim</title>'
            "</head><body><h1>200 OK</h1>"
            f"<p>Served by a simulated {html.escape(host.value)}.</p>"
            f'<p id="client-certificate">Client certificate the application received: '
            f"{shown}</p></body></html>\n"
        ).encode()
    code = f"{outcome.status}.{outcome.substatus}"
    reason = _REASONS.get(outcome.status, "Error")
    summary, advice = _TEXT.get(
        (outcome.status, outcome.substatus), ("The request failed.", "See the server's logs.")
    )
    hresult = outcome.hresult or "0x00000000"
    module = outcome.module or "IIS Web Core"
    rows = [
        ("Module", module),
        ("Notification", "BeginRequest" if outcome.status == 500 else "AuthenticateRequest"),
        ("Handler", "StaticFile"),
        ("Error Code", hresult),
        ("Requested URL", url),
        ("Physical Path", physical_path),
        ("Logon Method", "Not yet determined"),
        ("Logon User", "Not yet determined"),
    ]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>IIS 10.0 Detailed Error - {code} - {reason}</title>"
        f'<style type="text/css">{_STYLE}</style></head><body>'
        '<div id="header"><h1>Server Error in Application "DEFAULT WEB SITE"</h1>'
        "Internet Information Services 10.0</div>"
        '<div id="content"><div class="content-container">'
        f"<h3>HTTP Error {code} - {reason}</h3><h4>{html.escape(summary)}</h4></div>"
        '<div class="content-container"><h3>Most likely causes:</h3>'
        f"<ul><li>{html.escape(advice)}</li></ul></div>"
        '<div class="content-container"><h3>Detailed Error Information:</h3>'
        f"<table>{table}</table></div></div></body></html>\n"
    ).encode()


def response_headers(
    outcome: HttpResponse, *, host: Host, length: int, now: datetime.datetime
) -> list[tuple[str, str]]:
    """Headers of the response (without the status line)."""
    return [
        ("Content-Type", "text/html; charset=utf-8" if outcome.ok else "text/html"),
        *server_header(host),
        ("Date", now.strftime("%a, %d %b %Y %H:%M:%S GMT")),
        ("Content-Length", str(length)),
    ]


_W3C_FIELDS = (
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
)


def _w3c(value: str | None) -> str:
    """A W3C field: ``-`` when empty, spaces as ``+`` (as IIS writes the User-Agent)."""
    if not value:
        return "-"
    return "".join("+" if c == " " else c for c in value if c.isprintable())


class W3cLog:
    """The W3C extended log IIS writes (one line per request that reached IIS)."""

    def __init__(self, path: Path, now: datetime.datetime) -> None:
        self.path = path
        self._lock = threading.Lock()
        header = (
            "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
            f"#Date: {now.strftime('%Y-%m-%d %H:%M:%S')}\n#Fields: {_W3C_FIELDS}\n"
        )
        path.write_text(header, encoding="utf-8")

    def write(
        self,
        line: IisLogLine,
        *,
        now: datetime.datetime,
        server: tuple[str, int],
        client: str,
        method: str,
        target: str,
        user_agent: str | None,
        referer: str | None,
        taken_ms: int,
    ) -> None:
        """Append one request's line."""
        stem, _, query = target.partition("?")
        fields = [
            now.strftime("%Y-%m-%d"),
            now.strftime("%H:%M:%S"),
            server[0],
            _w3c(method),
            _w3c(stem),
            _w3c(query),
            str(server[1]),
            "-",
            client,
            _w3c(user_agent),
            _w3c(referer),
            str(line.status),
            str(line.substatus),
            str(line.win32_status),
            str(taken_ms),
        ]
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(" ".join(fields) + "\n")
