"""httpsys-sim: how Windows HTTP.sys + Schannel + IIS answer requests that need a client certificate."""

from __future__ import annotations

__version__ = "0.1.0"
