"""A real HTTPS endpoint on loopback that acts out what the model decides (docs/serve.md).

    >>> import httpsys_sim as hs
    >>> with hs.serve(hs.Scenario.seed("server-2025")) as server:  # doctest: +SKIP
    ...     server.url, server.ready()["ca"]

Needs the ``serve`` extra (``pip install 'httpsys-sim[serve]'``: pyOpenSSL, h2, h11,
cryptography).  This package is the top layer beside the command line: only ``cli.py``, the
package's lazy name table and the pytest plugin import it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from httpsys_sim.errors import HttpsysSimError

if TYPE_CHECKING:
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.endpoint._server import Endpoint

__all__ = ["ServeExtraMissing", "load_endpoint", "serve"]


class ServeExtraMissing(HttpsysSimError):
    """pyOpenSSL, h2, h11 or cryptography is not installed."""


def load_endpoint() -> type[Endpoint]:
    """The :class:`~httpsys_sim.endpoint._server.Endpoint` class, or a one-line error naming
    the missing extra."""
    try:
        from httpsys_sim.endpoint._server import Endpoint
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise ServeExtraMissing(
            f"the serve extra is not installed ({missing} is missing): "
            "pip install 'httpsys-sim[serve]'"
        ) from None
    return Endpoint


@contextlib.contextmanager
def serve(
    scenario: Scenario | None = None,
    *,
    port: int = 0,
    bind: str | None = None,
    keep: bool = False,
    max_connections: int = 128,
    timeout: float = 10.0,
    renegotiation_timeout: float = 5.0,
) -> Iterator[Endpoint]:
    """Serve ``scenario`` (default: the seed scenario) on ``https://127.0.0.1:PORT/`` until
    the ``with`` block ends.

    ``port=0`` picks a free port; ``bind`` names another address explicitly (default
    ``127.0.0.1``).  The endpoint yields ``url``, ``ready()`` (the paths of the throwaway
    CA, client certificates and W3C log) and ``connections()`` (what happened on each
    connection).  Its files are removed on exit unless ``keep``.
    """
    from httpsys_sim.core._scenario import Scenario

    endpoint_class = load_endpoint()
    endpoint = endpoint_class(
        Scenario.seed() if scenario is None else scenario,
        port=port,
        bind=bind,
        keep=keep,
        max_connections=max_connections,
        timeout=timeout,
        renegotiation_timeout=renegotiation_timeout,
    )
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()
