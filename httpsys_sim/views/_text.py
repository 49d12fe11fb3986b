"""Views of a :class:`~httpsys_sim.core._result.Result`: text, Markdown and Mermaid.

Views only read results; they never reach into the engine.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from httpsys_sim.catalogue._rules import get_rule

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result, Step

__all__ = ["result_markdown", "result_mermaid", "result_text", "rule_anchor"]


def rule_anchor(rule_id: str) -> str:
    """The anchor of ``rule_id``'s entry in ``docs/reference/rules.md``."""
    return rule_id.lower().replace(".", "").replace(" ", "-")


def _headline(result: Result) -> list[str]:
    o = result.outcome
    lines = [f"Outcome: {o.describe()}"]
    if o.client_error:
        lines.append(f"Client shows: {o.client_error}")
    sources = ", ".join(get_rule(o.rule).sources)
    lines.append(
        f"Decided by: {o.rule} ({o.confidence.value}; sources {sources})"
        + ("" if result.iis_log is None else f" · IIS log: {_log(result)}")
        + ("" if result.httperr is None else f" · HTTPERR: {result.httperr}")
    )
    lines.append(
        f"Certificate reached the application: {'yes' if result.certificate_reached_app else 'no'}"
    )
    if result.app_observed is not None:  # ASP.NET Core hosts
        lines.append(f"The application observes: {result.app_observed.describe()}")
    return lines


def _log(result: Result) -> str:
    log = result.iis_log
    assert log is not None
    return f"{log.status} {log.substatus} {log.win32_status}"


def result_text(result: Result, *, fixes: bool = True) -> str:
    """Outcome first, then the step-by-step story with rule ids, then doubts and fixes."""
    lines = _headline(result)
    lines += ["", f"Scenario: {result.scenario.describe()}", "", "What happened:"]
    width = max(len(s.rule) for s in result.steps)
    for n, step in enumerate(result.steps, 1):
        mark = "*" if step.key else " "
        cite = f"  ({', '.join(step.sources)})" if step.key else ""
        lines.append(f" {mark}{n:>3}. [{step.rule:<{width}}] {step.actor}: {step.event}{cite}")
    lines.append(
        "   (* = part of the causal chain, with its sources; `httpsys-sim rules` lists every rule)"
    )
    if result.outcome.alternatives:
        lines += ["", "Where the model is unsure:"]
        lines += [f"  - {a.description} [{a.rule}]" for a in result.outcome.alternatives]
    if fixes:
        found = result.fixes()
        if found:
            lines += ["", "Fixes (each re-simulated):"]
            for n, fix in enumerate(found, 1):
                lines.append(f"  {n}. {fix.title} → {fix.outcome} [{fix.rule}]")
                lines += [f"       {c}" for c in fix.commands]
                if fix.note:
                    lines.append(f"       note: {fix.note}")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    """Text safe in Markdown (and in a table cell): HTML-escaped, pipes escaped."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def result_markdown(result: Result, *, fixes: bool = True) -> str:
    """A Markdown report: outcome, the causal chain, every step with linked rule ids."""
    o = result.outcome
    lines = [f"### {_md_cell(o.describe())}", ""]
    lines += [f"- {_md_cell(line)}" for line in _headline(result)[1:]]
    lines += ["", f"Scenario: {_md_cell(result.scenario.describe())}", "", "#### Why", ""]
    for n, step in enumerate(result.why(), 1):
        rule = get_rule(step.rule)
        lines.append(
            f"{n}. {_md_cell(step.event)} — `{rule.id}` "
            f"({rule.confidence.value}; {', '.join(rule.sources)})"
        )
    lines += [
        "",
        "#### Steps",
        "",
        "| # | layer | actor | event | rule | confidence |",
        "|---|---|---|---|---|---|",
    ]
    for n, step in enumerate(result.steps, 1):
        lines.append(
            f"| {n} | {step.layer} | {step.actor} | {_md_cell(step.event)} | "
            f"`{step.rule}` | {step.confidence.value} |"
        )
    if o.alternatives:
        lines += ["", "#### Alternatives", ""]
        lines += [f"- {_md_cell(a.description)} (`{a.rule}`)" for a in o.alternatives]
    if fixes and result.fixes():
        lines += ["", "#### Fixes", ""]
        for fix in result.fixes():
            lines.append(f"- **{_md_cell(fix.title)}** → {fix.outcome} (`{fix.rule}`)")
            lines += [f"  - `{c}`" for c in fix.commands]
    return "\n".join(lines) + "\n"


def _mm(text: str) -> str:
    """Text safe inside a Mermaid message."""
    return (
        text.replace(";", ",")
        .replace("#", "")
        .replace("<", "‹")
        .replace(">", "›")
        .replace("\n", " ")
    )


def _short(step: Step) -> str:
    text = step.event
    return _mm(text if len(text) <= 110 else text[:107] + "…")


def result_mermaid(result: Result) -> str:
    """A Mermaid ``sequenceDiagram``: client, http.sys/Schannel and IIS, every connection,
    encrypted messages marked 🔒, the late demand, and the reset or the response."""
    s = result.scenario
    host = "IIS Express" if s.server.host.value == "iis-express" else "IIS"
    profile = s.client.profile
    lines = [
        "sequenceDiagram",
        f"    participant C as Client ({profile})",
        f"    participant H as http.sys + Schannel ({_mm(s.server.release.product)})",
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
            lines.append(f"    {src}{arrow}{dst}: {_mm(step.message)}{lock}")
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
        f"    Note over C: {_mm(o.describe())}"
        + (f" · {_mm(o.client_error)}" if o.client_error else "")
    )
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """HTML-escape ``text``."""
    return html.escape(text, quote=True)
