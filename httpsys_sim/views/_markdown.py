"""Markdown views of results, matrices, releases, client profiles, rules, TLS transcripts and
comparisons."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from types import MappingProxyType
from typing import TYPE_CHECKING

from httpsys_sim.catalogue._rules import SOURCES, Rule, get_rule
from httpsys_sim.core._result import category
from httpsys_sim.tls import AlertLevel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._diagnose import Diagnosis
    from httpsys_sim.analysis._hosts_matrix import HostMatrix
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.catalogue._clients import ClientProfile
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._result import Result, Step
    from httpsys_sim.tls import TlsTranscript
    from httpsys_sim.windows._releases import Release

from httpsys_sim.analysis._compare import show_value
from httpsys_sim.views._escape import fence, md_code, md_escape, safe_url
from httpsys_sim.views._grid import Grid, host_grid, matrix_grid, placeholder_sentence
from httpsys_sim.views._mermaid import result_mermaid
from httpsys_sim.views._palette import NOCERT_MEANING
from httpsys_sim.views._text import (
    _LEGEND,
    _connections,
    _num,
    _yes,
)
from httpsys_sim.windows._iis import access_flag_names

_CAT_EMOJI = MappingProxyType(
    {
        "ok": "🟢",
        "nocert": "🟩",
        "denied": "🔵",
        "error": "🟠",
        "reset": "🔴",
        "protocol": "🟣",
    }
)


def _source_md(source_id: str) -> str:
    source = SOURCES.get(source_id)
    url = None if source is None else safe_url(source.url)
    if url is None:
        return md_escape(source_id)
    return f"[{md_escape(source_id)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def _sources_md(ids: Iterable[str]) -> str:
    return ", ".join(_source_md(s) for s in ids)


def result_markdown(result: Result, *, fixes: Sequence[Fix] = ()) -> str:
    """A result as Markdown: outcome, facts, causal chain, steps table with linked
    sources, fixes, and the sequence diagram as a fenced ``mermaid`` block."""
    o = result.outcome
    cat = category(result)
    lines = [
        f"### {_CAT_EMOJI[cat]} {md_code(o.short())} {md_escape(o.describe())}",
        "",
        md_escape(result.scenario.describe()),
        "",
    ]
    if o.client_error:
        lines.append(f"- The client shows: {md_code(o.client_error)}")
    rule = get_rule(o.rule)
    lines.append(
        f"- Decided by {md_code(o.rule)} ({o.confidence.value}; {_sources_md(rule.sources)})"
    )
    if result.iis_log is not None:
        log = result.iis_log
        lines.append(f"- IIS log: {md_code(f'{log.status} {log.substatus} {log.win32_status}')}")
    else:
        lines.append("- IIS log: no line (the request never reached IIS)")
    if result.httperr:
        lines.append(f"- HTTPERR: {md_code(result.httperr)}")
    lines.append(
        "- Certificate reached the application: "
        + ("yes" if result.certificate_reached_app else "no")
    )
    if result.app_observed is not None:  # ASP.NET Core hosts
        lines.append(f"- The application observes: {md_code(result.app_observed.describe())}")
    lines.append(
        "- Connections: "
        + "; ".join(
            f"{c.index + 1}. TLS {c.tls_version or '—'}, ALPN {md_escape(c.alpn or '—')}, "
            f"ended {md_code(c.end)}"
            for c in result.connections
        )
    )
    lines += ["", "#### Why", ""]
    for n, step in enumerate(result.why(), 1):
        r = get_rule(step.rule)
        lines.append(
            f"{n}. {md_escape(step.event)} — {md_code(r.id)} "
            f"({r.confidence.value}; {_sources_md(r.sources)})"
        )
    if o.alternatives:
        lines += ["", "#### Where the model is unsure", ""]
        lines += [f"- {md_escape(a.description)} ({md_code(a.rule)})" for a in o.alternatives]
    lines += ["", "#### Sequence", "", fence(result_mermaid(result), "mermaid")]
    lines += [
        "",
        "#### Steps",
        "",
        "| # | layer | actor | event | rule | sources | confidence |",
        "|---:|---|---|---|---|---|---|",
    ]
    for n, step in enumerate(result.steps, 1):
        r = get_rule(step.rule)
        event = md_escape(step.event)
        if step.key:
            event = f"**{event}**"
        lines.append(
            f"| {n} | {step.layer} | {md_escape(step.actor)} | {event} | {md_code(r.id)} | "
            f"{_sources_md(r.sources)} | {r.confidence.value} |"
        )
    if fixes:
        lines += ["", "#### Fixes (each re-simulated)", ""]
        for fix in fixes:
            lines.append(f"- **{md_escape(fix.title)}** → {md_escape(fix.outcome)}")
            lines += [f"  - {md_code(c)}" for c in fix.commands]
    return "\n".join(lines) + "\n"


_LATE_KIND = MappingProxyType({"reset": "reset", "not_supported": "error", "n/a": "ok"})


_LATE_TEXT = MappingProxyType(
    {
        "reset": "connection reset",
        "not_supported": "ERROR_NOT_SUPPORTED → IIS 500.0",
        "n/a": "n/a (TLS 1.2 renegotiation)",
    }
)


def _release_rows(r: Release) -> list[tuple[str, str]]:
    return [
        ("id", r.id),
        ("product", r.product),
        ("build", str(r.build)),
        ("kind", "Windows Server" if r.server else "Windows client"),
        ("TLS versions on by default", ", ".join(v.value for v in r.tls_versions)),
        ("TLS 1.3", "supported and on" if r.tls13 else "not supported"),
        ("TLS 1.0/1.1 by default", "on" if r.legacy_tls_default else "off"),
        ("HTTP/2 in http.sys", "yes" if r.http2 else "no"),
        ("late client-certificate demand over TLS 1.3", _LATE_TEXT[r.late_demand_tls13.value]),
        ("site binding sslFlags bit 128", "exists" if r.site_binding_negotiate_flag else "no"),
    ]


def release_markdown(release: Release) -> str:
    """A release's behaviour policy as a Markdown table."""
    lines = [
        f"**{md_escape(release.product)}** {md_code(release.id)} ({release.confidence.value})",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in _release_rows(release)]
    if release.note:
        lines += ["", md_escape(release.note)]
    lines += ["", "Rules: " + ", ".join(md_code(r) for r in release.rules)]
    return "\n".join(lines) + "\n"


