"""One configuration across releases × client profiles × certificate states.

:func:`matrix` simulates every cell through one :class:`~httpsys_sim.core._sweep.Sweep`
(cells share what they have in common; each result is what ``simulate`` gives) and returns a
:class:`Matrix`, which renders as aligned text (with colour on terminals), Markdown, CSV,
JSON and a self-contained HTML page.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TextIO

import attrs

from httpsys_sim.catalogue._clients import CLIENTS, get_client
from httpsys_sim.core._fixes import is_failure
from httpsys_sim.core._result import OutcomeKind, Result
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.core._sweep import Sweep
from httpsys_sim.errors import InputError
from httpsys_sim.tls.messages import CertState
from httpsys_sim.views._text import escape
from httpsys_sim.windows._releases import RELEASES, Release, get_release

__all__ = ["Matrix", "category", "cell_text", "matrix"]

#: Cell categories, the colour each gets, and what they mean (the legend).
CATEGORIES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "ok": ("#1a7f37", "32", "200: served (with the certificate when the client had one)"),
        "nocert": ("#4ac26b", "36", "200*: served, but the client's certificate never reached IIS"),
        "denied": (
            "#0969da",
            "33",
            "403.x: IIS decided on the certificate (missing, untrusted, …)",
        ),
        "error": ("#bc4c00", "35", "500.0 / 413: the certificate could not be fetched"),
        "reset": ("#cf222e", "31", "connection reset: no HTTP answer at all"),
        "protocol": ("#8250df", "34", "TLS alert, HTTP/2 error, no common protocol, timeout"),
    }
)


def category(result: Result) -> str:
    """The legend category of a cell."""
    o = result.outcome
    if o.kind is OutcomeKind.CONNECTION_RESET:
        return "reset"
    if o.status is None:
        return "protocol"
    if 200 <= o.status < 300:
        return "nocert" if is_failure(result) else "ok"
    if o.status == 403:
        return "denied"
    return "error"


def cell_text(result: Result) -> str:
    """A cell: ``200``, ``200*`` (certificate never reached IIS), ``RESET``, ``500.0?``…"""
    star = "*" if category(result) == "nocert" else ""
    return result.outcome.short() + star + ("?" if result.outcome.alternatives else "")


@attrs.frozen(kw_only=True)
class Matrix:
    """Results of one configuration over releases × clients × certificate states."""

    base: Scenario
    releases: tuple[Release, ...]
    clients: tuple[str, ...]
    certificates: tuple[CertState, ...]
    cells: Mapping[tuple[str, str, CertState], Result] = attrs.field(eq=False, repr=False)

    @property
    def title(self) -> str:
        """What the table shows: the configuration, and the certificates of the rows."""
        text = self.base.describe(release=False, client=False)
        certs = ", ".join(c.value for c in self.certificates)
        mine = f"clients with {self.base.client.certificate.value} certificate"
        return text.replace(mine, f"clients with certificate: {certs}")

    def cell(
        self, release: str, client: str, certificate: CertState | str = CertState.VALID
    ) -> Result:
        """The full result of one cell."""
        return self.cells[(get_release(release).id, client, CertState(certificate))]

    def rows(self) -> Iterable[tuple[str, CertState]]:
        """(client, certificate) pairs in display order."""
        for client in self.clients:
            for cert in self.certificates:
                yield client, cert

    def _row_label(self, client: str, cert: CertState) -> str:
        return client if len(self.certificates) == 1 else f"{client} ({cert.value})"

    # --- text ------------------------------------------------------------------------
    def to_text(self, *, colour: bool | None = None) -> str:
        """Aligned columns; colour on a terminal unless ``NO_COLOR`` is set."""
        if colour is None:
            colour = False
        heads = [r.id for r in self.releases]
        labels = [self._row_label(c, k) for c, k in self.rows()]
        left = max(len(x) for x in [*labels, "client"])
        widths = [max(len(h), 7) for h in heads]
        out = [self.title, ""]
        out.append(
            "client".ljust(left)
            + "  "
            + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
        )
        for (client, cert), label in zip(self.rows(), labels, strict=True):
            cells = []
            for release, width in zip(self.releases, widths, strict=True):
                result = self.cells[(release.id, client, cert)]
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

    # --- Markdown / CSV / JSON ---------------------------------------------------------
    def to_markdown(self) -> str:
        """A Markdown table (rows: clients; columns: releases)."""
        heads = [r.id for r in self.releases]
        lines = [
            f"**{escape_md(self.title)}**",
            "",
            "| client | " + " | ".join(heads) + " |",
            "|---|" + "---|" * len(heads),
        ]
        for client, cert in self.rows():
            cells = [cell_text(self.cells[(r.id, client, cert)]) for r in self.releases]
            lines.append(f"| {self._row_label(client, cert)} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "`200*`: served, but the client's certificate never reached IIS. "
            "`?`: the outcome has alternatives (a rule on its path is inferred or partly so).",
        ]
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
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
        for client, cert in self.rows():
            for release in self.releases:
                o = self.cells[(release.id, client, cert)].outcome
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

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the base scenario, the axes, and every cell's outcome."""
        cells = []
        for client, cert in self.rows():
            for release in self.releases:
                result = self.cells[(release.id, client, cert)]
                cells.append(
                    {
                        "release": release.id,
                        "client": client,
                        "certificate": cert.value,
                        "short": result.outcome.short(),
                        "outcome": result.outcome.to_dict(),
                        "certificate_reached_app": result.certificate_reached_app,
                        "connections": [c.to_dict()["end"] for c in result.connections],
                    }
                )
        return {
            "scenario": self.base.to_dict(),
            "releases": [r.id for r in self.releases],
            "clients": list(self.clients),
            "certificates": [c.value for c in self.certificates],
            "cells": cells,
        }

    def to_json(self) -> str:
        """Deterministic JSON of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    # --- HTML --------------------------------------------------------------------------
    def to_html(self) -> str:
        """A self-contained page: colour-coded cells, a legend, each cell's explanation on
        hover (tooltip) and on click (the panel below the table)."""
        heads = "".join(
            f'<th scope="col" title="{escape(r.product)}">{escape(r.id)}</th>'
            for r in self.releases
        )
        rows = []
        details = []
        for client, cert in self.rows():
            cells = []
            for release in self.releases:
                result = self.cells[(release.id, client, cert)]
                cid = f"c-{release.id}-{client}-{cert.value}"
                explanation = result.explain()
                cells.append(
                    f'<td class="{category(result)}" title="{escape(explanation)}" '
                    f'data-detail="{cid}" tabindex="0">{escape(cell_text(result))}</td>'
                )
                details.append(
                    f'<section id="{cid}" hidden><h3>{escape(release.product)} · '
                    f"{escape(get_client(client).name)} · certificate {cert.value}</h3>"
                    f"<pre>{escape(explanation)}</pre></section>"
                )
            rows.append(
                f'<tr><th scope="row">{escape(self._row_label(client, cert))}</th>'
                f"{''.join(cells)}</tr>"
            )
        legend = "".join(
            f'<li><span class="swatch {name}"></span>{escape(text)}</li>'
            for name, (_, _, text) in CATEGORIES.items()
        )
        styles = "".join(
            f"td.{name},.swatch.{name}{{background:{color};color:#fff}}"
            for name, (color, _, _) in CATEGORIES.items()
        )
        return _HTML.format(
            title=escape(self.title),
            heads=heads,
            rows="".join(rows),
            legend=legend,
            styles=styles,
            details="".join(details),
        )

    def _repr_html_(self) -> str:
        # A scoped fragment, not the standalone page: no global styles, ids or script.
        from httpsys_sim.views._display import matrix_html

        return matrix_html(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def escape_md(text: str) -> str:
    """Markdown-safe text."""
    return text.replace("|", "\\|").replace("*", "\\*")


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>httpsys-sim matrix</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#1f2328}}
table{{border-collapse:collapse;font-size:.9rem}}
th,td{{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:center}}
th[scope=row]{{text-align:left;background:#f6f8fa}}
thead th{{background:#f6f8fa}}
td{{cursor:pointer;font-weight:600;font-family:ui-monospace,Consolas,monospace}}
td:focus{{outline:3px solid #0969da}}
ul.legend{{list-style:none;padding:0}} ul.legend li{{margin:.2rem 0}}
.swatch{{display:inline-block;width:1rem;height:1rem;margin-right:.5rem;vertical-align:middle}}
pre{{background:#f6f8fa;padding:.8rem;white-space:pre-wrap;max-width:70rem}}
{styles}
</style></head><body>
<h1>httpsys-sim: outcome matrix</h1>
<p>{title}</p>
<table><thead><tr><th>client</th>{heads}</tr></thead><tbody>{rows}</tbody></table>
<ul class="legend">{legend}<li>? — the outcome has alternatives (a rule on its path is
inferred or partly so); the explanation lists them</li></ul>
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


def _resolve_releases(releases: Sequence[str | Release] | None) -> tuple[Release, ...]:
    if releases is None:
        return tuple(RELEASES.values())
    return tuple(
        r if isinstance(r, Release) else get_release(r, field="releases") for r in releases
    )


def _resolve_clients(clients: Sequence[str] | None) -> tuple[str, ...]:
    if clients is None:
        return tuple(CLIENTS)
    for client in clients:
        if client not in CLIENTS:
            raise InputError(
                f"unknown client profile {client!r}",
                field="clients",
                hint="one of " + ", ".join(CLIENTS),
            )
    return tuple(clients)


def matrix(
    scenario: Scenario | None = None,
    *,
    releases: Sequence[str | Release] | None = None,
    clients: Sequence[str] | None = None,
    certificates: Sequence[CertState | str] | None = None,
) -> Matrix:
    """Simulate ``scenario`` (default: the seed) on every release × client × certificate.

    ``None`` for an axis means all of it (certificates: the scenario's own).
    """
    base = Scenario.seed() if scenario is None else scenario
    rels = _resolve_releases(releases)
    cls = _resolve_clients(clients)
    try:
        certs = (
            (base.client.certificate,)
            if certificates is None
            else tuple(CertState(c) for c in certificates)
        )
    except ValueError as exc:
        raise InputError(
            str(exc), field="certificates", hint="valid, none, expired, revoked, untrusted"
        ) from None
    cells: dict[tuple[str, str, CertState], Result] = {}
    sweep = Sweep()  # the cells share TLS exchanges and set-up: each is worked out once
    for client in cls:
        for cert in certs:
            variant = base.with_client(client, cert)
            for release in rels:
                cells[(release.id, client, cert)] = sweep.simulate(variant.with_release(release))
    return Matrix(base=base, releases=rels, clients=cls, certificates=certs, cells=cells)


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())
