"""Plain-text views for the terminal."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from httpsys_sim.analysis._compare import show_value
from httpsys_sim.catalogue._rules import get_rule
from httpsys_sim.core._result import category, host_cell_text
from httpsys_sim.views._grid import Grid, host_grid, matrix_grid, placeholder_sentence
from httpsys_sim.views._palette import CATEGORIES, NOCERT_MEANING
from httpsys_sim.views._terminal import wrap
from httpsys_sim.windows._iis import access_flag_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._diagnose import Diagnosis, Finding
    from httpsys_sim.analysis._hosts_matrix import HostMatrix
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.catalogue._clients import ClientProfile
    from httpsys_sim.catalogue._rules import Rule
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._result import Result, Step
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


_LEGEND = (
    f"Legend: 200 served · 200* {NOCERT_MEANING} · 403.x certificate refused by IIS · "
    "500.0 ERROR_NOT_SUPPORTED · 413 body too large to renegotiate · RESET connection reset · "
    "ALERT TLS alert · H2ERR HTTP/2 error · ? = the outcome has alternatives (a rule on its "
    "path is inferred or partly so): see the cell's explanation"
)


def matrix_text(m: Matrix, *, colour: bool | None = None, width: int | None = None) -> str:
    """The release matrix: clients down, releases across (:func:`grid_text`)."""
    return grid_text(matrix_grid(m), colour=colour, width=width)


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


def grid_text(g: Grid, *, colour: bool | None = None, width: int | None = None) -> str:
    """Aligned columns, one line per row; ANSI colours when ``colour`` is true.

    When the table is wider than ``width`` columns the heads are abbreviated (with a key under
    the table), and if it is still too wide the columns are split over several blocks, each
    with the row labels and as many columns as fit.
    """
    labels = [row.label for row in g.rows]
    left = max(len(x) for x in [*labels, "client"])
    texts = [[g.text(result) for result in row.results] for row in g.rows]
    cell_width = max(7, *(len(t) for line in texts for t in line))

    def table_width(heads: Sequence[str]) -> int:
        return left + sum(2 + max(len(h), cell_width) for h in heads)

    heads = [c.head for c in g.columns]
    short = False
    if width is not None and table_width(heads) > width:
        heads = [c.short for c in g.columns]
        short = heads != [c.head for c in g.columns]
    blocks: list[range] = []
    start = 0
    while start < len(heads):
        end = start + 1
        while end < len(heads) and (width is None or table_width(heads[start : end + 1]) <= width):
            end += 1
        blocks.append(range(start, end))
        start = end
    out = wrap(g.title, width)
    for block in blocks:
        widths = [max(len(heads[i]), cell_width) for i in block]
        out.append("")
        out.append(
            "client".ljust(left)
            + "".join("  " + heads[i].ljust(w) for i, w in zip(block, widths, strict=True)).rstrip()
        )
        for row, label, line in zip(g.rows, labels, texts, strict=True):
            shown = label.ljust(left)
            for i, w in zip(block, widths, strict=True):
                text = line[i].ljust(w)
                if colour:
                    code = CATEGORIES[category(row.results[i])][1]
                    text = f"\x1b[{code}m{text}\x1b[0m"
                shown += "  " + text
            out.append(shown.rstrip())
    if short:
        key = " · ".join(
            f"{h} {c.head}" for c, h in zip(g.columns, heads, strict=True) if h != c.head
        )
        out += ["", *wrap(f"Columns: {key}", width, hang="         ")]
    room = width if width is not None else 80
    for note in g.notes:
        out += ["", *wrap(note, room)]
    out += ["", *wrap(_LEGEND, room, hang="        ")]
    if g.errors:
        out += ["", "What the clients show where no HTTP answer came:"]
        left_shows = max(len(e.client) for e in g.errors)
        for e in g.errors:
            head = f"  {e.client:<{left_shows}}  {e.short:<7}  "
            out += wrap(e.text, width, indent=head, hang=" " * len(head))
            if e.where is not None:
                out += wrap(f"in {e.where}", width, indent=" " * (len(head) + 2))
        if g.placeholders:
            note = (
                placeholder_sentence(g.placeholders) + " (docs/reference/clients.md#error-texts)."
            )
            out += ["", *wrap(note, room)]
    return "\n".join(out) + "\n"


def host_matrix_text(
    hm: HostMatrix, *, colour: bool | None = None, width: int | None = None
) -> str:
    """The hosts matrix as aligned columns (``matrix --hosts``), like the release matrix."""
    return grid_text(host_grid(hm), colour=colour, width=width)


def host_matrix_csv(hm: HostMatrix) -> str:
    """One line per cell: release, host, client, certificate, outcome and what the
    application observed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "release",
            "host",
            "client",
            "certificate",
            "kind",
            "status",
            "substatus",
            "app_observed",
            "certificate_reached_app",
            "short",
        ]
    )
    for client, cert in hm.rows():
        for rid, spec, _ in hm.columns():
            r = hm.cells[(rid, spec, client, cert)]
            o = r.outcome
            writer.writerow(
                [
                    rid,
                    spec,
                    client,
                    cert.value,
                    o.kind.value,
                    "" if o.status is None else o.status,
                    "" if o.substatus is None else o.substatus,
                    "" if r.app_observed is None else r.app_observed.value.value,
                    r.certificate_reached_app,
                    host_cell_text(r),
                ]
            )
    return buffer.getvalue()


