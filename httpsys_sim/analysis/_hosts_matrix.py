"""Hosts side by side: one configuration served by IIS, IIS Express, the ASP.NET Core hosts
and Kestrel, for each client (``httpsys-sim matrix --hosts …``; docs/concepts.md#hosts).

A column is a host, optionally with its own setting (``kestrel:DelayCertificate``,
``aspnetcore-httpsys:AllowRenegotation``), on one release (several releases give one column
per release and host).  A cell shows the outcome and, for the ASP.NET Core hosts, what the
application observed: ``200 cert``, ``200 null``, ``500 exc``, ``RESET gone``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from httpsys_sim.analysis._matrix import (
    ClientErrorText,
    _resolve_clients,
    _resolve_releases,
    client_errors_of,
)
from httpsys_sim.core._result import Result, host_cell_text
from httpsys_sim.core._scenario import Scenario, default_binding
from httpsys_sim.core._sweep import Sweep
from httpsys_sim.errors import InputError
from httpsys_sim.schemas import header
from httpsys_sim.tls import CertState
from httpsys_sim.windows._hosts import ClientCertificateMethod, ClientCertificateMode
from httpsys_sim.windows._iis import Host
from httpsys_sim.windows._releases import Release

__all__ = ["HostMatrix", "host_matrix", "host_variant"]


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

    def client_errors(self) -> tuple[ClientErrorText, ...]:
        """What each client shows where no HTTP answer came (as for the release matrix;
        a cell's column is its label, e.g. ``server-2022/iis``)."""
        return client_errors_of(
            (client, cert, label, self.cells[(rid, spec, client, cert)])
            for client, cert in self.rows()
            for rid, spec, label in self.columns()
        )

    @property
    def title(self) -> str:
        """The configuration the hosts share."""
        return (
            f"Hosts side by side on {', '.join(r.product for r in self.releases)}: "
            + self.base.describe(release=False, client=False)
        )

    # --- one-line hooks into views/ -----------------------------------------------
    def to_text(self, *, colour: bool | None = None, width: int | None = None) -> str:
        """Aligned columns with a legend; ANSI colours when ``colour`` is true; narrower than
        ``width`` columns when given (heads abbreviated, then columns split into blocks)."""
        from httpsys_sim.views._text import host_matrix_text

        return host_matrix_text(self, colour=colour, width=width)

    def to_markdown(self) -> str:
        """A Markdown table with the legend."""
        from httpsys_sim.views._markdown import host_matrix_markdown

        return host_matrix_markdown(self)

    def to_csv(self) -> str:
        """One line per cell."""
        from httpsys_sim.views._text import host_matrix_csv

        return host_matrix_csv(self)

    def to_dict(self) -> dict[str, Any]:
        """The host-matrix document (docs/formats.md#matrix-json-and-csv): the base scenario,
        the axes, and every cell's outcome and app observation."""
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
                        "short": host_cell_text(r),
                        "outcome": r.outcome.to_dict(),
                        "certificate_reached_app": r.certificate_reached_app,
                        "app_observed": None
                        if r.app_observed is None
                        else r.app_observed.to_dict(),
                    }
                )
        return {
            **header("host-matrix"),
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
        """A self-contained page: colour-coded cells, a legend, each cell's explanation on
        hover (tooltip) and on click (the panel below the table)."""
        from httpsys_sim.views._html import host_matrix_page

        return host_matrix_page(self)

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import host_matrix_html

        return host_matrix_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import host_matrix_markdown

        return host_matrix_markdown(self)


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
    sweep = Sweep()  # the cells share TLS exchanges and set-ups: each worked out once
    cells: dict[tuple[str, str, str, CertState], Result] = {}
    for spec, variant in variants.items():
        for client in cls:
            for cert in certs:
                v = variant.with_client(client, cert)
                for release in rels:
                    cells[(release.id, spec, client, cert)] = sweep.simulate(
                        v.with_release(release)
                    )
    return HostMatrix(
        base=base, hosts=tuple(hosts), releases=rels, clients=cls, certificates=certs, cells=cells
    )
