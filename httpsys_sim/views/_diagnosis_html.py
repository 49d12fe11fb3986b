"""The diagnosis report as one self-contained HTML page (``diagnose --format html``).

No network: styles and the small copy-button script are inline, nothing is fetched.  The
summary comes first (sites at risk per release), then one section per site and path: the
outcome grid with the marks of ``matrix`` (``*``, ``?``), the why-chain with rule ids, the
upgrade risks, the remedies with a copy button per command, and what the exports cannot show
(each assumption, the outcomes that change without it, and the remedies then).  The layout
reflows on a phone (tables scroll sideways) and prints without the buttons.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from httpsys_sim.core._result import CATEGORY_MEANINGS, OutcomeCategory
from httpsys_sim.views._palette import PALETTE
from httpsys_sim.windows._iis import access_flag_names
from httpsys_sim.windows._releases import RELEASES

if TYPE_CHECKING:
    from httpsys_sim.analysis._diagnose import Diagnosis, Finding
    from httpsys_sim.core._fixes import Fix

__all__ = ["diagnosis_html"]

_CSS = """
:root{color-scheme:light dark}
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;
max-width:1100px;padding:12px}
h1{font-size:1.4em}h2{font-size:1.15em;margin:0 0 .3em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #8884;padding:2px 6px;
text-align:left;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
li code{word-break:break-all;white-space:normal}
#summary td,#summary th{white-space:normal}
.finding{border:1px solid #8886;border-radius:6px;padding:10px;margin:12px 0}
.ok{border-left:6px solid #1a7f37}.bad{border-left:6px solid #cf222e}
.verdict{font-weight:600}.meta{color:#666;font-size:.9em;word-break:break-all}
.cmd{display:flex;gap:6px;align-items:flex-start;margin:4px 0}
.cmd pre{flex:1;margin:0;padding:4px 6px;background:#8882;border-radius:4px;
white-space:pre-wrap;word-break:break-all;font-size:.85em}
button.copy{font-size:.8em;padding:2px 8px;cursor:pointer}
.then{margin-left:1.5em}
td.c{color:#fff;font-weight:600;text-align:center}
.legend span{display:inline-block;padding:0 6px;margin:2px;color:#fff;border-radius:3px}
@media (max-width:600px){body{font-size:14px;padding:6px}td,th{padding:1px 3px}}
@media print{button.copy{display:none}.finding{break-inside:avoid}a{color:inherit}
details{display:block}details>summary{display:none}}
"""

_SCRIPT = """
document.addEventListener('click',function(e){var b=e.target;
if(!b.classList||!b.classList.contains('copy'))return;
var t=b.parentNode.querySelector('pre').textContent;
function done(){b.textContent='copied';setTimeout(function(){b.textContent='copy'},1500)}
if(navigator.clipboard&&navigator.clipboard.writeText){
navigator.clipboard.writeText(t).then(done,function(){fallback()})}else{fallback()}
function fallback(){var a=document.createElement('textarea');a.value=t;
document.body.appendChild(a);a.select();try{document.execCommand('copy');done()}catch(x){}
document.body.removeChild(a)}});
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _grid(diagnosis: Diagnosis, finding: Finding) -> str:
    releases = list(finding.cells)
    head = "".join(f"<th>{_e(r)}</th>" for r in releases)
    rows = []
    for client in diagnosis.clients:
        cells = []
        for release in releases:
            cell = finding.cells[release][client]
            swatch = PALETTE[OutcomeCategory(str(cell["category"]))]
            tip = f"{cell['kind']}; certificate_reached_app={cell['certificate_reached_app']}"
            if cell["alternatives"]:
                tip += "; alternatives: " + " / ".join(map(str, cell["alternatives"]))
            cells.append(
                f'<td class="c" style="background:{swatch.background};color:{swatch.text}" '
                f'title="{_e(tip)}">'
                f"{_e(cell['mark'])}</td>"
            )
        rows.append(f"<tr><th>{_e(client)}</th>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><tr><th>client</th>{head}</tr>{"".join(rows)}</table></div>'


def _finding(diagnosis: Diagnosis, number: int, f: Finding) -> str:
    flags = ", ".join(access_flag_names(f.access_ssl_flags)) or "None"
    cls = "bad" if f.failing else "ok"
    parts = [
        f'<section class="finding {cls}" id="f{number}">',
        f"<h2>{_e(f.site or '(any site)')} <code>{_e(f.path)}</code></h2>",
        f'<div class="verdict">{_e(f.verdict)} · certificate requested: {_e(f.cert_request)}</div>',
        '<div class="meta">',
        f"http.sys binding <code>{_e(f.binding)}</code>",
    ]
    if f.site_binding is not None:
        parts.append(f" · site binding <code>{_e(f.site_binding)}</code>")
    parts.append(f" · sslFlags <code>{_e(flags)}</code> from <code>{_e(f.flags_source)}</code>")
    parts.append("</div>")
    if f.flags_chain or f.evidence:
        items = "".join(f"<li><code>{_e(e)}</code></li>" for e in f.evidence)
        parts.append(f"<details><summary>where this comes from</summary><ul>{items}</ul></details>")
    if f.notes:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in f.notes) + "</ul>")
    if f.failing:
        parts.append(_grid(diagnosis, f))
    else:
        parts.append(f"<details><summary>outcome grid</summary>{_grid(diagnosis, f)}</details>")
    if f.why is not None:
        release, client, steps = f.why
        items = "".join(f"<li>{_e(event)} <code>{_e(rule)}</code></li>" for event, rule in steps)
        parts.append(f"<h3>Why ({_e(client)} on {_e(release)})</h3><ol>{items}</ol>")
    if f.risks:
        parts.append(
            "<h3>At risk on upgrade</h3><ul>"
            + "".join(f"<li>{_e(r)}</li>" for r in f.risks)
            + "</ul>"
        )
    if f.fixes:
        parts.append("<h3>Fixes (each re-simulated)</h3>")
        parts += _fixes(f.fixes, f.fix_coverage)
    if f.unknowns:
        parts.append("<h3>Not in the exports (the grid assumes; otherwise)</h3>")
        for u in f.unknowns:
            value = str(u.assumed).lower()
            parts.append(
                f"<p><b><code>{_e(u.setting)}</code> assumed {_e(value)}</b>: "
                f"{_e(u.question)} <code>{_e(u.rule)}</code></p>"
            )
            parts.append("<ul>" + "".join(f"<li>{_e(c)}</li>" for c in u.changes) + "</ul>")
            if u.fixes:
                parts.append('<div class="then">')
                parts += _fixes(u.fixes, u.fix_coverage)
                parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def _fixes(fixes: Sequence[Fix], coverage: Mapping[str, tuple[int, int]]) -> list[str]:
    parts: list[str] = []
    for fix in fixes:
        done, total = coverage[fix.id]
        mark = "verified" if fix.verified else f"partial: {done}/{total} failing cells"
        parts.append(f"<p><b>{_e(fix.title)}</b> [{_e(mark)}; <code>{_e(fix.rule)}</code>]</p>")
        for command in fix.commands:
            parts.append(
                f'<div class="cmd"><pre>{_e(command)}</pre>'
                '<button class="copy" type="button">copy</button></div>'
            )
        if fix.note:
            parts.append(f'<p class="meta">{_e(fix.note)}</p>')
    return parts


def diagnosis_html(diagnosis: Diagnosis) -> str:
    """The whole page."""
    at_risk = diagnosis.at_risk()
    total = len({f.site or f.binding for f in diagnosis.findings})
    rows = []
    for release, (sites, paths) in at_risk.items():
        role = ""
        if diagnosis.current_release == release:
            role = " (this server)"
        elif diagnosis.current_release is not None:
            role = " (upgrade target)"
        rows.append(
            f"<tr><th>{_e(RELEASES[release].product)}{_e(role)}</th>"
            f"<td>{sites} of {total}</td><td>{paths}</td></tr>"
        )
    legend = "".join(
        f'<span style="background:{PALETTE[c].background};color:{PALETTE[c].text}">'
        f"{_e(text)}</span>"
        for c, text in CATEGORY_MEANINGS.items()
    )
    summary = [
        '<section id="summary"><h2>Summary: sites at risk per release</h2>',
        f"<p>{_e(diagnosis.summary_lines()[0])}</p>",
        '<div class="scroll"><table><tr><th>release</th><th>sites at risk</th>'
        f"<th>paths at risk</th></tr>{''.join(rows)}</table></div>",
    ]
    if diagnosis.notes:
        summary.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in diagnosis.notes) + "</ul>")
    if diagnosis.problems:
        summary.append(
            "<h3>Problems</h3><ul>"
            + "".join(f"<li><code>{_e(p)}</code></li>" for p in diagnosis.problems)
            + "</ul>"
        )
    summary.append(
        f'<p class="legend">{legend} <b>*</b> the certificate never reached IIS or the '
        "application · <b>?</b> the outcome has alternatives (an inferred rule on its "
        "path)</p></section>"
    )
    order = sorted(
        enumerate(diagnosis.findings, 1), key=lambda item: (not item[1].failing, item[0])
    )
    body = "".join(_finding(diagnosis, n, f) for n, f in order)
    title = f"httpsys-sim diagnose ({diagnosis.certificate.value} certificate)"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{''.join(summary)}{body}"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
