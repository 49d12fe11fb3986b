"""Hosts side by side: one configuration served by IIS, IIS Express, the ASP.NET Core hosts
and Kestrel, for each client (``httpsys-sim matrix --hosts …``; docs/concepts.md#hosts).

A column is a host, optionally with its own setting (``kestrel:DelayCertificate``,
``aspnetcore-httpsys:AllowRenegotation``), on one release (several releases give one column
per release and host).  A cell shows the outcome and, for the ASP.NET Core hosts, what the
application observed: ``200 cert``, ``200 null``, ``500 exc``, ``RESET gone``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from httpsys_sim.analysis._matrix import _resolve_clients, _resolve_releases
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._result import Result, cell_text
from httpsys_sim.core._scenario import Scenario, default_binding
from httpsys_sim.errors import InputError
from httpsys_sim.tls import CertState
from httpsys_sim.windows._hosts import AppValue, ClientCertificateMethod, ClientCertificateMode
from httpsys_sim.windows._iis import Host
from httpsys_sim.windows._releases import Release

__all__ = ["HostMatrix", "host_matrix", "host_variant"]

_MARK = MappingProxyType(
    {
        AppValue.CERTIFICATE: "cert",
        AppValue.NULL: "null",
        AppValue.EXCEPTION: "exc",
        AppValue.CONNECTION_GONE: "gone",
        AppValue.NOT_REACHED: "",
    }
)


def host_variant(base: Scenario, spec: str) -> Scenario:
    """``base`` served by the host ``spec`` names (``host`` or ``host:Setting``).

    The http.sys binding, access flags and Schannel settings are kept where the host has
    them; the host's own setting is its default unless ``spec`` names one.
    """
    name, _, setting = spec.partition(":")
    try:
        host = Host(name.strip())
    except ValueError:
        raise InputError(
            f"unknown host {name!r}",
            field="hosts",
            hint="one of " + ", ".join(h.value for h in Host),
        ) from None
    server = base.server
    binding = server.binding
    if (
        host is Host.KESTREL
        or server.host is Host.KESTREL
        or ((host is Host.IIS_EXPRESS) != (server.host is Host.IIS_EXPRESS))
    ):
        binding = (
            attrs.evolve(
                default_binding(host),
                **{
                    k: v
                    for k, v in attrs.asdict(binding).items()
                    if k not in ("endpoint", "kind", "app_id")
                },
            )
            if host is not Host.KESTREL
            else default_binding(host)
        )
    method: ClientCertificateMethod | None = None
    mode: ClientCertificateMode | None = None
    setting = setting.strip()
    if setting:
        try:
            if host is Host.ASPNETCORE_HTTPSYS:
                method = ClientCertificateMethod(setting)
            elif host is Host.KESTREL:
                mode = ClientCertificateMode(setting)
            else:
                raise ValueError(setting)
        except ValueError:
            choices = {
                Host.ASPNETCORE_HTTPSYS: [m.value for m in ClientCertificateMethod],
                Host.KESTREL: [m.value for m in ClientCertificateMode],
            }.get(host, [])
            raise InputError(
                f"host {host.value!r} has no setting {setting!r}",
                field="hosts",
                hint=("one of " + ", ".join(choices)) if choices else f"use plain {host.value}",
            ) from None
    new = attrs.evolve(
        server,
        host=host,
        binding=binding,
        client_certificate_method=method,
        client_certificate_mode=mode,
    )
    return attrs.evolve(base, server=new)


def host_cell(result: Result) -> str:
    """``200 cert``, ``200 null``, ``403.16``, ``RESET gone``…"""
    text = cell_text(result)
    observed = result.app_observed
    if observed is not None and _MARK[observed.value]:
        text += " " + _MARK[observed.value]
    return text


@attrs.frozen(kw_only=True)
class HostMatrix:
    """Results of one configuration over hosts (× releases) × clients × certificates."""

    base: Scenario
    hosts: tuple[str, ...]
    releases: tuple[Release, ...]
    clients: tuple[str, ...]
    certificates: tuple[CertState, ...]
    cells: Mapping[tuple[str, str, str, CertState], Result] = attrs.field(eq=False, repr=False)

    def columns(self) -> Iterable[tuple[str, str, str]]:
        """(release id, host spec, label) in display order."""
        for release in self.releases:
            for spec in self.hosts:
                label = spec if len(self.releases) == 1 else f"{release.id}/{spec}"
                yield release.id, spec, label

    def rows(self) -> Iterable[tuple[str, CertState]]:
        """(client, certificate) pairs in display order."""
        for client in self.clients:
            for cert in self.certificates:
                yield client, cert

    def cell(
        self,
        host: str,
        client: str,
        certificate: CertState | str = CertState.VALID,
        release: str | None = None,
    ) -> Result:
        """The full result of one cell."""
        rid = self.releases[0].id if release is None else release
        return self.cells[(rid, host, client, CertState(certificate))]

    def _label(self, client: str, cert: CertState) -> str:
        return client if len(self.certificates) == 1 else f"{client} ({cert.value})"

    def _table(self) -> list[list[str]]:
        heads = ["client", *(label for _, _, label in self.columns())]
        body = [
            [
                self._label(c, k),
                *(host_cell(self.cells[(r, h, c, k)]) for r, h, _ in self.columns()),
            ]
            for c, k in self.rows()
        ]
        return [heads, *body]

    @property
    def title(self) -> str:
        """The configuration the hosts share."""
        return (
            f"Hosts side by side on {', '.join(r.product for r in self.releases)}: "
            + self.base.describe(release=False, client=False)
        )

    def to_text(self) -> str:
        """Aligned columns with a legend."""
        table = self._table()
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = [self.title, ""]
        lines += [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
        lines += [
            "",
            "Cells: the outcome, then what the ASP.NET Core application observed: cert (a",
            "certificate), null, exc (an exception), gone (the connection died under the call);",
            "? = the outcome has alternatives. See docs/concepts.md#hosts.",
        ]
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """A Markdown table."""
        table = self._table()
        lines = [
            f"**{self.title}**",
            "",
            "| " + " | ".join(table[0]) + " |",
            "|" + "---|" * len(table[0]),
        ]
        lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        """One line per cell."""
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
        for client, cert in self.rows():
            for rid, spec, _ in self.columns():
                r = self.cells[(rid, spec, client, cert)]
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
                        host_cell(r),
                    ]
                )
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """JSON form: axes and every cell's outcome and app observation."""
        cells = []
        for client, cert in self.rows():
            for rid, spec, _ in self.columns():
                r = self.cells[(rid, spec, client, cert)]
                cells.append(
                    {
                        "release": rid,
                        "host": spec,
                        "client": client,
                        "certificate": cert.value,
                        "short": host_cell(r),
                        "outcome": r.outcome.to_dict(),
                        "certificate_reached_app": r.certificate_reached_app,
                        "app_observed": None
                        if r.app_observed is None
                        else r.app_observed.to_dict(),
                    }
                )
        return {
            "scenario": self.base.to_dict(),
            "hosts": list(self.hosts),
            "releases": [r.id for r in self.releases],
            "clients": list(self.clients),
            "certificates": [c.value for c in self.certificates],
            "cells": cells,
        }

    def to_json(self) -> str:
        """Deterministic JSON of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_html(self) -> str:
        """A plain self-contained HTML table, each cell's explanation as its tooltip."""
        head = "".join(f"<th>{html.escape(label)}</th>" for _, _, label in self.columns())
        rows = []
        for client, cert in self.rows():
            tds = "".join(
                f'<td title="{html.escape(self.cells[(r, h, client, cert)].explain())}">'
                f"{html.escape(host_cell(self.cells[(r, h, client, cert)]))}</td>"
                for r, h, _ in self.columns()
            )
            rows.append(f"<tr><th>{html.escape(self._label(client, cert))}</th>{tds}</tr>")
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>httpsys-sim hosts</title></head><body>"
            f"<p>{html.escape(self.title)}</p><table><thead><tr><th>client</th>{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
        )

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def host_matrix(
    scenario: Scenario | None = None,
    *,
    hosts: Sequence[str],
    releases: Sequence[str | Release] | None = None,
    clients: Sequence[str] | None = None,
    certificates: Sequence[CertState | str] | None = None,
) -> HostMatrix:
    """Simulate ``scenario`` (default: the seed) on each host × client × certificate, on the
    scenario's release unless ``releases`` names others."""
    base = Scenario.seed() if scenario is None else scenario
    if not hosts:
        raise InputError(
            "no hosts given", field="hosts", hint="e.g. iis,aspnetcore-httpsys,kestrel"
        )
    rels = (base.server.release,) if releases is None else _resolve_releases(releases)
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
    variants = {spec: host_variant(base, spec) for spec in hosts}
    cells: dict[tuple[str, str, str, CertState], Result] = {}
    for spec, variant in variants.items():
        for client in cls:
            for cert in certs:
                v = variant.with_client(client, cert)
                for release in rels:
                    cells[(release.id, spec, client, cert)] = simulate(v.with_release(release))
    return HostMatrix(
        base=base, hosts=tuple(hosts), releases=rels, clients=cls, certificates=certs, cells=cells
    )
