"""Plain-text views for the terminal."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from httpsys_sim.analysis._compare import show_value
from httpsys_sim.catalogue._rules import get_rule
from httpsys_sim.core._result import category, cell_text
from httpsys_sim.views._palette import CATEGORIES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._result import Result, Step


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
    return lines


def _log(result: Result) -> str:
    log = result.iis_log
    assert log is not None
    return f"{log.status} {log.substatus} {log.win32_status}"


def result_text(result: Result, *, fixes: Sequence[Fix] = ()) -> str:
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
        found = fixes
        if found:
            lines += ["", "Fixes (each re-simulated):"]
            for n, fix in enumerate(found, 1):
                lines.append(f"  {n}. {fix.title} → {fix.outcome} [{fix.rule}]")
                lines += [f"       {c}" for c in fix.commands]
                if fix.note:
                    lines.append(f"       note: {fix.note}")
    return "\n".join(lines) + "\n"


def matrix_text(m: Matrix, *, colour: bool | None = None) -> str:
    """Aligned columns; colour on a terminal unless ``NO_COLOR`` is set."""
    if colour is None:
        colour = False
    heads = [r.id for r in m.releases]
    labels = [m.row_label(c, k) for c, k in m.rows()]
    left = max(len(x) for x in [*labels, "client"])
    widths = [max(len(h), 7) for h in heads]
    out = [m.title, ""]
    out.append(
        "client".ljust(left)
        + "  "
        + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    )
    for (client, cert), label in zip(m.rows(), labels, strict=True):
        cells = []
        for release, width in zip(m.releases, widths, strict=True):
            result = m.cells[(release.id, client, cert)]
            text = cell_text(result).ljust(width)
            if colour:
                code = CATEGORIES[category(result)][1]
                text = f"\x1b[{code}m{text}\x1b[0m"
            cells.append(text)
        out.append(label.ljust(left) + "  " + "  ".join(cells))
    out += [
        "",
        "Legend: 200 served · 200* served, but the certificate never reached IIS ·",
        "        403.x certificate refused by IIS · 500.0 ERROR_NOT_SUPPORTED · 413 body too",
        "        large to renegotiate · RESET connection reset · ALERT TLS alert ·",
        "        H2ERR HTTP/2 error · ? = the outcome has alternatives (a rule on its path",
        "        is inferred or partly so): see the cell's explanation",
    ]
    return "\n".join(out) + "\n"


def matrix_csv(m: Matrix) -> str:
    """One line per cell: release, client, certificate, outcome fields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "release",
            "client",
            "certificate",
            "kind",
            "status",
            "substatus",
            "hresult",
            "client_error",
            "confidence",
            "short",
        ]
    )
    for client, cert in m.rows():
        for release in m.releases:
            o = m.cells[(release.id, client, cert)].outcome
            writer.writerow(
                [
                    release.id,
                    client,
                    cert.value,
                    o.kind.value,
                    "" if o.status is None else o.status,
                    "" if o.substatus is None else o.substatus,
                    o.hresult or "",
                    o.client_error or "",
                    o.confidence.value,
                    o.short(),
                ]
            )
    return buffer.getvalue()


def _num(index: int | None) -> str:
    return "" if index is None else str(index + 1)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _connections(result: Result) -> str:
    return "; ".join(
        f"{c.index + 1}. TLS {c.tls_version or '—'} {c.alpn or '—'} → {c.end}"
        for c in result.connections
    )


def _cell(step: Step | None, width: int) -> str:
    if step is None:
        return "·"
    text = f"[{step.rule}] {step.actor}: {step.event}"
    return text if len(text) <= width else text[: width - 1] + "…"


def comparison_text(cmp: Comparison, *, context: int = 2, width: int = 50) -> str:
    """The comparison for a terminal: differences, outcomes, connections, the divergence,
    and the aligned steps (identical runs folded, ``context`` rows kept around changes)."""
    la, lb = cmp.labels
    pad = max(len(la), len(lb))
    lines = [f"Comparison: {la} vs {lb}", ""]
    if cmp.scenario_differences:
        lines.append("Scenario differences:")
        lines += [
            f"  {path}: {show_value(va)} → {show_value(vb)}"
            for path, va, vb in cmp.scenario_differences
        ]
        lines.append("")
    lines.append("Outcome:")
    for label, result in ((la, cmp.a), (lb, cmp.b)):
        o = result.outcome
        shows = f" — client shows {o.client_error}" if o.client_error else ""
        lines.append(
            f"  {label:<{pad}}  {o.short():<7} {o.describe()}{shows} [{o.rule}, "
            f"{o.confidence.value}]"
        )
    lines.append("Connections:")
    for label, result in ((la, cmp.a), (lb, cmp.b)):
        lines.append(f"  {label:<{pad}}  {_connections(result)}")
    lines.append(
        "Certificate reached the application: "
        f"{la} {_yes(cmp.a.certificate_reached_app)}, "
        f"{lb} {_yes(cmp.b.certificate_reached_app)}"
    )
    lines += ["", cmp.verdict()]
    a_step, b_step = cmp.diverging_steps
    for label, step in ((la, a_step), (lb, b_step)):
        if step is not None:
            lines.append(f"  {label:<{pad}}  [{step.rule}] {step.actor}: {step.event}")
    for label, rules in ((la, cmp.rules_only_in_a), (lb, cmp.rules_only_in_b)):
        if rules:
            lines.append(f"Rules only in {label}: {', '.join(rules)}")
    lines += [
        "",
        "Steps aligned (= same, ~ same step worded differently, ≠ differ, ▶ first divergence):",
    ]
    for item in cmp.visible_rows(context):
        if isinstance(item, int):
            lines.append(f"        … {item} matching step{'s' if item != 1 else ''} …")
            continue
        n, row = item
        mark = {"same": "=", "detail": "~", "differ": "≠"}[row.status]
        if n == cmp.divergence:
            mark = "▶"
        lines.append(
            f"  {mark} {_num(row.a_index):>3} {_cell(row.a, width):<{width}} │ "
            f"{_num(row.b_index):>3} {_cell(row.b, width)}"
        )
    return "\n".join(lines) + "\n"
