"""The SVG sequence diagram, laid out from a result's or a TLS transcript's trace; needs no
front-end extension."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from httpsys_sim.catalogue._rules import get_rule
from httpsys_sim.core._result import category
from httpsys_sim.views._palette import CATEGORIES

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result, Step
    from httpsys_sim.tls import TlsTranscript

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result, Step
from httpsys_sim.views._escape import escape, fence
from httpsys_sim.views._mermaid import result_mermaid

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
    # The outer lanes' boxes (240 px at most) must stay inside the viewBox.
    margin = max(110 if len(lanes) > 2 else 130, 240 / 2 + 8)
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
            w = min(max(w, max(_text_width(line) for line in lines) + 16), width - 16.0)
            lines = _lines(item.text, w - 16)
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
    from httpsys_sim.tls import CertState

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
    from httpsys_sim.tls import Kind, Role

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
        return fence(self.mermaid, "mermaid")


def sequence_diagram(value: Result | TlsTranscript) -> SequenceDiagram:
    """The sequence diagram of a :class:`~httpsys_sim.core._result.Result` or a
    :class:`~httpsys_sim.tls.TlsTranscript`, for ``display()`` in a notebook."""
    from httpsys_sim.core._result import Result

    if isinstance(value, Result):
        return SequenceDiagram(
            mermaid=result_mermaid(value), svg=result_svg(value, standalone=True)
        )
    return SequenceDiagram(mermaid=value.to_mermaid(), svg=transcript_svg(value, standalone=True))
