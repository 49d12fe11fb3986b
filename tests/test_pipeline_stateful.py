"""A state machine that edits one scenario step by step — release, binding switches, access
flags, client, certificate, body size, host, HTTP/3 — simulating after every edit and
checking the pipeline's invariants on each result.

Editing one thing at a time walks through neighbouring configurations, the way a person
trying fixes on a real server does, and catches outcomes that depend on the order of edits
or on stale state.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import httpsys_sim as hs
from httpsys_sim.catalogue._rules import RULES
from httpsys_sim.core._engine import effective_binding
from httpsys_sim.core._scenario import default_binding
from httpsys_sim.testing.strategies import (
    BINDING_SWITCHES,
    access_flags,
    certificates,
    client_profiles,
    client_setups,
    hosts,
    releases,
    scenarios,
)
from httpsys_sim.windows._iis import CertPolicy, cert_policy

OUTCOME_TYPES = (
    hs.HttpResponse,
    hs.ConnectionReset,
    hs.TlsAlert,
    hs.Http2Error,
    hs.NoCommonProtocol,
    hs.Timeout,
)


def wants_certificate(s: hs.Scenario) -> bool:
    return s.request.scheme == "https" and (
        cert_policy(s.server.access_ssl_flags) is not CertPolicy.IGNORE
    )


def iis_saw_the_certificate(result: hs.Result) -> bool:
    """Judged from the answer alone: the application got the certificate, or IIS refused the
    certificate itself (403.13 revoked, 403.16 untrusted, 403.17 expired; R-IIS-5)."""
    o = result.outcome
    return result.certificate_reached_app or (o.status == 403 and o.substatus in (13, 16, 17))


def exchange_succeeded(result: hs.Result) -> bool:
    """Our own reading of "the certificate exchange worked": IIS answered with something
    other than the 500.0 / 413 of a failed late demand, and a certificate the client holds
    for a path that wants one got to IIS (which may then refuse it: that is IIS's verdict,
    not a failed exchange)."""
    o = result.outcome
    if o.kind is not hs.OutcomeKind.HTTP_RESPONSE or o.status in (500, 413):
        return False
    s = result.scenario
    if s.client.certificate is not hs.CertState.NONE and wants_certificate(s):
        return iis_saw_the_certificate(result)
    return True


class PipelineMachine(RuleBasedStateMachine):
    """Builds a scenario edit by edit; simulates after each edit."""

    def __init__(self) -> None:
        super().__init__()
        self.scenario = hs.Scenario.seed()
        self.result = hs.simulate(self.scenario)
        self.history: list[str] = []

    # --- edits ----------------------------------------------------------------------------

    def _server(self, **changes: Any) -> None:
        self.scenario = attrs.evolve(
            self.scenario, server=attrs.evolve(self.scenario.server, **changes)
        )

    def _client(self, **changes: Any) -> None:
        self.scenario = attrs.evolve(
            self.scenario, client=attrs.evolve(self.scenario.client, **changes)
        )

    def _edit(self, what: str) -> None:
        self.history.append(what)
        self.result = hs.simulate(self.scenario)

    @initialize(s=scenarios())
    def start(self, s: hs.Scenario) -> None:
        self.scenario = s
        self._edit(f"start: {s.describe()}")

    @rule(release=releases(catalogue_only=False))
    def change_release(self, release: hs.Release) -> None:
        self._server(release=release)
        self._edit(f"release {release.id}")

    @rule(name=st.sampled_from(sorted(BINDING_SWITCHES)))
    def toggle_binding_flag(self, name: str) -> None:
        binding = self.scenario.server.binding
        self._server(binding=attrs.evolve(binding, **{name: not getattr(binding, name)}))
        self._edit(f"toggle {name}")

    @rule(flags=access_flags())
    def change_access_flags(self, flags: hs.AccessSslFlag) -> None:
        self._server(access_ssl_flags=flags)
        self._edit(f"access flags {int(flags)}")

    @rule(profile=client_profiles())
    def change_client_profile(self, profile: str) -> None:
        self._client(profile=profile)
        self._edit(f"client {profile}")

    @rule(client=client_setups())
    def replace_client(self, client: hs.ClientSetup) -> None:
        self.scenario = attrs.evolve(self.scenario, client=client)
        self._edit(f"client {client!r}")

    @rule(certificate=certificates())
    def change_certificate(self, certificate: hs.CertState) -> None:
        self._client(certificate=certificate)
        self._edit(f"certificate {certificate.value}")

    @rule(body=st.sampled_from([0, 49152, 49153, 1 << 20]) | st.integers(0, 1 << 24))
    def change_body(self, body: int) -> None:
        self.scenario = attrs.evolve(
            self.scenario, request=attrs.evolve(self.scenario.request, body_bytes=body)
        )
        self._edit(f"body {body}")

    @rule(host=hosts())
    def change_host(self, host: hs.Host) -> None:
        old = self.scenario.server.binding
        switches = {name: getattr(old, name) for name in BINDING_SWITCHES}
        self._server(host=host, binding=attrs.evolve(default_binding(host), **switches))
        self._edit(f"host {host.value}")

    @rule(flags=st.sampled_from([0, 128, 32, 4, 16, 64, 160]))
    def change_site_binding_flags(self, flags: int) -> None:
        self._server(site_binding_ssl_flags=hs.SiteBindingSslFlag(flags))
        self._edit(f"site binding sslFlags {flags}")

    @rule()
    def toggle_http3(self) -> None:
        self._server(http3=not self.scenario.server.http3)
        self._edit("toggle http3")

    @rule()
    def toggle_scheme(self) -> None:
        scheme = "http" if self.scenario.request.scheme == "https" else "https"
        self.scenario = attrs.evolve(
            self.scenario, request=attrs.evolve(self.scenario.request, scheme=scheme)
        )
        self._edit(f"scheme {scheme}")

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def total_and_deterministic(self) -> None:
        r = self.result
        assert r.scenario == self.scenario
        assert isinstance(r.outcome, OUTCOME_TYPES)
        assert r.outcome.kind in set(hs.OutcomeKind)
        assert hs.simulate(self.scenario) == r

    @invariant()
    def steps_cite_existing_rules(self) -> None:
        r = self.result
        assert r.steps
        assert all(step.rule in RULES for step in r.steps)
        assert r.outcome.rule in RULES
        assert all(a.rule in RULES for a in r.outcome.alternatives)

    @invariant()
    def certificate_reaches_the_app_only_on_a_200(self) -> None:
        r = self.result
        if not r.certificate_reached_app:
            return
        assert r.outcome.status == 200
        cert = self.scenario.client.certificate
        revocation_checked = effective_binding(self.scenario).verify_client_cert_revocation
        assert cert is hs.CertState.VALID or (
            cert is hs.CertState.REVOKED and not revocation_checked
        )

    @invariant()
    def a_reset_leaves_no_w3c_line(self) -> None:
        r = self.result
        if r.outcome.kind is hs.OutcomeKind.CONNECTION_RESET:
            assert r.iis_log is None
            assert r.connections[-1].end == "reset"
        if r.outcome.kind is hs.OutcomeKind.HTTP_RESPONSE:
            assert r.iis_log is not None
            assert (r.iis_log.status, r.iis_log.substatus) == (
                r.outcome.status,
                r.outcome.substatus,
            )

    @invariant()
    def status_500_only_with_the_24h2_policy(self) -> None:
        r = self.result
        if r.outcome.status == 500:
            assert self.scenario.server.release.late_demand_tls13 is (
                hs.LateDemandPolicy.NOT_SUPPORTED
            )
            assert (r.outcome.substatus, r.outcome.win32_status) == (0, 50)
            assert r.connections[-1].tls_version == "1.3"

    @invariant()
    def fixes_only_for_failures_and_each_verified(self) -> None:
        r = self.result
        fixes = hs.find_fixes(r)
        if exchange_succeeded(r):
            assert fixes == (), [f.id for f in fixes]
            return
        for fix in fixes:
            assert fix.verified
            after = hs.simulate(fix.scenario)
            assert exchange_succeeded(after), (fix.id, after.outcome.describe())
            assert fix.outcome == after.outcome.describe()


PipelineMachine.TestCase.settings = settings(
    settings.default,
    max_examples=min(settings.default.max_examples, 40),
    stateful_step_count=12,
)
test_pipeline_machine = PipelineMachine.TestCase
