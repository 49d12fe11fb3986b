"""Notebook views: HTML and Markdown for results, matrices, releases, client profiles, TLS
transcripts, rules and comparisons, and a sequence diagram that needs no extension.

The classes' ``_repr_html_`` / ``_repr_markdown_`` methods import this module lazily, so
``import httpsys_sim`` stays fast.  Every piece of HTML is a fragment (no ``<html>``, no
global styles, no ids, no script), self-contained, with every text escaped and every style
scoped under ``.hsim`` so that several outputs can share one notebook page.

The sequence diagram comes twice: Mermaid source (JupyterLab 4.1+ and GitHub draw it
natively) and an inline SVG computed here from the trace, which any browser shows.
:func:`sequence_diagram` wraps both in a value whose MIME bundle lets the front end pick.
"""

from __future__ import annotations

import enum
import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim.analysis._matrix import CATEGORIES, category
from httpsys_sim.catalogue._rules import RULES, SOURCES, Confidence, Rule, get_rule
from httpsys_sim.views._text import result_mermaid

if TYPE_CHECKING:
    from httpsys_sim.analysis._compare import Comparison
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.catalogue._clients import ClientProfile
    from httpsys_sim.core._result import Result, Step
    from httpsys_sim.tls.run import TlsTranscript
    from httpsys_sim.windows._releases import Release

__all__ = [
    "SequenceDiagram",
    "badge_html",
    "client_html",
    "client_markdown",
    "comparison_html",
    "escape",
    "matrix_html",
    "md_escape",
    "release_html",
    "release_markdown",
    "result_html",
    "result_markdown",
    "result_svg",
    "rule_html",
    "rule_markdown",
    "sequence_diagram",
    "transcript_html",
    "transcript_markdown",
    "transcript_svg",
]

# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------

