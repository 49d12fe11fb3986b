"""One shape for every table of results: rows × columns of :class:`Result` cells.

The release matrix (``hs.matrix``) and the hosts matrix (``hs.host_matrix``) are both a grid: a
title, column heads, one row per client (and certificate), a short text per cell, and the
result behind it.  Text, Markdown, CSV and HTML views draw a :class:`Grid`, so the two tables
look and behave the same (colour, width, legend, hover and click) without two copies of the
drawing code (docs/architecture.md#layers: views only read values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from httpsys_sim.core._result import cell_text, host_cell_text
from httpsys_sim.tls import CertState

if TYPE_CHECKING:
    from httpsys_sim.analysis._hosts_matrix import HostMatrix
    from httpsys_sim.analysis._matrix import ClientErrorText, Matrix
    from httpsys_sim.core._result import Result

__all__ = [
    "PLACEHOLDERS",
    "SHORT_IDS",
    "Column",
    "ErrorLine",
    "Grid",
    "Row",
    "host_grid",
    "matrix_grid",
    "placeholder_sentence",
]

#: The placeholders the profiles' error texts use for what differs from run to run, and what
#: each stands for, in the order a legend names them (docs/reference/clients.md#error-texts).
PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "<url>": "the request's URL",
        "<addr>": "the connection's addresses",
        "<host>": "the server's host",
        "<port>": "its port",
        "<thread>": "the thread id OpenSSL writes before an error",
    }
)


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def placeholder_sentence(used: Sequence[str], code: Callable[[str], str] = str) -> str:
    """``<url> and <addr> stand for the request's URL and the connection's addresses``: the
    placeholders ``used`` (each written by ``code``) and what they stand for."""
    verb = "stands" if len(used) == 1 else "stand"
    return (
        f"{_listed([code(p) for p in used])} {verb} for {_listed([PLACEHOLDERS[p] for p in used])}"
    )


#: Abbreviated release ids for narrow terminals (a key under the table names them).
SHORT_IDS: Mapping[str, str] = MappingProxyType(
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


#: Abbreviated host names and settings for narrow terminals (``S2025/httpsys:Reneg``).
_HOST_SHORT: Mapping[str, str] = MappingProxyType(
    {
        "iis-express": "iisx",
        "aspnetcore-httpsys": "httpsys",
        "aspnetcore-iis-inprocess": "anc-in",
        "aspnetcore-iis-outofprocess": "anc-out",
        "NoCertificate": "No",
        "AllowCertificate": "Allow",
        "AllowRenegotation": "Reneg",
        "RequireCertificate": "Require",
        "DelayCertificate": "Delay",
    }
)


def _short_host(spec: str) -> str:
    return ":".join(_HOST_SHORT.get(part, part) for part in spec.split(":"))


@attrs.frozen
class Column:
    """A column head: its label, a shorter label for narrow screens, and a tooltip."""

    head: str
    short: str
    tip: str
    #: The part of a cell's detail heading this column contributes (e.g. the product name).
    detail: str


@attrs.frozen
class ErrorLine:
    """One line of the legend of what the clients show where no HTTP answer came."""

    client: str
    short: str  #: the cells' label (``RESET``, ``H2ERR``…)
    text: str
    #: Where (columns, with certificates when not all of them), when the client shows several
    #: texts under one label; None otherwise.
    where: str | None


@attrs.frozen
class Row:
    """One row: its label, the detail heading part, and one result per column."""

    label: str
    detail: str
    results: tuple[Result, ...]


@attrs.frozen
class Grid:
    """A table of results, ready for any view."""

    kind: str  #: ``matrix`` or ``hosts``: names the page and the cells' ids
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    #: The legend lines specific to this table (the outcome legend is common to all).
    notes: tuple[str, ...] = ()
    #: Whether cells carry the application's observation (hosts) or the outcome only.
    app_marks: bool = False
    #: What the clients show where no HTTP answer came (docs/reference/clients.md#error-texts).
    errors: tuple[ErrorLine, ...] = ()

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The :data:`PLACEHOLDERS` the error texts use, in legend order."""
        return tuple(p for p in PLACEHOLDERS if any(p in e.text for e in self.errors))

    def text(self, result: Result) -> str:
        """The short text of one cell."""
        return host_cell_text(result) if self.app_marks else cell_text(result)


