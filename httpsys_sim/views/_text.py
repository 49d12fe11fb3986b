"""Plain-text views for the terminal."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from httpsys_sim.analysis._compare import show_value
from httpsys_sim.catalogue._rules import get_rule
from httpsys_sim.core._result import category, cell_text
from httpsys_sim.views._palette import CATEGORIES
from httpsys_sim.views._terminal import wrap

if TYPE_CHECKING:
    from collections.abc import Iterable

    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.catalogue._clients import ClientProfile
    from httpsys_sim.catalogue._rules import Rule
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._result import Result, Step
    from httpsys_sim.tls import CertState
    from httpsys_sim.windows._releases import Release


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


def result_text(result: Result, *, fixes: Sequence[Fix] = (), width: int | None = None) -> str:
    """Outcome first, then the step-by-step story with rule ids, then doubts and fixes;
    lines wrap at ``width`` columns with a hanging indent (no limit when None)."""
    lines: list[str] = []
    for line in _headline(result):
        lines += wrap(line, width, hang="  ")
    lines.append("")
    lines += wrap(f"Scenario: {result.scenario.describe()}", width, hang="  ")
    lines += ["", "What happened:"]
    for n, step in enumerate(result.steps, 1):
        mark = "*" if step.key else " "
        cite = f"  ({', '.join(step.sources)})" if step.key else ""
        head = f" {mark}{n:>3}. "
        lines += wrap(
            f"[{step.rule}] {step.actor}: {step.event}{cite}", width, indent=head, hang=" " * 7
        )
    lines += wrap(
        "(* = part of the causal chain, with its sources; `httpsys-sim rules` lists every rule)",
        width,
        indent="   ",
    )
    if result.outcome.alternatives:
        lines += ["", "Where the model is unsure:"]
        for a in result.outcome.alternatives:
            lines += wrap(f"{a.description} [{a.rule}]", width, indent="  - ", hang="    ")
    if fixes:
        lines += ["", "Fixes (each re-simulated):"]
        for n, fix in enumerate(fixes, 1):
            lines += wrap(
                f"{fix.title} → {fix.outcome} [{fix.rule}]", width, indent=f"  {n}. ", hang=" " * 7
            )
            for command in fix.commands:
                lines += wrap(command, width, indent=" " * 7, hang=" " * 9)
            if fix.note:
                lines += wrap(f"note: {fix.note}", width, indent=" " * 7, hang=" " * 13)
    return "\n".join(lines) + "\n"


#: Short column heads for the catalogue's releases, for matrices on narrow terminals.
_SHORT_IDS: Mapping[str, str] = MappingProxyType(
    {
        "server-2016": "S2016",
        "server-2019": "S2019",
        "win10-22h2": "W10",
        "server-2022": "S2022",
        "win11-21h2": "21H2",
        "win11-22h2": "22H2",
        "win11-23h2": "23H2",
        "win11-24h2": "24H2",
        "win11-25h2": "25H2",
        "server-2025": "S2025",
    }
)

_LEGEND = (
    "Legend: 200 served · 200* served, but the certificate never reached IIS · "
    "403.x certificate refused by IIS · 500.0 ERROR_NOT_SUPPORTED · 413 body too large to "
    "renegotiate · RESET connection reset · ALERT TLS alert · H2ERR HTTP/2 error · ? = the "
    "outcome has alternatives (a rule on its path is inferred or partly so): see the cell's "
    "explanation"
)


def matrix_text(m: Matrix, *, colour: bool | None = None, width: int | None = None) -> str:
    """Aligned columns, one line per client and certificate; colour when asked.

    When the table is wider than ``width`` columns, the release heads are abbreviated (with a
    key under the table), and if it is still too wide the releases are split over several
    blocks, each with the client column.
    """
    labels = [m.row_label(c, k) for c, k in m.rows()]
    left = max(len(x) for x in [*labels, "client"])
    cells = {
        (release.id, client, cert): cell_text(m.cells[(release.id, client, cert)])
        for release in m.releases
        for client, cert in m.rows()
    }
    cell_width = max(7, *(len(v) for v in cells.values()))

    def table_width(heads: Sequence[str]) -> int:
        return left + sum(2 + max(len(h), cell_width) for h in heads)

    heads = [r.id for r in m.releases]
    short = False
    if width is not None and table_width(heads) > width:
        heads = [_SHORT_IDS.get(r.id, r.id) for r in m.releases]
        short = heads != [r.id for r in m.releases]
    per_block = len(heads)
    if width is not None:
        while per_block > 1 and table_width(heads[:per_block]) > width:
            per_block -= 1
    out = wrap(m.title, width)
    for start in range(0, len(heads), per_block):
        block = list(
            zip(
                m.releases[start : start + per_block], heads[start : start + per_block], strict=True
            )
        )
        widths = [max(len(h), cell_width) for _, h in block]
        out.append("")
        out.append(
            "client".ljust(left)
            + "".join("  " + h.ljust(w) for (_, h), w in zip(block, widths, strict=True)).rstrip()
        )
        for (client, cert), label in zip(m.rows(), labels, strict=True):
            row = label.ljust(left)
            for (release, _), w in zip(block, widths, strict=True):
                text = cells[(release.id, client, cert)].ljust(w)
                if colour:
                    code = CATEGORIES[category(m.cells[(release.id, client, cert)])][1]
                    text = f"\x1b[{code}m{text}\x1b[0m"
                row += "  " + text
            out.append(row.rstrip())
    if short:
        key = " · ".join(f"{h} {r.id}" for r, h in zip(m.releases, heads, strict=True) if h != r.id)
        out += ["", *wrap(f"Columns: {key}", width, hang="         ")]
    out += ["", *wrap(_LEGEND, width if width is not None else 80, hang="        ")]
    shows = client_error_lines(m)
    if shows:
        out += ["", "What the clients show where no HTTP answer came:"]
        left_shows = max(len(client) for client, _, _, _ in shows)
        for client, label, text, where in shows:
            head = f"  {client:<{left_shows}}  {label:<7}  "
            out += wrap(text, width, indent=head, hang=" " * len(head))
            if where is not None:
                out += wrap(f"in {where}", width, indent=" " * (len(head) + 2))
        if _has_placeholders(t for _, _, t, _ in shows):
            out += ["", *wrap(PLACEHOLDER_NOTE, width if width is not None else 80)]
    return "\n".join(out) + "\n"


#: Under a matrix's error texts that use the profiles' placeholders.
PLACEHOLDER_NOTE = (
    "<url> and <addr> stand for the request's URL and the connection's addresses "
    "(docs/reference/clients.md#error-texts)."
)


def _has_placeholders(texts: Iterable[str]) -> bool:
    return any("<url>" in t or "<addr>" in t for t in texts)


def where_cells(m: Matrix, cells: Sequence[tuple[str, CertState]]) -> str:
    """The cells' releases in column order, each with the certificates of its cells when
    they are not all of the matrix's: ``server-2016, win11-23h2 (none)``."""
    by_release: dict[str, list[CertState]] = {}
    for release, cert in cells:
        by_release.setdefault(release, []).append(cert)
    order = [r.id for r in m.releases if r.id in by_release]
    return ", ".join(
        r
        if len(set(by_release[r])) == len(m.certificates)
        else f"{r} ({', '.join(c.value for c in by_release[r])})"
        for r in order
    )