def _fact_value(value: object) -> str:
    if isinstance(value, AlertLevel):
        return value.label
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def client_markdown(profile: ClientProfile) -> str:
    """A client profile as a Markdown table of facts."""
    lines = [
        f"**{md_escape(profile.name)}** {md_code(profile.id)} — TLS stack "
        f"{md_escape(profile.stack)}",
        "",
    ]
    lines += [f"- {md_escape(n)}" for n in profile.notes]
    lines += ["", "| capability | value | confidence | sources | note |", "|---|---|---|---|---|"]
    for name, fact in profile.facts().items():
        lines.append(
            f"| {md_escape(name)} | {md_code(_fact_value(fact.value))}"
            + "".join(f" or {md_code(_fact_value(v))}" for v in fact.variants)
            + " | "
            f"{fact.confidence.value} | {_sources_md(fact.sources)} | "
            f"{md_escape(fact.note or '')} |"
        )
    return "\n".join(lines) + "\n"


def rule_markdown(rule: Rule) -> str:
    """A rule as Markdown with linked sources."""
    lines = [
        f"{md_code(rule.id)} **{md_escape(rule.title)}** ({rule.confidence.value}; "
        f"{md_escape(rule.section)})",
        "",
        md_escape(rule.statement),
        "",
        "Sources: " + _sources_md(rule.sources),
    ]
    if rule.notes:
        lines += ["", "Notes:", *[f"- {md_escape(n)}" for n in rule.notes]]
    if rule.alternatives:
        lines += ["", "Alternatives:", *[f"- {md_escape(a)}" for a in rule.alternatives]]
    return "\n".join(lines) + "\n"


