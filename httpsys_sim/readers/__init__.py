"""Readers of real Windows exports, producing the library's configuration values.

* :func:`~httpsys_sim.readers._netsh.parse_netsh_sslcert` — ``netsh http show sslcert``
  output → :class:`~httpsys_sim.windows._binding.SslBinding` values (R-BIND-2).
* :func:`~httpsys_sim.readers._appconfig.parse_application_host_config` —
  ``applicationHost.config`` (IIS / IIS Express) → sites, bindings and effective access
  flags (R-IIS-1 … R-IIS-4), client-certificate mapping per path and the native modules
  (:mod:`~httpsys_sim.readers._certmapping`; R-IIS-7.mapping, R-IIS-8).
* :func:`~httpsys_sim.readers._regfile.parse_schannel_reg` — ``.reg`` exports → Schannel
  settings (renegotiation, protocols, ``SendTrustedIssuerList``, ``ClientAuthTrustMode``) and
  the http.sys bindings of every kind with their ``DefaultFlags`` and certificate checks
  (R-TLS-2, R-REQ-1, R-BIND-1.registry).
* :func:`~httpsys_sim.readers._webconfig.parse_web_config` — a site's or application's
  ``web.config``; :func:`~httpsys_sim.readers._webconfig.effective_paths` merges every file
  into the access flags IIS applies per path (R-IIS-1.merge).

Each takes ``str | bytes`` and a ``filename`` for messages, and raises only
:class:`~httpsys_sim.errors.InputError` on bad input (docs/formats.md#bad-input).
"""

from __future__ import annotations

from httpsys_sim.readers._appconfig import AppHostConfig, parse_application_host_config
from httpsys_sim.readers._netsh import NetshBinding, parse_netsh_sslcert
from httpsys_sim.readers._regfile import SchannelExport, parse_schannel_reg

__all__ = [
    "AppHostConfig",
    "NetshBinding",
    "SchannelExport",
    "parse_application_host_config",
    "parse_netsh_sslcert",
    "parse_schannel_reg",
]
