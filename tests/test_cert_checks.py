"""The certificate checks behind the 403s: revocation reachability, trust lists, mapping and
native modules asking themselves (R-IIS-7.*, R-IIS-8), each with its remedy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

import httpsys_sim as hs
from httpsys_sim.catalogue._rules import Confidence
from httpsys_sim.core._scenario import Scenario
from httpsys_sim.errors import InputError
from httpsys_sim.testing.strategies import client_setups, server_setups

REQUIRE = ["Ssl", "SslNegotiateCert", "SslRequireCert"]
BASE = {
    "release": "server-2022",
    "host": "iis",
    "access_ssl_flags": REQUIRE,
    "binding": {"client_cert_negotiation": True},
}


def run(certificate: str = "valid", **server: Any) -> hs.Result:
    return hs.simulate(
        Scenario.from_dict({"server": {**BASE, **server}, "client": {"certificate": certificate}})
    )


@pytest.mark.parametrize(
    ("server", "status", "rule", "fix"),
    [
        (
            {"revocation": {"reachable": False}},
            (403, 13),
            "R-IIS-7.revocation-offline",
            "revocation-reachable",
        ),
        (
            {"trust": {"non_self_signed_in_root": True}},
            (403, 16),
            "R-IIS-7.trust-root",
            "trust-root-store",
        ),
        (
            {"trust": {"send_trusted_issuer_list": True, "client_issuer_in_list": False}},
            (403, 7),
            "R-IIS-5",
            "trusted-issuer-list-off",
        ),
        (
            {"trust": {"client_auth_trust_mode": 1, "client_issuer_in_list": False}},
            (403, 16),
            "R-IIS-7.trust-mode",
            "trust-mode-ctl",
        ),
        (
            {"mapping": {"kind": "many-to-one", "matches": False}},
            (403, 12),
            "R-IIS-7.mapping",
            "mapping-rule",
        ),
        (
            {"mapping": {"kind": "active-directory"}},
            (403, 12),
            "R-IIS-7.mapping-ad",
            "dsmapperusage",
        ),
    ],
)
def test_a_valid_certificate_refused_by_a_check_and_its_verified_remedy(
    server: dict[str, Any], status: tuple[int, int], rule: str, fix: str
) -> None:
    result = run(**server)
    assert (result.outcome.status, result.outcome.substatus) == status
    assert result.outcome.rule == rule
    fixes = {f.id: f for f in hs.find_fixes(result)}
    assert fix in fixes
    assert fixes[fix].verified
    after = hs.simulate(fixes[fix].scenario)
    assert after.outcome.status == 200
    assert after.certificate_reached_app


def test_revocation_offline_is_documented_and_skipped_with_a_cached_crl() -> None:
    offline = run(revocation={"reachable": False})
    assert offline.outcome.confidence is Confidence.DOCUMENTED
    assert "S49" in hs.get_rule("R-IIS-7.revocation-offline").sources
    assert run(revocation={"reachable": False, "cached": True}).outcome.status == 200
    # "check": false is the binding's verifyclientcertrevocation=disable.
    unchecked = run(revocation={"reachable": False, "check": False})
    assert unchecked.outcome.status == 200
    assert not unchecked.scenario.server.binding.verify_client_cert_revocation


def test_cached_only_revocation_without_a_cache_is_inferred_with_an_alternative() -> None:
    result = run(
        binding={"client_cert_negotiation": True, "verify_revocation_with_cached_cert_only": True}
    )
    assert (result.outcome.status, result.outcome.substatus) == (403, 13)
    assert [a.status for a in result.outcome.alternatives] == [200]


def test_mapping_runs_as_the_mapped_account() -> None:
    result = run(mapping={"kind": "one-to-one"})
    assert result.outcome.status == 200
    assert any(s.rule == "R-IIS-7.mapping" for s in result.why())


def test_native_module_asks_even_when_sslflags_ignore_certificates() -> None:
    ignore = {"release": "win11-23h2", "host": "iis", "access_ssl_flags": ["Ssl"]}
    plain = hs.simulate(Scenario.from_dict({"server": ignore}))
    native = hs.simulate(
        Scenario.from_dict({"server": {**ignore, "native_negotiate_module": True}})
    )
    assert plain.outcome.status == 200
    assert isinstance(native.outcome, hs.ConnectionReset)  # the TLS 1.3 late demand (R-REQ-2)
    assert any(s.rule == "R-IIS-8" for s in native.steps)


def test_kestrel_refuses_a_certificate_whose_revocation_it_cannot_check() -> None:
    result = hs.simulate(
        Scenario.from_dict(
            {
                "server": {
                    "host": "kestrel",
                    "client_certificate_mode": "AllowCertificate",
                    "revocation": {"reachable": False},
                }
            }
        )
    )
    assert isinstance(result.outcome, hs.TlsAlert)


def test_http_sys_server_hands_the_certificate_over_whatever_the_checks_say() -> None:
    result = hs.simulate(
        Scenario.from_dict(
            {
                "server": {
                    "host": "aspnetcore-httpsys",
                    "binding": {"client_cert_negotiation": True},
                    "revocation": {"reachable": False},
                }
            }
        )
    )
    assert result.outcome.status == 200
    assert result.certificate_reached_app


@pytest.mark.parametrize(
    ("server", "field"),
    [
        ({"revocation": {"reachable": "no"}}, "server.revocation.reachable"),
        ({"revocation": {"online": True}}, "server.revocation.online"),
        ({"trust": {"client_auth_trust_mode": 7}}, "server.trust.client_auth_trust_mode"),
        ({"mapping": {"kind": "many-to-many"}}, "server.mapping.kind"),
        ({"host": "kestrel", "trust": {"send_trusted_issuer_list": True}}, "server.trust"),
        ({"native_negotiate_module": 1}, "server.native_negotiate_module"),
    ],
)
def test_bad_check_settings_are_refused_with_the_field(server: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        Scenario.from_json(json.dumps({"server": server}), filename="s.json")
    assert info.value.field == field
    assert info.value.file == "s.json"


def test_default_documents_do_not_grow_new_keys() -> None:
    doc = Scenario.seed().to_dict()["server"]
    assert not {"revocation", "trust", "mapping", "native_negotiate_module"} & set(doc)


@given(server=server_setups(), client=client_setups())
def test_unreachable_revocation_changes_nothing_when_the_binding_does_not_check(
    server: hs.ServerSetup, client: hs.ClientSetup
) -> None:
    import attrs

    from httpsys_sim.windows._certchecks import RevocationSetup

    unchecked = attrs.evolve(
        server, binding=attrs.evolve(server.binding, verify_client_cert_revocation=False)
    )
    offline = attrs.evolve(unchecked, revocation=RevocationSetup(reachable=False))
    a = hs.simulate(Scenario(server=unchecked, client=client))
    b = hs.simulate(Scenario(server=offline, client=client))
    assert a.outcome == b.outcome