def transcript_markdown(transcript: TlsTranscript) -> str:
    """A TLS transcript as Markdown: the text account and a fenced ``mermaid`` block."""
    return (
        fence(transcript.to_text(), "text")
        + "\n\n"
        + fence(transcript.to_mermaid(), "mermaid")
        + "\n"
    )


def matrix_markdown(m: Matrix) -> str:
    """A Markdown table (rows: clients; columns: releases)."""
    return grid_markdown(matrix_grid(m))


def _table_code(text: str) -> str:
    """``text`` as a code span inside a table cell (a ``|`` would end the cell)."""
    return md_code(text).replace("|", "\\|")


def _md_step(step: Step | None) -> str:
    if step is None:
        return ""
    return f"{md_escape(step.actor)}: {md_escape(step.event)} `{step.rule}`"


def comparison_markdown(cmp: Comparison, *, context: int = 2) -> str:
    """The comparison as Markdown: a summary table, the divergence, aligned steps."""
    la, lb = cmp.labels
    lines = [f"### Comparison: {md_escape(la)} vs {md_escape(lb)}", ""]
    if cmp.scenario_differences:
        lines.append("Scenario differences:")
        lines.append("")
        lines += [
            f"- `{path}`: `{show_value(va)}` → `{show_value(vb)}`"
            for path, va, vb in cmp.scenario_differences
        ]
        lines.append("")
    lines += [f"| | {md_escape(la)} | {md_escape(lb)} |", "|---|---|---|"]
    oa, ob = cmp.a.outcome, cmp.b.outcome
    lines.append(
        f"| outcome | **{oa.short()}** {md_escape(oa.describe())} | "
        f"**{ob.short()}** {md_escape(ob.describe())} |"
    )
    lines.append(
        f"| client shows | {md_escape(oa.client_error or '—')} | "
        f"{md_escape(ob.client_error or '—')} |"
    )
    lines.append(f"| decided by | `{oa.rule}` | `{ob.rule}` |")
    lines.append(
        f"| connections | {md_escape(_connections(cmp.a))} | {md_escape(_connections(cmp.b))} |"
    )
    lines.append(
        f"| certificate reached the application | {_yes(cmp.a.certificate_reached_app)} | "
        f"{_yes(cmp.b.certificate_reached_app)} |"
    )
    lines += ["", f"**{md_escape(cmp.verdict())}**", ""]
    for label, rules in ((la, cmp.rules_only_in_a), (lb, cmp.rules_only_in_b)):
        if rules:
            lines.append(
                f"- Rules only in {md_escape(label)}: " + ", ".join(f"`{r}`" for r in rules)
            )
    lines += [
        "",
        f"| | # | {md_escape(la)} | # | {md_escape(lb)} |",
        "|---|---:|---|---:|---|",
    ]
    for item in cmp.visible_rows(context):
        if isinstance(item, int):
            lines.append(f"| | | *… {item} matching steps …* | | |")
            continue
        n, row = item
        mark = {"same": "=", "detail": "~", "differ": "≠"}[row.status]
        cells = [_md_step(row.a), _md_step(row.b)]
        if n == cmp.divergence:
            mark = "▶"
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append(
            f"| {mark} | {_num(row.a_index)} | {cells[0]} | {_num(row.b_index)} | {cells[1]} |"
        )
    return "\n".join(lines) + "\n"


