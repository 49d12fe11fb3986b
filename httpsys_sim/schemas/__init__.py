"""The JSON documents httpsys-sim writes: their kinds, version and JSON Schemas.

Every JSON document the command line and the library write opens with two keys that say what
it is (see docs/formats.md#document-kinds-and-versions)::

    {"format": "httpsys-sim/result", "format_version": 1, ...}

``format_version`` grows only when a document changes incompatibly (a key removed, renamed or
changing meaning); new keys may appear within a version.  Each kind ships a JSON Schema
(draft 2020-12) beside this module: ``<kind>.schema.json``.

    >>> from httpsys_sim import schemas
    >>> schemas.header("matrix")
    {'format': 'httpsys-sim/matrix', 'format_version': 1}
    >>> schemas.schema("matrix")["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

__all__ = ["FORMAT_VERSION", "KINDS", "header", "schema", "schema_text"]

#: The version of every document kind below (they move together).
FORMAT_VERSION: Final = 1

#: Every document kind, in the order the docs list them: the ``<kind>`` of
#: ``"format": "httpsys-sim/<kind>"`` and of ``<kind>.schema.json``.
KINDS: Final = (
    "result",
    "matrix",
    "host-matrix",
    "diagnosis",
    "tls-transcript",
    "releases",
    "clients",
    "rules",
)


def _check(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; one of: {', '.join(KINDS)}")
    return kind


def header(kind: str) -> dict[str, Any]:
    """The two keys a document of ``kind`` opens with (a fresh dict each call)."""
    return {"format": f"httpsys-sim/{_check(kind)}", "format_version": FORMAT_VERSION}


def schema_text(kind: str) -> str:
    """The JSON Schema of ``kind`` as shipped (``httpsys_sim/schemas/<kind>.schema.json``)."""
    return (
        resources.files(__name__)
        .joinpath(f"{_check(kind)}.schema.json")
        .read_text(encoding="utf-8")
    )


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind``, parsed (a fresh dict each call)."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded
