"""Mermaid views: a result's sequence diagram."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from httpsys_sim.views._escape import mermaid_escape

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result, Step


#: Characters per line of a Mermaid note or message; longer text wraps, never cut.
_WRAP = 60


def _wrapped(text: str) -> str:
    """``text`` escaped for Mermaid and wrapped onto lines joined with ``<br/>``."""
    lines = textwrap.wrap(text, _WRAP, break_long_words=False, break_on_hyphens=False)
    return "<br/>".join(mermaid_escape(line) for line in lines or [""])


def _short(step: Step) -> str:
    return _wrapped(step.event)


def result_mermaid(result: Result) -> str:
    """A Mermaid ``sequenceDiagram``: client, http.sys/Schannel and IIS, every connection,
    encrypted messages marked 🔒, the late demand, and the reset or the response."""
    s = result.scenario
    host = "IIS Express" if s.server.host.value == "iis-express" else "IIS"
    profile = s.client.profile
    lines = [
        "sequenceDiagram",
        f"    participant C as Client ({profile})",
        f"    participant H as http.sys + Schannel ({mermaid_escape(s.server.release.product)})",
        f"    participant I as {host}",
    ]
    current: int | None = None
    for step in result.steps:
        if step.layer == "config":
            continue
        if step.connection is not None and step.connection != current and step.layer == "tcp":
            current = step.connection
            conn = result.connections[current] if current < len(result.connections) else None
            label = f"connection {current + 1}"
            if conn is not None:
                label += (
                    f" · {conn.transport.upper()} · TLS {conn.tls_version or '-'}"
                    f" · ALPN {conn.alpn or '-'}"
                )
            lines.append(f"    Note over C,H: {label}")
        if step.message is not None:
            src, dst = ("C", "H") if step.actor == "client" else ("H", "C")
            lock = " 🔒" if step.encrypted else ""
            arrow = "->>" if step.delivered else "-x"
            lines.append(f"    {src}{arrow}{dst}: {mermaid_escape(step.message)}{lock}")
        elif step.layer == "http" and step.actor == "client":
            lines.append(f"    C->>H: {_short(step)}")
            lines.append("    H->>I: request")
        elif step.layer == "http":
            lines.append(f"    H--xC: {_short(step)}")
        elif step.layer == "tcp" and step.actor != "client":
            lines.append(f"    H--xC: TCP reset · {_short(step)}")
        elif step.layer == "iis":
            lines.append(f"    Note over H,I: {_short(step)}")
        elif step.layer in ("tls", "client"):
            who = "C" if step.actor == "client" else "H"
            lines.append(f"    Note over {who}: {_short(step)}")
    o = result.outcome
    if o.status is not None:
        lines.append(f"    I-->>C: HTTP {o.short()}")
    lines.append(
        "    Note over C: "
        + _wrapped(o.describe() + (f" · {o.client_error}" if o.client_error else ""))
    )
    return "\n".join(lines) + "\n"
