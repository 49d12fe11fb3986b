"""Check *our* IIS configuration against every Windows release and client — offline.

This is the kind of test file a project keeps next to its deployment scripts.  The site's
TLS set-up lives in ``my_site.scenario.json`` (the http.sys binding of
``portal.contoso.test:443`` as ``netsh http add sslcert`` creates it, and the ``<access
sslFlags>`` of ``/admin``).  The httpsys-sim pytest plugin — loaded automatically once
httpsys-sim is installed — runs each test once per Windows release
(``@pytest.mark.httpsys_releases``) and client profile (``@pytest.mark.httpsys_clients``),
and ``assert_outcome`` fails with the simulator's explanation and the fixes it proved.

Run it::

    python -m pytest examples/test_my_iis_config.py
    python -m pytest examples/test_my_iis_config.py --httpsys-releases=server-2022,server-2025
    HTTPSYS_DEMO_BROKEN=1 python -m pytest examples/test_my_iis_config.py -k broken   # fails

As shipped (``clientcertnegotiation`` enabled on the binding) every test passes.  The last
section is a deliberately broken variant, skipped unless ``HTTPSYS_DEMO_BROKEN=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from httpsys_sim import Release, Result, Scenario
from httpsys_sim.testing._assertions import SimulateFactory, assert_outcome

SITE_FILE = Path(__file__).with_name("my_site.scenario.json")


@pytest.fixture(scope="module")
def shipped() -> Scenario:
    """The configuration as we deploy it (read once per module)."""
    return Scenario.from_json(SITE_FILE.read_text(encoding="utf-8"), filename=str(SITE_FILE))


def test_the_file_says_what_we_deploy(shipped: Scenario) -> None:
    """Guard the premises the other tests rely on."""
    binding = shipped.server.binding
    assert binding.endpoint == "portal.contoso.test:443"
    assert binding.client_cert_negotiation, "the binding must ask for certificates up front"
    assert shipped.request.path == "/admin"


@pytest.mark.httpsys_releases
@pytest.mark.httpsys_clients
def test_a_valid_certificate_reaches_the_app(
    shipped: Scenario,
    httpsys_release: Release,
    httpsys_client: str,
    httpsys_simulate: SimulateFactory,
) -> None:
    """Every client with a valid certificate gets 200 and the app sees the certificate."""
    result: Result = httpsys_simulate(shipped, certificate="valid")
    assert_outcome(result, status=200, certificate_reached_app=True)


@pytest.mark.httpsys_releases
@pytest.mark.httpsys_clients
def test_no_certificate_is_a_clean_403_7(
    shipped: Scenario,
    httpsys_release: Release,
    httpsys_client: str,
    httpsys_simulate: SimulateFactory,
) -> None:
    """Without a certificate the answer is IIS's 403.7 — never a reset, never a 500."""
    assert_outcome(httpsys_simulate(shipped, certificate="none"), status=403, substatus=7)


@pytest.mark.httpsys_releases
@pytest.mark.httpsys_clients("edge", "curl", "dotnet-windows")
@pytest.mark.parametrize(
    ("certificate", "substatus"), [("untrusted", 16), ("expired", 17), ("revoked", 13)]
)
def test_bad_certificates_are_refused(
    shipped: Scenario,
    httpsys_release: Release,
    httpsys_client: str,
    httpsys_simulate: SimulateFactory,
    certificate: str,
    substatus: int,
) -> None:
    """Untrusted, expired and revoked certificates get their own 403 sub-status."""
    result = httpsys_simulate(shipped, certificate=certificate)
    assert_outcome(result, status=403, substatus=substatus, certificate_reached_app=False)


# ============================================================================================
# DEMO — a deliberately broken configuration (skipped unless HTTPSYS_DEMO_BROKEN=1)
#
# A "cleanup" of the binding drops clientcertnegotiation back to netsh's default.  IIS then
# asks for the certificate only after the request arrived, which TLS 1.3 cannot do: Server
# 2022 resets the connection, Server 2025 answers 500.0 0x80070032.  The failure message is
# the simulator's explanation and names the fix (netsh … clientcertnegotiation=enable).
# ============================================================================================

BROKEN_DEMO = os.environ.get("HTTPSYS_DEMO_BROKEN") == "1"


@pytest.mark.skipif(not BROKEN_DEMO, reason="demo of a failing config; HTTPSYS_DEMO_BROKEN=1")
@pytest.mark.httpsys_releases("server-2022", "server-2025")
@pytest.mark.httpsys_clients("edge")
def test_broken_demo_binding_without_clientcertnegotiation(
    shipped: Scenario,
    httpsys_release: Release,
    httpsys_client: str,
    httpsys_simulate: SimulateFactory,
) -> None:
    """The same check on the broken binding: fails, explaining why and how to fix it."""
    broken = httpsys_simulate(shipped, client_cert_negotiation=False, certificate="valid")
    assert_outcome(broken, status=200, certificate_reached_app=True)