def client_error_lines(m: Matrix) -> list[tuple[str, str, str, str | None]]:
    """(client, cell label, text, where) for the legend of what each client shows; where
    (:func:`where_cells`) is None unless the client shows several texts under one label."""
    entries = m.client_errors()
    per_label: dict[tuple[str, str], int] = {}
    for e in entries:
        per_label[(e.client, e.short)] = per_label.get((e.client, e.short), 0) + 1
    return [
        (
            e.client,
            e.short,
            e.text,
            None if per_label[(e.client, e.short)] == 1 else where_cells(m, e.cells),
        )
        for e in entries
    ]


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


def aligned(
    heads: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> list[str]:
    """A table with aligned columns; the last column wraps under itself at ``width``."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads[:-1])]
    indent = sum(w + 2 for w in widths)
    room = None if width is None else max(width - indent, 16)
    lines = []
    for row in [heads, *rows]:
        lead = "".join(cell.ljust(w + 2) for cell, w in zip(row[:-1], widths, strict=True))
        first, *more = wrap(row[-1], room)
        lines.append((lead + first).rstrip())
        lines += [" " * indent + line for line in more]
    return lines


def releases_text(releases: Iterable[Release], *, width: int | None = None) -> str:
    """The release catalogue as a table, with the rules and sources behind it."""
    items = list(releases)
    rows = [
        (
            r.id,
            str(r.build),
            "/".join(v.value for v in r.tls_versions),
            r.late_demand_tls13.value,
            r.confidence.value,
            r.product,
        )
        for r in items
    ]
    heads = ("id", "build", "TLS", "late on 1.3", "confidence", "product")
    lines = aligned(heads, rows, width=width)
    sources = sorted({s for r in items for rule in r.rules for s in get_rule(rule).sources})
    lines.append("")
    lines += wrap("rules: R-REL-1 … R-REL-5 · sources: " + ", ".join(sources), width, hang="  ")
    return "\n".join(lines) + "\n"


def clients_text(profiles: Iterable[ClientProfile], *, width: int | None = None) -> str:
    """The client catalogue as a table (every field's sources: ``--format json``)."""
    rows = [
        (
            p.id,
            f"{p.min_tls.value.value}-{p.max_tls.value.value}",
            ",".join(p.alpn.value) or "-",
            "yes" if p.offers_pha.value else "no",
            f"{p.renegotiation_http11.value.value}/{p.renegotiation_h2.value.value}",
            p.on_http_1_1_required.value.value,
        )
        for p in profiles
    ]
    heads = ("id", "TLS", "ALPN", "PHA", "reneg h1/h2", "on HTTP_1_1_REQUIRED")
    lines = aligned(heads, rows, width=width)
    lines.append("")
    lines += wrap(
        "every field carries sources and confidence: `httpsys-sim clients --format json`", width
    )
    return "\n".join(lines) + "\n"


def rules_text(rules: Iterable[Rule], *, width: int | None = None) -> str:
    """The rule catalogue: id, confidence and title, aligned."""
    rows = [(r.id, r.confidence.value, r.title) for r in rules]
    return "\n".join(aligned(("id", "confidence", "title"), rows, width=width)) + "\n"