def _diagnosis_grid(d: Diagnosis, finding: Finding) -> list[str]:
    left = max(len(c) for c in [*d.clients, "client"])
    rel = list(finding.cells)
    widths = [max(len(r), 7) for r in rel]
    lines = [
        "    "
        + "client".ljust(left)
        + "  "
        + "  ".join(r.ljust(w) for r, w in zip(rel, widths, strict=True))
    ]
    for client in d.clients:
        cells = [
            str(finding.cells[r][client]["mark"]).ljust(w) for r, w in zip(rel, widths, strict=True)
        ]
        lines.append("    " + client.ljust(left) + "  " + "  ".join(cells).rstrip())
    return lines


def _fix_lines(
    fixes: Sequence[Fix], coverage: Mapping[str, tuple[int, int]], indent: str, width: int | None
) -> list[str]:
    """Each remedy: its title with how much it repairs, then its commands (never wrapped:
    they are copied), then its note."""
    out: list[str] = []
    for fix in fixes:
        done, total = coverage[fix.id]
        mark = "verified" if fix.verified else f"partial: {done}/{total}"
        out += wrap(
            f"{fix.title} [{mark}; {fix.rule}]",
            width,
            indent=f"{indent}* ",
            hang=indent + "  ",
            split_words=False,
        )
        out += [f"{indent}    {c}" for c in fix.commands]
        if fix.note:
            out += wrap(f"({fix.note})", width, indent=indent + "    ", split_words=False)
    return out


def diagnosis_text(d: Diagnosis, *, width: int | None = None) -> str:
    """A report for people: the summary, then each finding with its grid of outcomes, the
    causal chain, the risks on upgrade and the re-simulated fixes; prose wraps at ``width``
    (commands and grids never do: they are copied and read as they are)."""

    def para(text: str, indent: str = "", hang: str | None = None) -> list[str]:
        return wrap(text, width, indent=indent, hang=hang, split_words=False)

    out = [f"httpsys-sim diagnose — clients with a {d.certificate.value} certificate", ""]
    for line in d.summary_lines():
        out += para(line, hang="  ")
    for note in d.notes:
        out += para(f"note: {note}", hang="      ")
    for p in d.problems:
        out += para(f"problem: {p}", hang="         ")
    for n, f in enumerate(d.findings, 1):
        flags = ", ".join(access_flag_names(f.access_ssl_flags)) or "None"
        out.append("")
        out += para(
            f"[{n}] site {f.site or '(any)'}  path {f.path}  binding {f.binding}"
            + (f"  (site binding {f.site_binding})" if f.site_binding is not None else ""),
            hang="    ",
        )
        out += para(
            f"sslFlags: {flags} (from {f.flags_source}) · certificate requested: "
            f"{f.cert_request} · {f.verdict}",
            indent="    ",
        )
        for e in f.evidence:
            out += para(e, indent="    evidence: ", hang=" " * 14)
        for x in f.notes:
            out += para(x, indent="    note: ", hang=" " * 10)
        if f.failing or f.cert_request != "none":
            out += _diagnosis_grid(d, f)
        if f.why is not None:
            out.append(f"    why ({f.why[1]} on {f.why[0]}):")
            for i, (e, r) in enumerate(f.why[2], 1):
                out += para(f"{e} [{r}]", indent=f"      {i}. ", hang=" " * 9)
        if f.risks:
            out.append("    at risk on upgrade:")
            for r in f.risks:
                out += para(r, indent="      - ", hang=" " * 8)
        if f.fixes:
            out.append("    fixes (re-simulated):")
            out += _fix_lines(f.fixes, f.fix_coverage, "      ", width)
        if f.unknowns:
            out.append("    not in the exports (the grid assumes; otherwise):")
            for u in f.unknowns:
                head, *changes = u.lines()
                out += para(head, indent="      - ", hang=" " * 8)
                for change in changes:
                    out += para(change, indent=" " * 10)
                if u.fixes:
                    out.append("          then (re-simulated):")
                    out += _fix_lines(u.fixes, u.fix_coverage, " " * 10, width)
    out += ["", *para(_LEGEND, hang="        ")]
    return "\n".join(out) + "\n"
