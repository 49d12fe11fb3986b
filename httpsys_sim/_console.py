"""The ``httpsys-sim`` console entry point.

It imports the command line only inside its own ``try``, so Ctrl-C at any moment — even
while the modules are still loading — ends the run with exit status 130 and no traceback
(docs/cli.md#exit-status).
"""

from __future__ import annotations

import sys
from typing import NoReturn

__all__ = ["run"]


def run() -> NoReturn:
    """Run ``httpsys-sim`` with ``sys.argv`` and exit with its status."""
    try:
        from httpsys_sim.cli import main

        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