def _where(cells: tuple[tuple[str, CertState], ...], order: list[str], certificates: int) -> str:
    """The cells' columns in table order, each with the certificates of its cells when they
    are not all of the table's: ``server-2016, win11-23h2 (none)``."""
    by_column: dict[str, list[CertState]] = {}
    for column, cert in cells:
        by_column.setdefault(column, []).append(cert)
    return ", ".join(
        c
        if len(set(by_column[c])) == certificates
        else f"{c} ({', '.join(k.value for k in by_column[c])})"
        for c in order
        if c in by_column
    )


def _error_lines(
    entries: tuple[ClientErrorText, ...], order: list[str], certificates: int
) -> tuple[ErrorLine, ...]:
    per_label: dict[tuple[str, str], int] = {}
    for e in entries:
        per_label[(e.client, e.short)] = per_label.get((e.client, e.short), 0) + 1
    return tuple(
        ErrorLine(
            client=e.client,
            short=e.short,
            text=e.text,
            where=None
            if per_label[(e.client, e.short)] == 1
            else _where(e.cells, order, certificates),
        )
        for e in entries
    )


def matrix_grid(m: Matrix) -> Grid:
    """The release matrix: clients down, releases across."""
    from httpsys_sim.catalogue._clients import get_client

    columns = tuple(
        Column(
            head=r.id,
            short=SHORT_IDS.get(r.id, r.id),
            tip=f"{r.product} (build {r.build})",
            detail=r.product,
        )
        for r in m.releases
    )
    rows = tuple(
        Row(
            label=m.row_label(client, cert),
            detail=f"{get_client(client).name} · certificate {cert.value}",
            results=tuple(m.cells[(r.id, client, cert)] for r in m.releases),
        )
        for client, cert in m.rows()
    )
    order = [r.id for r in m.releases]
    errors = _error_lines(m.client_errors(), order, len(m.certificates))
    return Grid(kind="matrix", title=m.title, columns=columns, rows=rows, errors=errors)


_HOST_NOTES = (
    "Cells: the outcome, then what the ASP.NET Core application observed: cert (a "
    "certificate), null, exc (an exception), gone (the connection died under the call). "
    "See docs/concepts.md#hosts.",
)


def host_grid(hm: HostMatrix) -> Grid:
    """The hosts matrix: clients down, hosts (× releases) across."""
    from httpsys_sim.catalogue._clients import get_client

    products = {r.id: r.product for r in hm.releases}
    columns = tuple(
        Column(
            head=label,
            short=_short_host(spec)
            if len(hm.releases) == 1
            else f"{SHORT_IDS.get(rid, rid)}/{_short_host(spec)}",
            tip=f"{spec} on {products[rid]}",
            detail=f"{spec} on {products[rid]}",
        )
        for rid, spec, label in hm.columns()
    )
    rows = tuple(
        Row(
            label=client if len(hm.certificates) == 1 else f"{client} ({cert.value})",
            detail=f"{get_client(client).name} · certificate {cert.value}",
            results=tuple(hm.cells[(rid, spec, client, cert)] for rid, spec, _ in hm.columns()),
        )
        for client, cert in hm.rows()
    )
    order = [label for _, _, label in hm.columns()]
    return Grid(
        kind="hosts",
        title=hm.title,
        columns=columns,
        rows=rows,
        notes=_HOST_NOTES,
        app_marks=True,
        errors=_error_lines(hm.client_errors(), order, len(hm.certificates)),
    )
