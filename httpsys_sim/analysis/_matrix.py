"""One configuration across releases × client profiles × certificate states.

:func:`matrix` simulates every cell through one :class:`~httpsys_sim.Sweep` (what the cells
share, such as their TLS exchanges, is worked out once) and returns a
:class:`Matrix`, which renders as aligned text (with colour on terminals), Markdown, CSV,
JSON and a self-contained HTML page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from httpsys_sim.catalogue._clients import CLIENTS
from httpsys_sim.core._result import Result
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.core._sweep import Sweep
from httpsys_sim.errors import InputError, quote
from httpsys_sim.schemas import header
from httpsys_sim.tls import CertState
from httpsys_sim.windows._releases import RELEASES, Release, get_release

__all__ = ["ClientErrorText", "Matrix", "client_errors_of", "matrix"]


@attrs.frozen(kw_only=True)
class ClientErrorText:
    """One text a client shows in the cells of a matrix where no HTTP answer came."""

    #: The client profile's id.
    client: str
    #: The cells' label: ``RESET``, ``H2ERR``, ``ALERT``, ``TIMEOUT`` or ``NOPROTO``.
    short: str
    #: What the client shows (the outcome's ``client_error``, from the client profile).
    text: str
    #: The cells that show it, as (column, certificate) in table order; the column is the
    #: release id (release matrix) or the column label (hosts matrix).
    cells: tuple[tuple[str, CertState], ...]


def client_errors_of(
    cells: Iterable[tuple[str, CertState, str, Result]],
) -> tuple[ClientErrorText, ...]:
    """The :class:`ClientErrorText` entries of (client, certificate, column, result) cells
    given in table order (rows, then columns)."""
    found: dict[tuple[str, str, str], list[tuple[str, CertState]]] = {}
    for client, cert, column, result in cells:
        outcome = result.outcome
        if outcome.client_error is not None:
            key = (client, outcome.short(), outcome.client_error)
            found.setdefault(key, []).append((column, cert))
    return tuple(
        ClientErrorText(client=client, short=short, text=text, cells=tuple(where))
        for (client, short, text), where in found.items()
    )


@attrs.frozen(kw_only=True, repr=False)
class Matrix:
    """Results of one configuration over releases × clients × certificate states."""

    base: Scenario
    releases: tuple[Release, ...]
    clients: tuple[str, ...]
    certificates: tuple[CertState, ...]
    cells: Mapping[tuple[str, str, CertState], Result] = attrs.field(eq=False, repr=False)

    def __repr__(self) -> str:
        """The call that builds this matrix."""
        return (
            f"matrix({self.base!r}, releases={[r.id for r in self.releases]!r}, "
            f"clients={list(self.clients)!r}, "
            f"certificates={[c.value for c in self.certificates]!r})"
        )

    def __str__(self) -> str:
        """The matrix as aligned text."""
        return self.to_text()

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

    def row_label(self, client: str, cert: CertState) -> str:
        return client if len(self.certificates) == 1 else f"{client} ({cert.value})"

    def client_errors(self) -> tuple[ClientErrorText, ...]:
        """What each client shows where no HTTP answer came: one entry per client, cell
        label and text, clients in row order, then in the order the cells first show them
        (docs/reference/clients.md#error-texts)."""
        return client_errors_of(
            (client, cert, release.id, self.cells[(release.id, client, cert)])
            for client, cert in self.rows()
            for release in self.releases
        )

    # --- text ------------------------------------------------------------------------
    def to_text(self, *, colour: bool | None = None, width: int | None = None) -> str:
        """Aligned columns with the legends; ANSI colours when ``colour`` is true; narrower
        than ``width`` columns when given (heads abbreviated, then columns split into blocks)."""
        from httpsys_sim.views._text import matrix_text

        return matrix_text(self, colour=colour, width=width)

    # --- Markdown / CSV / JSON ---------------------------------------------------------
    def to_markdown(self) -> str:
        """A Markdown table (rows: clients; columns: releases)."""
        from httpsys_sim.views._markdown import matrix_markdown

        return matrix_markdown(self)

    def to_csv(self) -> str:
        """One line per cell: release, client, certificate, outcome fields."""
        from httpsys_sim.views._text import matrix_csv

        return matrix_csv(self)

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
            **header("matrix"),
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
        from httpsys_sim.views._html import matrix_page

        return matrix_page(self)

    def _repr_html_(self) -> str:
        # A scoped fragment, not the standalone page: no global styles, ids or script.
        from httpsys_sim.views._html import matrix_html

        return matrix_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import matrix_markdown

        return matrix_markdown(self)


def _check_axis(values: object, name: str) -> None:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list (or None for all), not {type(values).__name__}")
    if not values:
        raise InputError("empty selection", field=name, hint="name at least one, or None for all")


def _resolve_releases(releases: Sequence[str | Release] | None) -> tuple[Release, ...]:
    if releases is None:
        return tuple(RELEASES.values())
    _check_axis(releases, "releases")
    return tuple(
        r if isinstance(r, Release) else get_release(r, field="releases") for r in releases
    )


def _resolve_clients(clients: Sequence[str] | None) -> tuple[str, ...]:
    if clients is None:
        return tuple(CLIENTS)
    _check_axis(clients, "clients")
    for client in clients:
        if client not in CLIENTS:
            raise InputError(
                f"unknown client profile {quote(client)}",
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
    if scenario is not None and not isinstance(scenario, Scenario):
        raise TypeError(f"matrix() takes a Scenario or None, not {type(scenario).__name__}")
    base = Scenario.seed() if scenario is None else scenario
    rels = _resolve_releases(releases)
    cls = _resolve_clients(clients)
    if certificates is not None:
        _check_axis(certificates, "certificates")
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
    sweep = Sweep()
    cells: dict[tuple[str, str, CertState], Result] = {}
    for client in cls:
        for cert in certs:
            variant = base.with_client(client, cert)
            for release in rels:
                cells[(release.id, client, cert)] = sweep.simulate(variant.with_release(release))
    return Matrix(base=base, releases=rels, clients=cls, certificates=certs, cells=cells)
