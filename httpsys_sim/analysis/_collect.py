"""The collection script: what ``httpsys-sim collect-script`` prints (docs/cli.md#bundle).

A read-only Windows PowerShell script shipped in the package (``collect.ps1``) that writes
the folder ``httpsys-sim diagnose --bundle`` reads.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["collect_script"]


def collect_script() -> str:
    """The text of the collection script."""
    text = resources.files("httpsys_sim.analysis").joinpath("collect.ps1").read_text("utf-8")
    return text
