"""HTML views: self-contained fragments (styles scoped under ``.hsim``, every text escaped)
for results, matrices, releases, client profiles, rules, TLS transcripts and comparisons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from httpsys_sim.catalogue._rules import RULES, SOURCES, Confidence, Rule, get_rule
from httpsys_sim.core._result import category
from httpsys_sim.views._grid import Grid, host_grid, matrix_grid, placeholder_sentence
from httpsys_sim.views._palette import CATEGORIES, PALETTE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._hosts_matrix import HostMatrix
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.catalogue._clients import ClientProfile
    from httpsys_sim.core._fixes import Fix
    from httpsys_sim.core._result import Result, Step
    from httpsys_sim.tls import TlsTranscript
    from httpsys_sim.windows._releases import Release

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result, Step
from httpsys_sim.views._escape import escape, safe_url
from httpsys_sim.views._markdown import _LATE_KIND, _LATE_TEXT, _fact_value, _release_rows
from httpsys_sim.views._mermaid import result_mermaid
from httpsys_sim.views._svg import result_svg, transcript_svg

_CONF_COLOURS = MappingProxyType(
    {
        Confidence.DOCUMENTED: "#1a7f37",
        Confidence.REPORTED: "#0969da",
        Confidence.INFERRED: "#9a6700",
    }
)


_MONO = "ui-monospace,SFMono-Regular,Consolas,'Liberation Mono',monospace"


def _style() -> str:
    badges = "".join(
        f".hsim .hs-{cat.value},.hsim table.hs-m td.hs-{cat.value}"
        f"{{background:{swatch.background};color:{swatch.text}}}"
        for cat, swatch in PALETTE.items()
    )
    conf = "".join(
        f".hsim .hs-c-{level.value}{{color:{colour};border-color:{colour}}}"
        for level, colour in _CONF_COLOURS.items()
    )
    return (
        "<style>"
        ".hsim{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px;"
        "line-height:1.45;color:var(--jp-content-font-color1,#1f2328);max-width:100%}"
        ".hsim h3,.hsim h4{margin:.9em 0 .35em;font-weight:600;line-height:1.3}"
        ".hsim h3{font-size:1.15em}.hsim h4{font-size:1em}"
        ".hsim p{margin:.3em 0}"
        f".hsim code{{font-family:{_MONO};font-size:.92em}}"
        ".hsim td code,.hsim td a,.hsim td abbr{white-space:nowrap}"
        ".hsim a{color:#0969da;text-decoration:none}.hsim a:hover{text-decoration:underline}"
        ".hsim .hs-badge{display:inline-block;padding:.1em .65em;border-radius:1em;"
        f"font-weight:700;font-family:{_MONO};font-size:1.05em;vertical-align:baseline}}"
        ".hsim .hs-conf{display:inline-block;font-size:.78em;padding:0 .45em;border:1px solid;"
        "border-radius:.7em;font-weight:600;vertical-align:middle;white-space:nowrap}"
        ".hsim .hs-head{font-size:1.12em;margin:.2em 0 .3em}"
        ".hsim .hs-muted{color:var(--jp-content-font-color2,#59636e)}"
        ".hsim ul.hs-facts{list-style:none;padding:0;margin:.3em 0}"
        ".hsim ul.hs-facts li{margin:.1em 0}"
        ".hsim table.hs-t{border-collapse:collapse;margin:.35em 0;font-size:.95em;"
        "table-layout:auto;display:block;overflow-x:auto;max-width:100%}"
        ".hsim table.hs-t th,.hsim table.hs-t td{border:1px solid "
        "var(--jp-border-color2,#d0d7de);padding:.2em .5em;text-align:left;"
        "vertical-align:top;background:none}"
        ".hsim table.hs-t thead th{background:var(--jp-layout-color2,#f6f8fa);font-weight:600}"
        ".hsim table.hs-t tr.hs-key td{font-weight:600}"
        ".hsim table.hs-t tr.hs-wire td{color:var(--jp-content-font-color2,#59636e)}"
        ".hsim table.hs-t td.hs-n{text-align:right;font-variant-numeric:tabular-nums}"
        ".hsim table.hs-m td{text-align:center;font-weight:700;font-family:" + _MONO + "}"
        ".hsim table.hs-m th[scope=row]{text-align:left;background:var(--jp-layout-color2,#f6f8fa)}"
        ".hsim table.hs-m td{min-width:4.2em;vertical-align:middle}"
        ".hsim table.hs-m th{white-space:nowrap}"
        ".hsim .hs-scroll{overflow-x:auto;max-width:100%}"
        ".hsim table.hs-cmp{width:100%}.hsim table.hs-cmp td.hs-s{width:48%}"
        ".hsim table.hs-cmp td.hs-n{width:2.5em;white-space:nowrap}"
        ".hsim table.hs-cmp tr.hs-same td{color:var(--jp-content-font-color2,#59636e);"
        "font-size:.92em}"
        ".hsim table.hs-cmp tr.hs-diff td{background:#fff8c5;color:#1f2328}"
        ".hsim table.hs-cmp tr.hs-first td{background:#ffebe9;color:#1f2328;"
        "border-top:2px solid #cf222e}"
        ".hsim table.hs-cmp td.hs-gap{background:repeating-linear-gradient(135deg,"
        "transparent 0 6px,rgba(128,128,128,.12) 6px 12px)}"
        ".hsim details{margin:.4em 0}"
        ".hsim details>summary{cursor:pointer;font-weight:600;margin:.3em 0}"
        ".hsim pre{background:var(--jp-layout-color2,#f6f8fa);padding:.6em;white-space:pre-wrap;"
        "overflow-wrap:anywhere;overflow-x:auto;"
        f"font-family:{_MONO};font-size:.88em;margin:.3em 0}}"
        ".hsim .hs-diagram{overflow-x:auto;max-width:100%}"
        ".hsim .hs-diagram svg{max-width:100%;height:auto}"
        ".hsim .hs-side{display:flex;gap:1em;flex-wrap:wrap;align-items:flex-start}"
        ".hsim .hs-side>div{flex:1 1 420px;min-width:0}"
        ".hsim ul.hs-legend{list-style:none;padding:0;margin:.4em 0;font-size:.92em}"
        ".hsim ul.hs-legend li{display:inline-block;margin:.1em 1em .1em 0}"
        ".hsim .hs-swatch{display:inline-block;width:.9em;height:.9em;margin-right:.35em;"
        "vertical-align:-.1em;border-radius:2px}"
        ".hsim .hs-card{border:1px solid var(--jp-border-color2,#d0d7de);border-radius:6px;"
        "padding:.5em .8em;margin:.3em 0}"
        f"{badges}{conf}"
        "</style>"
    )


def _wrap(body: str, cls: str = "") -> str:
    return f'<div class="hsim{" " + cls if cls else ""}">{_style()}{body}</div>'


def badge_html(result: Result) -> str:
    """The outcome as a coloured pill (``200``, ``500.0``, ``RESET``…), coloured by the
    matrix legend category (striped: a 200 the client's certificate never reached), with
    the legend text as its tooltip."""
    cls = _cell_class(result)
    text = CATEGORIES[cls][2]
    mark = "?" if result.outcome.alternatives else ""
    return (
        f'<span class="hs-badge hs-{cls}" title="{escape(text)}">'
        f"{escape(result.outcome.short())}{mark}</span>"
    )


def _conf_html(level: Confidence) -> str:
    return f'<span class="hs-conf hs-c-{level.value}">{escape(level.value)}</span>'


def _source_html(source_id: str) -> str:
    source = SOURCES.get(source_id)
    if source is None:
        return f"<code>{escape(source_id)}</code>"
    url = safe_url(source.url)
    tip = source.title + (f" — {source.note}" if source.note else "")
    if url is None:
        return f'<abbr title="{escape(tip)}">{escape(source_id)}</abbr>'
    return (
        f'<a href="{escape(url)}" title="{escape(tip)}" target="_blank" '
        f'rel="noopener noreferrer">{escape(source_id)}</a>'
    )


def _sources_html(ids: Iterable[str]) -> str:
    return ", ".join(_source_html(s) for s in ids)


def _rule_tip(rule: Rule) -> str:
    return f"{rule.title} — {rule.statement} ({rule.confidence.value}; {rule.section})"


def _rule_ref_html(rule_id: str) -> str:
    """A rule id with its title and statement as tooltip."""
    try:
        rule = get_rule(rule_id)
    except KeyError:
        return f"<code>{escape(rule_id)}</code>"
    return f'<code title="{escape(_rule_tip(rule))}">{escape(rule.id)}</code>'


def _rule_cite_html(rule_id: str) -> str:
    """``R-…`` (tooltip) and its sources, each linked to its URL."""
    try:
        rule = get_rule(rule_id)
    except KeyError:
        return f"<code>{escape(rule_id)}</code>"
    return f"{_rule_ref_html(rule_id)} <span class=hs-muted>({_sources_html(rule.sources)})</span>"


def _facts_html(result: Result) -> str:
    o = result.outcome
    facts = []
    if o.client_error:
        facts.append(f"The client shows: <code>{escape(o.client_error)}</code>")
    facts.append(f"Decided by {_rule_cite_html(o.rule)} {_conf_html(o.confidence)}")
    if result.iis_log is not None:
        log = result.iis_log
        facts.append(
            f"IIS log (sc-status sc-substatus sc-win32-status): "
            f"<code>{log.status} {log.substatus} {log.win32_status}</code>"
        )
    else:
        facts.append("IIS log: <i>no line</i> (the request never reached IIS)")
    if result.httperr:
        facts.append(f"HTTPERR: <code>{escape(result.httperr)}</code>")
    reached = "yes" if result.certificate_reached_app else "no"
    facts.append(f"Certificate reached the application: <b>{reached}</b>")
    if result.app_observed is not None:  # ASP.NET Core hosts
        facts.append(f"The application observes: {escape(result.app_observed.describe())}")
    return '<ul class="hs-facts">' + "".join(f"<li>{f}</li>" for f in facts) + "</ul>"


def _connections_html(result: Result) -> str:
    rows = "".join(
        f'<tr><td class="hs-n">{c.index + 1}</td><td>{escape(c.transport.upper())}</td>'
        f"<td>{escape(c.tls_version or '—')}</td><td>{escape(c.alpn or '—')}</td>"
        f"<td>{escape(c.cert_requested.value)}</td><td><code>{escape(c.end)}</code></td></tr>"
        for c in result.connections
    )
    return (
        '<table class="hs-t"><thead><tr><th>#</th><th>transport</th><th>TLS</th><th>ALPN</th>'
        f"<th>certificate asked</th><th>ended</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _steps_table_html(steps: Sequence[Step]) -> str:
    rows = []
    for n, step in enumerate(steps, 1):
        cls = "hs-key" if step.key else ("hs-wire" if step.message is not None else "")
        try:
            rule = get_rule(step.rule)
            conf = _conf_html(rule.confidence)
            sources = _sources_html(rule.sources)
        except KeyError:
            conf, sources = "", ""
        rows.append(
            f'<tr class="{cls}"><td class="hs-n">{n}</td><td>{escape(step.layer)}</td>'
            f"<td>{escape(step.actor)}</td><td>{escape(step.event)}</td>"
            f"<td>{_rule_ref_html(step.rule)}</td><td>{sources}</td><td>{conf}</td></tr>"
        )
    return (
        '<table class="hs-t"><thead><tr><th>#</th><th>layer</th><th>actor</th><th>event</th>'
        "<th>rule</th><th>sources</th><th>confidence</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _fixes_html(fixes: Sequence[Fix]) -> str:
    if not fixes:
        return ""
    parts = []
    for n, fix in enumerate(fixes, 1):
        commands = "".join(f"<pre>{escape(c)}</pre>" for c in fix.commands)
        note = f'<p class="hs-muted">{escape(fix.note)}</p>' if fix.note else ""
        verified = "verified by re-simulation" if fix.verified else "not verified"
        parts.append(
            f'<div class="hs-card"><b>{n}. {escape(fix.title)}</b> → '
            f"<b>{escape(fix.outcome)}</b> ({_rule_cite_html(fix.rule)}; {verified})"
            f"{commands}{note}</div>"
        )
    return (
        f"<details open><summary>Fixes ({len(fixes)}, best first)</summary>"
        f"{''.join(parts)}</details>"
    )


def _result_body(result: Result, *, fixes: Sequence[Fix] = ()) -> str:
    o = result.outcome
    why = "".join(
        f"<li>{escape(step.event)} — {_rule_cite_html(step.rule)}</li>" for step in result.why()
    )
    alternatives = ""
    if o.alternatives:
        alternatives = (
            f"<h4>Where the model is unsure ({_conf_html(o.confidence)})</h4><ul>"
            + "".join(
                f"<li>{escape(a.description)} — {_rule_cite_html(a.rule)}</li>"
                for a in o.alternatives
            )
            + "</ul>"
        )
    return (
        f'<div class="hs-head">{badge_html(result)} <b>{escape(o.describe())}</b></div>'
        f'<div class="hs-muted">{escape(result.scenario.describe())}</div>'
        f"{_facts_html(result)}"
        f"{_connections_html(result)}"
        f"<h4>Why</h4><ol>{why}</ol>{alternatives}"
        f"<details open><summary>Sequence diagram</summary>"
        f'<div class="hs-diagram">{result_svg(result)}</div></details>'
        f"<details><summary>All {len(result.steps)} steps (hover a rule for its statement; "
        f"sources link to the documents)</summary>{_steps_table_html(result.steps)}</details>"
        f"{_fixes_html(fixes)}"
        f"<details><summary>Mermaid source</summary>"
        f"<pre>{escape(result_mermaid(result))}</pre></details>"
    )


def result_html(result: Result, *, fixes: Sequence[Fix] = ()) -> str:
    """A result as a notebook fragment: the outcome badge, the facts, the connections, the
    causal chain with cited rules, the SVG sequence diagram, every step (rule ids with
    their statements, sources linked), the re-simulated fixes, and the Mermaid source."""
    return _wrap(_result_body(result, fixes=fixes))


def _cell_class(result: Result) -> str:
    return category(result)


def _legend_html(*, nocert: bool = False) -> str:
    items = "".join(
        f'<li><span class="hs-swatch hs-{name}"></span>{escape(text)}</li>'
        for name, (_, _, text) in CATEGORIES.items()
        if name != "nocert" or nocert
    )
    return (
        f'<ul class="hs-legend">{items}<li><b>?</b> the outcome rests on an inferred rule '
        "(hover the cell for its alternatives)</li></ul>"
    )


def _client_errors_html(g: Grid, cls: str) -> str:
    """The legend of what each client shows where no HTTP answer came ("" when nothing
    failed): a table of client, cells and text, every text escaped."""
    if not g.errors:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{escape(e.client)}</th>'
        f"<td>{escape(e.short if e.where is None else f'{e.short} in {e.where}')}</td>"
        f"<td><code>{escape(e.text)}</code></td></tr>"
        for e in g.errors
    )
    note = (
        f"<p>{placeholder_sentence(g.placeholders, lambda p: f'<code>{escape(p)}</code>')}.</p>"
        if g.placeholders
        else ""
    )
    return (
        "<p>What the clients show where no HTTP answer came:</p>"
        f'<table class="{cls}"><thead><tr><th>client</th><th>cells</th>'
        f"<th>the client shows</th></tr></thead><tbody>{rows}</tbody></table>{note}"
    )


def matrix_html(m: Matrix) -> str:
    """A matrix as a notebook fragment: colour-coded cells with the explanation on hover,
    the legend, and what the clients show."""
    return grid_html(matrix_grid(m))


def release_html(release: Release) -> str:
    """A release's behaviour policy as a card, its rules cited with linked sources."""
    late = release.late_demand_tls13.value
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _release_rows(release)
    )
    rules = "".join(
        f"<li>{_rule_cite_html(r)} {escape(get_rule(r).title) if r in RULES else ''}</li>"
        for r in release.rules
    )
    note = f"<p>{escape(release.note)}</p>" if release.note else ""
    custom = " <i>(user-defined)</i>" if release.user_defined else ""
    body = (
        f'<div class="hs-head"><span class="hs-badge hs-{_LATE_KIND[late]}" '
        f'title="late client-certificate demand over TLS 1.3">{escape(_LATE_TEXT[late])}</span> '
        f"<b>{escape(release.product)}</b> <code>{escape(release.id)}</code>{custom} "
        f"{_conf_html(release.confidence)}</div>"
        f'<table class="hs-t"><tbody>{rows}</tbody></table>{note}'
        f"<p>Rules:</p><ul>{rules}</ul>"
    )
    return _wrap(body)


def client_html(profile: ClientProfile) -> str:
    """A client profile as a card: every fact with its confidence and linked sources."""
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td><code>{escape(_fact_value(fact.value))}</code>"
        + "".join(f" or <code>{escape(_fact_value(v))}</code>" for v in fact.variants)
        + "</td>"
        f"<td>{_conf_html(fact.confidence)}</td><td>{_sources_html(fact.sources)}</td>"
        f'<td class="hs-muted">{escape(fact.note or "")}</td></tr>'
        for name, fact in profile.facts().items()
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in profile.notes)
    body = (
        f'<div class="hs-head"><b>{escape(profile.name)}</b> <code>{escape(profile.id)}</code> '
        f'<span class="hs-muted">TLS stack: {escape(profile.stack)}</span></div>'
        + (f"<ul>{notes}</ul>" if notes else "")
        + '<table class="hs-t"><thead><tr><th>capability</th><th>value</th><th>confidence</th>'
        f"<th>sources</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return _wrap(body)


def rule_html(rule: Rule) -> str:
    """A rule as a card: statement, confidence, sources (linked), notes, alternatives."""
    sources = "".join(
        f"<li>{_source_html(s)} — {escape(SOURCES[s].title) if s in SOURCES else ''}</li>"
        for s in rule.sources
    )
    extra = ""
    if rule.notes:
        extra += "<p>Notes:</p><ul>" + "".join(f"<li>{escape(n)}</li>" for n in rule.notes)
        extra += "</ul>"
    if rule.alternatives:
        extra += "<p>Alternatives:</p><ul>"
        extra += "".join(f"<li>{escape(a)}</li>" for a in rule.alternatives) + "</ul>"
    body = (
        f'<div class="hs-card"><div class="hs-head"><code>{escape(rule.id)}</code> '
        f"<b>{escape(rule.title)}</b> {_conf_html(rule.confidence)}</div>"
        f"<p>{escape(rule.statement)}</p>"
        f'<p class="hs-muted">{escape(rule.section)}</p><ul>{sources}</ul>{extra}</div>'
    )
    return _wrap(body)


def transcript_html(transcript: TlsTranscript) -> str:
    """A TLS transcript: what each side ended with, the wire (encrypted or not, and the
    rule behind each message), and the SVG sequence diagram."""
    from httpsys_sim.tls import Role

    t = transcript
    s = t.scenario
    version = t.version.value if t.version else "(none)"
    ok = t.server.cert_obtained
    badge = (
        f'<span class="hs-badge hs-{"ok" if ok else "denied"}">'
        f"{'certificate obtained' if ok else 'no certificate'}</span>"
    )
    rows = "".join(
        f'<tr><td class="hs-n">{n}</td>'
        f"<td>{'client → server' if e.sender is Role.CLIENT else 'server → client'}</td>"
        f"<td><code>{escape(e.message.label())}</code></td>"
        f"<td>{'encrypted' if e.message.encrypted else 'in the clear'}</td>"
        f"<td>{'' if e.delivered else 'never read'}</td><td>{_rule_cite_html(e.rule)}</td></tr>"
        for n, e in enumerate(t.wire, 1)
    )
    errors = "".join(
        f"<li>{side.role.value}: <code>{escape(side.error)}</code></li>"
        for side in (t.client, t.server)
        if side.error
    )
    body = (
        f'<div class="hs-head">{badge} <b>TLS {escape(version)}</b> · stack '
        f"<code>{escape(s.stack)}</code> · server asks <code>{escape(s.cert_request.value)}</code>"
        f" at <code>{escape(s.request_at.value)}</code> · client certificate "
        f"<code>{escape(s.certificate.value)}</code></div>"
        + (f"<p>Errors:</p><ul>{errors}</ul>" if errors else "<p>No error on either side.</p>")
        + f'<div class="hs-diagram">{transcript_svg(t)}</div>'
        "<details><summary>The wire, message by message</summary>"
        '<table class="hs-t"><thead><tr><th>#</th><th>direction</th><th>message</th>'
        f"<th>protection</th><th></th><th>rule</th></tr></thead><tbody>{rows}</tbody></table>"
        "</details>"
        f"<details><summary>Mermaid source</summary><pre>{escape(t.to_mermaid())}</pre></details>"
    )
    return _wrap(body)


def comparison_html(comparison: Comparison) -> str:
    """Two results side by side: outcomes, connections, the scenario differences, the
    aligned steps with the first divergence marked, and both sequence diagrams."""
    c = comparison
    la, lb = c.labels
    heads = f"<th>{escape(la)}</th><th>{escape(lb)}</th>"

    def outcome_cell(result: Result) -> str:
        o = result.outcome
        shows = f"<br>client shows <code>{escape(o.client_error)}</code>" if o.client_error else ""
        return (
            f"<td>{badge_html(result)} {escape(o.describe())}{shows}"
            f"<br>decided by {_rule_cite_html(o.rule)} {_conf_html(o.confidence)}</td>"
        )

    def conns_cell(result: Result) -> str:
        return (
            "<td>"
            + "<br>".join(
                f"{n.index + 1}. TLS {escape(n.tls_version or '—')} · ALPN {escape(n.alpn or '—')}"
                f" · asked: {escape(n.cert_requested.value)} → <code>{escape(n.end)}</code>"
                for n in result.connections
            )
            + "</td>"
        )

    diffs = "".join(
        f"<li><code>{escape(path)}</code>: <code>{escape(_short_value(va))}</code> → "
        f"<code>{escape(_short_value(vb))}</code></li>"
        for path, va, vb in c.scenario_differences
    )
    summary_rows = (
        f"<tr><th>outcome</th>{outcome_cell(c.a)}{outcome_cell(c.b)}</tr>"
        f"<tr><th>connections</th>{conns_cell(c.a)}{conns_cell(c.b)}</tr>"
        f"<tr><th>certificate reached the application</th>"
        f"<td>{'yes' if c.a.certificate_reached_app else 'no'}</td>"
        f"<td>{'yes' if c.b.certificate_reached_app else 'no'}</td></tr>"
    )
    if c.divergence is None:
        verdict = "<p><b>The two paths are the same, step for step.</b></p>"
    else:
        row = c.rows[c.divergence]
        where = []
        if row.a_index is not None:
            where.append(f"{escape(la)} step {row.a_index + 1}")
        if row.b_index is not None:
            where.append(f"{escape(lb)} step {row.b_index + 1}")
        verdict = f"<p><b>The paths diverge at {' / '.join(where)}</b> (highlighted in red).</p>"
    only = ""
    for label, rules in ((la, c.rules_only_in_a), (lb, c.rules_only_in_b)):
        if rules:
            only += (
                f"<li>only in {escape(label)}: "
                + ", ".join(_rule_cite_html(r) for r in rules)
                + "</li>"
            )

    def row_html(n: int, row: Any) -> str:
        cls = {"same": "hs-same", "detail": "hs-same", "differ": "hs-diff"}[row.status]
        if n == c.divergence:
            cls = "hs-first"
        return (
            f'<tr class="{cls}"><td class="hs-n">{_num(row.a_index)}</td>'
            f"{_cmp_cell(row.a)}<td class=hs-n>{_num(row.b_index)}</td>{_cmp_cell(row.b)}</tr>"
        )

    def table(rows: Iterable[str]) -> str:
        return (
            f'<table class="hs-t hs-cmp"><thead><tr><th>#</th><th>{escape(la)}</th><th>#</th>'
            f"<th>{escape(lb)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    near = []
    for item in c.visible_rows(2):
        if isinstance(item, int):
            near.append(
                f'<tr class="hs-same"><td></td><td colspan="3"><i>… {item} matching '
                f"step{'s' if item != 1 else ''} …</i></td></tr>"
            )
        else:
            near.append(row_html(*item))
    body = (
        f"<div class=hs-head><b>Comparison</b>: {escape(la)} vs {escape(lb)}</div>"
        + (f"<p>Scenario differences:</p><ul>{diffs}</ul>" if diffs else "")
        + f'<table class="hs-t"><thead><tr><th></th>{heads}</tr></thead>'
        f"<tbody>{summary_rows}</tbody></table>{verdict}"
        + (f"<p>Rules cited by one side only:</p><ul>{only}</ul>" if only else "")
        + "<details open><summary>Where the steps differ (yellow: differ; red: first "
        f"divergence; matching runs folded)</summary>{table(near)}</details>"
        f"<details><summary>All {len(c.rows)} aligned steps</summary>"
        f"{table(row_html(n, row) for n, row in enumerate(c.rows))}</details>"
        "<details><summary>Sequence diagrams side by side</summary><div class=hs-side>"
        f'<div><p><b>{escape(la)}</b></p><div class="hs-diagram">{result_svg(c.a)}</div></div>'
        f'<div><p><b>{escape(lb)}</b></p><div class="hs-diagram">{result_svg(c.b)}</div></div>'
        "</div></details>"
    )
    return _wrap(body)


def _num(index: int | None) -> str:
    return "" if index is None else str(index + 1)


def _cmp_cell(step: Step | None) -> str:
    if step is None:
        return '<td class="hs-s hs-gap"></td>'
    return (
        f"<td class=hs-s>{escape(step.actor)}: {escape(step.event)} "
        f"<span class=hs-muted>[{_rule_ref_html(step.rule)}]</span></td>"
    )


def _short_value(value: object) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>httpsys-sim {page}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#1f2328}}
.scroll{{overflow-x:auto;max-width:100%}}
table{{border-collapse:collapse;font-size:.9rem}}
th{{white-space:nowrap}}
th,td{{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:center}}
th[scope=row]{{text-align:left;background:#f6f8fa}}
thead th{{background:#f6f8fa}}
td{{cursor:pointer;font-weight:600;font-family:ui-monospace,Consolas,monospace}}
td:focus{{outline:3px solid #0969da}}
ul.legend{{list-style:none;padding:0}} ul.legend li{{margin:.2rem 0}}
.swatch{{display:inline-block;width:1rem;height:1rem;margin-right:.5rem;vertical-align:middle}}
pre{{background:#f6f8fa;padding:.8rem;white-space:pre-wrap;overflow-wrap:anywhere;max-width:70rem}}
table.shows td{{cursor:auto;font-weight:400;font-family:inherit;text-align:left}}
table.shows code{{overflow-wrap:anywhere}}
{styles}
</style></head><body>
<h1>httpsys-sim: {heading}</h1>
<p>{title}</p>{notes}
<div class="scroll"><table><thead><tr><th>client</th>{heads}</tr></thead><tbody>{rows}</tbody>
</table></div>
<ul class="legend">{legend}<li>? — the outcome has alternatives (a rule on its path is
inferred or partly so); the explanation lists them</li></ul>
{shows}
<p>Hover a cell for its explanation; click it to keep it below.</p>
<div id="detail">{details}</div>
<script>
document.querySelectorAll("td[data-detail]").forEach(function (td) {{
  function show() {{
    document.querySelectorAll("#detail section").forEach(function (s) {{ s.hidden = true; }});
    document.getElementById(td.dataset.detail).hidden = false;
  }}
  td.addEventListener("click", show);
  td.addEventListener("keydown", function (e) {{ if (e.key === "Enter") show(); }});
}});
</script>
</body></html>
"""


def matrix_page(m: Matrix) -> str:
    """A self-contained page: colour-coded cells, a legend, each cell's explanation on
    hover (tooltip) and on click (the panel below the table)."""
    return grid_page(matrix_grid(m))


_GRID_HEADINGS = MappingProxyType({"matrix": "outcome matrix", "hosts": "hosts side by side"})


def grid_html(g: Grid) -> str:
    """A grid as a notebook fragment: colour-coded cells with the explanation on hover and
    the legend."""
    heads = "".join(
        f'<th scope="col" title="{escape(c.tip)}">{escape(c.head)}</th>' for c in g.columns
    )
    rows = []
    classes: set[str] = set()
    for row in g.rows:
        cells = []
        for result in row.results:
            cls = _cell_class(result)
            classes.add(cls)
            cells.append(
                f'<td class="hs-{cls}" title="{escape(result.explain())}">'
                f"{escape(g.text(result))}</td>"
            )
        rows.append(f'<tr><th scope="row">{escape(row.label)}</th>{"".join(cells)}</tr>')
    notes = "".join(f'<p class="hs-muted">{escape(note)}</p>' for note in g.notes)
    body = (
        f"<p><b>{escape(_GRID_HEADINGS[g.kind].capitalize())}</b> — {escape(g.title)}</p>"
        f'<div class="hs-scroll"><table class="hs-t hs-m"><thead><tr><th>client</th>{heads}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f"{_legend_html(nocert='nocert' in classes)}{notes}"
        f"{_client_errors_html(g, 'hs-t')}"
        '<p class="hs-muted">Hover a cell for its explanation; '
        f"<code>{'m.cell(release, client)' if g.kind == 'matrix' else 'hm.cell(host, client)'}"
        "</code> gives the full trace.</p>"
    )
    return _wrap(body)


def grid_page(g: Grid) -> str:
    """A self-contained page of a grid: colour-coded cells, a legend, each cell's explanation
    on hover (tooltip) and on click or Enter (the panel below the table)."""
    heads = "".join(
        f'<th scope="col" title="{escape(c.tip)}">{escape(c.head)}</th>' for c in g.columns
    )
    rows = []
    details = []
    for i, row in enumerate(g.rows):
        cells = []
        for j, (column, result) in enumerate(zip(g.columns, row.results, strict=True)):
            cid = f"c-{i}-{j}"
            explanation = result.explain()
            cells.append(
                f'<td class="{category(result)}" title="{escape(explanation)}" '
                f'data-detail="{cid}" tabindex="0">{escape(g.text(result))}</td>'
            )
            details.append(
                f'<section id="{cid}" hidden><h3>{escape(column.detail)} · '
                f"{escape(row.detail)}</h3><pre>{escape(explanation)}</pre></section>"
            )
        rows.append(f'<tr><th scope="row">{escape(row.label)}</th>{"".join(cells)}</tr>')
    legend = "".join(
        f'<li><span class="swatch {name}"></span>{escape(text)}</li>'
        for name, (_, _, text) in CATEGORIES.items()
    )
    styles = "".join(
        f"td.{cat.value},.swatch.{cat.value}{{background:{swatch.background};color:{swatch.text}}}"
        for cat, swatch in PALETTE.items()
    )
    return _HTML.format(
        page=g.kind,
        heading=_GRID_HEADINGS[g.kind],
        notes="".join(f"<p>{escape(note)}</p>" for note in g.notes),
        title=escape(g.title),
        heads=heads,
        rows="".join(rows),
        legend=legend,
        styles=styles,
        shows=_client_errors_html(g, "shows"),
        details="".join(details),
    )


def host_matrix_html(hm: HostMatrix) -> str:
    """The hosts matrix as a notebook fragment."""
    return grid_html(host_grid(hm))


def host_matrix_page(hm: HostMatrix) -> str:
    """The hosts matrix as a self-contained page (``matrix --hosts --format html``)."""
    return grid_page(host_grid(hm))