#: Characters XML 1.0 forbids (an SVG with one of them does not render at all).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: object) -> str:
    """``text`` safe in HTML/SVG element content and in quoted attribute values."""
    return html.escape(_XML_BAD.sub("\ufffd", str(text)), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_escape(text: object) -> str:
    """``text`` safe in Markdown prose and table cells: no HTML, no emphasis, no links."""
    plain = html.escape(_XML_BAD.sub("\ufffd", str(text)), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\r", " ").replace("\n", " ")


def _md_code(text: object) -> str:
    """``text`` as an inline Markdown code span (code spans are never parsed as HTML)."""
    plain = _XML_BAD.sub("\ufffd", str(text)).replace("`", "ʼ").replace("\n", " ")
    return f"`{plain}`"


def _fence(body: str, info: str) -> str:
    """A fenced code block whose fence is longer than any backtick run in ``body``."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"


def _safe_url(url: str | None) -> str | None:
    return url if url is not None and url.startswith(("https://", "http://")) else None


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------

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
        f".hsim .hs-{name},.hsim table.hs-m td.hs-{name}{{background:{colour};color:#fff}}"
        for name, (colour, _, _) in CATEGORIES.items()
    )
    badges += (
        ".hsim .hs-nocert,.hsim table.hs-m td.hs-nocert{background:repeating-linear-gradient("
        "135deg,#1a7f37 0 5px,#4ac26b 5px 10px);color:#fff;text-shadow:0 0 2px #000}"
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
        "table-layout:auto}"
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


def _conf_html(level: Confidence) -> str:
    return f'<span class="hs-conf hs-c-{level.value}">{escape(level.value)}</span>'


def _source_html(source_id: str) -> str:
    source = SOURCES.get(source_id)
    if source is None:
        return f"<code>{escape(source_id)}</code>"
    url = _safe_url(source.url)
    tip = source.title + (f" — {source.note}" if source.note else "")
    if url is None:
        return f'<abbr title="{escape(tip)}">{escape(source_id)}</abbr>'
    return (
        f'<a href="{escape(url)}" title="{escape(tip)}" target="_blank" '
        f'rel="noopener noreferrer">{escape(source_id)}</a>'
    )


def _sources_html(ids: Iterable[str]) -> str:
    return ", ".join(_source_html(s) for s in ids)


def _source_md(source_id: str) -> str:
    source = SOURCES.get(source_id)
    url = None if source is None else _safe_url(source.url)
    if url is None:
        return md_escape(source_id)
    return f"[{md_escape(source_id)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def _sources_md(ids: Iterable[str]) -> str:
    return ", ".join(_source_md(s) for s in ids)


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


# --------------------------------------------------------------------------------------------
# The SVG sequence diagram
# --------------------------------------------------------------------------------------------

#: Average width of one character at the diagram's 12 px sans-serif font (layout estimate).
_CHAR = 6.6
_LINE = 15
_FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"

#: Arrow styles: stroke, label background (or ``None``), dashed, stroke width.
_ARROWS: Mapping[str, tuple[str, str | None, bool, float]] = MappingProxyType(
    {
        "clear": ("#57606a", None, False, 1.2),
        "encrypted": ("#0969da", "#ddf4ff", False, 1.4),
        "exposed": ("#bc4c00", "#fff1e5", False, 1.8),
        "alert": ("#8250df", "#fbefff", False, 1.6),
        "http": ("#1f2328", None, False, 1.6),
        "call": ("#9a6700", "#fff8c5", True, 1.4),
        "h2err": ("#8250df", "#fbefff", True, 1.8),
        "reset": ("#cf222e", "#ffebe9", True, 2.4),
        **{
            f"resp-{name}": (colour, None, False, 2.4)
            for name, (colour, _, _) in CATEGORIES.items()
        },
    }
)

#: Note styles: fill, border.
_NOTES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "info": ("#f6f8fa", "#d0d7de"),
        "key": ("#f6f8fa", "#57606a"),
        "late": ("#fff8c5", "#d4a72c"),
        "retry": ("#ddf4ff", "#54aeff"),
        "ok": ("#dafbe1", "#1a7f37"),
        "nocert": ("#dafbe1", "#4ac26b"),
        "denied": ("#ddf4ff", "#0969da"),
        "error": ("#fff1e5", "#bc4c00"),
        "reset": ("#ffebe9", "#cf222e"),
        "protocol": ("#fbefff", "#8250df"),
    }
)


@attrs.frozen
class _Arrow:
    src: int
    dst: int
    text: str
    kind: str
    tip: str
    delivered: bool = True
    locked: bool = False  #: draw a padlock: the message travelled encrypted


@attrs.frozen
class _Note:
    left: int
    right: int
    text: str
    kind: str
    tip: str


@attrs.frozen
class _Band:
    text: str
    tip: str


_Item = _Arrow | _Note | _Band


def _text_width(text: str) -> float:
    # Emoji and other wide characters take about two average character widths.
    return sum(2 * _CHAR if ord(ch) > 0x2500 else _CHAR for ch in text)


def _lines(text: str, width_px: float) -> list[str]:
    chars = max(12, int(width_px / _CHAR))
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]


def _clip(text: str, width_px: float) -> str:
    """``text`` cut with an ellipsis to fit ``width_px``."""
    if _text_width(text) <= width_px:
        return text
    while text and _text_width(text + "…") > width_px:
        text = text[:-1]
    return text + "…"


def _svg_text(x: float, y: float, line: str, *, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}"{extra}>{escape(line)}</text>'


def _diagram_svg(
    lanes: Sequence[tuple[str, str]],
    items: Sequence[_Item],
    *,
    title: str,
    standalone: bool,
) -> str:
    """Lay out lanes (title, subtitle) and items top to bottom as one ``<svg>``."""
    width = 900 if len(lanes) > 2 else 680
    margin = 110 if len(lanes) > 2 else 130
    step = (width - 2 * margin) / max(1, len(lanes) - 1)
    xs = [margin + i * step for i in range(len(lanes))]
    body: list[str] = []
    y = 34.0
    for line in _lines(title, width - 20)[:2]:
        body.append(_svg_text(width / 2, y - 12, line, extra=' font-size="12" fill="#59636e"'))
        y += _LINE
    top = y
    box = min(step - 20, 240.0) if len(lanes) > 1 else 240.0
    for x, (name, sub) in zip(xs, lanes, strict=True):
        body.append(
            f'<rect x="{x - box / 2:.0f}" y="{top:.0f}" width="{box:.0f}" height="42" rx="6" '
            'fill="#f6f8fa" stroke="#57606a"/>'
        )
        body.append(_svg_text(x, top + 18, _clip(name, box - 12), extra=' font-weight="700"'))
        body.append(
            _svg_text(
                x, top + 33, _clip(sub, (box - 12) * 1.1), extra=' font-size="11" fill="#59636e"'
            )
        )
    y = top + 62
    for item in items:
        if isinstance(item, _Band):
            body.append(
                f'<g><title>{escape(item.tip)}</title><rect x="8" y="{y:.0f}" '
                f'width="{width - 16}" height="22" rx="4" fill="#eaeef2" stroke="#d0d7de"/>'
            )
            body.append(
                _svg_text(16, y + 15, item.text, anchor="start", extra=' font-weight="700"')
                + "</g>"
            )
            y += 32
        elif isinstance(item, _Note):
            if item.left == item.right:
                w = min(300.0, _text_width(item.text) + 20)
                x0 = min(max(8.0, xs[item.left] - w / 2), width - 8 - w)
            else:
                x0 = xs[item.left] - 95
                w = xs[item.right] + 95 - x0
            lines = _lines(item.text, w - 16)
            w = max(w, max(_text_width(line) for line in lines) + 16)
            x0 = min(max(8.0, x0), width - 8 - w)
            h = len(lines) * _LINE + 10
            fill, stroke = _NOTES[item.kind]
            body.append(
                f'<g><title>{escape(item.tip)}</title><rect x="{x0:.0f}" y="{y:.0f}" '
                f'width="{w:.0f}" height="{h}" rx="4" fill="{fill}" stroke="{stroke}"/>'
            )
            for n, line in enumerate(lines):
                body.append(
                    _svg_text(x0 + w / 2, y + 17 + n * _LINE, line, extra=' fill="#1f2328"')
                )
            body.append("</g>")
            y += h + 8
        else:
            y = _arrow_svg(body, item, xs, y)
    used = set()
    for item in items:
        if isinstance(item, _Arrow):
            used.add(item.kind)
            if item.locked:
                used.add("locked")
            if item.kind == "reset" or not item.delivered:
                used.add("cross")
    legend, legend_h = _legend_svg(16, y + 22, width, frozenset(used))
    height = y + 16 + legend_h
    lifelines = "".join(
        f'<line x1="{x:.0f}" y1="{top + 42:.0f}" x2="{x:.0f}" y2="{y:.0f}" '
        'stroke="#8c959f" stroke-dasharray="4 4"/>'
        for x in xs
    )
    body.append(legend)
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (
        f'<svg{ns} width="{width}" height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}" font-family="{_FONT}" font-size="12">'
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>'
        f"{lifelines}{''.join(body)}</svg>"
    )


def _lock_svg(x: float, y: float, colour: str) -> str:
    """A 10 × 12 px padlock with its top-left corner at (x, y) (no emoji font needed)."""
    return (
        f'<path d="M{x + 2:.1f},{y + 6:.1f}V{y + 3.5:.1f}a3,3 0 0 1 6,0V{y + 6:.1f}" '
        f'fill="none" stroke="{colour}" stroke-width="1.5"/>'
        f'<rect x="{x:.1f}" y="{y + 5.5:.1f}" width="10" height="6.5" rx="1.2" fill="{colour}"/>'
    )


def _cross_svg(x: float, y: float, r: float, width: float) -> str:
    return (
        f'<path d="M{x - r:.0f},{y - r:.0f}L{x + r:.0f},{y + r:.0f}M{x - r:.0f},{y + r:.0f}'
        f'L{x + r:.0f},{y - r:.0f}" stroke="#cf222e" stroke-width="{width}" '
        'stroke-linecap="round"/>'
    )


def _legend_svg(x0: float, y: float, width: float, used: frozenset[str]) -> tuple[str, float]:
    """The key to the diagram, drawn (not written with emoji), wrapped to ``width``;
    returns the SVG and the height it takes."""
    grey = "#59636e"
    entries: list[tuple[float, str]] = []  # (width, svg drawn at x = 0, baseline y = 0)
    if "locked" in used:
        lock = _lock_svg(0, -10, _ARROWS["encrypted"][0])
        text = _svg_text(15, 0, "encrypted", anchor="start", extra=f' fill="{grey}"')
        entries.append((15 + _text_width("encrypted"), lock + text))
    for kind, label in (
        ("clear", "in the clear"),
        ("exposed", "client certificate in the clear"),
        ("call", "late certificate demand"),
        ("h2err", "HTTP/2 stream reset"),
    ):
        if kind not in used:
            continue
        stroke, _, dashed, sw = _ARROWS[kind]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        line = (
            f'<line x1="0" y1="-4" x2="22" y2="-4" stroke="{stroke}" '
            f'stroke-width="{sw + 0.6}"{dash}/>'
        )
        text = _svg_text(27, 0, label, anchor="start", extra=f' fill="{grey}"')
        entries.append((27 + _text_width(label), line + text))
    if "cross" in used:
        label = "reset / never read"
        text = _svg_text(15, 0, label, anchor="start", extra=f' fill="{grey}"')
        entries.append((15 + _text_width(label), _cross_svg(5, -4, 5, 2.5) + text))
    parts = []
    x, rows = x0, 1
    for w, svg in entries:
        if x > x0 and x + w > width - 8:
            x, y, rows = x0, y + 18, rows + 1
        parts.append(f'<g transform="translate({x:.0f},{y:.0f})">{svg}</g>')
        x += w + 18
    return '<g font-size="11">' + "".join(parts) + "</g>", rows * 18.0


def _arrow_svg(body: list[str], item: _Arrow, xs: Sequence[float], y: float) -> float:
    stroke, label_bg, dashed, sw = _ARROWS[item.kind]
    x1, x2 = xs[item.src], xs[item.dst]
    direction = 1 if x2 > x1 else -1
    span = abs(x2 - x1)
    icon = 14 if item.locked else 0
    lines = _lines(item.text, span - 24 - icon)
    body.append(f"<g><title>{escape(item.tip)}</title>")
    mid = (x1 + x2) / 2
    w = max(_text_width(line) for line in lines) + 12 + icon
    if label_bg is not None:
        body.append(
            f'<rect x="{mid - w / 2:.0f}" y="{y - 1:.0f}" width="{w:.0f}" '
            f'height="{len(lines) * _LINE + 3}" rx="3" fill="{label_bg}"/>'
        )
    if item.locked:
        body.append(_lock_svg(mid - w / 2 + 5, y + 1, stroke))
    weight = ' font-weight="700"' if item.kind.startswith(("resp-", "reset")) else ""
    for n, line in enumerate(lines):
        body.append(
            _svg_text(mid + icon / 2, y + 11 + n * _LINE, line, extra=f' fill="#1f2328"{weight}')
        )
    ay = y + len(lines) * _LINE + 6
    end = x2 if item.delivered else x1 + direction * span * 0.72
    tip = end - direction * 9
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    body.append(
        f'<line x1="{x1:.0f}" y1="{ay:.0f}" x2="{tip:.0f}" y2="{ay:.0f}" stroke="{stroke}" '
        f'stroke-width="{sw}"{dash}/>'
    )
    if item.delivered:
        body.append(
            f'<polygon points="{end:.0f},{ay:.0f} {tip:.0f},{ay - 5:.0f} {tip:.0f},{ay + 5:.0f}" '
            f'fill="{stroke}"/>'
        )
    else:
        body.append(_cross_svg(end, ay, 6, 2.4))
    if item.kind == "reset":
        body.append(_cross_svg(x2, ay, 9, 3.5))
    body.append("</g>")
    return ay + 10


def _step_tip(step: Step) -> str:
    try:
        rule = get_rule(step.rule)
    except KeyError:
        return f"{step.rule}: {step.event}"
    return f"{rule.id} ({rule.confidence.value}; {', '.join(rule.sources)}): {step.event}"


def _result_items(result: Result) -> list[_Item]:
    from httpsys_sim.tls.messages import CertState

    C, H, IIS = 0, 1, 2  # the lanes: client, http.sys + Schannel, IIS
    items: list[_Item] = []
    cat = category(result)
    outcome_rule = result.outcome.rule
    has_cert = result.scenario.client.certificate is not CertState.NONE
    renegotiating = False
    for step in result.steps:
        tip = _step_tip(step)
        if step.layer == "config":
            continue
        if step.message == "hello_request" and not renegotiating:
            renegotiating = True
            items.append(
                _Band(
                    text="Renegotiation under the current keys: HelloRequest, then a full "
                    "handshake with a CertificateRequest",
                    tip=tip,
                )
            )
        if step.rule == "R-REQ-2.tls12-reneg" and step.message is None and renegotiating:
            continue  # the band above already says it, where it happens
        if step.layer == "tcp" and step.actor == "client":
            items.append(_Band(text=_connection_label(result, step.connection), tip=tip))
        elif step.message is not None:
            client = step.actor == "client"
            src, dst = (C, H) if client else (H, C)
            if step.message.startswith("alert"):
                kind = "alert"
            elif step.encrypted:
                kind = "encrypted"
            elif client and step.message == "certificate" and has_cert:
                kind = "exposed"
            else:
                kind = "clear"
            text = step.message
            if kind == "exposed":
                text += " — in the clear"
            if not step.delivered:
                text += " (never read)"
            items.append(
                _Arrow(src, dst, text, kind, tip, delivered=step.delivered, locked=step.encrypted)
            )
        elif step.layer == "http" and step.actor == "client":
            items.append(_Arrow(C, H, step.event, "http", tip))
            items.append(_Arrow(H, IIS, "request", "http", tip))
        elif step.layer == "http":
            items.append(_Arrow(H, C, step.event, "h2err", tip))
        elif step.layer == "tcp":
            items.append(_Arrow(H, C, "TCP RST: connection reset", "reset", tip))
            items.append(_Note(H, H, step.event, "reset", tip))
        elif step.layer == "iis" and step.rule == "R-REQ-2":
            items.append(_Arrow(IIS, H, "HttpReceiveClientCertificate()", "call", tip))
            items.append(_Note(H, IIS, "late demand: " + step.event, "late", tip))
        elif step.layer == "iis":
            kind = cat if step.rule == outcome_rule else ("key" if step.key else "info")
            lane = IIS if step.actor in ("IIS", "IIS Express") else H
            items.append(_Note(lane if lane == IIS else H, IIS, step.event, kind, tip))
        elif step.layer == "client":
            items.append(_Note(C, C, step.event, "retry", tip))
        else:
            lane = C if step.actor == "client" else H
            kind = cat if step.rule == outcome_rule else ("key" if step.key else "info")
            items.append(_Note(lane, lane, step.event, kind, tip))
    o = result.outcome
    if o.status is not None:
        text = f"HTTP {o.short()}" + (f" · {o.hresult}" if o.hresult else "")
        items.append(_Arrow(IIS, C, text, f"resp-{cat}", o.describe()))
    shows = o.describe() + (f" — the client shows {o.client_error}" if o.client_error else "")
    items.append(_Note(C, C, shows, cat, f"{o.rule}: {o.describe()}"))
    return items


def _connection_label(result: Result, index: int | None) -> str:
    if index is None or index >= len(result.connections):
        return "Connection"
    c = result.connections[index]
    return (
        f"Connection {index + 1} · {c.transport.upper()} · TLS {c.tls_version or '—'} · "
        f"ALPN {c.alpn or '—'} · certificate asked: {c.cert_requested.value} · ended: {c.end}"
    )


def _host_name(result: Result) -> str:
    return "IIS Express" if result.scenario.server.host.value == "iis-express" else "IIS"


def result_svg(result: Result, *, standalone: bool = False) -> str:
    """The trace as an SVG sequence diagram: client, http.sys + Schannel and IIS; each
    connection as a band; TLS messages (a padlock when encrypted), the HTTP request, the
    late demand, the reset (a red cross), the error page or the answer, and the retry on a
    new connection.

    ``standalone`` adds the SVG namespace, for an ``image/svg+xml`` document.
    """
    from httpsys_sim.catalogue._clients import get_client

    s = result.scenario
    lanes = [
        (f"Client: {s.client.profile}", get_client(s.client.profile).name),
        ("http.sys + Schannel", s.server.release.product),
        (_host_name(result), f"sslFlags {_flag_text(result)}"),
    ]
    return _diagram_svg(
        lanes,
        _result_items(result),
        title=s.describe(),
        standalone=standalone,
    )


def _flag_text(result: Result) -> str:
    from httpsys_sim.windows._iis import access_flag_names

    return ",".join(access_flag_names(result.scenario.server.access_ssl_flags)) or "None"


def _transcript_items(t: TlsTranscript) -> list[_Item]:
    from httpsys_sim.tls.machine import Role
    from httpsys_sim.tls.messages import Kind

    items: list[_Item] = [_Band(text="Initial handshake", tip="the first handshake")]
    client_done = False
    for event in t.wire:
        m = event.message
        client = event.sender is Role.CLIENT
        if m.kind is Kind.HELLO_REQUEST:
            items.append(
                _Band(
                    text="Renegotiation requested by the server (HelloRequest)",
                    tip="RFC 5246 §7.4.1.1: the new handshake runs under the current keys",
                )
            )
        elif m.kind is Kind.CLIENT_HELLO and m.renegotiation and client:
            items.append(_Band(text="Renegotiation", tip="a new handshake under the current keys"))
        elif m.kind is Kind.CERTIFICATE_REQUEST and client_done and not client:
            items.append(
                _Band(
                    text="Post-handshake authentication (TLS 1.3 CertificateRequest)",
                    tip="RFC 8446 §4.6.2: allowed only if the client offered post_handshake_auth",
                )
            )
        label = m.label()
        if m.kind is Kind.CERTIFICATE and m.empty_certificate:
            label += " (empty)"
        if m.kind is Kind.ALERT:
            kind = "alert"
        elif m.encrypted:
            kind = "encrypted"
        elif client and m.kind is Kind.CERTIFICATE and not m.empty_certificate:
            kind = "exposed"
        else:
            kind = "clear"
        text = label
        if kind == "exposed":
            text += " — in the clear"
        if not event.delivered:
            text += " (never read)"
        src, dst = (0, 1) if client else (1, 0)
        tip = f"{event.rule}: {label} ({'encrypted' if m.encrypted else 'in the clear'})"
        items.append(
            _Arrow(src, dst, text, kind, tip, delivered=event.delivered, locked=m.encrypted)
        )
        if client and m.kind is Kind.FINISHED:
            client_done = True
    for lane, side in ((0, t.client), (1, t.server)):
        if side.error:
            items.append(_Note(lane, lane, side.error, "reset", side.error))
    got = (
        "the server holds the client's certificate"
        if t.server.cert_obtained
        else ("the server holds no client certificate")
    )
    items.append(_Note(1, 1, got, "ok" if t.server.cert_obtained else "info", got))
    return items


def transcript_svg(transcript: TlsTranscript, *, standalone: bool = False) -> str:
    """The wire of a TLS transcript as an SVG sequence diagram (two lanes)."""
    s = transcript.scenario
    version = transcript.version.value if transcript.version else "(none)"
    lanes = [
        ("Client", f"{s.stack} · certificate {s.certificate.value}"),
        ("Server", f"{s.stack} · {s.cert_request.value} at {s.request_at.value}"),
    ]
    title = (
        f"TLS {version} · stack {s.stack} · client offers post_handshake_auth: "
        f"{'yes' if s.post_handshake_auth else 'no'} · renegotiation: {s.renegotiation.value}"
    )
    return _diagram_svg(lanes, _transcript_items(transcript), title=title, standalone=standalone)


@attrs.frozen
class SequenceDiagram:
    """A sequence diagram as Mermaid source and as SVG.

    In a notebook its MIME bundle offers ``text/vnd.mermaid`` (drawn natively by
    JupyterLab 4.1+) and ``image/svg+xml`` (drawn by every other front end), so each
    front end shows the best it can.
    """

    mermaid: str
    svg: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/plain": self.mermaid,
            "text/vnd.mermaid": self.mermaid,
            "image/svg+xml": self.svg,
        }

    def _repr_markdown_(self) -> str:
        return _fence(self.mermaid, "mermaid")


def sequence_diagram(value: Result | TlsTranscript) -> SequenceDiagram:
    """The sequence diagram of a :class:`~httpsys_sim.core._result.Result` or a
    :class:`~httpsys_sim.tls.run.TlsTranscript`, for ``display()`` in a notebook."""
    from httpsys_sim.core._result import Result

    if isinstance(value, Result):
        return SequenceDiagram(
            mermaid=result_mermaid(value), svg=result_svg(value, standalone=True)
        )
    return SequenceDiagram(mermaid=value.to_mermaid(), svg=transcript_svg(value, standalone=True))


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


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


def _fixes_html(result: Result) -> str:
    fixes = result.fixes()
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


def _result_body(result: Result, *, fixes: bool = True) -> str:
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
        f"{_fixes_html(result) if fixes else ''}"
        f"<details><summary>Mermaid source</summary>"
        f"<pre>{escape(result_mermaid(result))}</pre></details>"
    )


def result_html(result: Result, *, fixes: bool = True) -> str:
    """A result as a notebook fragment: the outcome badge, the facts, the connections, the
    causal chain with cited rules, the SVG sequence diagram, every step (rule ids with
    their statements, sources linked), the re-simulated fixes, and the Mermaid source."""
    return _wrap(_result_body(result, fixes=fixes))


def result_markdown(result: Result, *, fixes: bool = True) -> str:
    """A result as Markdown: outcome, facts, causal chain, steps table with linked
    sources, fixes, and the sequence diagram as a fenced ``mermaid`` block."""
    o = result.outcome
    cat = category(result)
    lines = [
        f"### {_CAT_EMOJI[cat]} {_md_code(o.short())} {md_escape(o.describe())}",
        "",
        md_escape(result.scenario.describe()),
        "",
    ]
    if o.client_error:
        lines.append(f"- The client shows: {_md_code(o.client_error)}")
    rule = get_rule(o.rule)
    lines.append(
        f"- Decided by {_md_code(o.rule)} ({o.confidence.value}; {_sources_md(rule.sources)})"
    )
    if result.iis_log is not None:
        log = result.iis_log
        lines.append(f"- IIS log: {_md_code(f'{log.status} {log.substatus} {log.win32_status}')}")
    else:
        lines.append("- IIS log: no line (the request never reached IIS)")
    if result.httperr:
        lines.append(f"- HTTPERR: {_md_code(result.httperr)}")
    lines.append(
        "- Certificate reached the application: "
        + ("yes" if result.certificate_reached_app else "no")
    )
    if result.app_observed is not None:  # ASP.NET Core hosts
        lines.append(f"- The application observes: {_md_code(result.app_observed.describe())}")
    lines.append(
        "- Connections: "
        + "; ".join(
            f"{c.index + 1}. TLS {c.tls_version or '—'}, ALPN {md_escape(c.alpn or '—')}, "
            f"ended {_md_code(c.end)}"
            for c in result.connections
        )
    )
    lines += ["", "#### Why", ""]
    for n, step in enumerate(result.why(), 1):
        r = get_rule(step.rule)
        lines.append(
            f"{n}. {md_escape(step.event)} — {_md_code(r.id)} "
            f"({r.confidence.value}; {_sources_md(r.sources)})"
        )
    if o.alternatives:
        lines += ["", "#### Where the model is unsure", ""]
        lines += [f"- {md_escape(a.description)} ({_md_code(a.rule)})" for a in o.alternatives]
    lines += ["", "#### Sequence", "", _fence(result_mermaid(result), "mermaid")]
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
            f"| {n} | {step.layer} | {md_escape(step.actor)} | {event} | {_md_code(r.id)} | "
            f"{_sources_md(r.sources)} | {r.confidence.value} |"
        )
    if fixes and result.fixes():
        lines += ["", "#### Fixes (each re-simulated)", ""]
        for fix in result.fixes():
            lines.append(f"- **{md_escape(fix.title)}** → {md_escape(fix.outcome)}")
            lines += [f"  - {_md_code(c)}" for c in fix.commands]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Matrix
# --------------------------------------------------------------------------------------------


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


def matrix_html(m: Matrix) -> str:
    """A matrix as a notebook fragment: colour-coded cells with the explanation on hover,
    the legend, and how to open one cell's full trace."""
    heads = "".join(
        f'<th scope="col" title="{escape(r.product)} (build {r.build})">{escape(r.id)}</th>'
        for r in m.releases
    )
    rows = []
    classes: set[str] = set()
    for client, cert in m.rows():
        cells = []
        for release in m.releases:
            result = m.cells[(release.id, client, cert)]
            mark = "?" if result.outcome.alternatives else ""
            cls = _cell_class(result)
            classes.add(cls)
            cells.append(
                f'<td class="hs-{cls}" title="{escape(result.explain())}">'
                f"{escape(result.outcome.short())}{mark}</td>"
            )
        label = client if len(m.certificates) == 1 else f"{client} ({cert.value})"
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>')
    body = (
        f"<p><b>Outcome matrix</b> — {escape(m.base.describe())}</p>"
        f'<table class="hs-t hs-m"><thead><tr><th>client</th>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{_legend_html(nocert='nocert' in classes)}"
        '<p class="hs-muted">Hover a cell for its explanation; '
        "<code>m.cell(release, client)</code> gives the full trace.</p>"
    )
    return _wrap(body)


# --------------------------------------------------------------------------------------------
# Release, client profile, rule
# --------------------------------------------------------------------------------------------

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


def release_markdown(release: Release) -> str:
    """A release's behaviour policy as a Markdown table."""
    lines = [
        f"**{md_escape(release.product)}** {_md_code(release.id)} ({release.confidence.value})",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in _release_rows(release)]
    if release.note:
        lines += ["", md_escape(release.note)]
    lines += ["", "Rules: " + ", ".join(_md_code(r) for r in release.rules)]
    return "\n".join(lines) + "\n"


def _fact_value(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def client_html(profile: ClientProfile) -> str:
    """A client profile as a card: every fact with its confidence and linked sources."""
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td><code>{escape(_fact_value(fact.value))}</code></td>"
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


def client_markdown(profile: ClientProfile) -> str:
    """A client profile as a Markdown table of facts."""
    lines = [
        f"**{md_escape(profile.name)}** {_md_code(profile.id)} — TLS stack "
        f"{md_escape(profile.stack)}",
        "",
    ]
    lines += [f"- {md_escape(n)}" for n in profile.notes]
    lines += ["", "| capability | value | confidence | sources | note |", "|---|---|---|---|---|"]
    for name, fact in profile.facts().items():
        lines.append(
            f"| {md_escape(name)} | {_md_code(_fact_value(fact.value))} | "
            f"{fact.confidence.value} | {_sources_md(fact.sources)} | "
            f"{md_escape(fact.note or '')} |"
        )
    return "\n".join(lines) + "\n"


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


def rule_markdown(rule: Rule) -> str:
    """A rule as Markdown with linked sources."""
    lines = [
        f"{_md_code(rule.id)} **{md_escape(rule.title)}** ({rule.confidence.value}; "
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


# --------------------------------------------------------------------------------------------
# TLS transcripts
# --------------------------------------------------------------------------------------------


def transcript_html(transcript: TlsTranscript) -> str:
    """A TLS transcript: what each side ended with, the wire (encrypted or not, and the
    rule behind each message), and the SVG sequence diagram."""
    from httpsys_sim.tls.machine import Role

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


def transcript_markdown(transcript: TlsTranscript) -> str:
    """A TLS transcript as Markdown: the text account and a fenced ``mermaid`` block."""
    return (
        _fence(transcript.to_text(), "text")
        + "\n\n"
        + _fence(transcript.to_mermaid(), "mermaid")
        + "\n"
    )


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


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