def grid_markdown(g: Grid) -> str:
    """A Markdown table of a grid, with its notes and the outcome legend."""
    lines = [
        f"**{md_escape(g.title)}**",
        "",
        "| client | " + " | ".join(md_escape(c.head) for c in g.columns) + " |",
        "|---|" + "---|" * len(g.columns),
    ]
    for row in g.rows:
        cells = [md_escape(g.text(result)) for result in row.results]
        lines.append(f"| {md_escape(row.label)} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [md_escape(note) for note in g.notes]
    lines.append(
        f"`200*`: {NOCERT_MEANING}. `?`: the outcome has alternatives (a rule on its path is "
        "inferred or partly so)."
    )
    if g.errors:
        lines += [
            "",
            "What the clients show where no HTTP answer came:",
            "",
            "| client | cells | the client shows |",
            "|---|---|---|",
        ]
        for e in g.errors:
            at = e.short if e.where is None else f"{e.short} in {md_escape(e.where)}"
            lines.append(f"| {md_escape(e.client)} | {at} | {_table_code(e.text)} |")
        if g.placeholders:
            sentence = placeholder_sentence(g.placeholders, lambda p: f"`{p}`")
            lines += ["", f"{sentence} (`docs/reference/clients.md#error-texts`)."]
    return "\n".join(lines) + "\n"


def host_matrix_markdown(hm: HostMatrix) -> str:
    """The hosts matrix as a Markdown table."""
    return grid_markdown(host_grid(hm))


def diagnosis_markdown(d: Diagnosis) -> str:
    """A diagnosis as Markdown: the summary, then one section per finding.  Everything read
    from the server's files (site names, paths, evidence) is escaped: a site named
    ``<script>`` or ``*x*`` shows as written."""
    out = [f"# httpsys-sim diagnose ({md_escape(d.certificate.value)} certificate)", ""]
    out += [f"- {md_escape(line)}" for line in d.summary_lines()]
    out += [""] + [f"> {md_escape(n)}" for n in d.notes]
    if d.problems:
        out += ["", "## Problems", ""] + [f"- {md_escape(p)}" for p in d.problems]
    for f in d.findings:
        flags = ", ".join(access_flag_names(f.access_ssl_flags)) or "None"
        out += [
            "",
            f"## {md_escape(f.site or '(any site)')} {md_escape(f.path)} on {md_code(f.binding)}",
            "",
            f"sslFlags {md_code(flags)} (from {md_code(f.flags_source)}) · certificate "
            f"requested: **{md_escape(f.cert_request)}** · {md_escape(f.verdict)}"
            + (f" · site binding {md_code(f.site_binding)}" if f.site_binding is not None else ""),
        ]
        out += [""] + [f"- evidence: {md_code(e)}" for e in f.evidence]
        out += [f"- note: {md_escape(x)}" for x in f.notes]
        if f.failing or f.cert_request != "none":
            out += [
                "",
                "| client | " + " | ".join(md_escape(r) for r in f.cells) + " |",
                "|---|" + "---|" * len(f.cells),
            ]
            for client in d.clients:
                out.append(
                    f"| {md_escape(client)} | "
                    + " | ".join(md_escape(f.cells[r][client]["mark"]) for r in f.cells)
                    + " |"
                )
        if f.why is not None:
            out += ["", f"**Why** ({md_escape(f.why[1])} on {md_escape(f.why[0])}):", ""]
            out += [f"{i}. {md_escape(e)} `{r}`" for i, (e, r) in enumerate(f.why[2], 1)]
        if f.risks:
            out += ["", "**At risk on upgrade:**", ""] + [f"- {md_escape(r)}" for r in f.risks]
        if f.fixes:
            out += ["", "**Fixes:**", ""]
            for fix in f.fixes:
                done, total = f.fix_coverage[fix.id]
                mark = "verified" if fix.verified else f"partial: {done}/{total}"
                out.append(f"- {md_escape(fix.title)} ({mark}; {fix.rule})")
                out += [f"  - {md_code(c)}" for c in fix.commands]
                if fix.note:
                    out.append(f"  - {md_escape(fix.note)}")
        if f.unknowns:
            out += ["", "**Not in the exports** (the grid assumes; otherwise):", ""]
            for u in f.unknowns:
                head, *changes = u.lines()
                out.append(f"- {md_escape(head)}")
                out += [f"  - {md_escape(c)}" for c in changes]
                for fix in u.fixes:
                    done, total = u.fix_coverage[fix.id]
                    mark = "verified" if fix.verified else f"partial: {done}/{total}"
                    out.append(f"  - then: {md_escape(fix.title)} ({mark}; {fix.rule})")
                    out += [f"    - {md_code(c)}" for c in fix.commands]
    out += ["", md_escape(_LEGEND)]
    return "\n".join(out) + "\n"
